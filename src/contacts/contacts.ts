/**
 * Personal contacts and groups (FEATURES W8, manual part 2 §1.10): list and search, add, edit,
 * delete, groups and their members, "add these addresses" (from the enterprise directory or a
 * message's sender), and the addresses of a group for "mail the whole group". Every method checks
 * on entry that the actor may reach the owner's personal data (auth/permissions.ts) and resolves
 * each id under the owner: another user's contact or group id is NOT_FOUND, like one that does not
 * exist. Changes to one's own address book are not audited (they are not admin changes).
 * Import and export live in contact-transfer.ts, autocomplete and the directory in enterprise.ts.
 */
import { MailError } from '../core/errors.ts';
import type { ContactGroupId, ContactId, UserId } from '../core/ids.ts';
import type { Actor } from '../directory/actor.ts';
import { mayReachPersonal } from '../auth/permissions.ts';
import type { Contact, ContactGroup, Store, StoreTx } from '../store/store.ts';
import { checkContact, checkContactPatch, checkGroupName, type ContactInput } from './contact-input.ts';

/** At most this many contacts in one address book (an import stops short of it). */
export const MAX_CONTACTS = 10_000;
/** Ids per batch request (delete, membership). */
export const MAX_IDS = 1000;
export const DEFAULT_PAGE_SIZE = 30;
export const MAX_PAGE_SIZE = 200;

export interface ContactListQuery {
  search?: string;
  groupId?: ContactGroupId;
  /** From 1. */
  page?: number;
  pageSize?: number;
}

export interface ContactPage {
  total: number;
  page: number;
  pageSize: number;
  contacts: Contact[];
}

/** Refuses an actor who may not reach the owner's personal data, as NOT_FOUND (ids reveal nothing). */
export function requireOwner(actor: Actor, userId: UserId): void {
  if (!mayReachPersonal(actor, userId)) throw new MailError('NOT_FOUND', `no address book #${userId} for ${actor.who}`);
}

export async function requireGroup(tx: StoreTx, userId: UserId, id: ContactGroupId): Promise<ContactGroup> {
  const g = await tx.contacts.getGroup(userId, id);
  if (!g) throw new MailError('NOT_FOUND', `contact group #${id} does not exist`);
  return g;
}

async function requireGroups(tx: StoreTx, userId: UserId, ids: readonly ContactGroupId[]): Promise<void> {
  for (const id of new Set(ids)) await requireGroup(tx, userId, id);
}

/** All of ids must be the owner's contacts (all or nothing). */
async function requireContacts(tx: StoreTx, userId: UserId, ids: readonly ContactId[]): Promise<Contact[]> {
  if (ids.length > MAX_IDS) throw new MailError('INVALID_INPUT', `ids: at most ${MAX_IDS}`, { details: { field: 'ids' } });
  const found = await tx.contacts.getMany(userId, ids);
  const have = new Set(found.map((c) => c.id));
  const missing = ids.find((id) => !have.has(id));
  if (missing !== undefined) throw new MailError('NOT_FOUND', `contact #${missing} does not exist`);
  return found;
}

export async function requireRoom(tx: StoreTx, userId: UserId, adding: number): Promise<void> {
  if ((await tx.contacts.count(userId)) + adding > MAX_CONTACTS) {
    throw new MailError('LIMIT_REACHED', `an address book holds at most ${MAX_CONTACTS} contacts`);
  }
}

export class ContactService {
  constructor(private readonly store: Store) {}

  /** A page of the owner's contacts, by name, optionally searched and/or of one group. */
  async list(actor: Actor, userId: UserId, q: ContactListQuery = {}): Promise<ContactPage> {
    requireOwner(actor, userId);
    const pageSize = Math.min(Math.max(q.pageSize ?? DEFAULT_PAGE_SIZE, 1), MAX_PAGE_SIZE);
    const page = Math.max(q.page ?? 1, 1);
    const search = q.search?.trim() || undefined;
    return this.store.read(async (tx) => {
      if (q.groupId !== undefined) await requireGroup(tx, userId, q.groupId);
      const filter = { search, groupId: q.groupId };
      const [total, contacts] = [await tx.contacts.count(userId, filter), await tx.contacts.list(userId, { ...filter, offset: (page - 1) * pageSize, limit: pageSize })];
      return { total, page, pageSize, contacts };
    });
  }

  async get(actor: Actor, userId: UserId, id: ContactId): Promise<Contact> {
    requireOwner(actor, userId);
    const c = await this.store.read((tx) => tx.contacts.get(userId, id));
    if (!c) throw new MailError('NOT_FOUND', `contact #${id} does not exist`);
    return c;
  }

  /** Adds a contact. Throws INVALID_INPUT naming the field, NOT_FOUND (a group), LIMIT_REACHED. */
  async create(actor: Actor, userId: UserId, input: ContactInput, groupIds: readonly ContactGroupId[] = []): Promise<Contact> {
    requireOwner(actor, userId);
    const fields = checkContact(input);
    return this.store.tx(async (tx) => {
      if (!(await tx.users.get(userId))) throw new MailError('NOT_FOUND', `user #${userId} does not exist`);
      await requireGroups(tx, userId, groupIds);
      await requireRoom(tx, userId, 1);
      return tx.contacts.create(userId, fields, groupIds);
    });
  }

  /** Changes the fields given (and with groupIds, the contact's groups). */
  async update(actor: Actor, userId: UserId, id: ContactId, input: ContactInput, groupIds?: readonly ContactGroupId[]): Promise<Contact> {
    requireOwner(actor, userId);
    const patch = checkContactPatch(input);
    return this.store.tx(async (tx) => {
      if (groupIds) await requireGroups(tx, userId, groupIds);
      const c = await tx.contacts.update(userId, id, patch, groupIds);
      if (!c) throw new MailError('NOT_FOUND', `contact #${id} does not exist`);
      return c;
    });
  }

  /** Deletes contacts: all of them or, when one is not the owner's, none (NOT_FOUND). */
  async remove(actor: Actor, userId: UserId, ids: readonly ContactId[]): Promise<number> {
    requireOwner(actor, userId);
    return this.store.tx(async (tx) => {
      await requireContacts(tx, userId, ids);
      return tx.contacts.delete(userId, ids);
    });
  }

  async groups(actor: Actor, userId: UserId): Promise<ContactGroup[]> {
    requireOwner(actor, userId);
    return this.store.read((tx) => tx.contacts.groups(userId));
  }

  /** A new group, with its first members. Throws ALREADY_EXISTS (name), NOT_FOUND (a contact). */
  async createGroup(actor: Actor, userId: UserId, name: string, contactIds: readonly ContactId[] = []): Promise<ContactGroup> {
    requireOwner(actor, userId);
    const clean = checkGroupName(name);
    return this.store.tx(async (tx) => {
      if (!(await tx.users.get(userId))) throw new MailError('NOT_FOUND', `user #${userId} does not exist`);
      await requireContacts(tx, userId, contactIds);
      const g = await tx.contacts.createGroup(userId, clean);
      if (contactIds.length > 0) await tx.contacts.addMembers(userId, g.id, contactIds);
      return requireGroup(tx, userId, g.id);
    });
  }

  async renameGroup(actor: Actor, userId: UserId, id: ContactGroupId, name: string): Promise<ContactGroup> {
    requireOwner(actor, userId);
    const clean = checkGroupName(name);
    return this.store.tx(async (tx) => {
      const g = await tx.contacts.renameGroup(userId, id, clean);
      if (!g) throw new MailError('NOT_FOUND', `contact group #${id} does not exist`);
      return g;
    });
  }

  /** Deletes a group; its contacts stay. */
  async deleteGroup(actor: Actor, userId: UserId, id: ContactGroupId): Promise<void> {
    requireOwner(actor, userId);
    await this.store.tx(async (tx) => {
      if (!(await tx.contacts.deleteGroup(userId, id))) throw new MailError('NOT_FOUND', `contact group #${id} does not exist`);
    });
  }

  /** Puts contacts into a group (those already in it stay); returns how many joined. */
  async addMembers(actor: Actor, userId: UserId, groupId: ContactGroupId, ids: readonly ContactId[]): Promise<number> {
    requireOwner(actor, userId);
    return this.store.tx(async (tx) => {
      await requireGroup(tx, userId, groupId);
      await requireContacts(tx, userId, ids);
      return (await tx.contacts.addMembers(userId, groupId, ids)) ?? 0;
    });
  }

  /** Takes contacts out of a group; returns how many left it. */
  async removeMembers(actor: Actor, userId: UserId, groupId: ContactGroupId, ids: readonly ContactId[]): Promise<number> {
    requireOwner(actor, userId);
    return this.store.tx(async (tx) => {
      await requireGroup(tx, userId, groupId);
      await requireContacts(tx, userId, ids);
      return (await tx.contacts.removeMembers(userId, groupId, ids)) ?? 0;
    });
  }

  /** The main address of every contact in a group (manual §1.10.6 "发邮件给整个联系组"), as "Name <address>". */
  async groupRecipients(actor: Actor, userId: UserId, groupId: ContactGroupId): Promise<Array<{ name: string; address: string }>> {
    requireOwner(actor, userId);
    return this.store.read(async (tx) => {
      await requireGroup(tx, userId, groupId);
      return (await tx.contacts.list(userId, { groupId })).map((c) => ({ name: c.name, address: c.emails[0]! }));
    });
  }

  /**
   * Adds people by address (manual §1.11 "将选择的人员添加到个人通讯录", W5 "add sender to
   * contacts"): an address already in the book is left as it is. All or nothing.
   */
  async addAddresses(actor: Actor, userId: UserId, people: ReadonlyArray<{ name?: string; email: string }>, groupId?: ContactGroupId):
    Promise<{ added: number; existing: number }> {
    requireOwner(actor, userId);
    if (people.length > MAX_IDS) throw new MailError('INVALID_INPUT', `people: at most ${MAX_IDS}`, { details: { field: 'people' } });
    const checked = people.map((p, i) => {
      try {
        return checkContact({ name: p.name ?? '', emails: [p.email] });
      } catch (err) {
        if (err instanceof MailError && typeof err.details?.field === 'string') {
          const field = `people.${i}.${err.details.field === 'emails.0' || err.details.field === 'emails' ? 'email' : err.details.field}`;
          throw new MailError('INVALID_INPUT', `${field}: ${err.message.replace(/^[^:]*: /, '')}`, { details: { field } });
        }
        throw err;
      }
    });
    return this.store.tx(async (tx) => {
      if (!(await tx.users.get(userId))) throw new MailError('NOT_FOUND', `user #${userId} does not exist`);
      if (groupId !== undefined) await requireGroup(tx, userId, groupId);
      let added = 0;
      let existing = 0;
      for (const f of checked) {
        const have = await tx.contacts.byEmail(userId, f.emails[0]!);
        if (have.length > 0) {
          existing++;
          if (groupId !== undefined) await tx.contacts.addMembers(userId, groupId, have.map((c) => c.id));
          continue;
        }
        await requireRoom(tx, userId, 1);
        await tx.contacts.create(userId, f, groupId === undefined ? [] : [groupId]);
        added++;
      }
      return { added, existing };
    });
  }
}
