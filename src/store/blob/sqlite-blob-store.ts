/**
 * The embedded blob store. Messages up to inlineMaxBytes (default 1 MiB) live inline in blobs.db, a
 * SQLite file in WAL mode, so concurrent puts share one fsync (group commit); larger ones are files
 * of their own under large/aa/<id>, written to a temp file, fsync-ed, renamed and the directory
 * fsync-ed before their row commits. A crash leaves at most an unreferenced temp file (swept by
 * compact()), never a torn blob: a row exists only for complete bytes.
 */
import Database from 'better-sqlite3';
import { createReadStream, existsSync } from 'node:fs';
import { mkdir, open, readdir, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { randomBytes } from 'node:crypto';
import { MailError } from '../../core/errors.ts';
import type { BlobId } from '../../core/ids.ts';
import type { BlobStore } from '../blob-store.ts';
import { Checkpointer } from '../sqlite/checkpointer.ts';
import { GroupCommit } from '../sqlite/group-commit.ts';
import { openSqliteDatabase } from '../sqlite/sqlite-store.ts';
import { readHashed, type HashedBody } from './hashing-reader.ts';

export interface SqliteBlobStoreOptions {
  dir: string;
  inlineMaxBytes?: number;
  now?: () => number;
}

interface BlobRow { data: Buffer | null; size: number }

const DEFAULT_INLINE_MAX = 1024 * 1024;

export class SqliteBlobStore implements BlobStore {
  private readonly commit: GroupCommit<Database.Database>;
  private readonly now: () => number;
  private readonly inlineMax: number;
  private readonly largeDir: string;
  private readonly stmts;
  private readonly checkpointer: Checkpointer;

  private constructor(private readonly db: Database.Database, opts: SqliteBlobStoreOptions) {
    this.now = opts.now ?? Date.now;
    this.inlineMax = opts.inlineMaxBytes ?? DEFAULT_INLINE_MAX;
    this.largeDir = join(opts.dir, 'large');
    const path = join(opts.dir, 'blobs.db');
    // Checkpoints run in a worker thread (checkpointer.ts), not inside this connection's COMMITs.
    db.pragma('wal_autocheckpoint = 0');
    this.checkpointer = new Checkpointer(path);
    this.commit = new GroupCommit(db, db, { walPath: `${path}-wal`, onCommit: () => this.checkpointer.committed() });
    this.stmts = {
      put: db.prepare(`INSERT INTO blobs (id, size, data, last_put_at) VALUES (?, ?, ?, ?)
                       ON CONFLICT (id) DO UPDATE SET last_put_at = excluded.last_put_at`),
      get: db.prepare('SELECT data, size FROM blobs WHERE id = ?'),
      has: db.prepare('SELECT 1 FROM blobs WHERE id = ?'),
      scan: db.prepare('SELECT rowid, id, data FROM blobs WHERE rowid > ? ORDER BY rowid'),
      older: db.prepare('SELECT id FROM blobs WHERE last_put_at < ? AND id > ? ORDER BY id LIMIT ?'),
      remove: db.prepare('DELETE FROM blobs WHERE id = ? AND last_put_at < ? RETURNING data IS NULL AS large'),
    };
  }

  static async open(opts: SqliteBlobStoreOptions): Promise<SqliteBlobStore> {
    await mkdir(join(opts.dir, 'large', 'tmp'), { recursive: true });
    const db = openSqliteDatabase(join(opts.dir, 'blobs.db'), { syncedByCaller: true });
    createBlobTable(db);
    return new SqliteBlobStore(db, opts);
  }

  private largePath(id: string): string {
    return largePath(this.largeDir, id);
  }

  async put(body: AsyncIterable<Uint8Array> | Uint8Array): Promise<{ id: BlobId; size: number }> {
    const h = await hashAndPlace(body, this.inlineMax, this.largeDir);
    const t = this.now();
    await this.commit.run(() => this.stmts.put.run(h.id, h.size, h.inline ?? null, t));
    return { id: h.id as BlobId, size: h.size };
  }

  private row(id: BlobId): BlobRow {
    const r = this.stmts.get.get(id) as BlobRow | undefined;
    if (!r) throw new MailError('NOT_FOUND', `blob ${id} not found`);
    return r;
  }

  async read(id: BlobId, range?: { start: number; end: number }): Promise<Buffer> {
    const r = this.row(id);
    const start = Math.max(0, range?.start ?? 0);
    const end = Math.min(r.size, range?.end ?? r.size);
    if (end <= start) return Buffer.alloc(0);
    if (r.data !== null) return r.data.subarray(start, end);
    const f = await open(this.largePath(id), 'r');
    try {
      const buf = Buffer.alloc(end - start);
      const { bytesRead } = await f.read(buf, 0, buf.length, start);
      return buf.subarray(0, bytesRead);
    } finally {
      await f.close();
    }
  }

  async open(id: BlobId): Promise<NodeJS.ReadableStream> {
    const r = this.row(id);
    return r.data !== null ? Readable.from([r.data]) : createReadStream(this.largePath(id));
  }

  async has(id: BlobId): Promise<boolean> {
    return this.stmts.has.get(id) !== undefined;
  }

  async scan(cursor: number, maxBytes: number): Promise<{ blobs: Array<{ id: BlobId; bytes: Buffer }>; cursor: number }> {
    const rows: Array<{ id: BlobId; data: Buffer | null }> = [];
    let bytes = 0;
    let last = cursor;
    // One pass over the table in rowid (storage) order, stopped after about maxBytes.
    for (const r of this.stmts.scan.iterate(cursor) as IterableIterator<{ rowid: number; id: string; data: Buffer | null }>) {
      rows.push({ id: r.id as BlobId, data: r.data });
      last = r.rowid;
      bytes += r.data?.length ?? 0;
      if (bytes >= maxBytes || rows.length >= 10_000) break;
    }
    const blobs: Array<{ id: BlobId; bytes: Buffer }> = [];
    for (const r of rows) {
      if (r.data !== null) {
        blobs.push({ id: r.id, bytes: r.data });
        continue;
      }
      try {
        blobs.push({ id: r.id, bytes: await this.read(r.id) });
      } catch (err) {
        if ((err as { code?: string }).code !== 'NOT_FOUND' && (err as { code?: string }).code !== 'ENOENT') throw err; // removed meanwhile
      }
    }
    return { blobs, cursor: last };
  }

  async listOlderThan(before: number, afterId: string, limit: number): Promise<BlobId[]> {
    return (this.stmts.older.all(before, afterId, limit) as Array<{ id: string }>).map((r) => r.id as BlobId);
  }

  async remove(id: BlobId, before: number): Promise<boolean> {
    const r = await this.commit.run(() => this.stmts.remove.get(id, before) as { large: number } | undefined);
    if (!r) return false;
    if (r.large) await rm(this.largePath(id), { force: true });
    return true;
  }

  async compact(): Promise<void> {
    await this.commit.run((db) => { db.pragma('incremental_vacuum'); });
    this.db.pragma('wal_checkpoint(TRUNCATE)');
    // Temp files older than an hour are from puts that died half-way.
    const tmp = join(this.largeDir, 'tmp');
    for (const name of await readdir(tmp)) {
      const p = join(tmp, name);
      if ((await stat(p)).mtimeMs < this.now() - 3600_000) await rm(p, { force: true });
    }
  }

  async close(): Promise<void> {
    await this.commit.close();
    await this.checkpointer.close();
    this.db.close();
  }
}

/** The one table (created if missing). auto_vacuum is chosen before it exists: incremental lets compact() give pages back. */
function createBlobTable(db: Database.Database): void {
  db.pragma('auto_vacuum = INCREMENTAL');
  db.exec(`CREATE TABLE IF NOT EXISTS blobs (
    id TEXT PRIMARY KEY, size INTEGER NOT NULL, data BLOB, last_put_at INTEGER NOT NULL)`);
  db.exec('CREATE INDEX IF NOT EXISTS blobs_last_put ON blobs(last_put_at)');
}

/** Inline bytes written between two commits of a load. */
const LOAD_COMMIT_BYTES = 64 * 2 ** 20;

/**
 * Fills the blob store of an empty data directory (youju restore): blobs.db is written without a
 * journal, in large transactions, and made durable once, by close(), which also turns it into the
 * WAL file SqliteBlobStore opens. That spares the WAL's second copy of every page and a sync per
 * group of puts. A put is durable only after close(); a load that stops half-way leaves a data
 * directory to delete, as any restore that stops half-way does. Large blobs go to files as put() writes them.
 */
export class SqliteBlobLoader {
  private readonly insert: Database.Statement;
  private pendingBytes = 0;

  private constructor(private readonly db: Database.Database, private readonly opts: SqliteBlobStoreOptions) {
    this.insert = db.prepare(`INSERT INTO blobs (id, size, data, last_put_at) VALUES (?, ?, ?, ?)
                              ON CONFLICT (id) DO UPDATE SET last_put_at = excluded.last_put_at`);
    db.exec('BEGIN');
  }

  static async open(opts: SqliteBlobStoreOptions): Promise<SqliteBlobLoader> {
    const path = join(opts.dir, 'blobs.db');
    if (existsSync(path)) throw new MailError('ALREADY_EXISTS', `${path} exists: a load fills an empty blob store only`);
    await mkdir(join(opts.dir, 'large', 'tmp'), { recursive: true });
    const db = new Database(path);
    db.pragma('journal_mode = OFF');
    db.pragma('synchronous = OFF');
    createBlobTable(db);
    return new SqliteBlobLoader(db, opts);
  }

  async put(body: AsyncIterable<Uint8Array> | Uint8Array): Promise<{ id: BlobId; size: number }> {
    const h = await hashAndPlace(body, this.opts.inlineMaxBytes ?? DEFAULT_INLINE_MAX, join(this.opts.dir, 'large'));
    this.insert.run(h.id, h.size, h.inline ?? null, (this.opts.now ?? Date.now)());
    this.pendingBytes += h.inline?.length ?? 0;
    if (this.pendingBytes >= LOAD_COMMIT_BYTES) {
      this.db.exec('COMMIT');
      this.db.exec('BEGIN');
      this.pendingBytes = 0;
    }
    return { id: h.id as BlobId, size: h.size };
  }

  /** Commits, switches the file to WAL and syncs it and its directory: only now is the load durable. */
  async close(): Promise<void> {
    this.db.exec('COMMIT');
    this.db.pragma('journal_mode = WAL');
    this.db.close();
    const path = join(this.opts.dir, 'blobs.db');
    const f = await open(path, 'r+');
    try { await f.sync(); } finally { await f.close(); }
    await syncDir(this.opts.dir);
  }
}

/** Where a large blob's file lives: large/aa/<id>. */
const largePath = (largeDir: string, id: string): string => join(largeDir, id.slice(0, 2), id);

/**
 * Hashes a body; one past the inline limit is spilled to a temp file and moved, synced, to its
 * place under largeDir before the caller writes its row (so a row exists only for complete bytes).
 */
async function hashAndPlace(body: AsyncIterable<Uint8Array> | Uint8Array, inlineMax: number, largeDir: string): Promise<HashedBody> {
  const h = await readHashed(body, inlineMax, () => join(largeDir, 'tmp', `${process.pid}-${randomBytes(8).toString('hex')}`));
  if (h.spillPath) {
    const dir = join(largeDir, h.id.slice(0, 2));
    await mkdir(dir, { recursive: true });
    await rename(h.spillPath, largePath(largeDir, h.id));
    await syncDir(dir);
  }
  return h;
}

async function syncDir(dir: string): Promise<void> {
  const d = await open(dir, 'r');
  try { await d.sync(); } finally { await d.close(); }
}
