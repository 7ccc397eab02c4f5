/**
 * The super-domain console's client (src/web/api/routes/admin-super.ts): domains, their module
 * switches and admins, mailbox and domain aliases, directory sharing (admin-shares.ts). Same session and CSRF handling as api.ts.
 */
import { call } from './api.ts';

export interface SuperDomain {
  name: string; displayName: string; status: 'valid' | 'invalid' | 'expired'; effectiveStatus: 'valid' | 'invalid' | 'expired';
  users: number; maxUsers: number; quotaAllocatedMb: number; usedMb: number; maxSizeMb: number; lists: number; maxLists: number;
  defaultQuotaMb: number; openedAt: number; expiresAt: number | null; companyName: string; strongPasswords: boolean; aliases: string[];
}
export interface DomainFields {
  status?: SuperDomain['status']; maxUsers?: number; maxSizeMb?: number; maxLists?: number; defaultQuotaMb?: number;
  expiresAt?: number | null; companyName?: string; strongPasswords?: boolean;
}
export const MODULES = ['personalContacts', 'customerContacts', 'enterpriseDirectory', 'netDisk', 'tools', 'password', 'calendar', 'pop'] as const;
export type Modules = Record<(typeof MODULES)[number], boolean>;
export interface DomainBatchResult { added: string[]; errors: Array<{ line: number; field: string; reason: string; message: string }> }

const enc = encodeURIComponent;
const S = '/api/admin/super';
const d = (domain: string) => `${S}/domains/${enc(domain)}`;

export const superApi = {
  domains: (search = '') => call<{ domains: SuperDomain[] }>('GET', `${S}/domains${search ? `?search=${enc(search)}` : ''}`).then((r) => r.domains),
  addDomain: (f: DomainFields & { name: string; adminPassword?: string }) => call<SuperDomain>('POST', `${S}/domains`, f),
  batchAdd: (text: string) => call<DomainBatchResult>('POST', `${S}/domains/batch`, { text }),
  sample: () => call<{ sample: string }>('GET', `${S}/domains-sample`).then((r) => r.sample),
  updateDomain: (domain: string, f: DomainFields) => call<SuperDomain>('POST', d(domain), f),
  deleteDomain: (domain: string) => call('POST', `${d(domain)}/delete`, { confirm: domain }),
  exportUrl: `${S}/domains.csv`,
  modules: (domain: string) => call<Modules>('GET', `${d(domain)}/modules`),
  setModules: (domain: string, m: Partial<Modules>) => call<Modules>('POST', `${d(domain)}/modules`, m),
  admins: (domain: string) => call<{ admins: Array<{ username: string; account: string; createdAt: number }> }>('GET', `${d(domain)}/admins`).then((r) => r.admins),
  addAdmin: (domain: string, username: string, password: string) => call('POST', `${d(domain)}/admins`, { username, password }),
  setAdminPassword: (domain: string, username: string, password: string) => call('POST', `${d(domain)}/admins/${enc(username)}`, { password }),
  deleteAdmin: (domain: string, username: string) => call('POST', `${d(domain)}/admins/${enc(username)}/delete`, {}),
  aliases: (domain: string) => call<{ aliases: Array<{ address: string; targets: string[] }> }>('GET', `${d(domain)}/aliases`).then((r) => r.aliases),
  setAlias: (domain: string, alias: string, targets: string[], replace: boolean) => call('POST', `${d(domain)}/aliases`, { alias, targets, replace }),
  deleteAlias: (domain: string, alias: string) => call('POST', `${d(domain)}/aliases/delete`, { alias }),
  domainAliases: () => call<{ aliases: Array<{ alias: string; domain: string }> }>('GET', `${S}/domain-aliases`).then((r) => r.aliases),
  addDomainAlias: (alias: string, domain: string) => call('POST', `${S}/domain-aliases`, { alias, domain }),
  deleteDomainAlias: (alias: string) => call('POST', `${S}/domain-aliases/delete`, { alias }),
  shares: () => call<{ shares: Array<{ domain: string; sees: string[] }> }>('GET', `${S}/directory-shares`).then((r) => r.shares),
  addShares: (domain: string, shared: string[], mutual: boolean) => call<{ added: number }>('POST', `${S}/directory-shares`, { domain, shared, mutual }),
  removeShare: (domain: string, shared: string) => call<{ removed: number }>('POST', `${S}/directory-shares/remove`, { domain, shared }),
};

export const superKeys = {
  domains: ['admin', 'super', 'domains'] as const,
  modules: (domain: string) => ['admin', 'super', 'modules', domain] as const,
  admins: (domain: string) => ['admin', 'super', 'admins', domain] as const,
  aliases: (domain: string) => ['admin', 'super', 'aliases', domain] as const,
  domainAliases: ['admin', 'super', 'domain-aliases'] as const,
  shares: ['admin', 'super', 'shares'] as const,
};
