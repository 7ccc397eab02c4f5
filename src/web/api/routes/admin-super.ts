/**
 * The super-domain console's routes (超域管理后台, manual part 3 §2.3–§2.4; FEATURES A10), all under
 * /api/admin/super/: the domains list with limits and usage (search), export as CSV, add (with its
 * domain admin), batch add from text with a per-line report, edit the limits, delete, the webmail
 * module switches, the domain's admins, its mailbox aliases, and the domain aliases. Every route
 * needs an admin session and the super admin's role: SuperConsoleService refuses anyone else (403).
 */
import { z } from 'zod';
import { MailError } from '../../../core/errors.ts';
import { DOMAINS_SAMPLE, MAX_BATCH_DOMAINS, WEBMAIL_MODULES, type DomainRow, type ModuleSwitches } from '../../../directory/super-admin.ts';
import { defineRoute, type AnyRoute } from '../route.ts';
import type { ConsoleDeps } from '../deps.ts';

const MB = 1048576;
const DomainParams = z.strictObject({ domain: z.string().min(1).max(255).describe('ASCII or Unicode domain name') });
const Megabytes = z.number().int().min(0).max(1_000_000_000);
const Count = z.number().int().min(0).max(10_000_000);
const Username = z.string().min(1).max(64).regex(/^[a-z0-9](?:[a-z0-9._-]{0,62}[a-z0-9])?$/, 'lower-case letters, digits, ".", "_" or "-"');
const Password = z.string().min(1).max(1024);
const Status = z.enum(['valid', 'invalid', 'expired']);

const DomainRowView = z.object({
  name: z.string(), displayName: z.string(), status: Status, effectiveStatus: Status,
  users: z.number().int(), maxUsers: z.number().int().describe('0 = unlimited'),
  quotaAllocatedMb: z.number(), usedMb: z.number(), maxSizeMb: z.number().describe('0 = unlimited'),
  lists: z.number().int(), maxLists: z.number().int().describe('0 = unlimited'),
  defaultQuotaMb: z.number(), openedAt: z.number(), expiresAt: z.number().nullable(), companyName: z.string(),
  strongPasswords: z.boolean(), aliases: z.array(z.string()),
}).describe('SuperDomainRow');

const rowView = ({ domain: d, displayName, effectiveStatus, usage, aliases }: DomainRow): z.input<typeof DomainRowView> => ({
  name: d.name, displayName, status: d.status, effectiveStatus, users: usage.users, maxUsers: d.maxUsers,
  quotaAllocatedMb: Math.round(usage.quotaAllocatedBytes / MB), usedMb: Math.round((usage.usedBytes / MB) * 10) / 10, maxSizeMb: d.maxSizeBytes / MB,
  lists: usage.lists, maxLists: d.maxLists, defaultQuotaMb: d.defaultQuotaBytes / MB, openedAt: d.openedAt, expiresAt: d.expiresAt,
  companyName: d.companyName, strongPasswords: d.strongPasswords, aliases,
});

/** The limits and settings of 添加域名 and 修改 (manual §1.3.1, §2.3.1). */
const DomainFields = {
  status: Status.optional(), maxUsers: Count.optional(), maxSizeMb: Megabytes.optional(), maxLists: Count.optional(),
  defaultQuotaMb: Megabytes.optional(), defaultDiskQuotaMb: Megabytes.optional(),
  openedAt: z.number().int().min(0).optional(), expiresAt: z.number().int().min(0).nullable().optional(),
  companyName: z.string().max(200).optional(), strongPasswords: z.boolean().optional(),
  allowRegistration: z.boolean().optional(), requireApproval: z.boolean().optional(), showAdminLogin: z.boolean().optional(),
};
const optionsOf = (b: { maxSizeMb?: number; defaultQuotaMb?: number; defaultDiskQuotaMb?: number } & Record<string, unknown>) => {
  const { maxSizeMb, defaultQuotaMb, defaultDiskQuotaMb, ...rest } = b;
  return {
    ...rest,
    maxSizeBytes: maxSizeMb === undefined ? undefined : maxSizeMb * MB,
    defaultQuotaBytes: defaultQuotaMb === undefined ? undefined : defaultQuotaMb * MB,
    defaultDiskQuotaBytes: defaultDiskQuotaMb === undefined ? undefined : defaultDiskQuotaMb * MB,
  };
};

/** A service error about the one field a form has: named after it. */
async function naming<T>(p: Promise<T>, field: string, also: { PASSWORD_WEAK?: string } = {}): Promise<T> {
  try {
    return await p;
  } catch (err) {
    if (err instanceof MailError && err.details?.field === undefined && ['INVALID_INPUT', 'ALREADY_EXISTS', 'PASSWORD_WEAK', 'ALIAS_LOOP'].includes(err.code)) {
      throw new MailError(err.code, err.message, { details: { field: err.code === 'PASSWORD_WEAK' ? (also.PASSWORD_WEAK ?? 'password') : field }, cause: err });
    }
    throw err;
  }
}

const Ok = z.object({ ok: z.literal(true) });
const ok = { ok: true as const };
const csvDisposition = (name: string) => `attachment; filename="${name.replace(/[^\x20-\x7e]|["\\]/g, '_')}"; filename*=UTF-8''${encodeURIComponent(name)}`;
const Modules = z.object(Object.fromEntries(WEBMAIL_MODULES.map((m) => [m, z.boolean()])) as Record<(typeof WEBMAIL_MODULES)[number], z.ZodBoolean>);
const AliasView = z.object({ address: z.string(), targets: z.array(z.string()) });

export function adminSuperRoutes(c: ConsoleDeps): AnyRoute[] {
  const s = c.console.super;
  const errors = ['FORBIDDEN', 'NOT_FOUND'] as const;
  const base = '/api/admin/super';
  return [
    defineRoute({
      method: 'GET', url: `${base}/domains`, tag: 'admin', auth: 'admin', errors: ['FORBIDDEN'],
      summary: 'Every domain with its limits and usage (manual §2.3.2 域名管理)',
      query: z.strictObject({ search: z.string().max(255).optional().describe('Part of the name or company') }),
      response: z.object({ domains: z.array(DomainRowView) }),
      handler: async ({ admin, query }) => ({ domains: (await s.listDomains(admin().actor, query.search)).map(rowView) }),
    }),
    defineRoute({
      method: 'GET', url: `${base}/domains.csv`, tag: 'admin', auth: 'admin', errors: ['FORBIDDEN'],
      summary: 'Export every domain with its limits and usage as CSV (UTF-8 with BOM)', response: 'raw', produces: 'text/csv',
      handler: async ({ admin, reply }) => {
        const csv = await s.exportCsv(admin().actor);
        return reply.type('text/csv; charset=utf-8').header('content-disposition', csvDisposition('domains.csv')).send(csv);
      },
    }),
    defineRoute({
      method: 'GET', url: `${base}/domains-sample`, tag: 'admin', auth: 'admin', errors: ['FORBIDDEN'],
      summary: 'The format of 批量添加域名, with examples', response: z.object({ sample: z.string() }),
      handler: async ({ admin }) => {
        if (admin().admin.role !== 'super') throw new MailError('FORBIDDEN', 'only the super administrator manages domains');
        return { sample: DOMAINS_SAMPLE };
      },
    }),
    defineRoute({
      method: 'POST', url: `${base}/domains`, tag: 'admin', auth: 'admin', errors: ['FORBIDDEN', 'ALREADY_EXISTS', 'PASSWORD_WEAK'],
      summary: 'Add a domain with its limits and, when adminPassword is given, its domain admin (default name admin)',
      body: z.strictObject({
        name: z.string().min(1).max(255), ...DomainFields,
        adminUsername: Username.optional(), adminPassword: Password.optional(),
      }),
      response: DomainRowView,
      handler: async ({ admin, body }) => {
        const { name, adminUsername, adminPassword, ...rest } = body;
        const adminAccount = adminPassword === undefined ? undefined : { username: adminUsername ?? 'admin', password: adminPassword };
        return rowView(await naming(s.addDomain(admin().actor, name, optionsOf(rest), adminAccount), 'name', { PASSWORD_WEAK: 'adminPassword' }));
      },
    }),
    defineRoute({
      method: 'POST', url: `${base}/domains/batch`, tag: 'admin', auth: 'admin', errors: ['FORBIDDEN'],
      summary: `Add domains from text, one a line: name[,maxUsers[,maxSizeMb[,expires YYYY-MM-DD[,company]]]]; at most ${MAX_BATCH_DOMAINS}`,
      body: z.strictObject({ text: z.string().min(1).max(256 * 1024) }),
      response: z.object({ added: z.array(z.string()), errors: z.array(z.object({ line: z.number().int(), field: z.string(), reason: z.string(), message: z.string() })) }),
      handler: async ({ admin, body }) => s.batchAdd(admin().actor, body.text),
    }),
    defineRoute({
      method: 'POST', url: `${base}/domains/:domain`, tag: 'admin', auth: 'admin', errors: [...errors],
      summary: "Change a domain's limits and settings (never its name)",
      params: DomainParams, body: z.strictObject(DomainFields), response: DomainRowView,
      handler: async ({ admin, params, body }) => rowView(await s.updateDomain(admin().actor, params.domain, optionsOf(body))),
    }),
    defineRoute({
      method: 'POST', url: `${base}/domains/:domain/delete`, tag: 'admin', auth: 'admin', errors: [...errors],
      summary: 'Delete the domain with all its users, mail, lists, aliases and admins',
      params: DomainParams, body: z.strictObject({ confirm: z.string().describe('The domain name again') }), response: Ok,
      handler: async ({ admin, params, body }) => {
        if (body.confirm.trim().toLowerCase() !== params.domain.toLowerCase()) {
          throw new MailError('INVALID_INPUT', 'confirm: type the domain name to delete it', { details: { field: 'confirm' } });
        }
        await s.removeDomain(admin().actor, params.domain);
        return ok;
      },
    }),
    defineRoute({
      method: 'GET', url: `${base}/domains/:domain/modules`, tag: 'admin', auth: 'admin', errors: [...errors],
      summary: "Which webmail modules the domain's users see (manual §2.3.2 前台模块设置)", params: DomainParams, response: Modules,
      handler: async ({ admin, params }) => s.modules(admin().actor, params.domain),
    }),
    defineRoute({
      method: 'POST', url: `${base}/domains/:domain/modules`, tag: 'admin', auth: 'admin', errors: [...errors],
      summary: 'Switch webmail modules on or off for the domain', params: DomainParams, body: Modules.partial().strict(), response: Modules,
      handler: async ({ admin, params, body }) => s.setModules(admin().actor, params.domain, body as Partial<ModuleSwitches>),
    }),
    defineRoute({
      method: 'GET', url: `${base}/domains/:domain/admins`, tag: 'admin', auth: 'admin', errors: [...errors],
      summary: "The domain's admins (manual §2.3.5)", params: DomainParams,
      response: z.object({ admins: z.array(z.object({ username: z.string(), account: z.string(), createdAt: z.number() })) }),
      handler: async ({ admin, params }) => ({ admins: await s.domainAdmins(admin().actor, params.domain) }),
    }),
    defineRoute({
      method: 'POST', url: `${base}/domains/:domain/admins`, tag: 'admin', auth: 'admin', errors: [...errors, 'ALREADY_EXISTS', 'PASSWORD_WEAK'],
      summary: 'Add a domain admin (manual §2.3.6)', params: DomainParams,
      body: z.strictObject({ username: Username, password: Password }), response: Ok,
      handler: async ({ admin, params, body }) => {
        await naming(s.addDomainAdmin(admin().actor, params.domain, body.username, body.password), 'username');
        return ok;
      },
    }),
    defineRoute({
      method: 'POST', url: `${base}/domains/:domain/admins/:username`, tag: 'admin', auth: 'admin', errors: [...errors, 'PASSWORD_WEAK'],
      summary: "Set a domain admin's password; their open sessions end", params: z.strictObject({ domain: DomainParams.shape.domain, username: Username }),
      body: z.strictObject({ password: Password }), response: Ok,
      handler: async ({ admin, params, body }) => {
        const id = await naming(s.setDomainAdminPassword(admin().actor, params.domain, params.username, body.password), 'username');
        await c.sessions.closeOthers(id, ''); // their sessions end: log in with the new password
        return ok;
      },
    }),
    defineRoute({
      method: 'POST', url: `${base}/domains/:domain/admins/:username/delete`, tag: 'admin', auth: 'admin', errors: [...errors],
      summary: 'Delete a domain admin', params: z.strictObject({ domain: DomainParams.shape.domain, username: Username }), body: z.strictObject({}), response: Ok,
      handler: async ({ admin, params }) => {
        await s.removeDomainAdmin(admin().actor, params.domain, params.username);
        return ok;
      },
    }),
    defineRoute({
      method: 'GET', url: `${base}/domains/:domain/aliases`, tag: 'admin', auth: 'admin', errors: [...errors],
      summary: "The domain's mailbox aliases (manual §2.4.1 邮箱别名)", params: DomainParams,
      response: z.object({ aliases: z.array(AliasView) }),
      handler: async ({ admin, params }) => ({ aliases: await s.mailboxAliases(admin().actor, params.domain) }),
    }),
    defineRoute({
      method: 'POST', url: `${base}/domains/:domain/aliases`, tag: 'admin', auth: 'admin', errors: [...errors, 'ALREADY_EXISTS', 'ALIAS_LOOP'],
      summary: 'Add a mailbox alias (or, with replace, change its real addresses); both in this domain', params: DomainParams,
      body: z.strictObject({ alias: z.string().min(1).max(320), targets: z.array(z.string().min(3).max(320)).min(1).max(1000), replace: z.boolean().optional() }),
      response: AliasView,
      handler: async ({ admin, params, body }) => naming(s.setMailboxAlias(admin().actor, params.domain, body.alias, body.targets, { replace: body.replace }), 'alias'),
    }),
    defineRoute({
      method: 'POST', url: `${base}/domains/:domain/aliases/delete`, tag: 'admin', auth: 'admin', errors: [...errors],
      summary: 'Delete a mailbox alias', params: DomainParams, body: z.strictObject({ alias: z.string().min(1).max(320) }), response: Ok,
      handler: async ({ admin, params, body }) => {
        await s.removeMailboxAlias(admin().actor, params.domain, body.alias);
        return ok;
      },
    }),
    defineRoute({
      method: 'GET', url: `${base}/domain-aliases`, tag: 'admin', auth: 'admin', errors: ['FORBIDDEN'],
      summary: 'Every domain alias with its real domain (manual §2.4.1 域别名)',
      response: z.object({ aliases: z.array(z.object({ alias: z.string(), domain: z.string() })) }),
      handler: async ({ admin }) => ({ aliases: await s.domainAliases(admin().actor) }),
    }),
    defineRoute({
      method: 'POST', url: `${base}/domain-aliases`, tag: 'admin', auth: 'admin', errors: ['FORBIDDEN', 'NOT_FOUND', 'ALREADY_EXISTS'],
      summary: 'Make alias another name of domain: mail to user@alias reaches user@domain; nobody logs in through it',
      body: z.strictObject({ alias: z.string().min(1).max(255), domain: z.string().min(1).max(255) }), response: Ok,
      handler: async ({ admin, body }) => {
        await naming(s.addDomainAlias(admin().actor, body.alias, body.domain), 'alias');
        return ok;
      },
    }),
    defineRoute({
      method: 'POST', url: `${base}/domain-aliases/delete`, tag: 'admin', auth: 'admin', errors: ['FORBIDDEN', 'NOT_FOUND'],
      summary: 'Delete a domain alias', body: z.strictObject({ alias: z.string().min(1).max(255) }), response: Ok,
      handler: async ({ admin, body }) => {
        await s.removeDomainAlias(admin().actor, body.alias);
        return ok;
      },
    }),
  ];
}
