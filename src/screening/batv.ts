/**
 * Signed return paths (FEATURES S10; BATV, draft-levine-smtp-batv-01 "prvs"): outbound mail from a
 * local sender leaves with MAIL FROM prvs=KDDDSSSSSS=user@domain, where K is the key number (0), DDD
 * the day the signature expires (days since 1970 mod 1000) and SSSSSS the first three bytes of an
 * HMAC-SHA256 over "KDDD" and the address, in hex. A real bounce comes back to that address; a
 * bounce to an unsigned local address answers mail we never sent (backscatter) and can be refused.
 * The key is derived from DATA/secret.key, so every node of a cluster signs alike.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

const DAY_MS = 86_400_000;
const PRVS = /^prvs=(\d)(\d{3})([0-9a-f]{6})=(.+)$/i;

export interface BatvOptions {
  key: () => Buffer;
  maxAgeDays: () => number;
  now?: () => number;
}

export type BatvCheck = { kind: 'unsigned' } | { kind: 'valid'; address: string } | { kind: 'invalid'; address: string; why: 'expired' | 'bad signature' };

export class Batv {
  readonly #now: () => number;

  constructor(private readonly opts: BatvOptions) {
    this.#now = opts.now ?? Date.now;
  }

  /** Whether `address`'s local part carries a prvs tag (signed or forged). */
  static isSigned(address: string): boolean {
    return PRVS.test(address);
  }

  /** user@domain → prvs=0DDDSSSSSS=user@domain; the null sender and already signed or SRS addresses stay as they are. */
  sign(address: string): string {
    if (address === '' || PRVS.test(address) || /^srs[01][=+-]/i.test(address)) return address;
    const expires = (Math.floor(this.#now() / DAY_MS) + this.opts.maxAgeDays()) % 1000;
    const ddd = String(expires).padStart(3, '0');
    return `prvs=0${ddd}${this.#mac('0', ddd, address)}=${address}`;
  }

  /** Checks a recipient: unsigned, validly signed (with the address it stands for), or forged/expired. */
  check(address: string): BatvCheck {
    const m = PRVS.exec(address);
    if (!m) return { kind: 'unsigned' };
    const [, k, ddd, sig, original] = m as unknown as [string, string, string, string, string];
    const today = Math.floor(this.#now() / DAY_MS) % 1000;
    const left = (Number(ddd) - today + 1000) % 1000;
    const want = Buffer.from(this.#mac(k, ddd, original), 'latin1');
    const got = Buffer.from(sig.toLowerCase(), 'latin1');
    if (k !== '0' || !timingSafeEqual(want, got)) return { kind: 'invalid', address: original, why: 'bad signature' };
    if (left > this.opts.maxAgeDays()) return { kind: 'invalid', address: original, why: 'expired' };
    return { kind: 'valid', address: original };
  }

  /** The address a prvs-tagged one stands for (unchanged when it carries none). */
  static strip(address: string): string {
    const m = PRVS.exec(address);
    return m ? m[4]! : address;
  }

  #mac(k: string, ddd: string, address: string): string {
    return createHmac('sha256', this.opts.key()).update(`${k}${ddd}${address.toLowerCase()}`).digest('hex').slice(0, 6);
  }
}
