/**
 * 客户通讯录 in the domain console's webmail settings (manual part 3 §1.8.4; FEATURES A8), all under
 * /api/admin/domains/:domain/webmail/: the entries (list with search, category filter and paging;
 * add, change, batch delete), the categories (add, rename, delete keeping their entries), batch
 * import from CSV text with a per-line report and its sample file, and export as CSV. Domain admins
 * of the domain and the super admin only (CustomerBook decides: a department admin or another
 * domain's admin gets 403); every change is audited there.
 */
import { z } from 'zod';
import { MAX_CUSTOMER_IDS, MAX_CUSTOMER_LINES, type Customer, type CustomerCategory } from '../../../contacts/customers.ts';
import { CUSTOMER_CSV_SAMPLE } from '../../../contacts/customer-input.ts';
import { defineRoute, type AnyRoute } from '../route.ts';
import type { ConsoleDeps } from '../deps.ts';

const Domain = z.string().min(1).max(255).describe('ASCII or Unicode domain name');
const DomainParams = z.strictObject({ domain: Domain });
const Id = z.coerce.number().int().positive().max(2 ** 53);
const IdParams = z.strictObject({ domain: Domain, id: Id });

export const CustomerView = z.object({
  id: z.number().int(), name: z.string(), email: z.string(), company: z.string(), phone: z.string(), mobile: z.string(),
  address: z.string(), notes: z.string(), categoryId: z.number().int().nullable().describe('null: uncategorised'), updatedAt: z.number(),
}).describe('Customer');
export const CategoryView = z.object({ id: z.number().int(), name: z.string(), members: z.number().int() }).describe('CustomerCategory');
export const customerView = (c: Customer): z.input<typeof CustomerView> => ({
  id: c.id, name: c.name, email: c.email, company: c.company, phone: c.phone, mobile: c.mobile, address: c.address, notes: c.notes,
  categoryId: c.categoryId, updatedAt: c.updatedAt,
});
export const categoryView = (c: CustomerCategory): z.input<typeof CategoryView> => ({ id: c.id, name: c.name, members: c.members });
export const CustomerQuery = z.strictObject({
  search: z.string().max(100).optional().describe('Part of the name, address, company or a phone number'),
  category: z.coerce.number().int().min(0).optional().describe('Only this category id; 0: the uncategorised'),
  page: z.coerce.number().int().min(1).max(1_000_000).default(1),
  pageSize: z.coerce.number().int().min(1).max(200).default(30),
});
export const CustomerPageView = z.object({
  total: z.number().int(), page: z.number().int(), pageSize: z.number().int(), customers: z.array(CustomerView), categories: z.array(CategoryView),
});
const Fields = z.strictObject({
  name: z.string().max(200).optional().describe('Default: the part of the address before "@"'),
  email: z.string().max(400),
  company: z.string().max(400).optional(), phone: z.string().max(100).optional(), mobile: z.string().max(100).optional(),
  address: z.string().max(1000).optional(), notes: z.string().max(5000).optional(),
  categoryId: z.number().int().min(0).nullable().optional().describe('null or 0: uncategorised'),
});
const Ok = z.object({ ok: z.literal(true) });
const disposition = (name: string) => `attachment; filename="${name.replace(/[^\x20-\x7e]|["\\]/g, '_')}"; filename*=UTF-8''${encodeURIComponent(name)}`;
/** 10,000 lines of ~200 bytes, with room. */
const IMPORT_LIMIT = 4 * 1024 * 1024;

export function adminCustomerRoutes(c: ConsoleDeps): AnyRoute[] {
  const s = c.console.customers;
  const errors = ['FORBIDDEN', 'NOT_FOUND'] as const;
  const base = '/api/admin/domains/:domain/webmail';
  return [
    defineRoute({
      method: 'GET', url: `${base}/customers`, tag: 'admin', auth: 'admin', errors: [...errors],
      summary: "A page of the domain's customer book (客户通讯录) by name, with its categories", params: DomainParams, query: CustomerQuery,
      response: CustomerPageView,
      handler: async ({ admin, params, query }) => {
        const actor = admin().actor;
        const p = await s.list(actor, params.domain, { search: query.search, categoryId: query.category, page: query.page, pageSize: query.pageSize });
        return { ...p, customers: p.customers.map(customerView), categories: (await s.categories(actor, params.domain)).map(categoryView) };
      },
    }),
    defineRoute({
      method: 'POST', url: `${base}/customers`, tag: 'admin', auth: 'admin', errors: [...errors, 'LIMIT_REACHED'],
      summary: 'Add a customer (添加客户)', params: DomainParams, body: Fields, response: CustomerView,
      handler: async ({ admin, params, body }) => customerView(await s.add(admin().actor, params.domain, body)),
    }),
    defineRoute({
      method: 'POST', url: `${base}/customers/:id`, tag: 'admin', auth: 'admin', errors: [...errors],
      summary: 'Change a customer: the fields as the form has them', params: IdParams, body: Fields, response: CustomerView,
      handler: async ({ admin, params, body }) => customerView(await s.update(admin().actor, params.domain, params.id, body)),
    }),
    defineRoute({
      method: 'POST', url: `${base}/customers/delete`, tag: 'admin', auth: 'admin', errors: [...errors],
      summary: 'Delete customers (批量删除): all of them, or none when one is not in the book', params: DomainParams,
      body: z.strictObject({ ids: z.array(Id).min(1).max(MAX_CUSTOMER_IDS) }), response: z.object({ deleted: z.number().int() }),
      handler: async ({ admin, params, body }) => ({ deleted: await s.remove(admin().actor, params.domain, body.ids) }),
    }),
    defineRoute({
      method: 'POST', url: `${base}/customers/import`, tag: 'admin', auth: 'admin', errors: [...errors],
      summary: `Import customers from CSV text (批量导入, at most ${MAX_CUSTOMER_LINES} lines): every good line added, every bad one reported`,
      params: DomainParams, bodyLimit: IMPORT_LIMIT,
      body: z.strictObject({ csv: z.string().min(1).max(IMPORT_LIMIT), categoryId: z.number().int().min(0).optional().describe('Put the lines without a category column here') }),
      response: z.object({ added: z.number().int(), errors: z.array(z.object({ line: z.number().int(), field: z.string(), message: z.string() })) }),
      handler: async ({ admin, params, body }) => s.importCsv(admin().actor, params.domain, body.csv, body.categoryId),
    }),
    defineRoute({
      method: 'GET', url: `${base}/customers.csv`, tag: 'admin', auth: 'admin', errors: [...errors],
      summary: 'Export the customer book as CSV (UTF-8 with BOM; the import\'s columns)', params: DomainParams, response: 'raw', produces: 'text/csv',
      handler: async ({ admin, params, reply }) => {
        const csv = await s.exportCsv(admin().actor, params.domain);
        return reply.type('text/csv; charset=utf-8').header('content-disposition', disposition(`customers-${params.domain}.csv`)).send(csv);
      },
    }),
    defineRoute({
      method: 'GET', url: `${base}/customers-sample.csv`, tag: 'admin', auth: 'admin', errors: [...errors],
      summary: 'The sample file for the customer import', params: DomainParams, response: 'raw', produces: 'text/csv',
      handler: async ({ admin, params, reply }) => {
        await s.categories(admin().actor, params.domain); // the reach check
        return reply.type('text/csv; charset=utf-8').header('content-disposition', disposition('customers-sample.csv')).send(CUSTOMER_CSV_SAMPLE);
      },
    }),
    defineRoute({
      method: 'POST', url: `${base}/customer-categories`, tag: 'admin', auth: 'admin', errors: [...errors, 'ALREADY_EXISTS'],
      summary: 'Add a customer category (客户分类)', params: DomainParams, body: z.strictObject({ name: z.string().max(200) }), response: CategoryView,
      handler: async ({ admin, params, body }) => categoryView(await s.createCategory(admin().actor, params.domain, body.name)),
    }),
    defineRoute({
      method: 'POST', url: `${base}/customer-categories/:id`, tag: 'admin', auth: 'admin', errors: [...errors, 'ALREADY_EXISTS'],
      summary: 'Rename a customer category', params: IdParams, body: z.strictObject({ name: z.string().max(200) }), response: CategoryView,
      handler: async ({ admin, params, body }) => categoryView(await s.renameCategory(admin().actor, params.domain, params.id, body.name)),
    }),
    defineRoute({
      method: 'POST', url: `${base}/customer-categories/:id/delete`, tag: 'admin', auth: 'admin', errors: [...errors],
      summary: 'Delete a customer category; its entries stay, uncategorised', params: IdParams, body: z.strictObject({}), response: Ok,
      handler: async ({ admin, params }) => {
        await s.deleteCategory(admin().actor, params.domain, params.id);
        return { ok: true as const };
      },
    }),
  ];
}
