/**
 * POP3 (RFC 1939, RFC 2449 CAPA, RFC 2595 STLS, RFC 5034 SASL) on 110 and 995 (FEATURES P10): the
 * user's INBOX as a maildrop. USER/PASS and AUTH PLAIN/LOGIN/CRAM-MD5 (auth/sasl.ts) over TLS (or when
 * plaintext auth is allowed), STAT, LIST, UIDL (stable: uidvalidity-uid), TOP, RETR, DELE, RSET, NOOP,
 * QUIT; deletions happen only at QUIT. One session per maildrop across a cluster: the lock is a store
 * lease the session renews and releases at close, so a second session on any node gets
 * `-ERR [IN-USE]`, and a dead node's lock runs out after two minutes. A login opens the
 * POP-before-SMTP window. APOP (RFC 1939 §7) only while security.apopEnabled is on: the greeting then
 * carries a timestamp, and users.authenticateApop checks the digest against the sealed password copy
 * kept for it (auth/apop.ts). APOP sends no password, so it is allowed before STLS.
 */
import { hostname } from 'node:os';
import type { LoginThrottle } from '../auth/login-throttle.ts';
import { decodeResponse, mayLogIn, mechanisms, runSasl, type Credentials } from '../auth/sasl.ts';
import net from 'node:net';
import tls from 'node:tls';
import { apopTimestamp } from '../auth/apop.ts';
import type { AuthWindows } from '../auth/auth-windows.ts';
import type { Settings } from '../config/settings.ts';
import { TcpListeners, type ListenerSpec } from '../core/tcp-listeners.ts';
import type { SessionLog, SessionLogs } from '../core/log/session-log.ts';
import type { MailboxService } from '../mailbox/mailbox-service.ts';
import type { DirectoryUser, UserService } from '../directory/users.ts';
import type { Mailbox, Message } from '../store/store.ts';
import type { ByteRate } from '../core/byte-rate.ts';
import { sessionByteRate } from '../screening/bandwidth.ts';

export interface Pop3Deps {
  hostname: string;
  settings: () => Readonly<Settings>;
  users: Pick<UserService, 'authenticateCredentials' | 'authenticateApop'>;
  /** The failed-login throttle all protocols share: a banned address is refused, failures are slowed. */
  throttle: Pick<LoginThrottle, 'isBanned' | 'failed' | 'succeeded'>;
  mailboxes: MailboxService;
  authWindows: AuthWindows;
  sessionLogs: SessionLogs;
  tls: { key: Buffer; cert: Buffer };
  /** The boot config's trusted networks: never held to limits.maxConnectionsPerIp, as on SMTP. */
  trusted?: (ip: string) => boolean;
}

const MAX_LINE = 1024;
/** How long a maildrop lease lasts without renewal (renewed every third of it while the session lives). */
const MAILDROP_LEASE_MS = 120_000;
let sessions = 0;

export class Pop3Server {
  /** Maildrops in use in this process: user id → the session holding it. */
  private readonly secureContext: tls.SecureContext;
  private readonly listeners: TcpListeners;

  constructor(private readonly deps: Pop3Deps) {
    this.secureContext = tls.createSecureContext({ key: deps.tls.key, cert: deps.tls.cert });
    this.listeners = new TcpListeners(deps.tls, (s, secure) => this.accept(s, secure), {
      max: () => deps.settings().limits.maxConnectionsPerIp, refusal: '-ERR [SYS/TEMP] Too many connections from your address\r\n', exempt: deps.trusted,
    });
  }

  listen(specs: readonly ListenerSpec[]): Promise<Array<{ role: string; port: number }>> {
    return this.listeners.listen(specs);
  }

  close(): Promise<void> {
    return this.listeners.close();
  }

  private accept(socket: net.Socket, secure: boolean): void {
    const log = this.deps.sessionLogs.open('pop3', { ip: socket.remoteAddress ?? '?', port: socket.remotePort });
    const session = new Pop3Session(this.deps, socket, secure, log, this.secureContext);
    socket.on('close', () => {
      session.release();
      void log.close();
    });
  }
}

type State = 'authorization' | 'transaction' | 'closed';

class Pop3Session {
  private state: State = 'authorization';
  private user: DirectoryUser | undefined;
  private pendingUser: string | undefined;
  private inbox: Mailbox | undefined;
  private messages: Message[] = [];
  private deleted = new Set<number>();
  private buffer = '';
  private busy = Promise.resolve();
  private sasl: ((line: string) => Promise<void>) | undefined;
  private readonly settings: Readonly<Settings>;
  private idleTimer: NodeJS.Timeout | undefined;
  private lockRenewal: NodeJS.Timeout | undefined;
  /** This session's name as a lease holder: unique across the cluster's nodes and their restarts. */
  private readonly holder = `${hostname()}:${process.pid}:${Date.now().toString(36)}:${++sessions}`;
  /** The greeting's APOP timestamp, when APOP is on. */
  private readonly apopStamp: string | undefined;
  /** 带宽限制 (screening.bandwidth.pop3OutKBps). */
  private readonly rate: ByteRate | undefined;

  constructor(
    private readonly deps: Pop3Deps,
    private socket: net.Socket,
    private secure: boolean,
    private readonly log: SessionLog,
    private readonly secureContext: tls.SecureContext,
  ) {
    this.settings = deps.settings();
    this.rate = sessionByteRate('pop3Out', socket.remoteAddress ?? '', this.settings);
    this.attach(socket);
    this.apopStamp = this.settings.security.apopEnabled ? apopTimestamp(deps.hostname) : undefined;
    this.send(`+OK ${deps.hostname} Youju POP3 ready${this.apopStamp ? ` ${this.apopStamp}` : ''}`);
  }

  private attach(socket: net.Socket): void {
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => this.onData(chunk));
    socket.on('error', () => socket.destroy());
    this.touch();
  }

  private touch(): void {
    clearTimeout(this.idleTimer);
    // RFC 1939 §3: an autologout timer of at least 10 minutes.
    this.idleTimer = setTimeout(() => { this.send('-ERR idle too long, closing'); this.socket.end(); },
      Math.max(600, this.settings.limits.smtpIdleTimeoutSec) * 1000);
    this.idleTimer.unref();
  }

  release(): void {
    clearTimeout(this.idleTimer);
    clearInterval(this.lockRenewal);
    if (this.user && this.state !== 'authorization') {
      void this.deps.mailboxes.unlockMaildrop(this.user.id, this.holder).catch(() => undefined);
    }
    this.state = 'closed';
  }

  private onData(chunk: string): void {
    this.touch();
    this.buffer += chunk;
    let i: number;
    while ((i = this.buffer.indexOf('\n')) >= 0) {
      const line = this.buffer.slice(0, i).replace(/\r$/, '');
      this.buffer = this.buffer.slice(i + 1);
      this.busy = this.busy.then(() => this.handle(Buffer.from(line, 'latin1').toString('utf8'))).catch(() => {
        this.send('-ERR [SYS/TEMP] temporary failure, try again');
      });
    }
    if (this.buffer.length > MAX_LINE) {
      this.buffer = '';
      this.send('-ERR line too long');
    }
  }

  private send(line: string): void {
    if (this.socket.writable) this.socket.write(`${line}\r\n`);
    this.log.send(line);
  }

  private async handle(line: string): Promise<void> {
    if (this.state === 'closed') return;
    if (this.sasl) {
      this.log.recv('****');
      const step = this.sasl;
      this.sasl = undefined;
      return step(line);
    }
    const [verbRaw = '', ...rest] = line.split(' ');
    const verb = verbRaw.toUpperCase();
    const arg = rest.join(' ');
    this.log.recv(verb === 'PASS' ? 'PASS ****' : verb === 'APOP' ? `APOP ${rest[0] ?? ''} ****` : verb === 'AUTH' && rest.length > 1 ? `AUTH ${rest[0]} ****` : line);

    if (verb === 'CAPA') return this.capa();
    if (verb === 'QUIT') return this.quit();
    if (verb === 'NOOP' && this.state === 'transaction') return this.send('+OK');
    if (this.state === 'authorization') return this.authorization(verb, arg, rest);
    return this.transaction(verb, rest);
  }

  private mayAuth(): boolean {
    return mayLogIn(this.secure, this.settings);
  }

  private capa(): void {
    const caps = ['CAPA', 'TOP', 'UIDL', 'RESP-CODES', 'AUTH-RESP-CODE', 'PIPELINING', 'EXPIRE NEVER', 'IMPLEMENTATION Youju'];
    if (this.state === 'authorization') {
      if (this.mayAuth()) caps.push('USER', `SASL ${mechanisms({ cramMd5: this.settings.security.cramMd5Enabled }).join(' ')}`);
      if (!this.secure) caps.push('STLS');
    }
    this.send('+OK Capability list follows');
    for (const c of caps) this.send(c);
    this.send('.');
  }

  private async authorization(verb: string, arg: string, rest: string[]): Promise<void> {
    switch (verb) {
      case 'STLS':
        if (this.secure) return this.send('-ERR already using TLS');
        this.send('+OK Begin TLS negotiation');
        return this.startTls();
      case 'USER':
        if (!this.mayAuth()) return this.send('-ERR [AUTH] use STLS first');
        if (!arg) return this.send('-ERR USER needs a name');
        this.pendingUser = arg;
        return this.send('+OK send PASS');
      case 'PASS':
        if (!this.mayAuth()) return this.send('-ERR [AUTH] use STLS first');
        if (this.pendingUser === undefined) return this.send('-ERR USER first');
        return this.login({ kind: 'password', username: this.pendingUser, password: arg });
      case 'APOP': {
        if (!this.apopStamp) return this.send('-ERR APOP is not enabled');
        const [name, digest] = rest;
        if (!name || !digest || !/^[0-9a-fA-F]{32}$/.test(digest)) return this.send('-ERR APOP needs a name and a 32-digit digest');
        const stamp = this.apopStamp;
        return this.login({ username: name, apop: () => this.deps.users.authenticateApop(name, stamp, digest) });
      }
      case 'AUTH': {
        if (!this.mayAuth()) return this.send('-ERR [AUTH] use STLS first');
        const mech = (rest[0] ?? '').toUpperCase();
        let initial: Buffer | undefined;
        if (rest[1] !== undefined) {
          initial = rest[1] === '=' ? Buffer.alloc(0) : decodeResponse(rest[1]);
          if (initial === undefined) return this.send('-ERR [AUTH] malformed initial response');
        }
        return this.saslExchange(mech, initial);
      }
      default:
        return this.send('-ERR unknown command in AUTHORIZATION state');
    }
  }

  /**
   * AUTH through the one SASL module (auth/sasl.ts). Each line handler returns when the exchange
   * waits for the client's next line or is over, so lines keep their order on the busy chain.
   */
  private async saslExchange(mech: string, initial: Buffer | undefined): Promise<void> {
    let release: (() => void) | undefined;
    const pause = () => new Promise<void>((r) => { release = r; });
    const ask = (challenge: string) => new Promise<Buffer | undefined>((resolve) => {
      this.sasl = async (line) => {
        const waiting = pause();
        resolve(decodeResponse(line));
        await waiting;
      };
      this.send(`+ ${Buffer.from(challenge).toString('base64')}`);
      release?.();
    });
    const waiting = pause();
    void runSasl(mech, initial, ask, { cramMd5: this.settings.security.cramMd5Enabled, hostname: this.deps.hostname })
      .then(async (r) => {
        if (r.ok) return this.login(r.credentials);
        if (r.reason === 'unsupported') return this.send('-ERR unsupported SASL mechanism');
        if (r.reason === 'proxy') return this.send('-ERR [AUTH] acting as another user is not allowed');
        return this.send(r.reason === 'cancelled' ? '-ERR authentication cancelled' : `-ERR [AUTH] malformed ${mech.slice(0, 20)} response`);
      })
      .catch(() => this.send('-ERR [SYS/TEMP] temporary failure, try again'))
      .finally(() => release?.());
    await waiting;
  }

  private startTls(): void {
    const plain = this.socket;
    plain.removeAllListeners('data');
    const secure = new tls.TLSSocket(plain, { isServer: true, secureContext: this.secureContext });
    secure.once('secure', () => {
      this.socket = secure;
      this.secure = true;
      this.buffer = '';
      this.log.note('TLS started');
    });
    this.attach(secure);
  }

  private async login(check: Credentials | { username: string; apop: () => Promise<DirectoryUser> }): Promise<void> {
    const address = check.username;
    const ip = this.socket.remoteAddress ?? '';
    if (this.deps.throttle.isBanned(ip)) {
      this.log.note(`login refused: ${ip} is banned after repeated failed logins`);
      return this.send('-ERR [SYS/TEMP] too many failed logins from your address; try again later');
    }
    let user: DirectoryUser;
    try {
      user = 'apop' in check ? await check.apop() : await this.deps.users.authenticateCredentials(check);
    } catch {
      await new Promise((r) => setTimeout(r, this.deps.throttle.failed(ip, address)));
      this.log.note(`authentication failed for ${address.slice(0, 100)}`);
      return this.send('-ERR [AUTH] invalid user name or password');
    }
    this.deps.throttle.succeeded(ip);
    // The maildrop lock is a store lease: one session per maildrop across every node (RFC 1939 §3).
    if (!(await this.deps.mailboxes.lockMaildrop(user.id, this.holder, MAILDROP_LEASE_MS))) {
      return this.send('-ERR [IN-USE] maildrop already locked');
    }
    this.user = user;
    this.state = 'transaction';
    this.lockRenewal = setInterval(() => {
      void this.deps.mailboxes.renewMaildrop(user.id, this.holder, MAILDROP_LEASE_MS).then((held) => {
        if (held || this.state === 'closed') return;
        this.log.note('maildrop lock lost; closing');
        this.send('-ERR [SYS/TEMP] maildrop lock lost');
        this.socket.end();
      }, () => undefined);
    }, MAILDROP_LEASE_MS / 3);
    this.lockRenewal.unref();
    try {
      this.inbox = await this.deps.mailboxes.require(user.id, 'INBOX');
      this.messages = await this.deps.mailboxes.messages(this.inbox.id);
    } catch (err) {
      clearInterval(this.lockRenewal);
      await this.deps.mailboxes.unlockMaildrop(user.id, this.holder).catch(() => undefined);
      this.state = 'authorization';
      throw err;
    }
    await this.deps.authWindows.open(this.socket.remoteAddress ?? '').catch(() => undefined);
    this.log.note(`authenticated as ${user.address}`);
    const size = this.messages.reduce((s, m) => s + m.size, 0);
    this.send(`+OK maildrop has ${this.messages.length} messages (${size} octets)`);
  }

  private message(arg: string | undefined): { n: number; m: Message } | undefined {
    const n = Number(arg);
    if (!Number.isInteger(n) || n < 1 || n > this.messages.length || this.deleted.has(n)) return undefined;
    return { n, m: this.messages[n - 1]! };
  }

  private async transaction(verb: string, rest: string[]): Promise<void> {
    const live = () => this.messages.map((m, i) => ({ n: i + 1, m })).filter((x) => !this.deleted.has(x.n));
    switch (verb) {
      case 'STAT': {
        const l = live();
        return this.send(`+OK ${l.length} ${l.reduce((s, x) => s + x.m.size, 0)}`);
      }
      case 'LIST':
      case 'UIDL': {
        const value = (x: { m: Message }) => (verb === 'LIST' ? String(x.m.size) : `${this.inbox!.uidvalidity}-${x.m.uid}`);
        if (rest[0] !== undefined) {
          const x = this.message(rest[0]);
          return x ? this.send(`+OK ${x.n} ${value(x)}`) : this.send('-ERR no such message');
        }
        this.send('+OK');
        for (const x of live()) this.send(`${x.n} ${value(x)}`);
        return this.send('.');
      }
      case 'RETR':
      case 'TOP': {
        const x = this.message(rest[0]);
        if (!x) return this.send('-ERR no such message');
        const lines = verb === 'TOP' ? Number(rest[1]) : undefined;
        if (verb === 'TOP' && (!Number.isInteger(lines) || lines! < 0)) return this.send('-ERR TOP needs a message number and a line count');
        const raw = await this.deps.mailboxes.readMessage(x.m);
        const body = dotStuff(lines === undefined ? raw : topOf(raw, lines));
        this.socket.write(`+OK ${verb === 'RETR' ? `${x.m.size} octets` : 'top of message follows'}\r\n`);
        this.socket.write(body);
        this.socket.write('.\r\n');
        this.log.send(`+OK ${verb} ${x.n} (${raw.length} octets sent)`);
        // 带宽限制: the next command waits until the message went at the session's rate.
        if (this.rate) await this.rate.pace(body.length);
        return;
      }
      case 'DELE': {
        const x = this.message(rest[0]);
        if (!x) return this.send('-ERR no such message');
        this.deleted.add(x.n);
        return this.send(`+OK message ${x.n} deleted`);
      }
      case 'RSET':
        this.deleted.clear();
        return this.send('+OK');
      default:
        return this.send('-ERR unknown command');
    }
  }

  /** QUIT: in TRANSACTION, the UPDATE state removes the deleted messages (RFC 1939 §6). */
  private async quit(): Promise<void> {
    if (this.state === 'transaction' && this.deleted.size > 0) {
      const uids = [...this.deleted].map((n) => this.messages[n - 1]!.uid);
      try {
        await this.deps.mailboxes.expunge(this.inbox!.id, uids.map((u) => ({ from: u, to: u })));
      } catch {
        this.send('-ERR [SYS/TEMP] some deleted messages not removed');
        this.socket.end();
        return;
      }
    }
    this.send(`+OK ${this.deps.hostname} Youju POP3 signing off`);
    this.release();
    this.socket.end();
  }
}

/** RFC 1939 §3: a line starting with "." gets another one; the body ends with CRLF. */
function dotStuff(raw: Buffer): Buffer {
  let text = raw.toString('latin1');
  if (!text.endsWith('\r\n')) text += '\r\n';
  return Buffer.from(text.replace(/(^|\r\n)\./g, '$1..'), 'latin1');
}

/** The header, the blank line, and the first `lines` lines of the body. */
function topOf(raw: Buffer, lines: number): Buffer {
  const end = raw.indexOf('\r\n\r\n');
  if (end < 0) return raw;
  const body = raw.subarray(end + 4).toString('latin1').split('\r\n').slice(0, lines);
  return Buffer.concat([raw.subarray(0, end + 4), Buffer.from(body.join('\r\n') + (lines > 0 ? '\r\n' : ''), 'latin1')]);
}
