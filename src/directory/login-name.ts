/**
 * 自定义用户字段 (manual part 3 §1.8.3; FEATURES A8): a per-user value (a staff number, say) that
 * the domain may let its users sign in to the webmail with instead of their address. The domain's
 * webmail settings name the field and switch it on (webmail-settings.ts); the value lives on the
 * user (users.login_name), unique within the domain. Here: the value's rules, the uniqueness check
 * that names the field, and the lookup the webmail login uses (same login path and throttle after
 * it). IMAP, POP3 and SMTP logins stay by address.
 */
import { MailError } from '../core/errors.ts';
import type { UserId } from '../core/ids.ts';
import { domainSettingsScope, WEBMAIL_SETTING_KEY } from '../config/domain-scope.ts';
import type { Domain, Store, StoreTx } from '../store/store.ts';
import { normaliseDomain } from './address.ts';
import { findDomain } from './lookup.ts';

export const MAX_LOGIN_NAME = 64;

/** The domain's custom login field: its name, and whether users may sign in with it. */
export async function customFieldOf(tx: StoreTx, domain: Pick<Domain, 'id'>): Promise<{ enabled: boolean; label: string }> {
  const raw = await tx.settings.get(domainSettingsScope(domain.id), WEBMAIL_SETTING_KEY) as { customLoginField?: { enabled?: boolean; label?: string } } | undefined;
  const f = raw?.customLoginField;
  return { enabled: f?.enabled === true && !!f.label, label: f?.label ?? '' };
}

/** The value trimmed; '' clears it. Throws INVALID_INPUT (field loginName) for "@", spaces or a value too long. */
export function checkLoginName(value: string): string {
  const v = value.trim();
  if (v.length > MAX_LOGIN_NAME) throw bad(`at most ${MAX_LOGIN_NAME} characters`);
  if (/[@\s]/.test(v)) throw bad('no "@" and no spaces (it must not look like an address)');
  return v;
}

/** Throws ALREADY_EXISTS naming the field (its label) when another user of the domain has the value. */
export async function requireLoginNameFree(tx: StoreTx, domain: Domain, value: string, self?: UserId): Promise<void> {
  if (value === '') return;
  const other = await tx.users.byLoginName(domain.id, value);
  if (other && other.id !== self) {
    const { label } = await customFieldOf(tx, domain);
    const name = label || 'loginName';
    throw new MailError('ALREADY_EXISTS', `${name} "${value}" is already used by ${other.localPart}@${domain.name}`, { details: { field: 'loginName' } });
  }
}

/**
 * What the webmail login page signs in with: on a domain that switched the custom field on, a name
 * without "@" is the field's value, and this returns the address of the user who has it (or
 * as typed when no user has it: not an address, so the login fails as an unknown name does).
 * Anything else (an address, a domain without the field) is returned as typed.
 */
export async function resolveLoginName(store: Store, name: string, domainName: string | undefined): Promise<string> {
  const typed = name.trim();
  if (typed.includes('@') || !domainName) return typed;
  return store.read(async (tx) => {
    let ascii: string;
    try {
      ascii = normaliseDomain(domainName);
    } catch {
      return typed;
    }
    const domain = (await findDomain(tx, ascii))?.domain;
    if (!domain || !(await customFieldOf(tx, domain)).enabled) return typed;
    const user = await tx.users.byLoginName(domain.id, typed);
    return user ? `${user.localPart}@${domain.name}` : typed; // no such value: fails as any unknown name does
  });
}

const bad = (why: string) => new MailError('INVALID_INPUT', `loginName: ${why}`, { details: { field: 'loginName' } });
