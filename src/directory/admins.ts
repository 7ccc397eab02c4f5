/**
 * Administrator accounts (manual part 3 §1–4, part 4 §1.10; FEATURES A1, A5, A10): the system admin
 * `system` (console on port 10000), the super-domain admin `administrator` (all domains), a domain
 * admin `admin` per domain, plus domain and department admins created by their superiors. A
 * department admin's username must be a user of that department (manual part 3 §3.1).
 * resetPassword generates a strong password and returns it once; only its hash is stored.
 * Passwords chosen by people must pass the strong-password rule; first-run passwords given to
 * ensureBuiltins only need to be non-empty (the operator's explicit choice).
 * Not here: sessions, which console a role may open, and permission checks (auth/, web/).
 */
import { MailError } from '../core/errors.ts';
import { systemClock, type Clock } from '../core/clock.ts';
import type { AdminId, OrgUnitId } from '../core/ids.ts';
import type { Admin, AdminRole, Domain, Store, StoreTx } from '../store/store.ts';
import { checkPasswordStrength } from '../auth/password-policy.ts';
import { dummyHash, generatePassword, hashPassword, verifyPassword } from '../auth/password.ts';
import { type Actor, recordAudit } from './actor.ts';
import { normaliseDomain } from './address.ts';
import { domainLabel, requireDomain, type DomainRef } from './lookup.ts';

/** An admin without its password hash: what leaves this service. */
export type AdminInfo = Omit<Admin, 'passwordHash'>;

/** An admin of a web console (super, domain or department), with its domain's and department's names. */
export type ConsoleAdmin = Omit<AdminInfo, 'role'> & {
  role: 'super' | 'domain' | 'department';
  /** ASCII domain name for domain and department admins, null for a super admin. */
  domain: string | null;
  /** The department's name for a department admin, null otherwise. */
  department: string | null;
};

/** A built-in account created by ensureBuiltins, with its password shown this once. */
export interface CreatedAdmin {
  role: AdminRole;
  username: string;
  /** ASCII domain name for domain admins, null otherwise. */
  domain: string | null;
  password: string;
}

/** Usernames of the built-in accounts. */
export const BUILTIN_USERNAMES = { system: 'system', super: 'administrator', domain: 'admin' } as const;

const ROLES: readonly AdminRole[] = ['system', 'super', 'domain', 'department'];
const USERNAME = /^[a-z0-9](?:[a-z0-9._-]{0,62}[a-z0-9])?$/;
const AUTH_FAILED = 'invalid user name or password';

export class AdminService {
  constructor(private readonly store: Store, private readonly clock: Clock = systemClock) {}

  /**
   * Creates whichever built-in accounts are missing: system, administrator, and admin for every
   * domain. Passwords come from `passwords` or are generated; the new accounts are returned with
   * their passwords so first-run output can print them. Existing accounts are left alone.
   */
  async ensureBuiltins(
    actor: Actor, passwords: { system?: string; administrator?: string; admin?: string } = {},
  ): Promise<CreatedAdmin[]> {
    const wanted = await this.store.read(async (tx) => {
      const out: Array<{ role: AdminRole; domain: Domain | null; given?: string }> = [];
      if (!(await tx.admins.find(BUILTIN_USERNAMES.system, 'system', null))) out.push({ role: 'system', domain: null, given: passwords.system });
      if (!(await tx.admins.find(BUILTIN_USERNAMES.super, 'super', null))) out.push({ role: 'super', domain: null, given: passwords.administrator });
      for (const d of await tx.domains.list()) {
        if (!(await tx.admins.find(BUILTIN_USERNAMES.domain, 'domain', d.id))) out.push({ role: 'domain', domain: d, given: passwords.admin });
      }
      return out;
    });
    const prepared = await Promise.all(wanted.map(async (w) => {
      if (w.given === '') throw new MailError('INVALID_INPUT', `the ${w.role} admin password must not be empty`);
      const password = w.given ?? generatePassword();
      return { ...w, username: BUILTIN_USERNAMES[w.role as 'system' | 'super' | 'domain'], password, hash: await hashPassword(password) };
    }));
    return this.store.tx(async (tx) => {
      const created: CreatedAdmin[] = [];
      for (const p of prepared) {
        const domainId = p.domain?.id ?? null;
        if (await tx.admins.find(p.username, p.role, domainId)) continue; // created meanwhile
        await tx.admins.create({ username: p.username, passwordHash: p.hash, role: p.role, domainId, orgUnitId: null });
        await recordAudit(tx, actor, 'admin.create', label(p.role, p.username, p.domain), { builtin: true });
        created.push({ role: p.role, username: p.username, domain: p.domain?.name ?? null, password: p.password });
      }
      return created;
    });
  }

  /** Adds a domain admin (FEATURES A10). Throws NOT_FOUND, ALREADY_EXISTS, PASSWORD_WEAK, INVALID_INPUT. */
  async createDomainAdmin(actor: Actor, domainRef: DomainRef, username: string, password: string): Promise<AdminInfo> {
    const name = checkUsername(username);
    requireStrong(password, name);
    const passwordHash = await hashPassword(password);
    return this.store.tx(async (tx) => {
      const domain = await requireDomain(tx, domainRef);
      return this.create(tx, actor, { username: name, passwordHash, role: 'domain', domainId: domain.id, orgUnitId: null }, domain);
    });
  }

  /**
   * Adds a department admin, who manages only that department's users (FEATURES A5). The username
   * must be a user in the department or one of its sub-departments.
   */
  async createDepartmentAdmin(
    actor: Actor, domainRef: DomainRef, orgUnitId: OrgUnitId, username: string, password: string,
  ): Promise<AdminInfo> {
    const name = checkUsername(username);
    requireStrong(password, name);
    const passwordHash = await hashPassword(password);
    return this.store.tx(async (tx) => {
      const domain = await requireDomain(tx, domainRef);
      await requireDepartmentUser(tx, domain, orgUnitId, name);
      return this.create(tx, actor, { username: name, passwordHash, role: 'department', domainId: domain.id, orgUnitId }, domain);
    });
  }

  /**
   * Changes a department admin's department and/or password (manual §3.1 "修改部门管理员"). A new
   * department is checked as on create; the account is made again under it (one transaction, same
   * name and password), which ends its open sessions: its reach changed. Throws NOT_FOUND,
   * INVALID_INPUT, PASSWORD_WEAK.
   */
  async updateDepartmentAdmin(
    actor: Actor, domainRef: DomainRef, username: string, patch: { orgUnitId?: OrgUnitId; password?: string },
  ): Promise<AdminInfo> {
    const name = checkUsername(username);
    if (patch.password !== undefined) requireStrong(patch.password, name);
    const newHash = patch.password === undefined ? undefined : await hashPassword(patch.password);
    return this.store.tx(async (tx) => {
      const domain = await requireDomain(tx, domainRef);
      let admin = await tx.admins.find(name, 'department', domain.id);
      if (!admin) throw new MailError('NOT_FOUND', `department admin ${label('department', name, domain)} does not exist`);
      if (patch.orgUnitId !== undefined && patch.orgUnitId !== admin.orgUnitId) {
        await requireDepartmentUser(tx, domain, patch.orgUnitId, name);
        await tx.admins.delete(admin.id);
        admin = await tx.admins.create({ username: name, passwordHash: admin.passwordHash, role: 'department', domainId: domain.id, orgUnitId: patch.orgUnitId });
        await recordAudit(tx, actor, 'admin.update', label('department', name, domain), { orgUnitId: patch.orgUnitId });
      }
      if (newHash !== undefined) {
        await tx.admins.setPassword(admin.id, newHash);
        await recordAudit(tx, actor, 'admin.password', label('department', name, domain));
      }
      return strip(admin);
    });
  }

  /**
   * Checks an admin login. Throws AUTH_FAILED, the same for an unknown account, an unknown domain
   * and a wrong password; the hash is verified in every case so timing reveals nothing.
   */
  async authenticate(username: string, password: string, role: AdminRole, domainName?: string): Promise<AdminInfo> {
    const admin = await this.store.read(async (tx) => {
      try {
        return await findAdmin(tx, role, checkUsername(username), domainName);
      } catch (err) {
        if (err instanceof MailError && (err.code === 'NOT_FOUND' || err.code === 'INVALID_INPUT')) return undefined;
        throw err;
      }
    });
    const ok = await verifyPassword(password, admin?.passwordHash ?? (await dummyHash()));
    if (!admin || !ok) throw new MailError('AUTH_FAILED', AUTH_FAILED);
    return strip(admin);
  }

  /**
   * The web consoles' login (/webmail/admin/, manual part 3 §1.1, §2.1, §3.2): `account` is
   * `name@domain` for a domain admin or a department admin (tried in that order), or a bare name
   * for a super admin. The system admin has its own console and never logs in here. Throws
   * AUTH_FAILED alike for every failure.
   */
  async authenticateConsole(account: string, password: string): Promise<ConsoleAdmin> {
    const at = account.lastIndexOf('@');
    const name = at < 0 ? account : account.slice(0, at);
    const domain = at < 0 ? undefined : account.slice(at + 1);
    const roles: AdminRole[] = domain === undefined ? ['super'] : ['domain', 'department'];
    for (const role of roles) {
      try {
        const admin = await this.authenticate(name, password, role, domain);
        const found = await this.consoleAdmin(admin.id);
        if (found) return found;
      } catch (err) {
        if (!(err instanceof MailError && err.code === 'AUTH_FAILED')) throw err;
      }
    }
    throw new MailError('AUTH_FAILED', AUTH_FAILED);
  }

  /** A console admin by id (a live session's), or undefined when gone or not a console role. */
  async consoleAdmin(id: AdminId): Promise<ConsoleAdmin | undefined> {
    return this.store.read(async (tx) => {
      const a = await tx.admins.get(id);
      if (!a || a.role === 'system') return undefined;
      const domain = a.domainId === null ? null : await tx.domains.get(a.domainId);
      const unit = a.orgUnitId === null ? null : await tx.orgUnits.get(a.orgUnitId);
      if (a.role !== 'super' && !domain) return undefined;
      if (a.role === 'department' && !unit) return undefined;
      return { ...strip(a), role: a.role, domain: domain?.name ?? null, department: unit?.name ?? null };
    });
  }

  /** Sets a password an admin chose (the consoles' "修改密码"). Throws NOT_FOUND, PASSWORD_WEAK. */
  async changePassword(actor: Actor, role: AdminRole, username: string, newPassword: string, domainName?: string): Promise<void> {
    const name = checkUsername(username);
    requireStrong(newPassword, name);
    const passwordHash = await hashPassword(newPassword);
    await this.store.tx(async (tx) => {
      const admin = await findAdmin(tx, role, name, domainName);
      if (!admin) throw new MailError('NOT_FOUND', `${describe(role, name, domainName)} does not exist`);
      await tx.admins.setPassword(admin.id, passwordHash);
      await recordAudit(tx, actor, 'admin.password', await labelOf(tx, admin));
    });
  }

  /**
   * Replaces the password with a generated one and returns it; it is not kept anywhere (FEATURES A1:
   * reset from the command line). A missing built-in account (system, administrator, a domain's
   * admin) is created. Throws NOT_FOUND for other missing accounts or domains.
   */
  async resetPassword(actor: Actor, role: AdminRole, domainName?: string, username?: string): Promise<string> {
    if (!ROLES.includes(role)) throw new MailError('INVALID_INPUT', `role must be one of ${ROLES.join(', ')}`);
    if (role === 'department' && !username) throw new MailError('INVALID_INPUT', 'give the department admin\'s user name');
    const name = checkUsername(username ?? BUILTIN_USERNAMES[role as 'system' | 'super' | 'domain']);
    const password = generatePassword();
    const passwordHash = await hashPassword(password);
    await this.store.tx(async (tx) => {
      const admin = await findAdmin(tx, role, name, domainName);
      if (admin) {
        await tx.admins.setPassword(admin.id, passwordHash);
        await recordAudit(tx, actor, 'admin.password.reset', await labelOf(tx, admin));
        return;
      }
      if (role === 'department' || name !== BUILTIN_USERNAMES[role]) {
        throw new MailError('NOT_FOUND', `${describe(role, name, domainName)} does not exist`);
      }
      const domain = role === 'domain' ? await requireDomain(tx, domainName ?? '') : null;
      await this.create(tx, actor, { username: name, passwordHash, role, domainId: domain?.id ?? null, orgUnitId: null }, domain);
    });
    return password;
  }

  /** Deletes an admin. The built-in system and administrator accounts cannot be deleted. */
  async remove(actor: Actor, role: AdminRole, username: string, domainName?: string): Promise<void> {
    const name = checkUsername(username);
    if ((role === 'system' || role === 'super') && name === BUILTIN_USERNAMES[role]) {
      throw new MailError('FORBIDDEN', `the built-in ${name} account cannot be deleted`);
    }
    await this.store.tx(async (tx) => {
      const admin = await findAdmin(tx, role, name, domainName);
      if (!admin) throw new MailError('NOT_FOUND', `${describe(role, name, domainName)} does not exist`);
      await tx.admins.delete(admin.id);
      await recordAudit(tx, actor, 'admin.delete', await labelOf(tx, admin));
    });
  }

  async list(q: { role?: AdminRole; domain?: DomainRef } = {}): Promise<AdminInfo[]> {
    return this.store.read(async (tx) => {
      const domainId = q.domain === undefined ? undefined : (await requireDomain(tx, q.domain)).id;
      return (await tx.admins.list({ role: q.role, domainId })).map(strip);
    });
  }

  private async create(tx: StoreTx, actor: Actor, a: Omit<Admin, 'id' | 'createdAt'>, domain: Domain | null): Promise<AdminInfo> {
    if (await tx.admins.find(a.username, a.role, a.domainId)) {
      throw new MailError('ALREADY_EXISTS', `${label(a.role, a.username, domain)} already exists`);
    }
    const admin = await tx.admins.create(a);
    await recordAudit(tx, actor, 'admin.create', label(a.role, a.username, domain), { orgUnitId: a.orgUnitId });
    return strip(admin);
  }
}

/** The admin of that role and name (in that domain for domain and department admins). Throws NOT_FOUND for the domain. */
async function findAdmin(tx: StoreTx, role: AdminRole, username: string, domainName?: string): Promise<Admin | undefined> {
  if (role === 'system' || role === 'super') return tx.admins.find(username, role, null);
  if (!domainName) throw new MailError('INVALID_INPUT', `a ${role} admin belongs to a domain: give the domain name`);
  const domain = await requireDomain(tx, domainName);
  return tx.admins.find(username, role, domain.id);
}

/** A department admin's name must be a user in the department or below it (manual part 3 §3.1). */
async function requireDepartmentUser(tx: StoreTx, domain: Domain, orgUnitId: OrgUnitId, name: string): Promise<void> {
  const units = await tx.orgUnits.list(domain.id);
  const unit = units.find((u) => u.id === orgUnitId);
  if (!unit) throw new MailError('NOT_FOUND', `department #${orgUnitId} does not exist in domain ${domainLabel(domain)}`);
  const user = await tx.users.byAddress(domain.id, name);
  const byId = new Map(units.map((u) => [u.id, u]));
  let inside = false;
  for (let u = user?.orgUnitId == null ? undefined : byId.get(user.orgUnitId); u && !inside; u = u.parentId === null ? undefined : byId.get(u.parentId)) {
    inside = u.id === orgUnitId;
  }
  if (!inside) throw new MailError('INVALID_INPUT', `${name}@${domainLabel(domain)} is not a user of department "${unit.name}"`);
}

function checkUsername(username: string): string {
  const name = username.trim().toLowerCase();
  if (!USERNAME.test(name)) {
    throw new MailError('INVALID_INPUT', `admin user name "${username}" must be 1–64 letters, digits, ".", "_" or "-"`);
  }
  return name;
}

function requireStrong(password: string, username: string): void {
  const reason = checkPasswordStrength(password, { localPart: username });
  if (reason) throw new MailError('PASSWORD_WEAK', reason);
}

const strip = ({ passwordHash: _hash, ...rest }: Admin): AdminInfo => rest;

/** Audit target: 'system', 'administrator', 'admin@x.cn', 'department:li@x.cn'. */
function label(role: AdminRole, username: string, domain: Domain | string | null | undefined): string {
  const d = domain === null || domain === undefined ? '' : `@${typeof domain === 'string' ? domain : domain.name}`;
  return `${role === 'department' ? 'department:' : ''}${username}${d}`;
}

async function labelOf(tx: StoreTx, admin: Admin): Promise<string> {
  const domain = admin.domainId === null ? null : await tx.domains.get(admin.domainId);
  return label(admin.role, admin.username, domain ?? null);
}

function describe(role: AdminRole, username: string, domainName?: string): string {
  const d = domainName ? normaliseDomain(domainName) : undefined;
  return `${role} admin ${label(role, username, d)}`;
}
