/**
 * 企业通讯录共享 in the super-domain console (manual part 3 §2.5.1; FEATURES A10): which domains'
 * users see which other domains' enterprise directories. GET lists every domain with the domains
 * it sees; POST adds shares (mutual: both ways); POST …/remove takes one away. Super admin only
 * (DirectoryShares refuses anyone else: 403); each change audited there.
 */
import { z } from 'zod';
import { defineRoute, type AnyRoute } from '../route.ts';
import type { ConsoleDeps } from '../deps.ts';

const Domain = z.string().min(1).max(255).describe('ASCII or Unicode domain name');

export function adminShareRoutes(c: ConsoleDeps): AnyRoute[] {
  const s = c.console.shares;
  return [
    defineRoute({
      method: 'GET', url: '/api/admin/super/directory-shares', tag: 'admin', auth: 'admin', errors: ['FORBIDDEN'],
      summary: 'Every domain with the domains whose enterprise directories its users see (其它域通讯录)',
      response: z.object({ shares: z.array(z.object({ domain: z.string(), sees: z.array(z.string()) })) }),
      handler: async ({ admin }) => ({ shares: await s.list(admin().actor) }),
    }),
    defineRoute({
      method: 'POST', url: '/api/admin/super/directory-shares', tag: 'admin', auth: 'admin', errors: ['FORBIDDEN', 'NOT_FOUND'],
      summary: '添加共享域: the users of domain see the directories of the shared domains (mutual: and theirs see domain\'s)',
      body: z.strictObject({ domain: Domain, shared: z.array(Domain).min(1).max(1000), mutual: z.boolean().default(false) }),
      response: z.object({ added: z.number().int() }),
      handler: async ({ admin, body }) => ({ added: await s.add(admin().actor, body.domain, body.shared, body.mutual) }),
    }),
    defineRoute({
      method: 'POST', url: '/api/admin/super/directory-shares/remove', tag: 'admin', auth: 'admin', errors: ['FORBIDDEN', 'NOT_FOUND'],
      summary: 'Stop the users of domain seeing the directory of shared (mutual: both ways)',
      body: z.strictObject({ domain: Domain, shared: Domain, mutual: z.boolean().default(false) }),
      response: z.object({ removed: z.number().int() }),
      handler: async ({ admin, body }) => ({ removed: await s.remove(admin().actor, body.domain, body.shared, body.mutual) }),
    }),
  ];
}
