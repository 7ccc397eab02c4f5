/**
 * DNS for remote delivery: a domain's MX hosts and a host's addresses, through the configured
 * servers (boot `dns.servers`, else the system's) with the hosts table (boot `dns.hosts`) first,
 * and an IP cache with TTL and a max-entries LRU (manual part 3 §4.4.6). Failures are typed:
 * NXDOMAIN/NODATA/null MX are permanent, SERVFAIL/timeouts/refusals temporary (RFC 2308).
 * RFC 5321 §5.1 (MX order, implicit MX), RFC 7505 (null MX). Not a DNSSEC/DANE validator.
 * Settings (via the wiring): delivery.dnsTimeoutSec, dnsRetries, ipCacheMaxEntries, ipCacheTtlSec;
 * given as functions they are read at every lookup, so a changed setting applies without a restart.
 */
import { Resolver } from 'node:dns/promises';
import { isIP } from 'node:net';

export interface MxRecord {
  /** Host name, lower case, without the trailing dot. */
  exchange: string;
  priority: number;
}

export type DnsFailureReason =
  | 'nxdomain' // the name does not exist
  | 'nodata' // the name exists but has no record of the type asked (for MX: no MX and no A/AAAA)
  | 'null-mx' // RFC 7505: the domain accepts no mail
  | 'servfail' | 'timeout' | 'refused' | 'error';

const PERMANENT: ReadonlySet<DnsFailureReason> = new Set(['nxdomain', 'nodata', 'null-mx']);

/** A lookup that gave no usable answer. `isTemporary` says whether asking later may help. */
export class DnsLookupError extends Error {
  readonly reason: DnsFailureReason;
  /** The name that was looked up. */
  readonly host: string;
  /** The resolver's code ('ENOTFOUND', 'ESERVFAIL' …), when there was one. */
  readonly dnsCode?: string;

  constructor(reason: DnsFailureReason, host: string, message: string, opts: { dnsCode?: string; cause?: unknown } = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'DnsLookupError';
    this.reason = reason;
    this.host = host;
    this.dnsCode = opts.dnsCode;
  }

  get isTemporary(): boolean {
    return !PERMANENT.has(this.reason);
  }
}

export interface DnsResolverOptions {
  /** 'ip' or 'ip:port' ('[v6]:port'); empty = the system's resolvers. */
  servers: string[];
  /** name → IP answers that bypass DNS, for addresses and (as an implicit MX) for domains. */
  hosts: Record<string, string>;
  /** Wait for one answer, in ms (delivery.dnsTimeoutSec). */
  timeoutMs: Tunable;
  /** Queries sent per server before giving up, at least 1 (delivery.dnsRetries + 1). */
  tries: Tunable;
  /** Cached names at most; 0 turns the cache off (delivery.ipCacheMaxEntries). */
  cacheMax: Tunable;
  /** Longest life of a cached answer, and the life of answers without a TTL, in ms (delivery.ipCacheTtlSec). */
  cacheTtlMs: Tunable;
  now?: () => number;
}

/** A fixed value, or a function read at every lookup (a runtime setting). */
export type Tunable = number | (() => number);
const valueOf = (t: Tunable): number => (typeof t === 'function' ? t() : t);

interface CacheEntry {
  value: unknown;
  expiresAt: number;
}

const normName = (name: string): string => name.trim().toLowerCase().replace(/\.$/, '');

/** What a node:dns error code means for delivery. */
function reasonOf(code: string | undefined): DnsFailureReason {
  switch (code) {
    case 'ENOTFOUND': return 'nxdomain';
    case 'ENODATA': return 'nodata';
    case 'ESERVFAIL': return 'servfail';
    case 'ETIMEOUT': return 'timeout';
    case 'EREFUSED': case 'ECONNREFUSED': return 'refused';
    default: return 'error';
  }
}

const toLookupError = (err: unknown, host: string, type: string): DnsLookupError => {
  if (err instanceof DnsLookupError) return err;
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  const reason = reasonOf(code);
  return new DnsLookupError(reason, host, `${type} lookup for ${host} failed: ${code ?? String(err)}`, { dnsCode: code, cause: err });
};

/** Fisher–Yates over each run of equal priority: RFC 5321 §5.1 asks senders to spread load among equal MX. */
function sortMx(records: MxRecord[]): MxRecord[] {
  const sorted = [...records].sort((a, b) => a.priority - b.priority);
  for (let start = 0; start < sorted.length;) {
    let end = start;
    while (end < sorted.length && sorted[end]?.priority === sorted[start]?.priority) end++;
    for (let i = end - 1; i > start; i--) {
      const j = start + Math.floor(Math.random() * (i - start + 1));
      [sorted[i], sorted[j]] = [sorted[j] as MxRecord, sorted[i] as MxRecord];
    }
    start = end;
  }
  return sorted;
}

export class DnsResolver {
  #resolver: Resolver;
  /** The timeout and tries #resolver was made with: node's Resolver cannot change them, so a change makes a new one. */
  #made: { timeout: number; tries: number };
  readonly #opts: DnsResolverOptions;
  readonly #hosts: Map<string, string>;
  readonly #cache = new Map<string, CacheEntry>();
  readonly #inflight = new Map<string, Promise<unknown>>();
  readonly #now: () => number;

  constructor(opts: DnsResolverOptions) {
    this.#opts = opts;
    this.#made = { timeout: valueOf(opts.timeoutMs), tries: Math.max(1, valueOf(opts.tries)) };
    this.#resolver = this.#makeResolver();
    this.#hosts = new Map(Object.entries(opts.hosts).map(([name, ip]) => [normName(name), ip]));
    this.#now = opts.now ?? Date.now;
  }

  #makeResolver(): Resolver {
    const r = new Resolver(this.#made);
    if (this.#opts.servers.length > 0) r.setServers(this.#opts.servers);
    return r;
  }

  /** The resolver for this lookup: a new one when the timeout or tries setting changed. */
  get #dns(): Resolver {
    const want = { timeout: valueOf(this.#opts.timeoutMs), tries: Math.max(1, valueOf(this.#opts.tries)) };
    if (want.timeout !== this.#made.timeout || want.tries !== this.#made.tries) {
      this.#made = want;
      this.#resolver = this.#makeResolver();
    }
    return this.#resolver;
  }

  get #cacheMax(): number {
    return valueOf(this.#opts.cacheMax);
  }

  get #cacheTtlMs(): number {
    return valueOf(this.#opts.cacheTtlMs);
  }

  /**
   * The mail exchangers of `domain`, lowest priority first (equal ones shuffled). With no MX
   * record the domain itself is the implicit MX (priority 0) if it has an address; a domain in
   * the hosts table is its own MX without asking DNS. Throws DnsLookupError: 'nxdomain',
   * 'nodata' (no MX and no address), 'null-mx' (RFC 7505), or a temporary reason.
   */
  async resolveMx(domain: string): Promise<MxRecord[]> {
    const name = normName(domain);
    if (this.#hosts.has(name)) return [{ exchange: name, priority: 0 }];
    return this.#cached(`mx:${name}`, async () => {
      let records: MxRecord[];
      try {
        records = (await this.#dns.resolveMx(name)).map((r) => ({ exchange: normName(r.exchange), priority: r.priority }));
      } catch (err) {
        const e = toLookupError(err, name, 'MX');
        if (e.reason !== 'nodata') throw e;
        records = [];
      }
      // RFC 7505 §3: a null MX is the only record, exchange "." (c-ares gives ''), and means no mail.
      const real = records.filter((r) => r.exchange !== '');
      if (records.length > 0 && real.length === 0) {
        throw new DnsLookupError('null-mx', name, `${name} publishes a null MX: it accepts no mail`);
      }
      if (real.length > 0) return { value: sortMx(real), ttlMs: this.#cacheTtlMs };
      // RFC 5321 §5.1: no MX → the domain's own address records form an implicit MX of priority 0.
      try {
        await this.resolveAddresses(name);
      } catch (err) {
        const e = toLookupError(err, name, 'A/AAAA');
        if (e.reason === 'nodata') throw new DnsLookupError('nodata', name, `${name} has no MX and no A/AAAA record`, { cause: e });
        throw e;
      }
      return { value: [{ exchange: name, priority: 0 }], ttlMs: this.#cacheTtlMs };
    });
  }

  /**
   * IPv4 then IPv6 addresses of `host`: the hosts table first, then A and AAAA. An IP literal is
   * returned as is. Cached for the smallest record TTL, at most cacheTtlMs. Throws
   * DnsLookupError: 'nxdomain', 'nodata' (no address of either family), or a temporary reason
   * when no answer came and at least one query failed for a reason that may pass.
   */
  async resolveAddresses(host: string): Promise<string[]> {
    const name = normName(host.replace(/^\[|\]$/g, ''));
    if (isIP(name)) return [name];
    const fixed = this.#hosts.get(name);
    if (fixed !== undefined) return [fixed];
    return this.#cached(`ip:${name}`, async () => {
      const [v4, v6] = await Promise.allSettled([
        this.#dns.resolve4(name, { ttl: true }),
        this.#dns.resolve6(name, { ttl: true }),
      ]);
      const found = [...(v4.status === 'fulfilled' ? v4.value : []), ...(v6.status === 'fulfilled' ? v6.value : [])];
      if (found.length > 0) {
        const ttlMs = Math.min(this.#cacheTtlMs, ...found.map((r) => r.ttl * 1000));
        return { value: found.map((r) => r.address), ttlMs };
      }
      const errors = [v4, v6].flatMap((r, i) => (r.status === 'rejected' ? [toLookupError(r.reason, name, i === 0 ? 'A' : 'AAAA')] : []));
      const temporary = errors.find((e) => e.isTemporary);
      if (temporary) throw temporary;
      if (errors.some((e) => e.reason === 'nxdomain')) throw new DnsLookupError('nxdomain', name, `${name} does not exist (NXDOMAIN)`);
      throw new DnsLookupError('nodata', name, `${name} has no A or AAAA record`);
    });
  }

  /** Number of cached names (for tests and the admin console). */
  get cacheSize(): number {
    return this.#cache.size;
  }

  /** Forgets every cached answer (the manual's "clear the IP cache"). */
  clearCache(): void {
    this.#cache.clear();
  }

  /** Cache lookup with LRU touch; concurrent misses for one key share one query. */
  async #cached<T>(key: string, fetch: () => Promise<{ value: T; ttlMs: number }>): Promise<T> {
    const hit = this.#cacheMax > 0 ? this.#cache.get(key) : undefined; // 0: the cache was turned off
    if (hit) {
      this.#cache.delete(key);
      if (hit.expiresAt > this.#now()) {
        this.#cache.set(key, hit); // most recently used goes last
        return hit.value as T;
      }
    }
    const pending = this.#inflight.get(key);
    if (pending) return pending as Promise<T>;
    const p = fetch().then(({ value, ttlMs }) => {
      this.#store(key, value, ttlMs);
      return value;
    }).finally(() => this.#inflight.delete(key));
    this.#inflight.set(key, p);
    return p;
  }

  #store(key: string, value: unknown, ttlMs: number): void {
    if (this.#cacheMax <= 0 || ttlMs <= 0) return;
    this.#cache.set(key, { value, expiresAt: this.#now() + ttlMs });
    while (this.#cache.size > this.#cacheMax) {
      const oldest = this.#cache.keys().next().value;
      if (oldest === undefined) break;
      this.#cache.delete(oldest);
    }
  }
}
