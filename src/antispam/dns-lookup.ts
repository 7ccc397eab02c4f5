/**
 * DNS for the protection stages (SPF, DKIM, DMARC, ARC, DNS-BL): `lookup(name, rrtype)` answers as
 * node's dns.promises.resolve does (the shape mailauth's `resolver` option expects), through the
 * boot config's dns.servers (tests: a DNS server on a loopback port; empty: the system's). The
 * timeout is read at each query (a setting), with one node Resolver kept per timeout value.
 * Errors keep node's codes: ENOTFOUND / ENODATA (no answer), ETIMEOUT, ESERVFAIL. Answers and
 * "no such record" are cached for cacheMs (node's resolver keeps none, and a busy MX asks for the
 * same SPF and DMARC records all day); failures are not cached. Concurrent asks share one query.
 */
import { Resolver } from 'node:dns/promises';

export type DnsLookup = (name: string, rrtype: string) => Promise<never[] | string[] | string[][]>;

type Answer = never[] | string[] | string[][];
const CACHE_MAX = 10_000;

export interface DnsLookupOptions {
  servers: readonly string[];
  timeoutMs: () => number;
  /** How long an answer (or NXDOMAIN/NODATA) is reused; 0 = not at all. */
  cacheMs: () => number;
  now?: () => number;
}

export function createDnsLookup(opts: DnsLookupOptions): DnsLookup {
  const now = opts.now ?? Date.now;
  let made: { timeout: number; resolver: Resolver } | undefined;
  const cache = new Map<string, { expiresAt: number; answer?: Answer; error?: NodeJS.ErrnoException }>();
  const inflight = new Map<string, Promise<Answer>>();
  const resolver = (): Resolver => {
    const timeout = opts.timeoutMs();
    if (made?.timeout !== timeout) {
      const r = new Resolver({ timeout, tries: 1 });
      if (opts.servers.length > 0) r.setServers([...opts.servers]);
      made = { timeout, resolver: r };
    }
    return made.resolver;
  };
  const remember = (key: string, entry: { answer?: Answer; error?: NodeJS.ErrnoException }) => {
    const ms = opts.cacheMs();
    if (ms <= 0) return;
    if (cache.size >= CACHE_MAX) cache.delete(cache.keys().next().value!);
    cache.set(key, { ...entry, expiresAt: now() + ms });
  };
  return async (name, rrtype) => {
    const key = `${rrtype} ${name.toLowerCase()}`;
    const hit = cache.get(key);
    if (hit && hit.expiresAt > now()) {
      if (hit.error) throw hit.error;
      return hit.answer!;
    }
    let pending = inflight.get(key);
    if (!pending) {
      pending = (resolver().resolve(name, rrtype) as Promise<Answer>).then((answer) => {
        remember(key, { answer });
        return answer;
      }, (err: NodeJS.ErrnoException) => {
        if (err.code === 'ENOTFOUND' || err.code === 'ENODATA') remember(key, { error: err });
        throw err;
      }).finally(() => inflight.delete(key));
      inflight.set(key, pending);
    }
    return pending;
  };
}
