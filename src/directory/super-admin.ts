/**
 * The super-domain console (超域管理后台, manual part 3 §2.3–§2.4; FEATURES A10) for an admin Actor:
 * 域名管理 (the domains with their limits and usage, search, export as CSV, edit, delete, the
 * per-domain 前台模块设置), 添加域名 and 批量添加域名, 域管理员 (add, change password, delete),
 * and 邮箱/域别名设置 (mailbox aliases within one domain, domain aliases between two). Only the
 * super admin (and the system) reaches any of it: every other actor is FORBIDDEN. The services
 * underneath (DomainService, AdminService, AliasService) validate, enforce the domains' limits and
 * audit each change; batch add and export write an audit entry of their own.
 * The module switches are stored now (domain setting `modules`); the webmail reads them later.
 * Not here: a domain's own information screen (domain-admin.ts), HTTP (web/api/routes/admin-super.ts).
 */
import { MailError } from '../core/errors.ts';
import type { AdminId } from '../core/ids.ts';
import type { Domain, DomainPatch, DomainStatus, Store, StoreTx } from '../store/store.ts';
import { domainSettingsScope, MODULES_SETTING_KEY } from '../config/domain-scope.ts';
import { type Actor, recordAudit } from './actor.ts';
import { displayDomain, normaliseDomain, parseAddress } from './address.ts';
import type { AdminService } from './admins.ts';
import type { AliasInfo, AliasService } from './aliases.ts';
import type { DomainOptions, DomainService } from './domains.ts';
import { domainLabel, effectiveDomainStatus, requireDomain } from './lookup.ts';
import { toCsv } from './user-csv.ts';

import { readModules, WEBMAIL_MODULES, type ModuleSwitches } from './modules.ts';

export { WEBMAIL_MODULES, type ModuleSwitches, type WebmailModule } from './modules.ts';

export interface DomainRow {
  domain: Domain;
  displayName: string;
  effectiveStatus: DomainStatus;
  usage: { users: number; lists: number; quotaAllocatedBytes: number; usedBytes: number };
  aliases: string[];
}

export interface BatchDomainError { line: number; field: string; reason: string; message: string }

/** Lines a batch may have: a hosting company's whole customer list, not a denial of service. */
export const MAX_BATCH_DOMAINS = 1000;
const MB = 1048576;
const DAY = /^(\d{4})-(\d\d)-(\d\d)$/;

/** The sample of 批量添加域名: one domain a line, the columns after the name optional. */
export const DOMAINS_SAMPLE = [
  '# domain,maxUsers,maxSizeMb,expires (YYYY-MM-DD),company',
  '# 0 or empty = unlimited; lines starting with # are skipped',
  'example-a.cn,100,10240,2027-12-31,甲公司',
  'example-b.cn',
  '',
].join('\n');

export class SuperConsoleService {
  constructor(
    private readonly store: Store,
    private readonly domains: DomainService,
    private readonly admins: AdminService,
    private readonly aliases: AliasService,
    private readonly now: () => number = Date.now,
  ) {}

  /** The domains with their limits and usage, by name; `search` matches part of the name (ASCII or Unicode). */
  async listDomains(actor: Actor, search = ''): Promise<DomainRow[]> {
    requireSuper(actor);
    const needle = search.trim().toLowerCase();
    return this.store.read(async (tx) => {
      const aliases = await tx.domainAliases.list();
      const out: DomainRow[] = [];
      for (const d of await tx.domains.list()) {
        const displayName = displayDomain(d.name);
        if (needle && !d.name.includes(needle) && !displayName.toLowerCase().includes(needle) && !d.companyName.toLowerCase().includes(needle)) continue;
        out.push({
          domain: d, displayName, effectiveStatus: effectiveDomainStatus(d, this.now()), usage: await tx.domains.usage(d.id),
          aliases: aliases.filter((a) => a.domainId === d.id).map((a) => a.alias).sort(),
        });
      }
      return out.sort((a, b) => a.domain.name.localeCompare(b.domain.name));
    });
  }

  /** 导出域名: every domain with its limits and usage as CSV; audited. */
  async exportCsv(actor: Actor): Promise<string> {
    const rows = await this.listDomains(actor);
    await this.store.tx((tx) => recordAudit(tx, actor, 'domain.export', 'domains', { domains: rows.length }));
    const day = (t: number | null) => (t === null ? '' : new Date(t).toISOString().slice(0, 10));
    return toCsv(
      ['domain', 'displayName', 'status', 'users', 'maxUsers', 'allocatedMb', 'usedMb', 'maxSizeMb', 'lists', 'maxLists', 'openedAt', 'expiresAt', 'company', 'aliases'],
      rows.map((r) => [r.domain.name, r.displayName, r.effectiveStatus, r.usage.users, r.domain.maxUsers, Math.round(r.usage.quotaAllocatedBytes / MB),
        Math.round(r.usage.usedBytes / MB), Math.round(r.domain.maxSizeBytes / MB), r.usage.lists, r.domain.maxLists,
        day(r.domain.openedAt), day(r.domain.expiresAt), r.domain.companyName, r.aliases.join(' ')]),
    );
  }

  /**
   * 添加域名: a domain with its limits, and optionally its domain admin `admin` with the given
   * password (manual §2.3.6). Throws ALREADY_EXISTS, INVALID_INPUT, PASSWORD_WEAK (nothing is kept then).
   */
  async addDomain(actor: Actor, name: string, opts: DomainOptions, admin?: { username: string; password: string }): Promise<DomainRow> {
    requireSuper(actor);
    const domain = await this.domains.add(actor, name, opts);
    if (admin) {
      try {
        await this.admins.createDomainAdmin(actor, domain.name, admin.username, admin.password);
      } catch (err) {
        await this.domains.remove(actor, domain.name); // all or nothing: the form is sent again
        if (err instanceof MailError && err.details?.field === undefined) {
          throw new MailError(err.code, err.message, { details: { field: err.code === 'PASSWORD_WEAK' ? 'adminPassword' : 'adminUsername' }, cause: err });
        }
        throw err;
      }
    }
    return this.row(domain.name);
  }

  /**
   * 批量添加域名: one domain a line, `name[,maxUsers[,maxSizeMb[,expires[,company]]]]`; every good
   * line is added, every bad one reported with its line number and field.
   */
  async batchAdd(actor: Actor, text: string): Promise<{ added: string[]; errors: BatchDomainError[] }> {
    requireSuper(actor);
    const added: string[] = [];
    const errors: BatchDomainError[] = [];
    const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
    let counted = 0;
    for (let i = 0; i < lines.length; i++) {
      const line = i + 1;
      const raw = lines[i]!.trim();
      if (raw === '' || raw.startsWith('#')) continue;
      if (++counted > MAX_BATCH_DOMAINS) {
        errors.push({ line, field: 'line', reason: 'TOO_MANY_LINES', message: `at most ${MAX_BATCH_DOMAINS} domains a batch` });
        break;
      }
      const cols = raw.split(/[,，\t]/).map((c) => c.trim());
      try {
        const opts = batchOptions(cols);
        const d = await this.domains.add(actor, cols[0]!, opts);
        added.push(d.name);
      } catch (err) {
        if (!(err instanceof MailError)) throw err;
        const field = typeof err.details?.field === 'string' ? err.details.field : 'domain';
        errors.push({ line, field, reason: err.code, message: err.message });
      }
    }
    await this.store.tx((tx) => recordAudit(tx, actor, 'domain.batch-add', 'domains', {
      added: added.length, failed: errors.length, lines: errors.map((e) => e.line).slice(0, 100),
    }));
    return { added, errors };
  }

  /** Changes a domain's limits and settings (never the name). Throws NOT_FOUND, INVALID_INPUT. */
  async updateDomain(actor: Actor, name: string, patch: DomainPatch): Promise<DomainRow> {
    requireSuper(actor);
    const clean = Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined)) as DomainPatch;
    if (Object.keys(clean).length > 0) await this.domains.update(actor, name, clean);
    return this.row(name);
  }

  /** Deletes the domain with all its users, mail, lists, aliases and admins. Throws NOT_FOUND. */
  async removeDomain(actor: Actor, name: string): Promise<void> {
    requireSuper(actor);
    await this.domains.remove(actor, name);
  }

  /** 前台模块设置: which webmail modules the domain's users see (all on unless switched off). */
  async modules(actor: Actor, name: string): Promise<ModuleSwitches> {
    requireSuper(actor);
    return this.store.read(async (tx) => readModules(tx, await requireDomain(tx, name)));
  }

  async setModules(actor: Actor, name: string, patch: Partial<ModuleSwitches>): Promise<ModuleSwitches> {
    requireSuper(actor);
    return this.store.tx(async (tx) => {
      const domain = await requireDomain(tx, name);
      const next = { ...(await readModules(tx, domain)) };
      for (const m of WEBMAIL_MODULES) if (typeof patch[m] === 'boolean') next[m] = patch[m];
      await tx.settings.set(domainSettingsScope(domain.id), MODULES_SETTING_KEY, next);
      await recordAudit(tx, actor, 'domain.modules', domain.name, { ...patch });
      return next;
    });
  }

  /** 域管理员用户管理: the domain's admins (not its department admins). */
  async domainAdmins(actor: Actor, name: string): Promise<Array<{ username: string; account: string; createdAt: number }>> {
    requireSuper(actor);
    const domain = await this.store.read((tx) => requireDomain(tx, name));
    return (await this.admins.list({ role: 'domain', domain: domain.name }))
      .map((a) => ({ username: a.username, account: `${a.username}@${domain.name}`, createdAt: a.createdAt }))
      .sort((a, b) => a.username.localeCompare(b.username));
  }

  /** 添加域管理员. Throws NOT_FOUND, ALREADY_EXISTS, PASSWORD_WEAK, INVALID_INPUT. */
  async addDomainAdmin(actor: Actor, name: string, username: string, password: string): Promise<void> {
    requireSuper(actor);
    const domain = await this.store.read((tx) => requireDomain(tx, name));
    await this.admins.createDomainAdmin(actor, domain.name, username, password);
  }

  /** Sets a domain admin's password; returns the admin's id so the caller ends their open sessions. */
  async setDomainAdminPassword(actor: Actor, name: string, username: string, password: string): Promise<AdminId> {
    requireSuper(actor);
    const domain = await this.store.read((tx) => requireDomain(tx, name));
    await this.admins.changePassword(actor, 'domain', username, password, domain.name);
    const admin = (await this.admins.list({ role: 'domain', domain: domain.name })).find((a) => a.username === username.toLowerCase());
    if (!admin) throw new MailError('NOT_FOUND', `domain admin ${username}@${domainLabel(domain)} does not exist`);
    return admin.id;
  }

  async removeDomainAdmin(actor: Actor, name: string, username: string): Promise<void> {
    requireSuper(actor);
    const domain = await this.store.read((tx) => requireDomain(tx, name));
    await this.admins.remove(actor, 'domain', username, domain.name);
  }

  /** 邮箱别名: the domain's mailbox aliases. */
  async mailboxAliases(actor: Actor, name: string): Promise<AliasInfo[]> {
    requireSuper(actor);
    return this.aliases.list(name);
  }

  /**
   * Adds a mailbox alias, or replaces its targets: the virtual and the real addresses must be in the
   * same domain (manual §2.4.1). Throws INVALID_INPUT (field 'targets'), ALREADY_EXISTS, ALIAS_LOOP, FORBIDDEN (domain not valid).
   */
  async setMailboxAlias(actor: Actor, name: string, alias: string, targets: string[], opts: { replace?: boolean } = {}): Promise<AliasInfo> {
    requireSuper(actor);
    const domain = await this.store.read((tx) => requireDomain(tx, name));
    const address = alias.includes('@') ? alias : `${alias}@${domain.name}`;
    if (parseAddress(address).domain !== domain.name) {
      throw new MailError('INVALID_INPUT', `alias: ${alias} is not in ${domainLabel(domain)}`, { details: { field: 'alias' } });
    }
    if (targets.length === 0) throw new MailError('INVALID_INPUT', 'targets: give at least one real address', { details: { field: 'targets' } });
    for (const t of targets) {
      let d: string;
      try {
        d = parseAddress(t).domain;
      } catch {
        throw new MailError('INVALID_INPUT', `targets: "${t}" is not an address`, { details: { field: 'targets' } });
      }
      if (d !== domain.name) throw new MailError('INVALID_INPUT', `targets: ${t} is not in ${domainLabel(domain)}`, { details: { field: 'targets' } });
    }
    return opts.replace ? this.aliases.update(actor, address, targets) : this.aliases.add(actor, address, targets);
  }

  async removeMailboxAlias(actor: Actor, name: string, alias: string): Promise<void> {
    requireSuper(actor);
    const domain = await this.store.read((tx) => requireDomain(tx, name));
    const address = alias.includes('@') ? alias : `${alias}@${domain.name}`;
    if (parseAddress(address).domain !== domain.name) throw new MailError('NOT_FOUND', `alias ${alias} does not exist in ${domainLabel(domain)}`);
    await this.aliases.remove(actor, address);
  }

  /** 域别名: every domain alias with its real domain. */
  async domainAliases(actor: Actor): Promise<Array<{ alias: string; domain: string }>> {
    requireSuper(actor);
    return this.domains.listAliases();
  }

  async addDomainAlias(actor: Actor, alias: string, target: string): Promise<void> {
    requireSuper(actor);
    await this.domains.addAlias(actor, alias, target);
  }

  async removeDomainAlias(actor: Actor, alias: string): Promise<void> {
    requireSuper(actor);
    await this.domains.removeAlias(actor, alias);
  }

  private async row(name: string): Promise<DomainRow> {
    return this.store.read(async (tx) => {
      const d = await requireDomain(tx, name);
      return {
        domain: d, displayName: displayDomain(d.name), effectiveStatus: effectiveDomainStatus(d, this.now()), usage: await tx.domains.usage(d.id),
        aliases: (await tx.domainAliases.list(d.id)).map((a) => a.alias).sort(),
      };
    });
  }
}

/** Only the super admin (and the system) works here. */
export function requireSuper(actor: Actor, does = 'manages domains'): void {
  if (actor.role.kind !== 'super' && actor.role.kind !== 'system') throw new MailError('FORBIDDEN', `only the super administrator ${does}`);
}

/** The columns after the name of one batch line as domain options. */
function batchOptions(cols: string[]): DomainOptions {
  const bad = (field: string, message: string) => new MailError('INVALID_INPUT', `${field}: ${message}`, { details: { field } });
  if (!cols[0]) throw bad('domain', 'the domain name is missing');
  try {
    normaliseDomain(cols[0]);
  } catch {
    throw bad('domain', `"${cols[0]}" is not a domain name`);
  }
  const count = (field: string, v: string | undefined): number | undefined => {
    if (v === undefined || v === '') return undefined;
    if (!/^\d{1,9}$/.test(v)) throw bad(field, `"${v}" is not a whole number`);
    return Number(v);
  };
  const opts: DomainOptions = {};
  const maxUsers = count('maxUsers', cols[1]);
  if (maxUsers !== undefined) opts.maxUsers = maxUsers;
  const maxSizeMb = count('maxSizeMb', cols[2]);
  if (maxSizeMb !== undefined) opts.maxSizeBytes = maxSizeMb * MB;
  if (cols[3]) {
    const m = DAY.exec(cols[3]);
    const at = m ? Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), 23, 59, 59) : NaN;
    if (!Number.isFinite(at) || new Date(at).toISOString().slice(0, 10) !== cols[3]) throw bad('expiresAt', `"${cols[3]}" is not a date (YYYY-MM-DD)`);
    opts.expiresAt = at;
  }
  if (cols[4]) opts.companyName = cols.slice(4).join(',').slice(0, 200);
  return opts;
}
