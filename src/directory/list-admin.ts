/**
 * 邮件列表管理 of the domain console (manual part 3 §1.6; FEATURES A6) for an admin Actor: the
 * domain's lists with their member counts, add (name, description, public or private, first
 * members), properties, delete, members with their send / receive rights ("只收、只发或收发都可以"),
 * batch add of pasted addresses with a report of the ones refused, remove, and export as CSV.
 * Lists belong to the domain, so department admins do not manage them (admin-reach.ts domainLevel);
 * another domain's list is FORBIDDEN. ListService enforces maxLists and audits each change; the
 * export writes an entry of its own. The built-in everyone@ is not a list row and is not shown.
 */
import { MailError } from '../core/errors.ts';
import type { ListMember, ListVisibility, MailingList, Store, StoreTx } from '../store/store.ts';
import { type Actor, recordAudit } from './actor.ts';
import { normaliseAddress, parseAddress } from './address.ts';
import { reachDomain } from './admin-reach.ts';
import type { ListService } from './lists.ts';
import { toCsv } from './user-csv.ts';

export interface ListView {
  address: string;
  description: string;
  visibility: ListVisibility;
  members: number;
  createdAt: number;
}
export interface ListDetail extends Omit<ListView, 'members'> {
  members: Array<Omit<ListMember, 'listId'>>;
}

/** A batch of pasted addresses: this many at most (a company-wide list, with room). */
export const BATCH_MEMBERS_MAX = 5000;

export class ListConsole {
  constructor(private readonly store: Store, private readonly lists: ListService) {}

  async list(actor: Actor, domainName: string): Promise<ListView[]> {
    return this.store.read(async (tx) => {
      const { domain } = await reachDomain(tx, actor, domainName, { domainLevel: true });
      const out: ListView[] = [];
      for (const l of await tx.lists.list(domain.id)) out.push({ ...view(l, domain.name), members: (await tx.lists.members(l.id)).length });
      return out.sort((a, b) => a.address.localeCompare(b.address));
    });
  }

  async get(actor: Actor, address: string): Promise<ListDetail> {
    const self = await this.reachList(actor, address);
    const info = await this.lists.show(self);
    return { ...view(info.list, self.slice(self.indexOf('@') + 1)), members: info.members.map(({ listId: _l, ...m }) => m) };
  }

  /** Adds a list (manual §1.6.2). Throws FORBIDDEN, LIMIT_REACHED (maxLists), ALREADY_EXISTS, INVALID_INPUT. */
  async add(actor: Actor, domainName: string, input: { name: string; description?: string; visibility?: ListVisibility; members?: Array<{ address: string; canSend?: boolean; canReceive?: boolean }> }): Promise<ListDetail> {
    const { domain } = await this.store.read((tx) => reachDomain(tx, actor, domainName, { domainLevel: true }));
    const info = await this.lists.add(actor, `${input.name}@${domain.name}`, { description: input.description, visibility: input.visibility, members: input.members });
    return this.get(actor, info.address);
  }

  /** Properties (manual §1.6.1 "属性"): description, public or private. */
  async update(actor: Actor, address: string, patch: { description?: string; visibility?: ListVisibility }): Promise<ListDetail> {
    const self = await this.reachList(actor, address);
    await this.lists.update(actor, self, patch);
    return this.get(actor, self);
  }

  async remove(actor: Actor, address: string): Promise<void> {
    await this.lists.remove(actor, await this.reachList(actor, address));
  }

  /**
   * Adds members from pasted text (one address a line, or separated by commas, semicolons or
   * spaces) with the same rights, or changes the rights of ones already there. Good addresses are
   * added together; the others come back with the reason.
   */
  async addMembers(actor: Actor, address: string, text: string, rights: { canSend: boolean; canReceive: boolean }): Promise<{ added: string[]; errors: Array<{ entry: string; message: string }> }> {
    const self = await this.reachList(actor, address);
    const entries = text.split(/[\s,;，；]+/).map((e) => e.trim()).filter((e) => e !== '');
    if (entries.length > BATCH_MEMBERS_MAX) throw new MailError('INVALID_INPUT', `at most ${BATCH_MEMBERS_MAX} addresses at once`, { details: { field: 'text' } });
    const good = new Set<string>();
    const errors: Array<{ entry: string; message: string }> = [];
    for (const entry of entries) {
      try {
        const a = normaliseAddress(entry);
        if (a === self) throw new MailError('INVALID_INPUT', 'a list cannot be a member of itself');
        good.add(a);
      } catch (err) {
        if (!(err instanceof MailError)) throw err;
        errors.push({ entry: entry.slice(0, 320), message: err.message });
      }
    }
    if (good.size > 0) await this.lists.addMembers(actor, self, [...good].map((a) => ({ address: a, ...rights })));
    return { added: [...good], errors };
  }

  async removeMember(actor: Actor, address: string, member: string): Promise<void> {
    await this.lists.removeMember(actor, await this.reachList(actor, address), member);
  }

  /** Every list of the domain with its members as CSV (manual §1.6.1 "导出邮件列表"), one line a member; audited. */
  async exportCsv(actor: Actor, domainName: string): Promise<string> {
    const { domain, rows } = await this.store.read(async (tx) => {
      const { domain } = await reachDomain(tx, actor, domainName, { domainLevel: true });
      const rows: Array<Array<string | boolean>> = [];
      for (const l of (await tx.lists.list(domain.id)).sort((a, b) => a.localPart.localeCompare(b.localPart))) {
        const address = `${l.localPart}@${domain.name}`;
        const members = (await tx.lists.members(l.id)).sort((a, b) => a.address.localeCompare(b.address));
        if (members.length === 0) rows.push([address, l.description, l.visibility, '', '', '']);
        for (const m of members) rows.push([address, l.description, l.visibility, m.address, m.canSend ? 'yes' : 'no', m.canReceive ? 'yes' : 'no']);
      }
      return { domain, rows };
    });
    await this.store.tx((tx: StoreTx) => recordAudit(tx, actor, 'list.export', domain.name, { lines: rows.length }));
    return toCsv(['list', 'description', 'visibility', 'member', 'canSend', 'canReceive'], rows);
  }

  /** The list's canonical address once the actor's reach in its domain is checked. Throws INVALID_INPUT, FORBIDDEN, NOT_FOUND. */
  private async reachList(actor: Actor, address: string): Promise<string> {
    let addr;
    try {
      addr = parseAddress(address);
    } catch (err) {
      throw new MailError('INVALID_INPUT', `address: ${(err as Error).message}`, { details: { field: 'address' } });
    }
    return this.store.read(async (tx) => {
      const { domain } = await reachDomain(tx, actor, addr.domain, { domainLevel: true });
      const list = await tx.lists.byAddress(domain.id, addr.localPart);
      if (!list) throw new MailError('NOT_FOUND', `mailing list ${addr.localPart}@${domain.name} does not exist`);
      return `${list.localPart}@${domain.name}`;
    });
  }
}

const view = (l: MailingList, domain: string): Omit<ListView, 'members'> =>
  ({ address: `${l.localPart}@${domain}`, description: l.description, visibility: l.visibility, createdAt: l.createdAt });
