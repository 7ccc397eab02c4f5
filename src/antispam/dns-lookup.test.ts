// The stages' DNS lookups against a DNS server on a loopback port: answers in node's shape, a
// cache of answers and of NXDOMAIN (not of failures), one query for concurrent asks.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startDnsServer, type TestDnsServer } from '../../test/helpers/dns-server.ts';
import { createDnsLookup } from './dns-lookup.ts';

describe('DNS lookups for the protection stages', () => {
  let dns: TestDnsServer;
  before(async () => {
    dns = await startDnsServer({ records: { 'x.test': { TXT: ['v=spf1 -all'], A: ['192.0.2.1'] } }, servfail: ['broken.test'] });
  });
  after(() => dns.close());

  it('answers TXT and A as node does, and reuses answers and NXDOMAIN within cacheMs', async () => {
    let t = 1000;
    const lookup = createDnsLookup({ servers: [dns.server], timeoutMs: () => 2000, cacheMs: () => 60_000, now: () => t });
    assert.deepEqual(await lookup('x.test', 'TXT'), [['v=spf1 -all']]);
    assert.deepEqual(await Promise.all([lookup('X.test', 'A'), lookup('x.test', 'A')]), [['192.0.2.1'], ['192.0.2.1']]);
    await assert.rejects(lookup('none.test', 'TXT'), { code: 'ENOTFOUND' });
    await assert.rejects(lookup('none.test', 'TXT'), { code: 'ENOTFOUND' });
    assert.deepEqual(await lookup('x.test', 'TXT'), [['v=spf1 -all']]);
    const count = (q: string) => dns.queries.filter((x) => x === q).length;
    assert.equal(count('TXT x.test'), 1);
    assert.equal(count('A x.test'), 1, 'concurrent asks share one query');
    assert.equal(count('TXT none.test'), 1);
    t += 60_001;
    await lookup('x.test', 'TXT');
    assert.equal(count('TXT x.test'), 2, 'asked again once the cache time is over');
  });

  it('does not cache a failure', async () => {
    const lookup = createDnsLookup({ servers: [dns.server], timeoutMs: () => 2000, cacheMs: () => 60_000 });
    await assert.rejects(lookup('broken.test', 'TXT'), { code: 'ESERVFAIL' });
    await assert.rejects(lookup('broken.test', 'TXT'), { code: 'ESERVFAIL' });
    assert.equal(dns.queries.filter((x) => x === 'TXT broken.test').length, 2);
  });
});
