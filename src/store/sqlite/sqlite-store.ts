/**
 * The embedded metadata store: one SQLite file in WAL mode. Writes go through one connection with
 * group commit (group-commit.ts), which makes each batch durable with an fdatasync of the WAL off
 * the event loop (synchronous=NORMAL on that connection; every other connection, e.g. a CLI
 * command's, runs synchronous=FULL); reads use a second, read-only connection so
 * they see only committed data. Other processes (the CLI while the server runs) may write too:
 * they wait on SQLite's lock for up to busyTimeoutMs.
 */
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { MailError } from '../../core/errors.ts';
import type { Store, StoreTx } from '../store.ts';
import { migrate } from '../sql/migrate.ts';
import { createStoreTx } from '../sql/tx.ts';
import { Checkpointer } from './checkpointer.ts';
import { GroupCommit } from './group-commit.ts';
import { snapshotSqlite } from './snapshot.ts';
import { SqliteConn } from './sqlite-conn.ts';

export interface SqliteStoreOptions {
  path: string;
  now?: () => number;
  busyTimeoutMs?: number;
}

/**
 * Opens a database in WAL mode. `syncedByCaller`: COMMIT does not fsync (synchronous=NORMAL)
 * because the caller syncs the WAL itself before it reports a commit (GroupCommit's walPath).
 */
export function openSqliteDatabase(path: string, opts: { readonly?: boolean; busyTimeoutMs?: number; syncedByCaller?: boolean } = {}): Database.Database {
  if (!opts.readonly) mkdirSync(dirname(path), { recursive: true });
  const db = new Database(path, { readonly: opts.readonly ?? false });
  db.pragma(`busy_timeout = ${opts.busyTimeoutMs ?? 5000}`);
  if (!opts.readonly) {
    db.pragma('journal_mode = WAL');
    db.pragma(opts.syncedByCaller ? 'synchronous = NORMAL' : 'synchronous = FULL');
  }
  db.pragma('foreign_keys = ON');
  // Group commit wraps each job in a SAVEPOINT, whose sub-journal SQLite would spill to a temp file
  // (created, written and deleted per transaction) past 64 KiB; in memory it costs no syscalls.
  db.pragma('temp_store = MEMORY');
  return db;
}

export class SqliteStore implements Store {
  readonly kind = 'sqlite' as const;
  private readonly writer: Database.Database;
  private readonly reader: Database.Database;
  private readonly commit: GroupCommit<StoreTx>;
  private readonly readTx: StoreTx;
  private readonly checkpointer: Checkpointer;

  private constructor(opts: SqliteStoreOptions) {
    const now = opts.now ?? Date.now;
    this.writer = openSqliteDatabase(opts.path, { busyTimeoutMs: opts.busyTimeoutMs, syncedByCaller: true });
    // Checkpoints run in a worker thread (checkpointer.ts), not inside this connection's COMMITs.
    this.writer.pragma('wal_autocheckpoint = 0');
    this.checkpointer = new Checkpointer(opts.path);
    this.commit = new GroupCommit(this.writer, createStoreTx(new SqliteConn(this.writer), now),
      { walPath: `${opts.path}-wal`, onCommit: () => this.checkpointer.committed(), busyTimeoutMs: opts.busyTimeoutMs });
    this.reader = openSqliteDatabase(opts.path, { readonly: true, busyTimeoutMs: opts.busyTimeoutMs });
    this.readTx = createStoreTx(new SqliteConn(this.reader), now);
  }

  static async open(opts: SqliteStoreOptions): Promise<SqliteStore> {
    const db = openSqliteDatabase(opts.path, { busyTimeoutMs: opts.busyTimeoutMs });
    try {
      await migrate({
        dialect: 'sqlite',
        exec: async (sql) => { db.exec(sql); },
        applied: async () => (db.prepare('SELECT version FROM schema_migrations').all() as Array<{ version: number }>).map((r) => r.version),
        transaction: async (fn) => {
          db.exec('BEGIN IMMEDIATE');
          try { await fn(); db.exec('COMMIT'); } catch (e) { db.exec('ROLLBACK'); throw e; }
        },
      }, (opts.now ?? Date.now)());
    } catch (err) {
      if (err instanceof MailError) throw err;
      throw new MailError('STORE_UNAVAILABLE', `cannot open the database ${opts.path}: ${String(err)}`, { cause: err });
    } finally {
      db.close();
    }
    return new SqliteStore(opts);
  }

  tx<T>(fn: (tx: StoreTx) => Promise<T>): Promise<T> {
    return this.commit.run(fn);
  }

  async read<T>(fn: (tx: StoreTx) => Promise<T>): Promise<T> {
    return fn(this.readTx);
  }

  snapshot(path: string, opts: { mail: boolean }): Promise<void> {
    return snapshotSqlite(this.reader, path, opts);
  }

  stats() {
    return { commits: this.commit.commits, transactions: this.commit.transactions };
  }

  async close(): Promise<void> {
    await this.commit.close();
    await this.checkpointer.close();
    this.reader.close();
    this.writer.close();
  }
}
