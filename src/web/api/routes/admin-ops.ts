/**
 * The super-domain console's 语言文字模块 and 邮件数据导入 (manual part 3 §2.8.1, §2.9.1; FEATURES
 * A10, A11): GET /api/admin/super/labels, POST …/labels (override one text of one language), POST
 * …/labels/reset (one key, or all of a language); GET/POST /api/admin/super/imports (jobs with their
 * progress; start one), GET …/imports/:id, POST …/imports/:id/cancel. Super admin only (the
 * services refuse anyone else: 403). Also GET /api/ui/labels with no session: the overrides the
 * webmail and the consoles merge over their texts at start-up. No answer carries a password.
 */
import { z } from 'zod';
import { LABEL_LANGUAGES, MAX_LABEL_CHARS } from '../../../directory/ui-labels.ts';
import type { ImportJobId } from '../../../core/ids.ts';
import { defineRoute, type AnyRoute } from '../route.ts';
import type { ConsoleDeps } from '../deps.ts';

const Overrides = z.record(z.string(), z.record(z.string(), z.string())).describe('LabelOverrides: language → key → text');
const Language = z.string().max(10).describe(LABEL_LANGUAGES.join(', '));
const Key = z.string().min(1).max(200);
const Counts = {
  foldersDone: z.number().int(), foldersTotal: z.number().int(), messagesDone: z.number().int(), messagesTotal: z.number().int(),
  imported: z.number().int(), bytes: z.number(),
};
const JobView = z.object({
  id: z.number().int(), state: z.enum(['queued', 'running', 'done', 'failed', 'cancelled']), createdAt: z.number(), createdBy: z.string(),
  startedAt: z.number().nullable(), finishedAt: z.number().nullable(),
  totals: z.object({ accounts: z.number().int(), done: z.number().int(), failed: z.number().int(), ...Counts }),
  accounts: z.array(z.object({ line: z.number().int(), address: z.string(), source: z.string(), state: z.string(), error: z.string(), ...Counts })),
}).describe('ImportJob');
const JobParams = z.strictObject({ id: z.coerce.number().int().positive() });

export function adminOpsRoutes(c: ConsoleDeps): AnyRoute[] {
  const labels = c.console.labels;
  const jobs = c.imports;
  return [
    defineRoute({
      method: 'GET', url: '/api/ui/labels', tag: 'session', auth: false, errors: [],
      summary: 'The texts the super admin renamed, per language: the browser app merges them over its own', response: Overrides,
      handler: async () => labels.publicLabels(),
    }),
    defineRoute({
      method: 'GET', url: '/api/admin/super/labels', tag: 'admin', auth: 'admin', errors: ['FORBIDDEN'],
      summary: 'The overrides and every text the app has, with its default (manual §2.8.1)',
      response: z.object({ overrides: Overrides, keys: z.array(z.object({ key: z.string(), text: z.string() })) }),
      handler: async ({ admin }) => labels.list(admin().actor),
    }),
    defineRoute({
      method: 'POST', url: '/api/admin/super/labels', tag: 'admin', auth: 'admin', errors: ['FORBIDDEN', 'INVALID_INPUT'],
      summary: `Rename one text in one language (plain text, at most ${MAX_LABEL_CHARS} characters)`,
      body: z.strictObject({ language: Language, key: Key, value: z.string().max(MAX_LABEL_CHARS * 4) }), response: Overrides,
      handler: async ({ admin, body }) => labels.set(admin().actor, body.language, body.key, body.value),
    }),
    defineRoute({
      method: 'POST', url: '/api/admin/super/labels/reset', tag: 'admin', auth: 'admin', errors: ['FORBIDDEN', 'INVALID_INPUT', 'NOT_FOUND'],
      summary: 'Back to the default: one text, or every override of the language when key is left out',
      body: z.strictObject({ language: Language, key: Key.optional() }), response: Overrides,
      handler: async ({ admin, body }) => labels.reset(admin().actor, body.language, body.key),
    }),
    defineRoute({
      method: 'GET', url: '/api/admin/super/imports', tag: 'admin', auth: 'admin', errors: ['FORBIDDEN'],
      summary: 'Import jobs, newest first, with their progress (manual §2.9.1)', response: z.array(JobView),
      handler: async ({ admin }) => jobs.consoleJobs(admin().actor),
    }),
    defineRoute({
      method: 'POST', url: '/api/admin/super/imports', tag: 'admin', auth: 'admin', errors: ['FORBIDDEN', 'INVALID_INPUT', 'NOT_FOUND'],
      summary: 'Start an import job from one server: the accounts one a line, "account password [local-account]"; the server runs it',
      bodyLimit: 1024 * 1024,
      body: z.strictObject({
        protocol: z.enum(['imap', 'pop3']), host: z.string().min(1).max(255), port: z.number().int().min(1).max(65535),
        tls: z.enum(['tls', 'starttls']).describe('tls: from the first byte (993, 995); starttls: upgraded when offered'),
        verifyTls: z.boolean().default(true), accounts: z.string().max(1024 * 1024),
      }),
      response: JobView,
      handler: async ({ admin, body }) => jobs.startFromConsole(admin().actor, body),
    }),
    defineRoute({
      method: 'GET', url: '/api/admin/super/imports/:id', tag: 'admin', auth: 'admin', errors: ['FORBIDDEN', 'NOT_FOUND'],
      summary: 'One import job with each account\'s progress and errors', params: JobParams, response: JobView,
      handler: async ({ admin, params }) => jobs.consoleJob(admin().actor, params.id as ImportJobId),
    }),
    defineRoute({
      method: 'POST', url: '/api/admin/super/imports/:id/cancel', tag: 'admin', auth: 'admin', errors: ['FORBIDDEN', 'NOT_FOUND', 'CONFLICT'],
      summary: 'Cancel a queued or running job (what it imported stays)', params: JobParams, body: z.strictObject({}), response: JobView,
      handler: async ({ admin, params }) => jobs.cancel(admin().actor, params.id as ImportJobId),
    }),
  ];
}
