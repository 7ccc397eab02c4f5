/**
 * POST /webmail/oauth (and /webmail/oauth.php, the path portals built for U-Mail post to): single
 * sign-on from another site (directory/sso.ts, FEATURES W16). The other site's page posts a form
 * with `username` and `auth_key`; when the domain's verification URL vouches for them, the browser
 * gets a webmail session and goes to /webmail/, otherwise to the login page with ?sso=failed.
 * Form bodies are accepted on these two paths only (everywhere else the API takes JSON, so that a
 * cross-site form cannot post to it); there is no CSRF token by nature, so what logs anyone in is
 * the verification URL's answer alone. Failures count against the client address like failed
 * logins, and a banned address is refused before the URL is asked.
 */
import type { FastifyInstance } from 'fastify';
import { MailError } from '../../../core/errors.ts';
import type { WebDeps } from '../deps.ts';
import { SESSION_COOKIE, type WebAuth } from '../session-cookies.ts';

const FORM_LIMIT = 8 * 1024;

export function ssoRoutes(deps: WebDeps, auth: WebAuth) {
  return async (app: FastifyInstance): Promise<void> => {
    const sso = deps.sso;
    if (!sso) return;
    app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: FORM_LIMIT },
      (_req, body, done) => done(null, Object.fromEntries(new URLSearchParams(String(body)))));
    const handler = async (req: import('fastify').FastifyRequest, reply: import('fastify').FastifyReply) => {
      const ip = req.ip;
      const form = (req.body ?? {}) as Record<string, unknown>;
      const username = typeof form.username === 'string' ? form.username.trim().slice(0, 320) : '';
      const authKey = typeof form.auth_key === 'string' ? form.auth_key.slice(0, 1024) : '';
      const fail = () => reply.redirect('/webmail/?sso=failed', 303);
      if (!username || !authKey) return fail();
      if (deps.throttle.isBanned(ip)) {
        deps.log(ip, `single sign-on refused: ${ip} is banned after repeated failed logins`);
        return fail();
      }
      try {
        const user = await sso.login(username, authKey);
        deps.throttle.succeeded(ip);
        const old = req.cookies[SESSION_COOKIE];
        if (old) await deps.sessions.close(old);
        const { token, csrfToken } = await deps.sessions.open(user.id, { ip, userAgent: String(req.headers['user-agent'] ?? '') });
        auth.setSession(reply, token, csrfToken);
        deps.log(ip, `login ${user.address} (single sign-on)`);
        return reply.redirect('/webmail/', 303);
      } catch (err) {
        if (!(err instanceof MailError)) throw err;
        if (err.code === 'AUTH_FAILED' || err.code === 'ACCOUNT_DISABLED') await new Promise((r) => setTimeout(r, deps.throttle.failed(ip, username)));
        deps.log(ip, `single sign-on failed for ${username.slice(0, 100)} (${err.message})`);
        return fail();
      }
    };
    app.post('/webmail/oauth', handler);
    app.post('/webmail/oauth.php', handler);
  };
}
