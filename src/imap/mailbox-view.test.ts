import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { LINE_BLOCK, MailboxView } from './mailbox-view.ts';

const view = () => new MailboxView([1, 2, 4, 7, 9].map((uid) => ({ uid, flags: [], modseq: 1 })), 10);

describe('MailboxView', () => {
  it('SELECT facts: keywords in use and the first unseen, kept per shared base and made again after a change', () => {
    const v = new MailboxView([
      { uid: 1, flags: ['\\Seen', '$Work'], modseq: 1 }, { uid: 2, flags: ['\\Seen'], modseq: 1 }, { uid: 3, flags: ['Later'], modseq: 1 },
    ], 1);
    const f = v.selectFacts();
    assert.deepEqual([[...f.keywords].sort(), f.firstUnseen], [['$Work', 'Later'], 3]);
    const again = new MailboxView(v.snapshot(), 1);
    assert.equal(again.selectFacts(), f, 'the same base answers from what was kept');
    again.sync([{ uid: 3, modseq: 2, flags: ['\\Seen'] }, { uid: 4, modseq: 3, flags: ['$New'] }], 3);
    const changed = again.selectFacts();
    assert.deepEqual([[...changed.keywords].sort(), changed.firstUnseen], [['$New', '$Work'], 4]);
    assert.deepEqual([[...v.selectFacts().keywords].sort(), v.selectFacts().firstUnseen], [['$Work', 'Later'], 3], 'the shared base is unchanged');
  });

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

  it('shares its base with other views and never writes it', () => {
    const index = { uids: [1, 2, 3], modseqs: [1, 1, 1], flags: ['', '\\Seen', ''] };
    const frozen = JSON.stringify(index);
    const a = new MailboxView(index, 1);
    const b = new MailboxView(index, 1);
    a.update(1, ['\\Flagged'], 2);
    a.sync([{ uid: 4, modseq: 3, flags: ['\\Seen'] }, { uid: 3, modseq: 3, flags: ['\\Answered'] }], 3);
    b.sync([{ uid: 2, modseq: 4, flags: null }], 4);
    assert.equal(JSON.stringify(index), frozen, 'the shared index is untouched');
    assert.deepEqual([1, 2, 3, 4].map((s) => [a.uidOf(s), a.flagsTextAt(s), a.modseqAt(s)]),
      [[1, '\\Flagged', 2], [2, '\\Seen', 1], [3, '\\Answered', 3], [4, '\\Seen', 3]]);
    assert.deepEqual([1, 2].map((s) => [b.uidOf(s), b.flagsTextAt(s)]), [[1, ''], [3, '']]);
    assert.deepEqual(a.snapshot(), { uids: [1, 2, 3, 4], modseqs: [2, 1, 3, 3], flags: ['\\Flagged', '\\Seen', '\\Answered', '\\Seen'] });
    assert.equal(a.snapshot(), a.snapshot(), 'an unchanged view hands out the same snapshot');
    assert.deepEqual(b.allUids, [1, 3]);
    assert.equal(b.seqOf(3), 2);
    assert.equal(b.seqOf(2), 0);
  });

  it('takes its own flags once many base messages changed, and keeps answering the same', () => {
    const n = 20_000;
    const index = { uids: Array.from({ length: n }, (_, i) => i + 1), modseqs: new Array<number>(n).fill(1), flags: new Array<string>(n).fill('') };
    const v = new MailboxView(index, 1);
    for (let uid = 1; uid <= 3000; uid++) v.update(uid, ['\\Seen'], 2);
    assert.equal(index.flags[0], '', 'the shared index is untouched');
    assert.equal(v.flagsTextAt(1), '\\Seen');
    assert.equal(v.flagsTextAt(3000), '\\Seen');
    assert.equal(v.flagsTextAt(3001), '');
    assert.equal(v.modseqAt(2999), 2);
    assert.equal(v.snapshotFlags().filter((f) => f === '\\Seen').length, 3000);
  });

  it('serves "FETCH (UID FLAGS)" lines of unchanged base blocks once made, and never a changed or partial block', () => {
    const n = LINE_BLOCK * 2 + 5;
    const msgs = Array.from({ length: n }, (_, i) => ({ uid: 10 + i * 2, flags: i % 3 === 0 ? ['\\Seen'] : [], modseq: 1 }));
    const lines = (v: MailboxView, from: number, to: number) => {
      let t = '';
      for (let s = from; s <= to; s++) t += `* ${s} FETCH (UID ${v.uidOf(s)} FLAGS (${v.flagsTextAt(s)}))\r\n`;
      return t;
    };
    const v = new MailboxView(msgs, 1);
    const b0 = v.uidFlagsBlock(0);
    assert.equal(b0?.toString(), lines(v, 1, LINE_BLOCK));
    assert.equal(v.uidFlagsBlock(1)?.toString(), lines(v, LINE_BLOCK + 1, 2 * LINE_BLOCK));
    assert.equal(v.uidFlagsBlock(2), undefined, 'the last block is not whole');
    // Another view on the same base shares the serialized block.
    const other = new MailboxView(msgs, 1);
    const base = v.snapshot();
    const w = new MailboxView(base, 1);
    assert.equal(w.uidFlagsBlock(0), v.uidFlagsBlock(0));
    assert.equal(other.uidFlagsBlock(0)?.toString(), b0?.toString());
    // A flag change in block 1 makes this view serialize block 1 itself; block 0 is still served.
    v.sync([{ uid: v.uidOf(LINE_BLOCK + 3)!, modseq: 5, flags: ['\\Flagged'] }], 5);
    assert.equal(v.uidFlagsBlock(1), undefined);
    assert.equal(v.uidFlagsBlock(0), b0);
    assert.equal(w.uidFlagsBlock(1)?.toString(), lines(w, LINE_BLOCK + 1, 2 * LINE_BLOCK), 'the other view is unchanged');
    // The snapshot with the change is a new base: its block 1 carries the new flags.
    const snap = new MailboxView(v.snapshot(), 5);
    assert.match(snap.uidFlagsBlock(1)!.toString(), /FLAGS \(\\Flagged\)/);
    // An expunge leaves no base: nothing served until the next snapshot.
    v.sync([{ uid: 10, modseq: 6, flags: null }], 6);
    assert.equal(v.uidFlagsBlock(0), undefined);
  });
});

