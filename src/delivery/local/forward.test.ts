import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FORWARD_MARKER, forwardTargets, isForwardLoop, markForwarded } from './forward.ts';
import { ForwardSchema, type ForwardRules } from './user-rules.ts';

const rules = (over: object = {}): ForwardRules => ForwardSchema.parse({ enabled: true, to: ['b@y.cn'], ...over });
const ctx = { recipientAddress: 'a@x.cn', sender: 'c@z.cn' };
const RAW = Buffer.from('From: c@z.cn\r\nTo: a@x.cn\r\nSubject: hi\r\n\r\nbody\r\n');

test('auto-forward on: targets, and keepCopy as the user set it', () => {
  assert.deepEqual(forwardTargets(rules(), ctx), { to: ['b@y.cn'], keepCopy: true });
  assert.deepEqual(forwardTargets(rules({ keepCopy: false }), ctx), { to: ['b@y.cn'], keepCopy: false });
});

test('auto-forward off: nothing forwarded, the copy is kept', () => {
  assert.deepEqual(forwardTargets(rules({ enabled: false, keepCopy: false }), ctx), { to: [], keepCopy: true });
});

test('never to the recipient itself or its aliases, nor back to the sender; duplicates dropped', () => {
  const r = rules({ to: ['A@X.cn', 'b@y.cn', 'B@Y.CN', 'sales@x.cn', 'c@z.cn', 'd@例子.中国'], keepCopy: false });
  const plan = forwardTargets(r, { recipientAddress: ['a@x.cn', 'sales@x.cn'], sender: '<C@z.cn>' });
  assert.deepEqual(plan.to, ['b@y.cn', 'd@xn--fsqu00a.xn--fiqs8s']);
  assert.equal(plan.keepCopy, false);
});

test('when every target is refused, the copy is kept even if the user said not to keep one', () => {
  assert.deepEqual(forwardTargets(rules({ to: ['a@x.cn'], keepCopy: false }), ctx), { to: [], keepCopy: true });
});

test('filter forwards add to the targets and never drop the local copy by themselves', () => {
  const off = rules({ enabled: false, to: [] });
  assert.deepEqual(forwardTargets(off, { ...ctx, extra: ['acct@corp.cn', 'a@x.cn'] }), { to: ['acct@corp.cn'], keepCopy: true });
  const on = rules({ keepCopy: false });
  assert.deepEqual(forwardTargets(on, { ...ctx, extra: ['b@y.cn', 'acct@corp.cn'] }), { to: ['b@y.cn', 'acct@corp.cn'], keepCopy: false });
});

test('given the message, a loop through this user forwards nothing and keeps the copy', () => {
  const back = markForwarded(markForwarded(RAW, 'a@x.cn'), 'b@y.cn');
  assert.deepEqual(forwardTargets(rules({ keepCopy: false }), { ...ctx, head: back, extra: ['e@y.cn'] }), { to: [], keepCopy: true });
  const fresh = markForwarded(RAW, 'c@y.cn');
  assert.deepEqual(forwardTargets(rules({ keepCopy: false }), { ...ctx, head: fresh }), { to: ['b@y.cn'], keepCopy: false });
});

test('never forwards to an address the message has already been forwarded by', () => {
  // b forwarded it to a; a forwards to b and e: only e gets it, and a keeps its copy when nothing else goes.
  const fromB = markForwarded(RAW, 'b@y.cn');
  assert.deepEqual(forwardTargets(rules({ to: ['B@y.cn', 'e@y.cn'], keepCopy: false }), { ...ctx, head: fromB }), { to: ['e@y.cn'], keepCopy: false });
  assert.deepEqual(forwardTargets(rules({ keepCopy: false }), { ...ctx, head: fromB }), { to: [], keepCopy: true });
});

test('markForwarded prepends the marker in the message\'s own line ending', () => {
  const marked = markForwarded(RAW, 'A@X.cn');
  assert.equal(marked.toString(), `${FORWARD_MARKER}: a@x.cn\r\n${RAW.toString()}`);
  const lf = markForwarded(Buffer.from('Subject: x\n\nbody\n'), 'a@x.cn');
  assert.equal(lf.toString(), `${FORWARD_MARKER}: a@x.cn\nSubject: x\n\nbody\n`);
  assert.throws(() => markForwarded(RAW, 'a@x.cn\r\nBcc: v@example.org'), TypeError);
});

test('two users forwarding to each other: the message stops after one round', () => {
  // c → a; a forwards to b; b forwards to a; a sees its own marker and only keeps the copy.
  let raw: Buffer = RAW;
  const hops: string[] = [];
  const forwardsOf: Record<string, string> = { 'a@x.cn': 'b@y.cn', 'b@y.cn': 'a@x.cn' };
  let at = 'a@x.cn';
  for (let i = 0; i < 10 && !isForwardLoop(raw, at); i++) {
    hops.push(at);
    raw = markForwarded(raw, at);
    at = forwardsOf[at]!;
  }
  assert.deepEqual(hops, ['a@x.cn', 'b@y.cn']);
  assert.equal(at, 'a@x.cn');
});

test('isForwardLoop reads only the header block, unfolds, and ignores case', () => {
  assert.ok(!isForwardLoop(RAW, 'a@x.cn'));
  assert.ok(isForwardLoop(Buffer.from('x-youju-forwarded:\r\n  A@X.CN\r\nSubject: s\r\n\r\nb'), 'a@x.cn'), 'folded, any case');
  assert.ok(!isForwardLoop(markForwarded(RAW, 'b@y.cn'), 'a@x.cn'), 'another user\'s marker');
  const inBody = Buffer.from(`Subject: s\r\n\r\n${FORWARD_MARKER}: a@x.cn\r\n`);
  assert.ok(!isForwardLoop(inBody, 'a@x.cn'), 'a marker quoted in the body is not ours');
  assert.ok(isForwardLoop(Buffer.from(`Subject: s\n${FORWARD_MARKER}: a@x.cn`), 'a@x.cn'), 'no body, LF endings');
});
