/**
 * 机构管理 of the domain and department consoles (manual part 3 §1.5; FEATURES A4) for an admin
 * Actor: the department tree with each unit's order, leader and head count, add, change (name,
 * parent, order, leader), delete (its users stay: moved to the parent or left in no department;
 * its sub-departments move up), and moving users between departments. A domain admin reaches the
 * whole domain; a department admin the departments below their own (their own unit they see but
 * cannot rename, move or delete: it is what they are confined to) and the users in their subtree.
 * OrgService makes and audits every change. Out-of-reach units and users are NOT_FOUND for a
 * department admin, another domain FORBIDDEN (admin-reach.ts).
 */
import { MailError } from '../core/errors.ts';
import type { OrgUnitId } from '../core/ids.ts';
import type { OrgUnit, Store, StoreTx } from '../store/store.ts';
import type { Actor } from './actor.ts';
import { chainOf, pathOf, reachDomain, type Reach } from './admin-reach.ts';
import type { OrgService } from './orgs.ts';
import { requireUser } from './users.ts';

export interface OrgUnitView {
  id: OrgUnitId;
  /** null at the top of what the admin sees (a department admin's own unit). */
  parentId: OrgUnitId | null;
  name: string;
  path: string;
  sortOrder: number;
  leader: { address: string; realName: string } | null;
  /** Users directly in this unit. */
  users: number;
}

export interface OrgUnitPatch {
  name?: string;
  parentId?: OrgUnitId | null;
  sortOrder?: number;
  leader?: string | null;
}

/** At most this many users moved in one request (a drag of a selection, a "move to" of a page). */
export const MOVE_MAX = 500;

export class OrgAdminService {
  constructor(private readonly store: Store, private readonly orgs: OrgService) {}

  /** The departments the actor reaches, by order then name within each parent, and the users in none (domain admins only). */
  async tree(actor: Actor, domainName: string): Promise<{ units: OrgUnitView[]; noDepartment: number | null }> {
    return this.store.read(async (tx) => {
      const reach = await reachDomain(tx, actor, domainName);
      const visible = reach.units.filter((u) => !reach.subtree || reach.subtree.has(u.id));
      const units: OrgUnitView[] = [];
      for (const u of visible) units.push(await this.view(tx, reach, u));
      const noDepartment = reach.subtree ? null : await tx.users.count({ domainId: reach.domain.id, orgUnitId: null });
      return { units, noDepartment };
    });
  }

  /** Adds a department (manual §1.5.2). A department admin adds only below their own unit. */
  async add(actor: Actor, domainName: string, input: { name: string; parentId?: OrgUnitId | null; sortOrder?: number; leader?: string | null }): Promise<OrgUnitView> {
    const reach = await this.store.read(async (tx) => {
      const r = await reachDomain(tx, actor, domainName);
      this.requireParent(r, input.parentId ?? null);
      if (input.leader) await this.requireLeader(tx, r, input.leader);
      return r;
    });
    const unit = await this.orgs.add(actor, reach.domain.id, input);
    return this.store.read(async (tx) => this.view(tx, await reachDomain(tx, actor, reach.domain.name), unit));
  }

  /** Changes a department (manual §1.5.1 "修改部门"): name, parent, order, leader; each audited by OrgService. */
  async update(actor: Actor, id: OrgUnitId, patch: OrgUnitPatch): Promise<OrgUnitView> {
    const { unit } = await this.store.read(async (tx) => {
      const found = await this.reachUnit(tx, actor, id, { changing: true });
      if (patch.parentId !== undefined) this.requireParent(found.reach, patch.parentId);
      if (patch.leader) await this.requireLeader(tx, found.reach, patch.leader);
      return found;
    });
    if (patch.name !== undefined && patch.name.trim() !== unit.name) await this.orgs.rename(actor, id, patch.name);
    if (patch.parentId !== undefined && patch.parentId !== unit.parentId) await this.orgs.move(actor, id, patch.parentId);
    if (patch.sortOrder !== undefined || patch.leader !== undefined) await this.orgs.update(actor, id, { sortOrder: patch.sortOrder, leader: patch.leader });
    return this.store.read(async (tx) => {
      const { reach, unit: now } = await this.reachUnit(tx, actor, id);
      return this.view(tx, reach, now);
    });
  }

  /** Deletes a department; its users go to the parent department or to none, as asked. */
  async remove(actor: Actor, id: OrgUnitId, usersTo: 'parent' | 'none'): Promise<void> {
    const { reach } = await this.store.read((tx) => this.reachUnit(tx, actor, id, { changing: true }));
    // Users in no department would fall out of a department admin's reach.
    if (reach.subtree && usersTo === 'none') throw new MailError('FORBIDDEN', 'a department admin keeps users in their departments', { details: { field: 'usersTo' } });
    await this.orgs.delete(actor, id, { usersTo });
  }

  /**
   * Moves users to a department, or to none with null (manual §1.5.1 "添加用户到部门"; the console
   * drags them). All are checked before any moves; each move is audited ('user.department').
   */
  async moveUsers(actor: Actor, domainName: string, addresses: string[], to: OrgUnitId | null): Promise<{ moved: number }> {
    if (addresses.length > MOVE_MAX) throw new MailError('INVALID_INPUT', `at most ${MOVE_MAX} users at once`, { details: { field: 'users' } });
    const users = await this.store.read(async (tx) => {
      const r = await reachDomain(tx, actor, domainName);
      if (to === null) {
        if (r.subtree) throw new MailError('FORBIDDEN', 'a department admin keeps users in their departments', { details: { field: 'to' } });
      } else if (!r.units.some((u) => u.id === to) || (r.subtree && !r.subtree.has(to))) {
        throw new MailError('NOT_FOUND', `department #${to} does not exist in this domain`, { details: { field: 'to' } });
      }
      const found: string[] = [];
      for (const a of addresses) {
        const hit = await requireUser(tx, a).catch(() => undefined);
        if (!hit || hit.domain.id !== r.domain.id || (r.subtree && !chainOf(r.units, hit.user.orgUnitId).some((id) => r.subtree!.has(id)))) {
          throw new MailError('NOT_FOUND', `user ${a} does not exist`, { details: { field: 'users' } });
        }
        found.push(`${hit.user.localPart}@${hit.domain.name}`);
      }
      return found;
    });
    for (const address of users) await this.orgs.setUserDepartment(actor, address, to);
    return { moved: users.length };
  }

  /** The unit with the actor's reach in its domain; NOT_FOUND outside a department admin's subtree or, when changing, at its root. */
  private async reachUnit(tx: StoreTx, actor: Actor, id: OrgUnitId, opts: { changing?: boolean } = {}): Promise<{ reach: Reach; unit: OrgUnit }> {
    const unit = await tx.orgUnits.get(id);
    const domain = unit && (await tx.domains.get(unit.domainId));
    if (!unit || !domain) throw new MailError('NOT_FOUND', `department #${id} does not exist`);
    const reach = await reachDomain(tx, actor, domain.name);
    if (reach.subtree && !reach.subtree.has(id)) throw new MailError('NOT_FOUND', `department #${id} does not exist`);
    if (opts.changing && reach.subtree && actor.role.kind === 'department' && actor.role.orgUnitId === id) {
      throw new MailError('FORBIDDEN', 'a department admin does not change their own department');
    }
    return { reach, unit };
  }

  /** A new parent the actor may put a department under: a unit of the domain (a department admin: in their subtree). */
  private requireParent(reach: Reach, parentId: OrgUnitId | null): void {
    if (parentId === null) {
      if (reach.subtree) throw new MailError('FORBIDDEN', 'a department admin adds departments below their own', { details: { field: 'parentId' } });
      return;
    }
    if (!reach.units.some((u) => u.id === parentId) || (reach.subtree && !reach.subtree.has(parentId))) {
      throw new MailError('NOT_FOUND', `department #${parentId} does not exist in this domain`, { details: { field: 'parentId' } });
    }
  }

  /** A leader must be a user of the domain (a department admin's: one of their users). */
  private async requireLeader(tx: StoreTx, reach: Reach, leader: string): Promise<void> {
    const found = await requireUser(tx, leader).catch(() => undefined);
    const inside = found && found.domain.id === reach.domain.id
      && (!reach.subtree || chainOf(reach.units, found.user.orgUnitId).some((id) => reach.subtree!.has(id)));
    if (!inside) throw new MailError('NOT_FOUND', `user ${leader} does not exist in this domain`, { details: { field: 'leader' } });
  }

  private async view(tx: StoreTx, reach: Reach, u: OrgUnit): Promise<OrgUnitView> {
    const leader = u.leaderUserId === null ? undefined : await tx.users.get(u.leaderUserId);
    const parentVisible = u.parentId !== null && (!reach.subtree || reach.subtree.has(u.parentId));
    return {
      id: u.id, parentId: parentVisible ? u.parentId : null, name: u.name, path: pathOf(reach.units, u.id), sortOrder: u.sortOrder,
      leader: leader ? { address: `${leader.localPart}@${reach.domain.name}`, realName: leader.realName } : null,
      users: await tx.users.count({ domainId: reach.domain.id, orgUnitId: u.id }),
    };
  }
}
