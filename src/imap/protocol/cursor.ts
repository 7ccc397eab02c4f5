/**
 * Cursor: the lexical layer of the command parser. It walks a framed RawCommand (text segments with
 * literals between them) and reads the RFC 3501 §9 terminals: SP, atoms, numbers (32-bit), mod-sequences
 * (63-bit, RFC 7162), quoted strings with their two escapes, literals, astring, nstring, list-mailbox.
 * Every failure is a ParseError carrying the command tag. Quoted strings may hold 8-bit octets (as
 * Dovecot and Cyrus accept); callers decide how to decode them. It knows no command grammar.
 */
import { ParseError, excerpt } from './parse-error.ts';
import type { RawCommand, Segment } from './tokenizer.ts';

/** peek() results that are not bytes. */
export const END = -1;
export const LITERAL = -2;

const SP = 0x20;
const DQUOTE = 0x22;
const BACKSLASH = 0x5c;

function table(pred: (c: number) => boolean): Uint8Array {
  const t = new Uint8Array(256);
  for (let c = 0; c < 256; c++) t[c] = pred(c) ? 1 : 0;
  return t;
}
const ATOM_SPECIALS = new Set([0x28, 0x29, 0x7b, SP, 0x25, 0x2a, DQUOTE, BACKSLASH, 0x5d]);
export const DIGIT = table((c) => c >= 0x30 && c <= 0x39);
/** ATOM-CHAR = any CHAR except atom-specials ( ) { SP CTL % * " \ ] */
export const ATOM_CHAR = table((c) => c > 0x20 && c < 0x7f && !ATOM_SPECIALS.has(c));
/** ASTRING-CHAR = ATOM-CHAR / "]" */
export const ASTRING_CHAR = table((c) => ATOM_CHAR[c] === 1 || c === 0x5d);
/** list-char = ATOM-CHAR / list-wildcards / resp-specials */
export const LIST_CHAR = table((c) => ASTRING_CHAR[c] === 1 || c === 0x25 || c === 0x2a);

const MAX_MODSEQ = 0x7fffffffffffffffn;
const utf8Decoder = new TextDecoder('utf-8', { fatal: true });

export class Cursor {
  readonly #segments: Segment[];
  #seg = 0;
  #pos = 0;
  /** Set once the tag is read, so every later error carries it. */
  tag: string | undefined;

  constructor(command: RawCommand) {
    this.#segments = command.segments.length > 0 ? command.segments : [{ kind: 'text', bytes: Buffer.alloc(0) }];
  }

  get #text(): Buffer {
    const s = this.#segments[this.#seg];
    return s && s.kind === 'text' ? s.bytes : Buffer.alloc(0);
  }

  /** The next byte, LITERAL when a literal comes next, END at the end of the command. */
  peek(offset = 0): number {
    const text = this.#text;
    if (this.#pos + offset < text.length) return text[this.#pos + offset] as number;
    if (this.#pos + offset === text.length && this.#segments[this.#seg + 1]?.kind === 'literal') return LITERAL;
    return END;
  }

  atEnd(): boolean {
    return this.peek() === END;
  }

  fail(message: string, options: { status?: 'BAD' | 'NO'; code?: ParseError['code'] } = {}): never {
    throw new ParseError(message, { tag: this.tag, ...options });
  }

  /** What remains of the current line, for error messages. */
  near(): string {
    const p = this.peek();
    if (p === END) return 'end of command';
    if (p === LITERAL) return 'a literal';
    return `"${excerpt(this.#text.subarray(this.#pos, this.#pos + 24).toString('latin1'))}"`;
  }

  expect(byte: number, what: string): void {
    if (this.peek() !== byte) this.fail(`Expected ${what} at ${this.near()}`);
    this.#pos++;
  }

  /** Consumes `byte` if it comes next. */
  accept(byte: number): boolean {
    if (this.peek() !== byte) return false;
    this.#pos++;
    return true;
  }

  sp(): void {
    this.expect(SP, 'a space');
  }

  end(): void {
    if (!this.atEnd()) this.fail(`Unexpected ${this.near()} after the arguments`);
  }

  /** Reads octets while `chars` allows them (within the current text segment). */
  readRun(chars: Uint8Array): string {
    const text = this.#text;
    const start = this.#pos;
    while (this.#pos < text.length && chars[text[this.#pos] as number] === 1) this.#pos++;
    return text.toString('latin1', start, this.#pos);
  }

  /** atom = 1*ATOM-CHAR */
  atom(what = 'an atom'): string {
    const s = this.readRun(ATOM_CHAR);
    if (s.length === 0) this.fail(`Expected ${what} at ${this.near()}`);
    return s;
  }

  /** The atom that comes next, upper-cased, without consuming it ('' if none). */
  peekAtom(): string {
    const text = this.#text;
    let end = this.#pos;
    while (end < text.length && ATOM_CHAR[text[end] as number] === 1) end++;
    return text.toString('latin1', this.#pos, end).toUpperCase();
  }

  /** Consumes `word` (case-insensitive) when it comes next as a whole atom. */
  acceptWord(word: string): boolean {
    if (this.peekAtom() !== word) return false;
    this.#pos += word.length;
    return true;
  }

  /** number = 1*DIGIT, an unsigned 32-bit value. */
  number(what = 'a number'): number {
    const digits = this.readRun(DIGIT);
    if (digits.length === 0) this.fail(`Expected ${what} at ${this.near()}`);
    const n = digits.length > 12 ? Infinity : Number(digits);
    if (n > 0xffffffff) this.fail(`${what[0]?.toUpperCase()}${what.slice(1)} out of range`);
    return n;
  }

  /** nz-number = digit-nz *DIGIT */
  nzNumber(what = 'a non-zero number'): number {
    const n = this.number(what);
    if (n === 0) this.fail(`Expected ${what}, got 0`);
    return n;
  }

  /** mod-sequence-value (1 ≤ n < 2^63, RFC 7162 §7); with allowZero, mod-sequence-valzer. */
  modseq(allowZero: boolean): bigint {
    const n = this.#digits63('a mod-sequence');
    if (n === 0n && !allowZero) this.fail('Mod-sequence out of range');
    return n;
  }

  /** number64 (RFC 9051): 0 ≤ n < 2^63, as a JS number when it is safe. */
  number64(what = 'a number'): number {
    const n = this.#digits63(what);
    if (n > BigInt(Number.MAX_SAFE_INTEGER)) this.fail(`${what} is too large`);
    return Number(n);
  }

  #digits63(what: string): bigint {
    const digits = this.readRun(DIGIT);
    if (digits.length === 0) this.fail(`Expected ${what} at ${this.near()}`);
    const n = digits.length > 19 ? MAX_MODSEQ + 1n : BigInt(digits);
    if (n > MAX_MODSEQ) this.fail(`${what} out of range`);
    return n;
  }

  /** quoted = DQUOTE *QUOTED-CHAR DQUOTE; only \" and \\ are escapes. */
  quoted(): Buffer {
    this.expect(DQUOTE, 'a quoted string');
    const text = this.#text;
    const out: number[] = [];
    for (;;) {
      if (this.#pos >= text.length) this.fail('Unterminated quoted string');
      const c = text[this.#pos++] as number;
      if (c === DQUOTE) return Buffer.from(out);
      if (c === BACKSLASH) {
        const e = text[this.#pos++];
        if (e !== DQUOTE && e !== BACKSLASH) this.fail('Invalid escape in quoted string');
        out.push(e);
      } else if (c === 0) {
        this.fail('NUL in quoted string');
      } else {
        out.push(c);
      }
    }
  }

  /** A literal's bytes; literal8 only where the grammar allows it (APPEND message data). */
  literal(allowBinary = false): { bytes: Buffer; binary: boolean } {
    if (this.peek() !== LITERAL) this.fail(`Expected a literal at ${this.near()}`);
    const seg = this.#segments[this.#seg + 1] as Extract<Segment, { kind: 'literal' }>;
    if (seg.binary && !allowBinary) this.fail('literal8 (~{n}) is only allowed for message data');
    this.#seg += 2;
    this.#pos = 0;
    return { bytes: seg.bytes, binary: seg.binary };
  }

  /** string = quoted / literal */
  string(what = 'a string'): Buffer {
    const p = this.peek();
    if (p === DQUOTE) return this.quoted();
    if (p === LITERAL) return this.literal().bytes;
    return this.fail(`Expected ${what} at ${this.near()}`);
  }

  /** astring = 1*ASTRING-CHAR / string */
  astring(what = 'a string'): Buffer {
    const p = this.peek();
    if (p === DQUOTE || p === LITERAL) return this.string(what);
    const s = this.readRun(ASTRING_CHAR);
    if (s.length === 0) this.fail(`Expected ${what} at ${this.near()}`);
    return Buffer.from(s, 'latin1');
  }

  /** nstring = string / NIL */
  nstring(what = 'a string'): Buffer | null {
    if (this.acceptWord('NIL')) return null;
    return this.string(what);
  }

  /** list-mailbox = 1*list-char / string */
  listMailbox(): Buffer {
    const p = this.peek();
    if (p === DQUOTE || p === LITERAL) return this.string('a mailbox pattern');
    const s = this.readRun(LIST_CHAR);
    if (s.length === 0) this.fail(`Expected a mailbox pattern at ${this.near()}`);
    return Buffer.from(s, 'latin1');
  }

  /** Decodes UTF-8 strictly (US-ASCII is a subset); a bad sequence or a NUL is a BAD. */
  utf8(bytes: Buffer, what: string): string {
    if (bytes.includes(0)) this.fail(`NUL in ${what}`);
    try {
      return utf8Decoder.decode(bytes);
    } catch {
      return this.fail(`Invalid UTF-8 in ${what}`);
    }
  }
}
