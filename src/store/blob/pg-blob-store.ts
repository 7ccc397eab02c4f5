/**
 * Blobs in PostgreSQL (bytea), for clusters where every node must read every message. One INSERT
 * per put, autocommitted: PostgreSQL's WAL group commit shares flushes between concurrent puts.
 * Messages are bounded by the SMTP size limit, so each is read into memory whole.
 */
import pg from 'pg';
import { Readable } from 'node:stream';
import { MailError } from '../../core/errors.ts';
import type { BlobId } from '../../core/ids.ts';
import type { BlobStore } from '../blob-store.ts';
import { readHashed } from './hashing-reader.ts';

export class PgBlobStore implements BlobStore {
  private constructor(private readonly pool: pg.Pool, private readonly now: () => number) {}

  static async open(opts: { url: string; now?: () => number; poolSize?: number }): Promise<PgBlobStore> {
    const pool = new pg.Pool({ connectionString: opts.url, max: opts.poolSize ?? 10 });
    pool.on('error', () => { /* an idle client died; the pool replaces it */ });
    try {
      await pool.query(`CREATE TABLE IF NOT EXISTS blob_data (
        id TEXT PRIMARY KEY, size BIGINT NOT NULL, data BYTEA NOT NULL, last_put_at BIGINT NOT NULL)`);
      await pool.query('CREATE INDEX IF NOT EXISTS blob_data_last_put ON blob_data(last_put_at)');
    } catch (err) {
      await pool.end();
      throw new MailError('STORE_UNAVAILABLE', `cannot open the PostgreSQL blob store: ${String((err as Error).message)}`, { cause: err });
    }
    return new PgBlobStore(pool, opts.now ?? Date.now);
  }

  async put(body: AsyncIterable<Uint8Array> | Uint8Array): Promise<{ id: BlobId; size: number }> {
    const h = await readHashed(body, Number.MAX_SAFE_INTEGER, () => '');
    await this.pool.query(
      `INSERT INTO blob_data (id, size, data, last_put_at) VALUES ($1, $2, $3, $4)
       ON CONFLICT (id) DO UPDATE SET last_put_at = excluded.last_put_at`,
      [h.id, h.size, h.inline!, this.now()]);
    return { id: h.id as BlobId, size: h.size };
  }

  async read(id: BlobId, range?: { start: number; end: number }): Promise<Buffer> {
    const r = range
      ? await this.pool.query('SELECT substring(data FROM $2 FOR $3) AS data FROM blob_data WHERE id = $1',
        [id, Math.max(0, range.start) + 1, Math.max(0, range.end - Math.max(0, range.start))])
      : await this.pool.query('SELECT data FROM blob_data WHERE id = $1', [id]);
    if (r.rowCount === 0) throw new MailError('NOT_FOUND', `blob ${id} not found`);
    return r.rows[0].data as Buffer;
  }

  async open(id: BlobId): Promise<NodeJS.ReadableStream> {
    return Readable.from([await this.read(id)]);
  }

  async has(id: BlobId): Promise<boolean> {
    return ((await this.pool.query('SELECT 1 FROM blob_data WHERE id = $1', [id])).rowCount ?? 0) > 0;
  }

  async listOlderThan(before: number, afterId: string, limit: number): Promise<BlobId[]> {
    const r = await this.pool.query(
      'SELECT id FROM blob_data WHERE last_put_at < $1 AND id > $2 ORDER BY id LIMIT $3', [before, afterId, limit]);
    return r.rows.map((x) => x.id as BlobId);
  }

  async remove(id: BlobId, before: number): Promise<boolean> {
    const r = await this.pool.query('DELETE FROM blob_data WHERE id = $1 AND last_put_at < $2', [id, before]);
    return (r.rowCount ?? 0) > 0;
  }

  async compact(): Promise<void> {
    // Autovacuum reclaims dead rows; nothing to do by hand.
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}
