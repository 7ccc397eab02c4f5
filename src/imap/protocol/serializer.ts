/**
 * Building server responses (RFC 3501 §7, §9): strings go out quoted when every octet is safe and the
 * string is short, else as a literal (CR, LF, NUL, 8-bit without UTF8=ACCEPT, or long); NIL, numbers,
 * atoms and parenthesised lists; status lines with response codes ([UIDNEXT n], [COPYUID v set set],
 * [HIGHESTMODSEQ n] …, RFC 4315, RFC 7162, RFC 5530); continuations; and compact sequence sets.
 * Output is Buffers, ready to write. It never decides what to answer: imap/commands/ does that.
 */
import { encodeMailboxName } from './mutf7.ts';

export interface SerializeOptions {
  /** UTF8=ACCEPT is enabled (RFC 6855): UTF-8 may be quoted and mailbox names are not mUTF-7 encoded. */
  utf8?: boolean;
}

/** Text written as it is: keywords, flags, fetch item names (BODY[HEADER]), already-formatted data. */
export class Atom {
  constructor(readonly text: string) {}
}
/** A string that must go out as a literal; binary ones as literal8 "~{n}" (RFC 3516). */
export class Literal {
  constructor(
    readonly bytes: Buffer,
    readonly binary = false,
  ) {}
}
export const atom = (text: string): Atom => new Atom(text);
/** Bytes already in wire form (an ENVELOPE or BODYSTRUCTURE built by mime/), written as they are. */
export class Raw {
  constructor(readonly bytes: Buffer) {}
}
/** A wire-form byte string (one char per octet, as mime/ builds them). */
export const raw = (byteString: string): Raw => new Raw(Buffer.from(byteString, 'latin1'));

export type ImapValue = null | number | bigint | string | Buffer | Atom | Literal | Raw | readonly ImapValue[];

export type SimpleResponseCode =
  | 'ALERT' | 'PARSE' | 'READ-ONLY' | 'READ-WRITE' | 'TRYCREATE' | 'CLOSED' | 'NOMODSEQ' | 'UIDNOTSTICKY'
  | 'COMPRESSIONACTIVE' | 'TOOBIG' | 'OVERQUOTA' | 'NONEXISTENT' | 'ALREADYEXISTS' | 'UNAVAILABLE'
  | 'AUTHENTICATIONFAILED' | 'AUTHORIZATIONFAILED' | 'EXPIRED' | 'PRIVACYREQUIRED' | 'CONTACTADMIN'
  | 'NOPERM' | 'INUSE' | 'EXPUNGEISSUED' | 'CORRUPTION' | 'SERVERBUG' | 'CLIENTBUG' | 'CANNOT' | 'LIMIT'
  | 'HASCHILDREN' | 'USEATTR' | 'UNKNOWN-CTE' | 'NOTSAVED';

export type ResponseCode =
  | SimpleResponseCode
  | { code: 'UIDNEXT' | 'UIDVALIDITY' | 'UNSEEN'; value: number }
  | { code: 'HIGHESTMODSEQ'; value: bigint | number }
  | { code: 'PERMANENTFLAGS'; flags: readonly string[] }
  | { code: 'CAPABILITY'; capabilities: readonly string[] }
  | { code: 'BADCHARSET'; charsets?: readonly string[] }
  | { code: 'APPENDUID'; uidvalidity: number; uids: number | readonly number[] }
  | { code: 'COPYUID'; uidvalidity: number; source: readonly number[]; destination: readonly number[] }
  | { code: 'MODIFIED'; uids: readonly number[] }
  | { code: 'BADURL'; url: string }
  | { code: 'BADEVENT'; events: readonly string[] };

export type Status = 'OK' | 'NO' | 'BAD' | 'PREAUTH' | 'BYE';

const CRLF = Buffer.from('\r\n');
/** Longer strings go out as literals: cheaper for both sides than escaping (Dovecot uses a similar cut). */
export const MAX_QUOTED_BYTES = 1024;

/** Formats one value. Strings choose quoted or literal form by content. */
export function formatValue(value: ImapValue, options: SerializeOptions = {}): Buffer {
  if (value === null) return Buffer.from('NIL');
  if (typeof value === 'number' || typeof value === 'bigint') return Buffer.from(String(value));
  if (typeof value === 'string' || Buffer.isBuffer(value)) return formatString(value, options);
  if (value instanceof Atom) return Buffer.from(value.text, 'utf8');
  if (value instanceof Literal) return formatLiteral(value.bytes, value.binary);
  if (value instanceof Raw) return value.bytes;
  return formatList(value, options);
}

/** "(" values separated by SP ")". */
export function formatList(values: readonly ImapValue[], options: SerializeOptions = {}): Buffer {
  const parts: Buffer[] = [Buffer.from('(')];
  values.forEach((v, i) => {
    if (i > 0) parts.push(Buffer.from(' '));
    parts.push(formatValue(v, options));
  });
  parts.push(Buffer.from(')'));
  return Buffer.concat(parts);
}

/** string = quoted / literal: quoted when short and every octet is a TEXT-CHAR (UTF-8 too under UTF8=ACCEPT). */
export function formatString(value: string | Buffer, options: SerializeOptions = {}): Buffer {
  const bytes = typeof value === 'string' ? Buffer.from(value, 'utf8') : value;
  if (bytes.length > MAX_QUOTED_BYTES || !isQuotable(bytes, options.utf8 === true)) return formatLiteral(bytes, false);
  let text = '"';
  for (const c of bytes) {
    if (c === 0x22 || c === 0x5c) text += '\\';
    text += String.fromCharCode(c);
  }
  return Buffer.from(text + '"', 'latin1');
}

/** nstring = string / NIL */
export function formatNString(value: string | Buffer | null, options: SerializeOptions = {}): Buffer {
  return value === null ? Buffer.from('NIL') : formatString(value, options);
}

/** astring: an atom when every octet is an ASTRING-CHAR (and it is not "NIL"), else a string. */
export function formatAString(value: string, options: SerializeOptions = {}): Buffer {
  if (value.length > 0 && value.length <= MAX_QUOTED_BYTES && /^[!#$&'+,\-./0-9:;<=>?@A-Z[\]^_`a-z|}~]+$/.test(value) && value.toUpperCase() !== 'NIL') {
    return Buffer.from(value, 'latin1');
  }
  return formatString(value, options);
}

/** A mailbox name: modified UTF-7 (RFC 3501 §5.1.3), or UTF-8 as is under UTF8=ACCEPT (RFC 6855 §3). */
export function formatMailboxName(name: string, options: SerializeOptions = {}): Buffer {
  return formatAString(options.utf8 ? name : encodeMailboxName(name), options);
}

export function formatLiteral(bytes: Buffer, binary = false): Buffer {
  return Buffer.concat([Buffer.from(`${binary ? '~' : ''}{${bytes.length}}\r\n`), bytes]);
}

function isQuotable(bytes: Buffer, utf8: boolean): boolean {
  let high = false;
  for (const c of bytes) {
    if (c === 0 || c === 0x0a || c === 0x0d) return false;
    if (c >= 0x80) {
      if (!utf8) return false;
      high = true;
    }
  }
  return !high || isUtf8(bytes);
}

function isUtf8(bytes: Buffer): boolean {
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    return true;
  } catch {
    return false;
  }
}

/** Compact sequence set: [1,2,3,5] → "1:3,5". Sorts and drops duplicates unless preserveOrder (COPYUID pairs). */
export function formatSequenceSet(numbers: Iterable<number>, preserveOrder = false): string {
  const list = preserveOrder ? [...numbers] : [...new Set(numbers)].sort((a, b) => a - b);
  const out: string[] = [];
  for (let i = 0; i < list.length; ) {
    const start = list[i] as number;
    let end = start;
    while (i + 1 < list.length && list[i + 1] === end + 1) end = list[++i] as number;
    out.push(end === start ? String(start) : `${start}:${end}`);
    i++;
  }
  return out.join(',');
}

/** The text inside "[…]" of a resp-text-code. */
export function formatResponseCode(code: ResponseCode): string {
  if (typeof code === 'string') return code;
  switch (code.code) {
    case 'UIDNEXT':
    case 'UIDVALIDITY':
    case 'UNSEEN':
    case 'HIGHESTMODSEQ':
      return `${code.code} ${code.value}`;
    case 'PERMANENTFLAGS':
      return `PERMANENTFLAGS (${code.flags.join(' ')})`;
    case 'CAPABILITY':
      return `CAPABILITY ${code.capabilities.join(' ')}`;
    case 'BADCHARSET':
      return code.charsets && code.charsets.length > 0 ? `BADCHARSET (${code.charsets.join(' ')})` : 'BADCHARSET';
    case 'APPENDUID':
      return `APPENDUID ${code.uidvalidity} ${typeof code.uids === 'number' ? code.uids : formatSequenceSet(code.uids, true)}`;
    case 'COPYUID':
      return `COPYUID ${code.uidvalidity} ${formatSequenceSet(code.source, true)} ${formatSequenceSet(code.destination, true)}`;
    case 'MODIFIED':
      return `MODIFIED ${formatSequenceSet(code.uids)}`;
    case 'BADEVENT':
      return `BADEVENT (${code.events.join(' ')})`;
    case 'BADURL':
      // url-resp-text: no CR, LF or "]" (RFC 4469 §6).
      return `BADURL ${code.url.replace(/[\r\n\]]/g, '')}`;
  }
}

/** resp-text: text may not hold CR or LF, and must not be empty. */
function respText(text: string, code: ResponseCode | undefined): string {
  const clean = text.replace(/[\r\n\0]+/g, ' ').trim() || 'Done';
  return code === undefined ? clean : `[${formatResponseCode(code)}] ${clean}`;
}

/** "tag OK [code] text" — the completion of a command. */
export function taggedStatus(tag: string, status: 'OK' | 'NO' | 'BAD', text: string, code?: ResponseCode): Buffer {
  return Buffer.from(`${tag} ${status} ${respText(text, code)}\r\n`, 'utf8');
}

/** "* OK [code] text", "* BYE text", "* PREAUTH text". */
export function untaggedStatus(status: Status, text: string, code?: ResponseCode): Buffer {
  return Buffer.from(`* ${status} ${respText(text, code)}\r\n`, 'utf8');
}

/** "* " values joined by SP: untaggedData(12, atom('EXISTS')), untaggedData(atom('FLAGS'), [atom('\\Seen')]). */
export function untaggedData(values: readonly ImapValue[], options: SerializeOptions = {}): Buffer {
  const parts: Buffer[] = [Buffer.from('*')];
  for (const v of values) parts.push(Buffer.from(' '), formatValue(v, options));
  parts.push(CRLF);
  return Buffer.concat(parts);
}

/** " n n n…" (a space before each): SEARCH and SORT results written without a Buffer per number. */
export function numberList(ns: readonly number[]): string {
  return ns.length === 0 ? '' : ` ${ns.join(' ')}`;
}

/** "* n FETCH (name value …)". */
export function fetchResponse(seq: number, items: ReadonlyArray<readonly [name: string, value: ImapValue]>, options: SerializeOptions = {}): Buffer {
  return untaggedData([seq, atom('FETCH'), items.flatMap(([name, value]) => [atom(name), value])], options);
}

/** "+ text" — a continuation request ("+ Ready for literal data", or a base64 SASL challenge). */
export function continuation(text = 'Ready for literal data'): Buffer {
  return Buffer.from(`+ ${text.replace(/[\r\n]+/g, ' ')}\r\n`, 'utf8');
}

/** What formatParseError needs of a ParseError (structural, so parse-error.ts and this file stay acyclic). */
export interface ErrorReply {
  tag: string | undefined;
  status: 'BAD' | 'NO';
  message: string;
  code: ResponseCode | undefined;
  fatal: boolean;
}

/** The reply to a ParseError: "tag BAD [code] message", untagged when the tag is unknown, BYE when fatal. */
export function formatParseError(error: ErrorReply): Buffer {
  if (error.fatal) return untaggedStatus('BYE', error.message, error.code);
  if (error.tag === undefined) return untaggedStatus(error.status, error.message, error.code);
  return taggedStatus(error.tag, error.status, error.message, error.code);
}
