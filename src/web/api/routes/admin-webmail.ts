/**
 * webmail 设置 of the domain console (manual part 3 §1.8; FEATURES A8): GET/POST
 * /api/admin/domains/:domain/webmail (login template, domain signature, custom login field,
 * announcement, welcome letter, home links, send charset, strong-password switch, SSO URL), POST
 * …/webmail/logos/:slot (upload a small image as a data: URL, or remove it), GET …/webmail/logos/:slot
 * (the image). Domain admins of the domain and the super admin only (WebmailSettingsService
 * decides: a department admin or another domain's admin gets 403). Also the public side the webmail
 * reads, with no session (the login page shows it before sign-in): GET /api/branding/:domain and
 * its logos.
 */
import { z } from 'zod';
import { MailError } from '../../../core/errors.ts';
import {
  LOGIN_TEMPLATES, LOGO_SLOTS, MAX_HOME_LINKS, MAX_LOGO_BYTES, SEND_CHARSETS, type LogoSlot, type WebmailSettingsService,
} from '../../../directory/webmail-settings.ts';
import { defineRoute, type AnyRoute } from '../route.ts';
import type { ConsoleDeps } from '../deps.ts';

const DomainParams = z.strictObject({ domain: z.string().min(1).max(255).describe('ASCII or Unicode domain name') });
const SlotParams = z.strictObject({ domain: DomainParams.shape.domain, slot: z.enum(LOGO_SLOTS) });
const Links = z.array(z.object({ title: z.string().max(100), url: z.string().max(2000) })).max(MAX_HOME_LINKS);
const Settings = {
  loginTemplate: z.enum(LOGIN_TEMPLATES),
  customLoginField: z.object({ enabled: z.boolean(), label: z.string().max(50) }),
  announcement: z.object({ enabled: z.boolean(), title: z.string().max(200), body: z.string().max(20_000) }),
  welcome: z.object({ enabled: z.boolean(), subject: z.string().max(200), body: z.string().max(50_000) }).describe('"(user)" becomes the new user\'s name'),
  homeLinks: Links,
  sendCharset: z.enum(SEND_CHARSETS),
  ssoUrl: z.string().max(2000).describe('The login interface URL (登录接口地址), "" for none'),
  signature: z.object({ text: z.string().max(20_000), html: z.string().max(50_000) }).describe('Appended to all mail the domain sends'),
  strongPasswords: z.boolean(),
};
const Logo = z.object({ type: z.string(), bytes: z.number().int(), updatedAt: z.number() }).nullable();
const SettingsView = z.object({ ...Settings, logos: z.object({ afterLogin: Logo, beforeLogin: Logo, loginBackground: Logo }) }).describe('WebmailSettings');
const Branding = z.object({
  domain: z.string(), loginTemplate: z.enum(LOGIN_TEMPLATES), customLoginField: z.string().nullable(),
  announcement: z.object({ title: z.string(), body: z.string() }).nullable(),
  homeLinks: z.array(z.object({ title: z.string(), url: z.string() })), logos: z.array(z.enum(LOGO_SLOTS)),
}).describe('Branding');

/** A data: URL of MAX_LOGO_BYTES in base64, with room for the prefix. */
const LOGO_BODY_LIMIT = Math.ceil(MAX_LOGO_BYTES * 4 / 3) + 4096;

export function adminWebmailRoutes(c: ConsoleDeps): AnyRoute[] {
  const s = c.console.webmail;
  const errors = ['FORBIDDEN', 'NOT_FOUND'] as const;
  return [
    defineRoute({
      method: 'GET', url: '/api/admin/domains/:domain/webmail', tag: 'admin', auth: 'admin', errors: [...errors],
      summary: "The domain's webmail settings (manual §1.8)", params: DomainParams, response: SettingsView,
      handler: async ({ admin, params }) => s.get(admin().actor, params.domain),
    }),
    defineRoute({
      method: 'POST', url: '/api/admin/domains/:domain/webmail', tag: 'admin', auth: 'admin', errors: [...errors],
      summary: "Change the domain's webmail settings; what is left out stays", params: DomainParams,
      body: z.strictObject(Settings).partial(), response: SettingsView,
      handler: async ({ admin, params, body }) => s.update(admin().actor, params.domain, body),
    }),
    defineRoute({
      method: 'GET', url: '/api/admin/domains/:domain/webmail/logos/:slot', tag: 'admin', auth: 'admin', errors: [...errors],
      summary: 'One of the domain\'s logos (afterLogin, beforeLogin, loginBackground)', params: SlotParams, response: 'raw', produces: 'image/*',
      handler: async ({ admin, params, reply }) => {
        await s.get(admin().actor, params.domain); // the reach check
        return sendLogo(s, params.domain, params.slot, reply);
      },
    }),
    defineRoute({
      method: 'POST', url: '/api/admin/domains/:domain/webmail/logos/:slot', tag: 'admin', auth: 'admin', errors: [...errors],
      summary: `Upload a logo as a data: URL (PNG, JPEG, GIF or WebP, at most ${MAX_LOGO_BYTES / 1024} KB), or remove it with null`,
      params: SlotParams, bodyLimit: LOGO_BODY_LIMIT, body: z.strictObject({ image: z.string().max(LOGO_BODY_LIMIT).nullable() }), response: SettingsView,
      handler: async ({ admin, params, body }) => s.setLogo(admin().actor, params.domain, params.slot, body.image),
    }),
    defineRoute({
      method: 'GET', url: '/api/branding/:domain', tag: 'session', auth: false, errors: ['NOT_FOUND'],
      summary: "What the domain's webmail shows: login template, custom login field, announcement, home links, which logos",
      params: DomainParams, response: Branding,
      handler: async ({ params }) => {
        const b = await s.publicBranding(params.domain);
        if (!b) throw new MailError('NOT_FOUND', `domain ${params.domain} does not exist`);
        return b;
      },
    }),
    defineRoute({
      method: 'GET', url: '/api/branding/:domain/logos/:slot', tag: 'session', auth: false, errors: ['NOT_FOUND'],
      summary: "One of the domain's logos, for the login page and the webmail", params: SlotParams, response: 'raw', produces: 'image/*',
      handler: async ({ params, reply }) => sendLogo(s, params.domain, params.slot, reply),
    }),
  ];
}

async function sendLogo(s: WebmailSettingsService, domain: string, slot: LogoSlot, reply: import('fastify').FastifyReply) {
  const logo = await s.logo(domain, slot);
  if (!logo) throw new MailError('NOT_FOUND', `no ${slot} logo`);
  return reply.type(logo.type).header('cache-control', 'no-cache').header('x-content-type-options', 'nosniff')
    .header('last-modified', new Date(logo.updatedAt).toUTCString()).send(logo.bytes);
}
