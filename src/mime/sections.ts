/**
 * The bytes of FETCH BODY[section]<partial> (RFC 3501 §6.4.5) and BINARY[section]<partial>
 * (RFC 3516 §4.2) from a raw message and its MIME tree. Sections: '' (whole message), HEADER,
 * TEXT, HEADER.FIELDS (…), HEADER.FIELDS.NOT (…), part numbers, and part numbers followed by
 * MIME, or — for message/rfc822 parts — by HEADER, TEXT or HEADER.FIELDS[.NOT].
 * Header subsets keep each field's raw bytes (folds included) in message order, then the blank
 * line that ends the header if the message has one. BINARY removes the Content-Transfer-Encoding.
 * Results are subarrays of `raw` where possible; nothing here throws on a broken message.
 */
import { scanHeaderBlock } from './header-block.ts';
import { findPart, parsePartPath, type MimePart } from './mime-tree.ts';
import { decodeTransfer, parseTransferEncoding } from './transfer-encoding.ts';

export type SectionText = '' | 'HEADER' | 'TEXT' | 'MIME' | 'HEADER.FIELDS' | 'HEADER.FIELDS.NOT';

export interface Section {
  /** Part numbers, [] for the message itself. */
  path: number[];
  text: SectionText;
  /** Lower-case field names for HEADER.FIELDS and HEADER.FIELDS.NOT. */
  fields: string[];
}

/** `<origin.octets>`: octets omitted means to the end. */
export interface PartialRange {
  origin: number;
  octets?: number;
}

const TEXT_WORD = /^(HEADER\.FIELDS\.NOT|HEADER\.FIELDS|HEADER|TEXT|MIME)/i;

/**
 * Reads a section spec as written between the brackets: '', '1.2', '1.2.MIME', 'HEADER',
 * '3.HEADER.FIELDS (From "To")'. Field names may be atoms or quoted strings. undefined when
 * it is not valid RFC 3501 syntax (MIME without a part number; a field list without HEADER.FIELDS).
 */
export function parseSection(spec: string): Section | undefined {
  let rest = spec.trim();
  let path: number[] = [];
  const numbers = /^[1-9][0-9]*(?:\.[1-9][0-9]*)*/.exec(rest);
  if (numbers) {
    path = parsePartPath(numbers[0]) ?? [];
    rest = rest.slice(numbers[0].length);
    if (rest !== '') {
      if (rest[0] !== '.' || rest.length === 1) return undefined;
      rest = rest.slice(1);
    }
  }
  const word = TEXT_WORD.exec(rest);
  const text = (word?.[1]?.toUpperCase() ?? '') as SectionText;
  rest = rest.slice(text.length).trim();
  if (text === 'MIME' && path.length === 0) return undefined;
  const wantsList = text === 'HEADER.FIELDS' || text === 'HEADER.FIELDS.NOT';
  if (!wantsList) return rest === '' ? { path, text, fields: [] } : undefined;
  if (!rest.startsWith('(') || !rest.endsWith(')')) return undefined;
  const fields = [...rest.slice(1, -1).matchAll(/"((?:[^"\\]|\\.)*)"|([^\s"()]+)/g)]
    .map((f) => (f[1] ?? f[2]!).replace(/\\(.)/g, '$1').toLowerCase());
  return fields.length === 0 ? undefined : { path, text, fields };
}

/** The `<origin.octets>` slice of `bytes`: empty when origin is past the end (RFC 3501 §6.4.5). */
export function applyPartial(bytes: Buffer, partial?: PartialRange): Buffer {
  if (!partial) return bytes;
  const start = Math.min(Math.max(0, partial.origin), bytes.length);
  const end = partial.octets === undefined ? bytes.length : Math.min(bytes.length, start + Math.max(0, partial.octets));
  return bytes.subarray(start, end);
}

/** The header fields of [start, end) whose names are (or, with `exclude`, are not) in `names`, plus the blank line. */
export function headerSubset(raw: Buffer, start: number, end: number, names: readonly string[], exclude: boolean): Buffer {
  const header = raw.subarray(start, end);
  const block = scanHeaderBlock(header, header.length + 1);
  const wanted = new Set(names.map((n) => n.toLowerCase()));
  const pieces: Buffer[] = [];
  for (const f of block.fields) {
    if (wanted.has(f.key) !== exclude) pieces.push(header.subarray(f.start, f.end));
  }
  if (block.bodyOffset > block.headerEnd) pieces.push(header.subarray(block.headerEnd, block.bodyOffset));
  return Buffer.concat(pieces);
}

/**
 * The bytes of BODY[section]<partial>, or null when the section names no part, or names HEADER /
 * TEXT below a part that is not message/rfc822 (the caller answers NIL or NO, its choice).
 */
export function extractSection(raw: Buffer, tree: MimePart, section: string | Section, partial?: PartialRange): Buffer | null {
  const sec = typeof section === 'string' ? parseSection(section) : section;
  if (!sec) return null;
  const node = findPart(tree, sec.path);
  if (!node) return null;
  let bytes: Buffer;
  if (sec.text === '') {
    bytes = sec.path.length === 0 ? raw : raw.subarray(node.bodyStart, node.bodyEnd);
  } else if (sec.text === 'MIME') {
    bytes = raw.subarray(node.headerStart, node.headerEnd);
  } else {
    // HEADER / TEXT / HEADER.FIELDS[.NOT] address a message: the root, or a message/rfc822 part's content.
    const message = sec.path.length === 0 ? tree : node.message;
    if (!message) return null;
    if (sec.text === 'TEXT') bytes = raw.subarray(message.bodyStart, message.bodyEnd);
    else if (sec.text === 'HEADER') bytes = raw.subarray(message.headerStart, message.headerEnd);
    else bytes = headerSubset(raw, message.headerStart, message.headerEnd, sec.fields, sec.text === 'HEADER.FIELDS.NOT');
  }
  return applyPartial(bytes, partial);
}

export type BinaryResult =
  | { ok: true; bytes: Buffer }
  /** RFC 3516 §4.3: answer NO [UNKNOWN-CTE]. */
  | { ok: false; reason: 'unknown-cte' }
  | { ok: false; reason: 'no-such-part' };

/**
 * BINARY[path]<partial>: the part's content with its Content-Transfer-Encoding removed (base64 and
 * quoted-printable decoded leniently: bad base64 characters are skipped). BINARY[] is the whole
 * message and a multipart or message/rfc822 part is returned as it is (their encoding is an
 * identity, RFC 2045 §6.4). BINARY.SIZE is the length of the result without partial.
 */
export function extractBinary(raw: Buffer, tree: MimePart, path: string | readonly number[], partial?: PartialRange): BinaryResult {
  const nums = typeof path === 'string' ? parsePartPath(path) : path;
  const node = nums ? findPart(tree, nums) : undefined;
  if (!nums || !node) return { ok: false, reason: 'no-such-part' };
  if (nums.length === 0) return { ok: true, bytes: applyPartial(raw, partial) };
  const body = raw.subarray(node.bodyStart, node.bodyEnd);
  if (node.type === 'multipart' || node.message) return { ok: true, bytes: applyPartial(body, partial) };
  const encoding = parseTransferEncoding(node.encoding);
  if (encoding === undefined) return { ok: false, reason: 'unknown-cte' };
  return { ok: true, bytes: applyPartial(decodeTransfer(body, encoding), partial) };
}
