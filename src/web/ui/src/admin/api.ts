/**
 * The admin consoles' client for /api/admin/ (src/web/api/routes/admin-*.ts): the admin session
 * cookie is the browser's business; the CSRF token comes from the login or /me and goes in
 * X-CSRF-Token on every POST (the login itself sends the pre-login double-submit token). Errors
 * are thrown as the webmail's ApiError. The types mirror the routes' zod schemas.
 */
import { ApiError, errorOf, requestJson } from '../api.ts';

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
  /** The same, hearing how far it is (the server answers a line per step, NDJSON). */
  batchAddWithProgress: (domain: string, csv: string, progress: (done: number, total: number) => void) =>
    readProgress<BatchResult>(`${domainPath(domain)}/users/batch-progress`, { csv }, progress),
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

/**
 * A POST whose answer comes as NDJSON lines {done, total} and then {result} or {error}; a refusal
 * before the first line comes as a JSON error with its status, as from every route.
 */
async function readProgress<T>(path: string, body: unknown, progress: (done: number, total: number) => void): Promise<T> {
  let res: Response;
  try {
    res = await fetch(path, {
      method: 'POST', credentials: 'same-origin', body: JSON.stringify(body),
      headers: { accept: 'application/x-ndjson', 'content-type': 'application/json', 'x-csrf-token': csrfToken },
    });
  } catch (err) {
    throw new ApiError(0, 'NETWORK', (err as Error).message);
  }
  if (!res.ok || !res.body) throw await errorOf(res);
  const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffered = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buffered += value;
    let nl: number;
    while ((nl = buffered.indexOf('\n')) >= 0) {
      const line = JSON.parse(buffered.slice(0, nl)) as { done?: number; total?: number; result?: T; error?: { code: string; message: string; field?: string } };
      buffered = buffered.slice(nl + 1);
      if (line.result !== undefined) return line.result;
      if (line.error) throw new ApiError(500, line.error.code, line.error.message, line.error.field);
      if (line.done !== undefined && line.total !== undefined) progress(line.done, line.total);
    }
  }
  throw new ApiError(0, 'NETWORK', 'the answer ended early');
}
