/**
 * Web sessions (webmail logins), kept in the store so every node of a cluster knows them: a
 * random 256-bit token goes to the browser in an HttpOnly cookie, only its SHA-256 is stored.
 * A session ends after web.sessionIdleMinutes without a request, web.sessionMaxHours after login,
 * at logout, or when its user is deleted. Each session has a CSRF token the browser must send back
 * in a header with every state change (compared in constant time). Activity is written at most
 * once a minute, so reading mail does not cost a write per request.
 * Not here: cookies and headers (web/api/session-cookies.ts), the password check (UserService).
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Clock } from '../core/clock.ts';
import type { UserId } from '../core/ids.ts';
import type { WebSettings } from '../config/schema/web.ts';
import type { Store, WebSession } from '../store/store.ts';

/** Activity younger than this is not written again. */
const TOUCH_EVERY_MS = 60_000;
/** At most this many bytes of User-Agent are kept. */
const MAX_USER_AGENT = 300;

export const hashToken = (token: string): string => createHash('sha256').update(token).digest('hex');
export const newToken = (): string => randomBytes(32).toString('base64url');

/** Constant-time string comparison (for the CSRF token). */
export function sameToken(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && x.length > 0 && timingSafeEqual(x, y);
}

/** What the web edge knows of a live session: never the token's hash. */
export interface SessionInfo {
  userId: UserId;
  csrfToken: string;
  createdAt: number;
}

/** The one expiry rule for webmail and admin console sessions: idle too long, or logged in too long ago. */
export function isSessionExpired(s: { createdAt: number; lastSeenAt: number }, now: number, cfg: WebSettings): boolean {
  return now - s.lastSeenAt > cfg.sessionIdleMinutes * 60_000 || now - s.createdAt > cfg.sessionMaxHours * 3_600_000;
}

export class WebSessions {
  constructor(private readonly store: Store, private readonly clock: Clock, private readonly settings: () => WebSettings) {}

  /** Opens a session for a user who just logged in; returns the cookie's token and the CSRF token. */
  async open(userId: UserId, meta: { ip: string; userAgent: string }): Promise<{ token: string; csrfToken: string }> {
    const token = newToken();
    const csrfToken = newToken();
    const now = this.clock.now();
    const row: WebSession = {
      idHash: hashToken(token), userId, csrfToken, createdAt: now, lastSeenAt: now, ip: meta.ip, userAgent: meta.userAgent.slice(0, MAX_USER_AGENT),
    };
    await this.store.tx((tx) => tx.webSessions.create(row));
    return { token, csrfToken };
  }

  /** The live session of this cookie token, its activity recorded; undefined when unknown or expired (an expired one is removed). */
  async resume(token: string): Promise<SessionInfo | undefined> {
    if (token === '' || token.length > 100) return undefined;
    const idHash = hashToken(token);
    const s = await this.store.read((tx) => tx.webSessions.get(idHash));
    if (!s) return undefined;
    const now = this.clock.now();
    if (this.isExpired(s, now)) {
      await this.store.tx((tx) => tx.webSessions.delete(idHash));
      return undefined;
    }
    if (now - s.lastSeenAt >= TOUCH_EVERY_MS) await this.store.tx((tx) => tx.webSessions.touch(idHash, now));
    return { userId: s.userId, csrfToken: s.csrfToken, createdAt: s.createdAt };
  }

  /** Whether the session still lives, without counting this as activity (a push stream's periodic check). */
  async alive(token: string): Promise<boolean> {
    if (token === '' || token.length > 100) return false;
    const s = await this.store.read((tx) => tx.webSessions.get(hashToken(token)));
    return s !== undefined && !this.isExpired(s, this.clock.now());
  }

  /** Logout: the session is gone on every node. */
  async close(token: string): Promise<void> {
    if (token !== '') await this.store.tx((tx) => tx.webSessions.delete(hashToken(token)));
  }

  /** Removes expired sessions (housekeeping); returns how many. */
  prune(): Promise<number> {
    const now = this.clock.now();
    const s = this.settings();
    return this.store.tx((tx) => tx.webSessions.prune(now - s.sessionIdleMinutes * 60_000, now - s.sessionMaxHours * 3_600_000));
  }

  private isExpired(s: WebSession, now: number): boolean {
    return isSessionExpired(s, now, this.settings());
  }
}
