/**
 * The IMAP ENVELOPE of a header block (RFC 3501 §7.4.2, grammar in §9): date, subject, from,
 * sender, reply-to, to, cc, bcc, in-reply-to, message-id, as the parenthesised list FETCH sends.
 * Header text goes out as it is in the message: encoded words stay encoded (clients decode them)
 * and raw 8-bit bytes are sent as literals. Addresses are read with nodemailer's addressparser.
 * Output is a byte string (one char per octet): write it with Buffer.from(s, 'latin1').
 * Also holds the small IMAP string quoter the MIME writers share. It writes byte strings for the
 * cached ENVELOPE/BODYSTRUCTURE text; src/imap/protocol/serializer.ts quotes live responses into
 * Buffers (with UTF8=ACCEPT) and cannot be imported from here (mime/ sits below imap/).
 * Never throws: garbage gives NIL members or placeholder addresses.
 */
import { parseAddressList, type ParsedMailbox } from './address-list.ts';
import { scanHeaderBlock } from './header-block.ts';

/** Placeholders for an address without a local part or a domain, as Dovecot writes them (a NIL host would read as a group). */
export const MISSING_MAILBOX = 'MISSING_MAILBOX';
export const MISSING_DOMAIN = 'MISSING_DOMAIN';

// ── Strings (RFC 3501 §4.3, §9 string / nstring) ───────────────────────────────────────────

/** A UTF-16 string with characters above U+00FF as its UTF-8 bytes, one char per octet; byte strings pass unchanged. */
export function toByteString(s: string): string {
  return /[^\x00-\xff]/.test(s) ? Buffer.from(s, 'utf8').toString('latin1') : s;
}

/**
 * An IMAP string for a byte string: quoted when it is 7-bit text without CR or LF, else a
 * literal `{n}\r\n…` (8-bit octets may only travel in literals in IMAP4rev1). NUL is never
 * allowed outside literal8 and is dropped.
 */
export function imapString(value: string): string {
  let s = toByteString(value);
  if (s.includes('\0')) s = s.replace(/\0/g, '');
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x0d || c === 0x0a || c >= 0x80) return `{${s.length}}\r\n${s}`;
  }
  return `"${s.replace(/["\\]/g, '\\$&')}"`;
}

/** An IMAP nstring: NIL for null, else imapString. */
export const imapNString = (value: string | null | undefined): string =>
  value === null || value === undefined ? 'NIL' : imapString(value);

// ── Header values ──────────────────────────────────────────────────────────────────────────

/** Header field value as a byte string: unfolded (RFC 5322 §2.2.3), stray CR/LF and NUL removed, trimmed. */
export function unfoldValue(bytes: Buffer): string {
  return bytes.toString('latin1').replace(/\r?\n(?=[ \t])/g, '').replace(/[\r\n\0]/g, '').trim();
}

const ENVELOPE_FIELDS = new Set(['date', 'subject', 'from', 'sender', 'reply-to', 'to', 'cc', 'bcc', 'in-reply-to', 'message-id']);

/** The first value of each envelope field in a header block, as byte strings. */
function envelopeFields(header: Buffer): Map<string, string> {
  const found = new Map<string, string>();
  for (const f of scanHeaderBlock(header).fields) {
    if (ENVELOPE_FIELDS.has(f.key) && !found.has(f.key)) found.set(f.key, unfoldValue(header.subarray(f.valueStart, f.end)));
  }
  return found;
}

// ── Addresses (RFC 3501: address = "(" addr-name SP addr-adl SP addr-mailbox SP addr-host ")") ──

/** One `(name adl mailbox host)`, with placeholders for a missing mailbox or host (never a NIL host). */
function writeMailbox(m: ParsedMailbox): string {
  if (m.phraseOnly || (m.mailbox === '' && m.host === '' && m.route === '')) {
    // "To: Undisclosed recipients" is only a phrase; "From: root" names a local mailbox.
    return `(${m.name === '' ? 'NIL' : imapString(m.name)} NIL ${imapString(MISSING_MAILBOX)} ${imapString(MISSING_DOMAIN)})`;
  }
  return `(${m.name === '' ? 'NIL' : imapString(m.name)} ${m.route === '' ? 'NIL' : imapString(m.route)} ` +
    `${imapString(m.mailbox === '' ? MISSING_MAILBOX : m.mailbox)} ${imapString(m.host === '' ? MISSING_DOMAIN : m.host)})`;
}

/**
 * An address-list field as IMAP writes it: `((addr)(addr)…)`, groups as a start marker
 * `(NIL NIL "name" NIL)`, their members and an end marker `(NIL NIL NIL NIL)`; the obsolete source
 * route as the adl. NIL for an absent, empty or unreadable field (RFC 3501 §7.4.2).
 */
export function addressList(value: string | undefined): string {
  if (value === undefined || value.trim() === '') return 'NIL';
  let out = '';
  for (const entry of parseAddressList(value)) {
    if (entry.kind === 'group') {
      out += `(NIL NIL ${imapString(entry.name)} NIL)`;
      for (const member of entry.members) out += writeMailbox(member);
      out += '(NIL NIL NIL NIL)';
    } else {
      out += writeMailbox(entry);
    }
  }
  return out === '' ? 'NIL' : `(${out})`;
}

// ── The envelope ───────────────────────────────────────────────────────────────────────────

/**
 * The ENVELOPE of a message or of an encapsulated message/rfc822, from its header block (the
 * bytes up to and including the blank line; anything after it is ignored). Returns
 * `(date subject from sender reply-to to cc bcc in-reply-to message-id)`.
 * Date, subject, in-reply-to and message-id are NIL when absent and "" when present but empty;
 * address fields are NIL when absent or empty, and sender and reply-to fall back to from.
 */
export function envelope(header: Buffer): string {
  let fields: Map<string, string>;
  try {
    fields = envelopeFields(header);
  } catch {
    fields = new Map();
  }
  const text = (key: string) => imapNString(fields.get(key));
  const from = addressList(fields.get('from'));
  const orFrom = (list: string) => (list === 'NIL' ? from : list);
  return `(${text('date')} ${text('subject')} ${from} ${orFrom(addressList(fields.get('sender')))} ` +
    `${orFrom(addressList(fields.get('reply-to')))} ${addressList(fields.get('to'))} ${addressList(fields.get('cc'))} ` +
    `${addressList(fields.get('bcc'))} ${text('in-reply-to')} ${text('message-id')})`;
}
