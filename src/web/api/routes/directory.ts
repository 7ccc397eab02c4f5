/**
 * The enterprise address book of the logged-in user's domain (FEATURES W9, manual part 2 §1.11):
 * its org unit tree with each unit's users, the users in no unit, and the mailing lists the user
 * may send to. Hidden and pending users are left out (contacts/enterprise.ts). Read-only.
 * Other domains' directories (其它域通讯录, W10): GET /api/directory/domains lists the domains the
 * user may read (their own and those the super admin shared with it), and ?domain= reads one of
 * them (its tree, no lists); another domain is 403.
 */
import { z } from 'zod';
import { defineRoute, type AnyRoute } from '../route.ts';
import type { WebDeps } from '../deps.ts';

const Person = z.object({ name: z.string(), address: z.string() }).describe('DirectoryPerson');
interface UnitShape { id: number; name: string; users: Array<z.infer<typeof Person>>; children: UnitShape[] }
const Unit: z.ZodType<UnitShape> = z.lazy(() => z.object({
  id: z.number().int(), name: z.string(), users: z.array(Person), children: z.array(Unit),
})).describe('DirectoryUnit');

export function directoryRoutes(deps: WebDeps): AnyRoute[] {
  return [
    defineRoute({
      method: 'GET', url: '/api/directory', tag: 'directory', auth: true, module: 'enterpriseDirectory',
      summary: "The user's domain: org units (display order, then name) with their users, users in no unit, and the lists the user may send to; "
        + 'with ?domain=, a domain whose directory is shared with the user\'s (no lists)',
      query: z.strictObject({ domain: z.string().min(1).max(255).optional() }),
      errors: ['FORBIDDEN'],
      response: z.object({
        domain: z.string(),
        units: z.array(Unit),
        unassigned: z.array(Person),
        lists: z.array(z.object({ address: z.string(), description: z.string() })),
      }),
      handler: async ({ who, query }) => {
        const me = who();
        return deps.contacts.directory.tree(me.actor, me.user.id, query.domain);
      },
    }),
    defineRoute({
      method: 'GET', url: '/api/directory/domains', tag: 'directory', auth: true, module: 'enterpriseDirectory', errors: [],
      summary: 'The domains whose directories the user may read: their own first, then the ones shared with it (其它域通讯录)',
      response: z.object({ domains: z.array(z.object({ name: z.string(), displayName: z.string(), own: z.boolean() })) }),
      handler: async ({ who }) => {
        const me = who();
        return { domains: await deps.contacts.directory.domains(me.actor, me.user.id) };
      },
    }),
  ];
}
