/**
 * 企业通讯录共享 (manual part 3 §2.5.1, part 2 §1.13 其它域通讯录; FEATURES A10, W10): the super
 * administrator says which domains' users see which other domains' enterprise directories. A share
 * is one direction: "domain sees shared" (the manual's 添加共享域 on the current domain); `mutual`
 * adds both directions, and a group of domains that see each other is every pair of it both ways.
 * Nothing is shared by default. Super admin (and the system) only; each change audited with the
 * viewing domain as target. What a user then sees is contacts/enterprise.ts; the customer book is
 * never shared by this.
 */
import { MailError } from '../core/errors.ts';
import type { Domain, Store, StoreTx } from '../store/store.ts';
import { type Actor, recordAudit } from './actor.ts';
import { displayDomain, normaliseDomain } from './address.ts';
import { findDomain } from './lookup.ts';
import { requireSuper } from './super-admin.ts';

export interface DirectoryShareView {
  /** The domain whose users see (ASCII). */
  domain: string;
  /** The domains whose directories they see, by name. */
  sees: string[];
}

export class DirectoryShares {
  constructor(private readonly store: Store) {}

  /** Every domain with the domains it sees (empty list: none), by name. */
  async list(actor: Actor): Promise<DirectoryShareView[]> {
    requireSuper(actor);
    return this.store.read(async (tx) => {
      const domains = await tx.domains.list();
      const names = new Map(domains.map((d) => [d.id, d.name]));
      const sees = new Map<string, string[]>();
      for (const s of await tx.directoryShares.list()) {
        const from = names.get(s.domainId);
        const to = names.get(s.sharedDomainId);
        if (from && to) sees.set(from, [...(sees.get(from) ?? []), to]);
      }
      return domains.map((d) => d.name).sort().map((name) => ({ domain: name, sees: (sees.get(name) ?? []).sort() }));
    });
  }

  /** Lets the users of `domain` see the directories of `shared` (and, mutual, the other way too). Returns how many shares are new. */
  async add(actor: Actor, domainName: string, sharedNames: readonly string[], mutual = false): Promise<number> {
    requireSuper(actor);
    if (sharedNames.length === 0) throw new MailError('INVALID_INPUT', 'shared: name at least one domain', { details: { field: 'shared' } });
    return this.store.tx(async (tx) => {
      const domain = await requireNamed(tx, domainName, 'domain');
      let n = 0;
      for (const name of sharedNames) {
        const other = await requireNamed(tx, name, 'shared');
        if (other.id === domain.id) throw new MailError('INVALID_INPUT', `shared: ${displayDomain(other.name)} always sees its own directory`, { details: { field: 'shared' } });
        if (await tx.directoryShares.add(domain.id, other.id)) n++;
        if (mutual && (await tx.directoryShares.add(other.id, domain.id))) n++;
      }
      await recordAudit(tx, actor, 'directory.share', domain.name, { shared: sharedNames, mutual, added: n });
      return n;
    });
  }

  /** Stops the users of `domain` seeing the directory of `shared` (mutual: both ways). */
  async remove(actor: Actor, domainName: string, sharedName: string, mutual = false): Promise<number> {
    requireSuper(actor);
    return this.store.tx(async (tx) => {
      const domain = await requireNamed(tx, domainName, 'domain');
      const other = await requireNamed(tx, sharedName, 'shared');
      let n = (await tx.directoryShares.remove(domain.id, other.id)) ? 1 : 0;
      if (mutual && (await tx.directoryShares.remove(other.id, domain.id))) n++;
      if (n === 0) throw new MailError('NOT_FOUND', `${displayDomain(domain.name)} does not see ${displayDomain(other.name)}`);
      await recordAudit(tx, actor, 'directory.unshare', domain.name, { shared: other.name, mutual, removed: n });
      return n;
    });
  }
}

async function requireNamed(tx: StoreTx, name: string, field: string): Promise<Domain> {
  let ascii: string;
  try {
    ascii = normaliseDomain(name);
  } catch {
    throw new MailError('INVALID_INPUT', `${field}: "${name}" is not a domain name`, { details: { field } });
  }
  const found = await findDomain(tx, ascii);
  if (!found || found.alias !== null) throw new MailError('NOT_FOUND', `domain ${displayDomain(ascii)} does not exist`, { details: { field } });
  return found.domain;
}
