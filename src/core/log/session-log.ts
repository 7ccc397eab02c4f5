/**
 * Per-protocol session logs in DATA/logs/ (DESIGN §7), readable like the seed manual's:
 *   2026-11-28 10:15:02.331 [s3f9a] <-- EHLO mx.example.com
 * One file per protocol and local day (`smtp-in-2026-11-28.log`); each line goes to the file of its
 * own timestamp, so a session that spans midnight continues in the next day's file. Lines are
 * appended through one buffered stream per file and never block or throw into a protocol; if the
 * disk falls behind by more than maxBufferBytes, lines are dropped and counted. Passwords never
 * reach a file: AUTH/AUTHENTICATE data and continuations, PASS, APOP and IMAP LOGIN are masked.
 */
import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import { readdir, unlink } from 'node:fs/promises';
import { join } from 'node:path';

export const SESSION_PROTOCOLS = [
  'smtp-in', 'smtp-out', 'imap', 'pop3', 'routing', 'antispam', 'antivirus', 'spf', 'dnsbl', 'content-filter', 'screening', 'webmail', 'system', 'multipop', 'domainpop',
] as const;
export type SessionProtocol = (typeof SESSION_PROTOCOLS)[number];

export interface SessionLogsOptions {
  /** The logs directory itself (DATA/logs); created on first write. */
  dir: string;
  clock?: { now(): number };
  /** prune() deletes files dated more than this many days before today. Default 30. */
  retainDays?: number;
  /** Unwritten bytes per file beyond which new lines are dropped (disk stalled). Default 8 MiB. */
  maxBufferBytes?: number;
  /** Told about write failures (disk full, directory removed); logging itself never throws. */
  onError?: (err: Error) => void;
}

const MASK = '****';
const MAX_LINE_CHARS = 2000;
/** How long lines gather before they are written (a file gets at most ~40 writes a second). */
const WRITE_DELAY_MS = 25;

const p2 = (n: number): string => String(n).padStart(2, '0');
/** Local calendar date, YYYY-MM-DD. */
export const localDate = (d: Date): string => `${d.getFullYear()}-${p2(d.getMonth() + 1)}-${p2(d.getDate())}`;
const localTime = (d: Date): string =>
  `${p2(d.getHours())}:${p2(d.getMinutes())}:${p2(d.getSeconds())}.${String(d.getMilliseconds()).padStart(3, '0')}`;

const CONTROL = /[\x00-\x08\x0a-\x1f\x7f]/;
const CONTROL_ALL = new RegExp(CONTROL.source, 'g');

/** Control characters would let a peer forge log lines or garble a terminal: show them escaped. */
function sanitize(text: string): string {
  // Most lines have none: the test is cheaper than a replace that changes nothing.
  const s = CONTROL.test(text) ? text.replace(CONTROL_ALL, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`) : text;
  return s.length > MAX_LINE_CHARS ? `${s.slice(0, MAX_LINE_CHARS)}... (${s.length} chars)` : s;
}

const splitLines = (text: string): string[] => {
  if (!text.includes('\n')) return [text];
  const lines = text.split(/\r?\n/);
  if (lines.length > 1 && lines[lines.length - 1] === '') lines.pop();
  return lines;
};

interface OpenFile {
  date: string;
  stream: WriteStream;
  /** Writes handed to the stream, and writes it has finished: flush() waits for the gap to close. */
  issued: number;
  written: number;
  waiters: Array<{ upTo: number; resolve: () => void }>;
  /** One callback per file, not a closure per line. */
  onWritten: () => void;
  dropped: number;
  /** Lines appended in this turn of the event loop, not yet handed to the stream. */
  pending: string;
}

export class SessionLogs {
  readonly dir: string;
  readonly #clock: { now(): number };
  readonly #retainDays: number;
  readonly #maxBufferBytes: number;
  readonly #onError: (err: Error) => void;
  /** The current file of each protocol. */
  readonly #files = new Map<SessionProtocol, OpenFile>();
  /** Streams of past days still finishing their writes. */
  readonly #closing = new Set<Promise<void>>();
  #dirReady = false;
  #closed = false;
  /** Set while lines are gathering: they are written when it fires, or at flush() or close(). */
  #flushTimer: NodeJS.Timeout | undefined;
  #nextId = Math.floor(Math.random() * 36 ** 4);
  #lastStamp: { ms: number; date: string; stamp: string } | undefined;

  constructor(opts: SessionLogsOptions) {
    this.dir = opts.dir;
    this.#clock = opts.clock ?? { now: () => Date.now() };
    this.#retainDays = opts.retainDays ?? 30;
    this.#maxBufferBytes = opts.maxBufferBytes ?? 8 * 1024 * 1024;
    this.#onError = opts.onError ?? (() => {});
  }

  /** Starts a session and writes its header line: `Session s3f9a; connection from 1.2.3.4:5555`. */
  open(protocol: SessionProtocol, peer: { ip: string; port?: number }): SessionLog {
    // Sequential base-36 ids from a random start: short, and unique for 1.6 million sessions.
    const id = `s${(this.#nextId++ % 36 ** 5).toString(36).padStart(4, '0')}`;
    const ip = peer.ip.includes(':') && peer.port !== undefined ? `[${peer.ip}]` : peer.ip;
    const log = new SessionLog(this, protocol, id, this.#clock);
    this.append(protocol, id, '', `Session ${id}; connection from ${ip}${peer.port === undefined ? '' : `:${peer.port}`}`);
    return log;
  }

  /** Writes one entry (split into lines, each prefixed). Used by SessionLog; never throws. */
  append(protocol: SessionProtocol, id: string, marker: string, text: string): void {
    if (this.#closed) return;
    const { date, stamp } = this.#stamp();
    const prefix = `${stamp} [${id}] ${marker}`;
    let out = '';
    for (const line of splitLines(text)) out += `${prefix}${sanitize(line)}\n`;
    try {
      const f = this.#file(protocol, date);
      if (f.stream.writableLength + f.pending.length > this.#maxBufferBytes) {
        f.dropped++;
        return;
      }
      if (f.dropped > 0) {
        out = `${stamp} [-----] *  ${f.dropped} line(s) dropped: the disk fell behind\n${out}`;
        f.dropped = 0;
      }
      // Lines gather for up to WRITE_DELAY_MS and go to the file in one write: under load many
      // sessions log at once, and each write costs a system call and a thread-pool round trip.
      f.pending += out;
      if (this.#flushTimer === undefined) {
        this.#flushTimer = setTimeout(() => this.#writePending(), WRITE_DELAY_MS);
      }
    } catch (err) {
      this.#onError(err as Error);
    }
  }

  /** The local date and `date time` of now, made once per millisecond: a busy server logs many lines in one. */
  #stamp(): { date: string; stamp: string } {
    const ms = this.#clock.now();
    if (this.#lastStamp?.ms !== ms) {
      const now = new Date(ms);
      const date = localDate(now);
      this.#lastStamp = { ms, date, stamp: `${date} ${localTime(now)}` };
    }
    return this.#lastStamp;
  }

  /** Hands each file's gathered lines to its stream, one write per file. */
  #writePending(): void {
    if (this.#flushTimer !== undefined) clearTimeout(this.#flushTimer);
    this.#flushTimer = undefined;
    for (const f of this.#files.values()) this.#writeOut(f);
  }

  #writeOut(f: OpenFile): void {
    if (f.pending === '') return;
    const text = f.pending;
    f.pending = '';
    f.issued++;
    try {
      f.stream.write(text, f.onWritten);
    } catch (err) {
      this.#onError(err as Error);
    }
  }

  /**
   * Resolves when every line written so far (to `protocol`'s files, or to all) is in its file.
   * Lines written after the call are not waited for, so a busy server cannot stall it.
   */
  async flush(protocol?: SessionProtocol, opts: { batched?: boolean } = {}): Promise<void> {
    // Lines still gathering go out now, in one write with everybody else's; `batched` waits for
    // the timer's write instead (a session's closing line: a write per session would cost a
    // system call per connection under load).
    if (this.#flushTimer !== undefined && !opts.batched) this.#writePending();
    const waits: Array<Promise<unknown>> = [...this.#closing];
    for (const [p, f] of this.#files) {
      const upTo = f.issued + (f.pending === '' ? 0 : 1);
      if ((protocol === undefined || p === protocol) && f.written < upTo) {
        waits.push(new Promise<void>((resolve) => f.waiters.push({ upTo, resolve })));
      }
    }
    await Promise.all(waits);
  }

  /** Writes what is pending, closes every file; later writes are ignored. */
  async close(): Promise<void> {
    this.#closed = true;
    this.#writePending();
    for (const [protocol, f] of this.#files) {
      this.#files.delete(protocol);
      this.#end(f);
    }
    await Promise.all([...this.#closing]);
  }

  /** Deletes session log files dated more than retainDays before today. Returns their names. */
  async prune(): Promise<string[]> {
    const today = new Date(this.#clock.now());
    const cutoff = localDate(new Date(today.getFullYear(), today.getMonth(), today.getDate() - this.#retainDays));
    let names: string[];
    try {
      names = await readdir(this.dir);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw err;
    }
    const pattern = new RegExp(`^(${SESSION_PROTOCOLS.join('|')})-(\\d{4}-\\d{2}-\\d{2})\\.log$`);
    const removed: string[] = [];
    for (const name of names.sort()) {
      const m = pattern.exec(name);
      if (!m || (m[2] ?? '') >= cutoff) continue;
      try {
        await unlink(join(this.dir, name));
        removed.push(name);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') this.#onError(err as Error);
      }
    }
    return removed;
  }

  /** The open file for this protocol and day; rotates when the day changes. */
  #file(protocol: SessionProtocol, date: string): OpenFile {
    const current = this.#files.get(protocol);
    if (current?.date === date) return current;
    if (current) this.#end(current);
    if (!this.#dirReady) {
      mkdirSync(this.dir, { recursive: true }); // once; a microsecond-scale syscall, not per line
      this.#dirReady = true;
    }
    const stream = createWriteStream(join(this.dir, `${protocol}-${date}.log`), { flags: 'a' });
    const f: OpenFile = {
      date, stream, issued: 0, written: 0, waiters: [], dropped: 0, pending: '',
      onWritten: () => {
        f.written++;
        while (f.waiters[0] !== undefined && f.waiters[0].upTo <= f.written) f.waiters.shift()?.resolve();
      },
    };
    stream.on('error', (err) => {
      this.#onError(err);
      // Forget the broken stream: the next line opens the file again (and re-creates the dir).
      if (this.#files.get(protocol) === f) this.#files.delete(protocol);
      this.#dirReady = false;
      f.written = f.issued;
      for (const w of f.waiters.splice(0)) w.resolve();
    });
    this.#files.set(protocol, f);
    return f;
  }

  #end(f: OpenFile): void {
    this.#writeOut(f);
    const done = new Promise<void>((resolve) => {
      if (f.stream.destroyed) return resolve();
      f.stream.once('close', () => resolve());
      f.stream.end();
    });
    this.#closing.add(done);
    void done.then(() => this.#closing.delete(done));
  }
}

type Direction = 'recv' | 'send';

/**
 * One connection's transcript. Lines are prefixed with the time and the session id. Masking looks
 * at both directions: we are the client on smtp-out (AUTH to a smart host) and when fetching.
 */
export class SessionLog {
  readonly #logs: SessionLogs;
  readonly #clock: { now(): number };
  readonly protocol: SessionProtocol;
  readonly id: string;
  readonly #startedAt: number;
  /** Set while one side answers a SASL challenge or sends a LOGIN literal: its lines are masked. */
  #secretFrom: Direction | undefined;
  #closed = false;

  /** Made by SessionLogs.open(). */
  constructor(logs: SessionLogs, protocol: SessionProtocol, id: string, clock: { now(): number }) {
    this.#logs = logs;
    this.#clock = clock;
    this.protocol = protocol;
    this.id = id;
    this.#startedAt = clock.now();
  }

  /** A line from the peer (`<-- `). Secrets in the obvious commands are replaced by ****. */
  recv(line: string): void {
    this.#write('recv', '<-- ', line);
  }

  /** A line from the peer that the caller knows is secret: only `placeholder` is written. */
  recvSecret(placeholder = MASK): void {
    if (!this.#closed) this.#logs.append(this.protocol, this.id, '<-- ', placeholder);
  }

  /** A line we sent (`--> `); a multi-line reply may be passed at once. Masked like recv(). */
  send(line: string): void {
    this.#write('send', '--> ', line);
  }

  /** What we concluded or did (`*  `): "relay denied", "delivered to bob@x.cn". */
  note(text: string): void {
    if (!this.#closed) this.#logs.append(this.protocol, this.id, '*  ', text);
  }

  /**
   * Writes the closing line; resolves when it (and every line before it) is in the file, which is
   * at the next batched write (within WRITE_DELAY_MS), shared with every other session's lines.
   */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    const sec = ((this.#clock.now() - this.#startedAt) / 1000).toFixed(3);
    this.#logs.append(this.protocol, this.id, '', `Session ${this.id} closed after ${sec} s`);
    await this.#logs.flush(this.protocol, { batched: true });
  }

  #write(dir: Direction, marker: string, text: string): void {
    if (this.#closed) return;
    const lines = splitLines(text);
    // A line from the other side that is not a continuation (SMTP 334, IMAP/POP3 "+ ") ends the exchange.
    if (this.#secretFrom !== undefined && this.#secretFrom !== dir && !lines.every((l) => /^334[ -]|^\+( |$)/.test(l))) {
      this.#secretFrom = undefined;
    }
    this.#logs.append(this.protocol, this.id, marker, lines.map((l) => this.#mask(dir, l)).join('\n'));
  }

  #mask(dir: Direction, line: string): string {
    if (this.#secretFrom === dir) return line.trim() === '*' ? line : MASK; // '*' cancels SASL (RFC 4954, 9051)
    // SMTP / POP3 `AUTH mech [initial-response]`, IMAP `tag AUTHENTICATE mech [initial-response]` (SASL-IR).
    const auth = /^(AUTH|\S+\s+AUTHENTICATE)(\s+\S+)(\s+\S.*)?$/i.exec(line);
    if (auth) {
      this.#secretFrom = dir;
      return auth[3] === undefined ? line : `${auth[1]}${auth[2]} ${MASK}`;
    }
    const pass = /^(PASS)\s+\S/i.exec(line); // POP3 (RFC 1939 §7)
    if (pass) return `${pass[1]} ${MASK}`;
    const apop = /^(APOP\s+\S+)\s+\S/i.exec(line);
    if (apop) return `${apop[1]} ${MASK}`;
    // IMAP `tag LOGIN user password`; user is an atom, a quoted string or a literal.
    const login = /^(\S+\s+LOGIN\s+)(.*)$/i.exec(line);
    if (login) {
      const rest = login[2] ?? '';
      if (/\{\d+\+?\}\s*$/.test(rest)) {
        this.#secretFrom = dir; // literals follow on the next lines; mask them all
        const user = /^("(?:[^"\\]|\\.)*"|[^\s{]\S*)\s/.exec(rest);
        return `${login[1]}${user ? `${user[1]} ` : ''}${MASK}`;
      }
      const user = /^("(?:[^"\\]|\\.)*"|\S+)\s+\S/.exec(rest);
      return user ? `${login[1]}${user[1]} ${MASK}` : line;
    }
    return line;
  }
}
