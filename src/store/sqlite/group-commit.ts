/**
 * Group commit for one better-sqlite3 connection: every job queued while a batch is being built
 * runs inside the same BEGIN IMMEDIATE … COMMIT, each in its own SAVEPOINT so that a failing job
 * rolls back alone. One COMMIT (one WAL fsync with synchronous=FULL) then makes the whole batch
 * durable, and only then does each job's promise settle. A failed COMMIT fails the whole batch
 * with STORE_UNAVAILABLE. Jobs must not call run() again from inside a job (it would wait forever).
 */
import type Database from 'better-sqlite3';
import { MailError } from '../../core/errors.ts';

interface Job<C> {
  fn: (ctx: C) => Promise<unknown> | unknown;
  resolve: (v: unknown) => void;
  reject: (e: unknown) => void;
}

/** Enough to amortise one fsync over many jobs without starving a burst of readers. */
const MAX_BATCH = 512;

export class GroupCommit<C> {
  private pending: Job<C>[] = [];
  private draining = false;
  private closed = false;
  commits = 0;
  transactions = 0;

  constructor(private readonly db: Database.Database, private readonly ctx: C) {}

  run<T>(fn: (ctx: C) => Promise<T> | T): Promise<T> {
    if (this.closed) return Promise.reject(new MailError('STORE_UNAVAILABLE', 'store is closed'));
    return new Promise<T>((resolve, reject) => {
      this.pending.push({ fn, resolve: resolve as (v: unknown) => void, reject });
      if (!this.draining) {
        this.draining = true;
        setImmediate(() => void this.drain());
      }
    });
  }

  /** Resolves when every queued job has settled; later run() calls are refused. */
  async close(): Promise<void> {
    this.closed = true;
    while (this.draining) await new Promise((r) => setImmediate(r));
  }

  private async drain(): Promise<void> {
    try {
      while (this.pending.length > 0) {
        await this.commitBatch(this.pending.splice(0, MAX_BATCH));
        // Let the callers just released queue their next transactions, so they share the next commit.
        await new Promise((r) => setImmediate(r));
      }
    } finally {
      this.draining = false;
    }
  }

  private async commitBatch(batch: Job<C>[]): Promise<void> {
    const outcomes: Array<{ ok: true; value: unknown } | { ok: false; error: unknown }> = [];
    try {
      this.db.exec('BEGIN IMMEDIATE');
    } catch (error) {
      for (const job of batch) job.reject(new MailError('STORE_UNAVAILABLE', `cannot begin a transaction: ${String(error)}`, { cause: error }));
      return;
    }
    for (const job of batch) {
      this.db.exec('SAVEPOINT job');
      try {
        const value = await job.fn(this.ctx);
        this.db.exec('RELEASE job');
        outcomes.push({ ok: true, value });
      } catch (error) {
        this.db.exec('ROLLBACK TO job');
        this.db.exec('RELEASE job');
        outcomes.push({ ok: false, error });
      }
    }
    try {
      this.db.exec('COMMIT');
    } catch (error) {
      try { this.db.exec('ROLLBACK'); } catch { /* already rolled back */ }
      const e = new MailError('STORE_UNAVAILABLE', `commit failed: ${String(error)}`, { cause: error });
      for (const job of batch) job.reject(e);
      return;
    }
    this.commits += 1;
    this.transactions += batch.length;
    batch.forEach((job, i) => {
      const o = outcomes[i]!;
      if (o.ok) job.resolve(o.value);
      else job.reject(o.error);
    });
  }
}
