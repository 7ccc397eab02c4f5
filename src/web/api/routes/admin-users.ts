/**
 * Users routes of the domain and department consoles (manual part 3 §1.4, §3.3; FEATURES A3, A5):
 * the domains the admin manages, their departments, the users list (search, status, sort, page:
 * all done by the store), add, show, change (not the name), freeze / unfreeze, delete with the
 * mail, export as CSV, the batch sample and batch add from CSV with a per-line report. Every route
 * needs an admin session (auth: 'admin'); the reach is decided by UserAdminService for the
 * session's Actor: another domain is 403, a user outside a department admin's subtree 404.
 */
import { PassThrough } from 'node:stream';
import { z } from 'zod';
import { MailError } from '../../../core/errors.ts';
import type { OrgUnitId } from '../../../core/ids.ts';
import { MAX_BATCH_USERS, type AdminUser } from '../../../directory/user-admin.ts';
import { CSV_SAMPLE } from '../../../directory/user-csv.ts';
import { USER_SORTS } from '../../../directory/users.ts';
import { errorAnswer } from '../errors.ts';
import { defineRoute, type AnyRoute } from '../route.ts';
import type { ConsoleDeps } from '../deps.ts';

const MB = 1048576;
const DomainParams = z.strictObject({ domain: z.string().min(1).max(255).describe('ASCII or Unicode domain name') });
const AddressParams = z.strictObject({ address: z.string().min(3).max(320).regex(/@/, 'a full address').describe('The user\'s address') });
const Scope = z.enum(['any', 'internal']);
const Megabytes = z.number().int().min(0).max(100_000_000);

export const AdminUserView = z.object({
  address: z.string(),
  realName: z.string(),
  status: z.enum(['active', 'frozen', 'pending']),
  quotaMb: z.number().describe('Mailbox quota in MB, 0 = unlimited'),
  diskQuotaMb: z.number(),
  orgUnitId: z.number().int().nullable(),
  department: z.string().describe("The department's path, '/'-separated; '' for none"),
  hidden: z.boolean().describe('Hidden from the enterprise address book'),
  sendScope: Scope,
  receiveScope: Scope,
  loginName: z.string().describe("The custom login field's value (自定义用户字段), '' for none"),
  createdAt: z.number(),
  lastLoginAt: z.number().nullable(),
}).describe('AdminUser');

const userView = (u: AdminUser): z.input<typeof AdminUserView> => ({
  address: u.address, realName: u.realName, status: u.status, quotaMb: u.quotaBytes / MB, diskQuotaMb: u.diskQuotaBytes / MB,
  orgUnitId: u.orgUnitId, department: u.department, hidden: u.hiddenFromDirectory, sendScope: u.sendScope, receiveScope: u.receiveScope,
  loginName: u.loginName, createdAt: u.createdAt, lastLoginAt: u.lastLoginAt,
});

/** Fields an admin sets on add and change (manual §1.4.2). */
const Settings = {
  realName: z.string().max(100).optional(),
  quotaMb: Megabytes.optional().describe('Default: the domain\'s default quota'),
  diskQuotaMb: Megabytes.optional(),
  orgUnitId: z.number().int().positive().nullable().optional().describe('Department id (GET …/departments), null for none'),
  hidden: z.boolean().optional(),
  sendScope: Scope.optional(),
  receiveScope: Scope.optional(),
  status: z.enum(['active', 'frozen']).optional(),
  loginName: z.string().max(200).optional().describe("The custom login field's value (a staff number); '' clears it; unique in the domain"),
};
const NewUser = z.strictObject({
  name: z.string().min(1).max(64).regex(/^[A-Za-z0-9](?:[A-Za-z0-9._+-]*[A-Za-z0-9])?$/, 'letters, digits, ".", "_", "+" or "-"'),
  password: z.string().min(1).max(1024),
  sendWelcome: z.boolean().optional().describe("Put the domain's welcome letter in their inbox (发送欢迎信)"),
  ...Settings,
});
const UserPatch = z.strictObject({ password: z.string().min(1).max(1024).optional(), ...Settings });

const settingsOf = (b: Omit<z.output<typeof UserPatch>, 'password'>) => ({
  realName: b.realName, hidden: b.hidden, sendScope: b.sendScope, receiveScope: b.receiveScope, status: b.status, loginName: b.loginName,
  orgUnitId: b.orgUnitId as OrgUnitId | null | undefined,
  quotaBytes: b.quotaMb === undefined ? undefined : b.quotaMb * MB,
  diskQuotaBytes: b.diskQuotaMb === undefined ? undefined : b.diskQuotaMb * MB,
});

/** Service errors about one field of the form name it (PASSWORD_WEAK → password, ALREADY_EXISTS → name). */
async function naming<T>(p: Promise<T>): Promise<T> {
  try {
    return await p;
  } catch (err) {
    if (err instanceof MailError && err.details?.field === undefined && (err.code === 'PASSWORD_WEAK' || err.code === 'ALREADY_EXISTS')) {
      throw new MailError(err.code, err.message, { details: { field: err.code === 'PASSWORD_WEAK' ? 'password' : 'name' }, cause: err });
    }
    throw err;
  }
}

const Ok = z.object({ ok: z.literal(true) });
const BatchUsers = z.array(z.string().min(1).max(320)).min(1).max(MAX_BATCH_USERS).describe('User names or addresses of the domain');
const BatchOutcomeView = z.object({
  updated: z.array(z.string()).describe('The users changed (or deleted)'),
  errors: z.array(z.object({ user: z.string(), field: z.string().describe('users, or the limit: maxSizeBytes, orgUnitId…'), reason: z.string(), message: z.string() })),
});
const csvDisposition = (name: string) => `attachment; filename="${name.replace(/[^\x20-\x7e]|["\\]/g, '_')}"; filename*=UTF-8''${encodeURIComponent(name)}`;
/** The batch add's progress lines come at most this often. */
const PROGRESS_MS = 250;
/** A batch of 20,000 lines of ~80 bytes, with room. */
const BATCH_BODY_LIMIT = 4 * 1024 * 1024;

/** The batch add's body, for the route that answers at the end and the one that reports as it goes. */
const BatchCsv = z.strictObject({ csv: z.string().min(1).max(BATCH_BODY_LIMIT) });

export function adminUserRoutes(c: ConsoleDeps): AnyRoute[] {
  const s = c.users;
  const errors = ['FORBIDDEN', 'NOT_FOUND'] as const;
  return [
    defineRoute({
      method: 'GET', url: '/api/admin/domains', tag: 'admin', auth: 'admin', errors: [],
      summary: 'The domains the admin manages (a super admin: every domain)',
      response: z.object({ domains: z.array(z.object({ name: z.string(), displayName: z.string() })) }),
      handler: async ({ admin }) => ({ domains: await s.domains(admin().actor) }),
    }),
    defineRoute({
      method: 'GET', url: '/api/admin/domains/:domain/departments', tag: 'admin', auth: 'admin', errors: [...errors],
      summary: "The departments the admin may put users in (a department admin: theirs and below)",
      params: DomainParams,
      response: z.object({ departments: z.array(z.object({ id: z.number().int(), parentId: z.number().int().nullable(), name: z.string(), path: z.string() })) }),
      handler: async ({ admin, params }) => ({ departments: await s.departments(admin().actor, params.domain) }),
    }),
    defineRoute({
      method: 'GET', url: '/api/admin/domains/:domain/users', tag: 'admin', auth: 'admin', errors: [...errors],
      summary: "A page of the domain's users the admin manages, searched, filtered and sorted by the store",
      params: DomainParams,
      query: z.strictObject({
        search: z.string().max(100).optional().describe('Part of the name or real name'),
        status: z.enum(['active', 'frozen', 'pending']).optional(),
        sort: z.enum(USER_SORTS as unknown as ['address', ...Array<'address'>]).default('address'),
        order: z.enum(['asc', 'desc']).default('asc'),
        page: z.coerce.number().int().min(1).max(1_000_000).default(1),
        pageSize: z.coerce.number().int().min(1).max(200).default(50),
        department: z.coerce.number().int().min(0).optional().describe('Only the users directly in this department id; 0: in no department'),
      }),
      response: z.object({ total: z.number().int(), page: z.number().int(), pageSize: z.number().int(), users: z.array(AdminUserView) }),
      handler: async ({ admin, params, query }) => {
        const { department, ...rest } = query;
        const orgUnitId = department === undefined ? undefined : department === 0 ? null : department as OrgUnitId;
        const r = await s.list(admin().actor, params.domain, { ...rest, orgUnitId, descending: query.order === 'desc' });
        return { total: r.total, page: query.page, pageSize: query.pageSize, users: r.users.map(userView) };
      },
    }),
    defineRoute({
      method: 'POST', url: '/api/admin/domains/:domain/users', tag: 'admin', auth: 'admin', errors: [...errors, 'ALREADY_EXISTS', 'LIMIT_REACHED', 'PASSWORD_WEAK'],
      summary: "Add a user under the domain's limits and password policy (a department admin: in their department)",
      params: DomainParams, body: NewUser, response: AdminUserView,
      handler: async ({ admin, params, body }) => {
        const { name, password, sendWelcome, ...rest } = body;
        return userView(await naming(s.add(admin().actor, params.domain, { name: name.toLowerCase(), password, sendWelcome, ...settingsOf(rest) })));
      },
    }),
    defineRoute({
      method: 'GET', url: '/api/admin/domains/:domain/users.csv', tag: 'admin', auth: 'admin', errors: [...errors],
      summary: 'Export the users the admin manages as CSV (UTF-8 with BOM, for Excel)',
      params: DomainParams, response: 'raw', produces: 'text/csv',
      handler: async ({ admin, params, reply }) => {
        const csv = await s.exportCsv(admin().actor, params.domain);
        return reply.type('text/csv; charset=utf-8').header('content-disposition', csvDisposition(`users-${params.domain}.csv`)).send(csv);
      },
    }),
    defineRoute({
      method: 'GET', url: '/api/admin/domains/:domain/users.txt', tag: 'admin', auth: 'admin', errors: [...errors],
      summary: 'Export the users the admin manages as text (manual §1.4.1): tab-separated, a header line, UTF-8 with BOM',
      params: DomainParams, response: 'raw', produces: 'text/plain',
      handler: async ({ admin, params, reply }) => {
        const txt = await s.exportTxt(admin().actor, params.domain);
        return reply.type('text/plain; charset=utf-8').header('content-disposition', csvDisposition(`users-${params.domain}.txt`)).send(txt);
      },
    }),
    defineRoute({
      method: 'POST', url: '/api/admin/domains/:domain/users/batch-update', tag: 'admin', auth: 'admin', errors: [...errors],
      summary: '批量修改用户: the same quota, status or department for each listed user; each failure reported (a limit by its name)',
      params: DomainParams,
      body: z.strictObject({
        users: BatchUsers, quotaMb: Megabytes.optional(), status: z.enum(['active', 'frozen']).optional(),
        orgUnitId: z.number().int().positive().nullable().optional().describe('Department id, null for none'),
      }),
      response: BatchOutcomeView,
      handler: async ({ admin, params, body }) => {
        const r = await s.batchUpdate(admin().actor, params.domain, body.users, {
          quotaBytes: body.quotaMb === undefined ? undefined : body.quotaMb * MB, status: body.status, orgUnitId: body.orgUnitId as OrgUnitId | null | undefined,
        });
        return { updated: r.done, errors: r.errors };
      },
    }),
    defineRoute({
      method: 'POST', url: '/api/admin/domains/:domain/users/batch-delete', tag: 'admin', auth: 'admin', errors: [...errors],
      summary: '批量删除用户: each listed user with all their mail; each failure reported',
      params: DomainParams, body: z.strictObject({ users: BatchUsers }), response: BatchOutcomeView,
      handler: async ({ admin, params, body }) => {
        const r = await s.batchRemove(admin().actor, params.domain, body.users);
        return { updated: r.done, errors: r.errors };
      },
    }),
    defineRoute({
      method: 'GET', url: '/api/admin/users-sample.csv', tag: 'admin', auth: 'admin', errors: [],
      summary: 'The sample file for batch add (manual §1.4.4 "范例文件")',
      response: 'raw', produces: 'text/csv',
      handler: async ({ reply }) => reply.type('text/csv; charset=utf-8').header('content-disposition', csvDisposition('users-sample.csv')).send(CSV_SAMPLE),
    }),
    defineRoute({
      method: 'POST', url: '/api/admin/domains/:domain/users/batch', tag: 'admin', auth: 'admin', errors: [...errors],
      summary: 'Add users from CSV text: every good line is added, every bad line reported with its line number and field',
      params: DomainParams, bodyLimit: BATCH_BODY_LIMIT,
      body: BatchCsv,
      response: z.object({
        added: z.array(z.string()),
        errors: z.array(z.object({
          line: z.number().int(), field: z.string().describe('The CSV column, or the domain limit (maxUsers, maxSizeBytes)'),
          reason: z.string().describe('BAD_NAME, DUPLICATE_NAME, NO_PASSWORD, BAD_QUOTA, BAD_SCOPE, BAD_YES_NO, UNKNOWN_COLUMN, TOO_MANY_COLUMNS, TOO_MANY_LINES, or a catalogue code'),
          message: z.string(),
        })),
      }),
      handler: async ({ admin, params, body }) => s.batchAdd(admin().actor, params.domain, body.csv),
    }),
    defineRoute({
      method: 'POST', url: '/api/admin/domains/:domain/users/batch-progress', tag: 'admin', auth: 'admin', errors: [...errors],
      summary: 'The same batch add, answered as it goes (NDJSON): lines {done, total} at most every 250 ms, ' +
        'then one line {result: {added, errors}} as the batch route answers, or {error: {code, message}}',
      params: DomainParams, bodyLimit: BATCH_BODY_LIMIT,
      body: BatchCsv,
      response: 'raw', produces: 'application/x-ndjson',
      handler: async ({ admin, params, body, req, reply }) => {
        // Refusals before the first line (not allowed, no such domain) are answered with their status as usual.
        const stream = new PassThrough();
        const line = (v: unknown) => stream.write(`${JSON.stringify(v)}\n`);
        let started = false;
        const start = () => {
          if (started) return;
          started = true;
          reply.type('application/x-ndjson; charset=utf-8').header('cache-control', 'no-store').header('x-accel-buffering', 'no').send(stream);
        };
        let last = 0;
        try {
          const result = await s.batchAdd(admin().actor, params.domain, body.csv, (done, total) => {
            start();
            const now = Date.now();
            if (done === 0 || done === total || now - last >= PROGRESS_MS) {
              last = now;
              line({ done, total });
            }
          });
          start();
          line({ result });
        } catch (err) {
          if (!started) throw err;
          // The status is sent already: the failure is the stream's last line, logged as route.ts logs one.
          if (!(err instanceof MailError)) req.log.error({ err }, 'POST …/users/batch-progress failed');
          line(errorAnswer(err).body);
        }
        stream.end();
        return reply;
      },
    }),
    defineRoute({
      method: 'GET', url: '/api/admin/users/:address', tag: 'admin', auth: 'admin', errors: [...errors],
      summary: 'One user the admin manages', params: AddressParams, response: AdminUserView,
      handler: async ({ admin, params }) => userView(await s.get(admin().actor, params.address)),
    }),
    defineRoute({
      method: 'POST', url: '/api/admin/users/:address', tag: 'admin', auth: 'admin', errors: [...errors, 'LIMIT_REACHED', 'PASSWORD_WEAK'],
      summary: "Change a user's settings, password or frozen state (never the name)",
      params: AddressParams, body: UserPatch, response: AdminUserView,
      handler: async ({ admin, params, body }) => {
        const { password, ...rest } = body;
        return userView(await naming(s.update(admin().actor, params.address, { ...settingsOf(rest), password })));
      },
    }),
    defineRoute({
      method: 'POST', url: '/api/admin/users/:address/freeze', tag: 'admin', auth: 'admin', errors: [...errors],
      summary: 'Freeze: no login, no mail in or out; the mail is kept', params: AddressParams, body: z.strictObject({}), response: AdminUserView,
      handler: async ({ admin, params }) => userView(await s.freeze(admin().actor, params.address)),
    }),
    defineRoute({
      method: 'POST', url: '/api/admin/users/:address/approve', tag: 'admin', auth: 'admin', errors: [...errors],
      summary: 'Approve a registration: a pending user becomes active', params: AddressParams, body: z.strictObject({}), response: AdminUserView,
      handler: async ({ admin, params }) => userView(await s.approve(admin().actor, params.address)),
    }),
    defineRoute({
      method: 'POST', url: '/api/admin/users/:address/unfreeze', tag: 'admin', auth: 'admin', errors: [...errors],
      summary: 'Unfreeze a frozen user', params: AddressParams, body: z.strictObject({}), response: AdminUserView,
      handler: async ({ admin, params }) => userView(await s.unfreeze(admin().actor, params.address)),
    }),
    defineRoute({
      method: 'POST', url: '/api/admin/users/:address/delete', tag: 'admin', auth: 'admin', errors: [...errors],
      summary: 'Delete the user with all their mail', params: AddressParams, body: z.strictObject({}), response: Ok,
      handler: async ({ admin, params }) => {
        await s.remove(admin().actor, params.address);
        return { ok: true as const };
      },
    }),
  ];
}
