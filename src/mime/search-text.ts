/**
 * The text of a message for full-text search: headers and body decoded to Unicode (RFC 2047 words,
 * RFC 2045 transfer encodings, any charset TextDecoder or libmime knows: GB2312/GBK/GB18030/Big5 …;
 * unlabelled 8-bit as UTF-8 else GB18030), HTML reduced to its text, and word segmentation with
 * Intl.Segmenter so Chinese, which has no spaces, is indexed by words (DESIGN §3).
 * It reads text/* parts only (one alternative of a multipart/alternative: the HTML one when
 * there is one), descends into forwarded messages, and adds attachment file names to the headers.
 * Bounded: header and body text are cut at the limits, and no part reads more than 4× the body limit.
 */
import libmime from 'libmime';
import { decode as decodeWithLibmime } from 'libmime/lib/charset.js';
import { decodeHeaderBytes, parseHeaders } from './header-block.ts';
import { partCharset, partFilename, type MimePart } from './mime-tree.ts';
import { decodeTransfer, parseTransferEncoding } from './transfer-encoding.ts';

export interface SearchTextLimits {
  maxHeaderChars: number;
  maxBodyChars: number;
}
export const DEFAULT_SEARCH_TEXT_LIMITS: SearchTextLimits = { maxHeaderChars: 64 * 1024, maxBodyChars: 1024 * 1024 };

/** Machine fields with no words in them worth finding (trace, signatures, transport state). */
const SKIPPED_FIELDS = /^(received|dkim-signature|domainkey-signature|x-google-dkim-signature|arc-.*|authentication-results|received-spf|x-ms-exchange-.*|x-microsoft-antispam.*|x-forefront-.*|content-transfer-encoding|mime-version|x-mailer-.*)$/;
/** Envelope-like fields shown for a forwarded message inside the body text. */
const FORWARDED_FIELDS = new Set(['from', 'to', 'cc', 'subject', 'date']);
const ALIASES: Record<string, string> = { cp936: 'gbk', 'windows-936': 'gbk', 'euc-cn': 'gbk', 'gb_2312-80': 'gbk', cp950: 'big5' };
const decoders = new Map<string, TextDecoder | null>();

function decoderFor(label: string): TextDecoder | null {
  let d = decoders.get(label);
  if (d === undefined) {
    try {
      d = new TextDecoder(ALIASES[label] ?? label);
    } catch {
      d = null;
    }
    if (decoders.size < 100) decoders.set(label, d);
  }
  return d;
}

/**
 * Bytes in a declared charset to text. No charset, US-ASCII or UTF-8 go through the header
 * heuristic (ASCII, else valid UTF-8, else GB18030), since unlabelled or mislabelled Chinese mail
 * is common; unknown labels fall back to libmime (iconv-lite), and from there to UTF-8.
 */
export function decodeCharset(bytes: Uint8Array, charset: string | undefined): string {
  const label = (charset ?? '').trim().toLowerCase().replace(/^"|"$/g, '');
  if (label === '' || label === 'us-ascii' || label === 'ascii' || label === 'utf-8' || label === 'utf8') return decodeHeaderBytes(bytes);
  const decoder = decoderFor(label);
  if (decoder) return decoder.decode(bytes);
  try {
    return decodeWithLibmime(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), label);
  } catch {
    return decodeHeaderBytes(bytes);
  }
}

const ENTITIES: Record<string, string> = {
  nbsp: ' ', amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", copy: '©', reg: '®', middot: '·', hellip: '…',
  mdash: '—', ndash: '–', laquo: '«', raquo: '»', ldquo: '“', rdquo: '”', lsquo: '‘', rsquo: '’', bull: '•',
  ensp: ' ', emsp: ' ', thinsp: ' ', yen: '¥', times: '×', divide: '÷', deg: '°', trade: '™', euro: '€',
};

function decodeEntities(s: string): string {
  return s.replace(/&(#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[a-zA-Z][a-zA-Z0-9]{1,31});/g, (whole, name: string) => {
    if (name[0] === '#') {
      const code = name[1] === 'x' || name[1] === 'X' ? parseInt(name.slice(2), 16) : parseInt(name.slice(1), 10);
      return code > 0 && code <= 0x10ffff && !(code >= 0xd800 && code <= 0xdfff) ? String.fromCodePoint(code) : ' ';
    }
    return ENTITIES[name.toLowerCase()] ?? whole;
  });
}

const BLOCK_TAGS = new Set(['br', 'p', 'div', 'tr', 'li', 'ul', 'ol', 'table', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6',
  'blockquote', 'pre', 'hr', 'section', 'article', 'header', 'footer', 'td', 'th', 'dd', 'dt']);
const SKIPPED_TAGS = new Set(['script', 'style', 'head', 'title', 'template']);

/**
 * HTML to plain text for indexing, in one left-to-right pass (no backtracking regexes, so hostile
 * markup stays linear): comments, script/style/head dropped; block tags become line breaks,
 * other tags vanish (so 你<b>好</b> stays one word); entities decoded; whitespace collapsed.
 */
export function htmlToText(html: string): string {
  const out: string[] = [];
  const n = html.length;
  // A skipped tag that never closes is not looked for again: that search already ran to the end.
  const unclosed = new Set<string>();
  let i = 0;
  while (i < n) {
    const lt = html.indexOf('<', i);
    if (lt === -1) {
      out.push(html.slice(i));
      break;
    }
    out.push(html.slice(i, lt));
    if (html.startsWith('<!--', lt)) {
      const close = html.indexOf('-->', lt + 4);
      i = close === -1 ? n : close + 3;
      continue;
    }
    const gt = html.indexOf('>', lt + 1);
    if (gt === -1) break;
    const name = /^<\/?([a-zA-Z][a-zA-Z0-9]*)/.exec(html.slice(lt, Math.min(gt + 1, lt + 24)))?.[1]?.toLowerCase();
    i = gt + 1;
    if (name === undefined) continue;
    if (SKIPPED_TAGS.has(name) && html[lt + 1] !== '/' && !unclosed.has(name)) {
      const closing = new RegExp(`</${name}\\s*>`, 'gi');
      closing.lastIndex = i;
      if (closing.exec(html)) i = closing.lastIndex;
      else unclosed.add(name);
      continue;
    }
    if (BLOCK_TAGS.has(name)) out.push('\n');
  }
  return collapse(decodeEntities(out.join('')));
}

const collapse = (s: string): string =>
  s.replace(/[ \t\f\v\u00a0\u3000]+/g, ' ').replace(/ ?\r?\n[\s]*/g, '\n').trim();

/** A text part's content as Unicode, reading at most `maxBytes` of its encoded body; HTML reduced to text. */
export function decodeTextPart(raw: Buffer, part: MimePart, maxBytes = Infinity): string {
  const text = decodePartContent(raw, part, maxBytes);
  return part.subtype === 'html' ? htmlToText(text) : text;
}

/** A part's content as Unicode (transfer encoding and charset undone, HTML left as it is), reading at most `maxBytes`. */
export function decodePartContent(raw: Buffer, part: MimePart, maxBytes = Infinity): string {
  const body = raw.subarray(part.bodyStart, Math.min(part.bodyEnd, part.bodyStart + maxBytes));
  const content = decodeTransfer(body, parseTransferEncoding(part.encoding) ?? '7bit');
  return decodeCharset(content, partCharset(part));
}

/** Header lines `Name: value` with encoded words decoded, noise fields left out. */
function headerText(raw: Buffer, start: number, end: number, keep: (key: string) => boolean): string[] {
  const { headers } = parseHeaders(raw.subarray(start, end));
  return headers.filter((h) => keep(h.key)).map((h) => {
    try {
      return libmime.decodeWords(h.line);
    } catch {
      return h.line;
    }
  });
}

/** Appends to a capped list of strings. */
class Collector {
  readonly parts: string[] = [];
  length = 0;
  constructor(readonly max: number) {}
  get full(): boolean {
    return this.length >= this.max;
  }
  add(s: string): void {
    if (s === '' || this.full) return;
    const piece = s.length > this.max - this.length ? s.slice(0, this.max - this.length) : s;
    this.parts.push(piece);
    this.length += piece.length + 1;
  }
  text(): string {
    return this.parts.join('\n').slice(0, this.max);
  }
}

function collectBody(raw: Buffer, part: MimePart, body: Collector, names: string[]): void {
  if (body.full) return;
  const name = partFilename(part);
  if (name !== undefined && name !== '' && names.length < 1000) names.push(name);
  if (part.message) {
    const m = part.message;
    for (const line of headerText(raw, m.headerStart, m.headerEnd, (k) => FORWARDED_FIELDS.has(k))) body.add(line);
    collectBody(raw, m, body, names);
    return;
  }
  if (part.type === 'multipart') {
    let children = part.children;
    if (part.subtype === 'alternative') {
      const readable = children.filter((c) => c.type === 'text' || c.type === 'multipart');
      const html = readable.find((c) => c.type === 'text' && c.subtype === 'html');
      children = html ? [html] : readable.slice(0, 1);
    }
    for (const c of children) collectBody(raw, c, body, names);
    return;
  }
  if (part.type !== 'text' || part.opaque) return;
  if (part.subtype !== 'plain' && part.subtype !== 'html' && part.disposition?.type === 'attachment') return;
  body.add(decodeTextPart(raw, part, body.max * 4));
}

/**
 * The searchable text of a message: `headers` (decoded header lines, then attachment file names)
 * and `body` (text parts, forwarded messages included), each cut at its limit. Never throws.
 */
export function searchableText(raw: Buffer, tree: MimePart, limits: Partial<SearchTextLimits> = {}): { headers: string; body: string } {
  const { maxHeaderChars, maxBodyChars } = { ...DEFAULT_SEARCH_TEXT_LIMITS, ...limits };
  const headers = new Collector(maxHeaderChars);
  const body = new Collector(maxBodyChars);
  const names: string[] = [];
  try {
    for (const line of headerText(raw, tree.headerStart, tree.headerEnd, (k) => !SKIPPED_FIELDS.test(k))) headers.add(line);
    collectBody(raw, tree, body, names);
  } catch {
    // A broken part ends the walk; what was read so far is still worth indexing.
  }
  for (const name of names) headers.add(name);
  return { headers: headers.text(), body: body.text() };
}

let segmenter: Intl.Segmenter | undefined;
/** Longer "words" are base64, hashes or URLs glued together: not worth an index entry. */
const MAX_WORD_CHARS = 64;
/** Scripts written without spaces between words: only a dictionary can find their words. */
const UNSPACED = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Thai}\p{Script=Lao}\p{Script=Khmer}\p{Script=Myanmar}]+/gu;
/**
 * A word in a spaced script, as Unicode's word boundaries (UAX #29) cut it: letters, digits,
 * marks and connectors, kept together across an apostrophe, a full stop or a colon between letters
 * (don't, example.com, mailto:bob) and an apostrophe, a full stop, a comma or a semicolon between
 * digits (3.14, 1,000).
 */
const SPACED_WORD = /[\p{L}\p{M}\p{Nd}\p{Pc}]+(?:(?:(?<=[\p{L}\p{M}])['’.:·](?=\p{L})|(?<=\p{Nd})['’.,;](?=\p{Nd}))[\p{L}\p{M}\p{Nd}\p{Pc}]+)*/gu;

/**
 * Lower-cased word tokens of `text` (NFKC-normalised, so full-width ＡＢＣ is abc); punctuation and
 * spaces are dropped, and so are tokens longer than 64 characters. Runs of Chinese (and the other
 * unspaced scripts) go through Intl.Segmenter('zh') at word granularity: 邮箱地址 gives 邮箱, 地址;
 * the rest through a regular expression, ten times faster than the segmenter and cutting the same
 * words.
 */
export function segmentWords(text: string): string[] {
  const words: string[] = [];
  const spaced = (part: string) => {
    for (const m of part.matchAll(SPACED_WORD)) if (m[0].length <= MAX_WORD_CHARS) words.push(m[0]);
  };
  const normal = text.normalize('NFKC').toLowerCase();
  let at = 0;
  for (const run of normal.matchAll(UNSPACED)) {
    spaced(normal.slice(at, run.index));
    segmenter ??= new Intl.Segmenter('zh', { granularity: 'word' });
    for (const s of segmenter.segment(run[0])) {
      if (s.isWordLike && s.segment.length <= MAX_WORD_CHARS) words.push(s.segment);
    }
    at = run.index + run[0].length;
  }
  spaced(normal.slice(at));
  return words;
}
