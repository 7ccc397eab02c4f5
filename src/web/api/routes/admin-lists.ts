/**
 * Mailing lists of the domain console (manual part 3 §1.6; FEATURES A6): the domain's lists, add
 * (name, description, public or private, first members), properties, delete, members with their
 * send / receive rights, batch add of pasted addresses with a report, remove a member, export as
 * CSV. Domain admins of the domain and the super admin only: a department admin or another
 * domain's admin gets 403 (ListConsole decides).
 */
import { z } from 'zod';
import { MailError } from '../../../core/errors.ts';
import { BATCH_MEMBERS_MAX, type ListDetail } from '../../../directory/list-admin.ts';
import { defineRoute, type AnyRoute } from '../route.ts';
import type { ConsoleDeps } from '../deps.ts';

const DomainParams = z.strictObject({ domain: z.string().min(1).max(255).describe('ASCII or Unicode domain name') });
const ListParams = z.strictObject({ address: z.string().min(3).max(320).regex(/@/, 'a full address').describe("The list's address") });
const Visibility = z.enum(['public', 'private']).describe('private: only members with the send right may post');
const Member = z.strictObject({ address: z.string().min(3).max(320), canSend: z.boolean().default(true), canReceive: z.boolean().default(true) });

const ListView = z.object({ address: z.string(), description: z.string(), visibility: Visibility, members: z.number().int(), createdAt: z.number() }).describe('MailingList');
const ListDetailView = z.object({
  address: z.string(), description: z.string(), visibility: Visibility, createdAt: z.number(),
  members: z.array(z.object({ address: z.string(), canSend: z.boolean(), canReceive: z.boolean() })),
}).describe('MailingListDetail');
const detail = (l: ListDetail): z.input<typeof ListDetailView> => l;

const Ok = z.object({ ok: z.literal(true) });
const enc = encodeURIComponent;
const csvDisposition = (name: string) => `attachment; filename="${name.replace(/[^\x20-\x7e]|["\\]/g, '_')}"; filename*=UTF-8''${enc(name)}`;
/** 5,000 addresses of up to 320 characters, with room. */
const MEMBERS_BODY_LIMIT = 2 * 1024 * 1024;

/** The service's refusals of a new list name its field: the name taken or malformed, a bad member. */
async function naming<T>(p: Promise<T>, field: string): Promise<T> {
  try {
    return await p;
  } catch (err) {
    if (err instanceof MailError && err.details?.field === undefined && (err.code === 'ALREADY_EXISTS' || err.code === 'INVALID_INPUT')) {
      throw new MailError(err.code, err.message, { details: { field: err.code === 'INVALID_INPUT' && /member/.test(err.message) ? 'members' : field }, cause: err });
    }
    throw err;
  }
}

export function adminListRoutes(c: ConsoleDeps): AnyRoute[] {
  const s = c.console.lists;
  const errors = ['FORBIDDEN', 'NOT_FOUND'] as const;
  return [
    defineRoute({
      method: 'GET', url: '/api/admin/domains/:domain/lists', tag: 'admin', auth: 'admin', errors: [...errors],
      summary: "The domain's mailing lists with their member counts (manual §1.6.1)",
      params: DomainParams, response: z.object({ lists: z.array(ListView) }),
      handler: async ({ admin, params }) => ({ lists: await s.list(admin().actor, params.domain) }),
    }),
    defineRoute({
      method: 'POST', url: '/api/admin/domains/:domain/lists', tag: 'admin', auth: 'admin', errors: [...errors, 'ALREADY_EXISTS', 'LIMIT_REACHED'],
      summary: "Add a mailing list under the domain's list limit (manual §1.6.2)",
      params: DomainParams,
      body: z.strictObject({
        name: z.string().min(1).max(64).regex(/^[A-Za-z0-9](?:[A-Za-z0-9._+-]*[A-Za-z0-9])?$/, 'letters, digits, ".", "_", "+" or "-"'),
        description: z.string().max(500).default(''), visibility: Visibility.default('public'),
        members: z.array(Member).max(BATCH_MEMBERS_MAX).default([]),
      }),
      response: ListDetailView,
      handler: async ({ admin, params, body }) => detail(await naming(s.add(admin().actor, params.domain, { ...body, name: body.name.toLowerCase() }), 'name')),
    }),
    defineRoute({
      method: 'GET', url: '/api/admin/domains/:domain/lists.csv', tag: 'admin', auth: 'admin', errors: [...errors],
      summary: "Export the domain's lists with their members and rights as CSV",
      params: DomainParams, response: 'raw', produces: 'text/csv',
      handler: async ({ admin, params, reply }) => {
        const csv = await s.exportCsv(admin().actor, params.domain);
        return reply.type('text/csv; charset=utf-8').header('content-disposition', csvDisposition(`lists-${params.domain}.csv`)).send(csv);
      },
    }),
    defineRoute({
      method: 'GET', url: '/api/admin/lists/:address', tag: 'admin', auth: 'admin', errors: [...errors],
      summary: 'One mailing list with its members and their rights', params: ListParams, response: ListDetailView,
      handler: async ({ admin, params }) => detail(await s.get(admin().actor, params.address)),
    }),
    defineRoute({
      method: 'POST', url: '/api/admin/lists/:address', tag: 'admin', auth: 'admin', errors: [...errors],
      summary: 'Change the description or make the list public or private (manual §1.6.1 "属性")',
      params: ListParams, body: z.strictObject({ description: z.string().max(500).optional(), visibility: Visibility.optional() }),
      response: ListDetailView,
      handler: async ({ admin, params, body }) => detail(await s.update(admin().actor, params.address, body)),
    }),
    defineRoute({
      method: 'POST', url: '/api/admin/lists/:address/delete', tag: 'admin', auth: 'admin', errors: [...errors],
      summary: 'Delete the list and its memberships', params: ListParams, body: z.strictObject({}), response: Ok,
      handler: async ({ admin, params }) => {
        await s.remove(admin().actor, params.address);
        return { ok: true as const };
      },
    }),
    defineRoute({
      method: 'POST', url: '/api/admin/lists/:address/members', tag: 'admin', auth: 'admin', errors: [...errors],
      summary: 'Add members from pasted addresses (one a line, or separated by , ; or spaces) with these rights, or change the rights of members already there',
      params: ListParams, bodyLimit: MEMBERS_BODY_LIMIT,
      body: z.strictObject({ text: z.string().min(1).max(MEMBERS_BODY_LIMIT), canSend: z.boolean().default(true), canReceive: z.boolean().default(true) }),
      response: z.object({ added: z.array(z.string()), errors: z.array(z.object({ entry: z.string(), message: z.string() })) }),
      handler: async ({ admin, params, body }) => s.addMembers(admin().actor, params.address, body.text, { canSend: body.canSend, canReceive: body.canReceive }),
    }),
    defineRoute({
      method: 'POST', url: '/api/admin/lists/:address/members/remove', tag: 'admin', auth: 'admin', errors: [...errors],
      summary: 'Remove a member', params: ListParams, body: z.strictObject({ member: z.string().min(3).max(320) }), response: Ok,
      handler: async ({ admin, params, body }) => {
        await s.removeMember(admin().actor, params.address, body.member);
        return { ok: true as const };
      },
    }),
  ];
}
