/**
 * Checks and cleaning of a message's header section before it is stored (issue #10 §2, §3):
 * a NUL byte in the header section, or a field name with control characters (RFC 5322 §2.2: printable
 * US-ASCII only), makes a message that other software reads differently from us, so it is refused at
 * the door (SMTP end of DATA, IMAP APPEND) rather than stored and served back raw. And the fields
 * Youju uses for its own state (`X-Youju-*`) are removed from mail that arrives from outside, so no
 * sender can switch a user's forwarding off or pose as an internal step.
 */
import { scanHeaderBlock, HEADER_LIMIT_BYTES, type HeaderField } from './header-block.ts';

const LF = 0x0a;
const CR = 0x0d;
const SP = 0x20;
const HT = 0x09;
const COLON = 0x3a;

/** The prefix of the header fields that carry Youju's internal state (lower case). */
export const INTERNAL_HEADER_PREFIX = 'x-youju-';

/** Why the header section is unsafe to store, or undefined when it is fine. */
export function headerDefect(raw: Buffer): string | undefined {
  const end = Math.min(raw.length, HEADER_LIMIT_BYTES);
  let pos = 0;
  while (pos < end) {
    let nl = raw.indexOf(LF, pos);
    if (nl === -1 || nl >= end) nl = end;
    const contentEnd = nl > pos && raw[nl - 1] === CR ? nl - 1 : nl;
    if (contentEnd === pos) return undefined; // the empty line: the body starts, and it may hold anything
    // Within this line only: a search from here to the end of a large message per header line would be quadratic.
    if (raw.subarray(pos, contentEnd).includes(0)) return 'the header section holds a NUL byte';
    const first = raw[pos];
    if (first !== SP && first !== HT) {
      // Searched within the line: from here to the end of a large message, per line, would be quadratic.
      const inLine = raw.subarray(pos, contentEnd).indexOf(COLON);
      const colon = inLine === -1 ? -1 : pos + inLine;
      if (colon !== -1 && colon < contentEnd) {
        for (let i = pos; i < colon; i++) {
          const c = raw[i]!;
          if ((c < SP && c !== HT) || c === 0x7f) return 'a header field name holds control characters';
        }
      }
    }
    pos = nl + 1;
  }
  return undefined;
}

/** The message without its `X-Youju-*` fields (continuation lines included); the same buffer when it has none. */
export function withoutInternalHeaders(raw: Buffer): Buffer {
  return withoutFields(raw, (f) => f.key.startsWith(INTERNAL_HEADER_PREFIX));
}

/** The message without the header fields `drop` picks (continuation lines included); the same buffer when it picks none. */
export function withoutFields(raw: Buffer, drop: (field: HeaderField) => boolean): Buffer {
  const fields = scanHeaderBlock(raw).fields.filter(drop);
  if (fields.length === 0) return raw;
  const parts: Buffer[] = [];
  let at = 0;
  for (const f of fields) {
    parts.push(raw.subarray(at, f.start));
    at = f.end;
  }
  parts.push(raw.subarray(at));
  return Buffer.concat(parts);
}
