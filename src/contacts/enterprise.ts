/**
 * The enterprise address book as a webmail user reads it (FEATURES W9, manual part 2 §1.11): the
 * org unit tree of the user's own domain (directory/orgs.ts order: display order, then name) with
 * each unit's users, the users in no unit, and the mailing lists the user may send to; and
 * autocomplete for compose, which merges the personal book with that directory.
 * Left out: users hidden from the directory ("不显示在企业通讯录") and accounts still pending
 * approval. A list is one the user may send to when it is public, or private with the user a
 * member holding the send right (directory/lists.ts). Read-only: admins edit the directory.
 * Other domains' directories (其它域通讯录, W10, manual part 2 §1.13): a user also reads the tree of
 * each domain the super admin shared with theirs (directory/directory-shares.ts; nothing by
 * default), without its lists; another domain is FORBIDDEN. Autocomplete also offers the users of
 * those domains and the entries of the own domain's customer book (customers.ts).
 */
import type { DomainId, OrgUnitId, UserId } from '../core/ids.ts';
import { MailError } from '../core/errors.ts';
import type { Actor } from '../directory/actor.ts';
import { displayDomain, normaliseDomain } from '../directory/address.ts';
import type { Domain, OrgUnit, Store, StoreTx, User } from '../store/store.ts';
import { requireOwner } from './contacts.ts';

export interface DirectoryPerson {
  name: string;
  address: string;
}
export interface DirectoryUnit {
  id: OrgUnitId;
  name: string;
  users: DirectoryPerson[];
  children: DirectoryUnit[];
}
export interface DirectoryList {
  address: string;
  description: string;
}
export interface DirectoryTree {
  /** The domain's name (ASCII). */
  domain: string;
  units: DirectoryUnit[];
  /** Users in no org unit. */
  unassigned: DirectoryPerson[];
  lists: DirectoryList[];
}

export type SuggestionSource = 'personal' | 'directory' | 'list' | 'customer';
export interface Suggestion {
  name: string;
  address: string;
  source: SuggestionSource;
}

export const MAX_SUGGESTIONS = 50;
const collator = new Intl.Collator('zh-Hans-CN');
const SOURCE_ORDER: Record<SuggestionSource, number> = { personal: 0, directory: 1, list: 2, customer: 3 };

const isListed = (u: User): boolean => !u.hiddenFromDirectory && u.status !== 'pending';
const person = (u: User, domain: Domain): DirectoryPerson => ({ name: u.realName || u.localPart, address: `${u.localPart}@${domain.name}` });
const byName = (a: DirectoryPerson, b: DirectoryPerson): number => collator.compare(a.name, b.name) || a.address.localeCompare(b.address);

async function ownerAndDomain(tx: StoreTx, userId: UserId): Promise<{ user: User; domain: Domain }> {
  const user = await tx.users.get(userId);
  const domain = user && (await tx.domains.get(user.domainId));
  if (!user || !domain) throw new MailError('NOT_FOUND', `user #${userId} does not exist`);
  return { user, domain };
}

/** The domain's lists the user may send to, by address. */
async function sendableLists(tx: StoreTx, user: User, domain: Domain): Promise<DirectoryList[]> {
  const self = `${user.localPart}@${domain.name}`;
  const out: DirectoryList[] = [];
  for (const l of await tx.lists.list(domain.id)) {
    const mayPost = l.visibility === 'public' || (await tx.lists.members(l.id)).some((m) => m.address === self && m.canSend);
    if (mayPost) out.push({ address: `${l.localPart}@${domain.name}`, description: l.description });
  }
  return out.sort((a, b) => a.address.localeCompare(b.address));
}

/** The domains whose directories the user's domain was given, by name. */
async function sharedDomains(tx: StoreTx, domainId: DomainId): Promise<Domain[]> {
  const out: Domain[] = [];
  for (const id of await tx.directoryShares.sharedWith(domainId)) {
    const d = await tx.domains.get(id);
    if (d) out.push(d);
  }
  return out.sort((a, b) => a.name.localeCompare(b.name));
}

export class EnterpriseDirectory {
  constructor(private readonly store: Store) {}

  /** The domains whose directories the owner may read: their own first, then those shared with it. */
  async domains(actor: Actor, userId: UserId): Promise<Array<{ name: string; displayName: string; own: boolean }>> {
    requireOwner(actor, userId);
    return this.store.read(async (tx) => {
      const { domain } = await ownerAndDomain(tx, userId);
      return [domain, ...await sharedDomains(tx, domain.id)].map((d) => ({ name: d.name, displayName: displayDomain(d.name), own: d.id === domain.id }));
    });
  }

  /**
   * The owner's domain as a tree of org units with their users, plus the lists the owner may send to;
   * with `domainName`, that domain's tree (no lists) when it is shared with the owner's, else FORBIDDEN.
   */
  async tree(actor: Actor, userId: UserId, domainName?: string): Promise<DirectoryTree> {
    requireOwner(actor, userId);
    return this.store.read(async (tx) => {
      const own = await ownerAndDomain(tx, userId);
      const { user } = own;
      const domain = domainName === undefined ? own.domain : await sharedDomain(tx, own.domain, domainName);
      const units = await tx.orgUnits.list(domain.id);
      const users = (await tx.users.list({ domainId: domain.id })).filter(isListed);
      const nodes = new Map<OrgUnitId, DirectoryUnit & { unit: OrgUnit }>(units.map((u) => [u.id, { id: u.id, name: u.name, users: [], children: [], unit: u }]));
      const unassigned: DirectoryPerson[] = [];
      for (const u of users) {
        const node = u.orgUnitId === null ? undefined : nodes.get(u.orgUnitId);
        (node ? node.users : unassigned).push(person(u, domain));
      }
      const roots: Array<DirectoryUnit & { unit: OrgUnit }> = [];
      for (const n of nodes.values()) {
        const parent = n.unit.parentId === null ? undefined : nodes.get(n.unit.parentId);
        (parent ? parent.children : roots).push(n);
      }
      const finish = (list: Array<DirectoryUnit & { unit?: OrgUnit }>): DirectoryUnit[] => list
        .sort((a, b) => a.unit!.sortOrder - b.unit!.sortOrder || collator.compare(a.name, b.name))
        .map((n) => ({ id: n.id, name: n.name, users: n.users.sort(byName), children: finish(n.children as Array<DirectoryUnit & { unit?: OrgUnit }>) }));
      const lists = domain.id === own.domain.id ? await sendableLists(tx, user, domain) : [];
      return { domain: domain.name, units: finish(roots), unassigned: unassigned.sort(byName), lists };
    });
  }

  /**
   * Addresses for compose's recipient fields: personal contacts (each address of a match), users of
   * the owner's domain and the lists the owner may send to, whose name or address contains `prefix`
   * (case-insensitive). Names or addresses that start with it come first, then personal before
   * directory before lists, then by name; each address once.
   */
  async autocomplete(actor: Actor, userId: UserId, prefix: string, limit = 10): Promise<Suggestion[]> {
    requireOwner(actor, userId);
    const q = prefix.trim().toLowerCase();
    const max = Math.min(Math.max(limit, 1), MAX_SUGGESTIONS);
    if (q === '') return [];
    return this.store.read(async (tx) => {
      const { user, domain } = await ownerAndDomain(tx, userId);
      const found: Suggestion[] = [];
      for (const c of await tx.contacts.list(userId, { search: q, limit: 100 })) {
        for (const address of c.emails) found.push({ name: c.name, address, source: 'personal' });
      }
      for (const u of await tx.users.list({ domainId: domain.id, search: q, limit: 200 })) {
        if (isListed(u)) found.push({ ...person(u, domain), source: 'directory' });
      }
      for (const l of await sendableLists(tx, user, domain)) found.push({ name: l.description || l.address, address: l.address, source: 'list' });
      for (const other of await sharedDomains(tx, domain.id)) {
        for (const u of await tx.users.list({ domainId: other.id, search: q, limit: 200 })) {
          if (isListed(u)) found.push({ ...person(u, other), source: 'directory' });
        }
      }
      for (const c of await tx.customers.list(domain.id, { search: q, limit: 100 })) found.push({ name: c.name, address: c.email, source: 'customer' });

      const starts = (s: Suggestion): number => (s.name.toLowerCase().startsWith(q) || s.address.toLowerCase().startsWith(q) ? 0 : 1);
      const matches = (s: Suggestion): boolean => s.name.toLowerCase().includes(q) || s.address.toLowerCase().includes(q);
      const seen = new Set<string>();
      return found.filter(matches)
        .sort((a, b) => starts(a) - starts(b) || SOURCE_ORDER[a.source] - SOURCE_ORDER[b.source] || collator.compare(a.name, b.name))
        .filter((s) => {
          const k = s.address.toLowerCase();
          if (seen.has(k)) return false;
          seen.add(k);
          return true;
        })
        .slice(0, max);
    });
  }
}

/** The domain named, when its directory is shared with `own` (or is own). FORBIDDEN otherwise, whether it exists or not. */
async function sharedDomain(tx: StoreTx, own: Domain, name: string): Promise<Domain> {
  let ascii: string;
  try {
    ascii = normaliseDomain(name);
  } catch {
    throw new MailError('INVALID_INPUT', `domain: "${name}" is not a domain name`, { details: { field: 'domain' } });
  }
  if (ascii === own.name) return own;
  const found = (await sharedDomains(tx, own.id)).find((d) => d.name === ascii);
  if (!found) throw new MailError('FORBIDDEN', `the directory of ${displayDomain(ascii)} is not shared with ${displayDomain(own.name)}`);
  return found;
}
