/**
 * The web session at the HTTP edge: the session cookie (HttpOnly, SameSite=Strict, Path=/, Secure
 * on TLS) carrying the token of auth/web-sessions.ts, and CSRF protection. Every state change must
 * send the X-CSRF-Token header: logged in, equal to the session's own CSRF token (a synchronizer
 * token, stored with the session); before login (the login itself), equal to the youju_csrf cookie
 * (double submit). The youju_csrf cookie is readable by the page's script, SameSite=Strict too.
 * A frozen or deleted user's session ends at its next request.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { MailError } from '../../core/errors.ts';
import { userActor, type Actor } from '../../directory/actor.ts';
import type { DirectoryUser, UserService } from '../../directory/users.ts';
import { newToken, sameToken, type SessionInfo, type WebSessions } from '../../auth/web-sessions.ts';

export const SESSION_COOKIE = 'youju_sid';
export const CSRF_COOKIE = 'youju_csrf';
export const CSRF_HEADER = 'x-csrf-token';

export interface WebUser {
  user: DirectoryUser;
  actor: Actor;
  session: SessionInfo;
  /** The session cookie's token (for logout). */
  token: string;
}

export class WebAuth {
  private readonly resolved = new WeakMap<FastifyRequest, Promise<WebUser | undefined>>();

  constructor(private readonly sessions: WebSessions, private readonly users: Pick<UserService, 'get'>, private readonly secure: boolean) {}

  /** The logged-in user of this request, or undefined (resolved once per request). */
  current(req: FastifyRequest): Promise<WebUser | undefined> {
    let p = this.resolved.get(req);
    if (!p) {
      p = this.resolve(req);
      this.resolved.set(req, p);
    }
    return p;
  }

  async require(req: FastifyRequest): Promise<WebUser> {
    const u = await this.current(req);
    if (!u) throw new MailError('AUTH_REQUIRED', 'not logged in, or the session ended');
    return u;
  }

  /** CSRF_REJECTED unless the header carries the session's token (or, before login, the cookie's). */
  checkCsrf(req: FastifyRequest, user: WebUser | undefined): void {
    const sent = req.headers[CSRF_HEADER];
    const header = typeof sent === 'string' ? sent : '';
    const expected = user ? user.session.csrfToken : req.cookies[CSRF_COOKIE] ?? '';
    if (!sameToken(header, expected)) throw new MailError('CSRF_REJECTED', 'missing or wrong X-CSRF-Token header');
  }

  /** The pre-login CSRF token: the cookie's, or a new one set now. */
  ensureCsrfCookie(req: FastifyRequest, reply: FastifyReply): string {
    const have = req.cookies[CSRF_COOKIE];
    if (have && /^[A-Za-z0-9_-]{43}$/.test(have)) return have;
    const token = newToken();
    reply.setCookie(CSRF_COOKIE, token, this.cookieOptions(false));
    return token;
  }

  setSession(reply: FastifyReply, token: string, csrfToken: string): void {
    reply.setCookie(SESSION_COOKIE, token, this.cookieOptions(true));
    reply.setCookie(CSRF_COOKIE, csrfToken, this.cookieOptions(false));
  }

  clearSession(reply: FastifyReply): void {
    reply.clearCookie(SESSION_COOKIE, this.cookieOptions(true));
    reply.clearCookie(CSRF_COOKIE, this.cookieOptions(false));
  }

  private cookieOptions(httpOnly: boolean) {
    return { path: '/', httpOnly, sameSite: 'strict' as const, secure: this.secure };
  }

  private async resolve(req: FastifyRequest): Promise<WebUser | undefined> {
    const token = req.cookies[SESSION_COOKIE] ?? '';
    const session = token ? await this.sessions.resume(token) : undefined;
    if (!session) return undefined;
    const user = await this.users.get(session.userId);
    if (!user || user.status !== 'active') {
      await this.sessions.close(token);
      return undefined;
    }
    return { user, actor: userActor(user, req.ip), session, token };
  }
}
