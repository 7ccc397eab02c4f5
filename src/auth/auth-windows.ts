/**
 * POP-before-SMTP (FEATURES P4): a client IP that logged in to POP3 or IMAP may relay through SMTP
 * without AUTH for a few minutes (setting smtp.popBeforeSmtpMinutes; 0 = off). Windows live in the
 * store so every node of a cluster honours them.
 */
import type { Clock } from '../core/clock.ts';
import type { Store } from '../store/store.ts';

export class AuthWindows {
  constructor(private readonly store: Store, private readonly clock: Clock, private readonly minutes: () => number) {}

  /** Called after a successful POP3/IMAP login. */
  async open(ip: string): Promise<void> {
    const m = this.minutes();
    if (m <= 0) return;
    await this.store.tx((tx) => tx.authWindows.open(ip, this.clock.now() + m * 60_000));
  }

  async isOpen(ip: string): Promise<boolean> {
    if (this.minutes() <= 0) return false;
    return this.store.read((tx) => tx.authWindows.isOpen(ip, this.clock.now()));
  }
}
