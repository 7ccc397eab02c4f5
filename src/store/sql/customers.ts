/**
 * The customer address book (per domain) and directory sharing between domains over SQL (migration
 * 023). Every customer statement is bounded by the domain's id, so another domain's entry or
 * category id finds nothing. The derived columns (name_key, search_text) are written here from the
 * fields, never by callers. Names order by code point on both backends, as personal contacts do.
 */
import type { CustomerCategoryId, CustomerId, DomainId } from '../../core/ids.ts';
import type { Customer, CustomerCategory, CustomerFields, CustomerQuery, CustomerRepo, DirectoryShareRepo } from '../store.ts';
import { placeholders, type Row } from './conn.ts';
import type { RepoCtx } from './ctx.ts';
import { insertUnique, NO_LIMIT, num, numOrNull, str } from './rows.ts';

const BATCH = 500;
const COLUMNS = ['name', 'email', 'company', 'phone', 'mobile', 'address', 'notes'] as const;
const likeEscape = (s: string): string => s.replace(/[\\%_]/g, (c) => `\\${c}`);

const searchText = (f: CustomerFields): string => [f.name, f.email, f.company, f.phone, f.mobile].join('\n').toLowerCase();

const toCustomer = (r: Row): Customer => ({
  id: num(r.id) as CustomerId, domainId: num(r.domain_id) as DomainId, name: str(r.name), email: str(r.email), company: str(r.company),
  phone: str(r.phone), mobile: str(r.mobile), address: str(r.address), notes: str(r.notes),
  categoryId: numOrNull(r.category_id) as CustomerCategoryId | null, createdAt: num(r.created_at), updatedAt: num(r.updated_at),
});
const toCategory = (r: Row): CustomerCategory => ({
  id: num(r.id) as CustomerCategoryId, domainId: num(r.domain_id) as DomainId, name: str(r.name), members: num(r.members ?? 0), createdAt: num(r.created_at),
});

export function customerRepo({ db, now }: RepoCtx): CustomerRepo {
  const byName = db.dialect === 'postgres' ? 'c.name_key COLLATE "C", c.id' : 'c.name_key, c.id';
  const catByName = db.dialect === 'postgres' ? 'g.name COLLATE "C", g.id' : 'g.name, g.id';
  const CATEGORY = 'SELECT g.*, (SELECT COUNT(*) FROM customers c WHERE c.category_id = g.id) AS members FROM customer_categories g';

  function where(domainId: DomainId, q: CustomerQuery): { sql: string; params: unknown[] } {
    const parts = ['c.domain_id = ?'];
    const params: unknown[] = [domainId];
    if (q.search) {
      parts.push("c.search_text LIKE ? ESCAPE '\\'");
      params.push(`%${likeEscape(q.search.toLowerCase())}%`);
    }
    if (q.categoryId === null) parts.push('c.category_id IS NULL');
    else if (q.categoryId !== undefined) { parts.push('c.category_id = ?'); params.push(q.categoryId); }
    return { sql: parts.join(' AND '), params };
  }

  const repo: CustomerRepo = {
    async create(domainId, f) {
      const at = now();
      const r = await db.get<Row>(`INSERT INTO customers (domain_id, category_id, ${COLUMNS.join(', ')}, name_key, search_text, created_at, updated_at)
        VALUES (${placeholders(COLUMNS.length + 6)}) RETURNING *`,
      [domainId, f.categoryId, ...COLUMNS.map((c) => f[c]), f.name.toLowerCase(), searchText(f), at, at]);
      return toCustomer(r!);
    },
    async get(domainId, id) {
      const r = await db.get<Row>('SELECT * FROM customers WHERE domain_id = ? AND id = ?', [domainId, id]);
      return r && toCustomer(r);
    },
    async list(domainId, q = {}) {
      const w = where(domainId, q);
      const rows = await db.all<Row>(`SELECT c.* FROM customers c WHERE ${w.sql} ORDER BY ${byName} LIMIT ? OFFSET ?`,
        [...w.params, q.limit ?? NO_LIMIT, q.offset ?? 0]);
      return rows.map(toCustomer);
    },
    async count(domainId, q = {}) {
      const w = where(domainId, q);
      return num((await db.get<Row>(`SELECT COUNT(*) AS n FROM customers c WHERE ${w.sql}`, w.params))!.n);
    },
    async byEmail(domainId, email) {
      const rows = await db.all<Row>('SELECT * FROM customers WHERE domain_id = ? AND lower(email) = ? ORDER BY id', [domainId, email.toLowerCase()]);
      return rows.map(toCustomer);
    },
    async update(domainId, id, patch) {
      const old = await repo.get(domainId, id);
      if (!old) return undefined;
      const given = Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined)) as Partial<CustomerFields>;
      const f: CustomerFields = { ...old, ...given };
      await db.run(`UPDATE customers SET ${COLUMNS.map((c) => `${c} = ?`).join(', ')}, category_id = ?, name_key = ?, search_text = ?, updated_at = ?
        WHERE domain_id = ? AND id = ?`, [...COLUMNS.map((c) => f[c]), f.categoryId, f.name.toLowerCase(), searchText(f), now(), domainId, id]);
      return repo.get(domainId, id);
    },
    async delete(domainId, ids) {
      let n = 0;
      const all = [...new Set(ids)];
      for (let i = 0; i < all.length; i += BATCH) {
        const part = all.slice(i, i + BATCH);
        n += await db.run(`DELETE FROM customers WHERE domain_id = ? AND id IN (${placeholders(part.length)})`, [domainId, ...part]);
      }
      return n;
    },
    async categories(domainId) {
      return (await db.all<Row>(`${CATEGORY} WHERE g.domain_id = ? ORDER BY ${catByName}`, [domainId])).map(toCategory);
    },
    async getCategory(domainId, id) {
      const r = await db.get<Row>(`${CATEGORY} WHERE g.domain_id = ? AND g.id = ?`, [domainId, id]);
      return r && toCategory(r);
    },
    async createCategory(domainId, name) {
      const r = await insertUnique(`customer category "${name}"`, () =>
        db.get<Row>('INSERT INTO customer_categories (domain_id, name, created_at) VALUES (?, ?, ?) RETURNING *', [domainId, name, now()]));
      return toCategory(r!);
    },
    async renameCategory(domainId, id, name) {
      const n = await insertUnique(`customer category "${name}"`, () =>
        db.run('UPDATE customer_categories SET name = ? WHERE domain_id = ? AND id = ?', [name, domainId, id]));
      return n > 0 ? repo.getCategory(domainId, id) : undefined;
    },
    async deleteCategory(domainId, id) {
      // Explicit, not only ON DELETE SET NULL: the entries stay whatever the backend's foreign-key setting.
      await db.run('UPDATE customers SET category_id = NULL WHERE domain_id = ? AND category_id = ?', [domainId, id]);
      return (await db.run('DELETE FROM customer_categories WHERE domain_id = ? AND id = ?', [domainId, id])) > 0;
    },
  };
  return repo;
}

export function directoryShareRepo({ db, now }: RepoCtx): DirectoryShareRepo {
  return {
    async list() {
      const rows = await db.all<Row>('SELECT * FROM directory_shares ORDER BY domain_id, shared_domain_id');
      return rows.map((r) => ({ domainId: num(r.domain_id) as DomainId, sharedDomainId: num(r.shared_domain_id) as DomainId, createdAt: num(r.created_at) }));
    },
    async sharedWith(domainId) {
      const rows = await db.all<Row>('SELECT shared_domain_id FROM directory_shares WHERE domain_id = ? ORDER BY shared_domain_id', [domainId]);
      return rows.map((r) => num(r.shared_domain_id) as DomainId);
    },
    async add(domainId, sharedDomainId) {
      const have = await db.get<Row>('SELECT 1 AS x FROM directory_shares WHERE domain_id = ? AND shared_domain_id = ?', [domainId, sharedDomainId]);
      if (have) return false;
      await db.run('INSERT INTO directory_shares (domain_id, shared_domain_id, created_at) VALUES (?, ?, ?)', [domainId, sharedDomainId, now()]);
      return true;
    },
    async remove(domainId, sharedDomainId) {
      return (await db.run('DELETE FROM directory_shares WHERE domain_id = ? AND shared_domain_id = ?', [domainId, sharedDomainId])) > 0;
    },
  };
}
