/**
 * Mailbox aliases (manual part 3 §2.4.1; FEATURES P11): a virtual address in one of our domains
 * whose mail goes to one or more target addresses. The manual keeps alias and target in the same
 * domain; we accept any target, local or remote. Aliases cannot log in. Creating an alias that
 * would close a chain of aliases back on itself, or make a chain deeper than MAX_ALIAS_DEPTH,
 * fails with ALIAS_LOOP, so delivery (resolve.ts) meets loops only if rows were written elsewhere.
 */
import { MailError } from '../core/errors.ts';
import { systemClock, type Clock } from '../core/clock.ts';
import type { Alias, Domain, Store, StoreTx } from '../store/store.ts';
import { type Actor, recordAudit } from './actor.ts';
import { normaliseAddress, parseAddress } from './address.ts';
import { domainLabel, effectiveDomainStatus, findDomain, requireAddressFree, requireDomain, type DomainRef, requireDomainOpen } from './lookup.ts';

/** Longest chain of aliases followed, here and at delivery. */
export const MAX_ALIAS_DEPTH = 10;
/** Targets one alias may have; larger fan-outs belong in a mailing list. */
export const MAX_ALIAS_TARGETS = 1000;

export interface AliasInfo {
  address: string;
  targets: string[];
}

export class AliasService {
  constructor(private readonly store: Store, private readonly clock: Clock = systemClock) {}

  /**
   * Creates alias → targets. Throws NOT_FOUND when the alias's domain is not ours, FORBIDDEN when it
   * is not valid, ALREADY_EXISTS when the address is a user, alias or list, ALIAS_LOOP, INVALID_INPUT.
   */
  async add(actor: Actor, alias: string, targets: string[]): Promise<AliasInfo> {
    const addr = parseAddress(alias);
    const clean = normaliseTargets(targets);
    return this.store.tx(async (tx) => {
      const domain = await requireDomain(tx, addr.domain);
      requireDomainOpen(domain, this.clock.now());
      await requireAddressFree(tx, domain, addr.localPart);
      const row: Alias = { domainId: domain.id, localPart: addr.localPart, targets: clean };
      await requireNoLoop(tx, domain, row);
      await tx.aliases.create(row);
      const info = toInfo(row, domain);
      await recordAudit(tx, actor, 'alias.create', info.address, { targets: clean });
      return info;
    });
  }

  /** Replaces the targets of an existing alias. Throws NOT_FOUND, ALIAS_LOOP, INVALID_INPUT. */
  async update(actor: Actor, alias: string, targets: string[]): Promise<AliasInfo> {
    const clean = normaliseTargets(targets);
    return this.store.tx(async (tx) => {
      const { alias: existing, domain } = await requireAlias(tx, alias);
      const row: Alias = { ...existing, targets: clean };
      await requireNoLoop(tx, domain, row);
      await tx.aliases.delete(domain.id, existing.localPart);
      await tx.aliases.create(row);
      const info = toInfo(row, domain);
      await recordAudit(tx, actor, 'alias.update', info.address, { from: existing.targets, targets: clean });
      return info;
    });
  }

  /** Deletes an alias. Throws NOT_FOUND. */
  async remove(actor: Actor, alias: string): Promise<void> {
    await this.store.tx(async (tx) => {
      const { alias: existing, domain } = await requireAlias(tx, alias);
      await tx.aliases.delete(domain.id, existing.localPart);
      await recordAudit(tx, actor, 'alias.delete', toInfo(existing, domain).address, { targets: existing.targets });
    });
  }

  /** The alias at address (also written with a domain alias), or undefined. */
  async get(alias: string): Promise<AliasInfo | undefined> {
    return this.store.read(async (tx) => {
      try {
        const found = await requireAlias(tx, alias);
        return toInfo(found.alias, found.domain);
      } catch (err) {
        if (err instanceof MailError && (err.code === 'NOT_FOUND' || err.code === 'INVALID_INPUT')) return undefined;
        throw err;
      }
    });
  }

  /** Aliases of one domain or of all, sorted by address. */
  async list(domain?: DomainRef): Promise<AliasInfo[]> {
    return this.store.read(async (tx) => {
      const only = domain === undefined ? undefined : await requireDomain(tx, domain);
      const domains = new Map((await tx.domains.list()).map((d) => [d.id, d]));
      const rows = await tx.aliases.list(only?.id);
      return rows
        .flatMap((a) => {
          const d = domains.get(a.domainId);
          return d ? [toInfo(a, d)] : [];
        })
        .sort((a, b) => a.address.localeCompare(b.address));
    });
  }
}

const toInfo = (a: Alias, d: Domain): AliasInfo => ({ address: `${a.localPart}@${d.name}`, targets: [...a.targets] });

async function requireAlias(tx: StoreTx, address: string): Promise<{ alias: Alias; domain: Domain }> {
  const addr = parseAddress(address);
  const found = await findDomain(tx, addr.domain);
  const alias = found && (await tx.aliases.get(found.domain.id, addr.localPart));
  if (!alias || !found) throw new MailError('NOT_FOUND', `alias ${addr.localPart}@${domainLabel(addr.domain)} does not exist`);
  return { alias, domain: found.domain };
}

function normaliseTargets(targets: string[]): string[] {
  const clean = [...new Set(targets.map(normaliseAddress))];
  if (clean.length === 0) throw new MailError('INVALID_INPUT', 'an alias needs at least one target address');
  if (clean.length > MAX_ALIAS_TARGETS) {
    throw new MailError('INVALID_INPUT', `an alias may have at most ${MAX_ALIAS_TARGETS} targets; use a mailing list`);
  }
  return clean;
}

/**
 * Follows the new alias's targets through existing aliases (and domain aliases). Throws ALIAS_LOOP
 * when a chain comes back to the new alias or grows deeper than MAX_ALIAS_DEPTH.
 * Lists are not followed: a cycle through a list is harmless (resolve.ts expands each list once).
 */
async function requireNoLoop(tx: StoreTx, domain: Domain, row: Alias): Promise<void> {
  const self = `${row.localPart}@${domain.name}`;
  const seen = new Set<string>();
  const walk = async (targets: string[], chain: string[]): Promise<void> => {
    for (const target of targets) {
      const addr = parseAddress(target);
      const found = await findDomain(tx, addr.domain);
      if (!found) continue; // remote
      const key = `${addr.localPart}@${found.domain.name}`;
      if (key === self) {
        throw new MailError('ALIAS_LOOP', `alias ${self} would loop: ${[self, ...chain, key].join(' → ')}`);
      }
      if (seen.has(key)) continue;
      seen.add(key);
      const next = await tx.aliases.get(found.domain.id, addr.localPart);
      if (!next) continue;
      if (chain.length + 1 >= MAX_ALIAS_DEPTH) {
        throw new MailError('ALIAS_LOOP', `alias ${self} would start a chain of more than ${MAX_ALIAS_DEPTH} aliases`);
      }
      await walk(next.targets, [...chain, key]);
    }
  };
  await walk(row.targets, []);
}
