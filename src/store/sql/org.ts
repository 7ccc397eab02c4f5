/** Org units (departments) and admin accounts over SQL. */
import type { AdminId, DomainId, OrgUnitId, UserId } from '../../core/ids.ts';
import type { Admin, AdminRepo, AdminRole, OrgUnit, OrgUnitRepo } from '../store.ts';
import type { Row } from './conn.ts';
import type { RepoCtx } from './ctx.ts';
import { insertUnique, num, numOrNull, str, updateRow } from './rows.ts';

const toOrgUnit = (r: Row): OrgUnit => ({
  id: num(r.id) as OrgUnitId,
  domainId: num(r.domain_id) as DomainId,
  parentId: numOrNull(r.parent_id) as OrgUnitId | null,
  name: str(r.name),
  sortOrder: num(r.sort_order),
  leaderUserId: numOrNull(r.leader_user_id) as UserId | null,
});

export function orgUnitRepo({ db }: RepoCtx): OrgUnitRepo {
  return {
    async create(o) {
      const r = await db.get(
        'INSERT INTO org_units (domain_id, parent_id, name, sort_order, leader_user_id) VALUES (?, ?, ?, ?, ?) RETURNING *',
        [o.domainId, o.parentId ?? null, o.name, o.sortOrder ?? 0, o.leaderUserId ?? null]);
      return toOrgUnit(r!);
    },
    async get(id) {
      const r = await db.get('SELECT * FROM org_units WHERE id = ?', [id]);
      return r && toOrgUnit(r);
    },
    async list(domainId) {
      // COALESCE puts roots (no parent) first on both dialects, which sort NULLs differently.
      return (await db.all(
        'SELECT * FROM org_units WHERE domain_id = ? ORDER BY COALESCE(parent_id, 0), sort_order, name, id', [domainId],
      )).map(toOrgUnit);
    },
    async update(id, patch) {
      const cols = { parentId: 'parent_id', name: 'name', sortOrder: 'sort_order', leaderUserId: 'leader_user_id' };
      const r = await updateRow(db, 'org_units', cols, patch, 'id = ?', [id]);
      return r && toOrgUnit(r);
    },
    async delete(id) {
      const unit = await db.get<Row>('SELECT parent_id FROM org_units WHERE id = ?', [id]);
      if (!unit) return false;
      await db.run('UPDATE org_units SET parent_id = ? WHERE parent_id = ?', [unit.parent_id ?? null, id]);
      await db.run('UPDATE users SET org_unit_id = NULL WHERE org_unit_id = ?', [id]);
      return (await db.run('DELETE FROM org_units WHERE id = ?', [id])) > 0;
    },
  };
}

const toAdmin = (r: Row): Admin => ({
  id: num(r.id) as AdminId,
  username: str(r.username),
  passwordHash: str(r.password_hash),
  role: str(r.role) as AdminRole,
  domainId: numOrNull(r.domain_id) as DomainId | null,
  orgUnitId: numOrNull(r.org_unit_id) as OrgUnitId | null,
  createdAt: num(r.created_at),
});
/** NULL never equals NULL in a UNIQUE index, so uniqueness is kept on a text key instead. */
const scopeKey = (domainId: DomainId | null): string => (domainId === null ? '' : String(domainId));

export function adminRepo({ db, now }: RepoCtx): AdminRepo {
  return {
    async create(a) {
      const r = await insertUnique(`${a.role} admin ${a.username}`, () => db.get(
        `INSERT INTO admins (username, password_hash, role, domain_id, org_unit_id, scope_key, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING *`,
        [a.username, a.passwordHash, a.role, a.domainId, a.orgUnitId, scopeKey(a.domainId), now()]));
      return toAdmin(r!);
    },
    async get(id) {
      const r = await db.get('SELECT * FROM admins WHERE id = ?', [id]);
      return r && toAdmin(r);
    },
    async find(username, role, domainId) {
      const r = await db.get('SELECT * FROM admins WHERE username = ? AND role = ? AND scope_key = ?',
        [username, role, scopeKey(domainId)]);
      return r && toAdmin(r);
    },
    async list(q = {}) {
      const parts: string[] = [];
      const params: unknown[] = [];
      if (q.role) { parts.push('role = ?'); params.push(q.role); }
      if (q.domainId !== undefined) { parts.push('domain_id = ?'); params.push(q.domainId); }
      const w = parts.length ? `WHERE ${parts.join(' AND ')}` : '';
      return (await db.all(`SELECT * FROM admins ${w} ORDER BY role, username`, params)).map(toAdmin);
    },
    async setPassword(id, passwordHash) {
      return (await db.run('UPDATE admins SET password_hash = ? WHERE id = ?', [passwordHash, id])) > 0;
    },
    async delete(id) {
      return (await db.run('DELETE FROM admins WHERE id = ?', [id])) > 0;
    },
  };
}
