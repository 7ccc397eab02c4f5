/**
 * The MIME structure of a raw message as byte offsets (RFC 2045 fields, RFC 2046 §5.1 multipart,
 * §5.2.1 message/rfc822, RFC 2231 parameters), parsed once and shared by IMAP FETCH
 * (BODYSTRUCTURE, BODY[section], BINARY) and search. Nothing is decoded or copied: parts are
 * offsets into the raw bytes, and the tree is plain data (JSON-safe) so it can be cached.
 * Part numbers follow RFC 3501 §6.4.5. Bounded: past `maxDepth` nesting or `maxParts` entities
 * the rest is one opaque application/octet-stream part; header blocks stop at 256 KiB.
 * Linear time: delimiter lines are indexed once per message. Never throws on garbage.
 */
import libmime from 'libmime';
import { envelope, unfoldValue } from './envelope.ts';
import { decodeHeaderBytes, scanHeaderBlock } from './header-block.ts';

export interface MimeLimits {
  /** Entities nested deeper than this are not split (root = 0). At most 200: the parse recurses. */
  maxDepth: number;
  /** Entities (parts and encapsulated messages) counted before the rest is left whole. */
  maxParts: number;
}
export const DEFAULT_MIME_LIMITS: MimeLimits = { maxDepth: 50, maxParts: 2000 };

export interface MimeParam {
  /** Lower-case name, without RFC 2231 `*` / `*0*` suffixes. */
  name: string;
  /** Unicode: continuations joined, RFC 2231 charset and RFC 2047 encoded words decoded. */
  value: string;
  /**
   * The value as IMAP sends it, a byte string: as written in the message for a plain parameter;
   * for RFC 2231 ones the joined value when it is printable ASCII, else `UTF-8''` + percent-encoded
   * UTF-8 with `extended` set (sent as `name*`, as Dovecot 2.3 and RFC 9051 §7.5.2 do).
   */
  raw: string;
  extended: boolean;
}

export interface MimeDisposition {
  /** Lower-case disposition type (`inline`, `attachment` …). */
  type: string;
  params: MimeParam[];
}

/** One MIME entity. Header texts (id, description, md5, location, language) are raw byte strings, unfolded. */
export interface MimePart {
  /** IMAP part number: '' for the message itself, '1', '1.2' …; an encapsulated message shares its part's number. */
  part: string;
  depth: number;
  headerStart: number;
  /** Just past the header's blank line (equal to bodyStart). */
  headerEnd: number;
  bodyStart: number;
  /** Exclusive; the line break before a multipart delimiter belongs to the delimiter (RFC 2046 §5.1.1). */
  bodyEnd: number;
  /** Lower-case media type and subtype, defaults applied (text/plain; message/rfc822 in a digest). */
  type: string;
  subtype: string;
  params: MimeParam[];
  id: string | null;
  description: string | null;
  /** Lower-case Content-Transfer-Encoding token, comments removed; '7bit' when absent. */
  encoding: string;
  md5: string | null;
  disposition: MimeDisposition | null;
  language: string[] | null;
  location: string | null;
  /** Line feeds in the body, for text/* and message/rfc822 parts (else 0). */
  lines: number;
  /** Parts of a multipart, in order (may be empty: a multipart whose delimiters never appear). */
  children: MimePart[];
  /** The encapsulated message of a message/rfc822 part. */
  message: MimePart | null;
  /** For an encapsulated message: its ENVELOPE, ready for BODYSTRUCTURE. */
  envelope: string | null;
  /** True when limits stopped the parse here: the content is kept whole as application/octet-stream. */
  opaque: boolean;
}

const LF = 0x0a;
const CR = 0x0d;
const DASH = 0x2d;
/** RFC 2046 §5.1.1 allows 70 characters; longer boundaries are not looked for. */
const MAX_BOUNDARY = 256;
const TOKEN = "[!#$%&'*+\\-.^_`|~0-9A-Za-z]+";
const MEDIA_TYPE = new RegExp(`^\\s*(${TOKEN})\\s*/\\s*(${TOKEN})`);
const MIME_FIELDS = new Set([
  'content-type', 'content-transfer-encoding', 'content-id', 'content-description', 'content-md5',
  'content-disposition', 'content-language', 'content-location',
]);

class ParseContext {
  count = 0;
  private lf: Int32Array | null = null;
  private lfCount = 0;
  private dashes: { starts: number[]; texts: string[] } | null = null;
  constructor(readonly raw: Buffer, readonly limits: MimeLimits) {}

  /** Offsets of every LF, built on first use (one memchr-speed pass). */
  private lineFeeds(): Int32Array {
    if (this.lf) return this.lf;
    let lf = new Int32Array(1024);
    let n = 0;
    for (let p = this.raw.indexOf(LF); p !== -1; p = this.raw.indexOf(LF, p + 1)) {
      if (n === lf.length) {
        const grown = new Int32Array(lf.length * 2);
        grown.set(lf);
        lf = grown;
      }
      lf[n++] = p;
    }
    this.lfCount = n;
    return (this.lf = lf);
  }

  /** Index of the first LF at or after `pos`. */
  private firstLfFrom(pos: number): number {
    const lf = this.lineFeeds();
    let lo = 0;
    let hi = this.lfCount;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (lf[mid]! < pos) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Line feeds in [start, end). */
  countLines(start: number, end: number): number {
    return end <= start ? 0 : this.firstLfFrom(end) - this.firstLfFrom(start);
  }

  /**
   * Every line that starts with `--`, in order: where it starts and what follows the dashes (trailing
   * white space removed, at most MAX_BOUNDARY + 4 characters: enough to tell a boundary and "--").
   */
  private dashLines(): { starts: number[]; texts: string[] } {
    if (this.dashes) return this.dashes;
    const starts: number[] = [];
    const texts: string[] = [];
    const raw = this.raw;
    const lf = this.lineFeeds();
    for (let i = -1; i < this.lfCount; i++) {
      const start = i < 0 ? 0 : lf[i]! + 1;
      if (raw[start] !== DASH || raw[start + 1] !== DASH) continue;
      let end = i + 1 < this.lfCount ? lf[i + 1]! : raw.length;
      while (end > start + 2 && (raw[end - 1] === CR || raw[end - 1] === 0x20 || raw[end - 1] === 0x09)) end--;
      starts.push(start);
      texts.push(raw.toString('latin1', start + 2, Math.min(end, start + 2 + MAX_BOUNDARY + 4)));
    }
    return (this.dashes = { starts, texts });
  }

  /**
   * Delimiter lines of `boundary` within [start, end), in order. A line is one when it is
   * `--boundary`, or `--boundary--` (the close), or `--boundary` then white space; text after a
   * close delimiter (`--b--</BODY></HTML>`) is ignored, as Dovecot and Thunderbird read it.
   */
  *delimiters(boundary: string, start: number, end: number): Generator<{ lineStart: number; lineEnd: number; isClose: boolean }> {
    const { starts, texts } = this.dashLines();
    let lo = 0;
    let hi = starts.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (starts[mid]! < start) lo = mid + 1;
      else hi = mid;
    }
    for (let i = lo; i < starts.length && starts[i]! < end; i++) {
      const text = texts[i]!;
      if (!text.startsWith(boundary)) continue;
      const rest = text.slice(boundary.length);
      const isClose = rest.startsWith('--');
      if (!isClose && rest !== '' && !/^[ \t]/.test(rest)) continue;
      const lineStart = starts[i]!;
      const nl = this.raw.indexOf(LF, lineStart);
      yield { lineStart, lineEnd: nl === -1 || nl >= end ? end : nl + 1, isClose };
    }
  }
}

/** Runs fn; a library choking on garbage gives the fallback. */
function safe<T>(fn: () => T, fallback: T): T {
  try {
    return fn();
  } catch {
    return fallback;
  }
}

/** Raw header text (byte string) to Unicode: 8-bit as UTF-8 else GB18030, then RFC 2047 words. */
export function decodeHeaderText(byteString: string): string {
  const text = decodeHeaderBytes(Buffer.from(byteString, 'latin1'));
  return safe(() => libmime.decodeWords(text), text);
}

/** RFC 2231 attribute-char is kept, everything else percent-encoded. */
const percentEncode = (value: string): string =>
  Array.from(Buffer.from(value, 'utf8'), (b) =>
    /[A-Za-z0-9!#$&+\-.^_`|~]/.test(String.fromCharCode(b)) ? String.fromCharCode(b) : `%${b.toString(16).toUpperCase().padStart(2, '0')}`,
  ).join('');

/** `value; a=b; c*=…` (a byte string) into its leading token and parameters. */
function parseStructured(byteString: string): { value: string; params: MimeParam[] } {
  const parsed = safe(() => libmime.parseHeaderValue(byteString, { stripComments: true }), undefined);
  if (!parsed) return { value: byteString.trim(), params: [] };
  const joined = new Set(parsed.decodedParams ?? []);
  const params: MimeParam[] = [];
  for (const [name, v] of Object.entries(parsed.params)) {
    if (name === '' || typeof v !== 'string') continue;
    // A word without "=" (`text/plain; Windows-1252`) is no parameter: Dovecot skips it too.
    if (v === '' && !hasAssignment(byteString, name)) continue;
    if (!joined.has(name)) {
      params.push({ name, value: decodeHeaderText(v), raw: v, extended: false });
    } else {
      const printable = /^[\x20-\x7e]*$/.test(v);
      params.push({ name, value: v, raw: printable ? v : `UTF-8''${percentEncode(v)}`, extended: !printable });
    }
  }
  return { value: parsed.value, params };
}

/** Whether `name` (or its RFC 2231 sections) is followed by "=" in the raw header value. */
function hasAssignment(byteString: string, name: string): boolean {
  const escaped = name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`(^|;)\\s*${escaped}(\\*\\d*\\*?)?\\s*=`, 'i').test(byteString);
}

/** The Unicode value of parameter `name`, or undefined. */
export const paramValue = (params: readonly MimeParam[], name: string): string | undefined =>
  params.find((p) => p.name === name)?.value;

/** The file name a part carries: Content-Disposition filename, else Content-Type name. */
export const partFilename = (part: MimePart): string | undefined =>
  (part.disposition ? paramValue(part.disposition.params, 'filename') : undefined) ?? paramValue(part.params, 'name');

/** The charset a text part declares, lower-case; undefined when none is given (RFC 2045 says us-ascii). */
export const partCharset = (part: MimePart): string | undefined => paramValue(part.params, 'charset')?.trim().toLowerCase();

const stripComments = (s: string): string => s.replace(/\([^()]*\)/g, ' ');

/**
 * Parses the entity whose header starts at `start` and which ends at `end`. `isMessage` is set
 * for the root and encapsulated messages: one that is not multipart is also its own part 1.
 */
function parseEntity(
  ctx: ParseContext, start: number, end: number, depth: number, part: string, inDigest: boolean, isMessage: boolean,
): MimePart {
  const raw = ctx.raw;
  ctx.count++;

  // Header fields (first occurrence wins), as unfolded byte strings
  const block = scanHeaderBlock(raw.subarray(start, end));
  const bodyStart = start + block.bodyOffset;
  const fields = new Map<string, string>();
  for (const f of block.fields) {
    if (MIME_FIELDS.has(f.key) && !fields.has(f.key)) fields.set(f.key, unfoldValue(raw.subarray(start + f.valueStart, start + f.end)));
  }

  // Content-Type, with the RFC 2045 §5.2 / RFC 2046 §5.1.5 defaults; an unreadable one counts as absent
  let type = inDigest ? 'message' : 'text';
  let subtype = inDigest ? 'rfc822' : 'plain';
  let params: MimeParam[] = [];
  const contentType = fields.get('content-type');
  if (contentType !== undefined) {
    const ct = parseStructured(contentType);
    const m = MEDIA_TYPE.exec(ct.value);
    if (m) {
      type = m[1]!.toLowerCase();
      subtype = m[2]!.toLowerCase();
      params = ct.params;
    } else {
      type = 'text';
      subtype = 'plain';
    }
  }
  const disposition = fields.has('content-disposition') ? parseStructured(fields.get('content-disposition')!) : undefined;
  const dispositionType = disposition ? stripComments(disposition.value).trim().toLowerCase() : '';
  const language = fields.get('content-language');
  const languages = language === undefined ? [] : stripComments(language).split(',').map((s) => s.trim()).filter((s) => s !== '');
  const encoding = stripComments(fields.get('content-transfer-encoding') ?? '').trim().toLowerCase();

  const node: MimePart = {
    part, depth, headerStart: start, headerEnd: bodyStart, bodyStart, bodyEnd: Math.max(end, bodyStart),
    type, subtype, params,
    id: fields.get('content-id') ?? null,
    description: fields.get('content-description') ?? null,
    encoding: encoding === '' ? '7bit' : encoding,
    md5: fields.get('content-md5') ?? null,
    disposition: dispositionType === '' ? null : { type: dispositionType, params: disposition!.params },
    language: languages.length > 0 ? languages : null,
    location: fields.get('content-location') ?? null,
    lines: 0, children: [], message: null, envelope: null, opaque: false,
  };

  const isMultipart = type === 'multipart';
  const isRfc822 = type === 'message' && subtype === 'rfc822';
  if (isMultipart || isRfc822) {
    const boundary = isMultipart ? (params.find((p) => p.name === 'boundary')?.raw ?? '').replace(/[ \t]+$/, '') : '';
    if (isMultipart && (boundary === '' || boundary.length > MAX_BOUNDARY)) {
      // A multipart without a usable boundary cannot be split: show its body as text (RFC 2045 §5.2).
      Object.assign(node, { type: 'text', subtype: 'plain', params: [] });
    } else if (depth >= Math.min(ctx.limits.maxDepth, 200) || ctx.count >= ctx.limits.maxParts) {
      Object.assign(node, { type: 'application', subtype: 'octet-stream', params: [], opaque: true });
    } else if (isMultipart) {
      splitMultipart(ctx, node, boundary);
    } else {
      // The encapsulated message is numbered as this part (RFC 3501 §6.4.5): a lone message is part 1 of its parent message.
      const asPart = isMessage ? (part === '' ? '1' : `${part}.1`) : part;
      node.message = parseEntity(ctx, node.bodyStart, node.bodyEnd, depth + 1, asPart, false, true);
      node.message.envelope = safe(() => envelope(raw.subarray(node.message!.headerStart, node.message!.headerEnd)), null);
    }
  }
  if (node.type === 'text' || node.message) node.lines = ctx.countLines(node.bodyStart, node.bodyEnd);
  return node;
}

/** The parts between the delimiter lines of `boundary`; preamble and epilogue belong to no part. */
function splitMultipart(ctx: ParseContext, node: MimePart, boundary: string): void {
  const raw = ctx.raw;
  const inDigest = node.subtype === 'digest';
  const childNumber = (i: number) => (node.part === '' ? `${i}` : `${node.part}.${i}`);
  let childStart = -1;
  for (const d of ctx.delimiters(boundary, node.bodyStart, node.bodyEnd)) {
    if (childStart >= 0) {
      let childEnd = d.lineStart;
      if (childEnd > childStart && raw[childEnd - 1] === LF) childEnd--;
      if (childEnd > childStart && raw[childEnd - 1] === CR) childEnd--;
      node.children.push(parseEntity(ctx, childStart, childEnd, node.depth + 1, childNumber(node.children.length + 1), inDigest, false));
    }
    if (d.isClose) return;
    childStart = d.lineEnd;
    if (ctx.count >= ctx.limits.maxParts) {
      // Out of part budget: everything from here to the end of the multipart is one opaque part.
      const rest = parseEntity(ctx, childStart, node.bodyEnd, node.depth + 1, childNumber(node.children.length + 1), inDigest, false);
      node.children.push(Object.assign(rest, {
        type: 'application', subtype: 'octet-stream', params: [], children: [], message: null, lines: 0, opaque: true,
      }));
      return;
    }
  }
  // A boundary that never closes: the last part runs to the end of the enclosing entity.
  if (childStart >= 0) {
    node.children.push(parseEntity(ctx, childStart, node.bodyEnd, node.depth + 1, childNumber(node.children.length + 1), inDigest, false));
  }
}

/**
 * The MIME tree of a raw message: the root is the message itself (part ''). Never throws.
 * @param limits nesting depth and entity count; defaults 50 and 2000
 */
export function parseMimeTree(raw: Buffer, limits: Partial<MimeLimits> = {}): MimePart {
  try {
    return parseEntity(new ParseContext(raw, { ...DEFAULT_MIME_LIMITS, ...limits }), 0, raw.length, 0, '', false, true);
  } catch {
    // Last resort for a bug, not for bad input (which parses): the whole message as one opaque part.
    const bodyStart = Math.min(scanHeaderBlock(raw).bodyOffset, raw.length);
    return {
      part: '', depth: 0, headerStart: 0, headerEnd: bodyStart, bodyStart, bodyEnd: raw.length, type: 'application',
      subtype: 'octet-stream', params: [], id: null, description: null, encoding: '7bit', md5: null, disposition: null,
      language: null, location: null, lines: 0, children: [], message: null, envelope: null, opaque: true,
    };
  }
}

/** Part numbers of a dotted path ('1.2.3'); undefined unless every number is a positive integer. */
export function parsePartPath(path: string): number[] | undefined {
  if (path === '') return [];
  const nums = path.split('.').map((s) => (/^[1-9][0-9]{0,8}$/.test(s) ? Number(s) : Number.NaN));
  return nums.every((n) => Number.isInteger(n)) ? nums : undefined;
}

/**
 * The entity IMAP addresses as part `path` (RFC 3501 §6.4.5): multipart children by position; a
 * message/rfc822 part's numbers index its encapsulated message's parts, and a message (or the root)
 * that is not multipart has one part, numbered 1, which is that message's own body entity.
 * undefined when there is no such part. `[]` gives the root.
 */
export function findPart(root: MimePart, path: string | readonly number[]): MimePart | undefined {
  const nums = typeof path === 'string' ? parsePartPath(path) : path;
  if (!nums) return undefined;
  let node = root;
  let isMessage = true; // node is read as a message (the root, or an encapsulated one)
  for (const n of nums) {
    if (!isMessage && node.message) {
      node = node.message;
      isMessage = true;
    }
    if (node.type === 'multipart') {
      const child = node.children[n - 1];
      if (!child) return undefined;
      node = child;
    } else if (!(isMessage && n === 1)) {
      return undefined;
    }
    isMessage = false;
  }
  return node;
}
