/**
 * The SMTP listeners (FEATURES P1, P2): 25 (MTA, AUTH optional), 587 (submission, AUTH required,
 * STARTTLS) and 465 (submission over implicit TLS, RFC 8314), built on smtp-server. Wires each
 * session to the policy (session-policy.ts), DATA (data.ts) and the smtp-in session log, and adds
 * what smtp-server lacks: the RSET limit, VRFY/EXPN switches, and our enhanced status codes
 * passing through unchanged. A port of 0 in the boot config turns its listener off.
 */
import { format } from 'node:util';
import { SMTPServer, type SMTPServerOptions, type SMTPServerSession } from 'smtp-server';
import type { Settings } from '../config/settings.ts';
import type { SessionLog, SessionLogs } from '../core/log/session-log.ts';
import { acceptData, type DataDeps } from './data.ts';
import { smtpErrorFrom, type SmtpError } from './reply.ts';
import { SessionPolicy, type ListenerKind, type PolicyDeps, type SessionState } from './session-policy.ts';

export interface SmtpListenerDeps extends PolicyDeps, DataDeps {
  settings: () => Readonly<Settings>;
  sessionLogs: SessionLogs;
  tls: { key: Buffer; cert: Buffer };
  /** VRFY when enabled: whether the address is deliverable here. */
  verify(address: string): Promise<boolean>;
  /** EXPN when enabled: the addresses a list or alias reaches, undefined when it is neither. */
  expand(address: string): Promise<string[] | undefined>;
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

interface Conn {
  id: string;
  session: SMTPServerSession;
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
  private readonly policy: SessionPolicy;

  constructor(private readonly deps: SmtpListenerDeps) {
    this.policy = new SessionPolicy(deps);
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
      authMethods: settings.security.cramMd5Enabled ? ['PLAIN', 'LOGIN', 'CRAM-MD5'] : ['PLAIN', 'LOGIN'],
      authOptional: spec.kind === 'mx',
      allowInsecureAuth: settings.smtp.allowPlaintextAuth,
      hideENHANCEDSTATUSCODES: false,
      hideDSN: false,
      disableReverseLookup: true,
      logger: this.sessionLogger() as unknown as SMTPServerOptions['logger'],
      socketTimeout: settings.limits.smtpIdleTimeoutSec * 1000,
      // On shutdown, sessions in flight get 5 s to finish before a 421.
      closeTimeout: 5000,
      onConnect(session, cb) {
        const state: SessionState = { kind: spec.kind, settings: self.deps.settings(), localUsers: [] };
        self.states.set(session.id, state);
        // Passwords only travel encrypted: AUTH is not even offered until STARTTLS (RFC 3207 §4).
        if (!spec.secure && !state.settings.smtp.allowPlaintextAuth) session.disabledCommands = ['AUTH'];
        const log = self.deps.sessionLogs.open('smtp-in', { ip: session.remoteAddress, port: session.remotePort });
        log.note(`${spec.kind} listener on port ${spec.port}${spec.secure ? ' (TLS)' : ''}`);
        self.logs.set(session.id, log);
        cb();
      },
      onSecure(_socket, session, cb) {
        session.disabledCommands = [];
        cb();
      },
      onClose(session) {
        self.states.delete(session.id);
        void self.logs.get(session.id)?.close();
        self.logs.delete(session.id);
      },
      onAuth(auth, session, cb) {
        const state = self.state(session);
        self.policy.authenticate(auth, state).then((user) => {
          state.user = user;
          self.logs.get(session.id)?.note(`authenticated as ${user.address} (${auth.method})`);
          cb(null, { user: user.address });
        }, (err: SmtpError) => {
          self.logs.get(session.id)?.note(`authentication failed for ${String(auth.username ?? '').slice(0, 100)} (${auth.method})`);
          cb(err);
        });
      },
      onMailFrom(address, session, cb) {
        self.policy.mailFrom(address, session, self.state(session)).then(() => cb(), (err) => cb(asSmtpError(err)));
      },
      onRcptTo(address, session, cb) {
        self.policy.rcptTo(address, session, self.state(session)).then(() => cb(), (err) => cb(asSmtpError(err)));
      },
      onData(stream, session, cb) {
        const state = self.state(session);
        acceptData(stream, session, state, self.deps).then((msg) => cb(null, msg), (err) => {
          stream.resume(); // drain what is left so the reply goes out after the final dot
          const e = asSmtpError(err);
          cb(e);
          if (e.responseCode === 552 && state.settings.smtp.oversizeAction === 'disconnect') {
            setImmediate(() => self.connection(server, session.id)?.close());
          }
        });
      },
    };
    const server = new SMTPServer(options);
    this.patchConnections(server);
    return server;
  }

  /** smtp-server creates its connections itself; give each our RSET/VRFY/EXPN handlers as it is made. */
  private patchConnections(server: SMTPServer): void {
    const s = server as unknown as { connect(socket: unknown, opts: unknown): void; connections: Set<Conn> };
    const connect = s.connect.bind(server);
    s.connect = (socket, opts) => {
      connect(socket, opts);
      for (const c of s.connections) if (!c.__youju) this.patch(c);
    };
  }

  private connection(server: SMTPServer, id: string): Conn | undefined {
    for (const c of (server as unknown as { connections: Set<Conn> }).connections) if (c.id === id) return c;
    return undefined;
  }

  private patch(c: Conn): void {
    c.__youju = true;
    const send = c.send.bind(c);
    // Our replies carry their own enhanced code; don't let smtp-server add a generic one.
    c.send = (code, data, context) => send(code, data, typeof data === 'string' && ENHANCED.test(data) ? false : context);
    let rsets = 0;
    const rset = c.handler_RSET.bind(c);
    c.handler_RSET = (command, cb) => {
      const max = this.states.get(c.id)?.settings.smtp.maxRset ?? 0;
      if (max > 0 && ++rsets > max) {
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

  /** smtp-server logs every command and reply through a bunyan-style logger: route them to the session log. */
  private sessionLogger() {
    const write = (entry: { tnx?: string; cid?: string }, fmt: string, ...args: unknown[]) => {
      const log = entry.cid ? this.logs.get(entry.cid) : undefined;
      if (!log) return;
      const line = format(fmt, ...args);
      if (entry.tnx === 'command') log.recv(line.replace(/^C: /, ''));
      else if (entry.tnx === 'send') log.send(line.replace(/^S: /, ''));
      else if (entry.tnx === 'data') log.note(line.replace(/^C: /, ''));
      else if (entry.tnx === 'starttls' || entry.tnx === 'close' || entry.tnx === 'error') log.note(line);
    };
    const noop = () => undefined;
    const logger = { info: write, debug: write, error: write, warn: write, trace: noop, fatal: write, child: () => logger };
    return logger;
  }
}

function asSmtpError(err: unknown): SmtpError {
  return (err as SmtpError)?.responseCode ? err as SmtpError : smtpErrorFrom(err);
}
