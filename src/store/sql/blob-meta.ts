/** Per-blob ENVELOPE and BODYSTRUCTURE over SQL (migration 006). Values are byte strings (one char per octet). */
import type { BlobId } from '../../core/ids.ts';
import type { BlobMeta, BlobMetaRepo } from '../store.ts';
import type { Row } from './conn.ts';
import type { RepoCtx } from './ctx.ts';
import { str } from './rows.ts';

export function blobMetaRepo({ db }: RepoCtx): BlobMetaRepo {
  return {
    async get(ids) {
      const out = new Map<BlobId, BlobMeta>();
      const unique = [...new Set(ids)];
      for (let i = 0; i < unique.length; i += 400) {
        const chunk = unique.slice(i, i + 400);
        const rows = await db.all<Row>(`SELECT blob_id, envelope, bodystructure FROM blob_meta WHERE blob_id IN (${chunk.map(() => '?').join(',')})`, chunk);
        for (const r of rows) out.set(str(r.blob_id) as BlobId, { envelope: str(r.envelope), bodystructure: str(r.bodystructure) });
      }
      return out;
    },

    async put(id, meta) {
      // PostgreSQL text cannot hold NUL; such a (broken) message is simply not cached.
      if (meta.envelope.includes('\0') || meta.bodystructure.includes('\0')) return;
      await db.run(
        `INSERT INTO blob_meta (blob_id, envelope, bodystructure) VALUES (?, ?, ?)
         ON CONFLICT (blob_id) DO UPDATE SET envelope = excluded.envelope, bodystructure = excluded.bodystructure`,
        [id, meta.envelope, meta.bodystructure]);
    },

    async remove(id) {
      await db.run('DELETE FROM blob_meta WHERE blob_id = ?', [id]);
    },
  };
}
