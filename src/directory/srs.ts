/**
 * Sender Rewriting Scheme (SRS, Shevek's "SRS0/SRS1" format as libsrs2 and postsrsd write it) so
 * mail we forward to another domain passes SPF there: the envelope sender becomes an address of
 * ours that bounces can be routed back through, and that nobody can forge or reuse for long.
 *   SRS0=HHHHHH=TT=example.org=alice@fwd.example   (alice@example.org forwarded by us)
 *   SRS1=HHHHHH=first.example==HHHH=TT=d=l@fwd.example (an SRS0 address of first.example forwarded again)
 * HHHHHH: the first 6 base32 characters of HMAC-SHA256(key, the rest, lower-cased) — case-insensitive,
 * as MTAs may change the case of local parts; TT: day number mod 1024 in 2 base32 characters; an
 * address older than maxAgeDays is refused. No npm SRS library is maintained (srs.js: one 2024
 * release), so this is ours. Not here: when to rewrite (local delivery) and routing back (resolver).
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

const B32 = 'abcdefghijklmnopqrstuvwxyz234567';
const DAY_MS = 86_400_000;
const HASH_LENGTH = 6;
const TIME_SLOTS = 1024; // 2 base32 characters

export type SrsReversal = { ok: true; address: string } | { ok: false; reason: 'forged' | 'expired' | 'malformed' };

export interface SrsOptions {
  /** At least 16 bytes of secret; asked for on first use. */
  key: () => Buffer;
  maxAgeDays: () => number;
  now: () => number;
}

export class Srs {
  constructor(private readonly o: SrsOptions) {}

  /** Whether the local part is an SRS address (SRS0= or SRS1=, any case). */
  static isSrs(localPart: string): boolean {
    return /^srs[01][=+-]/i.test(localPart);
  }

  /**
   * The sender to use when we forward mail from `sender` to another domain: an SRS address at
   * `domain`. The null sender stays null; an SRS0 address of another forwarder becomes SRS1 (one
   * hop kept, so the address does not grow with every forward).
   */
  forward(sender: string, domain: string): string {
    const at = sender.lastIndexOf('@');
    if (sender === '' || at <= 0) return sender;
    const local = sender.slice(0, at);
    const host = sender.slice(at + 1);
    const srs1 = /^srs1[=+-]([^=]+)=([^=]+)==(.*)$/i.exec(local);
    if (srs1) {
      // Already SRS1: keep the first forwarder and its SRS0 part, re-sign for us.
      const [, , first, rest] = srs1 as unknown as [string, string, string, string];
      return `SRS1=${this.hash(first, `=${rest}`)}=${first}==${rest}@${domain}`;
    }
    const srs0 = /^srs0([=+-].*)$/i.exec(local);
    if (srs0) return `SRS1=${this.hash(host, srs0[1]!)}=${host}==${srs0[1]!.slice(1)}@${domain}`;
    const tt = this.timestamp(this.o.now());
    return `SRS0=${this.hash(tt, host, local)}=${tt}=${host}=${local}@${domain}`;
  }

  /** Where mail to an SRS local part goes back to; refuses forged, expired and malformed ones. */
  reverse(localPart: string): SrsReversal {
    const srs1 = /^srs1[=+-]([^=]+)=([^=]+)==(.+)$/i.exec(localPart);
    if (srs1) {
      const [, hash, first, rest] = srs1 as unknown as [string, string, string, string];
      if (!this.verify(hash, first, `=${rest}`)) return { ok: false, reason: 'forged' };
      return { ok: true, address: `SRS0=${rest}@${first}` };
    }
    const srs0 = /^srs0[=+-]([^=]+)=([^=]{2})=([^=]+)=(.+)$/i.exec(localPart);
    if (!srs0) return { ok: false, reason: 'malformed' };
    const [, hash, tt, host, local] = srs0 as unknown as [string, string, string, string, string];
    if (!this.verify(hash, tt, host, local)) return { ok: false, reason: 'forged' };
    const day = decodeTimestamp(tt);
    if (day === undefined) return { ok: false, reason: 'malformed' };
    const today = Math.floor(this.o.now() / DAY_MS) % TIME_SLOTS;
    const age = (today - day + TIME_SLOTS) % TIME_SLOTS;
    if (age > this.o.maxAgeDays()) return { ok: false, reason: 'expired' };
    return { ok: true, address: `${local}@${host}` };
  }

  private timestamp(now: number): string {
    const day = Math.floor(now / DAY_MS) % TIME_SLOTS;
    return B32[day >> 5]! + B32[day & 31]!;
  }

  private hash(...parts: string[]): string {
    const mac = createHmac('sha256', this.o.key()).update(parts.join('\0').toLowerCase()).digest();
    let out = '';
    for (let i = 0; out.length < HASH_LENGTH; i++) out += B32[mac[i]! & 31];
    return out;
  }

  private verify(given: string, ...parts: string[]): boolean {
    const want = Buffer.from(this.hash(...parts));
    const got = Buffer.from(given.toLowerCase());
    return got.length === want.length && timingSafeEqual(got, want);
  }
}

function decodeTimestamp(tt: string): number | undefined {
  const hi = B32.indexOf(tt[0]!.toLowerCase());
  const lo = B32.indexOf(tt[1]!.toLowerCase());
  return hi < 0 || lo < 0 ? undefined : (hi << 5) | lo;
}
