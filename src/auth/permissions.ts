/**
 * Who may reach whose mail: the one rule every service applies on entry (issue #12), for the
 * webmail, the admin consoles and the CLI alike. A user reaches only their own mailbox. Admins
 * manage mailboxes within their scope (folder list and sizes, FEATURES A3/A5) but do not read mail:
 * reading another person's mail is what monitoring rules (A7) are for, openly configured and
 * audited. The system (the server itself, the CLI on the machine) reaches everything.
 * Not here: the directory's own admin checks (who may add a user to which domain).
 */
import type { DomainId, OrgUnitId, UserId } from '../core/ids.ts';
import type { Actor } from '../directory/actor.ts';

/** 'read': messages, their contents and flags; 'manage': the folder list, counts and sizes. */
export type MailAccess = 'read' | 'manage';

/** The owner of the mail being reached, as the rule needs it. */
export interface MailOwner {
  userId: UserId;
  domainId: DomainId;
  /** The owner's org unit and every unit above it (nearest first); empty when in none. */
  orgUnits: readonly OrgUnitId[];
}

/** Whether the actor may reach the owner's mail for this kind of access. */
export function mayReachMail(actor: Actor, owner: MailOwner, access: MailAccess): boolean {
  const role = actor.role;
  switch (role.kind) {
    case 'system': return true;
    case 'user': return role.userId === owner.userId;
    case 'super': return access === 'manage';
    case 'domain': return access === 'manage' && role.domainId === owner.domainId;
    case 'department': return access === 'manage' && role.domainId === owner.domainId && owner.orgUnits.includes(role.orgUnitId);
  }
}

/** Whether the actor needs the owner's org units to decide (only department admins do). */
export const needsOrgUnits = (actor: Actor): boolean => actor.role.kind === 'department';

/**
 * A user's personal data (contacts and groups, FEATURES W8): the user and the system only. Admins
 * manage accounts, not people's address books, so no admin role reaches it.
 */
export function mayReachPersonal(actor: Actor, ownerId: UserId): boolean {
  const role = actor.role;
  return role.kind === 'system' || (role.kind === 'user' && role.userId === ownerId);
}

/** What an admin manages in the directory (issue #14): a domain, or a user of a domain. */
export interface DirectoryTarget {
  domainId: DomainId;
  /** For a user: its org unit and every unit above it (nearest first); empty when in none. Absent for the domain itself. */
  orgUnits?: readonly OrgUnitId[];
}

/**
 * Whether the actor may manage (list, add, change, freeze, delete) this domain's users or this user.
 * A department admin manages the users of their unit and the units below it, never the domain as a
 * whole (its users list is narrowed to their subtree by the service); a mailbox user manages nobody.
 */
export function mayManageDirectory(actor: Actor, target: DirectoryTarget): boolean {
  const role = actor.role;
  switch (role.kind) {
    case 'system': case 'super': return true;
    case 'domain': return role.domainId === target.domainId;
    case 'department': return role.domainId === target.domainId && (target.orgUnits === undefined || target.orgUnits.includes(role.orgUnitId));
    case 'user': return false;
  }
}

/**
 * Whether the actor manages the domain as a whole: its information and limits' view, department
 * admins, mailing lists, the operation log (issue #14, FEATURES A2, A5, A6, A9). Department admins
 * manage people and sub-departments of their unit, not the domain.
 */
export function mayManageDomain(actor: Actor, domainId: DomainId): boolean {
  const role = actor.role;
  switch (role.kind) {
    case 'system': case 'super': return true;
    case 'domain': return role.domainId === domainId;
    case 'department': case 'user': return false;
  }
}
