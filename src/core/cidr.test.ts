import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cidrMatcher } from './cidr.ts';

test('CIDRs and single addresses, IPv4 and IPv6; an IPv4-mapped peer matches as IPv4; junk matches nothing', () => {
  const m = cidrMatcher(['10.0.0.0/8', '192.0.2.7', '2001:db8::/32', 'not-an-ip']);
  assert.equal(m('10.1.2.3'), true);
  assert.equal(m('::ffff:10.1.2.3'), true);
  assert.equal(m('192.0.2.7'), true);
  assert.equal(m('192.0.2.8'), false);
  assert.equal(m('2001:db8::1'), true);
  assert.equal(m('2001:db9::1'), false);
  assert.equal(m('bogus'), false);
  assert.equal(m(''), false);
  assert.throws(() => cidrMatcher(['10.0.0.0/33'], true));
});

test('a peer parsed once is matched the same against every list (the parse is shared)', () => {
  const lan = cidrMatcher(['127.0.0.0/8']);
  const none = cidrMatcher([]);
  const v6 = cidrMatcher(['::1']);
  for (let i = 0; i < 3; i++) {
    assert.equal(lan('127.0.0.1'), true);
    assert.equal(none('127.0.0.1'), false);
    assert.equal(v6('127.0.0.1'), false);
    assert.equal(v6('::1'), true);
    assert.equal(lan('::1'), false);
  }
  // Beyond the memo's size the answers stay right.
  for (let i = 0; i < 1500; i++) assert.equal(lan(`127.0.${i >> 8}.${i & 255}`), true);
  assert.equal(lan('bogus'), false);
});
