/**
 * The enterprise address book of the logged-in user's domain (FEATURES W9, manual part 2 §1.11):
 * its org unit tree with each unit's users, the users in no unit, and the mailing lists the user
 * may send to. Hidden and pending users are left out (contacts/enterprise.ts). Read-only.
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
      method: 'GET', url: '/api/directory', tag: 'directory', auth: true, module: 'enterpriseDirectory', errors: [],
      summary: "The user's domain: org units (display order, then name) with their users, users in no unit, and the lists the user may send to",
      response: z.object({
        domain: z.string(),
        units: z.array(Unit),
        unassigned: z.array(Person),
        lists: z.array(z.object({ address: z.string(), description: z.string() })),
      }),
      handler: async ({ who }) => {
        const me = who();
        return deps.contacts.directory.tree(me.actor, me.user.id);
      },
    }),
  ];
}
