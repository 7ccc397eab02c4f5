/**
 * Option routes of the logged-in user (FEATURES W14, manual part 2 §1.17), GET to read and PUT to
 * replace per area: profile, preferences, signatures (list, add, change, remove; one default),
 * the mail rules the delivery engine applies (filters 来信分类, auto-reply, auto-forward; their
 * schemas are delivery/local/user-rules.ts's own), and GET /api/options/compose, the one read
 * compose needs (signatures with the default, and the preferences it follows). Password, security
 * question, forgotten password and POP boxes are in options-security.ts. Every route acts on the
 * session's own user (options/*.ts check the actor); a signature id of another user answers 404.
 */
import { z } from 'zod';
import { AutoreplySchema, FiltersSchema, ForwardSchema } from '../../../delivery/local/user-rules.ts';
import { PreferencesPatchSchema, ProfileExtrasPatchSchema, SignatureInputSchema, SignaturePatchSchema, SignatureSchema } from '../../../options/option-schemas.ts';
import { MailError } from '../../../core/errors.ts';
import { defineRoute, type AnyRoute } from '../route.ts';
import type { WebDeps } from '../deps.ts';
import { optionSecurityRoutes } from './options-security.ts';
import { templateRoutes } from './options-templates.ts';

const Profile = z.object({
  address: z.string(), realName: z.string(), department: z.string().describe("The org unit's name, '' when none (read-only)"),
  quotaBytes: z.number().int(), createdAt: z.number(), lastLoginAt: z.number().nullable(),
  mobile: z.string(), phone: z.string(), title: z.string(), postalAddress: z.string(),
}).describe('Profile');
const ProfilePatch = ProfileExtrasPatchSchema.extend({ realName: z.string().trim().max(64).optional() });

const Preferences = z.object({
  format: z.enum(['html', 'text']), charset: z.enum(['utf-8', 'gb2312']), refreshMinutes: z.number().int(),
  pageSize: z.number().int(), saveSent: z.boolean(), autoSaveRecipients: z.boolean(), readingPane: z.enum(['right', 'below', 'off']),
  conversationView: z.boolean(),
}).describe('Preferences');

const SignatureList = z.object({
  signatures: z.array(SignatureSchema.describe('Signature')),
  defaultId: z.string().nullable().describe('The signature compose starts with; null for none'),
}).describe('SignatureList');
const SignatureParams = z.strictObject({ signatureId: z.string().regex(/^[0-9a-f]{1,32}$/, 'a signature id from GET /api/options/signatures') });

export function optionRoutes(deps: WebDeps): AnyRoute[] {
  const o = deps.options;
  if (!o) return [];
  const opts = o.user;
  return [
    defineRoute({
      method: 'GET', url: '/api/options/profile', tag: 'options', auth: true, errors: [],
      summary: 'The user\'s profile (个人资料): address, name, department, quota, and the fields they keep themselves', response: Profile,
      handler: async ({ who }) => opts.profile(who().actor, who().user.id),
    }),
    defineRoute({
      method: 'PUT', url: '/api/options/profile', tag: 'options', auth: true, errors: [],
      summary: 'Changes the fields sent (real name, mobile, phone, title, postal address)', body: ProfilePatch, response: Profile,
      handler: async ({ who, body }) => opts.setProfile(who().actor, who().user.id, body),
    }),
    defineRoute({
      method: 'GET', url: '/api/options/preferences', tag: 'options', auth: true, errors: [],
      summary: 'Display and sending preferences (参数设置)', response: Preferences,
      handler: async ({ who }) => opts.preferences(who().actor, who().user.id),
    }),
    defineRoute({
      method: 'PUT', url: '/api/options/preferences', tag: 'options', auth: true, errors: [],
      summary: 'Changes the preferences sent, keeping the others', body: PreferencesPatchSchema, response: Preferences,
      handler: async ({ who, body }) => opts.setPreferences(who().actor, who().user.id, body),
    }),
    defineRoute({
      method: 'GET', url: '/api/options/compose', tag: 'options', auth: true, errors: [],
      summary: 'What compose reads when it opens: the signatures, the default one, and the preferences (format, charset, save sent, auto-save recipients)',
      response: SignatureList.extend({ preferences: Preferences }).describe('ComposeOptions'),
      handler: async ({ who }) => opts.composeOptions(who().actor, who().user.id),
    }),
    defineRoute({
      method: 'GET', url: '/api/options/signatures', tag: 'options', auth: true, errors: [],
      summary: 'The signatures (签名) in the user\'s order and the default one', response: SignatureList,
      handler: async ({ who }) => opts.signatures(who().actor, who().user.id),
    }),
    defineRoute({
      method: 'POST', url: '/api/options/signatures', tag: 'options', auth: true, errors: ['LIMIT_REACHED'],
      summary: 'Adds a signature (the first becomes the default; isDefault makes it so)', body: SignatureInputSchema, response: SignatureList,
      handler: async ({ who, body }) => opts.addSignature(who().actor, who().user.id, body),
    }),
    defineRoute({
      method: 'PUT', url: '/api/options/signatures/:signatureId', tag: 'options', auth: true, errors: ['NOT_FOUND'],
      summary: 'Changes the fields sent; isDefault true makes it the default, false leaves none',
      params: SignatureParams, body: SignaturePatchSchema, response: SignatureList,
      handler: async ({ who, params, body }) => opts.updateSignature(who().actor, who().user.id, params.signatureId, body),
    }),
    defineRoute({
      method: 'DELETE', url: '/api/options/signatures/:signatureId', tag: 'options', auth: true, errors: ['NOT_FOUND'],
      summary: 'Removes a signature (the default passes to the first one left)', params: SignatureParams, response: SignatureList,
      handler: async ({ who, params }) => opts.removeSignature(who().actor, who().user.id, params.signatureId),
    }),
    defineRoute({
      method: 'GET', url: '/api/options/filters', tag: 'options', auth: true, errors: [],
      summary: 'The inbox filters (来信分类) in the order delivery runs them', response: z.object({ filters: FiltersSchema }),
      handler: async ({ who }) => ({ filters: (await opts.rules(who().actor, who().user.id)).filters }),
    }),
    defineRoute({
      method: 'PUT', url: '/api/options/filters', tag: 'options', auth: true, errors: [],
      summary: 'Replaces the filters: each has conditions (all or any) and actions (move, mark-read, flag, delete, forward, stop)',
      body: z.strictObject({ filters: FiltersSchema }), response: z.object({ filters: FiltersSchema }),
      handler: async ({ who, body }) => ({ filters: (await opts.setRules(who().actor, who().user.id, { filters: body.filters })).filters }),
    }),
    defineRoute({
      method: 'GET', url: '/api/options/autoreply', tag: 'options', auth: true, errors: [],
      summary: 'The auto-reply (自动回复): on or off, text, optional start and end (ms since the epoch)', response: AutoreplySchema,
      handler: async ({ who }) => (await opts.rules(who().actor, who().user.id)).autoreply,
    }),
    defineRoute({
      method: 'PUT', url: '/api/options/autoreply', tag: 'options', auth: true, errors: [],
      summary: 'Replaces the auto-reply settings', body: AutoreplySchema, response: AutoreplySchema,
      handler: async ({ who, body }) => (await opts.setRules(who().actor, who().user.id, { autoreply: body })).autoreply,
    }),
    defineRoute({
      method: 'GET', url: '/api/options/forward', tag: 'options', auth: true, errors: [],
      summary: 'Auto-forward (自动转发): on or off, the addresses, and whether a copy stays here (在本站保存)', response: ForwardSchema,
      handler: async ({ who }) => (await opts.rules(who().actor, who().user.id)).forward,
    }),
    defineRoute({
      method: 'PUT', url: '/api/options/forward', tag: 'options', auth: true, errors: [],
      summary: 'Replaces the auto-forward settings', body: ForwardSchema, response: ForwardSchema,
      handler: async ({ who, body }) => {
        const me = who();
        if (body.enabled && body.to.includes(me.user.address.toLowerCase())) {
          throw new MailError('INVALID_INPUT', 'to: forwarding to this mailbox itself would loop', { details: { field: 'to' } });
        }
        return (await opts.setRules(me.actor, me.user.id, { forward: body })).forward;
      },
    }),
    ...optionSecurityRoutes(deps, o),
    ...templateRoutes(o.templates),
  ];
}
