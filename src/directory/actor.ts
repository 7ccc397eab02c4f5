/**
 * Who acts, with which role and scope, and the audit entry every change writes (DESIGN §4 rule 4:
 * who, what, when, from where). The role says what the actor may reach (auth/permissions.ts decides
 * on it): the server itself and the CLI act as `system`; the web consoles' admins act within their
 * domain or department; a webmail user only within their own mailbox. Services call `recordAudit`
 * inside the transaction that makes the change, so the change and its entry commit or vanish together.
 * Details never hold passwords or hashes.
 */
import type { DomainId, OrgUnitId, UserId } from '../core/ids.ts';
import type { StoreTx } from '../store/store.ts';

/** The role an actor holds and the part of the system it covers (FEATURES A1, A5). */
export type ActorRole =
  /** The server itself, its schedulers and the CLI on the machine: everything. */
  | { kind: 'system' }
  /** The super-domain administrator: every domain. */
  | { kind: 'super' }
  /** A domain administrator: one domain. */
  | { kind: 'domain'; domainId: DomainId }
  /** A department administrator: the users of one org unit and the units below it. */
  | { kind: 'department'; domainId: DomainId; orgUnitId: OrgUnitId }
  /** A mailbox user (webmail): their own mail only. */
  | { kind: 'user'; userId: UserId; domainId: DomainId };

export interface Actor {
  /** Who: 'cli:root', 'admin:administrator', 'admin:admin@x.cn', 'user:bob@x.cn', 'system'. */
  who: string;
  /** From where: a client IP, 'cli', 'scheduler'. */
  from: string;
  role: ActorRole;
}

/** The actor for changes the server makes by itself (first-run set-up, schedulers). */
export const SYSTEM_ACTOR: Actor = { who: 'system', from: 'internal', role: { kind: 'system' } };

/** A mailbox user acting on their own mail from `from` (a client IP). */
export function userActor(user: { id: UserId; domainId: DomainId; address: string }, from: string): Actor {
  return { who: `user:${user.address}`, from, role: { kind: 'user', userId: user.id, domainId: user.domainId } };
}

/** Writes one audit entry; `action` is verb-object ('user.freeze'), `target` usually an address or domain. */
export async function recordAudit(
  tx: StoreTx, actor: Actor, action: string, target: string, details: Record<string, unknown> = {},
): Promise<void> {
  await tx.audit.write({ actor: actor.who, source: actor.from, action, target, details, domain: auditDomainOf(target) });
}

/**
 * The domain an audit target is about, for the domain consoles' log (FEATURES A9): the part after
 * the '@' ('bob@x.cn', 'orgunit:3@x.cn', 'department:li@x.cn'), a bare domain name ('x.cn'), or ''
 * ('administrator', 'domainpop', 'job 5'). Migration 020 applies the same rule to older entries.
 */
export function auditDomainOf(target: string): string {
  const at = target.lastIndexOf('@');
  if (at >= 0) return target.slice(at + 1).toLowerCase();
  return target.includes('.') && !/[:\s]/.test(target) ? target.toLowerCase() : '';
}

/**
 * A web console admin acting from `from` (a client IP): super, domain or department role. The
 * system role has its own console on the admin port and never gets an actor here.
 */
export function adminActor(
  admin: { username: string; role: 'super' | 'domain' | 'department'; domainId: DomainId | null; orgUnitId: OrgUnitId | null },
  domainName: string | null, from: string,
): Actor {
  const at = domainName ? `@${domainName}` : '';
  const who = `admin:${admin.role === 'department' ? 'department:' : ''}${admin.username}${at}`;
  if (admin.role === 'super') return { who, from, role: { kind: 'super' } };
  if (admin.domainId === null) throw new Error(`${admin.role} admin ${admin.username} has no domain`);
  if (admin.role === 'domain') return { who, from, role: { kind: 'domain', domainId: admin.domainId } };
  if (admin.orgUnitId === null) throw new Error(`department admin ${admin.username} has no department`);
  return { who, from, role: { kind: 'department', domainId: admin.domainId, orgUnitId: admin.orgUnitId } };
}
