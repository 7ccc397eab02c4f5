/**
 * Fresh, migrated stores for tests: SQLite in a temp dir, or PostgreSQL in a database of its own
 * created on YOUJU_TEST_PG_URL (default postgres://postgres@127.0.0.1:5432/postgres) and dropped on close.
 * PostgreSQL being unreachable is an error with a clear message, never a skip.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import type { BlobStore } from './blob-store.ts';
import type { Store, StoreKind } from './store.ts';
import { SqliteBlobStore } from './blob/sqlite-blob-store.ts';
import { PgBlobStore } from './blob/pg-blob-store.ts';
import { SqliteStore } from './sqlite/sqlite-store.ts';
import { PostgresStore } from './postgres/postgres-store.ts';

export const TEST_PG_URL = process.env.YOUJU_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export interface TestStores {
  store: Store;
  blobs: BlobStore;
  /** The SQLite data dir or the PostgreSQL database URL. */
  location: string;
  close(): Promise<void>;
}

export async function createTestPgDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `youju_test_${process.pid}_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: TEST_PG_URL });
  try {
    await admin.connect();
  } catch (err) {
    throw new Error(`PostgreSQL is needed for this test and is not reachable at ${TEST_PG_URL} ` +
      `(set YOUJU_TEST_PG_URL, or start it: pg_ctlcluster 15 main start): ${(err as Error).message}`);
  }
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(TEST_PG_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const c = new pg.Client({ connectionString: TEST_PG_URL });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}

export async function openTestStore(kind: StoreKind = 'sqlite', opts: { now?: () => number } = {}): Promise<TestStores> {
  if (kind === 'postgres') {
    const db = await createTestPgDatabase();
    const store = await PostgresStore.open({ url: db.url, now: opts.now });
    const blobs = await PgBlobStore.open({ url: db.url, now: opts.now });
    return {
      store, blobs, location: db.url,
      async close() { await store.close(); await blobs.close(); await db.drop(); },
    };
  }
  const dir = await mkdtemp(join(tmpdir(), 'youju-test-'));
  const store = await SqliteStore.open({ path: join(dir, 'meta.db'), now: opts.now });
  const blobs = await SqliteBlobStore.open({ dir: join(dir, 'blobs'), now: opts.now });
  return {
    store, blobs, location: dir,
    async close() { await store.close(); await blobs.close(); await rm(dir, { recursive: true, force: true }); },
  };
}
