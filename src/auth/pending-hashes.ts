/**
 * The background role that hashes the passwords a batch add left sealed (issue #14; see
 * stored-password.ts). Every INTERVAL_MS it reads up to BATCH such users from the store (an index
 * holds only them, so an idle look is free) and for each opens the sealed value, hashes it with
 * scrypt and writes the hash only if the stored value is still the one it read, so a password
 * changed meanwhile is never overwritten. One hash at a time, on one libuv thread, so mail keeps
 * the other cores; while batches come back full it goes on at once. A value it cannot open (sealed
 * with another key) is reported once and left; its user cannot log in until given a new password.
 * Two nodes may hash the same user: the second write loses and changes nothing.
 * Not here: sealing (directory/users.ts add with deferHash), checking a login (stored-password.ts).
 */
import type { UserId } from '../core/ids.ts';
import type { Store } from '../store/store.ts';
import type { SecretBox } from './secret-box.ts';
import { hashPending } from './stored-password.ts';

const INTERVAL_MS = 5_000;
const BATCH = 50;

export interface PendingHashesDeps {
  store: Store;
  box: SecretBox;
  /** A line for the system log: how many were hashed (never a password). */
  log: (line: string) => void;
  warn: (err: unknown, what: string) => void;
  intervalMs?: number;
}

export class PendingHashes {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;
  /** Sealed values this box cannot open, by user: reported once, then passed over while unchanged. */
  private readonly unopenable = new Map<UserId, string>();

  constructor(private readonly deps: PendingHashesDeps) {}

  /** Hashes what is pending now, then looks again every interval. */
  start(): void {
    this.stopped = false;
    this.schedule(0);
  }

  /**
   * Hashes every pending password it can, batch after batch (the role's one pass; tests call it).
   * Returns how many it hashed.
   */
  async runOnce(): Promise<number> {
    let hashed = 0;
    let after: UserId | 0 = 0;
    for (;;) {
      const batch = await this.deps.store.read((tx) => tx.users.sealedPasswords(after, BATCH));
      for (const row of batch) {
        if (this.stopped) return hashed;
        if (await this.hashOne(row.id, row.passwordHash)) hashed++;
      }
      if (batch.length < BATCH) return hashed;
      after = batch[batch.length - 1]!.id;
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    await this.running;
  }

  private schedule(ms: number): void {
    this.timer = setTimeout(() => {
      this.running = this.pass().finally(() => {
        this.running = undefined;
        if (!this.stopped) this.schedule(this.deps.intervalMs ?? INTERVAL_MS);
      });
    }, ms);
    this.timer.unref();
  }

  private async pass(): Promise<void> {
    const t0 = Date.now();
    try {
      const n = await this.runOnce();
      const secs = ((Date.now() - t0) / 1000).toFixed(1);
      if (n > 0) this.deps.log(`password hashing: hashed the passwords of ${n} batch-added user${n === 1 ? '' : 's'} in ${secs} s`);
    } catch (err) {
      this.deps.warn(err, 'hashing batch-added passwords');
    }
  }

  /** True when this hash was written; false when the value changed meanwhile or cannot be opened. */
  private async hashOne(id: UserId, sealed: string): Promise<boolean> {
    if (this.unopenable.get(id) === sealed) return false;
    let hash: string;
    try {
      hash = await hashPending(sealed, this.deps.box);
    } catch (err) {
      this.unopenable.set(id, sealed);
      this.deps.warn(err, `hashing the batch-added password of user #${id}`);
      return false;
    }
    return this.deps.store.tx((tx) => tx.users.replacePasswordHash(id, sealed, hash));
  }
}
