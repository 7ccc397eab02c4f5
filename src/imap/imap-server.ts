/**
 * The IMAP listeners (FEATURES P9): 143 with STARTTLS and 993 with implicit TLS. Each connection
 * becomes an ImapSession with its own `imap` session log. Counts sessions per user so one account
 * cannot hold every connection (imap.maxConnectionsPerUser), and closes everything on stop.
 */
import net from 'node:net';
import tls from 'node:tls';
import type { SessionLogs } from '../core/log/session-log.ts';
import { TcpListeners, type ListenerSpec } from '../core/tcp-listeners.ts';
import type { UserId } from '../core/ids.ts';
import type { ImapDeps } from './context.ts';
import { ImapSession } from './session.ts';
import { SummaryCache } from './summary-cache.ts';
import { ViewCache } from './view-cache.ts';

export interface ImapServerDeps extends Omit<ImapDeps, 'views' | 'summaries'> {
  sessionLogs: SessionLogs;
  tls: { key: Buffer; cert: Buffer };
  /** The boot config's trusted networks: never held to limits.maxConnectionsPerIp, as on SMTP. */
  trusted?: (ip: string) => boolean;
}

export class ImapServer {
  private readonly perUser = new Map<UserId, number>();
  private readonly secureContext: tls.SecureContext;
  private readonly deps: ImapServerDeps & ImapDeps;
  private readonly listeners: TcpListeners;

  constructor(deps: ImapServerDeps) {
    this.deps = { ...deps, views: new ViewCache(), summaries: new SummaryCache() };
    this.secureContext = tls.createSecureContext({ key: deps.tls.key, cert: deps.tls.cert });
    this.listeners = new TcpListeners(deps.tls, (s, secure) => this.accept(s, secure), {
      max: () => deps.settings().limits.maxConnectionsPerIp, refusal: '* BYE Too many connections from your address\r\n', exempt: deps.trusted,
    });
  }

  listen(specs: readonly ListenerSpec[]): Promise<Array<{ role: string; port: number }>> {
    return this.listeners.listen(specs);
  }

  close(): Promise<void> {
    return this.listeners.close();
  }

  /** Sessions open now (for tests and the admin view). */
  get sessionCount(): number {
    return this.listeners.connections;
  }

  private accept(socket: net.Socket, secure: boolean): void {
    socket.setNoDelay(true);
    const log = this.deps.sessionLogs.open('imap', { ip: socket.remoteAddress ?? '?', port: socket.remotePort });
    let counted: UserId | undefined;
    const release = (): void => {
      if (counted === undefined) return;
      const n = (this.perUser.get(counted) ?? 1) - 1;
      if (n <= 0) this.perUser.delete(counted);
      else this.perUser.set(counted, n);
      counted = undefined;
    };
    // The session counts against its user from login until it ends or UNAUTHENTICATEs (RFC 8437).
    const onLogin = (session: ImapSession): (() => void) | false => {
      const id = session.user!.id;
      const limit = session.settings.imap.maxConnectionsPerUser;
      const n = this.perUser.get(id) ?? 0;
      if (limit > 0 && n >= limit) return false;
      this.perUser.set(id, n + 1);
      counted = id;
      return release;
    };
    socket.once('close', () => {
      release();
      void log.close();
    });
    try {
      new ImapSession(this.deps, socket, secure, log, this.secureContext, onLogin);
    } catch {
      socket.destroy();
    }
  }
}
