/** Web sessions over SQL (migration 014): rows keyed by the token's hash. */
import type { UserId } from '../../core/ids.ts';
import type { WebSession, WebSessionRepo } from '../store.ts';
import type { Row } from './conn.ts';
import type { RepoCtx } from './ctx.ts';
import { num, str } from './rows.ts';

const toSession = (r: Row): WebSession => ({
  idHash: str(r.id_hash), userId: num(r.user_id) as UserId, csrfToken: str(r.csrf_token), createdAt: num(r.created_at),
  lastSeenAt: num(r.last_seen_at), ip: str(r.ip), userAgent: str(r.user_agent),
});

export function webSessionRepo({ db }: RepoCtx): WebSessionRepo {
  return {
    async create(s) {
      await db.run('INSERT INTO web_sessions (id_hash, user_id, csrf_token, created_at, last_seen_at, ip, user_agent) VALUES (?, ?, ?, ?, ?, ?, ?)',
        [s.idHash, s.userId, s.csrfToken, s.createdAt, s.lastSeenAt, s.ip, s.userAgent]);
    },
    async get(idHash) {
      const r = await db.get('SELECT * FROM web_sessions WHERE id_hash = ?', [idHash]);
      return r && toSession(r);
    },
    async touch(idHash, lastSeenAt) {
      return (await db.run('UPDATE web_sessions SET last_seen_at = ? WHERE id_hash = ?', [lastSeenAt, idHash])) > 0;
    },
    async delete(idHash) {
      return (await db.run('DELETE FROM web_sessions WHERE id_hash = ?', [idHash])) > 0;
    },
    async deleteForUser(userId, exceptIdHash) {
      if (exceptIdHash) return db.run('DELETE FROM web_sessions WHERE user_id = ? AND id_hash <> ?', [userId, exceptIdHash]);
      return db.run('DELETE FROM web_sessions WHERE user_id = ?', [userId]);
    },
    async prune(idleBefore, createdBefore) {
      return db.run('DELETE FROM web_sessions WHERE last_seen_at < ? OR created_at < ?', [idleBefore, createdBefore]);
    },
  };
}
