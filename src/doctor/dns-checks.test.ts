import assert from 'node:assert/strict';
import { test } from 'node:test';
import { reverseName } from './dns-checks.ts';

test('reverse names for PTR look-ups (RFC 1035 §3.5, RFC 3596 §2.5)', () => {
  assert.equal(reverseName('192.0.2.1'), '1.2.0.192.in-addr.arpa');
  assert.equal(reverseName('2001:db8::567:89ab'), 'b.a.9.8.7.6.5.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa');
  assert.equal(reverseName('::1'), `1.${'0.'.repeat(31)}ip6.arpa`);
});
