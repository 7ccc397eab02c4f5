/**
 * One DNS list query (DNS-BL by IP, RFC 5782; URI lists by domain, SURBL-style), with the answers
 * cached: an A record in 127.0.0.0/8 means listed, NXDOMAIN/NODATA means not listed (both cached
 * for cacheMs), a failed look-up means neither and is not cached. 127.255.255.0/24 is a list
 * refusing to answer this resolver (RFC 5782 §2.1), not a listing.
 */
import type { DnsLookup } from './dns-lookup.ts';

const CACHE_MAX = 10_000;

export class ListQuery {
  readonly #cache = new Map<string, { answer: string | null; expiresAt: number }>();

  constructor(private readonly lookup: DnsLookup) {}

  /** The list's answer for name (e.g. 2.0.0.127.zen.example), or null for not listed. */
  async answer(name: string, now: number, cacheMs: number): Promise<string | null> {
    const hit = this.#cache.get(name);
    if (hit && hit.expiresAt > now) return hit.answer;
    let answer: string | null = null;
    try {
      const records = (await this.lookup(name, 'A')) as string[];
      answer = records.find((r) => r.startsWith('127.') && !r.startsWith('127.255.255.')) ?? null;
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code !== 'ENOTFOUND' && code !== 'ENODATA') return null; // a failure: not cached, not a listing
    }
    if (cacheMs > 0) {
      if (this.#cache.size >= CACHE_MAX) this.#cache.delete(this.#cache.keys().next().value!);
      this.#cache.set(name, { answer, expiresAt: now + cacheMs });
    }
    return answer;
  }

  /** Forgets answers that have expired. */
  prune(now: number): void {
    for (const [k, v] of this.#cache) if (v.expiresAt <= now) this.#cache.delete(k);
  }
}
