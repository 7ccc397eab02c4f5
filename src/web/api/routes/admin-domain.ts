/**
 * Domain information and the operation log of the domain console (manual part 3 §1.3.1, §1.9.1;
 * FEATURES A2, A9): GET/POST /api/admin/domains/:domain/info (limits and usage; a domain admin
 * changes the defaults and switches, the super admin the limits too) and GET …/audit (the domain's
 * audit entries filtered by actor, action, target and time, paged). Domain admins of the domain and
 * the super admin only: a department admin or another domain's admin gets 403
 * (DomainConsoleService decides).
 */
import { z } from 'zod';
import type { DomainConsoleInfo } from '../../../directory/domain-admin.ts';
import { defineRoute, type AnyRoute } from '../route.ts';
import type { ConsoleDeps } from '../deps.ts';

const MB = 1048576;
const DomainParams = z.strictObject({ domain: z.string().min(1).max(255).describe('ASCII or Unicode domain name') });
const Megabytes = z.number().int().min(0).max(1_000_000_000);

const DomainInfoView = z.object({
  name: z.string(), displayName: z.string(),
  status: z.enum(['valid', 'invalid', 'expired']).describe('As set'),
  effectiveStatus: z.enum(['valid', 'invalid', 'expired']).describe('As it applies now (past its expiry: expired)'),
  maxUsers: z.number().int().describe('0 = unlimited'), users: z.number().int(),
  maxSizeMb: z.number().describe('0 = unlimited'), quotaAllocatedMb: z.number(), usedMb: z.number(),
  maxLists: z.number().int().describe('0 = unlimited'), lists: z.number().int(),
  defaultQuotaMb: z.number(), defaultDiskQuotaMb: z.number(),
  openedAt: z.number(), expiresAt: z.number().nullable(),
  allowRegistration: z.boolean(), requireApproval: z.boolean(), showAdminLogin: z.boolean(),
  feedbackAddress: z.string(), companyName: z.string(),
}).describe('DomainInfo');

const infoView = ({ domain: d, displayName, effectiveStatus, usage }: DomainConsoleInfo): z.input<typeof DomainInfoView> => ({
  name: d.name, displayName, status: d.status, effectiveStatus,
  maxUsers: d.maxUsers, users: usage.users, maxSizeMb: d.maxSizeBytes / MB,
  quotaAllocatedMb: Math.round(usage.quotaAllocatedBytes / MB), usedMb: Math.round((usage.usedBytes / MB) * 10) / 10,
  maxLists: d.maxLists, lists: usage.lists, defaultQuotaMb: d.defaultQuotaBytes / MB, defaultDiskQuotaMb: d.defaultDiskQuotaBytes / MB,
  openedAt: d.openedAt, expiresAt: d.expiresAt, allowRegistration: d.allowRegistration, requireApproval: d.requireApproval,
  showAdminLogin: d.showAdminLogin, feedbackAddress: d.feedbackAddress, companyName: d.companyName,
});

const InfoPatch = z.strictObject({
  defaultQuotaMb: Megabytes.optional(), defaultDiskQuotaMb: Megabytes.optional(),
  allowRegistration: z.boolean().optional(), requireApproval: z.boolean().optional(), showAdminLogin: z.boolean().optional(),
  feedbackAddress: z.union([z.literal(''), z.string().max(320).regex(/^[^@\s]+@[^@\s]+$/, 'an email address')]).optional(),
  companyName: z.string().max(200).optional(),
  // The super admin's (manual §2.3.1); a domain admin sending one gets 403 naming it.
  status: z.enum(['valid', 'invalid', 'expired']).optional(), maxUsers: z.number().int().min(0).max(10_000_000).optional(),
  maxSizeMb: Megabytes.optional(), maxLists: z.number().int().min(0).max(10_000_000).optional(),
  openedAt: z.number().int().min(0).optional(), expiresAt: z.number().int().min(0).nullable().optional(),
});

const AuditEntryView = z.object({
  id: z.number().int(), at: z.number(), actor: z.string(), action: z.string(), target: z.string(), source: z.string(),
  details: z.record(z.string(), z.unknown()),
}).describe('AuditEntry');

export function adminDomainRoutes(c: ConsoleDeps): AnyRoute[] {
  const s = c.console.domain;
  return [
    defineRoute({
      method: 'GET', url: '/api/admin/domains/:domain/info', tag: 'admin', auth: 'admin', errors: ['FORBIDDEN', 'NOT_FOUND'],
      summary: "The domain's information: limits, usage (users, size, lists), defaults and switches (manual §1.3.1)",
      params: DomainParams, response: DomainInfoView,
      handler: async ({ admin, params }) => infoView(await s.info(admin().actor, params.domain)),
    }),
    defineRoute({
      method: 'POST', url: '/api/admin/domains/:domain/info', tag: 'admin', auth: 'admin', errors: ['FORBIDDEN', 'NOT_FOUND'],
      summary: "Change the domain's defaults and switches; the limits (status, maxUsers, maxSizeMb, maxLists, openedAt, expiresAt) only as super admin",
      params: DomainParams, body: InfoPatch, response: DomainInfoView,
      handler: async ({ admin, params, body }) => {
        const { defaultQuotaMb, defaultDiskQuotaMb, maxSizeMb, ...rest } = body;
        return infoView(await s.update(admin().actor, params.domain, {
          ...rest,
          defaultQuotaBytes: defaultQuotaMb === undefined ? undefined : defaultQuotaMb * MB,
          defaultDiskQuotaBytes: defaultDiskQuotaMb === undefined ? undefined : defaultDiskQuotaMb * MB,
          maxSizeBytes: maxSizeMb === undefined ? undefined : maxSizeMb * MB,
        }));
      },
    }),
    defineRoute({
      method: 'GET', url: '/api/admin/domains/:domain/audit', tag: 'admin', auth: 'admin', errors: ['FORBIDDEN', 'NOT_FOUND'],
      summary: "A page of the domain's operation log (manual §1.9.1), newest first, filtered",
      params: DomainParams,
      query: z.strictObject({
        actor: z.string().max(320).optional().describe('Part of who did it'),
        action: z.string().max(64).regex(/^[a-z.-]+$/, 'an action or its start, e.g. user. or list.create').optional().describe('Actions starting with this'),
        target: z.string().max(320).optional().describe('Part of what it was done to'),
        since: z.coerce.number().int().min(0).optional().describe('From this time (ms)'),
        until: z.coerce.number().int().min(0).optional().describe('Before this time (ms)'),
        page: z.coerce.number().int().min(1).max(1_000_000).default(1),
        pageSize: z.coerce.number().int().min(1).max(200).default(50),
      }),
      response: z.object({ total: z.number().int(), page: z.number().int(), pageSize: z.number().int(), entries: z.array(AuditEntryView) }),
      handler: async ({ admin, params, query }) => {
        const r = await s.auditLog(admin().actor, params.domain, {
          actorLike: query.actor || undefined, targetLike: query.target || undefined, actionPrefix: query.action || undefined,
          since: query.since, until: query.until, page: query.page, pageSize: query.pageSize,
        });
        return { total: r.total, page: query.page, pageSize: query.pageSize, entries: r.entries };
      },
    }),
  ];
}
