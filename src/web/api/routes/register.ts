/**
 * Self-registration from the login page (FEATURES W2): what a domain allows (closed, open, or open
 * with approval) and the registration itself. No session; the pre-login CSRF token is checked like
 * the login's, a banned client address is refused, and the service limits registrations per address.
 */
import { z } from 'zod';
import { MailError } from '../../../core/errors.ts';
import { defineRoute, type AnyRoute } from '../route.ts';
import type { WebDeps } from '../deps.ts';

export function registrationRoutes(deps: WebDeps): AnyRoute[] {
  const r = deps.registration;
  if (!r) return [];
  return [
    defineRoute({
      method: 'GET', url: '/api/register/info', tag: 'session', auth: false, errors: [],
      summary: 'Whether a domain takes registrations (closed, open, approval) and its company name',
      query: z.strictObject({ domain: z.string().min(1).max(253) }),
      response: z.object({ registration: z.enum(['closed', 'open', 'approval']), companyName: z.string(), showAdminLogin: z.boolean() }),
      handler: async ({ query }) => r.info(query.domain),
    }),
    defineRoute({
      method: 'POST', url: '/api/register', tag: 'session', auth: false,
      errors: ['FORBIDDEN', 'ALREADY_EXISTS', 'PASSWORD_WEAK', 'LIMIT_REACHED', 'LOGIN_BANNED'],
      summary: 'Registers a mailbox on a domain that allows it: active at once, or pending until an admin approves it',
      body: z.strictObject({
        address: z.string().min(3).max(320),
        password: z.string().min(1).max(1024),
        realName: z.string().trim().min(1).max(100),
        acceptTerms: z.literal(true).describe('The user accepted the terms of service'),
      }),
      response: z.object({ status: z.enum(['active', 'pending']) }),
      handler: async ({ body, req }) => {
        if (deps.throttle.isBanned(req.ip)) throw new MailError('LOGIN_BANNED', `${req.ip} is banned`);
        const out = await r.register(body, req.ip);
        deps.log(req.ip, `registered ${body.address.slice(0, 100)} (${out.status})`);
        return out;
      },
    }),
  ];
}
