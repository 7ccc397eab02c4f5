/**
 * parseCommand: a framed command (or raw bytes) → a typed Command (command.ts). Reads the tag and verb
 * (UID <verb> keeps the verb with uid: true), then hands the rest to the argument parser for that verb;
 * the larger grammars live in parse-mailbox.ts, parse-search.ts and parse-fetch.ts. The only exception it
 * throws is ParseError (answer "tag BAD …"); an unexpected internal failure is wrapped in one, with `cause`
 * set, so a hostile client can never crash a session. It checks syntax, not state (registry.ts does that).
 */
import type { AppendMessage, AuthenticateResponse, CatenatePart, Command, IdleDone, ParseOptions } from './command.ts';
import { ASTRING_CHAR, Cursor } from './cursor.ts';
import { parseDateTime } from './date-time.ts';
import { parseFlagList, parseFlagSequence } from './flags.ts';
import { ParseError } from './parse-error.ts';
import { parseFetchArgs } from './parse-fetch.ts';
import { parseNotifyArgs } from './parse-notify.ts';
import { parseCreateArgs, parseListArgs, parseLsubArgs, parseMailbox, parseSelectArgs, parseStatusItems } from './parse-mailbox.ts';
import { parseSearchArgs, parseSortArgs, parseThreadArgs } from './parse-search.ts';
import { parseSequenceSet } from './sequence-set.ts';
import { frameCommand, type RawCommand } from './tokenizer.ts';

type Handler = (c: Cursor, tag: string, options: ParseOptions, uid: boolean) => Command;

/** tag = 1*<any ASTRING-CHAR except "+"> */
const TAG_CHAR = ASTRING_CHAR.map((v, c) => (c === 0x2b ? 0 : v));
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
/** RFC 2971 §3.3: at most 30 pairs, fields of 30 octets, values of 1024. */
const ID_LIMITS = { pairs: 30, field: 30, value: 1024 };

const noArgs =
  <N extends 'CAPABILITY' | 'NOOP' | 'LOGOUT' | 'STARTTLS' | 'CHECK' | 'CLOSE' | 'UNSELECT' | 'IDLE' | 'NAMESPACE' | 'UNAUTHENTICATE'>(name: N): Handler =>
  (c, tag) => {
    c.end();
    return { tag, name };
  };

const mailboxOnly =
  (name: 'DELETE' | 'SUBSCRIBE' | 'UNSUBSCRIBE' | 'GETQUOTAROOT'): Handler =>
  (c, tag, options) => {
    c.sp();
    const mailbox = parseMailbox(c, options);
    c.end();
    return { tag, name, mailbox };
  };

const copyOrMove =
  (name: 'COPY' | 'MOVE'): Handler =>
  (c, tag, options, uid) => {
    c.sp();
    const sequenceSet = parseSequenceSet(c);
    c.sp();
    const mailbox = parseMailbox(c, options);
    c.end();
    return { tag, name, uid, sequenceSet, mailbox };
  };

const COMMANDS: Record<string, Handler> = {
  CAPABILITY: noArgs('CAPABILITY'),
  NOOP: noArgs('NOOP'),
  LOGOUT: noArgs('LOGOUT'),
  STARTTLS: noArgs('STARTTLS'),
  CHECK: noArgs('CHECK'),
  CLOSE: noArgs('CLOSE'),
  UNSELECT: noArgs('UNSELECT'),
  IDLE: noArgs('IDLE'),
  NAMESPACE: noArgs('NAMESPACE'),
  UNAUTHENTICATE: noArgs('UNAUTHENTICATE'),
  DELETE: mailboxOnly('DELETE'),
  SUBSCRIBE: mailboxOnly('SUBSCRIBE'),
  UNSUBSCRIBE: mailboxOnly('UNSUBSCRIBE'),
  GETQUOTAROOT: mailboxOnly('GETQUOTAROOT'),
  COPY: copyOrMove('COPY'),
  MOVE: copyOrMove('MOVE'),
  EXPUNGE: (c, tag, _o, uid) => {
    if (!uid) {
      c.end();
      return { tag, name: 'EXPUNGE', uid: false };
    }
    c.sp();
    const sequenceSet = parseSequenceSet(c);
    c.end();
    return { tag, name: 'EXPUNGE', uid: true, sequenceSet };
  },
  AUTHENTICATE: (c, tag) => {
    c.sp();
    const mechanism = c.atom('a SASL mechanism').toUpperCase();
    if (!c.accept(0x20)) return { tag, name: 'AUTHENTICATE', mechanism };
    // SASL-IR (RFC 4959 §3): base64, or "=" for an empty initial response.
    const text = c.atom('an initial response');
    c.end();
    if (text === '=') return { tag, name: 'AUTHENTICATE', mechanism, initialResponse: Buffer.alloc(0) };
    if (!BASE64.test(text)) c.fail('Initial response is not base64');
    return { tag, name: 'AUTHENTICATE', mechanism, initialResponse: Buffer.from(text, 'base64') };
  },
  LOGIN: (c, tag) => {
    c.sp();
    const username = c.utf8(c.astring('a user name'), 'user name');
    c.sp();
    const password = c.utf8(c.astring('a password'), 'password');
    c.end();
    return { tag, name: 'LOGIN', username, password };
  },
  SELECT: (c, tag, options) => ({ tag, name: 'SELECT', ...parseSelectArgs(c, options) }),
  EXAMINE: (c, tag, options) => ({ tag, name: 'EXAMINE', ...parseSelectArgs(c, options) }),
  CREATE: (c, tag, options) => ({ tag, name: 'CREATE', ...parseCreateArgs(c, options) }),
  RENAME: (c, tag, options) => {
    c.sp();
    const from = parseMailbox(c, options);
    c.sp();
    const to = parseMailbox(c, options);
    c.end();
    return { tag, name: 'RENAME', from, to };
  },
  LIST: (c, tag, options) => ({ tag, name: 'LIST', ...parseListArgs(c, options) }),
  LSUB: (c, tag, options) => ({ tag, name: 'LSUB', ...parseLsubArgs(c, options) }),
  STATUS: (c, tag, options) => {
    c.sp();
    const mailbox = parseMailbox(c, options);
    c.sp();
    const items = parseStatusItems(c);
    c.end();
    return { tag, name: 'STATUS', mailbox, items };
  },
  APPEND: (c, tag, options) => {
    // append = "APPEND" SP mailbox 1*append-message (RFC 3502 §6.3.11, RFC 4466 §2.3)
    // append-message = [SP flag-list] [SP date-time] SP append-data
    // append-data = literal / literal8 / "UTF8" SP "(" literal8 ")" / "CATENATE" SP "(" cat-part *(SP cat-part) ")"
    c.sp();
    const mailbox = parseMailbox(c, options);
    const messages: AppendMessage[] = [];
    do {
      c.sp();
      messages.push(parseAppendMessage(c));
    } while (!c.atEnd());
    return { tag, name: 'APPEND', mailbox, messages };
  },
  SEARCH: (c, tag, _o, uid) => ({ tag, name: 'SEARCH', uid, ...parseSearchArgs(c) }),
  SORT: (c, tag, _o, uid) => ({ tag, name: 'SORT', uid, ...parseSortArgs(c) }),
  THREAD: (c, tag, _o, uid) => ({ tag, name: 'THREAD', uid, ...parseThreadArgs(c) }),
  FETCH: (c, tag, _o, uid) => ({ tag, name: 'FETCH', uid, ...parseFetchArgs(c, uid) }),
  STORE: (c, tag, _o, uid) => {
    // store = "STORE" SP sequence-set [SP "(" "UNCHANGEDSINCE" SP mod-sequence-valzer ")"] SP store-att-flags
    c.sp();
    const sequenceSet = parseSequenceSet(c);
    c.sp();
    let unchangedSince: bigint | undefined;
    if (c.accept(0x28)) {
      do {
        const word = c.atom('a store modifier').toUpperCase();
        if (word !== 'UNCHANGEDSINCE') c.fail(`Unknown store modifier ${word.slice(0, 24)}`);
        c.sp();
        unchangedSince = c.modseq(true);
      } while (c.accept(0x20));
      c.expect(0x29, '")" to close the store modifiers');
      c.sp();
    }
    const item = /^([+-]?)FLAGS(\.SILENT)?$/.exec(c.atom('FLAGS, +FLAGS or -FLAGS').toUpperCase());
    if (!item) return c.fail('Expected FLAGS, +FLAGS or -FLAGS');
    c.sp();
    const flags = c.peek() === 0x28 ? parseFlagList(c) : parseFlagSequence(c);
    c.end();
    const operation = item[1] === '+' ? 'add' : item[1] === '-' ? 'remove' : 'replace';
    return { tag, name: 'STORE', uid, sequenceSet, ...(unchangedSince === undefined ? {} : { unchangedSince }), operation, silent: item[2] !== undefined, flags };
  },
  ENABLE: (c, tag) => {
    const capabilities: string[] = [];
    do {
      c.sp();
      capabilities.push(c.atom('a capability').toUpperCase());
    } while (!c.atEnd());
    return { tag, name: 'ENABLE', capabilities };
  },
  ID: (c, tag) => {
    c.sp();
    if (c.acceptWord('NIL')) {
      c.end();
      return { tag, name: 'ID', params: null };
    }
    c.expect(0x28, '"(" or NIL');
    const params: Array<{ field: string; value: string | null }> = [];
    while (!c.accept(0x29)) {
      if (params.length > 0) c.sp();
      if (params.length >= ID_LIMITS.pairs) c.fail('Too many ID fields');
      const field = c.string('an ID field');
      c.sp();
      const value = c.nstring('an ID value');
      if (field.length > ID_LIMITS.field || (value && value.length > ID_LIMITS.value)) c.fail('ID field or value too long');
      params.push({ field: c.utf8(field, 'ID field'), value: value === null ? null : c.utf8(value, 'ID value') });
    }
    c.end();
    return { tag, name: 'ID', params };
  },
  GETQUOTA: (c, tag) => {
    c.sp();
    const root = c.utf8(c.astring('a quota root'), 'quota root');
    c.end();
    return { tag, name: 'GETQUOTA', root };
  },
  SETQUOTA: (c, tag) => {
    // setquota = "SETQUOTA" SP quota-root-name SP "(" [resource-name SP number64 *(SP …)] ")" — RFC 9208 §4.3
    c.sp();
    const root = c.utf8(c.astring('a quota root'), 'quota root');
    c.sp();
    c.expect(0x28, '"(" to open the quota limits');
    const limits: Array<{ resource: string; limit: number }> = [];
    while (!c.accept(0x29)) {
      if (limits.length > 0) c.sp();
      const resource = c.atom('a resource name').toUpperCase();
      c.sp();
      limits.push({ resource, limit: c.number64('a quota limit') });
    }
    c.end();
    return { tag, name: 'SETQUOTA', root, limits };
  },
  NOTIFY: (c, tag, options) => parseNotifyArgs(c, tag, options),
  CANCELUPDATE: (c, tag) => {
    const tags: string[] = [];
    do {
      c.sp();
      tags.push(c.utf8(c.string('a search tag'), 'search tag'));
    } while (!c.atEnd());
    return { tag, name: 'CANCELUPDATE', tags };
  },
  COMPRESS: (c, tag) => {
    c.sp();
    const mechanism = c.atom('a compression mechanism').toUpperCase();
    c.end();
    return { tag, name: 'COMPRESS', mechanism };
  },
};

function parseAppendMessage(c: Cursor): AppendMessage {
  let flags: string[] = [];
  if (c.peek() === 0x28) {
    flags = parseFlagList(c);
    c.sp();
  }
  let internalDate: Date | undefined;
  if (c.peek() === 0x22) {
    internalDate = parseDateTime(c);
    c.sp();
  }
  const date = internalDate ? { internalDate } : {};
  if (c.acceptWord('CATENATE')) {
    // cat-part = "TEXT" SP literal / "URL" SP astring / "UTF8" SP "(" literal8 ")" (RFC 4469 §5, RFC 6855 §4)
    c.sp();
    c.expect(0x28, '"(" after CATENATE');
    const catenate: CatenatePart[] = [];
    let binary = false;
    do {
      const kind = c.atom('TEXT or URL').toUpperCase();
      c.sp();
      if (kind === 'URL') {
        catenate.push({ kind: 'url', url: c.utf8(c.astring('a URL'), 'URL') });
      } else if (kind === 'TEXT' || kind === 'UTF8') {
        if (kind === 'UTF8') c.expect(0x28, '"(" after UTF8');
        const part = c.literal(true);
        if (kind === 'UTF8') c.expect(0x29, '")" after the UTF8 literal');
        binary ||= part.binary;
        catenate.push({ kind: 'text', bytes: part.bytes });
      } else {
        c.fail(`Unknown CATENATE part ${kind.slice(0, 24)}`);
      }
    } while (c.accept(0x20));
    c.expect(0x29, '")" to close CATENATE');
    return { flags, ...date, catenate, binary, utf8: false };
  }
  const utf8 = c.acceptWord('UTF8');
  if (utf8) {
    c.sp();
    c.expect(0x28, '"(" after UTF8');
  }
  const { bytes, binary } = c.literal(true);
  if (utf8) c.expect(0x29, '")" after the UTF8 literal');
  return { flags, ...date, message: bytes, binary: binary || utf8, utf8 };
}

/** RFC 3501 §6.4.8 plus UIDPLUS (UID EXPUNGE), MOVE, SORT and THREAD. */
const UID_COMMANDS = new Set(['COPY', 'MOVE', 'FETCH', 'SEARCH', 'STORE', 'EXPUNGE', 'SORT', 'THREAD']);

function parseFramed(raw: RawCommand, options: ParseOptions, c: Cursor): Command {
  const tag = c.readRun(TAG_CHAR);
  if (tag.length === 0) c.fail('Missing or invalid tag');
  if (c.peek() !== 0x20) {
    if (c.atEnd()) c.fail('Missing command');
    c.fail('Invalid tag');
  }
  c.tag = tag;
  raw.tag = tag;
  c.sp();
  let verb = c.atom('a command name').toUpperCase();
  let uid = false;
  if (verb === 'UID') {
    c.sp();
    verb = c.atom('a command name after UID').toUpperCase();
    if (!UID_COMMANDS.has(verb)) c.fail(`UID ${verb.slice(0, 24)} is not a command`);
    uid = true;
  }
  const handler = COMMANDS[verb];
  if (!handler) return c.fail(`Unknown command ${verb.slice(0, 24)}`);
  return handler(c, tag, options, uid);
}

/**
 * Parses one command. Accepts a RawCommand from CommandReader, or the complete command as bytes/text
 * (literals inline, e.g. "a LOGIN {3}\r\nbob x"). Throws ParseError, and nothing else.
 */
export function parseCommand(input: RawCommand | Uint8Array | string, options: ParseOptions = {}): Command {
  let cursor: Cursor | undefined;
  try {
    const raw = typeof input === 'string' || input instanceof Uint8Array ? frameCommand(input) : input;
    cursor = new Cursor(raw);
    return parseFramed(raw, options, cursor);
  } catch (e) {
    if (e instanceof ParseError) throw e;
    // A bug of ours (or an engine limit); the client still gets a BAD, the operator gets the cause.
    throw new ParseError('Internal error while parsing the command', { tag: cursor?.tag, cause: e });
  }
}

/** The line that ends IDLE: "DONE", case-insensitive (RFC 2177 §3). */
export function parseIdleDone(line: Uint8Array): IdleDone {
  if (Buffer.from(line).toString('latin1').toUpperCase() !== 'DONE') throw new ParseError('Expected DONE');
  return { name: 'DONE' };
}

/** A client line during AUTHENTICATE: base64 data, "*" to cancel (RFC 3501 §6.2.2). */
export function parseAuthenticateResponse(line: Uint8Array): AuthenticateResponse {
  const text = Buffer.from(line).toString('latin1');
  if (text === '*') return { cancelled: true };
  if (!BASE64.test(text)) throw new ParseError('Invalid base64 in authentication response');
  return { cancelled: false, data: Buffer.from(text, 'base64') };
}
