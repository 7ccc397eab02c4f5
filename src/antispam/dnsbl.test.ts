// DNS-BL query names (RFC 5782 §2.1 IPv4, §2.4 IPv6).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { queryName } from './dnsbl.ts';

describe('DNS-BL query names', () => {
  it('reverses IPv4 octets and IPv6 nibbles; an IPv4-mapped peer is IPv4; garbage has none', () => {
    assert.equal(queryName('192.0.2.99', 'zen.spamhaus.org'), '99.2.0.192.zen.spamhaus.org');
    assert.equal(queryName('::ffff:192.0.2.99', 'bl.test'), '99.2.0.192.bl.test');
    assert.equal(queryName('2001:db8:1:2:3:4:567:89ab', 'bl.test'),
      'b.a.9.8.7.6.5.0.4.0.0.0.3.0.0.0.2.0.0.0.1.0.0.0.8.b.d.0.1.0.0.2.bl.test');
    assert.equal(queryName('not-an-ip', 'bl.test'), undefined);
  });
});
