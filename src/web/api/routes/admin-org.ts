/**
 * Org structure and department admins of the domain and department consoles (manual part 3 §1.5,
 * §1.3.2–§1.3.3, §3.1; FEATURES A4, A5): the department tree (a department admin: their subtree),
 * add, change (name, parent, order, leader), delete (users to the parent or to none), move users
 * between departments; and the domain's department admins: list, add, change department or
 * password, delete (domain admins and the super admin only). Another domain is 403; a department
 * outside a department admin's subtree 404 (OrgAdminService, DepartmentAdminConsole decide).
 */
import { z } from 'zod';
import { MailError } from '../../../core/errors.ts';
import type { OrgUnitId } from '../../../core/ids.ts';
import { MOVE_MAX, type OrgUnitView } from '../../../directory/org-admin.ts';
import { defineRoute, type AnyRoute } from '../route.ts';
import type { ConsoleDeps } from '../deps.ts';

const DomainParams = z.strictObject({ domain: z.string().min(1).max(255).describe('ASCII or Unicode domain name') });
const UnitParams = z.strictObject({ id: z.coerce.number().int().positive().describe('Department id') });
const AdminParams = z.strictObject({ domain: z.string().min(1).max(255), username: z.string().min(1).max(64) });
const UnitId = z.number().int().positive();
const Leader = z.union([z.literal(''), z.string().max(320).regex(/@/, 'a full address')]).nullable();

const UnitView = z.object({
  id: z.number().int(), parentId: z.number().int().nullable().describe('null at the top of what the admin sees'),
  name: z.string(), path: z.string(), sortOrder: z.number().int(),
  leader: z.object({ address: z.string(), realName: z.string() }).nullable(),
  users: z.number().int().describe('Users directly in this department'),
}).describe('OrgUnit');
const unitView = (u: OrgUnitView): z.input<typeof UnitView> => u;

const DeptAdminView = z.object({
  username: z.string(), account: z.string().describe('What they log in with: name@domain'),
  orgUnitId: z.number().int(), department: z.string(), createdAt: z.number(),
}).describe('DepartmentAdmin');

const Ok = z.object({ ok: z.literal(true) });
const leaderOf = (l: string | null | undefined) => (l === '' ? null : l);

/** A department admin's password problem names the password field; a name that is no user of the department, the username. */
async function naming<T>(p: Promise<T>): Promise<T> {
  try {
    return await p;
  } catch (err) {
    if (err instanceof MailError && err.details?.field === undefined) {
      const field = err.code === 'PASSWORD_WEAK' ? 'password' : err.code === 'ALREADY_EXISTS' || err.code === 'INVALID_INPUT' ? 'username' : err.code === 'NOT_FOUND' && /department #/.test(err.message) ? 'orgUnitId' : undefined;
      if (field) throw new MailError(err.code, err.message, { details: { field }, cause: err });
    }
    throw err;
  }
}
/** OrgService's refusals are about the name (sibling clash, bad name). */
async function namingUnit<T>(p: Promise<T>): Promise<T> {
  try {
    return await p;
  } catch (err) {
    if (err instanceof MailError && err.details?.field === undefined && (err.code === 'ALREADY_EXISTS' || err.code === 'INVALID_INPUT')) {
      throw new MailError(err.code, err.message, { details: { field: /sortOrder/.test(err.message) ? 'sortOrder' : /under itself/.test(err.message) ? 'parentId' : 'name' }, cause: err });
    }
    throw err;
  }
}

export function adminOrgRoutes(c: ConsoleDeps): AnyRoute[] {
  const org = c.console.org;
  const da = c.console.departmentAdmins;
  const errors = ['FORBIDDEN', 'NOT_FOUND'] as const;
  return [
    defineRoute({
      method: 'GET', url: '/api/admin/domains/:domain/org', tag: 'admin', auth: 'admin', errors: [...errors],
      summary: 'The department tree the admin reaches, with order, leader and head counts, and how many users are in no department',
      params: DomainParams,
      response: z.object({ units: z.array(UnitView), noDepartment: z.number().int().nullable().describe('null for a department admin') }),
      handler: async ({ admin, params }) => {
        const r = await org.tree(admin().actor, params.domain);
        return { units: r.units.map(unitView), noDepartment: r.noDepartment };
      },
    }),
    defineRoute({
      method: 'POST', url: '/api/admin/domains/:domain/org', tag: 'admin', auth: 'admin', errors: [...errors, 'ALREADY_EXISTS'],
      summary: 'Add a department (a department admin: below their own)',
      params: DomainParams,
      body: z.strictObject({ name: z.string().trim().min(1).max(100), parentId: UnitId.nullable().optional(), sortOrder: z.number().int().min(-1_000_000).max(1_000_000).optional(), leader: Leader.optional() }),
      response: UnitView,
      handler: async ({ admin, params, body }) => unitView(await namingUnit(org.add(admin().actor, params.domain, {
        name: body.name, parentId: body.parentId as OrgUnitId | null | undefined, sortOrder: body.sortOrder, leader: leaderOf(body.leader),
      }))),
    }),
    defineRoute({
      method: 'POST', url: '/api/admin/org/:id', tag: 'admin', auth: 'admin', errors: [...errors, 'ALREADY_EXISTS'],
      summary: 'Change a department: name, parent, display order, leader (null or empty: none)',
      params: UnitParams,
      body: z.strictObject({ name: z.string().trim().min(1).max(100).optional(), parentId: UnitId.nullable().optional(), sortOrder: z.number().int().min(-1_000_000).max(1_000_000).optional(), leader: Leader.optional() }),
      response: UnitView,
      handler: async ({ admin, params, body }) => unitView(await namingUnit(org.update(admin().actor, params.id as OrgUnitId, {
        name: body.name, parentId: body.parentId as OrgUnitId | null | undefined, sortOrder: body.sortOrder, leader: leaderOf(body.leader),
      }))),
    }),
    defineRoute({
      method: 'POST', url: '/api/admin/org/:id/delete', tag: 'admin', auth: 'admin', errors: [...errors],
      summary: 'Delete a department: its sub-departments move up; its users move to the parent department (usersTo: parent) or to none',
      params: UnitParams, body: z.strictObject({ usersTo: z.enum(['parent', 'none']).default('parent') }), response: Ok,
      handler: async ({ admin, params, body }) => {
        await org.remove(admin().actor, params.id as OrgUnitId, body.usersTo);
        return { ok: true as const };
      },
    }),
    defineRoute({
      method: 'POST', url: '/api/admin/domains/:domain/org/move-users', tag: 'admin', auth: 'admin', errors: [...errors],
      summary: 'Move users to a department, or to none with to: null (the console drags them)',
      params: DomainParams,
      body: z.strictObject({ users: z.array(z.string().min(3).max(320)).min(1).max(MOVE_MAX), to: UnitId.nullable() }),
      response: z.object({ moved: z.number().int() }),
      handler: async ({ admin, params, body }) => org.moveUsers(admin().actor, params.domain, body.users, body.to as OrgUnitId | null),
    }),
    defineRoute({
      method: 'GET', url: '/api/admin/domains/:domain/department-admins', tag: 'admin', auth: 'admin', errors: [...errors],
      summary: "The domain's department admins with their departments (manual §1.3.2)",
      params: DomainParams, response: z.object({ admins: z.array(DeptAdminView) }),
      handler: async ({ admin, params }) => ({ admins: await da.list(admin().actor, params.domain) }),
    }),
    defineRoute({
      method: 'POST', url: '/api/admin/domains/:domain/department-admins', tag: 'admin', auth: 'admin', errors: [...errors, 'ALREADY_EXISTS', 'PASSWORD_WEAK'],
      summary: 'Add a department admin: the user name of a user in that department (or below), and a password of its own (manual §3.1)',
      params: DomainParams,
      body: z.strictObject({ username: z.string().min(1).max(64), orgUnitId: UnitId, password: z.string().min(1).max(1024) }),
      response: DeptAdminView,
      handler: async ({ admin, params, body }) => naming(da.add(admin().actor, params.domain, { ...body, orgUnitId: body.orgUnitId as OrgUnitId })),
    }),
    defineRoute({
      method: 'POST', url: '/api/admin/domains/:domain/department-admins/:username', tag: 'admin', auth: 'admin', errors: [...errors, 'PASSWORD_WEAK'],
      summary: "Change a department admin's department (their sessions end) or password",
      params: AdminParams,
      body: z.strictObject({ orgUnitId: UnitId.optional(), password: z.string().min(1).max(1024).optional() }),
      response: DeptAdminView,
      handler: async ({ admin, params, body }) => naming(da.update(admin().actor, params.domain, params.username, {
        orgUnitId: body.orgUnitId as OrgUnitId | undefined, password: body.password,
      })),
    }),
    defineRoute({
      method: 'POST', url: '/api/admin/domains/:domain/department-admins/:username/delete', tag: 'admin', auth: 'admin', errors: [...errors],
      summary: 'Delete a department admin (the mailbox user of the same name stays)',
      params: AdminParams, body: z.strictObject({}), response: Ok,
      handler: async ({ admin, params }) => {
        await da.remove(admin().actor, params.domain, params.username);
        return { ok: true as const };
      },
    }),
  ];
}
