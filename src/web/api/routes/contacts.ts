/**
 * Personal contact routes of the logged-in user (FEATURES W8, manual part 2 §1.10): list with
 * search and paging, one contact, add, edit (PUT: the fields sent), delete (one or many), groups
 * and their members, the addresses of a group ("mail the whole group"), add by address, import
 * (CSV or vCard text in the JSON body: this route alone takes up to 4 MB) with its per-line report,
 * export (CSV, vCard 3.0 / 4.0 as a download) and compose's autocomplete. Every id is resolved
 * under the session's own user (contacts/contacts.ts): another user's contact or group id answers
 * 404, exactly like one that does not exist.
 */
import { z } from 'zod';
import type { ContactGroupId, ContactId } from '../../../core/ids.ts';
import { CONTACT_PHONE_KINDS, LIMITS } from '../../../contacts/contact-input.ts';
import { DEFAULT_PAGE_SIZE, MAX_IDS, MAX_PAGE_SIZE } from '../../../contacts/contacts.ts';
import { MAX_SUGGESTIONS } from '../../../contacts/enterprise.ts';
import { defineRoute, type AnyRoute } from '../route.ts';
import type { WebDeps } from '../deps.ts';
import { contentDisposition } from './mail.ts';

const Id = z.coerce.number().int().positive().max(Number.MAX_SAFE_INTEGER);
const ContactParams = z.strictObject({ contactId: Id.describe('A contact id from GET /api/contacts') });
const GroupParams = z.strictObject({ groupId: Id.describe('A group id from GET /api/contact-groups') });
const Ids = z.array(z.number().int().positive().max(Number.MAX_SAFE_INTEGER)).max(MAX_IDS);

const Phone = z.strictObject({ kind: z.enum(CONTACT_PHONE_KINDS), number: z.string().max(LIMITS.phone) });
const Contact = z.object({
  id: z.number().int(),
  name: z.string(),
  emails: z.array(z.string()).describe('The first is the main address'),
  phones: z.array(Phone),
  company: z.string(), department: z.string(), title: z.string(), address: z.string(),
  birthday: z.string().describe("'YYYY-MM-DD' or ''"),
  notes: z.string(),
  groupIds: z.array(z.number().int()),
  createdAt: z.number(), updatedAt: z.number(),
}).describe('Contact');
const Group = z.object({ id: z.number().int(), name: z.string(), members: z.number().int() }).describe('ContactGroup');

const fieldsShape = {
  name: z.string().max(LIMITS.name),
  emails: z.array(z.string().max(LIMITS.email)).max(LIMITS.emails),
  phones: z.array(Phone).max(LIMITS.phones),
  company: z.string().max(LIMITS.company),
  department: z.string().max(LIMITS.department),
  title: z.string().max(LIMITS.title),
  address: z.string().max(LIMITS.address),
  birthday: z.string().max(10).describe("'YYYY-MM-DD' or ''"),
  notes: z.string().max(LIMITS.notes),
  groupIds: Ids.describe("The contact's groups (replaces them on update)"),
};
const NewContact = z.strictObject({ ...fieldsShape, emails: fieldsShape.emails.min(1) }).partial().required({ emails: true });
const ContactPatch = z.strictObject(fieldsShape).partial();
const Ok = z.object({ ok: z.literal(true) });

export function contactRoutes(deps: WebDeps): AnyRoute[] {
  const { book, transfer, directory } = deps.contacts;
  return [
    defineRoute({
      method: 'GET', url: '/api/contacts', tag: 'contacts', auth: true, module: 'personalContacts', errors: ['NOT_FOUND'],
      summary: 'A page of the personal contacts by name; search matches name, address, company, department, title or phone',
      query: z.strictObject({
        search: z.string().max(100).optional(),
        groupId: Id.optional().describe('Only the members of this group'),
        page: z.coerce.number().int().min(1).max(1_000_000).default(1),
        pageSize: z.coerce.number().int().min(1).max(MAX_PAGE_SIZE).default(DEFAULT_PAGE_SIZE),
      }),
      response: z.object({ total: z.number().int(), page: z.number().int(), pageSize: z.number().int(), contacts: z.array(Contact) }),
      handler: async ({ who, query }) => {
        const me = who();
        return book.list(me.actor, me.user.id, { search: query.search, groupId: query.groupId as ContactGroupId | undefined, page: query.page, pageSize: query.pageSize });
      },
    }),
    defineRoute({
      method: 'GET', url: '/api/contacts/autocomplete', tag: 'contacts', auth: true, errors: [],
      summary: 'Recipients for compose: personal contacts, users of the domain and of the domains sharing their directory with it (not hidden), '
        + 'lists the user may send to, and the customer book, matching q',
      query: z.strictObject({ q: z.string().max(100), limit: z.coerce.number().int().min(1).max(MAX_SUGGESTIONS).default(10) }),
      response: z.object({ suggestions: z.array(z.object({ name: z.string(), address: z.string(), source: z.enum(['personal', 'directory', 'list', 'customer']) })) }),
      handler: async ({ who, query }) => {
        const me = who();
        // A domain that switched off the personal book or the directory gets no suggestions from it.
        const on = await deps.modules?.forDomain(me.user.domainId);
        const suggestions = await directory.autocomplete(me.actor, me.user.id, query.q, query.limit);
        const allowed = (s: { source: string }) => !on || (s.source === 'personal' ? on.personalContacts : s.source === 'directory' ? on.enterpriseDirectory
          : s.source === 'customer' ? on.customerContacts : true);
        return { suggestions: suggestions.filter(allowed) };
      },
    }),
    defineRoute({
      method: 'GET', url: '/api/contacts/export', tag: 'contacts', auth: true, module: 'personalContacts', errors: ['NOT_FOUND'], produces: 'text/csv, text/vcard',
      summary: 'The contacts (all, one group, or the ids given) as a CSV or vCard file to download',
      query: z.strictObject({
        format: z.enum(['csv', 'vcard3', 'vcard4']).default('csv'),
        groupId: Id.optional(),
        ids: z.string().regex(/^\d+(,\d+)*$/, 'comma-separated contact ids').max(20_000).optional(),
      }),
      response: 'raw',
      handler: async ({ who, query, reply }) => {
        const me = who();
        const ids = query.ids?.split(',').map(Number) as ContactId[] | undefined;
        const file = await transfer.exportContacts(me.actor, me.user.id, { format: query.format, groupId: query.groupId as ContactGroupId | undefined, ids });
        return reply.type(file.contentType).header('content-disposition', contentDisposition(file.fileName)).header('cache-control', 'no-store').send(file.body);
      },
    }),
    defineRoute({
      method: 'GET', url: '/api/contacts/:contactId', tag: 'contacts', auth: true, module: 'personalContacts', errors: ['NOT_FOUND'],
      summary: 'One contact', params: ContactParams, response: Contact,
      handler: async ({ who, params }) => {
        const me = who();
        return book.get(me.actor, me.user.id, params.contactId as ContactId);
      },
    }),
    defineRoute({
      method: 'POST', url: '/api/contacts', tag: 'contacts', auth: true, module: 'personalContacts', errors: ['NOT_FOUND', 'LIMIT_REACHED'],
      summary: 'Adds a contact (a blank name is taken from the first address)', body: NewContact, response: Contact,
      handler: async ({ who, body }) => {
        const me = who();
        const { groupIds, ...fields } = body;
        return book.create(me.actor, me.user.id, fields, (groupIds ?? []) as ContactGroupId[]);
      },
    }),
    defineRoute({
      method: 'PUT', url: '/api/contacts/:contactId', tag: 'contacts', auth: true, module: 'personalContacts', errors: ['NOT_FOUND'],
      summary: 'Changes the fields sent (groupIds replaces the groups)', params: ContactParams, body: ContactPatch, response: Contact,
      handler: async ({ who, params, body }) => {
        const me = who();
        const { groupIds, ...fields } = body;
        return book.update(me.actor, me.user.id, params.contactId as ContactId, fields, groupIds as ContactGroupId[] | undefined);
      },
    }),
    defineRoute({
      method: 'DELETE', url: '/api/contacts/:contactId', tag: 'contacts', auth: true, module: 'personalContacts', errors: ['NOT_FOUND'],
      summary: 'Deletes a contact', params: ContactParams, response: Ok,
      handler: async ({ who, params }) => {
        const me = who();
        await book.remove(me.actor, me.user.id, [params.contactId as ContactId]);
        return { ok: true as const };
      },
    }),
    defineRoute({
      method: 'POST', url: '/api/contacts/delete', tag: 'contacts', auth: true, module: 'personalContacts', errors: ['NOT_FOUND'],
      summary: 'Deletes several contacts: all of them, or none when one is unknown', body: z.strictObject({ ids: Ids.min(1) }),
      response: z.object({ deleted: z.number().int() }),
      handler: async ({ who, body }) => {
        const me = who();
        return { deleted: await book.remove(me.actor, me.user.id, body.ids as ContactId[]) };
      },
    }),
    defineRoute({
      method: 'POST', url: '/api/contacts/add', tag: 'contacts', auth: true, module: 'personalContacts', errors: ['NOT_FOUND', 'LIMIT_REACHED'],
      summary: 'Adds people by address (from the enterprise directory, a message); addresses already in the book are left as they are',
      body: z.strictObject({
        people: z.array(z.strictObject({ name: z.string().max(LIMITS.name).optional(), email: z.string().max(LIMITS.email) })).min(1).max(MAX_IDS),
        groupId: Id.optional(),
      }),
      response: z.object({ added: z.number().int(), existing: z.number().int() }),
      handler: async ({ who, body }) => {
        const me = who();
        return book.addAddresses(me.actor, me.user.id, body.people, body.groupId as ContactGroupId | undefined);
      },
    }),
    defineRoute({
      method: 'POST', url: '/api/contacts/import', tag: 'contacts', auth: true, module: 'personalContacts', errors: ['NOT_FOUND'], bodyLimit: 4 * 1024 * 1024,
      summary: 'Imports CSV or vCard text; bad records are reported by line and field and write nothing, the good ones are imported',
      body: z.strictObject({
        format: z.enum(['csv', 'vcard']),
        text: z.string().min(1),
        duplicates: z.enum(['ignore', 'overwrite']).describe('What to do with a record whose address is already in the book'),
        groupId: Id.optional().describe('Every imported contact also joins this group'),
      }),
      response: z.object({
        created: z.number().int(), updated: z.number().int(), skipped: z.number().int(),
        errors: z.array(z.object({ line: z.number().int(), field: z.string(), message: z.string() })),
        ignoredColumns: z.array(z.string()),
      }),
      handler: async ({ who, body }) => {
        const me = who();
        return transfer.importContacts(me.actor, me.user.id, { ...body, groupId: body.groupId as ContactGroupId | undefined });
      },
    }),
    ...groupRoutes(deps),
  ];
}

function groupRoutes(deps: WebDeps): AnyRoute[] {
  const { book } = deps.contacts;
  const Members = z.strictObject({ ids: Ids.min(1).describe('Contact ids') });
  return [
    defineRoute({
      method: 'GET', url: '/api/contact-groups', tag: 'contacts', auth: true, module: 'personalContacts', errors: [],
      summary: 'The contact groups by name, with member counts', response: z.object({ groups: z.array(Group) }),
      handler: async ({ who }) => {
        const me = who();
        return { groups: await book.groups(me.actor, me.user.id) };
      },
    }),
    defineRoute({
      method: 'POST', url: '/api/contact-groups', tag: 'contacts', auth: true, module: 'personalContacts', errors: ['NOT_FOUND', 'ALREADY_EXISTS'],
      summary: 'Adds a group, with its first members', body: z.strictObject({ name: z.string().max(50), contactIds: Ids.optional() }), response: Group,
      handler: async ({ who, body }) => {
        const me = who();
        return book.createGroup(me.actor, me.user.id, body.name, (body.contactIds ?? []) as ContactId[]);
      },
    }),
    defineRoute({
      method: 'PUT', url: '/api/contact-groups/:groupId', tag: 'contacts', auth: true, module: 'personalContacts', errors: ['NOT_FOUND', 'ALREADY_EXISTS'],
      summary: 'Renames a group', params: GroupParams, body: z.strictObject({ name: z.string().max(50) }), response: Group,
      handler: async ({ who, params, body }) => {
        const me = who();
        return book.renameGroup(me.actor, me.user.id, params.groupId as ContactGroupId, body.name);
      },
    }),
    defineRoute({
      method: 'DELETE', url: '/api/contact-groups/:groupId', tag: 'contacts', auth: true, module: 'personalContacts', errors: ['NOT_FOUND'],
      summary: 'Deletes a group; its contacts stay', params: GroupParams, response: Ok,
      handler: async ({ who, params }) => {
        const me = who();
        await book.deleteGroup(me.actor, me.user.id, params.groupId as ContactGroupId);
        return { ok: true as const };
      },
    }),
    defineRoute({
      method: 'POST', url: '/api/contact-groups/:groupId/members', tag: 'contacts', auth: true, module: 'personalContacts', errors: ['NOT_FOUND'],
      summary: 'Puts contacts into the group', params: GroupParams, body: Members, response: z.object({ added: z.number().int() }),
      handler: async ({ who, params, body }) => {
        const me = who();
        return { added: await book.addMembers(me.actor, me.user.id, params.groupId as ContactGroupId, body.ids as ContactId[]) };
      },
    }),
    defineRoute({
      method: 'POST', url: '/api/contact-groups/:groupId/members/remove', tag: 'contacts', auth: true, module: 'personalContacts', errors: ['NOT_FOUND'],
      summary: 'Takes contacts out of the group (they stay in the book)', params: GroupParams, body: Members, response: z.object({ removed: z.number().int() }),
      handler: async ({ who, params, body }) => {
        const me = who();
        return { removed: await book.removeMembers(me.actor, me.user.id, params.groupId as ContactGroupId, body.ids as ContactId[]) };
      },
    }),
    defineRoute({
      method: 'GET', url: '/api/contact-groups/:groupId/recipients', tag: 'contacts', auth: true, module: 'personalContacts', errors: ['NOT_FOUND'],
      summary: "The main address of each member, for \"mail the whole group\"", params: GroupParams,
      response: z.object({ recipients: z.array(z.object({ name: z.string(), address: z.string() })) }),
      handler: async ({ who, params }) => {
        const me = who();
        return { recipients: await book.groupRecipients(me.actor, me.user.id, params.groupId as ContactGroupId) };
      },
    }),
  ];
}
