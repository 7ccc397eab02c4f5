/**
 * 前台模块设置 (manual part 3 §2.3.2): the webmail modules a domain's users get. The super
 * administrator switches them per domain (super-admin.ts stores them in the domain setting
 * `modules`); every module is on until switched off. A switched-off module is hidden in the
 * webmail and its API answers FORBIDDEN naming the module, so it is off for scripts too.
 */
import { domainSettingsScope, MODULES_SETTING_KEY } from '../config/domain-scope.ts';
import { MailError } from '../core/errors.ts';
import type { DomainId } from '../core/ids.ts';
import type { Domain, Store, StoreTx } from '../store/store.ts';

/** The webmail modules a domain may hide. */
export const WEBMAIL_MODULES = ['personalContacts', 'customerContacts', 'enterpriseDirectory', 'netDisk', 'tools', 'password', 'calendar', 'pop'] as const;
export type WebmailModule = (typeof WEBMAIL_MODULES)[number];
export type ModuleSwitches = Record<WebmailModule, boolean>;

/** The module switches the domain stored (missing: on). */
export async function readModules(tx: StoreTx, domain: Pick<Domain, 'id'>): Promise<ModuleSwitches> {
  const raw = await tx.settings.get(domainSettingsScope(domain.id), MODULES_SETTING_KEY);
  const out = Object.fromEntries(WEBMAIL_MODULES.map((m) => [m, true])) as ModuleSwitches;
  if (raw && typeof raw === 'object') for (const m of WEBMAIL_MODULES) if (typeof (raw as Record<string, unknown>)[m] === 'boolean') out[m] = (raw as Record<string, boolean>)[m]!;
  return out;
}

export class ModuleSwitchService {
  constructor(private readonly store: Store) {}

  /** The switches of the user's domain. */
  forDomain(domainId: DomainId): Promise<ModuleSwitches> {
    return this.store.read((tx) => readModules(tx, { id: domainId }));
  }

  /** Throws FORBIDDEN (details.module) when the domain has switched `module` off. */
  async require(domainId: DomainId, module: WebmailModule): Promise<void> {
    if (!(await this.forDomain(domainId))[module]) {
      throw new MailError('FORBIDDEN', `the ${module} module is switched off for this domain`, { details: { module } });
    }
  }
}
