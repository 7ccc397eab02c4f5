/**
 * Modified UTF-7 mailbox names (RFC 3501 §5.1.3): printable US-ASCII except "&" stands for itself,
 * "&" is written "&-", everything else is UTF-16BE in modified BASE64 ("," for "/", no padding)
 * between "&" and "-". Decoding is strict: bad base64, an unterminated "&", leftover bits, lone
 * surrogates, encoded printable ASCII and two adjacent encoded runs are all rejected, so every name
 * has exactly one wire form. Clients that enabled UTF8=ACCEPT (RFC 6855) skip this module entirely.
 */

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+,';
const B64_VALUE = new Int8Array(128).fill(-1);
for (let i = 0; i < B64.length; i++) B64_VALUE[B64.charCodeAt(i)] = i;

/** Thrown by decodeMailboxName for input that is not canonical modified UTF-7. */
export class MailboxNameError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MailboxNameError';
  }
}

const isPrintable = (c: number): boolean => c >= 0x20 && c <= 0x7e;

/** Encodes a Unicode mailbox name as modified UTF-7. Throws RangeError on a lone surrogate. */
export function encodeMailboxName(name: string): string {
  let out = '';
  let i = 0;
  while (i < name.length) {
    const c = name.charCodeAt(i);
    if (c === 0x26) {
      out += '&-';
      i++;
    } else if (isPrintable(c)) {
      out += name[i];
      i++;
    } else {
      // Collect the whole run of non-printable code units so it becomes one shift sequence.
      const units: number[] = [];
      while (i < name.length && !isPrintable(name.charCodeAt(i))) {
        const u = name.charCodeAt(i);
        if (u >= 0xd800 && u <= 0xdbff) {
          const lo = name.charCodeAt(i + 1);
          if (!(lo >= 0xdc00 && lo <= 0xdfff)) throw new RangeError('Lone surrogate in mailbox name');
          units.push(u, lo);
          i += 2;
        } else if (u >= 0xdc00 && u <= 0xdfff) {
          throw new RangeError('Lone surrogate in mailbox name');
        } else {
          units.push(u);
          i++;
        }
      }
      out += '&' + encodeUnits(units) + '-';
    }
  }
  return out;
}

function encodeUnits(units: number[]): string {
  let out = '';
  let bits = 0;
  let nbits = 0;
  for (const u of units) {
    bits = (bits << 16) | u;
    nbits += 16;
    while (nbits >= 6) {
      nbits -= 6;
      out += B64[(bits >> nbits) & 0x3f];
    }
    bits &= (1 << nbits) - 1;
  }
  if (nbits > 0) out += B64[(bits << (6 - nbits)) & 0x3f];
  return out;
}

/** Decodes a modified UTF-7 mailbox name. Throws MailboxNameError on anything non-canonical. */
export function decodeMailboxName(wire: string): string {
  let out = '';
  let i = 0;
  let lastShiftEnd = -1;
  while (i < wire.length) {
    const c = wire.charCodeAt(i);
    if (c !== 0x26) {
      if (!isPrintable(c)) throw new MailboxNameError('Mailbox name contains a character that must be encoded');
      out += wire[i];
      i++;
      continue;
    }
    if (wire.charCodeAt(i + 1) === 0x2d) {
      out += '&';
      i += 2;
      continue;
    }
    if (lastShiftEnd === i) throw new MailboxNameError('Mailbox name has two adjacent encoded runs');
    const end = wire.indexOf('-', i + 1);
    if (end < 0) throw new MailboxNameError('Unterminated "&" in mailbox name');
    out += decodeRun(wire.slice(i + 1, end));
    i = end + 1;
    lastShiftEnd = i;
  }
  return out;
}

function decodeRun(run: string): string {
  let bits = 0;
  let nbits = 0;
  let out = '';
  let pendingHigh = -1;
  for (let k = 0; k < run.length; k++) {
    const code = run.charCodeAt(k);
    const v = code < 128 ? (B64_VALUE[code] ?? -1) : -1;
    if (v < 0) throw new MailboxNameError('Invalid modified BASE64 in mailbox name');
    bits = (bits << 6) | v;
    nbits += 6;
    if (nbits >= 16) {
      nbits -= 16;
      const u = (bits >> nbits) & 0xffff;
      bits &= (1 << nbits) - 1;
      if (pendingHigh >= 0) {
        if (u < 0xdc00 || u > 0xdfff) throw new MailboxNameError('Unpaired surrogate in mailbox name');
        out += String.fromCharCode(pendingHigh, u);
        pendingHigh = -1;
      } else if (u >= 0xd800 && u <= 0xdbff) {
        pendingHigh = u;
      } else if (u >= 0xdc00 && u <= 0xdfff) {
        throw new MailboxNameError('Unpaired surrogate in mailbox name');
      } else if (isPrintable(u)) {
        throw new MailboxNameError('Printable ASCII must not be BASE64-encoded in a mailbox name');
      } else {
        out += String.fromCharCode(u);
      }
    }
  }
  // A canonical run ends on a 16-bit boundary with fewer than 6 zero padding bits.
  if (nbits >= 6 || bits !== 0) throw new MailboxNameError('Modified BASE64 run has leftover bits');
  if (pendingHigh >= 0) throw new MailboxNameError('Unpaired surrogate in mailbox name');
  return out;
}
