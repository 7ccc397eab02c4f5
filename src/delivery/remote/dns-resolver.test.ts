import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { fixedClock } from '../../core/clock.ts';
import { startDnsServer, type TestDnsServer } from '../../../test/helpers/dns-server.ts';
import { DnsLookupError, DnsResolver, type DnsResolverOptions } from './dns-resolver.ts';

let dns: TestDnsServer;

before(async () => {
  dns = await startDnsServer({
    records: {
      'example.net': {
        MX: [{ exchange: 'mx3.example.net', priority: 30 }, { exchange: 'mx1.example.net', priority: 10 }, { exchange: 'MX2.example.net.', priority: 20 }],
      },
      'mx1.example.net': { A: ['127.0.0.1'], ttl: 60 },
      'implicit.test': { A: ['127.0.0.1'], AAAA: ['::1'] },
      'nomail.test': { TXT: ['v=spf1 -all'] },
      'null.test': { MX: [{ exchange: '.', priority: 0 }] },
      'dual.test': { A: ['127.0.0.3'], AAAA: ['::1'], ttl: 120 },
      'v6only.test': { AAAA: ['::1'] },
      'shadowed.test': { A: ['127.0.0.9'] },
    },
    servfail: ['broken.test'],
    silent: ['slow.test'],
  });
});
after(() => dns.close());

const make = (over: Partial<DnsResolverOptions> = {}): DnsResolver => new DnsResolver({
  servers: [dns.server], hosts: {}, timeoutMs: 300, tries: 1, cacheMax: 100, cacheTtlMs: 3_600_000, ...over,
});

/** Resolves to the DnsLookupError a lookup threw (fails the test if it did not throw one). */
async function failure(p: Promise<unknown>): Promise<DnsLookupError> {
  try {
    await p;
  } catch (err) {
    assert.ok(err instanceof DnsLookupError, `expected DnsLookupError, got ${String(err)}`);
    return err;
  }
  return assert.fail('lookup should have failed');
}

const countQueries = (q: string): number => dns.queries.filter((x) => x === q).length;

describe('DnsResolver.resolveMx', () => {
  it('returns MX hosts sorted by priority, names normalised', async () => {
    assert.deepEqual(await make().resolveMx('Example.NET'), [
      { exchange: 'mx1.example.net', priority: 10 },
      { exchange: 'mx2.example.net', priority: 20 },
      { exchange: 'mx3.example.net', priority: 30 },
    ]);
  });

  it('falls back to the domain itself as an implicit MX when it has only A/AAAA (RFC 5321 §5.1)', async () => {
    assert.deepEqual(await make().resolveMx('implicit.test'), [{ exchange: 'implicit.test', priority: 0 }]);
  });

  it('reports a null MX as a permanent failure (RFC 7505)', async () => {
    const e = await failure(make().resolveMx('null.test'));
    assert.equal(e.reason, 'null-mx');
    assert.equal(e.isTemporary, false);
  });

  it('reports NXDOMAIN as permanent', async () => {
    const e = await failure(make().resolveMx('no-such-domain.test'));
    assert.equal(e.reason, 'nxdomain');
    assert.equal(e.isTemporary, false);
  });

  it('reports a domain with neither MX nor address as permanent nodata', async () => {
    const e = await failure(make().resolveMx('nomail.test'));
    assert.equal(e.reason, 'nodata');
    assert.equal(e.isTemporary, false);
  });

  it('reports SERVFAIL as temporary', async () => {
    const e = await failure(make().resolveMx('broken.test'));
    assert.equal(e.reason, 'servfail');
    assert.equal(e.isTemporary, true);
  });

  it('reports a server that never answers as a temporary timeout', async () => {
    const started = Date.now();
    const e = await failure(make({ timeoutMs: 100 }).resolveMx('slow.test'));
    assert.equal(e.reason, 'timeout');
    assert.equal(e.isTemporary, true);
    assert.ok(Date.now() - started < 5000, 'gave up within the configured patience');
  });

  it('treats a domain in the hosts table as its own MX without asking DNS', async () => {
    const before = dns.queries.length;
    assert.deepEqual(await make({ hosts: { 'Local.Example': '127.0.0.1' } }).resolveMx('local.example'),
      [{ exchange: 'local.example', priority: 0 }]);
    assert.equal(dns.queries.length, before);
  });
});

describe('DnsResolver.resolveAddresses', () => {
  it('returns IPv4 then IPv6 addresses', async () => {
    assert.deepEqual(await make().resolveAddresses('dual.test'), ['127.0.0.3', '::1']);
    assert.deepEqual(await make().resolveAddresses('v6only.test'), ['::1']);
  });

  it('returns IP literals unchanged', async () => {
    assert.deepEqual(await make().resolveAddresses('192.0.2.7'), ['192.0.2.7']);
    assert.deepEqual(await make().resolveAddresses('[::1]'), ['::1']);
  });

  it('lets the hosts table win over DNS', async () => {
    const r = make({ hosts: { 'shadowed.test': '127.0.0.1' } });
    const before = countQueries('A shadowed.test');
    assert.deepEqual(await r.resolveAddresses('SHADOWED.test.'), ['127.0.0.1']);
    assert.equal(countQueries('A shadowed.test'), before, 'DNS was not asked');
    assert.deepEqual(await make().resolveAddresses('shadowed.test'), ['127.0.0.9']);
  });

  it('types failures: NXDOMAIN and NODATA permanent, SERVFAIL temporary', async () => {
    assert.equal((await failure(make().resolveAddresses('nowhere.test'))).reason, 'nxdomain');
    const nodata = await failure(make().resolveAddresses('nomail.test'));
    assert.equal(nodata.reason, 'nodata');
    assert.equal(nodata.isTemporary, false);
    const sf = await failure(make().resolveAddresses('broken.test'));
    assert.equal(sf.isTemporary, true);
  });
});

describe('DnsResolver cache', () => {
  it('reuses an answer until its TTL (capped by cacheTtlMs) runs out', async () => {
    const clock = fixedClock(1_000_000);
    const r = make({ now: clock.now, cacheTtlMs: 3_600_000 });
    const q = (): number => countQueries('A mx1.example.net');
    const start = q();
    assert.deepEqual(await r.resolveAddresses('mx1.example.net'), ['127.0.0.1']);
    assert.equal(q(), start + 1);
    clock.advance(59_000); // record TTL is 60 s
    await r.resolveAddresses('mx1.example.net');
    assert.equal(q(), start + 1, 'served from the cache');
    clock.advance(2_000);
    await r.resolveAddresses('mx1.example.net');
    assert.equal(q(), start + 2, 'expired after the record TTL');

    const capped = make({ now: clock.now, cacheTtlMs: 10_000 });
    await capped.resolveAddresses('mx1.example.net');
    clock.advance(11_000);
    await capped.resolveAddresses('mx1.example.net');
    assert.equal(q(), start + 4, 'cacheTtlMs caps the record TTL');
  });

  it('keeps MX answers for cacheTtlMs (MX answers carry no TTL here)', async () => {
    const clock = fixedClock(0);
    const r = make({ now: clock.now, cacheTtlMs: 5_000 });
    const start = countQueries('MX example.net');
    await r.resolveMx('example.net');
    clock.advance(4_999);
    await r.resolveMx('example.net');
    assert.equal(countQueries('MX example.net'), start + 1);
    clock.advance(2);
    await r.resolveMx('example.net');
    assert.equal(countQueries('MX example.net'), start + 2);
  });

  it('holds at most cacheMax names, dropping the least recently used', async () => {
    const r = make({ cacheMax: 2 });
    await r.resolveAddresses('dual.test');
    await r.resolveAddresses('mx1.example.net');
    await r.resolveAddresses('dual.test'); // touch: mx1 is now the oldest
    await r.resolveAddresses('v6only.test');
    assert.equal(r.cacheSize, 2);
    const before = { dual: countQueries('A dual.test'), mx1: countQueries('A mx1.example.net') };
    await r.resolveAddresses('dual.test');
    assert.equal(countQueries('A dual.test'), before.dual, 'recently used name kept');
    await r.resolveAddresses('mx1.example.net');
    assert.equal(countQueries('A mx1.example.net'), before.mx1 + 1, 'least recently used name evicted');
  });

  it('does not cache failures, and cacheMax 0 turns the cache off', async () => {
    const r = make({ cacheMax: 0 });
    const start = countQueries('A dual.test');
    await r.resolveAddresses('dual.test');
    await r.resolveAddresses('dual.test');
    assert.equal(countQueries('A dual.test'), start + 2);
    assert.equal(r.cacheSize, 0);
    const c = make();
    const sf = countQueries('A broken.test');
    await failure(c.resolveAddresses('broken.test'));
    await failure(c.resolveAddresses('broken.test'));
    assert.equal(countQueries('A broken.test'), sf + 2);
  });
});

describe('DnsResolver settings read at every lookup (no restart)', () => {
  it('the cache turns off and on, and a new timeout and retry count apply to the next query', async () => {
    let cacheMax = 100;
    let timeoutMs = 2000;
    let tries = 1;
    const r = make({ cacheMax: () => cacheMax, timeoutMs: () => timeoutMs, tries: () => tries });
    const q = (): number => countQueries('A dual.test');
    const start = q();
    await r.resolveAddresses('dual.test');
    await r.resolveAddresses('dual.test');
    assert.equal(q() - start, 1, 'cached');
    cacheMax = 0;
    await r.resolveAddresses('dual.test');
    assert.equal(q() - start, 2, 'cache off: asked again');

    timeoutMs = 100;
    tries = 2;
    const silent = (): number => countQueries('MX slow.test');
    const before = silent();
    const t0 = Date.now();
    const e = await failure(r.resolveMx('slow.test'));
    assert.equal(e.reason, 'timeout');
    assert.ok(Date.now() - t0 < 1500, `the 100 ms timeout applied (took ${Date.now() - t0} ms)`);
    assert.equal(silent() - before, 2, 'two tries');
  });
});
