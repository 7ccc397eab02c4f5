/**
 * The full-text index over SQL: FTS5 on SQLite, tsvector + GIN on PostgreSQL, one row per blob.
 * Words arrive segmented and space-separated (see FulltextRepo); queries are phrases ANDed, the
 * last word of each a prefix. blob_refs.indexed marks what the indexer has done.
 */
import type { BlobId } from '../../core/ids.ts';
import type { FulltextRepo } from '../store.ts';
import type { Row } from './conn.ts';
import type { RepoCtx } from './ctx.ts';
import { num, str } from './rows.ts';
import { findMessages } from './message-search.ts';
import { fts5Query, tsQuery } from './fulltext-query.ts';

export function fulltextRepo({ db }: RepoCtx): FulltextRepo {
  const sqlite = db.dialect === 'sqlite';
  const markIndexed = (id: BlobId) => db.run('UPDATE blob_refs SET indexed = 1 WHERE id = ?', [id]);

  return {
    async index(blobId, text) {
      if (sqlite) {
        const r = await db.get<Row>(
          `INSERT INTO blob_fts_ids (blob_id) VALUES (?) ON CONFLICT (blob_id) DO UPDATE SET blob_id = excluded.blob_id
           RETURNING fts_rowid`, [blobId]);
        const rowid = num(r!.fts_rowid);
        await db.run('DELETE FROM blob_fts WHERE rowid = ?', [rowid]);
        await db.run('INSERT INTO blob_fts (rowid, headers, body) VALUES (?, ?, ?)', [rowid, text.headers, text.body]);
      } else {
        await db.run(
          `INSERT INTO blob_fts (blob_id, headers, body) VALUES (?, to_tsvector('simple', ?), to_tsvector('simple', ?))
           ON CONFLICT (blob_id) DO UPDATE SET headers = excluded.headers, body = excluded.body`,
          [blobId, text.headers, text.body]);
      }
      await markIndexed(blobId);
    },

    async has(blobId) {
      const table = sqlite ? 'blob_fts_ids' : 'blob_fts';
      return (await db.get(`SELECT 1 AS x FROM ${table} WHERE blob_id = ?`, [blobId])) !== undefined;
    },

    async search(mailboxId, termsIn) {
      const terms = termsIn.filter((t) => t.words.length > 0);
      if (terms.length === 0) {
        return (await db.all<Row>('SELECT uid FROM messages WHERE mailbox_id = ? ORDER BY uid', [mailboxId])).map((r) => num(r.uid));
      }
      if (sqlite) {
        // From the index's hits to their messages: the cost follows the hits, not the mailbox's
        // size. CROSS JOIN keeps SQLite to that order (it would otherwise walk the mailbox).
        const rows = await db.all<Row>(
          `SELECT m.uid FROM blob_fts f
             CROSS JOIN blob_fts_ids i ON i.fts_rowid = f.rowid
             CROSS JOIN messages m INDEXED BY messages_blob ON m.blob_id = i.blob_id
            WHERE blob_fts MATCH ? AND m.mailbox_id = ? ORDER BY m.uid`, [fts5Query(terms), mailboxId]);
        return rows.map((r) => num(r.uid));
      }
      // Each column tested on its own, so the GIN indexes can answer (a concatenation cannot).
      const conds = terms.map((t) => t.field === 'text'
        ? '(f.headers @@ to_tsquery(\'simple\', ?) OR f.body @@ to_tsquery(\'simple\', ?))'
        : `f.${t.field} @@ to_tsquery('simple', ?)`);
      const rows = await db.all<Row>(
        `SELECT m.uid FROM messages m JOIN blob_fts f ON f.blob_id = m.blob_id
          WHERE m.mailbox_id = ? AND ${conds.join(' AND ')} ORDER BY m.uid`,
        [mailboxId, ...terms.flatMap((t) => t.field === 'text' ? [tsQuery(t.words), tsQuery(t.words)] : [tsQuery(t.words)])]);
      return rows.map((r) => num(r.uid));
    },

    async unindexed(mailboxId) {
      // From the blobs still waiting (few, once the indexer has caught up) to this mailbox's copies.
      const rows = await db.all<Row>(
        `SELECT m.uid FROM blob_refs b ${sqlite ? 'CROSS JOIN messages m INDEXED BY messages_blob' : 'JOIN messages m'}
             ON m.blob_id = b.id
          WHERE b.indexed = 0 AND m.mailbox_id = ? ORDER BY m.uid`, [mailboxId]);
      return rows.map((r) => num(r.uid));
    },

    async pending(limit) {
      const rows = await db.all<Row>(
        'SELECT id FROM blob_refs WHERE indexed = 0 AND refcount > 0 ORDER BY updated_at LIMIT ?', [limit]);
      return rows.map((r) => str(r.id) as BlobId);
    },

    find: (q) => findMessages(db, q),

    async remove(blobId) {
      if (sqlite) {
        const r = await db.get<Row>('DELETE FROM blob_fts_ids WHERE blob_id = ? RETURNING fts_rowid', [blobId]);
        if (r) await db.run('DELETE FROM blob_fts WHERE rowid = ?', [num(r.fts_rowid)]);
      } else {
        await db.run('DELETE FROM blob_fts WHERE blob_id = ?', [blobId]);
      }
      await db.run('UPDATE blob_refs SET indexed = 0 WHERE id = ?', [blobId]);
    },
  };
}
