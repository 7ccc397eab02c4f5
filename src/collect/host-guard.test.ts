import assert from 'node:assert/strict';
import { test } from 'node:test';
import { guardedLookup, isPrivateAddress, refuseLiteral } from './host-guard.ts';

test('loopback, private, link-local and their IPv6 forms are refused; public addresses pass', () => {
  for (const ip of ['127.0.0.1', '127.8.9.10', '10.1.2.3', '172.16.0.1', '172.31.255.254', '192.168.1.1', '169.254.169.254', '100.64.0.1', '0.0.0.0',
    '::1', '::', 'fe80::1', 'fd00::5', 'fc12::1', '::ffff:127.0.0.1', '::ffff:7f00:1', '::ffff:10.0.0.1', '64:ff9b::a9fe:a9fe', '224.0.0.1']) {
    assert.equal(isPrivateAddress(ip), true, ip);
  }
  for (const ip of ['8.8.8.8', '172.32.0.1', '192.0.2.1', '203.0.113.9', '2001:db8::1', '2400:3200::1', '::ffff:8.8.8.8']) {
    assert.equal(isPrivateAddress(ip), false, ip);
  }
  assert.match(refuseLiteral('127.0.0.1') ?? '', /127\.0\.0\.1 is a loopback, private or link-local address.*collect\.allowPrivateHosts/);
  assert.match(refuseLiteral('[::1]') ?? '', /loopback/);
  assert.equal(refuseLiteral('8.8.8.8'), undefined);
  assert.equal(refuseLiteral('pop.example.cn'), undefined, 'names are checked when they resolve');
});

test('a name that resolves to loopback fails the look-up', async () => {
  const err = await new Promise<NodeJS.ErrnoException | null>((resolve) => guardedLookup('localhost', {}, (e) => resolve(e)));
  assert.equal(err?.code, 'EPRIVATEHOST');
  assert.match(err?.message ?? '', /^localhost is (127\.0\.0\.1|::1), a loopback/);
});
