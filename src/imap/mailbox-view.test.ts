import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { MailboxView } from './mailbox-view.ts';

const view = () => new MailboxView([1, 2, 4, 7, 9].map((uid) => ({ uid, flags: [], modseq: 1 })), 10);

describe('MailboxView', () => {
  it('maps sequence numbers and UIDs both ways and selects ranges', () => {
    const v = view();
    assert.equal(v.exists, 5);
    assert.equal(v.seqOf(7), 4);
    assert.equal(v.seqOf(3), 0);
    assert.equal(v.uidOf(5), 9);
    assert.deepEqual(v.select([[2, 3]], false), [2, 4]);
    assert.deepEqual(v.select([[3, 8], [1, 1]], true), [1, 4, 7]);
    assert.deepEqual(v.select([[4, 100]], false), [7, 9], 'beyond the end is ignored');
    assert.equal(v.maxUid, 9);
  });

  it('folds expunges (highest sequence first), flag changes and new messages into the view', () => {
    const v = view();
    const r = v.sync([
      { uid: 2, modseq: 11, flags: null },
      { uid: 7, modseq: 12, flags: ['\\Seen'] },
      { uid: 4, modseq: 13, flags: null },
      { uid: 12, modseq: 14, flags: [] },
      { uid: 11, modseq: 14, flags: ['\\Flagged'] },
    ], 14);
    // Expunge uid 4 (seq 3) first, then uid 2 (seq 2): each number is right when sent.
    assert.deepEqual(r.expunged, [3, 2]);
    assert.deepEqual(r.expungedUids, [4, 2]);
    assert.deepEqual(r.flags, [{ seq: 2, uid: 7, flags: ['\\Seen'], modseq: 12 }]);
    assert.equal(r.exists, 5);
    assert.deepEqual([1, 2, 3, 4, 5].map((s) => v.uidOf(s)), [1, 7, 9, 11, 12]);
    assert.equal(v.highestmodseq, 14);
    assert.deepEqual(v.sync([], 14), { expunged: [], expungedUids: [], flags: [] }, 'nothing new');
  });

  it('ignores changes to messages it never had and stale flag updates', () => {
    const v = view();
    const r = v.sync([{ uid: 3, modseq: 11, flags: null }, { uid: 5, modseq: 12, flags: ['\\Seen'] }], 12);
    assert.deepEqual(r, { expunged: [], expungedUids: [], flags: [] }, 'uid 3 and 5 were never in the view and are below uidnext');
  });
});
