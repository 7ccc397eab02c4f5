/**
 * One IMAP connection (RFC 3501 §3, §5): bytes in through the CommandReader, one command at a time
 * through the handlers in commands/, responses out with back-pressure. It owns the transport
 * changes (STARTTLS, COMPRESS=DEFLATE), IDLE (RFC 2177) and AUTHENTICATE continuations, the idle
 * timer, and when untagged updates for the selected mailbox may be sent (RFC 3501 §7.4.1: never an
 * EXPUNGE during FETCH, STORE or SEARCH). Input is read only as fast as commands are handled, so
 * memory stays bounded whatever a client sends.
 */
import { mayLogIn, runSasl, type Credentials } from '../auth/sasl.ts';
import net from 'node:net';
import tls from 'node:tls';
import zlib from 'node:zlib';
import type { Settings } from '../config/settings.ts';
import type { SessionLog } from '../core/log/session-log.ts';
import type { DirectoryUser } from '../directory/users.ts';
import { capabilityList } from './capabilities.ts';
import { dispatch } from './commands/dispatch.ts';
import type { Completion, ImapContext, ImapDeps, NotifyInterest, SelectedMailbox, SessionState } from './context.ts';
import { CommandReader, type RawCommand, type ReaderEvent } from './protocol/tokenizer.ts';
import { parseAuthenticateResponse, parseCommand, parseIdleDone } from './protocol/parser.ts';
import { ParseError } from './protocol/parse-error.ts';
import { continuation, formatParseError, taggedStatus, untaggedStatus, type SerializeOptions } from './protocol/serializer.ts';
import { syncSelected } from './updates.ts';
import { fetchNew } from './commands/fetch.ts';
import type { Command } from './protocol/command.ts';
import type { ByteRate } from '../core/byte-rate.ts';
import { sessionByteRate } from '../screening/bandwidth.ts';

/** Pause reading while this much input waits unparsed. */
const INPUT_HIGH_WATER = 1024 * 1024;
/** Wait for the client to read once this much output is queued. */
const OUTPUT_HIGH_WATER = 512 * 1024;

/** A one-line exchange in progress: IDLE's DONE or an AUTHENTICATE response. */
type LineHandler = (line: Buffer) => Promise<void>;

export class ImapSession implements ImapContext {
  state: SessionState = 'not-authenticated';
  user: DirectoryUser | undefined;
  selected: SelectedMailbox | undefined;
  notify: NotifyInterest | undefined;
  readonly enabled = new Set<string>();
  readonly wire: SerializeOptions = {};
  readonly settings: Readonly<Settings>;
  readonly ip: string;

  private reader: CommandReader;
  private socket: net.Socket;
  private deflate: zlib.DeflateRaw | undefined;
  private deflatePending = false;
  private inflate: zlib.InflateRaw | undefined;
  private running = false;
  private paused = false;
  private closed = false;
  private lineHandler: LineHandler | undefined;
  private idleTag: string | undefined;
  private pendingChange = false;
  private pollQueued = false;
  private stopWatching: (() => void) | undefined;
  private idleTimer: NodeJS.Timeout | undefined;
  private lock: Promise<void> = Promise.resolve();
  private releaseLogin: (() => void) | undefined;
  /** 带宽限制 (screening.bandwidth.imapOutKBps), counted on what is written, waited for between commands and in long FETCHes. */
  private readonly rate: ByteRate | undefined;

  constructor(
    readonly deps: ImapDeps,
    socket: net.Socket,
    public secure: boolean,
    readonly log: SessionLog,
    private readonly secureContext: tls.SecureContext,
    /** Counts the session against its user; false over the per-user limit, else the function that stops counting it. */
    private readonly onLogin: (session: ImapSession) => (() => void) | false,
  ) {
    this.settings = deps.settings();
    this.ip = socket.remoteAddress ?? '?';
    this.rate = sessionByteRate('imapOut', this.ip, this.settings);
    this.socket = socket;
    this.reader = this.newReader();
    this.attach(socket);
    this.write(untaggedStatus('OK', `${deps.hostname} Youju IMAP4rev1 ready`, { code: 'CAPABILITY', capabilities: this.capabilities() }));
    const stopChanges = deps.bus.on('mailbox.changed', (e) => {
      const sel = this.selected;
      if (this.notify && e.userId === this.user?.id && e.mailboxId !== sel?.mailbox.id) this.notifyOthers();
      if (!sel || e.mailboxId !== sel.mailbox.id || e.highestmodseq <= sel.view.highestmodseq) return;
      this.changed();
    });
    // NOTIFY MailboxName / SubscriptionChange (RFC 5465 §5.4, §5.5).
    const stopList = deps.bus.on('mailboxes.changed', (e) => { if (this.notify && e.userId === this.user?.id) this.notifyOthers(); });
    // The cluster relay was down: another node's changes may not have been heard, so look again.
    const stopResync = deps.bus.on('cluster.resync', () => {
      if (this.selected) this.changed();
      if (this.notify) this.notifyOthers();
    });
    this.stopWatching = () => { stopChanges(); stopList(); stopResync(); };
  }

  /**
   * NOTIFY for mailboxes other than the selected one: one comparison with the last snapshot for a
   * burst of events, sent between commands (RFC 5465 §3: at any time, never inside a response).
   */
  private notifyOthers(): void {
    if (this.pollQueued) return;
    this.pollQueued = true;
    void this.exclusive(async () => {
      this.pollQueued = false;
      if (!this.notify || this.state === 'not-authenticated' || this.closed) return;
      await this.notify.poll(this);
      this.flush();
    }).catch((err: Error) => this.log.note(`NOTIFY failed: ${err.message}`));
  }

  /**
   * The selected mailbox may have changed: tell an idling client now, others at their next command;
   * under NOTIFY SELECTED (RFC 5465 §6) also between commands, when none is waiting to be read.
   */
  private changed(): void {
    this.pendingChange = true;
    if (this.idleTag === undefined && !this.notify?.selected) return;
    void this.exclusive(async () => {
      const idling = this.idleTag !== undefined;
      if (!idling && !(this.notify?.selected && this.reader.isIdle && this.reader.bufferedBytes === 0)) return;
      await this.sendUpdates({ expunges: true, deferExpunges: !idling && this.notify?.selected === 'selected-delayed' });
      this.flush();
    }).catch((err: Error) => this.log.note(`update while idling failed: ${err.message}`));
  }

  capabilities(): string[] {
    return capabilityList({
      state: this.state, secure: this.secure, settings: this.settings, compressed: this.deflate !== undefined,
    });
  }

  // ── Output ───────────────────────────────────────────────────────────────────────────────

  write(bytes: Buffer): void {
    if (this.closed) return;
    this.rate?.take(bytes.length);
    if (this.deflate) {
      this.deflate.write(bytes);
      this.deflatePending = true;
    } else {
      this.socket.write(bytes);
    }
  }

  async drain(): Promise<void> {
    if (this.rate) await this.rate.pace(0);
    if (this.deflate && this.deflatePending) {
      this.deflatePending = false;
      await new Promise<void>((r) => this.deflate!.flush(zlib.constants.Z_SYNC_FLUSH, () => r()));
    }
    if (this.closed || this.socket.writableLength < OUTPUT_HIGH_WATER) return;
    await new Promise<void>((resolve) => {
      const done = () => { this.socket.off('drain', done); this.socket.off('close', done); resolve(); };
      this.socket.once('drain', done);
      this.socket.once('close', done);
    });
  }

  /** Pushes compressed output out (an empty flush would reach some clients as an empty read). */
  private flush(): void {
    if (!this.deflate || !this.deflatePending) return;
    this.deflatePending = false;
    this.deflate.flush(zlib.constants.Z_SYNC_FLUSH);
  }

  private logSend(text: string): void {
    this.log.send(text.replace(/\r\n$/, ''));
  }

  private complete(tag: string, c: Completion): void {
    const line = taggedStatus(tag, c.status, c.text, c.code);
    this.write(line);
    this.logSend(line.toString('utf8'));
  }

  // ── Input ────────────────────────────────────────────────────────────────────────────────

  private newReader(): CommandReader {
    const imap = this.settings.imap;
    return new CommandReader({
      maxLineBytes: imap.maxLineBytes,
      maxLiteralBytes: imap.appendLimitBytes,
      maxNonSyncLiteralBytes: Infinity, // LITERAL+ is advertised
      maxCommandBytes: imap.maxCommandBytes,
      maxLiteralsPerCommand: imap.maxLiteralsPerCommand,
    });
  }

  private attach(socket: net.Socket): void {
    socket.on('data', (chunk: Buffer) => this.onBytes(chunk));
    socket.on('error', () => socket.destroy());
    socket.on('close', () => this.shutdown());
    this.touch();
  }

  private onBytes(chunk: Buffer): void {
    if (this.inflate) this.inflate.write(chunk);
    else this.feed(chunk);
  }

  private feed(chunk: Buffer): void {
    this.touch();
    this.reader.push(chunk);
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
    if (this.reader.bufferedBytes > INPUT_HIGH_WATER && !this.paused) {
      this.paused = true;
      this.socket.pause();
    }
    this.pump();
  }

  private touch(): void {
    clearTimeout(this.idleTimer);
    const seconds = this.settings.limits.imapIdleTimeoutSec;
    this.idleTimer = setTimeout(() => {
      this.write(untaggedStatus('BYE', 'Autologout; idle for too long'));
      this.log.note(`closed after ${seconds} s without a command`);
      this.end();
    }, seconds * 1000);
    this.idleTimer.unref();
  }

  private pump(): void {
    if (this.running || this.closed) return;
    this.running = true;
    void this.run();
  }

  private async run(): Promise<void> {
    try {
      for (;;) {
        if (this.closed) return;
        const event = this.reader.next();
        if (!event) break;
        await this.exclusive(() => this.handleEvent(event));
        this.flush();
        if (this.rate) await this.rate.pace(0); // 带宽限制: the next command waits for what went
      }
    } catch (err) {
      this.log.note(`internal error: ${(err as Error).message}`);
      this.write(untaggedStatus('BYE', 'Internal server error'));
      this.end();
    } finally {
      this.running = false;
    }
    if (this.paused && this.reader.bufferedBytes < INPUT_HIGH_WATER / 2 && !this.closed) {
      this.paused = false;
      this.socket.resume();
    }
    // Input that arrived while the last event was handled.
    if (this.reader.bufferedBytes > 0 && !this.closed) this.pump();
  }

  /** Runs fn alone: commands and IDLE notifications never interleave their output. */
  private exclusive(fn: () => Promise<void>): Promise<void> {
    const next = this.lock.then(fn);
    this.lock = next.catch(() => undefined);
    return next;
  }

  private async handleEvent(event: ReaderEvent): Promise<void> {
    switch (event.kind) {
      case 'continue':
        this.write(continuation());
        return;
      case 'error': {
        const reply = formatParseError(event.error);
        this.write(reply);
        this.logSend(reply.toString('utf8'));
        if (event.error.fatal) this.end();
        return;
      }
      case 'line': {
        const handler = this.lineHandler;
        this.lineHandler = undefined;
        if (handler) await handler(event.line);
        return;
      }
      case 'command':
        return this.handleCommand(event.command);
    }
  }

  private async handleCommand(raw: RawCommand): Promise<void> {
    this.log.recv(describeForLog(raw));
    let command: Command;
    try {
      command = parseCommand(raw, { utf8: this.enabled.has('UTF8=ACCEPT') || this.enabled.has('IMAP4REV2') });
    } catch (err) {
      if (!(err instanceof ParseError)) throw err;
      const reply = formatParseError(err);
      this.write(reply);
      this.logSend(reply.toString('utf8'));
      if (err.fatal) this.end();
      return;
    }
    switch (command.name) {
      case 'STARTTLS':
        return this.startTls(command.tag);
      case 'COMPRESS':
        return this.compress(command.tag, command.mechanism);
      case 'IDLE':
        return this.idle(command.tag);
      case 'AUTHENTICATE':
        return this.authenticate(command.tag, command.mechanism, command.initialResponse);
      case 'LOGOUT':
        this.write(untaggedStatus('BYE', 'Logging out'));
        this.complete(command.tag, { status: 'OK', text: 'LOGOUT completed' });
        this.state = 'logout';
        this.flush();
        this.end();
        return;
      default: {
        const result = await dispatch(this, command);
        if (this.state === 'logout') {
          this.complete(command.tag, result);
          this.end();
          return;
        }
        this.complete(command.tag, result);
      }
    }
  }

  // ── Updates for the selected mailbox ─────────────────────────────────────────────────────

  async sendUpdates(options: { expunges: boolean; deferExpunges?: boolean }): Promise<void> {
    if (!this.selected || !options.expunges) return; // no partial syncs: the view stays consistent
    const lastUid = this.selected.view.maxUid;
    this.pendingChange = false;
    if (!(await syncSelected(this, { deferExpunges: options.deferExpunges }))) {
      this.pendingChange = true;
      return;
    }
    // NOTIFY (SELECTED (MessageNew (fetch-att …))): the new messages' data after EXISTS (RFC 5465 §5.2).
    if (this.notify?.selected && this.notify.fetch && this.selected && this.selected.view.maxUid > lastUid) {
      await fetchNew(this, lastUid + 1, this.notify.fetch);
    }
  }

  /** After a command: tell the client what changed elsewhere, when it may be told. */
  hasPendingChange(): boolean {
    return this.pendingChange;
  }

  // ── Transport changes ────────────────────────────────────────────────────────────────────

  private startTls(tag: string): void {
    if (this.secure) return this.complete(tag, { status: 'BAD', text: 'TLS is already active' });
    if (this.state !== 'not-authenticated') return this.complete(tag, { status: 'BAD', text: 'STARTTLS only before login' });
    // After UNAUTHENTICATE a compressed session stays compressed: TLS cannot go under it (RFC 4978 §4).
    if (this.deflate) return this.complete(tag, { status: 'BAD', text: 'STARTTLS is not allowed after COMPRESS' });
    this.complete(tag, { status: 'OK', text: 'Begin TLS negotiation now' });
    // Anything the client pipelined after STARTTLS is dropped: it was sent in the clear (CVE-2011-0411).
    this.reader = this.newReader();
    const plain = this.socket;
    plain.removeAllListeners('data');
    plain.removeAllListeners('close');
    plain.removeAllListeners('error');
    const secure = new tls.TLSSocket(plain, { isServer: true, secureContext: this.secureContext });
    this.socket = secure;
    secure.once('secure', () => {
      this.secure = true;
      this.log.note(`TLS started (${secure.getProtocol() ?? '?'})`);
    });
    this.attach(secure);
  }

  private compress(tag: string, mechanism: string): void {
    if (mechanism !== 'DEFLATE') return this.complete(tag, { status: 'NO', text: `Unsupported compression ${mechanism.slice(0, 20)}` });
    if (!this.settings.imap.compressEnabled) return this.complete(tag, { status: 'NO', text: 'Compression is not offered' });
    if (this.deflate) return this.complete(tag, { status: 'NO', text: 'Compression is already active', code: 'COMPRESSIONACTIVE' });
    this.complete(tag, { status: 'OK', text: 'DEFLATE active' });
    const deflate = zlib.createDeflateRaw({ level: 6, windowBits: 15 });
    const inflate = zlib.createInflateRaw({ windowBits: 15 });
    deflate.on('data', (c: Buffer) => { if (!this.socket.destroyed) this.socket.write(c); });
    inflate.on('data', (c: Buffer) => this.feed(c));
    inflate.on('error', () => this.end());
    this.deflate = deflate;
    this.inflate = inflate;
    // Bytes already read past the COMPRESS line are compressed data.
    const rest = this.reader.takeBuffered();
    this.reader = this.newReader();
    if (rest.length > 0) inflate.write(rest);
  }

  private idle(tag: string): Promise<void> | void {
    if (this.state !== 'authenticated' && this.state !== 'selected') {
      return this.complete(tag, { status: 'BAD', text: 'IDLE needs a login' });
    }
    this.write(continuation('idling'));
    this.idleTag = tag;
    this.reader.expectLine();
    this.lineHandler = async (line) => {
      this.idleTag = undefined;
      try {
        parseIdleDone(line);
      } catch {
        return this.complete(tag, { status: 'BAD', text: 'Expected DONE' });
      }
      this.log.recv('DONE');
      return this.complete(tag, { status: 'OK', text: 'IDLE terminated' });
    };
    // Changes that came before IDLE are reported at once.
    if (this.selected) return this.sendUpdates({ expunges: true });
  }

  private async authenticate(tag: string, mechanism: string, initial: Buffer | undefined): Promise<void> {
    if (this.state !== 'not-authenticated') return this.complete(tag, { status: 'BAD', text: 'Already authenticated' });
    if (!this.mayLogin()) {
      return this.complete(tag, { status: 'NO', text: 'Use STARTTLS before authenticating', code: 'PRIVACYREQUIRED' });
    }
    const r = await runSasl(mechanism, initial, (challenge) => this.readResponse(challenge),
      { cramMd5: this.settings.security.cramMd5Enabled, hostname: this.deps.hostname });
    if (!r.ok) {
      if (r.reason === 'unsupported') return this.complete(tag, { status: 'NO', text: `Unsupported mechanism ${mechanism.slice(0, 20)}` });
      if (r.reason === 'proxy') return this.complete(tag, { status: 'NO', text: 'Acting as another user is not allowed', code: 'AUTHORIZATIONFAILED' });
      if (r.reason === 'cancelled') return this.complete(tag, { status: 'BAD', text: 'Authentication cancelled' });
      return this.complete(tag, { status: 'BAD', text: `Malformed ${mechanism.toUpperCase().slice(0, 20)} response` });
    }
    this.complete(tag, await this.login(r.credentials));
  }

  /**
   * AUTHENTICATE's exchange (RFC 3501 §6.2.2): sends a base64 challenge and reads the client's line
   * here, while the command still holds the session; undefined when cancelled ("*"), malformed or gone.
   */
  private async readResponse(challenge: string): Promise<Buffer | undefined> {
    this.write(continuation(Buffer.from(challenge).toString('base64')));
    this.flush();
    this.reader.expectLine();
    for (;;) {
      if (this.closed) return undefined;
      const event = this.reader.next();
      if (event) {
        if (event.kind !== 'line') return undefined;
        this.log.recvSecret();
        try {
          const r = parseAuthenticateResponse(event.line);
          return r.cancelled ? undefined : r.data;
        } catch {
          return undefined;
        }
      }
      await new Promise<void>((resolve) => { this.wake = resolve; });
    }
  }

  private wake: (() => void) | undefined;

  mayLogin(): boolean {
    return mayLogIn(this.secure, this.settings);
  }

  /** Checks credentials and moves to the authenticated state; the failed-login delay applies. */
  async login(credentials: Credentials): Promise<Completion> {
    const name = credentials.username.slice(0, 256);
    if (this.deps.throttle.isBanned(this.ip)) {
      this.log.note(`login refused: ${this.ip} is banned after repeated failed logins`);
      return { status: 'NO', text: 'Too many failed logins from your address; try again later', code: 'UNAVAILABLE' };
    }
    try {
      this.user = await this.deps.users.authenticateCredentials({ ...credentials, username: name });
    } catch {
      const delay = this.deps.throttle.failed(this.ip, name);
      this.log.note(`authentication failed for ${name}`);
      await new Promise((r) => setTimeout(r, delay));
      return { status: 'NO', text: 'Invalid user name or password', code: 'AUTHENTICATIONFAILED' };
    }
    this.deps.throttle.succeeded(this.ip);
    const release = this.onLogin(this);
    if (!release) {
      this.log.note(`too many sessions for ${this.user.address}`);
      this.user = undefined;
      return { status: 'NO', text: 'Too many sessions for this user', code: 'LIMIT' };
    }
    this.releaseLogin = release;
    this.state = 'authenticated';
    this.log.note(`authenticated as ${this.user.address}`);
    return { status: 'OK', text: 'Logged in', code: { code: 'CAPABILITY', capabilities: this.capabilities() } };
  }

  /**
   * UNAUTHENTICATE (RFC 8437 §3): back to the not-authenticated state as on a new connection; only
   * TLS and COMPRESS stay. The mailbox is unselected without expunging, ENABLEd extensions and NOTIFY end.
   */
  unauthenticate(): void {
    this.log.note(`unauthenticated ${this.user?.address ?? ''}`);
    this.selected = undefined;
    this.notify = undefined;
    this.user = undefined;
    this.enabled.clear();
    this.wire.utf8 = false;
    this.pendingChange = false;
    this.state = 'not-authenticated';
    this.releaseLogin?.();
    this.releaseLogin = undefined;
  }

  // ── Ending ───────────────────────────────────────────────────────────────────────────────

  private end(): void {
    if (this.closed) return;
    this.flush();
    if (this.deflate) {
      this.deflate.end(() => this.socket.end());
    } else {
      this.socket.end();
    }
    setTimeout(() => this.socket.destroy(), 2000).unref();
    this.shutdown();
  }

  private shutdown(): void {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.idleTimer);
    this.stopWatching?.();
    this.wake?.();
    this.inflate?.destroy();
  }

  get isClosed(): boolean {
    return this.closed;
  }
}

/** The command as the session log shows it: text with literals as {n}, LOGIN passwords masked by the log. */
function describeForLog(raw: RawCommand): string {
  let text = '';
  for (const s of raw.segments) {
    if (s.kind === 'text') text += s.bytes.subarray(0, 300).toString('utf8');
    else text += `{${s.bytes.length}}`;
    if (text.length > 300) break;
  }
  return text.length > 300 ? `${text.slice(0, 300)}…` : text;
}
