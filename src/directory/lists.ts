/**
 * Mailing lists (manual part 3 §1.6; FEATURES P12): an address in one of our domains whose mail goes
 * to its members. Each member has send and receive rights ("只收、只发或收发都可以"); a private list
 * takes posts only from members with canSend, a public one from anyone. Members may be any address,
 * including other lists (expanded at delivery by resolve.ts). The domain's maxLists caps how many
 * lists it has (0 = unlimited). The built-in everyone@domain is not a row: resolve.ts provides it.
 */
import { MailError } from '../core/errors.ts';
import { systemClock, type Clock } from '../core/clock.ts';
import type { Domain, ListMember, ListVisibility, MailingList, Store, StoreTx } from '../store/store.ts';
import { type Actor, recordAudit } from './actor.ts';
import { normaliseAddress, parseAddress } from './address.ts';
import { domainLabel, effectiveDomainStatus, findDomain, requireAddressFree, requireDomain, type DomainRef, requireDomainOpen } from './lookup.ts';

export interface MemberInput {
  address: string;
  /** Default true. */
  canSend?: boolean;
  /** Default true. */
  canReceive?: boolean;
}

export interface ListOptions {
  description?: string;
  /** Default 'public'. */
  visibility?: ListVisibility;
  members?: Array<string | MemberInput>;
}

export interface ListInfo {
  list: MailingList;
  address: string;
  members: ListMember[];
}

const VISIBILITIES: readonly ListVisibility[] = ['public', 'private'];

export class ListService {
  constructor(private readonly store: Store, private readonly clock: Clock = systemClock) {}

  /**
   * Creates a list with its first members. Throws NOT_FOUND (domain not ours), FORBIDDEN (domain not
   * valid), LIMIT_REACHED (maxLists), ALREADY_EXISTS (address taken), INVALID_INPUT.
   */
  async add(actor: Actor, address: string, opts: ListOptions = {}): Promise<ListInfo> {
    const addr = parseAddress(address);
    checkVisibility(opts.visibility);
    const self = `${addr.localPart}@${addr.domain}`;
    const members = normaliseMembers(self, opts.members ?? []);
    return this.store.tx(async (tx) => {
      const domain = await requireDomain(tx, addr.domain);
      requireDomainOpen(domain, this.clock.now());
      await requireAddressFree(tx, domain, addr.localPart);
      await tx.domains.lock(domain.id); // concurrent adds on other nodes wait, so maxLists holds
      const usage = await tx.domains.usage(domain.id);
      if (domain.maxLists > 0 && usage.lists >= domain.maxLists) {
        throw new MailError('LIMIT_REACHED',
          `domain ${domainLabel(domain)} has reached its limit of ${domain.maxLists} mailing lists`, { details: { field: 'maxLists' } });
      }
      const list = await tx.lists.create({
        domainId: domain.id, localPart: addr.localPart,
        description: opts.description ?? '', visibility: opts.visibility ?? 'public',
      });
      for (const m of members) await tx.lists.putMember({ listId: list.id, ...m });
      await recordAudit(tx, actor, 'list.create', self, {
        description: list.description, visibility: list.visibility, members: members.map((m) => m.address),
      });
      return { list, address: self, members: await tx.lists.members(list.id) };
    });
  }

  /** Changes description and/or visibility. Throws NOT_FOUND, INVALID_INPUT. */
  async update(actor: Actor, address: string, patch: Pick<ListOptions, 'description' | 'visibility'>): Promise<MailingList> {
    checkVisibility(patch.visibility);
    return this.store.tx(async (tx) => {
      const { list, address: self } = await requireList(tx, address);
      const changes = Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined));
      const updated = await tx.lists.update(list.id, changes);
      if (!updated) throw new MailError('NOT_FOUND', `mailing list ${self} does not exist`);
      await recordAudit(tx, actor, 'list.update', self, changes);
      return updated;
    });
  }

  /** Deletes a list and its memberships. Throws NOT_FOUND. */
  async remove(actor: Actor, address: string): Promise<void> {
    await this.store.tx(async (tx) => {
      const { list, address: self } = await requireList(tx, address);
      const members = await tx.lists.members(list.id);
      await tx.lists.delete(list.id);
      await recordAudit(tx, actor, 'list.delete', self, { members: members.length });
    });
  }

  /** Adds a member, or changes the rights of an existing one. Throws NOT_FOUND, INVALID_INPUT. */
  async addMember(actor: Actor, list: string, member: string, rights: Omit<MemberInput, 'address'> = {}): Promise<void> {
    await this.addMembers(actor, list, [{ address: member, ...rights }]);
  }

  /** Batch form of addMember (manual §1.6.1 "批量添加"): all or nothing, one audit entry. */
  async addMembers(actor: Actor, list: string, members: Array<string | MemberInput>): Promise<void> {
    await this.store.tx(async (tx) => {
      const found = await requireList(tx, list);
      const clean = normaliseMembers(found.address, members);
      for (const m of clean) await tx.lists.putMember({ listId: found.list.id, ...m });
      await recordAudit(tx, actor, 'list.member.add', found.address, { members: clean });
    });
  }

  /** Removes a member. Throws NOT_FOUND when the list or the membership does not exist. */
  async removeMember(actor: Actor, list: string, member: string): Promise<void> {
    const memberAddress = normaliseAddress(member);
    await this.store.tx(async (tx) => {
      const found = await requireList(tx, list);
      if (!(await tx.lists.removeMember(found.list.id, memberAddress))) {
        throw new MailError('NOT_FOUND', `${memberAddress} is not a member of ${found.address}`);
      }
      await recordAudit(tx, actor, 'list.member.remove', found.address, { member: memberAddress });
    });
  }

  /** The list with its members. Throws NOT_FOUND. */
  async show(address: string): Promise<ListInfo> {
    return this.store.read(async (tx) => {
      const found = await requireList(tx, address);
      const members = (await tx.lists.members(found.list.id)).sort((a, b) => a.address.localeCompare(b.address));
      return { ...found, members };
    });
  }

  /** Lists of one domain or of all, sorted by address (members not loaded). */
  async list(domain?: DomainRef): Promise<Array<{ list: MailingList; address: string }>> {
    return this.store.read(async (tx) => {
      const only = domain === undefined ? undefined : await requireDomain(tx, domain);
      const domains = new Map((await tx.domains.list()).map((d) => [d.id, d]));
      return (await tx.lists.list(only?.id))
        .flatMap((l) => {
          const d = domains.get(l.domainId);
          return d ? [{ list: l, address: `${l.localPart}@${d.name}` }] : [];
        })
        .sort((a, b) => a.address.localeCompare(b.address));
    });
  }
}

/** The list at address (also written with a domain alias). Throws NOT_FOUND. */
async function requireList(tx: StoreTx, address: string): Promise<{ list: MailingList; address: string; domain: Domain }> {
  const addr = parseAddress(address);
  const found = await findDomain(tx, addr.domain);
  const list = found && (await tx.lists.byAddress(found.domain.id, addr.localPart));
  if (!list || !found) throw new MailError('NOT_FOUND', `mailing list ${addr.localPart}@${domainLabel(addr.domain)} does not exist`);
  return { list, address: `${list.localPart}@${found.domain.name}`, domain: found.domain };
}

function normaliseMembers(self: string, members: Array<string | MemberInput>): Array<Omit<ListMember, 'listId'>> {
  const byAddress = new Map<string, Omit<ListMember, 'listId'>>();
  for (const m of members) {
    const input = typeof m === 'string' ? { address: m } : m;
    const address = normaliseAddress(input.address);
    if (address === self) throw new MailError('INVALID_INPUT', `mailing list ${self} cannot be a member of itself`);
    byAddress.set(address, { address, canSend: input.canSend ?? true, canReceive: input.canReceive ?? true });
  }
  return [...byAddress.values()];
}

function checkVisibility(v: ListVisibility | undefined): void {
  if (v !== undefined && !VISIBILITIES.includes(v)) {
    throw new MailError('INVALID_INPUT', `visibility must be one of ${VISIBILITIES.join(', ')}`);
  }
}
