/** Users over SQL: accounts, quotas, department, directory visibility and send/receive scopes. */
import type { DomainId, OrgUnitId, UserId } from '../../core/ids.ts';
import type { NewUser, Scope, User, UserQuery, UserRepo, UserSort, UserStatus } from '../store.ts';
import type { Row } from './conn.ts';
import type { RepoCtx } from './ctx.ts';
import { bindable } from './conn.ts';
import { SEALED_PASSWORD } from '../migrations/027-pending-hashes.ts';
import { NO_LIMIT, bool, insertUnique, num, numOrNull, releaseBlobs, str, updateRow } from './rows.ts';

const COLUMNS: Record<string, string> = {
  passwordHash: 'password_hash', cramSecret: 'cram_secret', apopSecret: 'apop_secret', realName: 'real_name', status: 'status', quotaBytes: 'quota_bytes',
  quotaMessages: 'quota_messages', diskQuotaBytes: 'disk_quota_bytes', orgUnitId: 'org_unit_id',
  hiddenFromDirectory: 'hidden', sendScope: 'send_scope', receiveScope: 'receive_scope',
  scopeExceptions: 'scope_exceptions', lastLoginAt: 'last_login_at', loginName: 'login_name',
};
const encode = (field: string, v: unknown): unknown => (field === 'scopeExceptions' ? JSON.stringify(v) : v);

function toUser(r: Row): User {
  return {
    id: num(r.id) as UserId,
    domainId: num(r.domain_id) as DomainId,
    localPart: str(r.local_part),
    passwordHash: str(r.password_hash),
    cramSecret: str(r.cram_secret),
    apopSecret: str(r.apop_secret),
    realName: str(r.real_name),
    status: str(r.status) as UserStatus,
    quotaBytes: num(r.quota_bytes),
    quotaMessages: num(r.quota_messages),
    diskQuotaBytes: num(r.disk_quota_bytes),
    orgUnitId: numOrNull(r.org_unit_id) as OrgUnitId | null,
    hiddenFromDirectory: bool(r.hidden),
    sendScope: str(r.send_scope) as Scope,
    receiveScope: str(r.receive_scope) as Scope,
    scopeExceptions: JSON.parse(str(r.scope_exceptions) || '[]') as string[],
    createdAt: num(r.created_at),
    lastLoginAt: numOrNull(r.last_login_at),
    loginName: str(r.login_name),
  };
}

function where(q: UserQuery): { sql: string; params: unknown[] } {
  const parts: string[] = [];
  const params: unknown[] = [];
  if (q.domainId !== undefined) { parts.push('domain_id = ?'); params.push(q.domainId); }
  if (q.orgUnitId === null) parts.push('org_unit_id IS NULL');
  else if (q.orgUnitId !== undefined) { parts.push('org_unit_id = ?'); params.push(q.orgUnitId); }
  if (q.orgUnitIds !== undefined) {
    if (q.orgUnitIds.length === 0) parts.push('1 = 0');
    else { parts.push(`org_unit_id IN (${q.orgUnitIds.map(() => '?').join(', ')})`); params.push(...q.orgUnitIds); }
  }
  if (q.status !== undefined) { parts.push('status = ?'); params.push(q.status); }
  if (q.search) {
    parts.push("(local_part LIKE ? ESCAPE '\\' OR lower(real_name) LIKE ? ESCAPE '\\')");
    const like = `%${q.search.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    params.push(like, like);
  }
  return { sql: parts.length ? `WHERE ${parts.join(' AND ')}` : '', params };
}

/**
 * ORDER BY for a sort; ties by domain and address, so pages neither overlap nor skip. Never-logged-in
 * users count as 0 (SQLite and PostgreSQL place NULLs differently); createdAt goes by id, which
 * grows with it.
 */
const SORT_COLUMNS: Record<UserSort, string> = {
  address: '', realName: 'real_name', status: 'status', quotaBytes: 'quota_bytes', createdAt: 'id', lastLoginAt: 'COALESCE(last_login_at, 0)',
};
function orderBy(q: UserQuery): string {
  const dir = q.descending ? 'DESC' : 'ASC';
  const col = SORT_COLUMNS[q.sort ?? 'address'];
  return `ORDER BY ${col ? `${col} ${dir}, ` : ''}domain_id ${dir}, local_part ${dir}`;
}

export function userRepo({ db, now }: RepoCtx): UserRepo {
  return {
    async create(u: NewUser) {
      const cols = ['domain_id', 'local_part', 'created_at'];
      const params: unknown[] = [u.domainId, u.localPart, now()];
      for (const [field, col] of Object.entries(COLUMNS)) {
        const v = (u as Record<string, unknown>)[field];
        if (v === undefined) continue;
        cols.push(col);
        params.push(bindable(encode(field, v)));
      }
      const r = await insertUnique(`user ${u.localPart}`, () =>
        db.get(`INSERT INTO users (${cols.join(', ')}) VALUES (${cols.map(() => '?').join(', ')}) RETURNING *`, params));
      return toUser(r!);
    },
    async get(id) {
      const r = await db.get('SELECT * FROM users WHERE id = ?', [id]);
      return r && toUser(r);
    },
    async byAddress(domainId, localPart) {
      const r = await db.get('SELECT * FROM users WHERE domain_id = ? AND local_part = ?', [domainId, localPart]);
      return r && toUser(r);
    },
    async list(q = {}) {
      const w = where(q);
      const rows = await db.all(`SELECT * FROM users ${w.sql} ${orderBy(q)} LIMIT ? OFFSET ?`,
        [...w.params, q.limit ?? NO_LIMIT, q.offset ?? 0]);
      return rows.map(toUser);
    },
    async count(q = {}) {
      const w = where(q);
      const r = await db.get<Row>(`SELECT COUNT(*) AS n FROM users ${w.sql}`, w.params);
      return num(r!.n);
    },
    async update(id, patch) {
      // The one unique column a patch may touch is login_name (per domain): a clash is ALREADY_EXISTS.
      const r = await insertUnique(`login name ${String(patch.loginName ?? '')}`, () => updateRow(db, 'users', COLUMNS, patch, 'id = ?', [id], encode));
      return r && toUser(r);
    },
    async delete(id) {
      await releaseBlobs(db,
        'SELECT m.blob_id FROM messages m JOIN mailboxes b ON b.id = m.mailbox_id WHERE b.user_id = ?', [id], now());
      await db.run('UPDATE org_units SET leader_user_id = NULL WHERE leader_user_id = ?', [id]);
      return (await db.run('DELETE FROM users WHERE id = ?', [id])) > 0;
    },
    async byLoginName(domainId, loginName) {
      if (loginName === '') return undefined;
      const r = await db.get('SELECT * FROM users WHERE domain_id = ? AND login_name = ?', [domainId, loginName]);
      return r && toUser(r);
    },
    async sealedPasswords(afterId, limit) {
      // Migration 027's condition word for word: both planners then read its partial index, not the table.
      const rows = await db.all(`SELECT id, password_hash FROM users WHERE ${SEALED_PASSWORD} AND id > ? ORDER BY id LIMIT ?`, [afterId, limit]);
      return rows.map((r) => ({ id: num(r.id) as UserId, passwordHash: str(r.password_hash) }));
    },
    async replacePasswordHash(id, from, to) {
      return (await db.run('UPDATE users SET password_hash = ? WHERE id = ? AND password_hash = ?', [to, id, from])) > 0;
    },
    async clearApopSecrets() {
      return db.run("UPDATE users SET apop_secret = '' WHERE apop_secret <> ''");
    },
    async usage(id) {
      const r = await db.get<Row>(
        `SELECT CAST(COALESCE(SUM(bytes), 0) AS BIGINT) AS bytes, CAST(COALESCE(SUM(messages), 0) AS BIGINT) AS messages
           FROM mailboxes WHERE user_id = ?`, [id]);
      return { bytes: num(r!.bytes), messages: num(r!.messages) };
    },
  };
}
