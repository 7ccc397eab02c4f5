/**
 * Where a domain's own settings live in the settings store (its DKIM key, its signature), and the
 * keys under that scope. Kept apart from the code that uses them so the CLI can name them without
 * loading the DKIM signer.
 */
import type { DomainId } from '../core/ids.ts';

export const domainSettingsScope = (domainId: DomainId): string => `domain:${domainId}`;

/** The domain signature appended to outgoing mail (delivery/rewrite/signature.ts). */
export const SIGNATURE_SETTING_KEY = 'signature';

/** Where postmaster@ and abuse@ of the domain are delivered when no user or alias has that name (directory/role-accounts.ts). */
export const ROLE_ACCOUNTS_SETTING_KEY = 'roleAccounts';
