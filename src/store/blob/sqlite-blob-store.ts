/**
 * The embedded blob store. Messages up to inlineMaxBytes (default 1 MiB) live inline in blobs.db, a
 * SQLite file in WAL mode, so concurrent puts share one fsync (group commit); larger ones are files
 * of their own under large/aa/<id>, written to a temp file, fsync-ed, renamed and the directory
 * fsync-ed before their row commits. A crash leaves at most an unreferenced temp file (swept by
 * compact()), never a torn blob: a row exists only for complete bytes.
 */
import type Database from 'better-sqlite3';
import { createReadStream } from 'node:fs';
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
import { readHashed } from './hashing-reader.ts';

export interface SqliteBlobStoreOptions {
  dir: string;
  inlineMaxBytes?: number;
  now?: () => number;
}

interface BlobRow { data: Buffer | null; size: number }

export class SqliteBlobStore implements BlobStore {
  private readonly commit: GroupCommit<Database.Database>;
  private readonly now: () => number;
  private readonly inlineMax: number;
  private readonly largeDir: string;
  private readonly stmts;
  private readonly checkpointer: Checkpointer;

  private constructor(private readonly db: Database.Database, opts: SqliteBlobStoreOptions) {
    this.now = opts.now ?? Date.now;
    this.inlineMax = opts.inlineMaxBytes ?? 1024 * 1024;
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
      older: db.prepare('SELECT id FROM blobs WHERE last_put_at < ? AND id > ? ORDER BY id LIMIT ?'),
      remove: db.prepare('DELETE FROM blobs WHERE id = ? AND last_put_at < ? RETURNING data IS NULL AS large'),
    };
  }

  static async open(opts: SqliteBlobStoreOptions): Promise<SqliteBlobStore> {
    await mkdir(join(opts.dir, 'large', 'tmp'), { recursive: true });
    const db = openSqliteDatabase(join(opts.dir, 'blobs.db'), { syncedByCaller: true });
    // auto_vacuum must be chosen before the first table exists; incremental lets compact() give pages back.
    db.pragma('auto_vacuum = INCREMENTAL');
    db.exec(`CREATE TABLE IF NOT EXISTS blobs (
      id TEXT PRIMARY KEY, size INTEGER NOT NULL, data BLOB, last_put_at INTEGER NOT NULL)`);
    db.exec('CREATE INDEX IF NOT EXISTS blobs_last_put ON blobs(last_put_at)');
    return new SqliteBlobStore(db, opts);
  }

  private largePath(id: string): string {
    return join(this.largeDir, id.slice(0, 2), id);
  }

  async put(body: AsyncIterable<Uint8Array> | Uint8Array): Promise<{ id: BlobId; size: number }> {
    const h = await readHashed(body, this.inlineMax,
      () => join(this.largeDir, 'tmp', `${process.pid}-${randomBytes(8).toString('hex')}`));
    if (h.spillPath) {
      const dir = join(this.largeDir, h.id.slice(0, 2));
      await mkdir(dir, { recursive: true });
      await rename(h.spillPath, this.largePath(h.id));
      await syncDir(dir);
    }
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

async function syncDir(dir: string): Promise<void> {
  const d = await open(dir, 'r');
  try { await d.sync(); } finally { await d.close(); }
}
