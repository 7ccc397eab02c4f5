/**
 * Reply template routes (常用回复模板; issue #12, beyond the manual): list, add, change and remove
 * the logged-in user's templates, which compose's templates menu inserts at the cursor. The
 * service (options/reply-templates.ts) checks the actor; another user's template id answers 404.
 */
import { z } from 'zod';
import { TemplateInputSchema, TemplatePatchSchema, TemplateSchema, type ReplyTemplates } from '../../../options/reply-templates.ts';
import { defineRoute, type AnyRoute } from '../route.ts';

const Template = TemplateSchema.describe('ReplyTemplate');
const TemplateList = z.object({ templates: z.array(Template) }).describe('ReplyTemplateList');
const TemplateParams = z.strictObject({
  templateId: z.coerce.number().int().positive().max(Number.MAX_SAFE_INTEGER).describe('A template id from GET /api/options/templates'),
});
const Ok = z.object({ ok: z.literal(true) });

export function templateRoutes(templates: ReplyTemplates): AnyRoute[] {
  return [
    defineRoute({
      method: 'GET', url: '/api/options/templates', tag: 'options', auth: true, errors: [],
      summary: 'The reply templates (常用回复模板), oldest first', response: TemplateList,
      handler: async ({ who }) => ({ templates: await templates.list(who().actor, who().user.id) }),
    }),
    defineRoute({
      method: 'POST', url: '/api/options/templates', tag: 'options', auth: true, errors: ['LIMIT_REACHED'],
      summary: 'Adds a template (at most 100, each body at most 64 KiB)', body: TemplateInputSchema, response: Template,
      handler: async ({ who, body }) => templates.add(who().actor, who().user.id, body),
    }),
    defineRoute({
      method: 'GET', url: '/api/options/templates/:templateId', tag: 'options', auth: true, errors: ['NOT_FOUND'],
      summary: 'One template', params: TemplateParams, response: Template,
      handler: async ({ who, params }) => templates.get(who().actor, who().user.id, params.templateId),
    }),
    defineRoute({
      method: 'PUT', url: '/api/options/templates/:templateId', tag: 'options', auth: true, errors: ['NOT_FOUND'],
      summary: 'Changes the fields sent', params: TemplateParams, body: TemplatePatchSchema, response: Template,
      handler: async ({ who, params, body }) => templates.update(who().actor, who().user.id, params.templateId, body),
    }),
    defineRoute({
      method: 'DELETE', url: '/api/options/templates/:templateId', tag: 'options', auth: true, errors: ['NOT_FOUND'],
      summary: 'Removes a template', params: TemplateParams, response: Ok,
      handler: async ({ who, params }) => {
        await templates.remove(who().actor, who().user.id, params.templateId);
        return { ok: true as const };
      },
    }),
  ];
}
