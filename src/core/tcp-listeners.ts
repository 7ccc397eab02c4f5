/**
 * Plain and implicit-TLS TCP listeners for the line protocols (IMAP, POP3): bind each port asked
 * for (0 = off), hand every connection to `accept`, and close them all together. The protocol
 * servers own what happens on a connection; this owns the sockets' lifetime, and the number one
 * client IP may hold open at once (limits.maxConnectionsPerIp): past it the protocol's refusal is
 * written and the socket closed.
 */
import net from 'node:net';
import tls from 'node:tls';
import { IpSlots } from './ip-slots.ts';

export interface ListenerSpec {
  role: string;
  port: number;
  host: string;
  /** Implicit TLS (993, 995); otherwise plain, with STARTTLS/STLS left to the protocol. */
  secure: boolean;
}

export interface PerIpLimit {
  /** Connections one IP may hold open; 0 = no limit. Read at every connection. */
  max(): number;
  /** The protocol's refusal line (with CRLF), written before the socket is closed. */
  refusal: string;
  /** Addresses never limited (the boot config's trusted networks). */
  exempt?: (ip: string) => boolean;
}

export class TcpListeners {
  private readonly servers: net.Server[] = [];
  private readonly sockets = new Set<net.Socket>();
  private readonly slots: IpSlots;

  constructor(
    private readonly material: { key: Buffer; cert: Buffer },
    private readonly accept: (socket: net.Socket, secure: boolean) => void,
    private readonly limit?: PerIpLimit,
  ) {
    this.slots = new IpSlots(limit?.exempt);
  }

  /** Binds every spec with a port; returns the ports taken (useful when 0 was not asked but a free port was). */
  async listen(specs: readonly ListenerSpec[]): Promise<Array<{ role: string; port: number }>> {
    const bound: Array<{ role: string; port: number }> = [];
    for (const spec of specs) {
      if (spec.port === 0) continue;
      const onSocket = (s: net.Socket, secure: boolean) => {
        const ip = s.remoteAddress ?? '';
        if (!this.slots.take(ip, this.limit?.max() ?? 0)) {
          s.on('error', () => undefined);
          s.end(this.limit!.refusal);
          return;
        }
        this.sockets.add(s);
        s.once('close', () => {
          this.sockets.delete(s);
          this.slots.release(ip);
        });
        this.accept(s, secure);
      };
      const server = spec.secure
        ? tls.createServer({ key: this.material.key, cert: this.material.cert }, (s) => onSocket(s, true))
        : net.createServer((s) => onSocket(s, false));
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(spec.port, spec.host, () => { server.off('error', reject); resolve(); });
      });
      this.servers.push(server);
      bound.push({ role: spec.role, port: (server.address() as net.AddressInfo).port });
    }
    return bound;
  }

  /** Connections open now. */
  get connections(): number {
    return this.sockets.size;
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await Promise.all(this.servers.map((s) => new Promise<void>((r) => s.close(() => r()))));
    this.servers.length = 0;
  }
}
