/**
 * Group commit for one better-sqlite3 connection: every job queued while a batch is being built
 * runs inside the same BEGIN IMMEDIATE … COMMIT, each in its own SAVEPOINT so that a failing job
 * rolls back alone. The batch is made durable once, and only then does each job's promise settle.
 * A failed COMMIT (or WAL sync) fails the whole batch with STORE_UNAVAILABLE. Jobs must not call
 * run() again from inside a job (it would wait forever).
 *
 * Durability comes one of two ways. Without `walPath` the connection runs synchronous=FULL and
 * COMMIT itself fsyncs the WAL, blocking the event loop for the whole disk flush. With `walPath`
 * (synchronous=NORMAL) COMMIT only writes the WAL, and an fdatasync of the WAL file runs on libuv's
 * thread pool: the event loop builds the next batch meanwhile, and syncs of later batches are
 * grouped behind the one in flight. SQLite's WAL is append-ordered with chained checksums, so a
 * batch is durable exactly when the WAL is synced past it; a checkpoint syncs the WAL before it
 * copies pages. What this trades: another connection may read a batch up to one fdatasync before it
 * is durable, so a power failure (not a process crash: the page cache survives kill -9) inside that
 * window can roll back data a reader saw, never data a caller was told is committed.
 */
import type Database from 'better-sqlite3';
import { closeSync, fdatasync, openSync } from 'node:fs';
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
  /** Times BEGIN found another process writing and waited. */
  busyWaits = 0;
  private readonly wal: WalSync | undefined;

  private readonly onCommit: (() => void) | undefined;
  /** Transaction control, prepared once: exec() would parse each statement again, six times a job. */
  private readonly sql: Record<'begin' | 'savepoint' | 'release' | 'rollbackTo' | 'commit', Database.Statement>;
  private readonly busyMs: number;

  /**
   * walPath: sync the WAL off the event loop (see above); onCommit: told after every COMMIT;
   * busyTimeoutMs: how long to wait for another process's write transaction (begin()).
   */
  constructor(private readonly db: Database.Database, private readonly ctx: C, opts: { walPath?: string; onCommit?: () => void; busyTimeoutMs?: number } = {}) {
    this.wal = opts.walPath === undefined ? undefined : new WalSync(opts.walPath);
    this.onCommit = opts.onCommit;
    this.busyMs = opts.busyTimeoutMs ?? 5000;
    db.pragma('busy_timeout = 0');
    this.sql = {
      begin: db.prepare('BEGIN IMMEDIATE'), savepoint: db.prepare('SAVEPOINT job'), release: db.prepare('RELEASE job'),
      rollbackTo: db.prepare('ROLLBACK TO job'), commit: db.prepare('COMMIT'),
    };
  }

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
    await this.wal?.close();
  }

  private async drain(): Promise<void> {
    try {
      while (this.pending.length > 0) {
        // While the WAL syncs, let jobs gather: one bigger batch writes each hot page once, where
        // several small ones would each write it again; they wait for a sync either way.
        await this.wal?.quiet();
        await this.commitBatch(this.pending.splice(0, MAX_BATCH));
        // Let the callers just released queue their next transactions, so they share the next commit.
        await new Promise((r) => setImmediate(r));
      }
    } finally {
      this.draining = false;
    }
  }

  /**
   * BEGIN IMMEDIATE, waiting for another process's writer (an SMTP worker, the CLI) without
   * blocking the event loop: the connection's own busy handler would sleep in the thread, so it is
   * off (busy_timeout=0) and a busy database is tried again after a short timer, for up to busyMs.
   */
  private async begin(): Promise<void> {
    const deadline = Date.now() + this.busyMs;
    for (;;) {
      try {
        this.sql.begin.run();
        return;
      } catch (error) {
        if ((error as { code?: string }).code !== 'SQLITE_BUSY' || Date.now() >= deadline) throw error;
      }
      this.busyWaits += 1;
      await new Promise((r) => setTimeout(r, 1));
    }
  }

  private async commitBatch(batch: Job<C>[]): Promise<void> {
    const outcomes: Array<{ ok: true; value: unknown } | { ok: false; error: unknown }> = [];
    try {
      await this.begin();
    } catch (error) {
      for (const job of batch) job.reject(new MailError('STORE_UNAVAILABLE', `cannot begin a transaction: ${String(error)}`, { cause: error }));
      return;
    }
    for (const job of batch) {
      this.sql.savepoint.run();
      try {
        const value = await job.fn(this.ctx);
        this.sql.release.run();
        outcomes.push({ ok: true, value });
      } catch (error) {
        this.sql.rollbackTo.run();
        this.sql.release.run();
        outcomes.push({ ok: false, error });
      }
    }
    try {
      this.sql.commit.run();
    } catch (error) {
      try { this.db.exec('ROLLBACK'); } catch { /* already rolled back */ }
      const e = new MailError('STORE_UNAVAILABLE', `commit failed: ${String(error)}`, { cause: error });
      for (const job of batch) job.reject(e);
      return;
    }
    this.commits += 1;
    this.transactions += batch.length;
    this.onCommit?.();
    const settle = () => batch.forEach((job, i) => {
      const o = outcomes[i]!;
      if (o.ok) job.resolve(o.value);
      else job.reject(o.error);
    });
    if (!this.wal) return settle();
    this.wal.after(settle, (error) => {
      const e = new MailError('STORE_UNAVAILABLE', `cannot sync the write-ahead log: ${String(error)}`, { cause: error });
      for (const job of batch) job.reject(e);
    });
  }
}

/** fdatasync of a WAL file off the event loop; commits that arrive while one runs share the next. */
class WalSync {
  private fd: number | undefined;
  private running = false;
  private waiting: Array<{ ok: () => void; fail: (err: unknown) => void }> = [];
  private idle: Array<() => void> = [];

  constructor(private readonly path: string) {}

  after(ok: () => void, fail: (err: unknown) => void): void {
    this.waiting.push({ ok, fail });
    if (!this.running) this.start();
  }

  private start(): void {
    const group = this.waiting.splice(0);
    try {
      this.fd ??= openSync(this.path, 'r+'); // the WAL exists once a COMMIT wrote to it
    } catch (err) {
      for (const g of group) g.fail(err);
      return this.settled();
    }
    this.running = true;
    fdatasync(this.fd, (err) => {
      this.running = false;
      for (const g of group) err ? g.fail(err) : g.ok();
      if (this.waiting.length > 0) this.start();
      else this.settled();
    });
  }

  private settled(): void {
    for (const r of this.idle.splice(0)) r();
  }

  /** Resolves when no sync is running (at once when none is). */
  quiet(): Promise<void> | undefined {
    if (!this.running && this.waiting.length === 0) return undefined;
    return new Promise<void>((r) => this.idle.push(r));
  }

  async close(): Promise<void> {
    if (this.running || this.waiting.length > 0) await new Promise<void>((r) => this.idle.push(r));
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }
}
