/** Admin console sessions over SQL (migration 017): rows keyed by the token's hash, as web-sessions.ts. */
import type { AdminId } from '../../core/ids.ts';
import type { AdminSession, AdminSessionRepo } from '../store.ts';
import type { Row } from './conn.ts';
import type { RepoCtx } from './ctx.ts';
import { num, str } from './rows.ts';

const toSession = (r: Row): AdminSession => ({
  idHash: str(r.id_hash), adminId: num(r.admin_id) as AdminId, csrfToken: str(r.csrf_token), createdAt: num(r.created_at),
  lastSeenAt: num(r.last_seen_at), ip: str(r.ip), userAgent: str(r.user_agent),
});

export function adminSessionRepo({ db }: RepoCtx): AdminSessionRepo {
  return {
    async create(s) {
      await db.run('INSERT INTO admin_sessions (id_hash, admin_id, csrf_token, created_at, last_seen_at, ip, user_agent) VALUES (?, ?, ?, ?, ?, ?, ?)',
        [s.idHash, s.adminId, s.csrfToken, s.createdAt, s.lastSeenAt, s.ip, s.userAgent]);
    },
    async get(idHash) {
      const r = await db.get('SELECT * FROM admin_sessions WHERE id_hash = ?', [idHash]);
      return r && toSession(r);
    },
    async touch(idHash, lastSeenAt) {
      return (await db.run('UPDATE admin_sessions SET last_seen_at = ? WHERE id_hash = ?', [lastSeenAt, idHash])) > 0;
    },
    async delete(idHash) {
      return (await db.run('DELETE FROM admin_sessions WHERE id_hash = ?', [idHash])) > 0;
    },
    async deleteForAdmin(adminId) {
      return db.run('DELETE FROM admin_sessions WHERE admin_id = ?', [adminId]);
    },
    async prune(idleBefore, createdBefore) {
      return db.run('DELETE FROM admin_sessions WHERE last_seen_at < ? OR created_at < ?', [idleBefore, createdBefore]);
    },
  };
}
