import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mergeRouting } from './runner.ts';
import { routedSubmissions, tagSubject } from './routing.ts';

const raw = Buffer.from('From: a@remote.test\r\nSubject: hello\r\n\r\nbody\r\n');
const main = { sender: 'a@remote.test', recipients: ['alice@example.cn'], raw, meta: { listener: 'mx' } };

describe('routing', () => {
  it('without a routing: the message alone', () => {
    assert.deepEqual(routedSubmissions(main, undefined), [main]);
  });
  it('redirect, folder, copies and notifications become submissions; copies from the null sender', () => {
    const subs = routedSubmissions(main, {
      recipients: ['review@example.cn'], folder: 'Review',
      copies: [{ to: ['archive@example.cn', 'archive@example.cn'], reason: 'archive', subjectTag: '(存档副本)' }],
      messages: [{ to: ['postmaster@example.cn'], raw: Buffer.from('notice'), reason: 'notify r' }],
    });
    assert.equal(subs.length, 3);
    assert.deepEqual(subs[0]!.recipients, ['review@example.cn']);
    assert.deepEqual(subs[0]!.meta, { listener: 'mx', folder: 'Review', redirectedFrom: ['alice@example.cn'] });
    assert.equal(subs[1]!.sender, '');
    assert.deepEqual(subs[1]!.recipients, ['archive@example.cn']);
    assert.match(subs[1]!.raw.toString('latin1'), /^Subject: =\?UTF-8\?B\?KOWtmOaho\+WJr\+acrCk=\?= hello\r\n/m);
    assert.equal(subs[2]!.raw.toString(), 'notice');
  });
  it('deleted (no recipients): only the copies', () => {
    const subs = routedSubmissions(main, { recipients: [], copies: [{ to: ['a@example.cn'], reason: 'rule x' }], messages: [] });
    assert.deepEqual(subs.map((s) => s.recipients), [['a@example.cn']]);
  });
  it('a subject is added when there is none', () => {
    assert.match(tagSubject(Buffer.from('From: a\r\n\r\nx'), '[archive]').toString(), /^Subject: \[archive\]\r\nFrom: a\r\n\r\nx$/);
  });
  it('merging: later recipients and folder win, copies add up', () => {
    const m = mergeRouting({ recipients: ['a@x'], folder: 'A', copies: [{ to: ['c@x'], reason: '1' }], messages: [] },
      { copies: [{ to: ['d@x'], reason: '2' }], messages: [] });
    assert.deepEqual(m, { recipients: ['a@x'], folder: 'A', copies: [{ to: ['c@x'], reason: '1' }, { to: ['d@x'], reason: '2' }], messages: [] });
  });
});
