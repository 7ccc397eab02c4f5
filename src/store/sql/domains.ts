/** Domains and domain aliases over SQL. Limits are data here; directory/ enforces them. */
import type { DomainId } from '../../core/ids.ts';
import type { Domain, DomainAlias, DomainAliasRepo, DomainPatch, DomainRepo, DomainStatus, NewDomain } from '../store.ts';
import type { Row } from './conn.ts';
import type { RepoCtx } from './ctx.ts';
import { bindable } from './conn.ts';
import { bool, insertUnique, num, numOrNull, releaseBlobs, str, updateRow } from './rows.ts';

const COLUMNS: Record<string, string> = {
  status: 'status', maxUsers: 'max_users', maxSizeBytes: 'max_size_bytes', maxLists: 'max_lists',
  defaultQuotaBytes: 'default_quota_bytes', defaultDiskQuotaBytes: 'default_disk_quota_bytes',
  openedAt: 'opened_at', expiresAt: 'expires_at', allowRegistration: 'allow_registration',
  requireApproval: 'require_approval', showAdminLogin: 'show_admin_login', strongPasswords: 'strong_passwords',
  feedbackAddress: 'feedback_address', companyName: 'company_name',
};

function toDomain(r: Row): Domain {
  return {
    id: num(r.id) as DomainId,
    name: str(r.name),
    status: str(r.status) as DomainStatus,
    maxUsers: num(r.max_users),
    maxSizeBytes: num(r.max_size_bytes),
    maxLists: num(r.max_lists),
    defaultQuotaBytes: num(r.default_quota_bytes),
    defaultDiskQuotaBytes: num(r.default_disk_quota_bytes),
    openedAt: num(r.opened_at),
    expiresAt: numOrNull(r.expires_at),
    allowRegistration: bool(r.allow_registration),
    requireApproval: bool(r.require_approval),
    showAdminLogin: bool(r.show_admin_login),
    strongPasswords: bool(r.strong_passwords),
    feedbackAddress: str(r.feedback_address),
    companyName: str(r.company_name),
    createdAt: num(r.created_at),
  };
}

export function domainRepo({ db, now }: RepoCtx): DomainRepo {
  return {
    async create(d: NewDomain) {
      const t = now();
      const fields: Record<string, unknown> = { openedAt: t, ...d };
      const cols = ['name', 'created_at'];
      const params: unknown[] = [d.name, t];
      for (const [field, col] of Object.entries(COLUMNS)) {
        if (fields[field] === undefined) continue;
        cols.push(col);
        params.push(bindable(fields[field]));
      }
      const row = await insertUnique(`domain ${d.name}`, () =>
        db.get(`INSERT INTO domains (${cols.join(', ')}) VALUES (${cols.map(() => '?').join(', ')}) RETURNING *`, params));
      return toDomain(row!);
    },
    async get(id) {
      const r = await db.get('SELECT * FROM domains WHERE id = ?', [id]);
      return r && toDomain(r);
    },
    async byName(name) {
      const r = await db.get('SELECT * FROM domains WHERE name = ?', [name]);
      return r && toDomain(r);
    },
    async list() {
      return (await db.all('SELECT * FROM domains ORDER BY name')).map(toDomain);
    },
    async update(id, patch: DomainPatch) {
      const r = await updateRow(db, 'domains', COLUMNS, patch, 'id = ?', [id]);
      return r && toDomain(r);
    },
    async delete(id) {
      await releaseBlobs(db,
        `SELECT m.blob_id FROM messages m JOIN mailboxes b ON b.id = m.mailbox_id JOIN users u ON u.id = b.user_id
          WHERE u.domain_id = ?`, [id], now());
      return (await db.run('DELETE FROM domains WHERE id = ?', [id])) > 0;
    },
    async lock(id) {
      if (db.dialect === 'postgres') await db.get('SELECT id FROM domains WHERE id = ? FOR UPDATE', [id]);
    },
    async usage(id) {
      const r = await db.get<Row>(
        `SELECT (SELECT COUNT(*) FROM users WHERE domain_id = ?) AS users,
                (SELECT COUNT(*) FROM lists WHERE domain_id = ?) AS lists,
                (SELECT CAST(COALESCE(SUM(quota_bytes), 0) AS BIGINT) FROM users WHERE domain_id = ?) AS quota,
                (SELECT CAST(COALESCE(SUM(b.bytes), 0) AS BIGINT) FROM mailboxes b JOIN users u ON u.id = b.user_id
                  WHERE u.domain_id = ?) AS used`, [id, id, id, id]);
      return { users: num(r!.users), lists: num(r!.lists), quotaAllocatedBytes: num(r!.quota), usedBytes: num(r!.used) };
    },
    async allocation(id) {
      const r = await db.get<Row>(
        'SELECT COUNT(*) AS users, CAST(COALESCE(SUM(quota_bytes), 0) AS BIGINT) AS quota FROM users WHERE domain_id = ?', [id]);
      return { users: num(r!.users), quotaAllocatedBytes: num(r!.quota) };
    },
  };
}

const toAlias = (r: Row): DomainAlias => ({ alias: str(r.alias), domainId: num(r.domain_id) as DomainId });

export function domainAliasRepo({ db }: RepoCtx): DomainAliasRepo {
  return {
    async create(alias, domainId) {
      const r = await insertUnique(`domain alias ${alias}`, () =>
        db.get('INSERT INTO domain_aliases (alias, domain_id) VALUES (?, ?) RETURNING *', [alias, domainId]));
      return toAlias(r!);
    },
    async get(alias) {
      const r = await db.get('SELECT * FROM domain_aliases WHERE alias = ?', [alias]);
      return r && toAlias(r);
    },
    async list(domainId) {
      const rows = domainId === undefined
        ? await db.all('SELECT * FROM domain_aliases ORDER BY alias')
        : await db.all('SELECT * FROM domain_aliases WHERE domain_id = ? ORDER BY alias', [domainId]);
      return rows.map(toAlias);
    },
    async delete(alias) {
      return (await db.run('DELETE FROM domain_aliases WHERE alias = ?', [alias])) > 0;
    },
  };
}
