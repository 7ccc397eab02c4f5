/** Reply templates over SQL (migration 025): rows of one owner, always filtered by user_id. */
import type { ReplyTemplateId, UserId } from '../../core/ids.ts';
import type { ReplyTemplate, ReplyTemplateRepo } from '../store.ts';
import type { Row } from './conn.ts';
import type { RepoCtx } from './ctx.ts';
import { num, str } from './rows.ts';

function toTemplate(r: Row): ReplyTemplate {
  return {
    id: num(r.id) as ReplyTemplateId, userId: num(r.user_id) as UserId, name: str(r.name),
    format: str(r.format) === 'html' ? 'html' : 'text', body: str(r.body), createdAt: num(r.created_at), updatedAt: num(r.updated_at),
  };
}

export function replyTemplateRepo({ db, now }: RepoCtx): ReplyTemplateRepo {
  return {
    async list(userId) {
      return (await db.all('SELECT * FROM reply_templates WHERE user_id = ? ORDER BY id', [userId])).map(toTemplate);
    },
    async count(userId) {
      const r = await db.get('SELECT COUNT(*) AS n FROM reply_templates WHERE user_id = ?', [userId]);
      return num(r?.n ?? 0);
    },
    async get(userId, id) {
      const r = await db.get('SELECT * FROM reply_templates WHERE user_id = ? AND id = ?', [userId, id]);
      return r && toTemplate(r);
    },
    async create(t) {
      const at = now();
      const r = await db.get(
        'INSERT INTO reply_templates (user_id, name, format, body, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?) RETURNING *',
        [t.userId, t.name, t.format, t.body, at, at]);
      return toTemplate(r!);
    },
    async update(userId, id, patch) {
      const cur = await this.get(userId, id);
      if (!cur) return undefined;
      const next = { ...cur, ...Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined)) };
      const r = await db.get(
        'UPDATE reply_templates SET name = ?, format = ?, body = ?, updated_at = ? WHERE user_id = ? AND id = ? RETURNING *',
        [next.name, next.format, next.body, now(), userId, id]);
      return r && toTemplate(r);
    },
    async delete(userId, id) {
      return (await db.run('DELETE FROM reply_templates WHERE user_id = ? AND id = ?', [userId, id])) > 0;
    },
  };
}
