/**
 * The IMAP listeners (FEATURES P9): 143 with STARTTLS and 993 with implicit TLS. Each connection
 * becomes an ImapSession with its own `imap` session log. Counts sessions per user so one account
 * cannot hold every connection (imap.maxConnectionsPerUser), and closes everything on stop.
 */
import net from 'node:net';
import tls from 'node:tls';
import type { SessionLogs } from '../core/log/session-log.ts';
import type { UserId } from '../core/ids.ts';
import type { ImapDeps } from './context.ts';
import { ImapSession } from './session.ts';
import { ViewCache } from './view-cache.ts';

export interface ImapServerDeps extends Omit<ImapDeps, 'views'> {
  sessionLogs: SessionLogs;
  tls: { key: Buffer; cert: Buffer };
}

export class ImapServer {
  private readonly servers: net.Server[] = [];
  private readonly sockets = new Set<net.Socket>();
  private readonly perUser = new Map<UserId, number>();
  private readonly secureContext: tls.SecureContext;
  private readonly deps: ImapServerDeps & ImapDeps;

  constructor(deps: ImapServerDeps) {
    this.deps = { ...deps, views: new ViewCache() };
    this.secureContext = tls.createSecureContext({ key: deps.tls.key, cert: deps.tls.cert });
  }

  async listen(specs: Array<{ role: string; port: number; host: string; secure: boolean }>): Promise<Array<{ role: string; port: number }>> {
    const bound: Array<{ role: string; port: number }> = [];
    for (const spec of specs) {
      if (spec.port === 0) continue;
      const server = spec.secure
        ? tls.createServer({ key: this.deps.tls.key, cert: this.deps.tls.cert }, (s) => this.accept(s, true))
        : net.createServer((s) => this.accept(s, false));
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(spec.port, spec.host, () => { server.off('error', reject); resolve(); });
      });
      this.servers.push(server);
      bound.push({ role: spec.role, port: (server.address() as net.AddressInfo).port });
    }
    return bound;
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await Promise.all(this.servers.map((s) => new Promise<void>((r) => s.close(() => r()))));
    this.servers.length = 0;
  }

  /** Sessions open now (for tests and the admin view). */
  get sessionCount(): number {
    return this.sockets.size;
  }

  private accept(socket: net.Socket, secure: boolean): void {
    this.sockets.add(socket);
    socket.setNoDelay(true);
    const log = this.deps.sessionLogs.open('imap', { ip: socket.remoteAddress ?? '?', port: socket.remotePort });
    let counted: UserId | undefined;
    const onLogin = (session: ImapSession): boolean => {
      const id = session.user!.id;
      const limit = session.settings.imap.maxConnectionsPerUser;
      const n = this.perUser.get(id) ?? 0;
      if (limit > 0 && n >= limit) return false;
      this.perUser.set(id, n + 1);
      counted = id;
      return true;
    };
    socket.once('close', () => {
      this.sockets.delete(socket);
      if (counted !== undefined) {
        const n = (this.perUser.get(counted) ?? 1) - 1;
        if (n <= 0) this.perUser.delete(counted);
        else this.perUser.set(counted, n);
      }
      void log.close();
    });
    try {
      new ImapSession(this.deps, socket, secure, log, this.secureContext, onLogin);
    } catch {
      socket.destroy();
    }
  }
}
