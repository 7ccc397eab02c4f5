/**
 * One outbound SMTP transaction to one address: TCP connect (our timer), then nodemailer's
 * SMTPConnection for greeting, EHLO, STARTTLS (opportunistic, required, implicit or none), AUTH,
 * one transaction (MAIL, RCPT per recipient, DATA) and QUIT — or, with a connection pool, RSET on an
 * idle session of the same server and back to the pool afterwards (RFC 5321 §4.1.1.5). Reports one SmtpReply per recipient,
 * read from the command/reply transcript, so a 550 to one RCPT fails only that recipient even
 * when the whole envelope was pipelined (RFC 2920). No DNS, routing, retries or limits: those are
 * smtp-transport.ts. RFC 5321 §3.3, §4.5.3.2 (timeouts); RFC 3207 (STARTTLS); RFC 4954 (AUTH).
 * Session-log lines: '--> ' we sent, '<-- ' we got, anything else is a note. AUTH data is never logged.
 * DSN (RFC 3461 §6.2.1): when the server advertises DSN, RET/ENVID go on MAIL and each recipient's
 * own NOTIFY/ORCPT on its RCPT, and its 2xx replies say nextHopDsn (notices are then its job).
 */
import net from 'node:net';
import SMTPConnection from 'nodemailer/lib/smtp-connection';
import type { DsnParams } from '../../queue/dsn-params.ts';
import type { SmtpReply } from '../transport.ts';
import type { ConnectionPool, PoolableSession } from './connection-pool.ts';
import { LOCAL_REPLIES, parseReply, remoteMtaName } from './smtp-reply.ts';
import { passRecipientDsn, Transcript } from './smtp-transcript.ts';

export interface SessionTarget {
  /** The name we meant (MX or smart host name, or the IP): SNI, certificate check, logs. */
  host: string;
  address: string;
  port: number;
  /** 'opportunistic': STARTTLS when offered, plain text if it fails; 'required': STARTTLS or nothing. */
  tls: 'opportunistic' | 'required' | 'implicit' | 'none';
  verifyCertificate: boolean;
  auth?: { user: string; pass: string };
}

export interface SessionOptions {
  /** Our name for EHLO. */
  hostname: string;
  connectTimeoutMs: number;
  /** Greeting, EHLO, STARTTLS and AUTH together; also the wait for each command reply. */
  greetingTimeoutMs: number;
  /** Wait for the reply to the end of data. */
  dataTimeoutMs: number;
  log?: (line: string) => void;
  signal: AbortSignal;
  /** Idle sessions to reuse and to return to (connection-pool.ts); absent: one session per call. */
  pool?: ConnectionPool<OpenSession>;
}

export interface SmtpTransaction {
  /** '' is the null sender <>. */
  sender: string;
  recipients: string[];
  /** The message, CRLF line ends (toCrlf); dot-stuffing is done on the wire. */
  body: Buffer;
  /** Whether body has bytes above 127: asks for BODY=8BITMIME when offered (RFC 6152). */
  isEightBit: boolean;
  /** The sender's DSN requests, passed on when the server offers DSN (RFC 3461). */
  dsn?: DsnParams;
}

export type SessionOutcome =
  /** Nothing was sent: connection, greeting, TLS or AUTH failed. The caller may try another address. */
  | { kind: 'no-session'; reply: SmtpReply }
  /** A transaction ran: one reply per recipient (2xx delivered, 4xx deferred, 5xx failed). */
  | { kind: 'done'; replies: Map<string, SmtpReply> };

/** Every line end becomes CRLF (bare LF and bare CR included: smtp-server stores them as sent). */
export function toCrlf(body: Buffer): Buffer {
  if (!body.includes(0x0a) && !body.includes(0x0d)) return body;
  const out = Buffer.allocUnsafe(body.length * 2);
  let n = 0;
  for (let i = 0; i < body.length; i++) {
    const b = body[i] as number;
    if (b === 0x0d) {
      out[n++] = 0x0d;
      out[n++] = 0x0a;
      if (body[i + 1] === 0x0a) i++;
    } else if (b === 0x0a) {
      out[n++] = 0x0d;
      out[n++] = 0x0a;
    } else {
      out[n++] = b;
    }
  }
  return out.subarray(0, n);
}

/** True when any byte is above 127. */
export function isEightBit(body: Buffer): boolean {
  for (let i = 0; i < body.length; i++) if ((body[i] as number) > 0x7f) return true;
  return false;
}

/** TCP connect with our own timeout and abort; the socket is handed to SMTPConnection. */
function connectTcp(address: string, port: number, timeoutMs: number, signal: AbortSignal): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: address, port });
    const cleanup = (): void => {
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
      socket.off('error', fail);
      socket.off('connect', ok);
    };
    const fail = (err: Error): void => {
      cleanup();
      socket.destroy();
      reject(err);
    };
    const ok = (): void => {
      cleanup();
      resolve(socket);
    };
    const onAbort = (): void => fail(new Error('aborted'));
    const timer = setTimeout(() => fail(new Error(`connect timed out after ${timeoutMs / 1000} s`)), timeoutMs);
    socket.once('connect', ok);
    socket.once('error', fail);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

type SmtpError = Error & { code?: string; response?: string; command?: string };

/** A polite QUIT waits this long for 221 and the close (RFC 5321 §4.1.1.10) before the slot is freed anyway. */
const QUIT_WAIT_MS = 1000;

/** A greeted (and maybe authenticated) session between transactions: what the connection pool keeps. */
export interface OpenSession extends PoolableSession {
  readonly conn: SMTPConnection;
  readonly t: Transcript;
  readonly where: string;
  readonly remoteMta: string;
  /** Rejects when the connection fails or closes. */
  readonly broken: Promise<never>;
  closedBy(): SmtpError | undefined;
}

type OpenAttempt = { kind: 'open'; session: OpenSession } | { kind: 'no-session'; reply: SmtpReply } | { kind: 'retry-plain' };

/** Pool key: the server, and what the session was set up with (TLS mode, AUTH user). */
export const poolKey = (t: SessionTarget): string => `${t.address}:${t.port} ${t.host} ${t.tls} ${t.auth?.user ?? ''}`;

/**
 * Runs one transaction, on an idle session from opts.pool (after RSET) or a new one. Never throws:
 * every failure is a reply. A session whose transaction went through goes back to the pool (or
 * QUIT without a pool). Log lines are handed to opts.log together when it ends, so concurrent
 * sessions do not interleave in the log.
 */
export async function runSmtpSession(target: SessionTarget, tx: SmtpTransaction, opts: SessionOptions): Promise<SessionOutcome> {
  const lines: string[] = [];
  const buffer = (line: string): void => { lines.push(line); };
  const flush = (): void => { for (const line of lines.splice(0)) opts.log?.(line); };
  try {
    const key = poolKey(target);
    let session = await reuse(opts.pool?.take(key), opts, buffer);
    if (!session) {
      let opened = await openSession(target, opts, buffer);
      if (opened.kind === 'retry-plain') {
        flush();
        // RFC 3207 §4.1 leaves a failed opportunistic upgrade to the client: try once in plain text.
        opened = await openSession({ ...target, tls: 'none' }, opts, buffer);
        if (opened.kind === 'retry-plain') return { kind: 'no-session', reply: LOCAL_REPLIES.tlsFailed(target.host, 'retry failed') };
      }
      if (opened.kind === 'no-session') return opened;
      session = opened.session;
    }
    const { outcome, reusable } = await transact(session, tx, opts);
    if (reusable && opts.pool && !opts.signal.aborted) opts.pool.put(key, session);
    else if (reusable) await quitPolitely(session);
    else session.conn.close();
    return outcome;
  } finally {
    flush();
  }
}

/** An idle session made ready for the next transaction with RSET; undefined (and closed) if that fails. */
async function reuse(s: OpenSession | undefined, opts: SessionOptions, log: (line: string) => void): Promise<OpenSession | undefined> {
  if (!s || s.dead) return undefined;
  s.t.log = log;
  log(`Reusing the connection to ${s.where}`);
  try {
    await Promise.race([new Promise<void>((resolve, reject) => s.conn.reset((err) => (err ? reject(err) : resolve()))), s.broken]);
    if (opts.signal.aborted) throw new Error('aborted');
    return s;
  } catch (err) {
    log(`Reset of ${s.where} failed: ${(err as Error).message}; opening a new connection`);
    s.conn.close();
    return undefined;
  }
}

async function quitPolitely(s: OpenSession): Promise<void> {
  s.conn.quit();
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([s.broken.catch(() => {}), new Promise((resolve) => { timer = setTimeout(resolve, QUIT_WAIT_MS); })]);
  clearTimeout(timer);
}

async function openSession(target: SessionTarget, opts: SessionOptions, log: (line: string) => void): Promise<OpenAttempt> {
  const where = target.host === target.address ? `[${target.address}]:${target.port}` : `${target.host}[${target.address}]:${target.port}`;
  const remoteMta = remoteMtaName(target.host, target.address);
  if (opts.signal.aborted) return { kind: 'no-session', reply: LOCAL_REPLIES.interrupted() };

  // Connect
  log(`Attempting SMTP connection to ${where}${target.tls === 'implicit' ? ' (TLS)' : ''}`);
  let socket: net.Socket;
  try {
    socket = await connectTcp(target.address, target.port, opts.connectTimeoutMs, opts.signal);
  } catch (err) {
    if (opts.signal.aborted) return { kind: 'no-session', reply: LOCAL_REPLIES.interrupted() };
    log(`Connection to ${where} failed: ${(err as Error).message}`);
    return { kind: 'no-session', reply: LOCAL_REPLIES.noAnswer(where, (err as Error).message) };
  }
  log(`Connection established ${socket.localAddress}:${socket.localPort} - ${target.address}:${target.port}`);

  const t = new Transcript(log);
  const servername = net.isIP(target.host) ? undefined : target.host;
  const conn = new SMTPConnection({
    connection: socket,
    host: target.address,
    port: target.port,
    servername,
    name: opts.hostname,
    secure: target.tls === 'implicit',
    requireTLS: target.tls === 'required',
    opportunisticTLS: target.tls === 'opportunistic',
    ignoreTLS: target.tls === 'none',
    tls: { rejectUnauthorized: target.verifyCertificate, servername },
    // The socket is already connected, so nodemailer's connection timer only covers the greeting,
    // EHLO and STARTTLS (RFC 5321 §4.5.3.2.1: 5 minutes for the greeting).
    connectionTimeout: opts.greetingTimeoutMs,
    greetingTimeout: opts.greetingTimeoutMs,
    // One inactivity timer for every later wait: the longest one (§4.5.3.2.6, end of data) bounds it.
    socketTimeout: Math.max(opts.greetingTimeoutMs, opts.dataTimeoutMs),
    logger: t.logger,
    transactionLog: true,
  });

  // Any error or close ends every step still waiting; nodemailer forgets some callbacks on close.
  let closedBy: SmtpError | undefined;
  let dead = false;
  const broken = new Promise<never>((_, reject) => {
    conn.on('error', (err: SmtpError) => { closedBy ??= err; dead = true; reject(err); });
    conn.once('end', () => { dead = true; reject(closedBy ?? new Error('connection closed')); });
  });
  broken.catch(() => {});
  const session: OpenSession = {
    conn, t, where, remoteMta, broken, closedBy: () => closedBy,
    get dead() { return dead; },
    quit: () => { if (!dead) conn.quit(); },
    park: () => { socket.unref(); },
    unpark: () => { socket.ref(); },
  };
  const onAbort = (): void => { closedBy ??= new Error('aborted'); conn.close(); };
  opts.signal.addEventListener('abort', onAbort, { once: true });

  // Greeting, EHLO, STARTTLS, AUTH
  try {
    await step(session, (done) => conn.connect((err) => done(err)));
    if (target.auth) await step<boolean>(session, (done) => conn.login({ user: target.auth?.user, pass: target.auth?.pass }, done));
    return { kind: 'open', session };
  } catch (err) {
    conn.close();
    const e = err as SmtpError;
    if (opts.signal.aborted) return { kind: 'no-session', reply: LOCAL_REPLIES.interrupted() };
    log(`Session with ${where} failed: ${e.message}`);
    const said = t.greeting ? remoteMta : undefined;
    if (e.code === 'ETLS' && target.tls === 'opportunistic') {
      log('STARTTLS failed; trying again without TLS');
      return { kind: 'retry-plain' };
    }
    if (e.code === 'ETLS') return { kind: 'no-session', reply: LOCAL_REPLIES.tlsFailed(where, e.message) };
    const code = e.code === 'EAUTH' ? '4.7.0' : '4.4.2';
    return { kind: 'no-session', reply: { code: 451, enhanced: code, text: `session with ${where} failed: ${e.message}`, ...(said ? { remoteMta: said } : {}) } };
  } finally {
    opts.signal.removeEventListener('abort', onAbort);
  }
}

/** One nodemailer step, ended early when the connection breaks. */
function step<T>(s: OpenSession, run: (done: (err: SmtpError | null | undefined, v?: T) => void) => void): Promise<T | undefined> {
  return Promise.race([new Promise<T | undefined>((resolve, reject) => run((err, v) => (err ? reject(err) : resolve(v)))), s.broken]);
}

/** MAIL, RCPT…, DATA on an open session; reusable when it went through and the connection lives. */
async function transact(s: OpenSession, tx: SmtpTransaction, opts: SessionOptions): Promise<{ outcome: SessionOutcome; reusable: boolean }> {
  const { conn, t, where, remoteMta } = s;
  t.beginTransaction();
  const onAbort = (): void => { conn.close(); };
  opts.signal.addEventListener('abort', onAbort, { once: true });
  let sendError: SmtpError | undefined;
  passRecipientDsn(conn, t, tx.dsn);
  const envelopeDsn = tx.dsn && (tx.dsn.ret || tx.dsn.envid) ? { dsn: { ret: tx.dsn.ret, envid: tx.dsn.envid } } : {};
  try {
    await step(s, (done) => conn.send({
      from: tx.sender,
      to: tx.recipients,
      size: tx.body.length,
      use8BitMime: tx.isEightBit,
      ...envelopeDsn,
    } as Parameters<SMTPConnection['send']>[0], tx.body, done));
  } catch (err) {
    sendError = err as SmtpError;
  } finally {
    opts.signal.removeEventListener('abort', onAbort);
  }
  if (!sendError) t.log('Transfer complete');

  const tooBig = sendError?.code === 'EMESSAGE' && !sendError.response && /size larger than allowed (\d+)/i.exec(sendError.message);
  const lost = (): SmtpReply => (opts.signal.aborted
    ? LOCAL_REPLIES.interrupted()
    : LOCAL_REPLIES.connectionLost(where, sendError?.message ?? s.closedBy()?.message ?? 'no reply', remoteMta));
  const replies = new Map<string, SmtpReply>();
  for (const rcpt of tx.recipients) {
    const r = t.rcpt.get(rcpt);
    let out: SmtpReply;
    if (tooBig) out = LOCAL_REPLIES.tooBig(where, Number(tooBig[1]), remoteMta);
    else if (t.mail && !t.mail.startsWith('2')) out = parseReply(t.mail, remoteMta);
    else if (r === undefined) out = lost();
    else if (!r.startsWith('2')) out = parseReply(r, remoteMta);
    else if (t.final !== undefined) out = parseReply(t.final, remoteMta);
    else if (t.data !== undefined && !t.data.startsWith('3')) out = parseReply(t.data, remoteMta);
    else out = lost();
    replies.set(rcpt, out.code < 400 && t.offersDsn ? { ...out, nextHopDsn: true } : out);
  }
  return { outcome: { kind: 'done', replies }, reusable: !sendError && !s.dead };
}
