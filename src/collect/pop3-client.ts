/**
 * A small POP3 client (RFC 1939, STLS from RFC 2595, CAPA from RFC 2449) for pulling mail from other
 * servers: migration import, MultiPOP, DomainPOP. TLS on connect, STLS (required or when offered)
 * or plain; USER/PASS or APOP; STAT, LIST, UIDL, RETR, DELE, QUIT. One command at a time, no
 * pipelining. Multi-line answers are un-dot-stuffed and returned as bytes. Lines and messages are
 * bounded (maxMessageBytes), and every wait has a timeout, so a hostile server cannot hang or
 * exhaust us.
 */
import { createHash } from 'node:crypto';
import { connect as netConnect, type Socket } from 'node:net';
import { connect as tlsConnect, type TLSSocket } from 'node:tls';
import { guardedLookup, refuseLiteral } from './host-guard.ts';

export interface Pop3Options {
  host: string;
  port: number;
  /** 'tls': TLS from the first byte (pop3s); 'starttls': STLS first; 'none': plain text. */
  tls: 'tls' | 'starttls' | 'none';
  /** With 'starttls': fail when the server does not offer STLS (default) or carry on in plain text. */
  requireStarttls?: boolean;
  /** Check the server's certificate (default true). */
  rejectUnauthorized?: boolean;
  user: string;
  password: string;
  /** Log in with APOP (the greeting must carry a timestamp) instead of USER/PASS. */
  apop?: boolean;
  /** Per reply, default 60 s. */
  timeoutMs?: number;
  /** Largest message accepted by RETR, default 100 MB. */
  maxMessageBytes?: number;
  /** Reach loopback, private and link-local addresses (host-guard.ts). Hosts users type pass collect.allowPrivateHosts. */
  allowPrivateHosts: boolean;
}

export class Pop3Error extends Error {
  constructor(message: string, readonly reply?: string) {
    super(message);
    this.name = 'Pop3Error';
  }
}

const MAX_LINE = 8192;

export class Pop3Client {
  private socket!: Socket | TLSSocket;
  private buf: Buffer = Buffer.alloc(0);
  private waiting: (() => void) | undefined;
  private failure: Error | undefined;
  private greeting = '';

  private constructor(private readonly o: Pop3Options) {}

  /** Connects, upgrades to TLS as asked and logs in. Throws Pop3Error with the server's reply on refusal. */
  static async connect(o: Pop3Options): Promise<Pop3Client> {
    const c = new Pop3Client(o);
    try {
      await c.open();
      return c;
    } catch (err) {
      c.close();
      throw err;
    }
  }

  private async open(): Promise<void> {
    const o = this.o;
    const secure = o.tls === 'tls';
    if (!o.allowPrivateHosts) {
      const refused = refuseLiteral(o.host);
      if (refused) throw new Pop3Error(refused);
    }
    // A name is resolved once, checked, and connected to at the address checked.
    const lookup = o.allowPrivateHosts ? {} : { lookup: guardedLookup };
    this.socket = secure
      ? tlsConnect({ host: o.host, port: o.port, servername: isIp(o.host) ? undefined : o.host, rejectUnauthorized: o.rejectUnauthorized ?? true, ...lookup })
      : netConnect({ host: o.host, port: o.port, ...lookup });
    this.attach();
    await this.waitFor(secure ? 'secureConnect' : 'connect');
    this.greeting = await this.ok('greeting');
    if (o.tls === 'starttls') {
      const capa = await this.command('CAPA').then(() => this.readBlock()).then((b) => b.toString('latin1').toUpperCase().split('\r\n'), () => [] as string[]);
      if (capa.some((l) => l.trim() === 'STLS')) {
        await this.command('STLS');
        this.socket.removeAllListeners('data');
        this.socket = tlsConnect({ socket: this.socket, servername: isIp(o.host) ? undefined : o.host, rejectUnauthorized: o.rejectUnauthorized ?? true });
        this.attach();
        await this.waitFor('secureConnect');
      } else if (o.requireStarttls ?? true) {
        throw new Pop3Error(`${o.host}:${o.port} does not offer STLS`);
      }
    }
    if (o.apop) {
      const stamp = /<[^>]+>/.exec(this.greeting)?.[0];
      if (!stamp) throw new Pop3Error(`${o.host}:${o.port} offers no APOP timestamp`);
      await this.command(`APOP ${o.user} ${createHash('md5').update(stamp + o.password).digest('hex')}`);
    } else {
      await this.command(`USER ${o.user}`);
      await this.command(`PASS ${o.password}`, 'PASS ***');
    }
  }

  /** Number of messages and their total size. */
  async stat(): Promise<{ count: number; size: number }> {
    const r = await this.command('STAT');
    const [count, size] = r.split(' ').map(Number);
    return { count: count ?? 0, size: size ?? 0 };
  }

  /** Message number → size. */
  async list(): Promise<Map<number, number>> {
    await this.command('LIST');
    return pairs(await this.readBlock(), Number);
  }

  /** Message number → unique id; undefined when the server has no UIDL. */
  async uidl(): Promise<Map<number, string> | undefined> {
    try {
      await this.command('UIDL');
    } catch (err) {
      if (err instanceof Pop3Error && err.reply !== undefined) return undefined;
      throw err;
    }
    return pairs(await this.readBlock(), String);
  }

  /** The whole message, dot-unstuffed, CRLF line ends as sent. */
  async retr(n: number): Promise<Buffer> {
    await this.command(`RETR ${n}`);
    return this.readBlock(this.o.maxMessageBytes ?? 100 * 1024 * 1024);
  }

  async dele(n: number): Promise<void> {
    await this.command(`DELE ${n}`);
  }

  /** QUIT: deletions take effect. Closes the connection either way. */
  async quit(): Promise<void> {
    try {
      await this.command('QUIT');
    } finally {
      this.close();
    }
  }

  close(): void {
    this.socket?.destroy();
  }

  // ── wire ──

  private attach(): void {
    this.socket.setTimeout(this.o.timeoutMs ?? 60_000, () => this.fail(new Pop3Error(`${this.o.host}:${this.o.port} timed out`)));
    this.socket.on('data', (d: Buffer) => { this.buf = this.buf.length ? Buffer.concat([this.buf, d]) : d; this.wake(); });
    this.socket.on('error', (err) => this.fail(err));
    this.socket.on('close', () => this.fail(new Pop3Error(`${this.o.host}:${this.o.port} closed the connection`)));
  }

  private fail(err: Error): void {
    this.failure ??= err;
    this.wake();
  }

  private wake(): void {
    const w = this.waiting;
    this.waiting = undefined;
    w?.();
  }

  private waitFor(event: 'connect' | 'secureConnect'): Promise<void> {
    return new Promise((resolve, reject) => {
      this.socket.once(event, () => resolve());
      this.socket.once('error', reject);
      this.socket.once('timeout', () => reject(new Pop3Error(`${this.o.host}:${this.o.port} timed out`)));
    });
  }

  private async more(): Promise<void> {
    if (this.failure) throw this.failure;
    await new Promise<void>((resolve) => { this.waiting = resolve; });
    if (this.failure && this.buf.length === 0) throw this.failure;
  }

  private async readLine(limit = MAX_LINE): Promise<Buffer> {
    for (;;) {
      const i = this.buf.indexOf('\n');
      if (i >= 0) {
        const line = this.buf.subarray(0, i + 1);
        this.buf = this.buf.subarray(i + 1);
        return line;
      }
      if (this.buf.length > limit) throw new Pop3Error(`${this.o.host}:${this.o.port} sent a line longer than ${limit} bytes`);
      await this.more();
    }
  }

  private async ok(what: string): Promise<string> {
    const line = (await this.readLine()).toString('utf8').replace(/\r?\n$/, '');
    if (line.startsWith('+OK')) return line.slice(3).trim();
    throw new Pop3Error(`${this.o.host}:${this.o.port} answered ${what} with ${line.slice(0, 200)}`, line);
  }

  /** Sends a command and returns the text after +OK; `shown` replaces it in errors (passwords). */
  private async command(cmd: string, shown = cmd.split(' ')[0]!): Promise<string> {
    if (this.failure) throw this.failure;
    this.socket.write(`${cmd}\r\n`);
    return this.ok(shown);
  }

  /** A multi-line answer up to the lone '.', un-dot-stuffed. */
  private async readBlock(limit = 16 * 1024 * 1024): Promise<Buffer> {
    const parts: Buffer[] = [];
    let size = 0;
    for (;;) {
      const line = await this.readLine(Math.max(MAX_LINE, limit));
      if (line.length <= 3 && /^\.\r?\n$/.test(line.toString('latin1'))) return Buffer.concat(parts);
      const body = line[0] === 0x2e ? line.subarray(1) : line;
      size += body.length;
      if (size > limit) throw new Pop3Error(`${this.o.host}:${this.o.port} sent more than ${limit} bytes`);
      parts.push(body);
    }
  }
}

/**
 * The key of a message from a server without UIDL (an optional command, RFC 1939 §7): SHA-256 of its
 * bytes, so the same message is recognised on the next run. Identical copies share a key.
 */
export function contentUid(raw: Buffer): string {
  return `sha256:${createHash('sha256').update(raw).digest('hex')}`;
}

function pairs<T>(block: Buffer, value: (s: string) => T): Map<number, T> {
  const out = new Map<number, T>();
  for (const line of block.toString('utf8').split(/\r?\n/)) {
    const m = /^(\d+)\s+(\S+)/.exec(line);
    if (m) out.set(Number(m[1]), value(m[2]!));
  }
  return out;
}

const isIp = (h: string) => /^[\d.]+$|:/.test(h);
