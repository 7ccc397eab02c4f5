/**
 * The IP ban list shared by every process and node of one store (S7 dynamic screening): a ban this
 * process makes (failed logins, an abusive SMTP session, a spam-trap hit) is written to the store,
 * and every SYNC_MS the store's bans in force become this process's, so an address banned by an
 * SMTP process or another node is refused by every protocol everywhere within seconds, a ban lifted
 * anywhere (`youju security unban`) is lifted everywhere, and bans outlive a restart. Counting the
 * failures that lead to a ban stays in each process's memory.
 */
import type { Clock } from '../core/clock.ts';
import type { Store } from '../store/store.ts';
import type { LoginThrottle } from './login-throttle.ts';

const SYNC_MS = 2_000;
/** Ended bans are deleted from the store this often. */
const PRUNE_MS = 10 * 60_000;

export class SharedBans {
  private timer: NodeJS.Timeout | undefined;
  private writes = new Set<Promise<unknown>>();
  private lastPrune = 0;
  private syncing: Promise<void> | undefined;

  constructor(private readonly store: Store, private readonly throttle: LoginThrottle, private readonly clock: Clock,
    private readonly warn: (err: unknown, what: string) => void) {}

  /** Publishes this process's bans from now on and adopts the store's, now and every SYNC_MS. */
  async start(): Promise<void> {
    this.throttle.shareWith({
      publish: (ban) => this.write((tx) => tx.ipBans.put(ban), 'publishing a ban'),
      lift: (ip) => this.write((tx) => tx.ipBans.remove(ip), 'lifting a ban'),
    });
    await this.sync();
    this.timer = setInterval(() => { void this.sync(); }, SYNC_MS);
    this.timer.unref();
  }

  /** Reads the bans in force into the throttle (one read at a time). */
  sync(): Promise<void> {
    this.syncing ??= (async () => {
      try {
        const now = this.clock.now();
        if (now - this.lastPrune >= PRUNE_MS) {
          this.lastPrune = now;
          await this.store.tx((tx) => tx.ipBans.prune(now));
        }
        this.throttle.adopt(await this.store.read((tx) => tx.ipBans.active(now)));
      } catch (err) {
        this.warn(err, 'reading the shared bans');
      } finally {
        this.syncing = undefined;
      }
    })();
    return this.syncing;
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.syncing;
    await Promise.all(this.writes);
  }

  private write(fn: Parameters<Store['tx']>[0], what: string): void {
    const p = this.store.tx(fn).catch((err) => this.warn(err, what));
    this.writes.add(p);
    void p.finally(() => this.writes.delete(p));
  }
}
