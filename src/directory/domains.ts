/**
 * Mail domains and domain aliases (manual part 3 §1.3.1, §2.3, §2.4.1; FEATURES A2, A10, P11).
 * Names are keyed in ASCII (punycode) and shown in Unicode. A domain alias makes mail to
 * user@old.cn reach user@new.cn; it is never a domain of its own and nobody logs in through it.
 * A domain whose expiry date has passed is 'expired' whatever its stored status says.
 * Each domain names where postmaster@ and abuse@ go (role-accounts.ts); show() reports where they deliver.
 * Not here: users, lists and admins of a domain (their own services), per-domain module switches.
 */
import { MailError } from '../core/errors.ts';
import { systemClock, type Clock } from '../core/clock.ts';
import type { Domain, DomainAlias, DomainPatch, DomainStatus, NewDomain, Store, StoreTx } from '../store/store.ts';
import { type Actor, recordAudit } from './actor.ts';
import { displayDomain, normaliseAddress, normaliseDomain } from './address.ts';
import { domainLabel, effectiveDomainStatus, findDomain, requireCount, requireDomain, type DomainRef } from './lookup.ts';
import { ROLE_ACCOUNTS, readRoleAccounts, roleAccountTarget, writeRoleAccounts, type RoleAccount, type RoleAccountSettings } from './role-accounts.ts';

export { effectiveDomainStatus } from './lookup.ts';

export type DomainOptions = Omit<NewDomain, 'name'>;

export interface DomainSummary {
  domain: Domain;
  /** Unicode form of the name. */
  displayName: string;
  effectiveStatus: DomainStatus;
}

export interface DomainInfo extends DomainSummary {
  usage: { users: number; lists: number; quotaAllocatedBytes: number; usedBytes: number };
  /** Domain aliases pointing here (ASCII). */
  aliases: string[];
  /** postmaster@ and abuse@: the configured address (null = default) and where mail goes now (null = nobody). */
  roleAccounts: Record<RoleAccount, { configured: string | null; deliversTo: string | null }>;
}

const STATUSES: readonly DomainStatus[] = ['valid', 'invalid', 'expired'];

/**
 * resolveDomain() answers from memory for this long: SMTP asks it at MAIL and RCPT and the queue
 * runner for every recipient, several look-ups a message. A change made through this service
 * clears the memory at once; one made by another process (the CLI, another cluster node) is seen
 * within this time, as runtime settings are.
 */
const RESOLVE_CACHE_MS = 1000;
const RESOLVE_CACHE_MAX = 10_000;

export class DomainService {
  private readonly resolved = new Map<string, { domain: Domain | undefined; at: number }>();

  constructor(
    private readonly store: Store,
    private readonly clock: Clock = systemClock,
    /** security.strongPasswordsDefault: whether a new domain starts with the strong-password policy. */
    private readonly strongPasswordsDefault: () => boolean = () => true,
  ) {}

  /**
   * Creates a domain. Throws INVALID_INPUT for a malformed name or option, ALREADY_EXISTS when the
   * name is already a domain or a domain alias.
   */
  async add(actor: Actor, name: string, opts: DomainOptions = {}): Promise<Domain> {
    const ascii = normaliseDomain(name);
    const clean = validateOptions(opts);
    return this.write(async (tx) => {
      await requireNameFree(tx, ascii);
      // Strong passwords as security.strongPasswordsDefault says, unless asked otherwise (manual §1.8.10).
      const domain = await tx.domains.create({ openedAt: this.clock.now(), strongPasswords: this.strongPasswordsDefault(), ...clean, name: ascii });
      await recordAudit(tx, actor, 'domain.create', ascii, { ...clean });
      return domain;
    });
  }

  /** All domains with their display names and effective statuses, by name. */
  async list(): Promise<DomainSummary[]> {
    const now = this.clock.now();
    const domains = await this.store.read((tx) => tx.domains.list());
    return domains
      .map((d) => ({ domain: d, displayName: displayDomain(d.name), effectiveStatus: effectiveDomainStatus(d, now) }))
      .sort((a, b) => a.domain.name.localeCompare(b.domain.name));
  }

  /** One domain with its usage and aliases. Throws NOT_FOUND. */
  async show(ref: DomainRef): Promise<DomainInfo> {
    return this.store.read(async (tx) => {
      const domain = await requireDomain(tx, ref);
      const usage = await tx.domains.usage(domain.id);
      const aliases = (await tx.domainAliases.list(domain.id)).map((a) => a.alias).sort();
      const configured = await readRoleAccounts(tx, domain);
      const roleAccounts = {} as DomainInfo['roleAccounts'];
      for (const role of ROLE_ACCOUNTS) {
        roleAccounts[role] = { configured: configured[role] ?? null, deliversTo: (await roleAccountTarget(tx, domain, role)) ?? null };
      }
      return {
        domain, usage, aliases, roleAccounts,
        displayName: displayDomain(domain.name),
        effectiveStatus: effectiveDomainStatus(domain, this.clock.now()),
      };
    });
  }

  /** Changes settings (never the name). Throws NOT_FOUND, INVALID_INPUT. */
  async update(actor: Actor, ref: DomainRef, patch: DomainPatch): Promise<Domain> {
    const clean = validateOptions(patch);
    return this.write(async (tx) => {
      const domain = await requireDomain(tx, ref);
      const updated = await tx.domains.update(domain.id, clean);
      if (!updated) throw new MailError('NOT_FOUND', `domain ${domainLabel(domain)} does not exist`);
      await recordAudit(tx, actor, 'domain.update', domain.name, { ...clean });
      return updated;
    });
  }

  /**
   * Sets where postmaster@ and abuse@ go when no user or alias has the name: an address, or '' for the
   * default (role-accounts.ts). Throws NOT_FOUND, INVALID_INPUT.
   */
  async setRoleAccounts(actor: Actor, ref: DomainRef, patch: RoleAccountSettings): Promise<RoleAccountSettings> {
    return this.write(async (tx) => {
      const domain = await requireDomain(tx, ref);
      const next = await writeRoleAccounts(tx, domain, patch);
      await recordAudit(tx, actor, 'domain.role-accounts', domain.name, { ...patch });
      return next;
    });
  }

  /**
   * Deletes the domain with everything under it: users and their mail, aliases, lists, org units,
   * its domain aliases and its admins. Throws NOT_FOUND.
   */
  async remove(actor: Actor, ref: DomainRef): Promise<void> {
    await this.write(async (tx) => {
      const domain = await requireDomain(tx, ref);
      const usage = await tx.domains.usage(domain.id);
      const aliases = await tx.domainAliases.list(domain.id);
      for (const a of aliases) await tx.domainAliases.delete(a.alias);
      for (const admin of await tx.admins.list({ domainId: domain.id })) await tx.admins.delete(admin.id);
      await tx.domains.delete(domain.id);
      await recordAudit(tx, actor, 'domain.delete', domain.name, {
        users: usage.users, lists: usage.lists, aliases: aliases.map((a) => a.alias),
      });
    });
  }

  /** 'expired' when the expiry date has passed, even if the stored status is 'valid'. */
  effectiveStatus(domain: Domain, now: number = this.clock.now()): DomainStatus {
    return effectiveDomainStatus(domain, now);
  }

  /** True when mail for `name` is ours: a domain or a domain alias (whatever the domain's status). */
  async isLocal(name: string): Promise<boolean> {
    return (await this.resolveDomain(name)) !== undefined;
  }

  /**
   * The domain called `name`, or the one it is a domain alias of; undefined for unknown or malformed
   * names. Answers may be up to RESOLVE_CACHE_MS old when another process changed the domain.
   */
  async resolveDomain(name: string): Promise<Domain | undefined> {
    let ascii: string;
    try {
      ascii = normaliseDomain(name);
    } catch {
      return undefined;
    }
    const hit = this.cached(ascii);
    if (hit) return hit.domain;
    const domain = await this.store.read(async (tx) => (await findDomain(tx, ascii))?.domain);
    this.remember(ascii, domain);
    return domain;
  }

  /** resolveDomain's fresh answer for a normalised name, if it has one (the recipient resolver's cache too). */
  cached(ascii: string): { domain: Domain | undefined } | undefined {
    const hit = this.resolved.get(ascii);
    return hit && performance.now() - hit.at < RESOLVE_CACHE_MS ? hit : undefined;
  }

  /** Keeps an answer read in a caller's transaction, as resolveDomain keeps its own. */
  remember(ascii: string, domain: Domain | undefined): void {
    if (this.resolved.size >= RESOLVE_CACHE_MAX) this.resolved.clear();
    this.resolved.set(ascii, { domain, at: performance.now() });
  }

  /** Every change goes through here: resolveDomain() forgets what it knew, before and after the commit. */
  private async write<T>(fn: (tx: StoreTx) => Promise<T>): Promise<T> {
    this.resolved.clear();
    try {
      return await this.store.tx(fn);
    } finally {
      this.resolved.clear();
    }
  }

  /**
   * Makes `alias` another name of the target domain. Throws ALREADY_EXISTS when alias is a domain or
   * an alias already, NOT_FOUND when the target does not exist (or is itself an alias).
   */
  async addAlias(actor: Actor, alias: string, target: DomainRef): Promise<DomainAlias> {
    const ascii = normaliseDomain(alias);
    return this.write(async (tx) => {
      const domain = await requireDomain(tx, target);
      if (domain.name === ascii) throw new MailError('INVALID_INPUT', `a domain cannot be an alias of itself`);
      await requireNameFree(tx, ascii);
      const created = await tx.domainAliases.create(ascii, domain.id);
      await recordAudit(tx, actor, 'domain.alias.create', ascii, { domain: domain.name });
      return created;
    });
  }

  /** Removes a domain alias. Throws NOT_FOUND. */
  async removeAlias(actor: Actor, alias: string): Promise<void> {
    const ascii = normaliseDomain(alias);
    await this.write(async (tx) => {
      const existing = await tx.domainAliases.get(ascii);
      if (!existing) throw new MailError('NOT_FOUND', `domain alias ${domainLabel(ascii)} does not exist`);
      await tx.domainAliases.delete(ascii);
      const target = await tx.domains.get(existing.domainId);
      await recordAudit(tx, actor, 'domain.alias.delete', ascii, { domain: target?.name ?? null });
    });
  }

  /** Domain aliases, all or those of one domain, with the target's name. */
  async listAliases(target?: DomainRef): Promise<Array<{ alias: string; domain: string }>> {
    return this.store.read(async (tx) => {
      const domain = target === undefined ? undefined : await requireDomain(tx, target);
      const aliases = await tx.domainAliases.list(domain?.id);
      const names = new Map((await tx.domains.list()).map((d) => [d.id, d.name]));
      return aliases
        .map((a) => ({ alias: a.alias, domain: names.get(a.domainId) ?? '' }))
        .sort((a, b) => a.alias.localeCompare(b.alias));
    });
  }
}

async function requireNameFree(tx: StoreTx, ascii: string): Promise<void> {
  if (await tx.domains.byName(ascii)) {
    throw new MailError('ALREADY_EXISTS', `domain ${domainLabel(ascii)} already exists`);
  }
  const alias = await tx.domainAliases.get(ascii);
  if (alias) {
    const target = await tx.domains.get(alias.domainId);
    throw new MailError('ALREADY_EXISTS',
      `${domainLabel(ascii)} is already a domain alias of ${target ? domainLabel(target) : 'another domain'}`);
  }
}

/** Checks option values and normalises the feedback address; drops undefined keys. */
function validateOptions<T extends DomainPatch>(opts: T): T {
  for (const key of ['maxUsers', 'maxSizeBytes', 'maxLists', 'defaultQuotaBytes', 'defaultDiskQuotaBytes'] as const) {
    requireCount(key, opts[key]);
  }
  if (opts.status !== undefined && !STATUSES.includes(opts.status)) {
    throw new MailError('INVALID_INPUT', `status must be one of ${STATUSES.join(', ')}`);
  }
  for (const key of ['openedAt', 'expiresAt'] as const) {
    const v = opts[key];
    if (v !== undefined && v !== null && !Number.isFinite(v)) throw new MailError('INVALID_INPUT', `${key} must be a time`);
  }
  const out = Object.fromEntries(Object.entries(opts).filter(([, v]) => v !== undefined)) as T;
  if (opts.feedbackAddress) out.feedbackAddress = normaliseAddress(opts.feedbackAddress);
  return out;
}
