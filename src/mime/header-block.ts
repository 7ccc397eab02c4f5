/**
 * The header block of a message or MIME part (RFC 5322 §2.2, §3.2.2 folding), scanned without a
 * full parse: byte ranges of each field for rewriters that must keep every other byte as it was
 * (header translation, domain signature), and unfolded text lines for readers (summary).
 * It does not decode encoded words (RFC 2047) nor parse structured values: callers do, per field.
 * Raw 8-bit header bytes are read as UTF-8 when valid, else as GB18030 (the superset of GB2312
 * and GBK that Chinese clients send unlabelled). Never throws on garbage: unreadable lines are skipped.
 */
import { isAscii, isUtf8 } from 'node:buffer';

/** Scanning stops here: a header block this long is hostile or broken. */
export const HEADER_LIMIT_BYTES = 256 * 1024;

const LF = 0x0a;
const CR = 0x0d;
const SP = 0x20;
const HT = 0x09;
const COLON = 0x3a;

export interface HeaderField {
  /** Lower-case field name. */
  key: string;
  /** Byte offset of the field's first byte (its name). */
  start: number;
  /** Byte offset of the first value byte, just after the colon. */
  valueStart: number;
  /** Byte offset just past the field's last line break (continuation lines included). */
  end: number;
}

export interface HeaderBlock {
  /** Fields in order; lines that are not fields (an mbox "From " line, garbage) are not listed. */
  fields: HeaderField[];
  /** Offset of the blank line that ends the header (or of the end of what was scanned). */
  headerEnd: number;
  /** Offset of the first body byte; raw.length when the message has no body. */
  bodyOffset: number;
  /** The header's line break: CRLF unless its first line ends with a bare LF. */
  eol: '\r\n' | '\n';
  /** True when `limit` bytes held no blank line and the message went on: the header was cut. */
  truncated: boolean;
}

/** A field name is printable US-ASCII except the colon (RFC 5322 §2.2); WSP before the colon is obsolete syntax we accept. */
function fieldName(raw: Buffer, start: number, colon: number): string | undefined {
  let end = colon;
  while (end > start && (raw[end - 1] === SP || raw[end - 1] === HT)) end--;
  if (end === start) return undefined;
  for (let i = start; i < end; i++) {
    const c = raw[i]!;
    if (c < 33 || c > 126) return undefined;
  }
  return raw.toString('latin1', start, end).toLowerCase();
}

/**
 * Finds the fields of the header block at the start of `raw`, up to the first empty line, looking
 * at no more than `limit` bytes.
 */
export function scanHeaderBlock(raw: Buffer, limit: number = HEADER_LIMIT_BYTES): HeaderBlock {
  const fields: HeaderField[] = [];
  const scanEnd = Math.min(raw.length, limit);
  let eol: '\r\n' | '\n' = '\r\n';
  let current: HeaderField | undefined;
  let pos = 0;
  let first = true;
  while (pos < scanEnd) {
    let nl = raw.indexOf(LF, pos);
    if (nl === -1 || nl >= scanEnd) {
      // The last line has no line break: the message ends inside the header (no body), or the limit cut it.
      if (raw.length > limit) return { fields, headerEnd: pos, bodyOffset: pos, eol, truncated: true };
      nl = raw.length;
    }
    const lineEnd = Math.min(nl + 1, raw.length);
    const contentEnd = nl > pos && raw[nl - 1] === CR ? nl - 1 : nl;
    if (first) {
      eol = raw[nl] === LF && raw[nl - 1] !== CR ? '\n' : '\r\n';
      first = false;
    }
    if (contentEnd === pos) {
      return { fields, headerEnd: pos, bodyOffset: lineEnd, eol, truncated: false };
    }
    const c = raw[pos];
    if (c === SP || c === HT) {
      // Continuation of the field above (RFC 5322 §2.2.3); before any field it is garbage.
      if (current) current.end = lineEnd;
    } else {
      // Searched within the line: from here to the end of a large message, per line, would be quadratic.
      const inLine = raw.subarray(pos, contentEnd).indexOf(COLON);
      const colon = inLine === -1 ? -1 : pos + inLine;
      const key = colon !== -1 && colon < contentEnd ? fieldName(raw, pos, colon) : undefined;
      if (key !== undefined) {
        current = { key, start: pos, valueStart: colon + 1, end: lineEnd };
        fields.push(current);
      } else {
        current = undefined; // not a field: skip the line and anything folded under it
      }
    }
    pos = lineEnd;
  }
  return { fields, headerEnd: pos, bodyOffset: pos, eol, truncated: raw.length > limit };
}

const utf8 = new TextDecoder('utf-8');
const gb18030 = new TextDecoder('gb18030');

/** Header bytes as text: ASCII as is, valid UTF-8 as UTF-8, anything else as GB18030. */
export function decodeHeaderBytes(bytes: Uint8Array): string {
  // Node's own checks run natively: a loop over the bytes cost more than the decoding itself.
  if (isAscii(bytes)) return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
  return isUtf8(bytes) ? utf8.decode(bytes) : gb18030.decode(bytes);
}

export interface ParsedHeader {
  /** Lower-case field name. */
  key: string;
  /** The whole field, `Name: value`, unfolded (line breaks before WSP removed), not MIME-decoded. */
  line: string;
}

/** The header fields of `raw` as unfolded text lines, and where the body starts. */
export function parseHeaders(raw: Buffer): { headers: ParsedHeader[]; bodyOffset: number } {
  const block = scanHeaderBlock(raw);
  const headers = block.fields.map((f) => ({
    key: f.key,
    line: decodeHeaderBytes(raw.subarray(f.start, f.end)).replace(/\r?\n(?=[ \t])/g, '').replace(/\r?\n$/, ''),
  }));
  return { headers, bodyOffset: block.bodyOffset };
}

/** The value (after the colon, trimmed) of the first field called `key` (any case); undefined when absent. */
export function headerValue(headers: readonly ParsedHeader[], key: string): string | undefined {
  const k = key.toLowerCase();
  const h = headers.find((x) => x.key === k);
  return h === undefined ? undefined : valueOf(h);
}

/** The values of every field called `key`, in order. */
export function headerValues(headers: readonly ParsedHeader[], key: string): string[] {
  const k = key.toLowerCase();
  return headers.filter((x) => x.key === k).map(valueOf);
}

const valueOf = (h: ParsedHeader): string => h.line.slice(h.line.indexOf(':') + 1).trim();
