/**
 * Mail addresses as the directory keys them: lower-case local part @ lower-case ASCII domain
 * (IDNs as punycode, RFC 5890/5891 via node:url's UTS #46 mapping). Deliberately stricter than
 * RFC 5321: no quoted local parts, no source routes, no address literals, and none of the
 * `%` / `!` relay hacks, because directory names must be plain. UTF-8 local parts (RFC 6531) are
 * kept as given, lower-cased. Limits: local part 64 octets, domain 253, label 63 (RFC 5321 §4.5.3.1).
 * Also formats mailboxes for headers, with RFC 2047 encoded words for non-ASCII display names.
 */
import { domainToASCII, domainToUnicode } from 'node:url';
import { MailError } from '../core/errors.ts';

export interface Address {
  localPart: string;
  /** ASCII (punycode), lower-case. */
  domain: string;
}

const MAX_LOCAL_OCTETS = 64;
const MAX_DOMAIN_OCTETS = 253;
const MAX_LABEL_OCTETS = 63;

// dot-atom atext (RFC 5322 §3.2.3) without `%` and `!`, plus any non-ASCII character (RFC 6531).
const LOCAL_CHAR = /^[a-z0-9#$&'*+\-/=?^_`{|}~.\u0080-\u{10FFFF}]$/u;
const LDH_LABEL = /^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/;
const CONTROL_OR_SPACE = /[\u0000-\u0020\u007f-\u009f\u00a0\u1680\u2000-\u200f\u2028-\u202f\u205f\u3000\ufeff]/u;

const invalid = (input: string, reason: string): MailError =>
  new MailError('INVALID_INPUT', `invalid address "${printable(input)}": ${reason}`);

const invalidDomain = (input: string, reason: string): MailError =>
  new MailError('INVALID_INPUT', `invalid domain "${printable(input)}": it ${reason}`);

/** Input echoed in messages: control characters shown as \uXXXX, long input cut. */
function printable(s: string): string {
  const cut = s.length > 300 ? `${s.slice(0, 300)}…` : s;
  return cut.replace(/[\u0000-\u001f\u007f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/**
 * Parses and normalises `local@domain`. Throws MailError INVALID_INPUT naming the address and the
 * reason. Surrounding white space is trimmed; white space or control characters inside are refused.
 */
export function parseAddress(input: string): Address {
  const s = input.trim().toLowerCase();
  if (s === '') throw invalid(input, 'empty');
  if (s.startsWith('@')) throw invalid(input, 'source routes are not accepted');
  if (s.includes('"')) throw invalid(input, 'quoted local parts are not accepted');
  if (CONTROL_OR_SPACE.test(s)) throw invalid(input, 'contains white space or control characters');
  const at = s.indexOf('@');
  if (at < 0) throw invalid(input, 'missing @domain');
  if (s.indexOf('@', at + 1) >= 0) throw invalid(input, 'more than one @');
  const localPart = s.slice(0, at);
  const domainPart = s.slice(at + 1);
  checkLocalPart(input, localPart);
  const domain = toAsciiDomain(domainPart);
  if (typeof domain !== 'string') throw invalid(input, `domain ${domain.reason}`);
  return { localPart, domain };
}

function checkLocalPart(input: string, local: string): void {
  if (local === '') throw invalid(input, 'empty local part');
  if (Buffer.byteLength(local, 'utf8') > MAX_LOCAL_OCTETS) {
    throw invalid(input, `local part longer than ${MAX_LOCAL_OCTETS} octets`);
  }
  if (local.includes('%') || local.includes('!')) throw invalid(input, '"%" and "!" routing is not accepted');
  if (local.startsWith('.') || local.endsWith('.') || local.includes('..')) {
    throw invalid(input, 'dots must separate words in the local part');
  }
  for (const c of local) {
    if (!LOCAL_CHAR.test(c)) throw invalid(input, `character "${printable(c)}" is not allowed in the local part`);
  }
}

/**
 * Lower-case ASCII form of a domain name: IDNs become punycode (`例子.中国` → `xn--fsqu00a.xn--fiqs8s`).
 * Refuses empty names, trailing dots, address literals and labels that are not letters, digits
 * and inner hyphens.
 */
export function normaliseDomain(name: string): string {
  const ascii = toAsciiDomain(name.trim());
  if (typeof ascii !== 'string') throw invalidDomain(name, ascii.reason);
  return ascii;
}

/** Recent answers of toAsciiDomain: every address of every SMTP command passes here, mostly with a few domains. */
const asciiMemo = new Map<string, string | { reason: string }>();
const ASCII_MEMO_MAX = 1024;

function toAsciiDomain(s: string): string | { reason: string } {
  let known = asciiMemo.get(s);
  if (known === undefined) {
    if (asciiMemo.size >= ASCII_MEMO_MAX) asciiMemo.clear();
    known = checkDomain(s);
    asciiMemo.set(s, known);
  }
  return known;
}

function checkDomain(s: string): string | { reason: string } {
  if (s === '') return { reason: 'is empty' };
  if (CONTROL_OR_SPACE.test(s)) return { reason: 'contains white space or control characters' };
  if (s.startsWith('[')) return { reason: 'is an address literal, which is not accepted' };
  if (/[.\u3002\uff0e\uff61]$/u.test(s)) return { reason: 'ends with a dot' };
  const ascii = domainToASCII(s.toLowerCase());
  if (ascii === '') return { reason: 'is not a valid domain name' };
  if (ascii.length > MAX_DOMAIN_OCTETS) return { reason: `is longer than ${MAX_DOMAIN_OCTETS} octets` };
  for (const label of ascii.split('.')) {
    if (label === '') return { reason: 'has an empty label' };
    if (label.length > MAX_LABEL_OCTETS) return { reason: `has a label longer than ${MAX_LABEL_OCTETS} octets` };
    if (!LDH_LABEL.test(label)) return { reason: `has a label "${label}" that is not letters, digits and inner hyphens` };
  }
  if (/^[0-9.]+$/.test(ascii)) return { reason: 'is an IP address, not a domain name' };
  return ascii;
}

/** The Unicode form of an ASCII domain for people (`xn--fsqu00a.xn--fiqs8s` → `例子.中国`). */
export function displayDomain(ascii: string): string {
  return domainToUnicode(ascii) || ascii;
}

/** `local@domain` as stored. */
export function formatAddress(a: Address): string {
  return `${a.localPart}@${a.domain}`;
}

/** Normalises a whole address to its stored string form; throws like parseAddress. */
export function normaliseAddress(input: string): string {
  return formatAddress(parseAddress(input));
}

// RFC 5322 §3.2.3 atext plus the space between words: names made only of these need no quotes.
const PLAIN_PHRASE = /^[A-Za-z0-9!#$%&'*+\-/=?^_`{|}~ ]+$/;
// An encoded word is at most 75 characters (RFC 2047 §2): `=?UTF-8?B?` + 60 base64 + `?=` = 72,
// and 60 base64 characters carry 45 octets.
const MAX_WORD_OCTETS = 45;

/**
 * A mailbox for a header field: `Name <addr>`. Non-ASCII names become RFC 2047 B-encoded words
 * (split on character boundaries, at most 75 characters each); ASCII names with specials are quoted.
 * An empty name gives the bare address.
 */
export function formatMailbox(displayName: string, address: string | Address): string {
  const addr = typeof address === 'string' ? address : formatAddress(address);
  const name = displayName.replace(/[\r\n\t]+/g, ' ').trim();
  if (name === '') return addr;
  if (/^[\x20-\x7e]*$/.test(name)) {
    if (PLAIN_PHRASE.test(name) && !name.includes('  ')) return `${name} <${addr}>`;
    return `"${name.replace(/["\\]/g, (c) => `\\${c}`)}" <${addr}>`;
  }
  return `${encodeWords(name).join(' ')} <${addr}>`;
}

function encodeWords(text: string): string[] {
  const words: string[] = [];
  let chunk: Buffer[] = [];
  let size = 0;
  const flush = (): void => {
    if (size > 0) words.push(`=?UTF-8?B?${Buffer.concat(chunk).toString('base64')}?=`);
    chunk = [];
    size = 0;
  };
  for (const c of text) {
    const bytes = Buffer.from(c, 'utf8');
    if (size + bytes.length > MAX_WORD_OCTETS) flush();
    chunk.push(bytes);
    size += bytes.length;
  }
  flush();
  return words;
}
