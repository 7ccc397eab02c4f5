/**
 * Personal contacts and their groups over SQL (migration 016). Every statement is bounded by the
 * owner's user_id, so an id of another user's row finds nothing. The derived columns (name_key,
 * emails_key, search_text) are written here from the fields, never by callers. Names order by code
 * point on both backends (PostgreSQL's database collation would order differently from SQLite's).
 */
import type { ContactGroupId, ContactId, UserId } from '../../core/ids.ts';
import type { Contact, ContactFields, ContactGroup, ContactPhone, ContactQuery, ContactRepo } from '../store.ts';
import { placeholders, type Row, type SqlConn } from './conn.ts';
import type { RepoCtx } from './ctx.ts';
import { insertUnique, NO_LIMIT, num, str } from './rows.ts';

/** Ids per IN (…) list: far below either driver's parameter limit. */
const BATCH = 500;

const FIELD_COLUMNS = ['name', 'company', 'department', 'title', 'address', 'birthday', 'notes'] as const;

/** `%`, `_` and the escape itself taken literally in LIKE … ESCAPE '\'. */
const likeEscape = (s: string): string => s.replace(/[\\%_]/g, (c) => `\\${c}`);

function derived(f: ContactFields): { name_key: string; emails_key: string; search_text: string } {
  const emails = f.emails.map((e) => e.toLowerCase());
  return {
    name_key: f.name.toLowerCase(),
    emails_key: `\n${emails.join('\n')}\n`,
    search_text: [f.name, ...f.emails, f.company, f.department, f.title, ...f.phones.map((p) => p.number)].join('\n').toLowerCase(),
  };
}

function parseJson<T>(v: unknown, fallback: T): T {
  try { return JSON.parse(str(v)) as T; } catch { return fallback; }
}

const toFields = (r: Row): ContactFields => ({
  name: str(r.name), emails: parseJson<string[]>(r.emails, []), phones: parseJson<ContactPhone[]>(r.phones, []),
  company: str(r.company), department: str(r.department), title: str(r.title), address: str(r.address),
  birthday: str(r.birthday), notes: str(r.notes),
});

const toGroup = (r: Row): ContactGroup => ({
  id: num(r.id) as ContactGroupId, userId: num(r.user_id) as UserId, name: str(r.name), members: num(r.members ?? 0), createdAt: num(r.created_at),
});

function* chunks<T>(items: readonly T[], size: number): Generator<T[]> {
  for (let i = 0; i < items.length; i += size) yield items.slice(i, i + size);
}

export function contactRepo({ db, now }: RepoCtx): ContactRepo {
  const byName = db.dialect === 'postgres' ? 'c.name_key COLLATE "C", c.id' : 'c.name_key, c.id';
  const groupByName = db.dialect === 'postgres' ? 'g.name COLLATE "C", g.id' : 'g.name, g.id';

  /** Rows → contacts with their group ids (one query for all of them). */
  async function withGroups(rows: Row[]): Promise<Contact[]> {
    const groups = new Map<number, ContactGroupId[]>();
    const ids = rows.map((r) => num(r.id));
    for (const part of chunks(ids, BATCH)) {
      const ms = await db.all<Row>(`SELECT contact_id, group_id FROM contact_group_members WHERE contact_id IN (${placeholders(part.length)}) ORDER BY group_id`, part);
      for (const m of ms) {
        const list = groups.get(num(m.contact_id)) ?? [];
        list.push(num(m.group_id) as ContactGroupId);
        groups.set(num(m.contact_id), list);
      }
    }
    return rows.map((r) => ({
      id: num(r.id) as ContactId, userId: num(r.user_id) as UserId, ...toFields(r), groupIds: groups.get(num(r.id)) ?? [],
      createdAt: num(r.created_at), updatedAt: num(r.updated_at),
    }));
  }

  function where(userId: UserId, q: ContactQuery): { sql: string; params: unknown[] } {
    const parts = ['c.user_id = ?'];
    const params: unknown[] = [userId];
    if (q.search) {
      parts.push("c.search_text LIKE ? ESCAPE '\\'");
      params.push(`%${likeEscape(q.search.toLowerCase())}%`);
    }
    if (q.groupId !== undefined) {
      parts.push('EXISTS (SELECT 1 FROM contact_group_members m WHERE m.contact_id = c.id AND m.group_id = ?)');
      params.push(q.groupId);
    }
    return { sql: parts.join(' AND '), params };
  }

  /** Replaces a contact's groups with those of ids that are the owner's. */
  async function setGroups(db: SqlConn, userId: UserId, contactId: ContactId, groupIds: readonly ContactGroupId[]): Promise<void> {
    await db.run('DELETE FROM contact_group_members WHERE contact_id = ?', [contactId]);
    for (const part of chunks([...new Set(groupIds)], BATCH)) {
      await db.run(`INSERT INTO contact_group_members (group_id, contact_id)
        SELECT g.id, ? FROM contact_groups g WHERE g.user_id = ? AND g.id IN (${placeholders(part.length)})`, [contactId, userId, ...part]);
    }
  }

  const repo: ContactRepo = {
    async create(userId, f, groupIds = []) {
      const at = now();
      const d = derived(f);
      const r = await db.get<Row>(`INSERT INTO contacts (user_id, name, name_key, emails, emails_key, phones, company, department, title,
          address, birthday, notes, search_text, created_at, updated_at) VALUES (${placeholders(15)}) RETURNING *`,
      [userId, f.name, d.name_key, JSON.stringify(f.emails), d.emails_key, JSON.stringify(f.phones), f.company, f.department, f.title,
        f.address, f.birthday, f.notes, d.search_text, at, at]);
      const id = num(r!.id) as ContactId;
      if (groupIds.length > 0) await setGroups(db, userId, id, groupIds);
      return (await repo.get(userId, id))!;
    },

    async get(userId, id) {
      const r = await db.get<Row>('SELECT * FROM contacts WHERE user_id = ? AND id = ?', [userId, id]);
      return r && (await withGroups([r]))[0];
    },

    async getMany(userId, ids) {
      const rows: Row[] = [];
      for (const part of chunks([...new Set(ids)], BATCH)) {
        rows.push(...await db.all<Row>(`SELECT * FROM contacts c WHERE c.user_id = ? AND c.id IN (${placeholders(part.length)}) ORDER BY ${byName}`, [userId, ...part]));
      }
      if (ids.length > BATCH) rows.sort((a, b) => (str(a.name_key) < str(b.name_key) ? -1 : str(a.name_key) > str(b.name_key) ? 1 : num(a.id) - num(b.id)));
      return withGroups(rows);
    },

    async byEmail(userId, email) {
      const rows = await db.all<Row>("SELECT * FROM contacts WHERE user_id = ? AND emails_key LIKE ? ESCAPE '\\' ORDER BY id",
        [userId, `%\n${likeEscape(email.toLowerCase())}\n%`]);
      return withGroups(rows);
    },

    async list(userId, q = {}) {
      const w = where(userId, q);
      const rows = await db.all<Row>(`SELECT c.* FROM contacts c WHERE ${w.sql} ORDER BY ${byName} LIMIT ? OFFSET ?`,
        [...w.params, q.limit ?? NO_LIMIT, q.offset ?? 0]);
      return withGroups(rows);
    },

    async count(userId, q = {}) {
      const w = where(userId, q);
      return num((await db.get<Row>(`SELECT COUNT(*) AS n FROM contacts c WHERE ${w.sql}`, w.params))!.n);
    },

    async update(userId, id, patch, groupIds) {
      const old = await repo.get(userId, id);
      if (!old) return undefined;
      const given = Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined)) as Partial<ContactFields>;
      const f: ContactFields = {
        name: old.name, emails: old.emails, phones: old.phones, company: old.company, department: old.department, title: old.title,
        address: old.address, birthday: old.birthday, notes: old.notes, ...given,
      };
      const d = derived(f);
      const sets = [...FIELD_COLUMNS.map((c) => `${c} = ?`), 'emails = ?', 'phones = ?', 'name_key = ?', 'emails_key = ?', 'search_text = ?', 'updated_at = ?'];
      await db.run(`UPDATE contacts SET ${sets.join(', ')} WHERE user_id = ? AND id = ?`,
        [...FIELD_COLUMNS.map((c) => f[c]), JSON.stringify(f.emails), JSON.stringify(f.phones), d.name_key, d.emails_key, d.search_text, now(), userId, id]);
      if (groupIds) await setGroups(db, userId, id, groupIds);
      return repo.get(userId, id);
    },

    async delete(userId, ids) {
      let n = 0;
      for (const part of chunks([...new Set(ids)], BATCH)) {
        n += await db.run(`DELETE FROM contacts WHERE user_id = ? AND id IN (${placeholders(part.length)})`, [userId, ...part]);
      }
      return n;
    },

    async groups(userId) {
      const rows = await db.all<Row>(`SELECT g.*, (SELECT COUNT(*) FROM contact_group_members m WHERE m.group_id = g.id) AS members
        FROM contact_groups g WHERE g.user_id = ? ORDER BY ${groupByName}`, [userId]);
      return rows.map(toGroup);
    },

    async getGroup(userId, id) {
      const r = await db.get<Row>(`SELECT g.*, (SELECT COUNT(*) FROM contact_group_members m WHERE m.group_id = g.id) AS members
        FROM contact_groups g WHERE g.user_id = ? AND g.id = ?`, [userId, id]);
      return r && toGroup(r);
    },

    async createGroup(userId, name) {
      const r = await insertUnique(`contact group "${name}"`, () =>
        db.get<Row>('INSERT INTO contact_groups (user_id, name, created_at) VALUES (?, ?, ?) RETURNING *', [userId, name, now()]));
      return toGroup(r!);
    },

    async renameGroup(userId, id, name) {
      const n = await insertUnique(`contact group "${name}"`, () => db.run('UPDATE contact_groups SET name = ? WHERE user_id = ? AND id = ?', [name, userId, id]));
      return n > 0 ? repo.getGroup(userId, id) : undefined;
    },

    async deleteGroup(userId, id) {
      return (await db.run('DELETE FROM contact_groups WHERE user_id = ? AND id = ?', [userId, id])) > 0;
    },

    async addMembers(userId, groupId, ids) {
      if (!(await repo.getGroup(userId, groupId))) return undefined;
      let n = 0;
      for (const part of chunks([...new Set(ids)], BATCH)) {
        n += await db.run(`INSERT INTO contact_group_members (group_id, contact_id)
          SELECT ?, c.id FROM contacts c WHERE c.user_id = ? AND c.id IN (${placeholders(part.length)})
            AND NOT EXISTS (SELECT 1 FROM contact_group_members m WHERE m.group_id = ? AND m.contact_id = c.id)`, [groupId, userId, ...part, groupId]);
      }
      return n;
    },

    async removeMembers(userId, groupId, ids) {
      if (!(await repo.getGroup(userId, groupId))) return undefined;
      let n = 0;
      for (const part of chunks([...new Set(ids)], BATCH)) {
        n += await db.run(`DELETE FROM contact_group_members WHERE group_id = ? AND contact_id IN (${placeholders(part.length)})`, [groupId, ...part]);
      }
      return n;
    },
  };
  return repo;
}
