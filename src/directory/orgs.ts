/**
 * Organisation structure (manual part 3 §1.5; FEATURES A4): multi-level departments per domain, each
 * with a display order and an optional leader, shown in the enterprise address book by order then
 * name. Deleting a department keeps its users (they lose the department) and lifts its children to
 * its parent. Department names are unique among siblings. Department admins are in admins.ts.
 */
import { MailError } from '../core/errors.ts';
import { systemClock, type Clock } from '../core/clock.ts';
import type { OrgUnitId, UserId } from '../core/ids.ts';
import type { Domain, OrgUnit, Store, StoreTx } from '../store/store.ts';
import { type Actor, recordAudit } from './actor.ts';
import { domainLabel, requireDomain, type DomainRef } from './lookup.ts';
import { requireUser } from './users.ts';

export interface OrgNode {
  unit: OrgUnit;
  children: OrgNode[];
}

export interface DepartmentInput {
  name: string;
  parentId?: OrgUnitId | null;
  /** Smaller first (manual: "显示顺序" 1 puts the CEO's office first). Default 0. */
  sortOrder?: number;
  /** The leader's address (a user of the same domain), or null for none. */
  leader?: string | null;
}

const MAX_NAME = 100;
const collator = new Intl.Collator('zh-Hans-CN');

export class OrgService {
  /** clock is unused today; taken like the other services so the wiring is uniform. */
  constructor(private readonly store: Store, readonly clock: Clock = systemClock) {}

  /** Adds a department. Throws NOT_FOUND (domain, parent, leader), ALREADY_EXISTS (sibling name), INVALID_INPUT. */
  async add(actor: Actor, domainRef: DomainRef, input: DepartmentInput): Promise<OrgUnit> {
    const name = checkName(input.name);
    checkOrder(input.sortOrder);
    return this.store.tx(async (tx) => {
      const domain = await requireDomain(tx, domainRef);
      const parentId = input.parentId ?? null;
      if (parentId !== null) await requireUnit(tx, parentId, domain);
      await requireSiblingNameFree(tx, domain, parentId, name);
      const leaderUserId = await leaderId(tx, domain, input.leader);
      const unit = await tx.orgUnits.create({ domainId: domain.id, name, parentId, sortOrder: input.sortOrder ?? 0, leaderUserId });
      await recordAudit(tx, actor, 'org.create', target(domain, unit), { name, parentId, sortOrder: unit.sortOrder, leaderUserId });
      return unit;
    });
  }

  /** Moves a department under another (or to the top with null). Refuses moving it under itself or its own descendant. */
  async move(actor: Actor, id: OrgUnitId, parentId: OrgUnitId | null): Promise<OrgUnit> {
    return this.store.tx(async (tx) => {
      const { unit, domain } = await requireUnitAnyDomain(tx, id);
      if (parentId !== null) {
        await requireUnit(tx, parentId, domain);
        const units = await tx.orgUnits.list(domain.id);
        const byId = new Map(units.map((u) => [u.id, u]));
        for (let p: OrgUnit | undefined = byId.get(parentId); p; p = p.parentId === null ? undefined : byId.get(p.parentId)) {
          if (p.id === id) throw new MailError('INVALID_INPUT', `department "${unit.name}" cannot move under itself or its own sub-department`);
        }
      }
      await requireSiblingNameFree(tx, domain, parentId, unit.name, id);
      const updated = await this.patch(tx, unit, { parentId });
      await recordAudit(tx, actor, 'org.move', target(domain, unit), { from: unit.parentId, to: parentId });
      return updated;
    });
  }

  async rename(actor: Actor, id: OrgUnitId, newName: string): Promise<OrgUnit> {
    const name = checkName(newName);
    return this.store.tx(async (tx) => {
      const { unit, domain } = await requireUnitAnyDomain(tx, id);
      await requireSiblingNameFree(tx, domain, unit.parentId, name, id);
      const updated = await this.patch(tx, unit, { name });
      await recordAudit(tx, actor, 'org.rename', target(domain, unit), { from: unit.name, to: name });
      return updated;
    });
  }

  /** Changes the display order and/or the leader (null removes the leader). */
  async update(actor: Actor, id: OrgUnitId, patch: Pick<DepartmentInput, 'sortOrder' | 'leader'>): Promise<OrgUnit> {
    checkOrder(patch.sortOrder);
    return this.store.tx(async (tx) => {
      const { unit, domain } = await requireUnitAnyDomain(tx, id);
      const changes: { sortOrder?: number; leaderUserId?: UserId | null } = {};
      if (patch.sortOrder !== undefined) changes.sortOrder = patch.sortOrder;
      if (patch.leader !== undefined) changes.leaderUserId = await leaderId(tx, domain, patch.leader);
      const updated = await this.patch(tx, unit, changes);
      await recordAudit(tx, actor, 'org.update', target(domain, unit), { ...changes });
      return updated;
    });
  }

  /**
   * Deletes a department; its children move up and its users stay: in no department (the default,
   * manual §1.5.1), or moved to the parent department with `usersTo: 'parent'`.
   */
  async delete(actor: Actor, id: OrgUnitId, opts: { usersTo?: 'parent' | 'none' } = {}): Promise<void> {
    await this.store.tx(async (tx) => {
      const { unit, domain } = await requireUnitAnyDomain(tx, id);
      const users = await tx.users.count({ orgUnitId: id });
      const to = opts.usersTo === 'parent' ? unit.parentId : null;
      if (to !== null) for (const u of await tx.users.list({ orgUnitId: id })) await tx.users.update(u.id, { orgUnitId: to });
      await tx.orgUnits.delete(id);
      await recordAudit(tx, actor, 'org.delete', target(domain, unit), { name: unit.name, users, usersTo: to });
    });
  }

  async get(id: OrgUnitId): Promise<OrgUnit | undefined> {
    return this.store.read((tx) => tx.orgUnits.get(id));
  }

  /** The domain's departments as a forest, each level sorted by sortOrder then name. */
  async tree(domainRef: DomainRef): Promise<OrgNode[]> {
    const units = await this.store.read(async (tx) => tx.orgUnits.list((await requireDomain(tx, domainRef)).id));
    const nodes = new Map<OrgUnitId, OrgNode>(units.map((u) => [u.id, { unit: u, children: [] }]));
    const roots: OrgNode[] = [];
    for (const node of nodes.values()) {
      const parent = node.unit.parentId === null ? undefined : nodes.get(node.unit.parentId);
      (parent ? parent.children : roots).push(node);
    }
    const sort = (list: OrgNode[]): OrgNode[] => {
      list.sort((a, b) => a.unit.sortOrder - b.unit.sortOrder || collator.compare(a.unit.name, b.unit.name));
      for (const n of list) sort(n.children);
      return list;
    };
    return sort(roots);
  }

  /** Puts a user in a department of its domain, or in none with null (manual "添加用户到部门"). */
  async setUserDepartment(actor: Actor, address: string, unitId: OrgUnitId | null): Promise<void> {
    await this.store.tx(async (tx) => {
      const { user, domain } = await requireUser(tx, address);
      if (unitId !== null) await requireUnit(tx, unitId, domain);
      await tx.users.update(user.id, { orgUnitId: unitId });
      await recordAudit(tx, actor, 'user.department', `${user.localPart}@${domain.name}`, { from: user.orgUnitId, to: unitId });
    });
  }

  private async patch(tx: StoreTx, unit: OrgUnit, patch: Parameters<StoreTx['orgUnits']['update']>[1]): Promise<OrgUnit> {
    const updated = await tx.orgUnits.update(unit.id, patch);
    if (!updated) throw new MailError('NOT_FOUND', `department #${unit.id} does not exist`);
    return updated;
  }
}

const target = (domain: Domain, unit: OrgUnit): string => `orgunit:${unit.id}@${domain.name}`;

function checkName(name: string): string {
  const clean = name.trim();
  if (clean === '' || clean.length > MAX_NAME || /[\u0000-\u001f\u007f]/.test(clean)) {
    throw new MailError('INVALID_INPUT', `a department name must be 1 to ${MAX_NAME} printable characters`);
  }
  return clean;
}

function checkOrder(order: number | undefined): void {
  if (order !== undefined && !Number.isSafeInteger(order)) throw new MailError('INVALID_INPUT', 'sortOrder must be a whole number');
}

async function requireUnitAnyDomain(tx: StoreTx, id: OrgUnitId): Promise<{ unit: OrgUnit; domain: Domain }> {
  const unit = await tx.orgUnits.get(id);
  const domain = unit && (await tx.domains.get(unit.domainId));
  if (!unit || !domain) throw new MailError('NOT_FOUND', `department #${id} does not exist`);
  return { unit, domain };
}

async function requireUnit(tx: StoreTx, id: OrgUnitId, domain: Domain): Promise<OrgUnit> {
  const unit = await tx.orgUnits.get(id);
  if (!unit || unit.domainId !== domain.id) {
    throw new MailError('NOT_FOUND', `department #${id} does not exist in domain ${domainLabel(domain)}`);
  }
  return unit;
}

async function requireSiblingNameFree(
  tx: StoreTx, domain: Domain, parentId: OrgUnitId | null, name: string, except?: OrgUnitId,
): Promise<void> {
  const clash = (await tx.orgUnits.list(domain.id))
    .find((u) => u.parentId === parentId && u.id !== except && u.name.toLowerCase() === name.toLowerCase());
  if (clash) throw new MailError('ALREADY_EXISTS', `department "${name}" already exists there in domain ${domainLabel(domain)}`);
}

async function leaderId(tx: StoreTx, domain: Domain, leader: string | null | undefined): Promise<UserId | null> {
  if (leader === undefined || leader === null || leader === '') return null;
  const { user, domain: userDomain } = await requireUser(tx, leader);
  if (userDomain.id !== domain.id) {
    throw new MailError('INVALID_INPUT', `the leader must be a user of domain ${domainLabel(domain)}`);
  }
  return user.id;
}
