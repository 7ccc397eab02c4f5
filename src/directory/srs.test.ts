// SRS round trips (SRS0 and SRS1), case changes on the way back, forged and expired addresses.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Srs } from './srs.ts';

const DAY = 86_400_000;
let now = Date.UTC(2026, 0, 1);
const srs = new Srs({ key: () => Buffer.alloc(32, 7), maxAgeDays: () => 21, now: () => now });

test('SRS0: rewrite and reverse, also lower-cased; forged and expired refused', () => {
  now = Date.UTC(2026, 0, 1);
  const fwd = srs.forward('Alice@Example.ORG', 'fwd.test');
  assert.match(fwd, /^SRS0=[a-z2-7]{6}=[a-z2-7]{2}=Example\.ORG=Alice@fwd\.test$/);
  const local = fwd.slice(0, fwd.lastIndexOf('@'));
  assert.deepEqual(srs.reverse(local), { ok: true, address: 'Alice@Example.ORG' });
  assert.deepEqual(srs.reverse(local.toLowerCase()), { ok: true, address: 'alice@example.org' });
  assert.deepEqual(srs.reverse(local.replace('Alice', 'Mallory')), { ok: false, reason: 'forged' });
  assert.deepEqual(new Srs({ key: () => Buffer.alloc(32, 8), maxAgeDays: () => 21, now: () => now }).reverse(local), { ok: false, reason: 'forged' });
  now += 21 * DAY;
  assert.equal(srs.reverse(local).ok, true, '21 days is still fine');
  now += DAY;
  assert.deepEqual(srs.reverse(local), { ok: false, reason: 'expired' });
  assert.deepEqual(srs.reverse('SRS0=bad'), { ok: false, reason: 'malformed' });
  assert.equal(srs.forward('', 'fwd.test'), '', 'the null sender stays null');
});

test('SRS1: an SRS0 sender of another forwarder is wrapped once, and unwraps to its SRS0 address', () => {
  now = Date.UTC(2026, 0, 1);
  const first = 'SRS0=abcd=xy=example.org=alice@first.test';
  const fwd = srs.forward(first, 'fwd.test');
  assert.match(fwd, /^SRS1=[a-z2-7]{6}=first\.test==abcd=xy=example\.org=alice@fwd\.test$/);
  const local = fwd.slice(0, fwd.lastIndexOf('@'));
  assert.deepEqual(srs.reverse(local), { ok: true, address: first });
  const again = srs.forward(fwd.replace('@fwd.test', '@third.test'), 'fwd.test');
  assert.match(again, /^SRS1=[a-z2-7]{6}=first\.test==abcd=xy=example\.org=alice@fwd\.test$/, 'stays SRS1 with the first hop');
  assert.deepEqual(srs.reverse(local.replace('first.test', 'evil.test')), { ok: false, reason: 'forged' });
  assert.equal(Srs.isSrs('srs0=x'), true);
  assert.equal(Srs.isSrs('bob'), false);
});
