/**
 * 部门管理员用户管理 / 添加部门管理员 of the domain console (manual part 3 §1.3.2–§1.3.3, §3.1;
 * FEATURES A5) for an admin Actor: the domain's department admins with their departments, add
 * (the name must be a user of the department or below it; their own password), change department
 * or password, delete. They log in at /webmail/admin/ as name@domain and reach only their subtree.
 * Domain admins of the domain and the super admin manage them; department admins do not
 * (admin-reach.ts domainLevel). AdminService checks the rules and audits each change.
 */
import type { OrgUnitId } from '../core/ids.ts';
import type { Store } from '../store/store.ts';
import type { Actor } from './actor.ts';
import { pathOf, reachDomain } from './admin-reach.ts';
import type { AdminService } from './admins.ts';

export interface DepartmentAdminView {
  username: string;
  /** What they log in with: name@domain. */
  account: string;
  orgUnitId: OrgUnitId;
  department: string;
  createdAt: number;
}

export class DepartmentAdminConsole {
  constructor(private readonly store: Store, private readonly admins: AdminService) {}

  async list(actor: Actor, domainName: string): Promise<DepartmentAdminView[]> {
    return this.store.read(async (tx) => {
      const { domain, units } = await reachDomain(tx, actor, domainName, { domainLevel: true });
      const admins = await tx.admins.list({ role: 'department', domainId: domain.id });
      return admins.filter((a) => a.orgUnitId !== null)
        .map((a) => ({ username: a.username, account: `${a.username}@${domain.name}`, orgUnitId: a.orgUnitId!, department: pathOf(units, a.orgUnitId!), createdAt: a.createdAt }))
        .sort((a, b) => a.username.localeCompare(b.username));
    });
  }

  /** Adds one. Throws FORBIDDEN, NOT_FOUND (department), INVALID_INPUT (not a user of it), ALREADY_EXISTS, PASSWORD_WEAK. */
  async add(actor: Actor, domainName: string, input: { username: string; orgUnitId: OrgUnitId; password: string }): Promise<DepartmentAdminView> {
    const { domain } = await this.store.read((tx) => reachDomain(tx, actor, domainName, { domainLevel: true }));
    const a = await this.admins.createDepartmentAdmin(actor, domain.id, input.orgUnitId, input.username, input.password);
    return this.one(actor, domain.name, a.username);
  }

  async update(actor: Actor, domainName: string, username: string, patch: { orgUnitId?: OrgUnitId; password?: string }): Promise<DepartmentAdminView> {
    const { domain } = await this.store.read((tx) => reachDomain(tx, actor, domainName, { domainLevel: true }));
    const a = await this.admins.updateDepartmentAdmin(actor, domain.id, username, patch);
    return this.one(actor, domain.name, a.username);
  }

  async remove(actor: Actor, domainName: string, username: string): Promise<void> {
    const { domain } = await this.store.read((tx) => reachDomain(tx, actor, domainName, { domainLevel: true }));
    await this.admins.remove(actor, 'department', username, domain.name);
  }

  private async one(actor: Actor, domainName: string, username: string): Promise<DepartmentAdminView> {
    const found = (await this.list(actor, domainName)).find((a) => a.username === username);
    if (!found) throw new Error(`department admin ${username} vanished`);
    return found;
  }
}
