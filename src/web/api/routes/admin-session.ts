/**
 * Admin console session routes (/webmail/admin/, manual part 3 §1.1, §2.1, §3.2; FEATURES A1):
 * login with `name@domain` (domain or department admin) or a bare name (super admin), logout, who
 * am I, and change own password ("修改密码"). The login is guarded like the webmail's: the
 * pre-login CSRF double submit, the node's failed-login throttle (a banned address is refused
 * before any password is checked), a new session every time. Logins, logouts and password
 * changes are audited; the webmail session log records logins, never passwords.
 */
import { z } from 'zod';
import { isMailError, MailError } from '../../../core/errors.ts';
import type { ConsoleAdmin } from '../../../directory/admins.ts';
import { adminActor } from '../../../directory/actor.ts';
import { defineRoute, type AnyRoute } from '../route.ts';
import type { ConsoleDeps, WebDeps } from '../deps.ts';
import { ADMIN_SESSION_COOKIE, type AdminAuth } from '../admin-cookies.ts';

export const AdminView = z.object({
  username: z.string(),
  role: z.enum(['super', 'domain', 'department']),
  domain: z.string().nullable().describe('ASCII domain name; null for a super admin'),
  orgUnitId: z.number().int().nullable(),
  department: z.string().nullable().describe("A department admin's department"),
}).describe('ConsoleAdmin');

const view = (a: ConsoleAdmin): z.input<typeof AdminView> =>
  ({ username: a.username, role: a.role, domain: a.domain, orgUnitId: a.orgUnitId, department: a.department });

const AdminMe = z.object({ admin: AdminView, csrfToken: z.string() });

export function adminSessionRoutes(deps: WebDeps, c: ConsoleDeps, auth: AdminAuth): AnyRoute[] {
  return [
    defineRoute({
      method: 'POST', url: '/api/admin/session/login', tag: 'admin', auth: false, errors: ['AUTH_FAILED', 'LOGIN_BANNED'],
      summary: 'Admin console login: name@domain (domain or department admin) or a bare name (super admin); sets the admin session cookie',
      body: z.strictObject({ account: z.string().min(1).max(320), password: z.string().min(1).max(1024) }),
      response: AdminMe,
      handler: async ({ body, req, reply }) => {
        const ip = req.ip;
        if (deps.throttle.isBanned(ip)) {
          deps.log(ip, `admin login refused: ${ip} is banned after repeated failed logins`);
          throw new MailError('LOGIN_BANNED', `${ip} is banned`);
        }
        let admin: ConsoleAdmin;
        try {
          admin = await c.admins.authenticateConsole(body.account.trim(), body.password);
        } catch (err) {
          if (isMailError(err, 'AUTH_FAILED')) {
            await new Promise((r) => setTimeout(r, deps.throttle.failed(ip, body.account)));
            deps.log(ip, `admin login failed for ${body.account.slice(0, 100)}`);
          }
          throw err;
        }
        deps.throttle.succeeded(ip);
        const old = req.cookies[ADMIN_SESSION_COOKIE];
        if (old) await c.sessions.close(old);
        const actor = adminActor(admin, admin.domain, ip);
        const { token, csrfToken } = await c.sessions.open(admin.id, actor, { userAgent: String(req.headers['user-agent'] ?? '') });
        auth.setSession(reply, token);
        deps.log(ip, `admin login ${actor.who}`);
        return { admin: view(admin), csrfToken };
      },
    }),
    defineRoute({
      method: 'POST', url: '/api/admin/session/logout', tag: 'admin', auth: 'admin', errors: [],
      summary: 'Admin logout: the session ends on every node',
      body: z.strictObject({}),
      response: z.object({ ok: z.literal(true) }),
      handler: async ({ admin, req, reply }) => {
        const me = admin();
        await c.sessions.close(me.token, me.actor);
        auth.clearSession(reply);
        deps.log(req.ip, `admin logout ${me.actor.who}`);
        return { ok: true as const };
      },
    }),
    defineRoute({
      method: 'GET', url: '/api/admin/session/me', tag: 'admin', auth: 'admin', errors: [],
      summary: 'The logged-in admin and the CSRF token for state changes',
      response: AdminMe,
      handler: async ({ admin }) => ({ admin: view(admin().admin), csrfToken: admin().session.csrfToken }),
    }),
    defineRoute({
      method: 'POST', url: '/api/admin/session/password', tag: 'admin', auth: 'admin', errors: ['AUTH_FAILED', 'PASSWORD_WEAK'],
      summary: "Change the logged-in admin's own password (the old one is asked again); other sessions of this admin end",
      body: z.strictObject({ oldPassword: z.string().min(1).max(1024), newPassword: z.string().min(1).max(1024) }),
      response: z.object({ ok: z.literal(true) }),
      handler: async ({ admin, body }) => {
        const me = admin();
        const a = me.admin;
        const account = a.role === 'super' ? a.username : `${a.username}@${a.domain}`;
        try {
          const again = await c.admins.authenticateConsole(account, body.oldPassword);
          if (again.id !== a.id) throw new MailError('AUTH_FAILED', 'the old password is wrong');
        } catch (err) {
          if (isMailError(err, 'AUTH_FAILED')) throw new MailError('AUTH_FAILED', 'the old password is wrong', { details: { field: 'oldPassword' } });
          throw err;
        }
        try {
          await c.admins.changePassword(me.actor, a.role, a.username, body.newPassword, a.domain ?? undefined);
        } catch (err) {
          if (isMailError(err, 'PASSWORD_WEAK')) throw new MailError('PASSWORD_WEAK', (err as Error).message, { details: { field: 'newPassword' } });
          throw err;
        }
        await c.sessions.closeOthers(a.id, me.token);
        return { ok: true as const };
      },
    }),
  ];
}
