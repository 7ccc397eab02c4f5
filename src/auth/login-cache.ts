/**
 * Recently verified password logins, so a client that opens many connections (IMAP clients open
 * several, phones reconnect all day) pays the scrypt cost — tens of milliseconds of CPU and 16 MiB
 * of memory — once per few minutes rather than at every login. An entry is a keyed hash of the
 * stored password hash and the password given: nothing in it can be turned back into a password,
 * the key lives only in this process, and a changed password (a new stored hash) never matches.
 * Only successes are kept; a failure always runs the full check. Bounded: oldest entries go first.
 */
import { createHmac, randomBytes } from 'node:crypto';
import type { Clock } from '../core/clock.ts';

export class LoginCache {
  private readonly key = randomBytes(32);
  /** Digest → expiry time, oldest first. */
  private readonly entries = new Map<string, number>();

  constructor(private readonly clock: Clock, private readonly ttlMs: () => number, private readonly maxEntries = 10_000) {}

  private digest(storedHash: string, password: string): string {
    return createHmac('sha256', this.key).update(storedHash).update('\0').update(password, 'utf8').digest('base64');
  }

  /** Whether this password was verified against this stored hash within the time-to-live. */
  has(storedHash: string, password: string): boolean {
    if (this.ttlMs() <= 0 || this.entries.size === 0) return false;
    const k = this.digest(storedHash, password);
    const until = this.entries.get(k);
    if (until === undefined) return false;
    if (until > this.clock.now()) return true;
    this.entries.delete(k);
    return false;
  }

  /** Records a verified login. */
  add(storedHash: string, password: string): void {
    const ttl = this.ttlMs();
    if (ttl <= 0) {
      this.entries.clear();
      return;
    }
    const k = this.digest(storedHash, password);
    this.entries.delete(k);
    this.entries.set(k, this.clock.now() + ttl);
    for (const [oldest] of this.entries) {
      if (this.entries.size <= this.maxEntries) break;
      this.entries.delete(oldest);
    }
  }
}
