/**
 * Admin console sessions (/webmail/admin/, issue #14): the webmail's session mechanism
 * (web-sessions.ts: a random token in an HttpOnly cookie, only its SHA-256 stored, a CSRF token
 * per session, the same idle and maximum ages, activity written at most once a minute) in a
 * table of their own, so an admin's session is never a mailbox user's and the other way round.
 * A session ends at logout, on expiry, when its admin is deleted, or when the password changes.
 * Logins and logouts are audited. Not here: which routes an admin may call (web/api).
 */
import type { Clock } from '../core/clock.ts';
import type { AdminId } from '../core/ids.ts';
import type { WebSettings } from '../config/schema/web.ts';
import type { Actor } from '../directory/actor.ts';
import { recordAudit } from '../directory/actor.ts';
import type { AdminSession, Store } from '../store/store.ts';
import { hashToken, isSessionExpired, newToken } from './web-sessions.ts';

const TOUCH_EVERY_MS = 60_000;
const MAX_USER_AGENT = 300;

export interface AdminSessionInfo {
  adminId: AdminId;
  csrfToken: string;
  createdAt: number;
}

export class AdminSessions {
  constructor(private readonly store: Store, private readonly clock: Clock, private readonly settings: () => WebSettings) {}

  /** Opens a session for an admin who just logged in (audited as admin.login); returns the cookie's and the CSRF token. */
  async open(adminId: AdminId, actor: Actor, meta: { userAgent: string }): Promise<{ token: string; csrfToken: string }> {
    const token = newToken();
    const csrfToken = newToken();
    const now = this.clock.now();
    const row: AdminSession = {
      idHash: hashToken(token), adminId, csrfToken, createdAt: now, lastSeenAt: now, ip: actor.from, userAgent: meta.userAgent.slice(0, MAX_USER_AGENT),
    };
    await this.store.tx(async (tx) => {
      await tx.adminSessions.create(row);
      await recordAudit(tx, actor, 'admin.login', actor.who.replace(/^admin:/, ''));
    });
    return { token, csrfToken };
  }

  /** The live session of this cookie token, its activity recorded; undefined when unknown or expired. */
  async resume(token: string): Promise<AdminSessionInfo | undefined> {
    if (token === '' || token.length > 100) return undefined;
    const idHash = hashToken(token);
    const s = await this.store.read((tx) => tx.adminSessions.get(idHash));
    if (!s) return undefined;
    const now = this.clock.now();
    if (isSessionExpired(s, now, this.settings())) {
      await this.store.tx((tx) => tx.adminSessions.delete(idHash));
      return undefined;
    }
    if (now - s.lastSeenAt >= TOUCH_EVERY_MS) await this.store.tx((tx) => tx.adminSessions.touch(idHash, now));
    return { adminId: s.adminId, csrfToken: s.csrfToken, createdAt: s.createdAt };
  }

  /** Logout (audited as admin.logout): the session is gone on every node. */
  async close(token: string, actor?: Actor): Promise<void> {
    if (token === '') return;
    await this.store.tx(async (tx) => {
      const gone = await tx.adminSessions.delete(hashToken(token));
      if (gone && actor) await recordAudit(tx, actor, 'admin.logout', actor.who.replace(/^admin:/, ''));
    });
  }

  /** Ends every session of the admin but the one kept (after a password change). */
  async closeOthers(adminId: AdminId, keepToken: string): Promise<void> {
    const keep = await this.store.read((tx) => tx.adminSessions.get(hashToken(keepToken)));
    await this.store.tx(async (tx) => {
      await tx.adminSessions.deleteForAdmin(adminId);
      if (keep) await tx.adminSessions.create(keep);
    });
  }

  /** Removes expired sessions (housekeeping); returns how many. */
  prune(): Promise<number> {
    const now = this.clock.now();
    const s = this.settings();
    return this.store.tx((tx) => tx.adminSessions.prune(now - s.sessionIdleMinutes * 60_000, now - s.sessionMaxHours * 3_600_000));
  }
}
