/**
 * postmaster@ and abuse@ of every local domain (RFC 5321 §4.5.1, RFC 2142 §2): always accepted and,
 * when no user, alias or list has that name, delivered to the mailbox the domain names for it
 * (domain setting `roleAccounts`). Default when unset: abuse@ goes where postmaster@ goes, and
 * postmaster@ goes to the user admin@ of the domain if there is one, else the domain's oldest active
 * user. A domain without any active user has nobody to read such mail: then the address is unknown.
 */
import { MailError } from '../core/errors.ts';
import type { Domain, StoreTx } from '../store/store.ts';
import { domainSettingsScope, ROLE_ACCOUNTS_SETTING_KEY } from '../config/domain-scope.ts';
import { normaliseAddress } from './address.ts';

export const ROLE_ACCOUNTS = ['postmaster', 'abuse'] as const;
export type RoleAccount = (typeof ROLE_ACCOUNTS)[number];

/** What the domain configured: an address per role, or nothing (the default applies). */
export type RoleAccountSettings = Partial<Record<RoleAccount, string>>;

/** Local part of the user postmaster@ reaches by default (the built-in domain admin's name). */
const DEFAULT_POSTMASTER_USER = 'admin';

export function isRoleAccount(localPart: string): localPart is RoleAccount {
  return (ROLE_ACCOUNTS as readonly string[]).includes(localPart);
}

export async function readRoleAccounts(tx: StoreTx, domain: Domain): Promise<RoleAccountSettings> {
  const raw = await tx.settings.get(domainSettingsScope(domain.id), ROLE_ACCOUNTS_SETTING_KEY);
  const out: RoleAccountSettings = {};
  if (raw && typeof raw === 'object') {
    for (const role of ROLE_ACCOUNTS) {
      const v = (raw as Record<string, unknown>)[role];
      if (typeof v === 'string' && v !== '') out[role] = v;
    }
  }
  return out;
}

/**
 * Stores the domain's choices: an address sets a role, '' returns it to the default, undefined leaves
 * it. Throws INVALID_INPUT for a malformed address or one that is the role address itself.
 */
export async function writeRoleAccounts(tx: StoreTx, domain: Domain, patch: RoleAccountSettings): Promise<RoleAccountSettings> {
  const next = await readRoleAccounts(tx, domain);
  for (const role of ROLE_ACCOUNTS) {
    const v = patch[role];
    if (v === undefined) continue;
    if (v === '') { delete next[role]; continue; }
    const address = normaliseAddress(v);
    if (address === `${role}@${domain.name}`) throw new MailError('INVALID_INPUT', `${role}@ cannot be delivered to itself`);
    next[role] = address;
  }
  await tx.settings.set(domainSettingsScope(domain.id), ROLE_ACCOUNTS_SETTING_KEY, next);
  return next;
}

/** Where mail for role@domain goes when nothing else has the name; undefined when the domain has no one to take it. */
export async function roleAccountTarget(tx: StoreTx, domain: Domain, role: RoleAccount): Promise<string | undefined> {
  const configured = await readRoleAccounts(tx, domain);
  const explicit = configured[role] ?? (role === 'abuse' ? configured.postmaster : undefined);
  if (explicit) return explicit;
  const admin = await tx.users.byAddress(domain.id, DEFAULT_POSTMASTER_USER);
  if (admin?.status === 'active') return `${admin.localPart}@${domain.name}`;
  const users = await tx.users.list({ domainId: domain.id, status: 'active' });
  const oldest = users.reduce<(typeof users)[number] | undefined>(
    (best, u) => (!best || u.createdAt < best.createdAt || (u.createdAt === best.createdAt && u.id < best.id) ? u : best), undefined);
  return oldest ? `${oldest.localPart}@${domain.name}` : undefined;
}
