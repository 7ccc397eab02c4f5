/**
 * The client of the domain console's other screens (src/web/api/routes/admin-domain.ts,
 * admin-org.ts, admin-lists.ts, admin-webmail.ts, admin-customers.ts): domain information, org
 * structure, department admins, mailing lists, webmail settings and the customer book, the operation log. Same session and CSRF handling as api.ts; types mirror the zod schemas.
 */
import { call } from './api.ts';

export interface DomainInfo {
  name: string; displayName: string; status: 'valid' | 'invalid' | 'expired'; effectiveStatus: 'valid' | 'invalid' | 'expired';
  maxUsers: number; users: number; maxSizeMb: number; quotaAllocatedMb: number; usedMb: number; maxLists: number; lists: number;
  defaultQuotaMb: number; defaultDiskQuotaMb: number; openedAt: number; expiresAt: number | null;
  allowRegistration: boolean; requireApproval: boolean; showAdminLogin: boolean; feedbackAddress: string; companyName: string;
}
export type DomainInfoPatch = Partial<Omit<DomainInfo, 'name' | 'displayName' | 'effectiveStatus' | 'users' | 'quotaAllocatedMb' | 'usedMb' | 'lists'>>;
export interface OrgUnit { id: number; parentId: number | null; name: string; path: string; sortOrder: number; leader: { address: string; realName: string } | null; users: number }
export interface UnitFields { name?: string; parentId?: number | null; sortOrder?: number; leader?: string | null }
export interface DepartmentAdmin { username: string; account: string; orgUnitId: number; department: string; createdAt: number }
export interface MailingList { address: string; description: string; visibility: 'public' | 'private'; members: number; createdAt: number }
export interface ListMember { address: string; canSend: boolean; canReceive: boolean }
export interface ListDetail extends Omit<MailingList, 'members'> { members: ListMember[] }
export interface AuditEntry { id: number; at: number; actor: string; action: string; target: string; source: string; details: Record<string, unknown> }
export interface AuditQuery { actor?: string; action?: string; target?: string; since?: number; until?: number; page: number; pageSize: number }

export const LOGIN_TEMPLATES = ['default', 'business-blue', 'classic-126', 'minimal'] as const;
export const SEND_CHARSETS = ['utf-8', 'gb18030', 'gbk', 'big5', 'iso-2022-jp', 'euc-kr'] as const;
export const LOGO_SLOTS = ['afterLogin', 'beforeLogin', 'loginBackground'] as const;
export type LogoSlot = (typeof LOGO_SLOTS)[number];
export interface WebmailSettings {
  loginTemplate: (typeof LOGIN_TEMPLATES)[number]; customLoginField: { enabled: boolean; label: string };
  announcement: { enabled: boolean; title: string; body: string }; welcome: { enabled: boolean; subject: string; body: string };
  homeLinks: Array<{ title: string; url: string }>; sendCharset: (typeof SEND_CHARSETS)[number]; ssoUrl: string;
  signature: { text: string; html: string }; strongPasswords: boolean;
  logos: Record<LogoSlot, { type: string; bytes: number; updatedAt: number } | null>;
}

export interface Customer { id: number; name: string; email: string; company: string; phone: string; mobile: string; address: string; notes: string; categoryId: number | null; updatedAt: number }
export type CustomerFields = Partial<Omit<Customer, 'id' | 'updatedAt'>> & { email: string };
export interface CustomerCategory { id: number; name: string; members: number }
export interface CustomerPage { total: number; page: number; pageSize: number; customers: Customer[]; categories: CustomerCategory[] }
export interface CustomerQuery { search?: string; category?: number; page: number; pageSize: number }
export interface CustomerImport { added: number; errors: Array<{ line: number; field: string; message: string }> }

const enc = encodeURIComponent;
const d = (domain: string) => `/api/admin/domains/${enc(domain)}`;
const l = (address: string) => `/api/admin/lists/${enc(address)}`;

export const consoleApi = {
  info: (domain: string) => call<DomainInfo>('GET', `${d(domain)}/info`),
  updateInfo: (domain: string, patch: DomainInfoPatch) => call<DomainInfo>('POST', `${d(domain)}/info`, patch),

  org: (domain: string) => call<{ units: OrgUnit[]; noDepartment: number | null }>('GET', `${d(domain)}/org`),
  addUnit: (domain: string, f: UnitFields & { name: string }) => call<OrgUnit>('POST', `${d(domain)}/org`, f),
  updateUnit: (id: number, f: UnitFields) => call<OrgUnit>('POST', `/api/admin/org/${id}`, f),
  deleteUnit: (id: number, usersTo: 'parent' | 'none') => call('POST', `/api/admin/org/${id}/delete`, { usersTo }),
  moveUsers: (domain: string, users: string[], to: number | null) => call<{ moved: number }>('POST', `${d(domain)}/org/move-users`, { users, to }),

  departmentAdmins: (domain: string) => call<{ admins: DepartmentAdmin[] }>('GET', `${d(domain)}/department-admins`).then((r) => r.admins),
  addDepartmentAdmin: (domain: string, f: { username: string; orgUnitId: number; password: string }) => call<DepartmentAdmin>('POST', `${d(domain)}/department-admins`, f),
  updateDepartmentAdmin: (domain: string, username: string, f: { orgUnitId?: number; password?: string }) =>
    call<DepartmentAdmin>('POST', `${d(domain)}/department-admins/${enc(username)}`, f),
  deleteDepartmentAdmin: (domain: string, username: string) => call('POST', `${d(domain)}/department-admins/${enc(username)}/delete`, {}),

  lists: (domain: string) => call<{ lists: MailingList[] }>('GET', `${d(domain)}/lists`).then((r) => r.lists),
  addList: (domain: string, f: { name: string; description: string; visibility: 'public' | 'private'; members: ListMember[] }) => call<ListDetail>('POST', `${d(domain)}/lists`, f),
  list: (address: string) => call<ListDetail>('GET', l(address)),
  updateList: (address: string, f: { description?: string; visibility?: 'public' | 'private' }) => call<ListDetail>('POST', l(address), f),
  deleteList: (address: string) => call('POST', `${l(address)}/delete`, {}),
  addMembers: (address: string, text: string, canSend: boolean, canReceive: boolean) =>
    call<{ added: string[]; errors: Array<{ entry: string; message: string }> }>('POST', `${l(address)}/members`, { text, canSend, canReceive }),
  removeMember: (address: string, member: string) => call('POST', `${l(address)}/members/remove`, { member }),
  listsExportUrl: (domain: string) => `${d(domain)}/lists.csv`,

  webmail: (domain: string) => call<WebmailSettings>('GET', `${d(domain)}/webmail`),
  updateWebmail: (domain: string, patch: Partial<Omit<WebmailSettings, 'logos'>>) => call<WebmailSettings>('POST', `${d(domain)}/webmail`, patch),
  setLogo: (domain: string, slot: LogoSlot, image: string | null) => call<WebmailSettings>('POST', `${d(domain)}/webmail/logos/${slot}`, { image }),
  logoUrl: (domain: string, slot: LogoSlot) => `${d(domain)}/webmail/logos/${slot}`,

  customers: (domain: string, q: CustomerQuery) => {
    const p = new URLSearchParams({ page: String(q.page), pageSize: String(q.pageSize) });
    if (q.search) p.set('search', q.search);
    if (q.category !== undefined) p.set('category', String(q.category));
    return call<CustomerPage>('GET', `${d(domain)}/webmail/customers?${p}`);
  },
  addCustomer: (domain: string, f: CustomerFields) => call<Customer>('POST', `${d(domain)}/webmail/customers`, f),
  updateCustomer: (domain: string, id: number, f: CustomerFields) => call<Customer>('POST', `${d(domain)}/webmail/customers/${id}`, f),
  deleteCustomers: (domain: string, ids: number[]) => call<{ deleted: number }>('POST', `${d(domain)}/webmail/customers/delete`, { ids }),
  importCustomers: (domain: string, csv: string, categoryId?: number) =>
    call<CustomerImport>('POST', `${d(domain)}/webmail/customers/import`, { csv, ...(categoryId ? { categoryId } : {}) }),
  customersExportUrl: (domain: string) => `${d(domain)}/webmail/customers.csv`,
  customersSampleUrl: (domain: string) => `${d(domain)}/webmail/customers-sample.csv`,
  addCategory: (domain: string, name: string) => call<CustomerCategory>('POST', `${d(domain)}/webmail/customer-categories`, { name }),
  renameCategory: (domain: string, id: number, name: string) => call<CustomerCategory>('POST', `${d(domain)}/webmail/customer-categories/${id}`, { name }),
  deleteCategory: (domain: string, id: number) => call('POST', `${d(domain)}/webmail/customer-categories/${id}/delete`, {}),

  audit: (domain: string, q: AuditQuery) => {
    const p = new URLSearchParams({ page: String(q.page), pageSize: String(q.pageSize) });
    for (const k of ['actor', 'action', 'target', 'since', 'until'] as const) if (q[k] !== undefined && q[k] !== '') p.set(k, String(q[k]));
    return call<{ total: number; entries: AuditEntry[] }>('GET', `${d(domain)}/audit?${p}`);
  },
};

export const consoleKeys = {
  info: (domain: string) => ['admin', 'info', domain] as const,
  org: (domain: string) => ['admin', 'org', domain] as const,
  departmentAdmins: (domain: string) => ['admin', 'department-admins', domain] as const,
  lists: (domain: string) => ['admin', 'lists', domain] as const,
  list: (address: string) => ['admin', 'list', address] as const,
  audit: (domain: string) => ['admin', 'audit', domain] as const,
  webmail: (domain: string) => ['admin', 'webmail', domain] as const,
  customers: (domain: string) => ['admin', 'customers', domain] as const,
};
