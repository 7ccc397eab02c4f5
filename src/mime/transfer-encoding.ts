/**
 * Content-Transfer-Encoding (RFC 2045 §6) for rewriters that change a part's content: decode
 * base64 / quoted-printable / 7bit / 8bit / binary to bytes, and encode back with lines of at most
 * 76 characters. Other encodings (x-uuencode, x-token) are reported as unknown so callers leave
 * the part alone. Whole parts in memory: callers bound the sizes.
 */
export type TransferEncoding = '7bit' | '8bit' | 'binary' | 'base64' | 'quoted-printable';
const KNOWN: readonly string[] = ['7bit', '8bit', 'binary', 'base64', 'quoted-printable'];

/** The encoding a header value names; '7bit' when absent (RFC 2045 §6.1), undefined when unknown. */
export function parseTransferEncoding(value: string | undefined): TransferEncoding | undefined {
  if (value === undefined) return '7bit';
  const v = value.replace(/\([^()]*\)/g, '').trim().toLowerCase();
  if (v === '') return '7bit';
  return KNOWN.includes(v) ? (v as TransferEncoding) : undefined;
}

const hex = (c: number): number =>
  c >= 0x30 && c <= 0x39 ? c - 0x30 : c >= 0x41 && c <= 0x46 ? c - 0x37 : c >= 0x61 && c <= 0x66 ? c - 0x57 : -1;

/**
 * Quoted-printable to bytes (RFC 2045 §6.7): `=XX` octets, `=` at a line end is a soft break,
 * whitespace at line ends is transport padding and goes; a malformed `=` is kept as it is.
 */
export function decodeQuotedPrintable(input: Buffer): Buffer {
  const out = Buffer.allocUnsafe(input.length);
  let n = 0;
  let pos = 0;
  while (pos < input.length) {
    const nl = input.indexOf(0x0a, pos);
    const lineEnd = nl === -1 ? input.length : nl;
    let textEnd = lineEnd;
    if (textEnd > pos && input[textEnd - 1] === 0x0d) textEnd--;
    while (textEnd > pos && (input[textEnd - 1] === 0x20 || input[textEnd - 1] === 0x09)) textEnd--;
    const soft = textEnd > pos && input[textEnd - 1] === 0x3d;
    if (soft) textEnd--;
    for (let i = pos; i < textEnd; i++) {
      const c = input[i]!;
      if (c === 0x3d && i + 2 < textEnd) {
        const hi = hex(input[i + 1]!);
        const lo = hex(input[i + 2]!);
        if (hi >= 0 && lo >= 0) {
          out[n++] = hi * 16 + lo;
          i += 2;
          continue;
        }
      }
      out[n++] = c;
    }
    if (nl !== -1 && !soft) {
      if (input[nl - 1] === 0x0d) out[n++] = 0x0d;
      out[n++] = 0x0a;
    }
    pos = nl === -1 ? input.length : nl + 1;
  }
  return out.subarray(0, n);
}

/** The content bytes of a body in `encoding`. */
export function decodeTransfer(body: Buffer, encoding: TransferEncoding): Buffer {
  if (encoding === 'base64') return Buffer.from(body.toString('latin1').replace(/[^A-Za-z0-9+/]/g, ''), 'base64');
  if (encoding === 'quoted-printable') return decodeQuotedPrintable(body);
  return body;
}

/**
 * `content` in `encoding`, lines broken with `eol`. base64 and quoted-printable output has no line
 * break at its end (the caller adds one if the original had it); 7bit/8bit/binary is `content` itself.
 */
export function encodeTransfer(content: Buffer, encoding: TransferEncoding, eol: '\r\n' | '\n' = '\r\n'): Buffer {
  if (encoding === 'base64') {
    return Buffer.from((content.toString('base64').match(/.{1,76}/g) ?? []).join(eol), 'latin1');
  }
  if (encoding === 'quoted-printable') return Buffer.from(encodeQuotedPrintable(content, eol), 'latin1');
  return content;
}

const HEX = '0123456789ABCDEF';

/**
 * Bytes to quoted-printable (RFC 2045 §6.7): CRLF and bare LF are line breaks (written as `eol`),
 * a bare CR and every non-printable byte become =XX, as do a space or tab ending a line; lines
 * are soft-broken to at most 76 characters, never inside an =XX.
 */
export function encodeQuotedPrintable(content: Buffer, eol: '\r\n' | '\n' = '\r\n'): string {
  const lines: string[] = [];
  let line = '';
  const push = (token: string) => {
    if (line.length + token.length > 75) {
      lines.push(`${line}=`);
      line = '';
    }
    line += token;
  };
  for (let i = 0; i < content.length; i++) {
    const c = content[i]!;
    if (c === 0x0a || (c === 0x0d && content[i + 1] === 0x0a)) {
      if (c === 0x0d) i++;
      lines.push(line);
      line = '';
      continue;
    }
    const next = content[i + 1];
    const endsLine = next === undefined || next === 0x0a || (next === 0x0d && content[i + 2] === 0x0a);
    const literal = (c >= 33 && c <= 126 && c !== 0x3d) || ((c === 0x20 || c === 0x09) && !endsLine);
    push(literal ? String.fromCharCode(c) : `=${HEX[c >> 4]}${HEX[c & 15]}`);
  }
  lines.push(line);
  return lines.join(eol);
}
