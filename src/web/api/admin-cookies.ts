/**
 * The console admin's session at the HTTP edge (/webmail/admin/, issue #14): its own cookie,
 * youju_admin_sid (HttpOnly, SameSite=Strict, Path=/api/admin, Secure on TLS), so an admin session
 * never reaches the webmail's routes and a webmail session never reaches the admin routes, and
 * one browser may hold both. CSRF as for the webmail (session-cookies.ts): every state change
 * sends the session's own token in X-CSRF-Token; the login itself the youju_csrf double submit.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { MailError } from '../../core/errors.ts';
import type { AdminSessionInfo, AdminSessions } from '../../auth/admin-sessions.ts';
import { sameToken } from '../../auth/web-sessions.ts';
import { adminActor, type Actor } from '../../directory/actor.ts';
import type { AdminService, ConsoleAdmin } from '../../directory/admins.ts';
import { CSRF_HEADER } from './session-cookies.ts';

export const ADMIN_SESSION_COOKIE = 'youju_admin_sid';
const ADMIN_COOKIE_PATH = '/api/admin';

export interface WebAdmin {
  admin: ConsoleAdmin;
  actor: Actor;
  session: AdminSessionInfo;
  token: string;
}

export class AdminAuth {
  private readonly resolved = new WeakMap<FastifyRequest, Promise<WebAdmin | undefined>>();

  constructor(private readonly sessions: AdminSessions, private readonly admins: Pick<AdminService, 'consoleAdmin'>, private readonly secure: boolean) {}

  current(req: FastifyRequest): Promise<WebAdmin | undefined> {
    let p = this.resolved.get(req);
    if (!p) {
      p = this.resolve(req);
      this.resolved.set(req, p);
    }
    return p;
  }

  async require(req: FastifyRequest): Promise<WebAdmin> {
    const a = await this.current(req);
    if (!a) throw new MailError('AUTH_REQUIRED', 'not logged in as an admin, or the session ended');
    return a;
  }

  checkCsrf(req: FastifyRequest, admin: WebAdmin): void {
    const sent = req.headers[CSRF_HEADER];
    if (!sameToken(typeof sent === 'string' ? sent : '', admin.session.csrfToken)) {
      throw new MailError('CSRF_REJECTED', 'missing or wrong X-CSRF-Token header');
    }
  }

  setSession(reply: FastifyReply, token: string): void {
    reply.setCookie(ADMIN_SESSION_COOKIE, token, this.cookieOptions());
  }

  clearSession(reply: FastifyReply): void {
    reply.clearCookie(ADMIN_SESSION_COOKIE, this.cookieOptions());
  }

  private cookieOptions() {
    return { path: ADMIN_COOKIE_PATH, httpOnly: true, sameSite: 'strict' as const, secure: this.secure };
  }

  private async resolve(req: FastifyRequest): Promise<WebAdmin | undefined> {
    const token = req.cookies[ADMIN_SESSION_COOKIE] ?? '';
    const session = token ? await this.sessions.resume(token) : undefined;
    if (!session) return undefined;
    const admin = await this.admins.consoleAdmin(session.adminId);
    if (!admin) {
      await this.sessions.close(token);
      return undefined;
    }
    return { admin, actor: adminActor(admin, admin.domain, req.ip), session, token };
  }
}
