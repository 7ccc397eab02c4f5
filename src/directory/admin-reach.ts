/**
 * What a console admin reaches in one domain (issue #14; FEATURES A1, A5): the one check every
 * console service makes on entry. A domain out of reach is FORBIDDEN whether it exists or not (a
 * super admin, who reaches every domain, is told NOT_FOUND); a mailbox user reaches no domain. A
 * department admin reaches the users and sub-departments of their unit ("subtree"); domain-level
 * screens (domain information, department admins, mailing lists, the operation log) ask for
 * `domainLevel` and refuse department admins. Also the tree helpers the console services share.
 * Not here: the rule itself (auth/permissions.ts), what each screen does with the reach.
 */
import { MailError } from '../core/errors.ts';
import type { OrgUnitId } from '../core/ids.ts';
import { mayManageDirectory, mayManageDomain } from '../auth/permissions.ts';
import type { Domain, OrgUnit, StoreTx } from '../store/store.ts';
import type { Actor } from './actor.ts';
import { normaliseDomain } from './address.ts';
import { findDomain } from './lookup.ts';

export interface Reach {
  domain: Domain;
  units: OrgUnit[];
  /** A department admin's units (theirs first, then those below); null: the whole domain. */
  subtree: Set<OrgUnitId> | null;
}

/**
 * The actor's reach in the domain. Throws INVALID_INPUT (not a domain name, field 'domain'),
 * FORBIDDEN (out of reach; with domainLevel, also for a department admin), NOT_FOUND (super admin).
 */
export async function reachDomain(tx: StoreTx, actor: Actor, domainName: string, opts: { domainLevel?: boolean } = {}): Promise<Reach> {
  if (actor.role.kind === 'user') throw new MailError('FORBIDDEN', 'a mailbox user manages no domain');
  let ascii: string;
  try {
    ascii = normaliseDomain(domainName);
  } catch {
    throw new MailError('INVALID_INPUT', `domain: "${domainName}" is not a domain name`, { details: { field: 'domain' } });
  }
  const found = await findDomain(tx, ascii);
  const domain = found?.alias === null ? found.domain : undefined;
  if (!domain || !mayManageDirectory(actor, { domainId: domain.id })) {
    if (actor.role.kind === 'super' || actor.role.kind === 'system') throw new MailError('NOT_FOUND', `domain ${ascii} does not exist`);
    throw new MailError('FORBIDDEN', `domain ${ascii} is not yours to manage`);
  }
  if (opts.domainLevel && !mayManageDomain(actor, domain.id)) {
    throw new MailError('FORBIDDEN', `only the domain's administrators manage this in ${ascii}`);
  }
  const units = await tx.orgUnits.list(domain.id);
  const subtree = actor.role.kind === 'department' ? descendants(units, actor.role.orgUnitId) : null;
  return { domain, units, subtree };
}

/** The unit and every unit below it; the first is the unit itself. */
export function descendants(units: readonly OrgUnit[], root: OrgUnitId): Set<OrgUnitId> {
  const out = new Set<OrgUnitId>([root]);
  for (let grew = true; grew;) {
    grew = false;
    for (const u of units) if (u.parentId !== null && out.has(u.parentId) && !out.has(u.id)) { out.add(u.id); grew = true; }
  }
  return out;
}

/** The unit and every unit above it, nearest first (auth/permissions.ts DirectoryTarget.orgUnits). */
export function chainOf(units: readonly OrgUnit[], id: OrgUnitId | null): OrgUnitId[] {
  const byId = new Map(units.map((u) => [u.id, u]));
  const out: OrgUnitId[] = [];
  for (let u = id === null ? undefined : byId.get(id); u && !out.includes(u.id); u = u.parentId === null ? undefined : byId.get(u.parentId)) out.push(u.id);
  return out;
}

/** The department's path, '/'-separated from the top ("研发部/前端组"). */
export function pathOf(units: readonly OrgUnit[], id: OrgUnitId): string {
  const byId = new Map(units.map((u) => [u.id, u]));
  return chainOf(units, id).reverse().map((i) => byId.get(i)!.name).join('/');
}
