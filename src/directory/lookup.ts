/**
 * Directory look-ups shared by the services, always inside a caller's transaction: a domain by name
 * or id (optionally through a domain alias), its effective status, and which kind of object owns an
 * address. No rules about what may change live here; the services decide.
 */
import { MailError } from '../core/errors.ts';
import type { DomainId } from '../core/ids.ts';
import type { Domain, DomainStatus, StoreTx } from '../store/store.ts';
import { displayDomain, normaliseDomain } from './address.ts';

/** A domain named by its (ASCII or Unicode) name or by its id. */
export type DomainRef = string | DomainId;

/**
 * The status people see: a domain whose expiry date has passed is 'expired' even while the stored
 * status still says 'valid' (manual part 3 §1.3.1). 'invalid' is never overridden.
 */
export function effectiveDomainStatus(domain: Domain, now: number): DomainStatus {
  if (domain.status === 'valid' && domain.expiresAt !== null && domain.expiresAt < now) return 'expired';
  return domain.status;
}

/**
 * Refuses to create anything in a domain that is not valid (FEATURES A10 limits): FORBIDDEN naming
 * the limit, field 'expiresAt' when the expiry date has passed, 'status' when it was set invalid.
 */
export function requireDomainOpen(domain: Domain, now: number): void {
  const status = effectiveDomainStatus(domain, now);
  if (status === 'valid') return;
  const field = status === 'expired' && domain.status === 'valid' ? 'expiresAt' : 'status';
  const why = field === 'expiresAt' ? `expired on ${new Date(domain.expiresAt!).toISOString().slice(0, 10)}` : `${status} (status)`;
  throw new MailError('FORBIDDEN', `domain ${domainLabel(domain)} is ${why}`, { details: { field } });
}

/** The domain's name for messages to people: Unicode for IDNs. */
export const domainLabel = (d: Domain | string): string => displayDomain(typeof d === 'string' ? d : d.name);

/**
 * The domain called `asciiName` (already normalised), or the domain it is an alias of.
 * `alias` is the alias name when the look-up went through one.
 */
export async function findDomain(tx: StoreTx, asciiName: string): Promise<{ domain: Domain; alias: string | null } | undefined> {
  const direct = await tx.domains.byName(asciiName);
  if (direct) return { domain: direct, alias: null };
  const alias = await tx.domainAliases.get(asciiName);
  if (!alias) return undefined;
  const target = await tx.domains.get(alias.domainId);
  return target ? { domain: target, alias: asciiName } : undefined;
}

/**
 * The domain itself (never through an alias). Throws INVALID_INPUT for a malformed name and
 * NOT_FOUND naming the domain, or saying which domain it is an alias of.
 */
export async function requireDomain(tx: StoreTx, ref: DomainRef): Promise<Domain> {
  if (typeof ref === 'number') {
    const byId = await tx.domains.get(ref);
    if (!byId) throw new MailError('NOT_FOUND', `domain #${ref} does not exist`);
    return byId;
  }
  const name = normaliseDomain(ref);
  const domain = await tx.domains.byName(name);
  if (domain) return domain;
  const alias = await tx.domainAliases.get(name);
  const target = alias && (await tx.domains.get(alias.domainId));
  if (target) {
    throw new MailError('NOT_FOUND', `${domainLabel(name)} is a domain alias of ${domainLabel(target)}, not a domain`);
  }
  throw new MailError('NOT_FOUND', `domain ${domainLabel(name)} does not exist`);
}

export type AddressOwner = 'user' | 'mailbox alias' | 'mailing list';

/** What already uses localPart@domain, if anything. */
export async function findAddressOwner(tx: StoreTx, domainId: DomainId, localPart: string): Promise<AddressOwner | undefined> {
  if (await tx.users.byAddress(domainId, localPart)) return 'user';
  if (await tx.aliases.get(domainId, localPart)) return 'mailbox alias';
  if (await tx.lists.byAddress(domainId, localPart)) return 'mailing list';
  return undefined;
}

/** Throws ALREADY_EXISTS when localPart@domain is taken by a user, alias or list. */
export async function requireAddressFree(tx: StoreTx, domain: Domain, localPart: string): Promise<void> {
  const owner = await findAddressOwner(tx, domain.id, localPart);
  if (owner) {
    throw new MailError('ALREADY_EXISTS', `${localPart}@${domainLabel(domain)} already exists as a ${owner}`);
  }
}

/** Non-negative integers for sizes and limits; refuses NaN, fractions and negatives with the field's name. */
export function requireCount(field: string, value: number | undefined): void {
  if (value === undefined) return;
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new MailError('INVALID_INPUT', `${field} must be a whole number ≥ 0, got ${String(value)}`);
  }
}
