/**
 * The users screens of the web consoles (manual part 3 §1.4, §3.3; FEATURES A3, A5) for an admin
 * Actor: each method first checks the actor's reach (auth/permissions.ts mayManageDirectory): a
 * super admin every domain, a domain admin their domain, a department admin the users of their
 * department and the ones below it. A domain outside the actor's reach is FORBIDDEN (whether it
 * exists or not); a user outside a department admin's subtree is NOT_FOUND, as if it did not exist.
 * Changes go through UserService, which enforces the domain's limits and password policy and
 * audits each one; batch add and export add an audit entry of their own.
 * Not here: login and sessions (auth/admin-sessions.ts), HTTP (web/api/routes/admin-*.ts).
 */
import { MailError } from '../core/errors.ts';
import type { OrgUnitId } from '../core/ids.ts';
import { mayManageDirectory } from '../auth/permissions.ts';
import type { OrgUnit, Store, StoreTx } from '../store/store.ts';
import { type Actor, recordAudit } from './actor.ts';
import { displayDomain } from './address.ts';
import { chainOf, pathOf, reachDomain, type Reach } from './admin-reach.ts';
import { parseUsersCsv, toCsv, type CsvLineError } from './user-csv.ts';
import { requireUser, withAddress, type DirectoryUser, type UserService, type UserSettings, type UserSort, type UserStatus } from './users.ts';

export interface AdminUser extends DirectoryUser {
  /** The department's path ("销售部/华北"), '' when in none. */
  department: string;
}
export interface Department {
  id: OrgUnitId;
  parentId: OrgUnitId | null;
  name: string;
  path: string;
}
export interface UsersPageQuery {
  search?: string;
  status?: UserStatus;
  sort?: UserSort;
  descending?: boolean;
  /** Only the users directly in this department, or in none with null (the org screen). */
  orgUnitId?: OrgUnitId | null;
  page: number;
  pageSize: number;
}
export interface NewAdminUser extends UserSettings {
  name: string;
  password: string;
  status?: 'active' | 'frozen';
  /** Put the domain's welcome letter (webmail 设置, manual §1.8.7) in their inbox ("发送欢迎信"). */
  sendWelcome?: boolean;
}
/** Delivers the domain's welcome letter to a new user; false when the domain has none switched on. */
export type WelcomeSender = (user: DirectoryUser) => Promise<boolean>;
export interface AdminUserPatch extends Omit<UserSettings, 'orgUnitId'> {
  orgUnitId?: OrgUnitId | null;
  password?: string;
  status?: 'active' | 'frozen';
}

/** What 批量修改用户 changes; each field left undefined stays as it is. */
export interface BatchPatch {
  quotaBytes?: number;
  status?: 'active' | 'frozen';
  orgUnitId?: OrgUnitId | null;
}
/** Which users a batch change or delete reached, and why the others failed. */
export interface BatchOutcome {
  done: string[];
  errors: Array<{ user: string; field: string; reason: string; message: string }>;
}
/** Users one batch modify or delete may name (a page of 200 selected, or a pasted list). */
export const MAX_BATCH_USERS = 5000;

/**
 * Batch adds run 4 users at a time: their passwords are sealed, not hashed (UserService.add
 * deferHash; the background role hashes them), so the store's writes are the cost; without a
 * secret box they are hashed, on libuv's 4 threads, and more at once would only queue.
 */
const BATCH_CONCURRENCY = 4;

export class UserAdminService {
  constructor(private readonly store: Store, private readonly users: UserService, private readonly welcome?: WelcomeSender) {}

  /** The domains the actor manages (a super admin: all), by name. */
  async domains(actor: Actor): Promise<Array<{ name: string; displayName: string }>> {
    const role = actor.role;
    if (role.kind === 'user') throw new MailError('FORBIDDEN', 'a mailbox user manages no domain');
    const all = await this.store.read((tx) => tx.domains.list());
    return all.filter((d) => mayManageDirectory(actor, { domainId: d.id }))
      .map((d) => ({ name: d.name, displayName: displayDomain(d.name) }))
      .sort((a, b) => a.name.localeCompare(b.name));
  }

  /** The departments the actor may put users in, with their paths. */
  async departments(actor: Actor, domainName: string): Promise<Department[]> {
    const reach = await this.store.read((tx) => this.reach(tx, actor, domainName));
    return reach.units.filter((u) => !reach.subtree || reach.subtree.has(u.id))
      .map((u) => ({ id: u.id, parentId: u.parentId, name: u.name, path: pathOf(reach.units, u.id) }))
      .sort((a, b) => a.path.localeCompare(b.path, 'zh-Hans-CN'));
  }

  /** One page of the users the actor manages in the domain, sorted, with the total. */
  async list(actor: Actor, domainName: string, q: UsersPageQuery): Promise<{ total: number; users: AdminUser[] }> {
    const reach = await this.store.read((tx) => this.reach(tx, actor, domainName));
    if (q.orgUnitId !== undefined && reach.subtree && (q.orgUnitId === null || !reach.subtree.has(q.orgUnitId))) {
      throw new MailError('FORBIDDEN', 'that department is outside yours', { details: { field: 'department' } });
    }
    const filter = {
      domain: reach.domain.id, search: q.search || undefined, status: q.status,
      ...(reach.subtree ? { orgUnitIds: [...reach.subtree] } : {}),
      ...(q.orgUnitId !== undefined ? { orgUnitId: q.orgUnitId } : {}),
    };
    const [total, users] = await Promise.all([
      this.users.count(filter),
      this.users.list({ ...filter, sort: q.sort, descending: q.descending, limit: q.pageSize, offset: (q.page - 1) * q.pageSize }),
    ]);
    return { total, users: users.map((u) => withDepartment(u, reach.units)) };
  }

  /** One user the actor manages. Throws FORBIDDEN (domain out of reach), NOT_FOUND. */
  async get(actor: Actor, address: string): Promise<AdminUser> {
    const { user, reach } = await this.store.read((tx) => this.reachUser(tx, actor, address));
    return withDepartment(user, reach.units);
  }

  /** Adds a user (manual §1.4.2). A department admin's users go in their subtree (their own unit by default). */
  async add(actor: Actor, domainName: string, input: NewAdminUser): Promise<AdminUser> {
    const reach = await this.store.read((tx) => this.reach(tx, actor, domainName));
    const orgUnitId = placeIn(reach, input.orgUnitId);
    const { name, password, sendWelcome, ...settings } = input;
    const user = await this.users.add(actor, `${name}@${reach.domain.name}`, { ...settings, password, orgUnitId });
    if (sendWelcome && this.welcome) {
      // The user exists now whatever happens to the letter: a failure is audited, not thrown.
      let sent: boolean | string;
      try {
        sent = await this.welcome(user);
      } catch (err) {
        sent = err instanceof Error ? err.message : String(err);
      }
      await this.store.tx((tx) => recordAudit(tx, actor, 'user.welcome', user.address, sent === true ? {} : { sent: false, why: sent === false ? 'no welcome letter' : sent }));
    }
    return withDepartment(user, reach.units);
  }

  /** Changes a user: settings, password, frozen or not (never the name, manual §1.4.1). */
  async update(actor: Actor, address: string, patch: AdminUserPatch): Promise<AdminUser> {
    const { user, reach } = await this.store.read((tx) => this.reachUser(tx, actor, address));
    const { password, status, ...settings } = patch;
    if (settings.orgUnitId !== undefined) settings.orgUnitId = placeIn(reach, settings.orgUnitId);
    if (password !== undefined) await this.users.setPassword(actor, user.address, password);
    let out = Object.keys(settings).length > 0 ? await this.users.update(actor, user.address, settings) : user;
    if (status === 'frozen' && out.status !== 'frozen') out = await this.users.freeze(actor, user.address);
    if (status === 'active' && out.status === 'frozen') out = await this.users.unfreeze(actor, user.address);
    return withDepartment(out, reach.units);
  }

  async freeze(actor: Actor, address: string): Promise<AdminUser> {
    const { user, reach } = await this.store.read((tx) => this.reachUser(tx, actor, address));
    return withDepartment(await this.users.freeze(actor, user.address), reach.units);
  }

  /** Approves a registration (W2): a pending user becomes active. */
  async approve(actor: Actor, address: string): Promise<AdminUser> {
    const { user, reach } = await this.store.read((tx) => this.reachUser(tx, actor, address));
    return withDepartment(await this.users.approve(actor, user.address), reach.units);
  }

  async unfreeze(actor: Actor, address: string): Promise<AdminUser> {
    const { user, reach } = await this.store.read((tx) => this.reachUser(tx, actor, address));
    return withDepartment(await this.users.unfreeze(actor, user.address), reach.units);
  }

  /** Deletes the user with their mail (UserService.remove). */
  async remove(actor: Actor, address: string): Promise<void> {
    const { user } = await this.store.read((tx) => this.reachUser(tx, actor, address));
    await this.users.remove(actor, user.address);
  }

  /** Every user the actor manages in the domain as CSV (manual §1.4.1 "导出用户"); audited. */
  async exportCsv(actor: Actor, domainName: string): Promise<string> {
    const { header, rows } = await this.exportRows(actor, domainName, 'csv');
    return toCsv(header, rows);
  }

  /**
   * The same as text (manual §1.4.1: "以 txt 格式导出"): one user a line, tab-separated, a header
   * line first; tabs and line breaks inside a value become spaces. UTF-8 with BOM and CRLF, for Notepad.
   */
  async exportTxt(actor: Actor, domainName: string): Promise<string> {
    const { header, rows } = await this.exportRows(actor, domainName, 'txt');
    const cell = (v: string | number) => String(v).replace(/[\t\r\n]+/g, ' ');
    return '\uFEFF' + [header, ...rows].map((r) => r.map(cell).join('\t')).join('\r\n') + '\r\n';
  }

  private async exportRows(actor: Actor, domainName: string, format: 'csv' | 'txt'): Promise<{ header: string[]; rows: Array<Array<string | number>> }> {
    const reach = await this.store.read((tx) => this.reach(tx, actor, domainName));
    const users = await this.users.list({ domain: reach.domain.id, ...(reach.subtree ? { orgUnitIds: [...reach.subtree] } : {}) });
    await this.store.tx((tx) => recordAudit(tx, actor, 'user.export', reach.domain.name, { users: users.length, format }));
    const iso = (t: number | null) => (t === null ? '' : new Date(t).toISOString());
    return {
      header: ['address', 'realName', 'status', 'quotaMb', 'department', 'sendScope', 'receiveScope', 'hidden', 'createdAt', 'lastLoginAt', 'loginName'],
      rows: users.map((u) => [u.address, u.realName, u.status, Math.round(u.quotaBytes / 1048576), withDepartment(u, reach.units).department,
        u.sendScope, u.receiveScope, u.hiddenFromDirectory ? 'yes' : 'no', iso(u.createdAt), iso(u.lastLoginAt), u.loginName]),
    };
  }

  /**
   * 批量修改用户 (manual §1.4.5): the same change (quota, frozen or not, department) to each listed
   * user the actor manages, one at a time through update(), so the domain's size limit and the
   * department admin's reach apply to each; every failure is reported with the user and the field.
   */
  async batchUpdate(actor: Actor, domainName: string, names: readonly string[], patch: BatchPatch): Promise<BatchOutcome> {
    const reach = await this.store.read((tx) => this.reach(tx, actor, domainName));
    if (patch.quotaBytes === undefined && patch.status === undefined && patch.orgUnitId === undefined) {
      throw new MailError('INVALID_INPUT', 'give a quota, a status or a department to change', { details: { field: 'quotaMb' } });
    }
    const out = await this.eachUser(reach, names, async (address) => {
      await this.update(actor, address, {
        ...(patch.quotaBytes !== undefined ? { quotaBytes: patch.quotaBytes } : {}),
        ...(patch.orgUnitId !== undefined ? { orgUnitId: patch.orgUnitId } : {}),
        ...(patch.status !== undefined ? { status: patch.status } : {}),
      });
    });
    await this.store.tx((tx) => recordAudit(tx, actor, 'user.batch-update', reach.domain.name, {
      ...patch, updated: out.done.length, failed: out.errors.length, users: out.done.slice(0, 100),
    }));
    return out;
  }

  /** 批量删除用户 (manual §1.4.6): each listed user the actor manages, with their mail; failures reported. */
  async batchRemove(actor: Actor, domainName: string, names: readonly string[]): Promise<BatchOutcome> {
    const reach = await this.store.read((tx) => this.reach(tx, actor, domainName));
    const out = await this.eachUser(reach, names, (address) => this.remove(actor, address));
    await this.store.tx((tx) => recordAudit(tx, actor, 'user.batch-delete', reach.domain.name, {
      deleted: out.done.length, failed: out.errors.length, users: out.done.slice(0, 100),
    }));
    return out;
  }

  /** Runs fn for each name (a local part or an address of the domain), in order, collecting failures. */
  private async eachUser(reach: Reach, names: readonly string[], fn: (address: string) => Promise<void>): Promise<BatchOutcome> {
    if (names.length === 0) throw new MailError('INVALID_INPUT', 'users: choose at least one user', { details: { field: 'users' } });
    if (names.length > MAX_BATCH_USERS) throw new MailError('INVALID_INPUT', `users: at most ${MAX_BATCH_USERS} a time`, { details: { field: 'users' } });
    const done: string[] = [];
    const errors: BatchOutcome['errors'] = [];
    const seen = new Set<string>();
    for (const raw of names) {
      const name = raw.trim().toLowerCase();
      if (name === '') continue;
      const address = name.includes('@') ? name : `${name}@${reach.domain.name}`;
      if (seen.has(address)) continue;
      seen.add(address);
      if (address.slice(address.lastIndexOf('@') + 1) !== reach.domain.name) {
        errors.push({ user: raw, field: 'users', reason: 'NOT_FOUND', message: `${raw} is not in ${displayDomain(reach.domain.name)}` });
        continue;
      }
      try {
        await fn(address);
        done.push(address);
      } catch (err) {
        if (!(err instanceof MailError)) throw err;
        errors.push({ user: address, field: typeof err.details?.field === 'string' ? err.details.field : 'users', reason: err.code, message: err.message });
      }
    }
    return { done, errors };
  }

  /**
   * Adds users from CSV (manual §1.4.4): every good line is added, every bad one is reported with
   * its line number and field; the domain's limits apply to each line as to a single add.
   * `progress` hears how many of the lines to add are done (first with 0, once the CSV is read and
   * the actor's reach checked, then after each line). Passwords are stored sealed and hashed in the
   * background within minutes (auth/pending-hashes.ts); the users can log in at once.
   */
  async batchAdd(actor: Actor, domainName: string, csv: string, progress?: (done: number, total: number) => void): Promise<{ added: string[]; errors: CsvLineError[] }> {
    const reach = await this.store.read((tx) => this.reach(tx, actor, domainName));
    const parsed = parseUsersCsv(csv);
    const errors = parsed.errors;
    // Lines past the user limit are refused in line order, not by which parallel add commits first.
    const { domain } = reach;
    const room = domain.maxUsers === 0 ? Infinity : Math.max(0, domain.maxUsers - (await this.store.read((tx) => tx.domains.allocation(domain.id))).users);
    const users = parsed.users.slice(0, room);
    for (const u of parsed.users.slice(users.length)) {
      errors.push({ line: u.line, field: 'maxUsers', reason: 'LIMIT_REACHED', message: `domain ${displayDomain(domain.name)} has reached its limit of ${domain.maxUsers} users` });
    }
    const byPath = new Map(reach.units.map((u) => [pathOf(reach.units, u.id), u.id]));
    const added: Array<{ line: number; address: string }> = [];
    let next = 0;
    let done = 0;
    progress?.(0, users.length);
    const worker = async () => {
      while (next < users.length) {
        const u = users[next++]!;
        try {
          const unit = u.department === '' ? null : byPath.get(u.department.split('/').map((s) => s.trim()).join('/'));
          if (unit === undefined) throw new MailError('NOT_FOUND', `department "${u.department}" does not exist`, { details: { field: 'department' } });
          const created = await this.users.add(actor, `${u.name}@${reach.domain.name}`, {
            password: u.password, deferHash: true, realName: u.realName, orgUnitId: placeIn(reach, unit),
            ...(u.quotaMb !== undefined ? { quotaBytes: u.quotaMb * 1048576 } : {}),
            sendScope: u.sendScope, receiveScope: u.receiveScope, hidden: u.hidden,
            ...(u.loginName !== '' ? { loginName: u.loginName } : {}),
          });
          added.push({ line: u.line, address: created.address });
        } catch (err) {
          if (!(err instanceof MailError)) throw err;
          errors.push({ line: u.line, field: fieldOf(err), reason: err.code, message: err.message });
        }
        progress?.(++done, users.length);
      }
    };
    await Promise.all(Array.from({ length: BATCH_CONCURRENCY }, worker));
    errors.sort((a, b) => a.line - b.line);
    added.sort((a, b) => a.line - b.line);
    await this.store.tx((tx) => recordAudit(tx, actor, 'user.batch-add', reach.domain.name, {
      added: added.length, failed: errors.length, lines: errors.map((e) => e.line).slice(0, 100),
    }));
    return { added: added.map((a) => a.address), errors };
  }

  private reach(tx: StoreTx, actor: Actor, domainName: string): Promise<Reach> {
    return reachDomain(tx, actor, domainName);
  }

  /** The user at address and the actor's reach in its domain; NOT_FOUND outside a department admin's subtree. */
  private async reachUser(tx: StoreTx, actor: Actor, address: string): Promise<{ user: DirectoryUser; reach: Reach }> {
    const domainName = address.slice(address.lastIndexOf('@') + 1);
    const reach = await this.reach(tx, actor, domainName);
    const { user } = await requireUser(tx, address);
    const chain = chainOf(reach.units, user.orgUnitId);
    if (user.domainId !== reach.domain.id || !mayManageDirectory(actor, { domainId: user.domainId, orgUnits: chain })) {
      throw new MailError('NOT_FOUND', `user ${address} does not exist`);
    }
    return { user: withAddress(user, reach.domain), reach };
  }
}

/** Where a new or moved user goes: a department admin stays inside their subtree (their own unit by default). */
function placeIn(reach: Reach, wanted: OrgUnitId | null | undefined): OrgUnitId | null {
  if (wanted !== undefined && wanted !== null && !reach.units.some((u) => u.id === wanted)) {
    throw new MailError('NOT_FOUND', `department #${wanted} does not exist in this domain`, { details: { field: 'orgUnitId' } });
  }
  if (!reach.subtree) return wanted ?? null;
  if (wanted === undefined || wanted === null) return [...reach.subtree][0]!;
  if (!reach.subtree.has(wanted)) throw new MailError('FORBIDDEN', `department #${wanted} is outside yours`, { details: { field: 'orgUnitId' } });
  return wanted;
}

function withDepartment(u: DirectoryUser, units: readonly OrgUnit[]): AdminUser {
  return { ...u, department: u.orgUnitId === null ? '' : pathOf(units, u.orgUnitId) };
}

/** The CSV column a service error is about, for the batch report. */
function fieldOf(err: MailError): string {
  if (typeof err.details?.field === 'string') return err.details.field === 'orgUnitId' ? 'department' : err.details.field;
  switch (err.code) {
    case 'PASSWORD_WEAK': return 'password';
    case 'ALREADY_EXISTS': return 'name';
    case 'INVALID_INPUT': return /quota/i.test(err.message) ? 'quotaMb' : 'name';
    default: return 'name';
  }
}
