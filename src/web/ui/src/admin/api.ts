/**
 * The admin consoles' client for /api/admin/ (src/web/api/routes/admin-*.ts): the admin session
 * cookie is the browser's business; the CSRF token comes from the login or /me and goes in
 * X-CSRF-Token on every POST (the login itself sends the pre-login double-submit token). Errors
 * are thrown as the webmail's ApiError. The types mirror the routes' zod schemas.
 */
import { ApiError, requestJson } from '../api.ts';

export interface ConsoleAdmin { username: string; role: 'super' | 'domain' | 'department'; domain: string | null; orgUnitId: number | null; department: string | null }
export interface AdminMe { admin: ConsoleAdmin; csrfToken: string }
export type Scope = 'any' | 'internal';
export interface AdminUser {
  address: string; realName: string; status: 'active' | 'frozen' | 'pending'; quotaMb: number; diskQuotaMb: number;
  orgUnitId: number | null; department: string; hidden: boolean; sendScope: Scope; receiveScope: Scope; createdAt: number; lastLoginAt: number | null;
  /** The custom login field's value (自定义用户字段), '' for none. */
  loginName: string;
}
export interface Department { id: number; parentId: number | null; name: string; path: string }
export type UserSort = 'address' | 'realName' | 'status' | 'quotaBytes' | 'createdAt' | 'lastLoginAt';
export interface UsersQuery { search: string; status?: AdminUser['status']; sort: UserSort; order: 'asc' | 'desc'; page: number; pageSize: number; department?: number }
export interface UserFields {
  realName?: string; quotaMb?: number; diskQuotaMb?: number; orgUnitId?: number | null; hidden?: boolean;
  sendScope?: Scope; receiveScope?: Scope; status?: 'active' | 'frozen'; password?: string; loginName?: string;
}
export interface BatchChangeResult { updated: string[]; errors: Array<{ user: string; field: string; reason: string; message: string }> }
export interface BatchResult { added: string[]; errors: Array<{ line: number; field: string; reason: string; message: string }> }

let csrfToken = '';

/** One console API call with the admin session's CSRF token. */
export const call = <T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> => requestJson<T>(method, path, body, csrfToken);

const enc = encodeURIComponent;
const domainPath = (domain: string) => `/api/admin/domains/${enc(domain)}`;
const userPath = (address: string) => `/api/admin/users/${enc(address)}`;

export const adminApi = {
  async me(): Promise<AdminMe | null> {
    try {
      const me = await call<AdminMe>('GET', '/api/admin/session/me');
      csrfToken = me.csrfToken;
      return me;
    } catch (err) {
      if (err instanceof ApiError && err.code === 'AUTH_REQUIRED') return null;
      throw err;
    }
  },
  async login(account: string, password: string): Promise<AdminMe> {
    csrfToken = (await call<{ csrfToken: string }>('GET', '/api/session/csrf')).csrfToken;
    const me = await call<AdminMe>('POST', '/api/admin/session/login', { account, password });
    csrfToken = me.csrfToken;
    return me;
  },
  async logout(): Promise<void> {
    await call('POST', '/api/admin/session/logout', {});
    csrfToken = '';
  },
  changePassword: (oldPassword: string, newPassword: string) => call('POST', '/api/admin/session/password', { oldPassword, newPassword }),
  domains: () => call<{ domains: Array<{ name: string; displayName: string }> }>('GET', '/api/admin/domains').then((r) => r.domains),
  departments: (domain: string) => call<{ departments: Department[] }>('GET', `${domainPath(domain)}/departments`).then((r) => r.departments),
  users: (domain: string, q: UsersQuery) => {
    const p = new URLSearchParams({ sort: q.sort, order: q.order, page: String(q.page), pageSize: String(q.pageSize) });
    if (q.search) p.set('search', q.search);
    if (q.status) p.set('status', q.status);
    if (q.department !== undefined) p.set('department', String(q.department));
    return call<{ total: number; users: AdminUser[] }>('GET', `${domainPath(domain)}/users?${p}`);
  },
  addUser: (domain: string, f: UserFields & { name: string; password: string; sendWelcome?: boolean }) => call<AdminUser>('POST', `${domainPath(domain)}/users`, f),
  updateUser: (address: string, f: UserFields) => call<AdminUser>('POST', userPath(address), f),
  approve: (address: string) => call<AdminUser>('POST', `${userPath(address)}/approve`, {}),
  freeze: (address: string) => call<AdminUser>('POST', `${userPath(address)}/freeze`, {}),
  unfreeze: (address: string) => call<AdminUser>('POST', `${userPath(address)}/unfreeze`, {}),
  remove: (address: string) => call('POST', `${userPath(address)}/delete`, {}),
  batchAdd: (domain: string, csv: string) => call<BatchResult>('POST', `${domainPath(domain)}/users/batch`, { csv }),
  exportUrl: (domain: string) => `${domainPath(domain)}/users.csv`,
  exportTxtUrl: (domain: string) => `${domainPath(domain)}/users.txt`,
  batchUpdate: (domain: string, users: string[], f: { quotaMb?: number; status?: 'active' | 'frozen'; orgUnitId?: number | null }) =>
    call<BatchChangeResult>('POST', `${domainPath(domain)}/users/batch-update`, { users, ...f }),
  batchDelete: (domain: string, users: string[]) => call<BatchChangeResult>('POST', `${domainPath(domain)}/users/batch-delete`, { users }),
  sampleUrl: '/api/admin/users-sample.csv',
};

export const adminKeys = {
  me: ['admin', 'me'] as const,
  domains: ['admin', 'domains'] as const,
  departments: (domain: string) => ['admin', 'departments', domain] as const,
  users: (domain: string) => ['admin', 'users', domain] as const,
};
