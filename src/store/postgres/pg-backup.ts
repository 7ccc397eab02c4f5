/**
 * Moving the metadata store between PostgreSQL and the one backup format (issue #15 §1–2): a
 * backup's meta.db is always an embedded (SQLite) store made by the same migrations.
 *
 * snapshotPostgres: inside one read-only REPEATABLE READ transaction, every table is copied into a
 * fresh SQLite store, so the copy is one committed state while the server goes on writing.
 * loadIntoPostgres: the reverse, into an EMPTY migrated PostgreSQL database (one that holds users,
 * domains, mailboxes or blobs is refused), in one transaction, tables in foreign-key order, with the
 * identity sequences moved past the largest id afterwards.
 *
 * The full-text index differs by dialect (FTS5 / tsvector) and is not copied across: every blob is
 * marked unindexed (blob_refs.indexed = 0) and the server's indexer rebuilds it.
 */
import Database from 'better-sqlite3';
import pg from 'pg';
import { rm } from 'node:fs/promises';
import { MailError } from '../../core/errors.ts';
import { SqliteStore } from '../sqlite/sqlite-store.ts';
import { prepareSnapshotCopy } from '../sqlite/snapshot.ts';
import './pg-conn.ts'; // BIGINT parsed to numbers

/** Never copied: bookkeeping each side has of its own, the blobs (the blob store's), the dialect's full-text index. */
const SKIP = new Set(['schema_migrations', 'blob_data', 'blob_fts', 'blob_fts_ids', 'sqlite_sequence']);
const PAGE = 1000;
const quote = (name: string) => `"${name.replace(/"/g, '""')}"`;

async function pgTables(c: pg.ClientBase): Promise<Map<string, string[]>> {
  const r = await c.query<{ table_name: string; column_name: string }>(
    `SELECT c.table_name, c.column_name FROM information_schema.columns c
       JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name
      WHERE c.table_schema = current_schema() AND t.table_type = 'BASE TABLE' ORDER BY c.table_name, c.ordinal_position`);
  const out = new Map<string, string[]>();
  for (const row of r.rows) {
    if (SKIP.has(row.table_name)) continue;
    out.set(row.table_name, [...(out.get(row.table_name) ?? []), row.column_name]);
  }
  return out;
}

function sqliteTables(db: Database.Database): Map<string, string[]> {
  const out = new Map<string, string[]>();
  const names = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE 'blob_fts%'").all() as Array<{ name: string }>;
  for (const { name } of names) {
    if (SKIP.has(name)) continue;
    out.set(name, (db.prepare(`PRAGMA table_info(${quote(name)})`).all() as Array<{ name: string }>).map((c) => c.name));
  }
  return out;
}

/** Tables ordered so that each comes after the tables its foreign keys point to. */
async function fkOrder(c: pg.ClientBase, tables: string[]): Promise<string[]> {
  const r = await c.query<{ child: string; parent: string }>(
    `SELECT cl.relname AS child, pa.relname AS parent FROM pg_constraint k
       JOIN pg_class cl ON cl.oid = k.conrelid JOIN pg_class pa ON pa.oid = k.confrelid
       JOIN pg_namespace n ON n.oid = cl.relnamespace
      WHERE k.contype = 'f' AND n.nspname = current_schema()`);
  const parents = new Map<string, Set<string>>();
  for (const { child, parent } of r.rows) if (child !== parent) parents.set(child, (parents.get(child) ?? new Set()).add(parent));
  const done = new Set<string>();
  const out: string[] = [];
  const visit = (t: string, path: Set<string>) => {
    if (done.has(t) || path.has(t)) return;
    path.add(t);
    for (const p of parents.get(t) ?? []) if (tables.includes(p)) visit(p, path);
    done.add(t);
    out.push(t);
  };
  for (const t of [...tables].sort()) visit(t, new Set());
  return out;
}

/** Copies the PostgreSQL store behind `url` into a new embedded store at `path`, as one committed state. */
export async function snapshotPostgres(pool: pg.Pool, path: string, opts: { mail: boolean }): Promise<void> {
  await rm(path, { force: true });
  await (await SqliteStore.open({ path })).close();
  const db = new Database(path);
  db.pragma('foreign_keys = OFF');
  const client = await pool.connect();
  try {
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    const from = await pgTables(client);
    const to = sqliteTables(db);
    db.exec('BEGIN');
    for (const [table, pgCols] of from) {
      const sqlCols = to.get(table);
      if (!sqlCols) continue;
      const cols = pgCols.filter((c) => sqlCols.includes(c));
      db.exec(`DELETE FROM ${quote(table)}`); // rows the migrations put in (counters, settings_version)
      const insert = db.prepare(`INSERT INTO ${quote(table)} (${cols.map(quote).join(', ')}) VALUES (${cols.map(() => '?').join(', ')})`);
      await client.query(`DECLARE youju_copy NO SCROLL CURSOR FOR SELECT ${cols.map(quote).join(', ')} FROM ${quote(table)}`);
      for (;;) {
        const page = await client.query({ text: `FETCH ${PAGE} FROM youju_copy`, rowMode: 'array' });
        for (const row of page.rows as unknown[][]) insert.run(...row.map((v) => (typeof v === 'boolean' ? (v ? 1 : 0) : v)));
        if (page.rows.length < PAGE) break;
      }
      await client.query('CLOSE youju_copy');
    }
    if (to.has('blob_refs')) db.exec('UPDATE blob_refs SET indexed = 0');
    db.exec('COMMIT');
    await client.query('COMMIT');
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    client.release();
    db.close();
  }
  prepareSnapshotCopy(path, opts);
}

/** Tables whose rows mean a database is in use: restore refuses one that has any. */
const IN_USE = ['domains', 'users', 'mailboxes', 'messages', 'blob_data'];

/**
 * Loads the embedded store at `metaPath` (a backup's copy, brought up to date by migrations) into
 * the PostgreSQL database behind `url`, which must be empty. One transaction: all or nothing.
 */
export async function loadIntoPostgres(pool: pg.Pool, metaPath: string): Promise<{ rows: number }> {
  await (await SqliteStore.open({ path: metaPath })).close(); // migrations bring an older copy up to date
  const db = new Database(metaPath, { readonly: true });
  const client = await pool.connect();
  let rows = 0;
  try {
    await client.query('BEGIN');
    const to = await pgTables(client);
    for (const t of IN_USE) {
      const exists = (await client.query('SELECT to_regclass($1) AS r', [t])).rows[0].r !== null;
      if (exists && ((await client.query(`SELECT 1 FROM ${quote(t)} LIMIT 1`)).rowCount ?? 0) > 0) {
        throw new MailError('ALREADY_EXISTS', `the PostgreSQL database already holds a store (${t} has rows): restore into an empty database`);
      }
    }
    const from = sqliteTables(db);
    const order = await fkOrder(client, [...to.keys()].filter((t) => from.has(t)));
    for (const table of [...order].reverse()) await client.query(`DELETE FROM ${quote(table)}`); // the migrations' own rows
    for (const table of order) {
      const cols = from.get(table)!.filter((c) => to.get(table)!.includes(c));
      const batch = Math.max(1, Math.min(500, Math.floor(60_000 / cols.length)));
      const flush = async (values: unknown[][]) => {
        if (values.length === 0) return;
        let n = 0;
        const tuples = values.map((row) => `(${row.map(() => `$${++n}`).join(', ')})`).join(', ');
        await client.query(`INSERT INTO ${quote(table)} (${cols.map(quote).join(', ')}) VALUES ${tuples}`, values.flat());
        rows += values.length;
      };
      let values: unknown[][] = [];
      const stmt = db.prepare(`SELECT ${cols.map(quote).join(', ')} FROM ${quote(table)} ORDER BY rowid`).raw(true);
      for (const row of stmt.iterate() as Iterable<unknown[]>) {
        values.push(row.map((v) => (typeof v === 'bigint' ? Number(v) : v)));
        if (values.length >= batch) { await flush(values); values = []; }
      }
      await flush(values);
    }
    if (to.has('blob_refs')) await client.query('UPDATE blob_refs SET indexed = 0');
    // Identity columns go on past the largest id copied.
    const ids = await client.query<{ table_name: string; column_name: string }>(
      `SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = current_schema() AND is_identity = 'YES'`);
    for (const { table_name: t, column_name: c } of ids.rows) {
      if (!from.has(t)) continue;
      await client.query(`SELECT setval(pg_get_serial_sequence($1, $2), COALESCE((SELECT max(${quote(c)}) FROM ${quote(t)}), 0) + 1, false)`, [quote(t), c]);
    }
    await client.query('COMMIT');
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    client.release();
    db.close();
  }
  return { rows };
}
