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

/** Which webmail modules the domain's users see (directory/super-admin.ts, manual part 3 §2.3.2). */
export const MODULES_SETTING_KEY = 'modules';

/** The domain's webmail settings: announcement, welcome letter, links, logos… (directory/webmail-settings.ts, manual part 3 §1.8). */
export const WEBMAIL_SETTING_KEY = 'webmail';

/** The domain's mail monitoring rules (邮件监控; directory/monitor-console.ts, run by content-filter/stage.ts). */
export const MONITORING_SETTING_KEY = 'monitoring';
