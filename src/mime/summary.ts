/**
 * The list-view summary of a message (store MessageSummary), read from the header block alone
 * plus, for the attachment flag, a bounded look at the body. No full MIME parse: this runs on
 * every delivery. Encoded words (RFC 2047) are decoded with libmime in any charset it knows
 * (GB2312, GBK, GB18030, Big5, UTF-8 …); raw 8-bit headers are read as UTF-8, else GB18030.
 * Dates follow RFC 5322 §3.3 (with the obsolete zones of §4.3) or ISO 8601, else null.
 * Never throws: garbage gives empty strings, null dates and a thread of its own.
 */
import { createHash } from 'node:crypto';
import libmime from 'libmime';
import addressparser from 'nodemailer/lib/addressparser';
import type { MessageSummary } from '../store/store.ts';
import { headerValue, headerValues, parseHeaders, type ParsedHeader } from './header-block.ts';

export { headerValue, headerValues, parseHeaders, type ParsedHeader } from './header-block.ts';

/** How much of the body the attachment heuristic reads. */
const BODY_SCAN_BYTES = 256 * 1024;
/** Display strings longer than this are cut (a To of 5,000 addresses is not a list-view line). */
const MAX_ADDRESS_CHARS = 2000;
const MAX_SUBJECT_CHARS = 2000;
const MAX_MESSAGE_ID_CHARS = 998; // RFC 5322 §2.1.1 line limit

/** Runs fn; any exception (a library choking on garbage) gives the fallback. */
function safe<T>(fn: () => T, fallback: T): T {
  try {
    return fn();
  } catch {
    return fallback;
  }
}

/** Control characters out, tabs and line breaks to spaces, runs of spaces collapsed. */
function clean(s: string): string {
  return s.replace(/[\t\r\n]+/g, ' ').replace(/[\u0000-\u001f\u007f]/g, '').replace(/ {2,}/g, ' ').trim();
}

function cut(s: string, max: number): string {
  if (s.length <= max) return s;
  let out = s.slice(0, max);
  if (/[\ud800-\udbff]$/.test(out)) out = out.slice(0, -1); // never split a surrogate pair
  return `${out}…`;
}

const decodeWords = (s: string): string => safe(() => libmime.decodeWords(s), s);

/** `Name <addr>, addr2`: names decoded, groups flattened. Unparsable text is shown decoded as it is. */
export function displayAddresses(value: string | undefined): string {
  if (value === undefined || value.trim() === '') return '';
  const parsed = safe(() => addressparser(value, { flatten: true }), []);
  const shown = parsed
    .map((a) => {
      const name = clean(decodeWords(a.name ?? ''));
      const address = clean(a.address ?? '');
      if (address === '') return name;
      return name === '' || name === address ? address : `${name} <${address}>`;
    })
    .filter((s) => s !== '');
  return cut(shown.length > 0 ? shown.join(', ') : clean(decodeWords(value)), MAX_ADDRESS_CHARS);
}

// ── Dates ──────────────────────────────────────────────────────────────────────────────────

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
/** RFC 5322 §4.3 obsolete zones, in minutes east of UTC; other letters (military zones) count as UTC. */
const ZONES: Record<string, number> = {
  UT: 0, UTC: 0, GMT: 0, Z: 0, EST: -300, EDT: -240, CST: -360, CDT: -300, MST: -420, MDT: -360, PST: -480, PDT: -420,
};

function zoneMinutes(zone: string | undefined): number {
  if (zone === undefined) return 0;
  const m = /^([+-])(\d{2}):?(\d{2})$/.exec(zone);
  if (m) return (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3]));
  return ZONES[zone.toUpperCase()] ?? 0;
}

/**
 * A Date header in ms since the epoch, or null. Accepts RFC 5322 dates (day names and seconds
 * optional, two-digit years per §4.3, comments such as "(CST)" ignored) and ISO 8601 as some
 * scripts write it. Stricter than Date.parse, which reads "foo 1" as 2001.
 */
export function parseMailDate(value: string | undefined): number | null {
  if (value === undefined) return null;
  const s = value.replace(/\([^()]*\)/g, ' ').replace(/\s+/g, ' ').trim();
  let ms = Number.NaN;
  const rfc = /^(?:[A-Za-z]{2,9},? ?)?(\d{1,2})[ -]([A-Za-z]{3,9})\.?[ -](\d{2,4}) (\d{1,2}):(\d{2})(?::(\d{2}))?(?:\.\d+)? ?([+-]\d{2}:?\d{2}|[A-Za-z]{1,5})?$/
    .exec(s);
  const iso = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2}))?(?:\.\d+)? ?(Z|[+-]\d{2}:?\d{2})?$/i.exec(s);
  if (rfc) {
    const [, d, mon, y, h, mi, sec, zone] = rfc;
    const month = MONTHS.indexOf(mon!.slice(0, 3).toLowerCase());
    let year = Number(y);
    if (y!.length === 2) year += year < 50 ? 2000 : 1900;
    else if (y!.length === 3) year += 1900;
    if (month >= 0) ms = utc(year, month, Number(d), Number(h), Number(mi), Number(sec ?? 0), zoneMinutes(zone));
  } else if (iso) {
    const [, y, mo, d, h, mi, sec, zone] = iso;
    ms = utc(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(sec ?? 0), zoneMinutes(zone));
  }
  return Number.isFinite(ms) ? ms : null;
}

function utc(year: number, month: number, day: number, hour: number, min: number, sec: number, zoneMin: number): number {
  if (day < 1 || day > 31 || month < 0 || month > 11 || hour > 23 || min > 59 || sec > 60) return Number.NaN;
  return Date.UTC(year, month, day, hour, min, sec) - zoneMin * 60_000;
}

// ── Priority ───────────────────────────────────────────────────────────────────────────────

/** The first of X-Priority, Importance (RFC 2156), Priority (RFC 2156), X-MSMail-Priority that says anything. */
export function priorityOf(headers: readonly ParsedHeader[]): MessageSummary['priority'] {
  const x = headerValue(headers, 'x-priority');
  const digit = x === undefined ? undefined : /^\s*([1-5])/.exec(x)?.[1];
  if (digit !== undefined) return digit <= '2' ? 'high' : digit >= '4' ? 'low' : 'normal';
  const words: Array<[string, Record<string, MessageSummary['priority']>]> = [
    ['importance', { high: 'high', low: 'low', normal: 'normal' }],
    ['priority', { urgent: 'high', 'non-urgent': 'low', normal: 'normal' }],
    ['x-msmail-priority', { high: 'high', highest: 'high', low: 'low', lowest: 'low', normal: 'normal' }],
  ];
  for (const [key, table] of words) {
    const v = headerValue(headers, key)?.toLowerCase().split(/[\s;(]/)[0];
    if (v !== undefined && Object.hasOwn(table, v)) return table[v]!;
  }
  return 'normal';
}

// ── Attachments ────────────────────────────────────────────────────────────────────────────

const mediaType = (contentType: string | undefined): string =>
  (contentType ?? '').split(';')[0]!.trim().toLowerCase();
const NAME_PARAM = /(?:^|[;\s])name\*?(?:0\*?)?\s*=/i;
const isAttachmentDisposition = (v: string): boolean => /^\s*attachment\b/i.test(v);

/**
 * A heuristic, not a MIME walk: true when the message is multipart/mixed, or the top header or
 * any part header in the first 256 KiB of the body has `Content-Disposition: attachment` or a
 * Content-Type `name=` parameter. It misses an attachment that starts after 256 KiB of inline
 * parts (rare: the attachment usually comes after a short text) and counts a multipart/mixed with
 * text only. Part headers are recognised as lines starting `Content-Type:` / `Content-Disposition:`.
 */
export function hasAttachmentHint(raw: Buffer, headers: readonly ParsedHeader[], bodyOffset: number): boolean {
  const type = headerValue(headers, 'content-type');
  if (mediaType(type) === 'multipart/mixed') return true;
  if (type !== undefined && NAME_PARAM.test(type.slice(type.indexOf(';') + 1))) return true;
  const disposition = headerValue(headers, 'content-disposition');
  if (disposition !== undefined && isAttachmentDisposition(disposition)) return true;
  if (!mediaType(type).startsWith('multipart/')) return false;

  const lines = raw.toString('latin1', bodyOffset, Math.min(raw.length, bodyOffset + BODY_SCAN_BYTES)).split('\n');
  for (let i = 0; i < lines.length; i++) {
    const m = /^content-(type|disposition)[ \t]*:([^\n]*)$/i.exec(lines[i]!);
    if (!m) continue;
    // Unfold: up to 20 continuation lines (a real part header has a few).
    let value = m[2]!;
    for (let j = i + 1; j < lines.length && j <= i + 20 && /^[ \t]/.test(lines[j]!); j++) value += ` ${lines[j]!.trim()}`;
    value = value.replace(/\r/g, '');
    if (m[1]!.toLowerCase() === 'disposition' ? isAttachmentDisposition(value) : NAME_PARAM.test(value.slice(value.indexOf(';') + 1))) {
      return true;
    }
  }
  return false;
}

// ── Message-ID and threads ─────────────────────────────────────────────────────────────────

/** The msg-ids (without <>) in a Message-ID, In-Reply-To or References value; a bare token if none is bracketed. */
export function messageIds(value: string | undefined): string[] {
  if (value === undefined) return [];
  const ids = [...value.matchAll(/<([^<>\s]+)>/g)].map((m) => m[1]!);
  if (ids.length > 0) return ids;
  const bare = value.trim().split(/\s+/)[0] ?? '';
  return bare === '' ? [] : [bare.replace(/^<|>$/g, '')];
}

/** A short stable id for a thread root: 16 characters of base64url SHA-256. */
export const threadIdFor = (rootMessageId: string): string =>
  createHash('sha256').update(rootMessageId, 'utf8').digest('base64url').slice(0, 16);

// ── The summary ────────────────────────────────────────────────────────────────────────────

/**
 * The summary of a raw RFC 5322 message. threadId is the hash of the thread root: the first
 * References id, else In-Reply-To, else the message's own Message-ID (so a reply and its original
 * share it), else of From, Date and Subject. `parsed`: raw's header fields when the caller has
 * parsed them already (parseHeaders(raw)), so they are not parsed twice.
 */
export function summarise(raw: Buffer, parsed?: ReturnType<typeof parseHeaders>): MessageSummary {
  const { headers, bodyOffset } = parsed ?? safe(() => parseHeaders(raw), { headers: [], bodyOffset: raw.length });
  const field = (key: string) => headerValue(headers, key);
  const messageIdHeader = safe(() => cut(messageIds(field('message-id'))[0] ?? '', MAX_MESSAGE_ID_CHARS), '');
  const root = safe(() => messageIds(headerValues(headers, 'references').join(' '))[0]
    ?? messageIds(field('in-reply-to'))[0] ?? messageIdHeader, messageIdHeader);
  const from = safe(() => displayAddresses(field('from')), '');
  const subject = safe(() => cut(clean(decodeWords(field('subject') ?? '')), MAX_SUBJECT_CHARS), '');
  return {
    from,
    to: safe(() => displayAddresses(field('to')), ''),
    subject,
    sentAt: safe(() => parseMailDate(field('date')), null),
    hasAttachment: safe(() => hasAttachmentHint(raw, headers, bodyOffset), false),
    priority: safe(() => priorityOf(headers), 'normal'),
    messageIdHeader,
    threadId: threadIdFor(root !== '' ? root : `${from}\n${field('date') ?? ''}\n${subject}`),
  };
}
