/**
 * Session routes: the pre-login CSRF token, login, logout and who am I. Login uses the same
 * password check as SMTP, IMAP and POP3 (UserService.authenticateCredentials) and feeds the same
 * failed-login throttle: a banned address is refused before any password is checked, a failure
 * is answered after the throttle's delay, a success clears the address's count. A login always
 * starts a new session (no fixation). The webmail session log records logins, never passwords.
 */
import { WEBMAIL_MODULES, type WebmailModule } from '../../../directory/modules.ts';
import { z } from 'zod';
import { isMailError, MailError } from '../../../core/errors.ts';
import type { DirectoryUser } from '../../../directory/users.ts';
import { defineRoute, type AnyRoute } from '../route.ts';
import type { WebDeps } from '../deps.ts';
import { SESSION_COOKIE, type WebAuth } from '../session-cookies.ts';

export const UserView = z.object({
  id: z.number().int(),
  address: z.string(),
  realName: z.string(),
  quotaBytes: z.number().int().describe('Mailbox quota in bytes, 0 = unlimited; the folders\' bytes add up to the use'),
}).describe('User');

const userView = (u: DirectoryUser): z.input<typeof UserView> => ({ id: u.id, address: u.address, realName: u.realName, quotaBytes: u.quotaBytes });

const Me = z.object({
  user: UserView, csrfToken: z.string(),
  modules: z.object(Object.fromEntries(WEBMAIL_MODULES.map((m) => [m, z.boolean()])) as Record<WebmailModule, z.ZodBoolean>)
    .describe('前台模块设置: the webmail modules the user\'s domain offers'),
});

export function sessionRoutes(deps: WebDeps, auth: WebAuth): AnyRoute[] {
  const allOn = Object.fromEntries(WEBMAIL_MODULES.map((m) => [m, true])) as Record<WebmailModule, boolean>;
  const me = async (user: DirectoryUser, csrfToken: string) =>
    ({ user: userView(user), csrfToken, modules: deps.modules ? await deps.modules.forDomain(user.domainId) : allOn });
  return [
    defineRoute({
      method: 'GET', url: '/api/session/csrf', tag: 'session', auth: false, errors: [],
      summary: 'The CSRF token to send (X-CSRF-Token) with the login; also set as the youju_csrf cookie',
      response: z.object({ csrfToken: z.string() }),
      handler: async ({ req, reply }) => ({ csrfToken: auth.ensureCsrfCookie(req, reply) }),
    }),
    defineRoute({
      method: 'POST', url: '/api/session/login', tag: 'session', auth: false, errors: ['AUTH_FAILED', 'ACCOUNT_DISABLED', 'LOGIN_BANNED'],
      summary: 'Log in with a mail address and password; sets the session cookie. On a domain with the custom login field (自定义用户字段) '
        + 'switched on, address may be that field\'s value, with domain the login page\'s domain',
      body: z.strictObject({
        address: z.string().min(1).max(320).describe('The mail address, or the custom login field\'s value'),
        password: z.string().min(1).max(1024),
        domain: z.string().max(255).optional().describe('The login page\'s domain (?domain= or the host name): where a custom field value is looked up'),
      }),
      response: Me,
      handler: async ({ body, req, reply }) => {
        const ip = req.ip;
        const account = body.address.slice(0, 100);
        if (deps.throttle.isBanned(ip)) {
          deps.log(ip, `login refused: ${ip} is banned after repeated failed logins`);
          throw new MailError('LOGIN_BANNED', `${ip} is banned`);
        }
        let user: DirectoryUser;
        // The per-account backoff counts the account a custom login value names, so guesses by
        // value and by address add up on the one account.
        let counted = body.address;
        try {
          const username = await deps.users.resolveLoginName(body.address, body.domain);
          counted = username;
          user = await deps.users.authenticateCredentials({ kind: 'password', username, password: body.password });
        } catch (err) {
          if (isMailError(err, 'AUTH_FAILED') || isMailError(err, 'ACCOUNT_DISABLED')) {
            await new Promise((r) => setTimeout(r, deps.throttle.failed(ip, counted)));
            deps.log(ip, `login failed for ${account} (${(err as Error).message})`);
          }
          throw err;
        }
        deps.throttle.succeeded(ip);
        const old = req.cookies[SESSION_COOKIE];
        if (old) await deps.sessions.close(old);
        const { token, csrfToken } = await deps.sessions.open(user.id, { ip, userAgent: String(req.headers['user-agent'] ?? '') });
        auth.setSession(reply, token, csrfToken);
        deps.log(ip, `login ${user.address}`);
        return me(user, csrfToken);
      },
    }),
    defineRoute({
      method: 'POST', url: '/api/session/logout', tag: 'session', auth: true, errors: [],
      summary: 'Log out: the session ends on every node',
      body: z.strictObject({}),
      response: z.object({ ok: z.literal(true) }),
      handler: async ({ who, req, reply }) => {
        const me = who();
        await deps.sessions.close(me.token);
        auth.clearSession(reply);
        deps.log(req.ip, `logout ${me.user.address}`);
        return { ok: true as const };
      },
    }),
    defineRoute({
      method: 'GET', url: '/api/session/me', tag: 'session', auth: true, errors: [],
      summary: 'The logged-in user and the CSRF token for state changes',
      response: Me,
      handler: async ({ who }) => me(who().user, who().session.csrfToken),
    }),
  ];
}
