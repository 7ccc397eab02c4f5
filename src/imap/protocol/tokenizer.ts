/**
 * CommandReader: frames the client byte stream into commands (RFC 3501 §2.2, §4.3; RFC 7888; RFC 3516).
 * Push Buffers as they arrive; next() yields a command (text and literal segments), "continue" (send
 * "+ Ready" for a synchronising literal), an error (answer it; the stream recovers at the next CRLF) or,
 * after expectLine(), one raw line (IDLE DONE, AUTHENTICATE). Bounded memory: a line holds ≤ maxLineBytes,
 * a command ≤ maxCommandBytes, refused literals are skipped unstored; input is read only as events are
 * pulled, so the session pauses the socket while bufferedBytes is high. It does not parse syntax.
 */
import { LITERAL_MINUS_MAX_BYTES, checkLiteral, findLiteralMarker, type LiteralLimits } from './literal.ts';
import { ParseError } from './parse-error.ts';

/** 64 KiB: far above any real command line (RFC 7162 §4 asks for at least 8192), far below harm. */
export const DEFAULT_MAX_LINE_BYTES = 64 * 1024;
/** 64 MiB: the default APPENDLIMIT; sessions pass the configured value. */
export const DEFAULT_MAX_LITERAL_BYTES = 64 * 1024 * 1024;

export type Segment =
  | { kind: 'text'; bytes: Buffer }
  | { kind: 'literal'; bytes: Buffer; binary: boolean; sync: boolean };

/** One framed command: text between literals (literal markers and CRLFs removed), and the literals. */
export interface RawCommand {
  /** Best-effort tag from the first line, for error replies; the parser validates it. */
  tag: string | undefined;
  segments: Segment[];
  /** Octets the command took on the wire (each line end counted as CRLF). */
  size: number;
}

export type ReaderEvent =
  | { kind: 'command'; command: RawCommand }
  | { kind: 'continue'; tag: string | undefined; size: number }
  | { kind: 'line'; line: Buffer }
  | { kind: 'error'; error: ParseError };

export interface CommandReaderOptions {
  maxLineBytes?: number;
  maxLiteralBytes?: number;
  /** 4096 (LITERAL-, the default) or Infinity (LITERAL+). */
  maxNonSyncLiteralBytes?: number;
  /** Largest whole command, lines and literals, not counting APPEND's message literals. Default 1 MiB. */
  maxCommandBytes?: number;
  /** Literals one command may carry. Default 1000. */
  maxLiteralsPerCommand?: number;
  /**
   * An APPEND's message literals together (MULTIAPPEND, CATENATE): the command is held in memory
   * until its last literal, so several APPENDLIMITs in one command are bounded too. Default 4 ×
   * maxLiteralBytes; more is NO [TOOBIG].
   */
  maxAppendBytes?: number;
}

/** An APPEND's message literals are bounded by maxLiteralBytes (APPENDLIMIT) each, not by maxCommandBytes. */
const APPEND = /^[^ ]+ APPEND /i;

type State = 'line' | 'literal' | 'skip-literal' | 'discard' | 'closed';

const LF = 0x0a;
const CR = 0x0d;
const TAIL_BYTES = 32;

export class CommandReader {
  readonly #maxLine: number;
  readonly #limits: LiteralLimits;
  readonly #input: Buffer[] = [];
  #inputBytes = 0;
  #state: State = 'line';
  #lineParts: Buffer[] = [];
  #lineBytes = 0;
  #segments: Segment[] = [];
  #commandBytes = 0;
  /** The bytes that count towards maxCommandBytes (all but an APPEND's message literals). */
  #countedBytes = 0;
  #literals = 0;
  #isAppend = false;
  #appendBytes = 0;
  readonly #maxAppendBytes: number;
  readonly #maxLiterals: number;
  #tag: string | undefined;
  #literalParts: Buffer[] = [];
  #literal = { remaining: 0, size: 0, binary: false, sync: true };
  #tail: Buffer = Buffer.alloc(0);
  #lineMode = false;

  constructor(options: CommandReaderOptions = {}) {
    this.#maxLine = options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES;
    const maxLiteralBytes = options.maxLiteralBytes ?? DEFAULT_MAX_LITERAL_BYTES;
    this.#limits = {
      maxLiteralBytes,
      maxNonSyncLiteralBytes: options.maxNonSyncLiteralBytes ?? LITERAL_MINUS_MAX_BYTES,
      maxCommandBytes: options.maxCommandBytes ?? 1024 * 1024,
    };
    this.#maxLiterals = options.maxLiteralsPerCommand ?? 1000;
    this.#maxAppendBytes = options.maxAppendBytes ?? 4 * maxLiteralBytes;
  }

  /** Appends bytes from the socket. Nothing is parsed until next() is called. */
  push(chunk: Uint8Array): void {
    if (this.#state === 'closed' || chunk.length === 0) return;
    const buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.length);
    this.#input.push(buf);
    this.#inputBytes += buf.length;
  }

  /** Unparsed input held; pause the socket while this exceeds your high-water mark. */
  get bufferedBytes(): number {
    return this.#inputBytes;
  }

  /** True between commands: no partial line, literal or discarded command is pending. */
  get isIdle(): boolean {
    return this.#state === 'line' && this.#lineBytes === 0 && this.#segments.length === 0;
  }

  /** The next event, or undefined when more input is needed. */
  next(): ReaderEvent | undefined {
    for (;;) {
      switch (this.#state) {
        case 'closed':
          return undefined;
        case 'line': {
          const event = this.#readLine();
          if (event !== 'again') return event;
          break;
        }
        case 'literal': {
          const got = this.#take(this.#literal.remaining, this.#literalParts);
          this.#literal.remaining -= got;
          if (this.#literal.remaining > 0) return undefined;
          const { size, binary, sync } = this.#literal;
          this.#segments.push({ kind: 'literal', bytes: Buffer.concat(this.#literalParts, size), binary, sync });
          this.#literalParts = [];
          this.#commandBytes += size;
          if (!this.#isAppend) this.#countedBytes += size;
          else this.#appendBytes += size;
          this.#state = 'line';
          break;
        }
        case 'skip-literal': {
          this.#literal.remaining -= this.#take(this.#literal.remaining, undefined);
          if (this.#literal.remaining > 0) return undefined;
          this.#tail = Buffer.alloc(0);
          this.#state = 'discard';
          break;
        }
        case 'discard': {
          if (!this.#skipToLf()) return undefined;
          const fatal = this.#afterDiscardedLine();
          if (fatal) return fatal;
          break;
        }
      }
    }
  }

  /** Drains every event available now. Mode changes made while iterating take effect at once. */
  *events(): Generator<ReaderEvent> {
    for (let e = this.next(); e; e = this.next()) yield e;
  }

  /** The next line is delivered raw as a 'line' event (IDLE "DONE", AUTHENTICATE responses). */
  expectLine(): void {
    if (!this.isIdle) throw new Error('expectLine() called in the middle of a command');
    this.#lineMode = true;
  }

  /**
   * Removes and returns the unparsed input: after STARTTLS it must be discarded (plaintext injection,
   * CVE-2011-0411 class), after COMPRESS it is deflated data to inflate and push back.
   */
  takeBuffered(): Buffer {
    if (!this.isIdle) throw new Error('takeBuffered() called in the middle of a command');
    const all = Buffer.concat(this.#input, this.#inputBytes);
    this.#input.length = 0;
    this.#inputBytes = 0;
    return all;
  }

  #readLine(): ReaderEvent | undefined | 'again' {
    // Allow maxLine content bytes plus the CR; one byte more without an LF is already too long.
    const found = this.#takeLine(this.#maxLine + 2 - this.#lineBytes);
    if (!found) {
      if (this.#lineBytes <= this.#maxLine + 1) return undefined;
      const head = Buffer.concat(this.#lineParts).subarray(0, 130);
      const last = this.#lineParts[this.#lineParts.length - 1] ?? Buffer.alloc(0);
      this.#tail = Buffer.from(last.subarray(Math.max(0, last.length - TAIL_BYTES)));
      return this.#overlong(head, false);
    }
    let line = Buffer.concat(this.#lineParts, this.#lineBytes);
    this.#lineParts = [];
    this.#lineBytes = 0;
    if (line.length > 0 && line[line.length - 1] === CR) line = line.subarray(0, line.length - 1);
    if (line.length > this.#maxLine) {
      this.#tail = line.subarray(line.length - TAIL_BYTES);
      return this.#overlong(line.subarray(0, 130), true);
    }
    if (this.#lineMode) {
      this.#lineMode = false;
      return { kind: 'line', line };
    }
    if (this.#segments.length === 0) {
      if (line.length === 0) return 'again'; // a stray empty line between commands is ignored
      this.#tag = tagOf(line);
      this.#isAppend = APPEND.test(line.toString('latin1', 0, Math.min(line.length, 80)));
    }
    this.#commandBytes += line.length + 2;
    this.#countedBytes += line.length + 2;
    const marker = findLiteralMarker(line);
    if (marker === null) {
      this.#segments.push({ kind: 'text', bytes: line });
      const command: RawCommand = { tag: this.#tag, segments: this.#segments, size: this.#commandBytes };
      this.#resetCommand();
      return { kind: 'command', command };
    }
    const tag = this.#tag;
    if ('invalid' in marker) {
      this.#resetCommand();
      if (marker.sync) return { kind: 'error', error: new ParseError('Invalid literal size', { tag }) };
      return this.#close(new ParseError('Unreadable non-synchronizing literal size', { tag, fatal: true }));
    }
    const refused = ++this.#literals > this.#maxLiterals
      ? new ParseError(`Too many literals in one command (at most ${this.#maxLiterals})`, { tag, status: 'BAD' })
      : checkLiteral(marker, this.#limits, this.#isAppend ? undefined : this.#countedBytes, tag)
        ?? (this.#isAppend && this.#appendBytes + marker.size > this.#maxAppendBytes
          ? new ParseError(`The messages of one APPEND exceed ${this.#maxAppendBytes} bytes together`, { tag, status: 'NO', code: 'TOOBIG' })
          : undefined);
    if (refused) {
      this.#resetCommand();
      if (!marker.sync) this.#startSkip(marker.size);
      return { kind: 'error', error: refused };
    }
    this.#segments.push({ kind: 'text', bytes: line.subarray(0, marker.start) });
    this.#literal = { remaining: marker.size, size: marker.size, binary: marker.binary, sync: marker.sync };
    this.#state = 'literal';
    if (marker.sync) return { kind: 'continue', tag, size: marker.size };
    return 'again';
  }

  /** A line over maxLineBytes: BAD now, the rest of the command is dropped up to its end. */
  #overlong(head: Buffer, lineComplete: boolean): ReaderEvent {
    const tag = this.#lineMode ? undefined : this.#segments.length > 0 ? this.#tag : tagOf(head);
    this.#lineParts = [];
    this.#lineBytes = 0;
    this.#lineMode = false;
    this.#resetCommand();
    const error = new ParseError(`Line too long (maximum ${this.#maxLine} bytes)`, { tag });
    if (lineComplete) {
      const fatal = this.#afterDiscardedLine();
      if (fatal) return fatal;
    } else {
      this.#state = 'discard';
    }
    return { kind: 'error', error };
  }

  /** At the end of a discarded line: skip a non-synchronising literal it announced, else resume. */
  #afterDiscardedLine(): ReaderEvent | undefined {
    const marker = findLiteralMarker(this.#tail);
    this.#tail = Buffer.alloc(0);
    if (marker && !marker.sync) {
      if ('invalid' in marker) return this.#close(new ParseError('Unreadable non-synchronizing literal size', { fatal: true }));
      this.#startSkip(marker.size);
      return undefined;
    }
    // No marker, or a synchronising one: the client waits for "+", sees our BAD and gives up.
    this.#state = 'line';
    return undefined;
  }

  #startSkip(size: number): void {
    this.#literal = { remaining: size, size, binary: false, sync: false };
    this.#state = size > 0 ? 'skip-literal' : 'discard';
    this.#tail = Buffer.alloc(0);
  }

  #close(error: ParseError): ReaderEvent {
    this.#state = 'closed';
    this.#input.length = 0;
    this.#inputBytes = 0;
    return { kind: 'error', error };
  }

  #resetCommand(): void {
    this.#segments = [];
    this.#commandBytes = 0;
    this.#countedBytes = 0;
    this.#literals = 0;
    this.#isAppend = false;
    this.#appendBytes = 0;
    this.#tag = undefined;
    this.#state = 'line';
  }

  /** Moves up to `max` bytes of input into `into` (or drops them). Returns how many. */
  #take(max: number, into: Buffer[] | undefined): number {
    let taken = 0;
    while (taken < max && this.#input.length > 0) {
      const head = this.#input[0] as Buffer;
      const n = Math.min(head.length, max - taken);
      if (into) into.push(head.subarray(0, n));
      this.#consume(head, n);
      taken += n;
    }
    return taken;
  }

  /** Moves input into the line buffer up to an LF (consumed, not stored) or `max` bytes. */
  #takeLine(max: number): boolean {
    while (this.#input.length > 0 && max > 0) {
      const head = this.#input[0] as Buffer;
      const lf = head.indexOf(LF);
      const n = Math.min(lf < 0 ? head.length : lf, max);
      if (n > 0) this.#lineParts.push(head.subarray(0, n));
      this.#lineBytes += n;
      max -= n;
      if (lf >= 0 && lf === n) {
        this.#consume(head, n + 1);
        return true;
      }
      this.#consume(head, n);
    }
    return false;
  }

  /** Drops input up to and including the next LF, remembering the last bytes before it. */
  #skipToLf(): boolean {
    while (this.#input.length > 0) {
      const head = this.#input[0] as Buffer;
      const lf = head.indexOf(LF);
      const n = lf < 0 ? head.length : lf;
      const keep = Buffer.concat([this.#tail, head.subarray(Math.max(0, n - TAIL_BYTES), n)]);
      this.#tail = Buffer.from(keep.subarray(Math.max(0, keep.length - TAIL_BYTES)));
      this.#consume(head, lf < 0 ? n : n + 1);
      if (lf >= 0) {
        if (this.#tail[this.#tail.length - 1] === CR) this.#tail = this.#tail.subarray(0, this.#tail.length - 1);
        return true;
      }
    }
    return false;
  }

  #consume(head: Buffer, n: number): void {
    this.#inputBytes -= n;
    if (n >= head.length) this.#input.shift();
    else this.#input[0] = head.subarray(n);
  }
}

/** tag = 1*<ASTRING-CHAR except "+"> followed by SP (RFC 3501 §9); undefined when unreadable. */
export function tagOf(line: Uint8Array): string | undefined {
  let i = 0;
  while (i < line.length && i <= 128 && isTagChar(line[i] ?? 0)) i++;
  if (i === 0 || i > 128 || line[i] !== 0x20) return undefined;
  return Buffer.from(line.subarray(0, i)).toString('latin1');
}

function isTagChar(c: number): boolean {
  return c > 0x20 && c < 0x7f && c !== 0x28 && c !== 0x29 && c !== 0x7b && c !== 0x25 && c !== 0x2a && c !== 0x22 && c !== 0x5c && c !== 0x2b;
}

/**
 * Frames one complete command held in memory (tests, transcripts): literals are taken from the bytes,
 * with no size limits. A missing final CRLF is supplied. Throws ParseError if it is not exactly one command.
 */
export function frameCommand(bytes: Uint8Array | string): RawCommand {
  let buf = typeof bytes === 'string' ? Buffer.from(bytes, 'utf8') : Buffer.from(bytes);
  if (buf[buf.length - 1] !== LF) buf = Buffer.concat([buf, Buffer.from('\r\n')]);
  const reader = new CommandReader({
    maxLineBytes: Math.max(buf.length, 1),
    maxLiteralBytes: Number.MAX_SAFE_INTEGER,
    maxNonSyncLiteralBytes: Number.MAX_SAFE_INTEGER,
    maxCommandBytes: Number.MAX_SAFE_INTEGER,
  });
  reader.push(buf);
  for (let attempt = 0; attempt < 2; attempt++) {
    for (const event of reader.events()) {
      if (event.kind === 'error') throw event.error;
      if (event.kind === 'command') {
        if (reader.bufferedBytes > 0) throw new ParseError('More than one command', { tag: event.command.tag });
        return event.command;
      }
    }
    // Bytes ending in a literal still need the CRLF that ends the last line.
    reader.push(Buffer.from('\r\n'));
  }
  throw new ParseError('Incomplete command (literal shorter than announced)', { tag: tagOf(buf) });
}
