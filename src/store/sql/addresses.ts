/** Mailbox aliases, mailing lists and list members over SQL. */
import type { DomainId, ListId } from '../../core/ids.ts';
import type { Alias, AliasRepo, ListMember, ListRepo, ListVisibility, MailingList } from '../store.ts';
import type { Row } from './conn.ts';
import type { RepoCtx } from './ctx.ts';
import { bool, insertUnique, num, str, updateRow } from './rows.ts';

const toAlias = (r: Row): Alias => ({
  domainId: num(r.domain_id) as DomainId,
  localPart: str(r.local_part),
  targets: JSON.parse(str(r.targets)) as string[],
});

export function aliasRepo({ db }: RepoCtx): AliasRepo {
  return {
    async create(a) {
      const r = await insertUnique(`alias ${a.localPart}`, () =>
        db.get('INSERT INTO aliases (domain_id, local_part, targets) VALUES (?, ?, ?) RETURNING *',
          [a.domainId, a.localPart, JSON.stringify(a.targets)]));
      return toAlias(r!);
    },
    async get(domainId, localPart) {
      const r = await db.get('SELECT * FROM aliases WHERE domain_id = ? AND local_part = ?', [domainId, localPart]);
      return r && toAlias(r);
    },
    async list(domainId) {
      const rows = domainId === undefined
        ? await db.all('SELECT * FROM aliases ORDER BY domain_id, local_part')
        : await db.all('SELECT * FROM aliases WHERE domain_id = ? ORDER BY local_part', [domainId]);
      return rows.map(toAlias);
    },
    async delete(domainId, localPart) {
      return (await db.run('DELETE FROM aliases WHERE domain_id = ? AND local_part = ?', [domainId, localPart])) > 0;
    },
  };
}

const toList = (r: Row): MailingList => ({
  id: num(r.id) as ListId,
  domainId: num(r.domain_id) as DomainId,
  localPart: str(r.local_part),
  description: str(r.description),
  visibility: str(r.visibility) as ListVisibility,
  createdAt: num(r.created_at),
});
const toMember = (r: Row): ListMember => ({
  listId: num(r.list_id) as ListId,
  address: str(r.address),
  canSend: bool(r.can_send),
  canReceive: bool(r.can_receive),
});

export function listRepo({ db, now }: RepoCtx): ListRepo {
  return {
    async create(l) {
      const r = await insertUnique(`list ${l.localPart}`, () =>
        db.get(`INSERT INTO lists (domain_id, local_part, description, visibility, created_at)
                VALUES (?, ?, ?, ?, ?) RETURNING *`,
          [l.domainId, l.localPart, l.description ?? '', l.visibility ?? 'public', now()]));
      return toList(r!);
    },
    async get(id) {
      const r = await db.get('SELECT * FROM lists WHERE id = ?', [id]);
      return r && toList(r);
    },
    async byAddress(domainId, localPart) {
      const r = await db.get('SELECT * FROM lists WHERE domain_id = ? AND local_part = ?', [domainId, localPart]);
      return r && toList(r);
    },
    async list(domainId) {
      const rows = domainId === undefined
        ? await db.all('SELECT * FROM lists ORDER BY domain_id, local_part')
        : await db.all('SELECT * FROM lists WHERE domain_id = ? ORDER BY local_part', [domainId]);
      return rows.map(toList);
    },
    async update(id, patch) {
      const r = await updateRow(db, 'lists', { description: 'description', visibility: 'visibility' }, patch, 'id = ?', [id]);
      return r && toList(r);
    },
    async delete(id) {
      return (await db.run('DELETE FROM lists WHERE id = ?', [id])) > 0;
    },
    async putMember(m) {
      await db.run(
        `INSERT INTO list_members (list_id, address, can_send, can_receive) VALUES (?, ?, ?, ?)
         ON CONFLICT (list_id, address) DO UPDATE SET can_send = excluded.can_send, can_receive = excluded.can_receive`,
        [m.listId, m.address, m.canSend ? 1 : 0, m.canReceive ? 1 : 0]);
    },
    async removeMember(listId, address) {
      return (await db.run('DELETE FROM list_members WHERE list_id = ? AND address = ?', [listId, address])) > 0;
    },
    async members(listId) {
      return (await db.all('SELECT * FROM list_members WHERE list_id = ? ORDER BY address', [listId])).map(toMember);
    },
  };
}
