/**
 * The customer address book as a webmail user reads it (客户通讯录, FEATURES W10, manual part 2
 * §1.12): GET /api/customers (a page by name, searched, of one category) with the book's categories.
 * Read-only, and only the book of the user's own domain (CustomerBook); the domain's administrators
 * edit it (admin-customers.ts). Off when the domain switched the customerContacts module off.
 */
import { defineRoute, type AnyRoute } from '../route.ts';
import type { WebDeps } from '../deps.ts';
import { categoryView, CustomerPageView, CustomerQuery, customerView } from './admin-customers.ts';

export function customerRoutes(deps: WebDeps): AnyRoute[] {
  const s = deps.contacts.customers;
  return [
    defineRoute({
      method: 'GET', url: '/api/customers', tag: 'contacts', auth: true, module: 'customerContacts', errors: ['NOT_FOUND'],
      summary: "A page of the customer book of the user's domain, by name, with its categories (read-only)", query: CustomerQuery,
      response: CustomerPageView,
      handler: async ({ who, query }) => {
        const me = who();
        const p = await s.listForUser(me.actor, me.user.id, { search: query.search, categoryId: query.category, page: query.page, pageSize: query.pageSize });
        return { ...p, customers: p.customers.map(customerView), categories: (await s.categoriesForUser(me.actor, me.user.id)).map(categoryView) };
      },
    }),
  ];
}
