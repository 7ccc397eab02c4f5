/** Settings, the audit log and blob reference counts over SQL. */
import type { BlobId } from '../../core/ids.ts';
import type { AuditEntry, AuditQuery, AuditRepo, AuthWindowRepo, AutoreplyRepo, BlobRefRepo, SettingsRepo } from '../store.ts';
import type { Row } from './conn.ts';
import type { RepoCtx } from './ctx.ts';
import { placeholders } from './conn.ts';
import { num, str } from './rows.ts';

export function settingsRepo({ db }: RepoCtx): SettingsRepo {
  const bump = () => db.run('UPDATE settings_version SET version = version + 1 WHERE id = 1');
  return {
    async get(scope, key) {
      const r = await db.get<Row>('SELECT value FROM settings WHERE scope = ? AND key = ?', [scope, key]);
      return r === undefined ? undefined : JSON.parse(str(r.value));
    },
    async all(scope) {
      const rows = await db.all<Row>('SELECT key, value FROM settings WHERE scope = ? ORDER BY key', [scope]);
      return Object.fromEntries(rows.map((r) => [str(r.key), JSON.parse(str(r.value))]));
    },
    async byKey(key) {
      const rows = await db.all<Row>('SELECT scope, value FROM settings WHERE key = ? ORDER BY scope', [key]);
      return rows.map((r) => ({ scope: str(r.scope), value: JSON.parse(str(r.value)) }));
    },
    async set(scope, key, value) {
      await db.run(
        'INSERT INTO settings (scope, key, value) VALUES (?, ?, ?) ON CONFLICT (scope, key) DO UPDATE SET value = excluded.value',
        [scope, key, JSON.stringify(value)]);
      await bump();
    },
    async delete(scope, key) {
      const n = await db.run('DELETE FROM settings WHERE scope = ? AND key = ?', [scope, key]);
      if (n > 0) await bump();
      return n > 0;
    },
    async version() {
      const r = await db.get<Row>('SELECT version FROM settings_version WHERE id = 1');
      return num(r!.version);
    },
  };
}

const toAudit = (r: Row): AuditEntry => ({
  id: num(r.id),
  at: num(r.at),
  actor: str(r.actor),
  action: str(r.action),
  target: str(r.target),
  source: str(r.source),
  details: JSON.parse(str(r.details) || '{}') as Record<string, unknown>,
});

export function auditRepo({ db, now }: RepoCtx): AuditRepo {
  return {
    async write(e) {
      await db.run('INSERT INTO audit_log (at, actor, action, target, source, details, domain) VALUES (?, ?, ?, ?, ?, ?, ?)',
        [e.at ?? now(), e.actor, e.action, e.target, e.source, JSON.stringify(e.details ?? {}), e.domain ?? '']);
    },
    async list(q = {}) {
      const w = auditWhere(q);
      const rows = await db.all(`SELECT * FROM audit_log ${w.sql} ORDER BY at DESC, id DESC LIMIT ? OFFSET ?`,
        [...w.params, q.limit ?? 100, q.offset ?? 0]);
      return rows.map(toAudit);
    },
    async count(q = {}) {
      const w = auditWhere(q);
      const r = await db.get<Row>(`SELECT COUNT(*) AS n FROM audit_log ${w.sql}`, w.params);
      return num(r?.n);
    },
  };
}

function auditWhere(q: AuditQuery): { sql: string; params: unknown[] } {
  const parts: string[] = [];
  const params: unknown[] = [];
  for (const field of ['actor', 'action', 'target', 'domain'] as const) {
    if (q[field] !== undefined) { parts.push(`${field} = ?`); params.push(q[field]); }
  }
  const like = (s: string) => s.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`);
  if (q.actorLike) { parts.push("lower(actor) LIKE ? ESCAPE '\\'"); params.push(`%${like(q.actorLike)}%`); }
  if (q.targetLike) { parts.push("lower(target) LIKE ? ESCAPE '\\'"); params.push(`%${like(q.targetLike)}%`); }
  if (q.actionPrefix) { parts.push("action LIKE ? ESCAPE '\\'"); params.push(`${q.actionPrefix.replace(/[\\%_]/g, (c) => `\\${c}`)}%`); }
  if (q.since !== undefined) { parts.push('at >= ?'); params.push(q.since); }
  if (q.until !== undefined) { parts.push('at < ?'); params.push(q.until); }
  return { sql: parts.length ? `WHERE ${parts.join(' AND ')}` : '', params };
}

export function blobRefRepo({ db, now }: RepoCtx): BlobRefRepo {
  return {
    async adjust(id, size, delta) {
      await db.run(
        `INSERT INTO blob_refs (id, size, refcount, updated_at) VALUES (?, ?, ?, ?)
         ON CONFLICT (id) DO UPDATE SET refcount = blob_refs.refcount + excluded.refcount, updated_at = excluded.updated_at`,
        [id, size, delta, now()]);
    },
    async get(id) {
      const r = await db.get<Row>('SELECT * FROM blob_refs WHERE id = ?', [id]);
      return r && { id: str(r.id) as BlobId, size: num(r.size), refcount: num(r.refcount), updatedAt: num(r.updated_at) };
    },
    async unreferenced(before, limit) {
      const rows = await db.all<Row>(
        'SELECT id FROM blob_refs WHERE refcount <= 0 AND updated_at < ? ORDER BY updated_at LIMIT ?', [before, limit]);
      return rows.map((r) => str(r.id) as BlobId);
    },
    async known(ids) {
      const found = new Set<BlobId>();
      for (let i = 0; i < ids.length; i += 500) {
        const chunk = ids.slice(i, i + 500);
        const rows = await db.all<Row>(`SELECT id FROM blob_refs WHERE id IN (${placeholders(chunk.length)})`, chunk);
        for (const r of rows) found.add(str(r.id) as BlobId);
      }
      return found;
    },
    async forget(id) {
      return (await db.run('DELETE FROM blob_refs WHERE id = ? AND refcount <= 0', [id])) > 0;
    },
  };
}

export function autoreplyRepo({ db }: RepoCtx): AutoreplyRepo {
  return {
    async lastSent(userId, sender) {
      const r = await db.get<Row>('SELECT sent_at FROM autoreply_log WHERE user_id = ? AND sender = ?', [userId, sender]);
      return r === undefined ? undefined : num(r.sent_at);
    },
    async record(userId, sender, at) {
      await db.run(
        `INSERT INTO autoreply_log (user_id, sender, sent_at) VALUES (?, ?, ?)
         ON CONFLICT (user_id, sender) DO UPDATE SET sent_at = excluded.sent_at`, [userId, sender, at]);
    },
  };
}

export function authWindowRepo({ db }: RepoCtx): AuthWindowRepo {
  return {
    async open(ip, expiresAt) {
      await db.run(
        'INSERT INTO auth_windows (ip, expires_at) VALUES (?, ?) ON CONFLICT (ip) DO UPDATE SET expires_at = excluded.expires_at',
        [ip, expiresAt]);
    },
    async isOpen(ip, now) {
      return (await db.get('SELECT 1 AS x FROM auth_windows WHERE ip = ? AND expires_at > ?', [ip, now])) !== undefined;
    },
    async prune(now) {
      return db.run('DELETE FROM auth_windows WHERE expires_at <= ?', [now]);
    },
  };
}
