/**
 * 邮件监控管理 and 邮件收发流量 of the domain console (manual part 3 §1.7, §1.9; FEATURES A7, A9):
 * GET/POST /api/admin/domains/:domain/monitors (list, add), POST …/monitors/:id (change),
 * POST …/monitors/:id/delete, and GET …/traffic?from=&to= (per day and per user, messages and
 * bytes received and sent). Domain admins of the domain and the super admin only: MonitorConsole
 * and TrafficConsole refuse a department admin or another domain's admin (403).
 */
import { z } from 'zod';
import { ConditionSchema } from '../../../config/schema/content-filter.ts';
import { defineRoute, type AnyRoute } from '../route.ts';
import type { ConsoleDeps } from '../deps.ts';

const DomainParams = z.strictObject({ domain: z.string().min(1).max(255).describe('ASCII or Unicode domain name') });
const RuleParams = z.strictObject({ domain: DomainParams.shape.domain, id: z.string().regex(/^[a-z0-9]{1,32}$/) });
const Watch = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('domain') }),
  z.strictObject({ kind: z.literal('user'), address: z.string().max(320) }),
  z.strictObject({ kind: z.literal('department'), orgUnitId: z.number().int().positive() }),
]).describe('Whose mail: the whole domain, one user, or a department and those below it');
const RuleBody = z.strictObject({
  name: z.string().max(200).describe('规则名称'),
  enabled: z.boolean().default(true).describe('监控是否生效'),
  direction: z.enum(['in', 'out', 'both']).describe('监控范围: mail received (in), sent (out), or both'),
  match: z.enum(['all', 'any']).default('all'),
  conditions: z.array(z.unknown()).max(50).default([]).describe('满足条件: the content filter\'s conditions (field, op, values)'),
  copyTo: z.array(z.string().max(320)).max(50).describe('The mailboxes of this domain that get a copy'),
  watch: Watch,
});
const RuleView = z.object({
  id: z.string(), name: z.string(), enabled: z.boolean(), direction: z.enum(['in', 'out', 'both']), match: z.enum(['all', 'any']),
  conditions: z.array(z.object({ field: z.string(), header: z.string().optional(), op: z.string(), values: z.array(z.string()) })),
  copyTo: z.array(z.string()), watch: z.record(z.string(), z.unknown()), departmentPath: z.string().optional(),
}).describe('MonitorRule');
const Counts = { inMessages: z.number().int(), inBytes: z.number(), outMessages: z.number().int(), outBytes: z.number() };
const TrafficView = z.object({
  domain: z.string(), from: z.string(), to: z.string(),
  days: z.array(z.object({ day: z.string(), ...Counts })), totals: z.object(Counts),
  topUsers: z.array(z.object({ address: z.string(), realName: z.string(), ...Counts })),
}).describe('TrafficReport');

export function adminMonitorRoutes(c: ConsoleDeps): AnyRoute[] {
  const m = c.console.monitors;
  const errors = ['FORBIDDEN', 'NOT_FOUND', 'INVALID_INPUT'] as const;
  // Conditions are checked by the service against the content filter's own schema (one rule format).
  const input = (b: z.output<typeof RuleBody>) => ({ ...b, conditions: b.conditions as z.input<typeof ConditionSchema>[] });
  return [
    defineRoute({
      method: 'GET', url: '/api/admin/domains/:domain/monitors', tag: 'admin', auth: 'admin', errors: ['FORBIDDEN', 'NOT_FOUND'],
      summary: "The domain's monitoring rules (manual §1.7.1)", params: DomainParams, response: z.array(RuleView),
      handler: async ({ admin, params }) => m.list(admin().actor, params.domain),
    }),
    defineRoute({
      method: 'POST', url: '/api/admin/domains/:domain/monitors', tag: 'admin', auth: 'admin', errors: [...errors, 'LIMIT_REACHED'],
      summary: 'Add a monitoring rule (manual §1.7.2)', params: DomainParams, body: RuleBody, response: RuleView,
      handler: async ({ admin, params, body }) => m.add(admin().actor, params.domain, input(body)),
    }),
    defineRoute({
      method: 'POST', url: '/api/admin/domains/:domain/monitors/:id', tag: 'admin', auth: 'admin', errors: [...errors],
      summary: 'Change a monitoring rule (every field)', params: RuleParams, body: RuleBody, response: RuleView,
      handler: async ({ admin, params, body }) => m.update(admin().actor, params.domain, params.id, input(body)),
    }),
    defineRoute({
      method: 'POST', url: '/api/admin/domains/:domain/monitors/:id/delete', tag: 'admin', auth: 'admin', errors: ['FORBIDDEN', 'NOT_FOUND'],
      summary: 'Delete a monitoring rule', params: RuleParams, body: z.strictObject({}), response: z.object({ ok: z.literal(true) }),
      handler: async ({ admin, params }) => { await m.remove(admin().actor, params.domain, params.id); return { ok: true as const }; },
    }),
    defineRoute({
      method: 'GET', url: '/api/admin/domains/:domain/traffic', tag: 'admin', auth: 'admin', errors: ['FORBIDDEN', 'NOT_FOUND', 'INVALID_INPUT'],
      summary: "The domain's mail traffic per day and its busiest users (manual §1.9, §2.9.3); default the last 7 days",
      params: DomainParams,
      query: z.strictObject({ from: z.string().max(10).optional().describe('YYYY-MM-DD'), to: z.string().max(10).optional().describe('YYYY-MM-DD') }),
      response: TrafficView,
      handler: async ({ admin, params, query }) => c.console.traffic.report(admin().actor, params.domain, query),
    }),
  ];
}
