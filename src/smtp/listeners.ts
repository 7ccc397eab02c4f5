/**
 * The SMTP listeners (FEATURES P1, P2): 25 (MTA, AUTH optional), 587 (submission, AUTH required,
 * STARTTLS) and 465 (submission over implicit TLS, RFC 8314), built on smtp-server. Wires each
 * session to the policy (session-policy.ts), DATA (data.ts) and the smtp-in session log, and adds
 * what smtp-server lacks: the RSET limit, VRFY/EXPN switches, and our enhanced status codes
 * passing through unchanged. A port of 0 in the boot config turns its listener off.
 */
import { decodeResponse, mayLogIn, mechanisms, runSasl } from '../auth/sasl.ts';
import { format } from 'node:util';
import { SMTPServer, type SMTPServerOptions, type SMTPServerSession } from 'smtp-server';
import type { Settings } from '../config/settings.ts';
import type { SessionLog, SessionLogs } from '../core/log/session-log.ts';
import { IpSlots } from '../core/ip-slots.ts';
import { acceptData, type DataDeps } from './data.ts';
import { reportAbuse } from '../screening/rules.ts';
import { smtpError, smtpErrorFrom, type SmtpError } from './reply.ts';
import { SessionPolicy, type ListenerKind, type PolicyDeps, type SessionState } from './session-policy.ts';

export interface SmtpListenerDeps extends PolicyDeps, DataDeps {
  settings: () => Readonly<Settings>;
  sessionLogs: SessionLogs;
  tls: { key: Buffer; cert: Buffer };
  /** VRFY when enabled: whether the address is deliverable here. */
  verify(address: string): Promise<boolean>;
  /** EXPN when enabled: the addresses a list or alias reaches, undefined when it is neither. */
  expand(address: string): Promise<string[] | undefined>;
  /** Screening (screening/): whether a client deserves the greeting pause (no PTR, on a DNS-BL). */
  screening?: { isSuspicious(ip: string, settings: Readonly<Settings>): Promise<boolean> };
}

export interface ListenSpec {
  /** Config name of the port: smtp, submission, smtps. */
  role: string;
  kind: ListenerKind;
  port: number;
  host: string;
  /** Implicit TLS (465). */
  secure: boolean;
}

const ENHANCED = /^[245]\.\d{1,3}\.\d{1,3} /;

/** smtp-server's command parser (SMTPStream), as far as we watch it. */
interface Parser {
  _dataMode: boolean;
  _write(chunk: Buffer, encoding: BufferEncoding, next: (err?: Error) => void): void;
}

/** Commands that move no mail: a session gets smtp.maxJunkCommands of them (and of unknown ones). */
const JUNK = new Set(['NOOP', 'RSET', 'VRFY', 'EXPN', 'HELP']);

/** What we watch per connection from its first byte, before smtp-server calls onConnect. */
interface Guard {
  /** EHLO was answered, so the client may pipeline (RFC 2920). */
  pipelining: boolean;
  /** The client sent commands ahead of a reply without PIPELINING: no mail from this session. */
  improper: boolean;
  junk: number;
}

interface Conn {
  id: string;
  session: SMTPServerSession;
  remoteAddress: string;
  _ready: boolean;
  _nextHandler: false | ((line: Buffer, cb: () => void) => void);
  _parser: Parser;
  init(): void;
  connectionReady(): void;
  _setListeners(cb: () => void): void;
  _createParser(): Parser;
  _onCommand(command: Buffer, cb: () => void): void;
  _isSupported(name: string): boolean;
  handler_EHLO(command: Buffer, cb: () => void): void;
  handler_AUTH(command: Buffer, cb: () => void): void;
  secure: boolean;
  _transmissionType(): string;
  handler_HELO(command: Buffer, cb: () => void): void;
  send(code: number, data?: string | string[], context?: string | false): void;
  close(): void;
  _socket?: { remoteAddress?: string };
  handler_RSET(command: Buffer, cb: () => void): void;
  handler_VRFY(command: Buffer, cb: () => void): void;
  handler_EXPN?(command: Buffer, cb: () => void): void;
  __youju?: true;
}

export class SmtpListeners {
  private readonly servers: SMTPServer[] = [];
  private readonly states = new Map<string, SessionState>();
  private readonly logs = new Map<string, SessionLog>();
  private readonly guards = new Map<string, Guard>();
  /** Open sessions per client IP (limits.maxConnectionsPerIp), across this node's SMTP listeners. */
  private readonly slots: IpSlots;
  private readonly policy: SessionPolicy;

  constructor(private readonly deps: SmtpListenerDeps) {
    this.policy = new SessionPolicy(deps);
    this.slots = new IpSlots(this.policy.isTrusted);
  }

  async listen(specs: ListenSpec[]): Promise<Array<{ role: string; port: number }>> {
    const bound: Array<{ role: string; port: number }> = [];
    for (const spec of specs) {
      if (spec.port === 0) continue;
      const server = this.create(spec);
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(spec.port, spec.host, () => { server.off('error', reject); resolve(); });
      });
      server.on('error', () => { /* per-connection errors are in the session log */ });
      this.servers.push(server);
      const addr = (server as unknown as { server: { address(): { port: number } } }).server.address();
      bound.push({ role: spec.role, port: addr.port });
    }
    return bound;
  }

  async close(): Promise<void> {
    await Promise.all(this.servers.map((s) => new Promise<void>((r) => s.close(() => r()))));
    this.servers.length = 0;
  }

  private state(session: SMTPServerSession): SessionState {
    const s = this.states.get(session.id);
    if (!s) throw smtpErrorFrom(new Error('session state missing'));
    return s;
  }

  private create(spec: ListenSpec): SMTPServer {
    const settings = this.deps.settings();
    const self = this;
    const options: SMTPServerOptions = {
      secure: spec.secure,
      key: this.deps.tls.key,
      cert: this.deps.tls.cert,
      name: this.deps.hostname,
      banner: settings.smtp.banner || 'Youju',
      size: settings.smtp.maxMessageBytes || undefined,
      authMethods: mechanisms({ cramMd5: settings.security.cramMd5Enabled }),
      authOptional: spec.kind === 'mx',
      allowInsecureAuth: settings.security.allowPlaintextAuth,
      hideENHANCEDSTATUSCODES: false,
      hideDSN: false,
      disableReverseLookup: true,
      logger: this.sessionLogger() as unknown as SMTPServerOptions['logger'],
      socketTimeout: settings.limits.smtpIdleTimeoutSec * 1000,
      // On shutdown, sessions in flight get 5 s to finish before a 421.
      closeTimeout: 5000,
      onConnect(session, cb) {
        const state: SessionState = { kind: spec.kind, settings: self.deps.settings(), localUsers: [], rcptCommands: 0, badRcpts: 0 };
        if (!self.slots.take(session.remoteAddress, state.settings.limits.maxConnectionsPerIp)) {
          return cb(smtpError(421, '4.7.0', `Too many connections from ${session.remoteAddress}; try again later`));
        }
        state.countedIp = true;
        self.states.set(session.id, state);
        // Passwords only travel encrypted: AUTH is not even offered until STARTTLS (RFC 3207 §4).
        if (!mayLogIn(spec.secure, state.settings)) session.disabledCommands = ['AUTH'];
        const log = self.deps.sessionLogs.open('smtp-in', { ip: session.remoteAddress, port: session.remotePort });
        log.note(`${spec.kind} listener on port ${spec.port}${spec.secure ? ' (TLS)' : ''}`);
        self.logs.set(session.id, log);
        self.policy.connect(session, state).then(() => cb(), (err) => cb(asSmtpError(err)));
      },
      onSecure(_socket, session, cb) {
        session.disabledCommands = [];
        cb();
      },
      onClose(session) {
        if (self.states.get(session.id)?.countedIp) self.slots.release(session.remoteAddress);
        void self.policy.close(self.states.get(session.id));
        self.states.delete(session.id);
        self.guards.delete(session.id);
        void self.logs.get(session.id)?.close();
        self.logs.delete(session.id);
      },
      onMailFrom(address, session, cb) {
        if (self.guards.get(session.id)?.improper) return cb(IMPROPER_PIPELINING());
        self.policy.mailFrom(address, session, self.state(session)).then(() => cb(), (err) => cb(closing(asSmtpError(err), session)));
      },
      onRcptTo(address, session, cb) {
        if (self.guards.get(session.id)?.improper) return cb(IMPROPER_PIPELINING());
        self.policy.rcptTo(address, session, self.state(session)).then(() => cb(), (err) => cb(closing(asSmtpError(err), session)));
      },
      onData(stream, session, cb) {
        const state = self.state(session);
        acceptData(stream, session, state, self.deps).then((msg) => cb(null, msg), (err) => {
          stream.resume(); // drain what is left so the reply goes out after the final dot
          const e = closing(asSmtpError(err), session);
          cb(e);
          if (e.responseCode === 552 && state.settings.smtp.oversizeAction === 'disconnect') {
            setImmediate(() => self.connection(server, session.id)?.close());
          }
        });
      },
    };
    const server = new SMTPServer(options);
    /** A refusal that ends the session (a pipeline stage's "reject and close"): closed once the reply is out. */
    const closing = (e: SmtpError, session: SMTPServerSession): SmtpError => {
      if (e.closeAfter) setImmediate(() => self.connection(server, session.id)?.close());
      return e;
    };
    this.patchConnections(server, spec);
    return server;
  }

  /**
   * smtp-server creates its connections itself; each gets our handlers as it is added to the
   * server's set, which happens before smtp-server calls its init().
   */
  private patchConnections(server: SMTPServer, spec: ListenSpec): void {
    const connections = (server as unknown as { connections: Set<Conn> }).connections;
    const add = connections.add.bind(connections);
    connections.add = (c: Conn) => {
      if (!c.__youju) this.patch(c, spec);
      return add(c);
    };
  }

  private connection(server: SMTPServer, id: string): Conn | undefined {
    for (const c of (server as unknown as { connections: Set<Conn> }).connections) if (c.id === id) return c;
    return undefined;
  }

  private patch(c: Conn, spec: ListenSpec): void {
    c.__youju = true;
    const guard: Guard = { pipelining: false, improper: false, junk: 0 };
    this.guards.set(c.id, guard);
    this.greetAfterPause(c, spec);
    this.watchPipelining(c, guard);
    this.countJunk(c, guard);
    this.takeAuth(c);
    const send = c.send.bind(c);
    // Our replies carry their own enhanced code; don't let smtp-server add a generic one.
    c.send = (code, data, context) => send(code, data, typeof data === 'string' && ENHANCED.test(data) ? false : context);
    let rsets = 0;
    const rset = c.handler_RSET.bind(c);
    c.handler_RSET = (command, cb) => {
      const max = this.states.get(c.id)?.settings.smtp.maxRset ?? 0;
      if (max > 0 && ++rsets > max) {
        this.abusive(c, 'too many RSET commands');
        c.send(421, `4.7.0 Too many RSET commands (at most ${max}); closing`);
        return cb();
      }
      rset(command, cb);
    };
    c.handler_VRFY = (command, cb) => {
      const arg = command.toString().trim().split(/\s+/).slice(1).join(' ').replace(/^<|>$/g, '');
      if (!arg) { c.send(501, '5.5.4 Syntax: VRFY address'); return cb(); }
      if (!this.states.get(c.id)?.settings.smtp.vrfyEnabled) {
        c.send(252, '2.5.0 Cannot VRFY user, but will accept message and attempt delivery');
        return cb();
      }
      this.deps.verify(arg).then((ok) => {
        if (ok) c.send(250, `2.1.5 <${arg}>`);
        else c.send(550, `5.1.1 <${arg}>: No such user here`);
        cb();
      }, () => { c.send(451, '4.3.0 Temporary lookup failure'); cb(); });
    };
    c.handler_EXPN = (command, cb) => {
      const arg = command.toString().trim().split(/\s+/).slice(1).join(' ').replace(/^<|>$/g, '');
      if (!this.states.get(c.id)?.settings.smtp.expnEnabled) { c.send(502, '5.5.1 EXPN is not available'); return cb(); }
      if (!arg) { c.send(501, '5.5.4 Syntax: EXPN list'); return cb(); }
      this.deps.expand(arg).then((members) => {
        if (!members) c.send(550, `5.1.1 <${arg}>: No such list here`);
        else if (members.length === 0) c.send(250, `2.1.5 <${arg}> has no members`);
        else c.send(250, members.map((m) => `<${m}>`)); // smtp-server puts the enhanced code on each line
        cb();
      }, () => { c.send(451, '4.3.0 Temporary lookup failure'); cb(); });
    };
  }

  /**
   * smtp-server holds every greeting 100 ms to catch early talkers; that caps a connection's rate, so
   * the pause is ours: smtp.greetingPauseMs on port 25 only, never for trusted networks. A client
   * that talks during the pause gets smtp-server's 421 "You talk too soon".
   */
  private greetAfterPause(c: Conn, spec: ListenSpec): void {
    c.init = () => c._setListeners(() => {
      const settings = this.deps.settings();
      if (spec.kind === 'mx') this.sitePolicy(c, settings.screening.enabled ? settings.screening.sitePolicy : '');
      const pause = spec.kind === 'mx' && !spec.secure ? settings.smtp.greetingPauseMs : 0;
      if (pause <= 0 || this.policy.isTrusted(c.remoteAddress)) return c.connectionReady();
      const wait = () => setTimeout(() => c.connectionReady(), pause).unref();
      const screening = this.deps.screening;
      // Only suspicious clients wait (screening.greetingPauseFor); the lookup's own time counts towards the pause.
      if (!screening || !settings.screening.enabled) return wait();
      const started = Date.now();
      screening.isSuspicious(c.remoteAddress.replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/i, ''), settings).then((suspicious) => {
        if (!suspicious) return c.connectionReady();
        this.logs.get(c.id)?.note(`suspicious client: greeting after ${pause} ms`);
        setTimeout(() => c.connectionReady(), Math.max(0, pause - (Date.now() - started))).unref();
      }, () => wait());
    });
  }

  /** The site-policy banner (screening.sitePolicy): its lines go out as 220- lines before the greeting. */
  private sitePolicy(c: Conn, policy: string): void {
    const lines = policy.split(/\r?\n/).map((l) => l.trimEnd()).filter((l) => l !== '');
    if (lines.length === 0) return;
    const send = c.send.bind(c);
    let first = true;
    c.send = (code, data, context) => {
      if (first && code === 220 && typeof data === 'string') {
        first = false;
        c.send = send;
        return send(220, [...lines, data], context);
      }
      return send(code, data, context);
    };
  }

  /**
   * Improper pipelining (RFC 2920 §3.1; Postfix's "improper command pipelining"): a command that
   * arrives with more input behind it before PIPELINING was negotiated (after HELO, or before the
   * EHLO reply) was sent without waiting for its reply. Such a client is a spam engine's; every
   * MAIL and RCPT of its session is refused.
   */
  private watchPipelining(c: Conn, guard: Guard): void {
    const watch = (parser: Parser) => {
      const write = parser._write.bind(parser);
      parser._write = (chunk, encoding, next) => {
        if (!guard.pipelining && !guard.improper && !parser._dataMode) {
          const nl = chunk.indexOf(0x0a);
          if (nl >= 0 && nl < chunk.length - 1 && this.states.get(c.id)?.settings.smtp.rejectImproperPipelining !== false) {
            guard.improper = true;
            this.logs.get(c.id)?.note('improper command pipelining: commands sent ahead of replies without PIPELINING');
          }
        }
        write(chunk, encoding, next);
      };
      return parser;
    };
    watch(c._parser);
    const create = c._createParser.bind(c);
    // STARTTLS starts a new parser, and the client must say EHLO again before it may pipeline.
    c._createParser = () => { guard.pipelining = false; return watch(create()); };
    const ehlo = c.handler_EHLO.bind(c);
    c.handler_EHLO = (command, cb) => { ehlo(command, cb); guard.pipelining = true; };
    const helo = c.handler_HELO.bind(c);
    c.handler_HELO = (command, cb) => { guard.pipelining = false; helo(command, cb); };
  }

  /**
   * AUTH runs through the one SASL module (auth/sasl.ts) rather than smtp-server's own: the same
   * decoding and the same authzid rule (RFC 4616 §2) as IMAP and POP3. Each challenge is a 334 and
   * the client's next line comes back through smtp-server's continuation handler, which also keeps
   * it out of the session log (RFC 4954).
   */
  private takeAuth(c: Conn): void {
    c.handler_AUTH = (command, cb) => {
      const state = this.states.get(c.id);
      const args = command.toString('utf8').trim().split(/\s+/).slice(1);
      const method = (args.shift() ?? '').toUpperCase();
      if (!state) { c.send(421, '4.3.0 Session state missing'); return cb(); }
      // A banned address is refused before it may send a password (and the session ends).
      if (this.deps.throttle.isBanned(c.remoteAddress)) { c.send(421, '4.7.0 Too many failed logins from your address; try again later'); return cb(); }
      if (!mayLogIn(c.secure, state.settings)) { c.send(538, '5.7.11 Encryption required for requested authentication mechanism'); return cb(); }
      if (c.session.user) { c.send(503, '5.5.1 No identity changes permitted'); return cb(); }
      // RFC 4954 §4: AUTH is not permitted during a mail transaction.
      if (c.session.envelope?.mailFrom) { c.send(503, '5.5.1 AUTH not permitted during a mail transaction'); return cb(); }
      if (args.length > 1) { c.send(501, '5.5.4 Syntax: AUTH mechanism [initial-response]'); return cb(); }
      let initial: Buffer | undefined;
      if (args[0] !== undefined) {
        initial = args[0] === '=' ? Buffer.alloc(0) : decodeResponse(args[0]);
        if (!initial) { c.send(501, '5.5.2 Cannot decode the initial response'); return cb(); }
      }
      let next = cb; // the callback of the line being handled: called when we wait for the next one
      const ask = (challenge: string) => new Promise<Buffer | undefined>((resolve) => {
        c._nextHandler = (line: Buffer, lineDone: () => void) => {
          next = lineDone;
          resolve(decodeResponse(line.toString('latin1')));
        };
        c.send(334, Buffer.from(challenge).toString('base64'));
        next();
      });
      const log = this.logs.get(c.id);
      runSasl(method, initial, ask, { cramMd5: state.settings.security.cramMd5Enabled, hostname: this.deps.hostname })
        .then(async (r) => {
          if (!r.ok) {
            if (r.reason === 'unsupported') c.send(504, '5.5.4 Unrecognized authentication type');
            else if (r.reason === 'cancelled') c.send(501, '5.0.0 Authentication cancelled');
            else if (r.reason === 'proxy') {
              log?.note(`authentication refused: PLAIN asked to act as another user (${method})`);
              c.send(535, '5.7.8 Authentication credentials invalid');
            } else c.send(501, '5.5.2 Cannot decode the response');
            return;
          }
          const name = r.credentials.username.slice(0, 100);
          try {
            const user = await this.policy.authenticate(r.credentials, c.remoteAddress);
            state.user = user;
            c.session.user = user.address as unknown as SMTPServerSession['user']; // as smtp-server's own AUTH sets it
            c.session.transmissionType = c._transmissionType();
            log?.note(`authenticated as ${user.address} (${method})`);
            c.send(235, '2.7.0 Authentication successful');
          } catch (err) {
            log?.note(`authentication failed for ${name} (${method})`);
            const e = asSmtpError(err);
            c.send(e.responseCode ?? 535, e.message);
          }
        })
        .catch(() => c.send(454, '4.7.0 Temporary authentication failure'))
        .finally(() => next());
    };
  }

  /** A session closed for abuse counts towards a dynamic ban of its IP (screening.dynamic), unless it is trusted or authenticated. */
  private abusive(c: Conn, reason: string): void {
    const state = this.states.get(c.id);
    if (!state || state.user || this.policy.isTrusted(c.remoteAddress)) return;
    const ip = c.remoteAddress.replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/i, '');
    if (reportAbuse(this.deps.throttle, ip, state.settings, reason)) this.logs.get(c.id)?.note(`${ip} banned by dynamic screening (${reason})`);
  }

  /** NOOP, RSET, VRFY, EXPN, HELP and unknown commands share one budget per session (smtp.maxJunkCommands). */
  private countJunk(c: Conn, guard: Guard): void {
    const onCommand = c._onCommand.bind(c);
    c._onCommand = (command, cb) => {
      if (!c._nextHandler && c._ready) {
        const name = command.toString('latin1', 0, Math.min(command.length, 16)).split(' ')[0]!.toUpperCase();
        const max = this.states.get(c.id)?.settings.smtp.maxJunkCommands ?? 0;
        if ((JUNK.has(name) || !c._isSupported(name)) && max > 0 && ++guard.junk > max) {
          this.abusive(c, 'too many junk commands');
          c.send(421, `4.7.0 Too many commands that move no mail (at most ${max}); closing`);
          return cb();
        }
      }
      onCommand(command, cb);
    };
  }

  /** smtp-server logs every command and reply through a bunyan-style logger: route them to the session log. */
  private sessionLogger() {
    const write = (entry: { tnx?: string; cid?: string }, fmt: string, ...args: unknown[]) => {
      const kind = entry.tnx === undefined ? undefined : LOGGED_TNX[entry.tnx];
      if (kind === undefined) return;
      const log = entry.cid ? this.logs.get(entry.cid) : undefined;
      if (!log) return;
      const line = logLine(fmt, args);
      if (kind === 'recv') log.recv(line.replace(/^C: /, ''));
      else if (kind === 'send') log.send(line.replace(/^S: /, ''));
      else log.note(line.replace(/^C: /, ''));
    };
    const noop = () => undefined;
    const logger = { info: write, debug: write, error: write, warn: write, trace: noop, fatal: write, child: () => logger };
    return logger;
  }
}

/** What smtp-server's log entries become in the session log, by transaction kind; others are dropped unformatted. */
const LOGGED_TNX: Partial<Record<string, 'recv' | 'send' | 'note'>> = {
  command: 'recv', send: 'send', data: 'note', starttls: 'note', close: 'note', error: 'note',
};

/** util.format's result, without its cost for the common case: a '%'-free format and string arguments (`'S:', payload`). */
function logLine(fmt: string, args: unknown[]): string {
  if (fmt.includes('%') || args.some((a) => typeof a !== 'string')) return format(fmt, ...args);
  return args.length === 0 ? fmt : `${fmt} ${args.join(' ')}`;
}

const IMPROPER_PIPELINING = () => smtpError(550, '5.5.1', 'Protocol error: commands sent ahead of replies without PIPELINING');

function asSmtpError(err: unknown): SmtpError {
  return (err as SmtpError)?.responseCode ? err as SmtpError : smtpErrorFrom(err);
}
