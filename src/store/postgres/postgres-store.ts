/**
 * The cluster metadata store on PostgreSQL. Each tx() takes a pooled connection for
 * BEGIN … COMMIT; PostgreSQL's own WAL group commit lets concurrent transactions share a flush,
 * and a commit returns only once it is durable (synchronous_commit = on, the default).
 * Deadlocks and serialization failures are retried (fn must only do store work, so it is safe to rerun).
 */
import pg from 'pg';
import { MailError } from '../../core/errors.ts';
import type { Store, StoreTx } from '../store.ts';
import { migrate } from '../sql/migrate.ts';
import { createStoreTx } from '../sql/tx.ts';
import { PgConn } from './pg-conn.ts';
import { PgRelay } from './pg-relay.ts';
import { loadIntoPostgres, snapshotPostgres } from './pg-backup.ts';

export interface PostgresStoreOptions {
  url: string;
  now?: () => number;
  poolSize?: number;
}

const RETRYABLE = new Set(['40001', '40P01']);
/** Serialises migrations of several nodes starting at once. */
const MIGRATION_LOCK = 0x596f756a; // 'Youj'

export class PostgresStore implements Store {
  readonly kind = 'postgres' as const;
  private commits = 0;
  private readonly readTx: StoreTx;

  private relayInstance: PgRelay | undefined;

  private constructor(private readonly pool: pg.Pool, private readonly now: () => number, private readonly url: string) {
    this.readTx = createStoreTx(new PgConn(pool, true), now);
  }

  /** The cluster's bus relay over LISTEN/NOTIFY (one per store). */
  relay(onError?: (err: unknown) => void): PgRelay {
    this.relayInstance ??= new PgRelay(this.pool, this.url, onError);
    return this.relayInstance;
  }

  static async open(opts: PostgresStoreOptions): Promise<PostgresStore> {
    const pool = new pg.Pool({ connectionString: opts.url, max: opts.poolSize ?? 10 });
    pool.on('error', () => { /* an idle client died; the pool replaces it */ });
    const now = opts.now ?? Date.now;
    let client: pg.PoolClient;
    try {
      client = await pool.connect();
    } catch (err) {
      await pool.end();
      throw new MailError('STORE_UNAVAILABLE', `cannot connect to PostgreSQL (${redactUrl(opts.url)}): ${String((err as Error).message ?? err)}`, { cause: err });
    }
    try {
      await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
      await migrate({
        dialect: 'postgres',
        exec: async (sql) => { await client.query(sql); },
        applied: async () => (await client.query('SELECT version FROM schema_migrations')).rows.map((r) => Number(r.version)),
        transaction: async (fn) => {
          await client.query('BEGIN');
          try { await fn(); await client.query('COMMIT'); } catch (e) { await client.query('ROLLBACK'); throw e; }
        },
      }, now());
    } catch (err) {
      client.release();
      await pool.end();
      throw err;
    }
    await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]);
    client.release();
    return new PostgresStore(pool, now, opts.url);
  }

  async tx<T>(fn: (tx: StoreTx) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      let client: pg.PoolClient;
      try {
        client = await this.pool.connect();
      } catch (err) {
        throw new MailError('STORE_UNAVAILABLE', `PostgreSQL unavailable: ${String((err as Error).message)}`, { cause: err });
      }
      try {
        await client.query('BEGIN');
        const value = await fn(createStoreTx(new PgConn(client), this.now));
        await client.query('COMMIT');
        this.commits += 1;
        return value;
      } catch (err) {
        await client.query('ROLLBACK').catch(() => undefined);
        const code = (err as { code?: string }).code;
        if (code && RETRYABLE.has(code) && attempt < 5) continue;
        throw err;
      } finally {
        client.release();
      }
    }
  }

  read<T>(fn: (tx: StoreTx) => Promise<T>): Promise<T> {
    return fn(this.readTx);
  }

  /** A consistent copy as an embedded store (the one backup format), see pg-backup.ts. */
  snapshot(path: string, opts: { mail: boolean }): Promise<void> {
    return snapshotPostgres(this.pool, path, opts);
  }

  /** Loads a backup's embedded store into this database, which must be empty (youju restore). */
  load(metaPath: string): Promise<{ rows: number }> {
    return loadIntoPostgres(this.pool, metaPath);
  }

  stats() {
    return { commits: this.commits, transactions: this.commits };
  }

  async close(): Promise<void> {
    await this.relayInstance?.close();
    await this.pool.end();
  }
}

export function redactUrl(url: string): string {
  return url.replace(/\/\/([^:/@]+):[^@]*@/, '//$1:****@');
}
