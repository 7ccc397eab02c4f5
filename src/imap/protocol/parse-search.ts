/**
 * SEARCH, SORT and THREAD arguments: RETURN options (ESEARCH RFC 4731, SEARCHRES RFC 5182, ESORT RFC 5267),
 * CHARSET, and every RFC 3501 §6.4.4 search key as a typed tree, plus MODSEQ (RFC 7162 §3.1.5) and
 * OLDER/YOUNGER (RFC 5032). Flag keys become {type:'flag'}, FROM/TO/CC/BCC/SUBJECT become header keys,
 * NEW is \Recent AND NOT \Seen. Strings are decoded with the CHARSET (an unknown one is NO [BADCHARSET]).
 * Nesting is capped at 64 levels so hostile input cannot exhaust the stack. SORT/THREAD per RFC 5256.
 */
import { Cursor, DIGIT } from './cursor.ts';
import { parseDate } from './date-time.ts';
import { parseFlag, parseSearchKeyword, RECENT } from './flags.ts';
import { parseSequenceSet, type SequenceSet } from './sequence-set.ts';

export type SearchKey =
  | { type: 'all' }
  | { type: 'and'; keys: SearchKey[] }
  | { type: 'or'; left: SearchKey; right: SearchKey }
  | { type: 'not'; key: SearchKey }
  | { type: 'flag'; flag: string; set: boolean }
  | { type: 'header'; field: string; value: string }
  | { type: 'body' | 'text'; value: string }
  | { type: 'internaldate' | 'sentdate'; op: 'before' | 'on' | 'since'; date: string }
  | { type: 'size'; op: 'larger' | 'smaller'; size: number }
  | { type: 'seq' | 'uid'; set: SequenceSet }
  | { type: 'modseq'; modseq: bigint; entry?: { flag: string; scope: 'priv' | 'shared' | 'all' } }
  | { type: 'age'; op: 'older' | 'younger'; seconds: number };

export type SearchReturnOption = 'MIN' | 'MAX' | 'ALL' | 'COUNT' | 'SAVE' | 'CONTEXT' | 'UPDATE' | 'PARTIAL';
/**
 * RETURN (PARTIAL first:last) — RFC 5267 §4.4, with RFC 9394's negative ranges (-1:-100 counts from
 * the end). 1-based positions in the result, low ≤ high after normalising, as sent in `text`.
 */
export interface PartialWindow {
  first: number;
  last: number;
}
export interface ReturnSpec {
  options: SearchReturnOption[];
  partial?: PartialWindow;
}
export type SortKey = 'ARRIVAL' | 'CC' | 'DATE' | 'FROM' | 'SIZE' | 'SUBJECT' | 'TO' | 'DISPLAYFROM' | 'DISPLAYTO';
export interface SortCriterion {
  key: SortKey;
  reverse: boolean;
}

/** Charsets named in [BADCHARSET (…)]; any label the WHATWG decoder knows is accepted. */
export const SEARCH_CHARSETS = ['UTF-8', 'US-ASCII', 'GB18030', 'GBK', 'GB2312', 'BIG5', 'ISO-8859-1'];
export const MAX_SEARCH_DEPTH = 64;

const RETURN_OPTIONS = new Set<string>(['MIN', 'MAX', 'ALL', 'COUNT', 'SAVE', 'CONTEXT', 'UPDATE', 'PARTIAL']);
const SORT_KEYS = new Set<string>(['ARRIVAL', 'CC', 'DATE', 'FROM', 'SIZE', 'SUBJECT', 'TO', 'DISPLAYFROM', 'DISPLAYTO']);
const FLAG_KEYS: Record<string, [string, boolean]> = {
  ANSWERED: ['\\Answered', true], UNANSWERED: ['\\Answered', false],
  DELETED: ['\\Deleted', true], UNDELETED: ['\\Deleted', false],
  DRAFT: ['\\Draft', true], UNDRAFT: ['\\Draft', false],
  FLAGGED: ['\\Flagged', true], UNFLAGGED: ['\\Flagged', false],
  SEEN: ['\\Seen', true], UNSEEN: ['\\Seen', false],
  RECENT: [RECENT, true], OLD: [RECENT, false],
};
const HEADER_KEYS: Record<string, string> = { FROM: 'From', TO: 'To', CC: 'Cc', BCC: 'Bcc', SUBJECT: 'Subject' };
const DATE_KEYS: Record<string, ['internaldate' | 'sentdate', 'before' | 'on' | 'since']> = {
  BEFORE: ['internaldate', 'before'], ON: ['internaldate', 'on'], SINCE: ['internaldate', 'since'],
  SENTBEFORE: ['sentdate', 'before'], SENTON: ['sentdate', 'on'], SENTSINCE: ['sentdate', 'since'],
};

export type Decode = (bytes: Buffer, what: string) => string;

/**
 * "(" [opt *(SP opt)] ")" after RETURN SP: ESEARCH (RFC 4731), SAVE (RFC 5182), CONTEXT, UPDATE and
 * PARTIAL (RFC 5267 §4.2–4.4). PARTIAL with ALL is refused, as Dovecot refuses it.
 */
export function parseReturnSpec(c: Cursor): ReturnSpec {
  c.expect(0x28, '"(" after RETURN');
  const options: SearchReturnOption[] = [];
  let partial: PartialWindow | undefined;
  while (!c.accept(0x29)) {
    if (options.length > 0) c.sp();
    const word = c.atom('a RETURN option').toUpperCase();
    if (!RETURN_OPTIONS.has(word)) c.fail(`Unknown RETURN option ${word.slice(0, 24)}`);
    if (word === 'PARTIAL') {
      if (partial) c.fail('PARTIAL can be given only once');
      c.sp();
      partial = parsePartialRange(c);
    }
    if (!options.includes(word as SearchReturnOption)) options.push(word as SearchReturnOption);
  }
  if (partial && options.includes('ALL')) c.fail('PARTIAL conflicts with ALL');
  // RFC 4731 §3.1: RETURN () means RETURN (ALL); so do CONTEXT and UPDATE alone (RFC 5267 §4.2).
  if (!options.some((o) => o !== 'CONTEXT' && o !== 'UPDATE')) options.push('ALL');
  return partial ? { options, partial } : { options };
}

/** The option names only (SEARCH's older callers). */
export function parseReturnOptions(c: Cursor): SearchReturnOption[] {
  return parseReturnSpec(c).options;
}

/** partial-range = partial-range-first / partial-range-last: n:m or -n:-m, neither 0 (RFC 9394 §3). */
function parsePartialRange(c: Cursor): PartialWindow {
  const negative = c.accept(0x2d);
  const a = c.nzNumber('a PARTIAL range');
  c.expect(0x3a, '":" in the PARTIAL range');
  if (negative !== c.accept(0x2d)) c.fail('PARTIAL range must be both positive or both negative');
  const b = c.nzNumber('a PARTIAL range');
  const lo = Math.min(a, b);
  const hi = Math.max(a, b);
  return negative ? { first: -lo, last: -hi } : { first: lo, last: hi };
}

/** SP "RETURN" SP "(" … ")" SP, when present (no search key is called RETURN). Consumes the leading SP. */
function parseOptionalReturn(c: Cursor): ReturnSpec | undefined {
  c.sp();
  if (!c.acceptWord('RETURN')) return undefined;
  c.sp();
  const spec = parseReturnSpec(c);
  c.sp();
  return spec;
}

/** The decoder for a CHARSET: NO [BADCHARSET] when unknown (RFC 3501 §6.4.4). */
export function charsetDecoder(c: Cursor, charset: string | undefined): Decode {
  const label = charset === undefined || charset === 'US-ASCII' || charset === 'UTF8' ? 'utf-8' : charset.toLowerCase();
  let decoder: TextDecoder;
  try {
    decoder = new TextDecoder(label, { fatal: true });
  } catch {
    return c.fail(`Unsupported charset ${(charset ?? '').slice(0, 32)}`, { status: 'NO', code: { code: 'BADCHARSET', charsets: SEARCH_CHARSETS } });
  }
  return (bytes, what) => {
    try {
      return decoder.decode(bytes);
    } catch {
      return c.fail(`${what} is not valid ${charset ?? 'US-ASCII'}`);
    }
  };
}

/** search-key *(SP search-key) up to the end of the command, as one key (an 'and' if several). */
export function parseSearchKeys(c: Cursor, decode: Decode): SearchKey {
  const keys = [parseSearchKey(c, decode, 0)];
  while (!c.atEnd()) {
    c.sp();
    keys.push(parseSearchKey(c, decode, 0));
  }
  return keys.length === 1 ? (keys[0] as SearchKey) : { type: 'and', keys };
}

/** SEARCH [RETURN (…)] [CHARSET x] keys — the cursor is just after the verb. */
export function parseSearchArgs(c: Cursor): { charset?: string; criteria: SearchKey; returnOptions?: SearchReturnOption[]; partial?: PartialWindow } {
  const spec = parseOptionalReturn(c);
  let charset: string | undefined;
  if (c.acceptWord('CHARSET')) {
    c.sp();
    charset = c.utf8(c.astring('a charset'), 'charset').toUpperCase();
    c.sp();
  }
  const criteria = parseSearchKeys(c, charsetDecoder(c, charset));
  return { ...(charset === undefined ? {} : { charset }), criteria, ...returnFields(spec) };
}

/** SORT [RETURN (…)] (criteria) charset keys — RFC 5256 §3, RFC 5267 §3. */
export function parseSortArgs(c: Cursor): { criteria: SortCriterion[]; charset: string; search: SearchKey; returnOptions?: SearchReturnOption[]; partial?: PartialWindow } {
  const spec = parseOptionalReturn(c);
  c.expect(0x28, '"(" to open the sort criteria');
  const criteria: SortCriterion[] = [];
  do {
    const reverse = c.acceptWord('REVERSE');
    if (reverse) c.sp();
    const key = c.atom('a sort key').toUpperCase();
    if (!SORT_KEYS.has(key)) c.fail(`Unknown sort key ${key.slice(0, 24)}`);
    criteria.push({ key: key as SortKey, reverse });
  } while (c.accept(0x20));
  c.expect(0x29, '")" to close the sort criteria');
  const { charset, search } = parseCharsetAndKeys(c);
  return { criteria, charset, search, ...returnFields(spec) };
}

function returnFields(spec: ReturnSpec | undefined): { returnOptions?: SearchReturnOption[]; partial?: PartialWindow } {
  if (!spec) return {};
  return spec.partial ? { returnOptions: spec.options, partial: spec.partial } : { returnOptions: spec.options };
}

/** THREAD algorithm charset keys — RFC 5256 §3. */
export function parseThreadArgs(c: Cursor): { algorithm: string; charset: string; search: SearchKey } {
  c.sp();
  const algorithm = c.atom('a threading algorithm').toUpperCase();
  return { algorithm, ...parseCharsetAndKeys(c) };
}

function parseCharsetAndKeys(c: Cursor): { charset: string; search: SearchKey } {
  c.sp();
  const raw = c.peek() === 0x22 ? c.quoted() : Buffer.from(c.atom('a charset'), 'latin1');
  const charset = c.utf8(raw, 'charset').toUpperCase();
  const decode = charsetDecoder(c, charset);
  c.sp();
  return { charset, search: parseSearchKeys(c, decode) };
}

function parseSearchKey(c: Cursor, decode: Decode, depth: number): SearchKey {
  if (depth >= MAX_SEARCH_DEPTH) c.fail('Search criteria nested too deeply');
  const p = c.peek();
  if (p === 0x28) {
    c.accept(0x28);
    const keys = [parseSearchKey(c, decode, depth + 1)];
    while (!c.accept(0x29)) {
      c.sp();
      keys.push(parseSearchKey(c, decode, depth + 1));
    }
    return keys.length === 1 ? (keys[0] as SearchKey) : { type: 'and', keys };
  }
  if ((p >= 0 && DIGIT[p] === 1) || p === 0x2a || p === 0x24) return { type: 'seq', set: parseSequenceSet(c) };
  const word = c.atom('a search key').toUpperCase();
  const flag = FLAG_KEYS[word];
  if (flag) return { type: 'flag', flag: flag[0], set: flag[1] };
  const header = HEADER_KEYS[word];
  if (header) {
    c.sp();
    return { type: 'header', field: header, value: decode(c.astring(), word) };
  }
  const date = DATE_KEYS[word];
  if (date) {
    c.sp();
    return { type: date[0], op: date[1], date: parseDate(c) };
  }
  switch (word) {
    case 'ALL':
      return { type: 'all' };
    case 'NEW':
      return { type: 'and', keys: [{ type: 'flag', flag: RECENT, set: true }, { type: 'flag', flag: '\\Seen', set: false }] };
    case 'KEYWORD':
    case 'UNKEYWORD':
      c.sp();
      return { type: 'flag', flag: parseSearchKeyword(c), set: word === 'KEYWORD' };
    case 'BODY':
    case 'TEXT':
      c.sp();
      return { type: word === 'BODY' ? 'body' : 'text', value: decode(c.astring(), word) };
    case 'HEADER': {
      c.sp();
      const field = c.utf8(c.astring('a header field name'), 'header field name');
      if (!/^[\x21-\x39\x3b-\x7e]+$/.test(field)) c.fail('Invalid header field name');
      c.sp();
      return { type: 'header', field, value: decode(c.astring(), 'HEADER') };
    }
    case 'LARGER':
    case 'SMALLER':
      c.sp();
      return { type: 'size', op: word === 'LARGER' ? 'larger' : 'smaller', size: c.number64('a size') };
    case 'OLDER':
    case 'YOUNGER':
      c.sp();
      return { type: 'age', op: word === 'OLDER' ? 'older' : 'younger', seconds: c.nzNumber('an interval') };
    case 'UID':
      c.sp();
      return { type: 'uid', set: parseSequenceSet(c) };
    case 'NOT':
      c.sp();
      return { type: 'not', key: parseSearchKey(c, decode, depth + 1) };
    case 'OR': {
      c.sp();
      const left = parseSearchKey(c, decode, depth + 1);
      c.sp();
      return { type: 'or', left, right: parseSearchKey(c, decode, depth + 1) };
    }
    case 'MODSEQ':
      return parseModseqKey(c);
  }
  return c.fail(`Unknown search key ${word.slice(0, 24)}`);
}

/** "MODSEQ" [SP entry-name SP entry-type-req] SP mod-sequence-valzer — RFC 7162 §3.1.5. */
function parseModseqKey(c: Cursor): SearchKey {
  c.sp();
  if (c.peek() === 0x22) {
    const name = c.utf8(c.quoted(), 'entry name');
    const m = /^\/flags\/(.+)$/i.exec(name);
    if (!m) c.fail('MODSEQ entry name must be "/flags/<flag>"');
    const flag = reparseFlag(c, m[1] as string);
    c.sp();
    const scope = c.atom('priv, shared or all').toLowerCase();
    if (scope !== 'priv' && scope !== 'shared' && scope !== 'all') c.fail('MODSEQ entry type must be priv, shared or all');
    c.sp();
    return { type: 'modseq', modseq: c.modseq(true), entry: { flag, scope } };
  }
  return { type: 'modseq', modseq: c.modseq(true) };
}

/** Validates the flag inside a MODSEQ entry name with the ordinary flag rules. */
function reparseFlag(c: Cursor, text: string): string {
  const inner = new Cursor({ tag: c.tag, segments: [{ kind: 'text', bytes: Buffer.from(text, 'latin1') }], size: text.length });
  inner.tag = c.tag;
  const flag = parseFlag(inner, true);
  inner.end();
  return flag;
}
