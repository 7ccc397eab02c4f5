/**
 * DomainPOP routing (FEATURES S5, manual §4.4.9): which local addresses a message collected from
 * the domain-wide POP box goes to, read from its headers. Steps, in the manual's order: parse
 * addresses from the configured headers, the "for <…>" of Received headers (skipping the first N,
 * or none when the sender is local) and optionally "(addr)" in the Subject; filter each address
 * (removeText), replace its domain (replaceDomain), apply the routing rules (skip / redirect), keep
 * the local ones, and match the rest by name when asked. No local recipient at all → the
 * unknownRecipients handling. Parsing is pure (extractAddresses); lookups come in as functions.
 */
import addressparser from 'nodemailer/lib/addressparser';
import libmime from 'libmime';
import type { DomainpopSettings } from '../config/schema/domainpop.ts';
import { headerValue, headerValues, parseHeaders } from '../mime/summary.ts';

export interface Candidate {
  address: string;
  /** Display name, decoded; '' when none. */
  name: string;
}

/** What routing needs from the directory. */
export interface RouteLookups {
  /** The address as written, if it reaches a local user, alias or list; undefined otherwise. */
  localAddress(address: string): Promise<string | undefined>;
  /** With nameMatching: a local user of the default domain with this local part or real name. */
  matchName(localPart: string, displayName: string): Promise<string | undefined>;
  /** postmaster@ the default domain. */
  postmaster(): Promise<string>;
}

export interface Route {
  /** Local addresses to deliver to; empty: drop the message. */
  recipients: string[];
  /** Message-ID without brackets, '' when missing. */
  messageId: string;
  /** True when no parsed address was local and the unknownRecipients handling applied. */
  unknown: boolean;
}

const RECEIVED_FOR = /\bfor\s+<?([^\s<>;@]+@[^\s<>;]+?)>?\s*(?:;|$)/i;

/** Every candidate address in the message's headers, in order, lower-cased, without duplicates. */
export function extractAddresses(raw: Buffer, s: DomainpopSettings, isFromLocal = false): Candidate[] {
  const { headers } = parseHeaders(raw);
  const out: Candidate[] = [];
  const seen = new Set<string>();
  const add = (address: string, name = '') => {
    const a = address.trim().toLowerCase();
    if (!a.includes('@') || seen.has(a)) return;
    seen.add(a);
    out.push({ address: a, name });
  };
  for (const h of s.headers) {
    for (const value of headerValues(headers, h)) {
      for (const p of safeParse(value)) add(p.address ?? '', decode(p.name ?? ''));
    }
  }
  if (s.parseReceived && !(s.stopReceivedIfFromLocal && isFromLocal)) {
    for (const value of headerValues(headers, 'received').slice(s.skipReceived)) {
      const m = RECEIVED_FOR.exec(value);
      if (m) add(m[1]!);
    }
  }
  if (s.parseSubject) {
    const subject = decode(headerValue(headers, 'subject') ?? '');
    for (const m of subject.matchAll(/\(\s*([^\s()@]+@[^\s()]+)\s*\)/g)) add(m[1]!);
  }
  return out;
}

/** One address after the address filter, the domain replacement and the rules: undefined = skipped. */
export function rewriteAddress(address: string, s: DomainpopSettings): string | undefined {
  let a = address;
  for (const t of s.removeText) a = a.split(t.toLowerCase()).join('');
  if (s.replaceDomain !== '' && a.includes('@')) a = `${a.slice(0, a.lastIndexOf('@'))}@${s.replaceDomain.toLowerCase()}`;
  for (const r of s.rules) {
    const text = r.text.toLowerCase();
    if (r.match === 'equals' ? a === text : a.includes(text)) return r.action === 'skip' ? undefined : r.to.toLowerCase();
  }
  return a;
}

export async function routeMessage(raw: Buffer, s: DomainpopSettings, lookups: RouteLookups): Promise<Route> {
  const { headers } = parseHeaders(raw);
  const messageId = (headerValue(headers, 'message-id') ?? '').replace(/^\s*<|>\s*$/g, '').trim();
  let fromLocal = false;
  if (s.stopReceivedIfFromLocal) {
    const from = safeParse(headerValue(headers, 'from') ?? '')[0]?.address;
    fromLocal = from !== undefined && (await lookups.localAddress(from.toLowerCase())) !== undefined;
  }
  const recipients = new Set<string>();
  for (const c of extractAddresses(raw, s, fromLocal)) {
    const a = rewriteAddress(c.address, s);
    if (a === undefined || a === '') continue;
    const local = (await lookups.localAddress(a))
      ?? (s.nameMatching ? await lookups.matchName(a.slice(0, a.lastIndexOf('@')), c.name) : undefined);
    if (local) recipients.add(local);
  }
  if (recipients.size > 0) return { recipients: [...recipients], messageId, unknown: false };
  if (s.unknownRecipients === 'discard') return { recipients: [], messageId, unknown: true };
  const to = s.unknownRecipients === 'address' && s.unknownTo !== '' ? s.unknownTo.toLowerCase() : await lookups.postmaster();
  return { recipients: [to], messageId, unknown: true };
}

function safeParse(value: string): Array<{ address?: string; name?: string }> {
  try {
    return addressparser(value, { flatten: true });
  } catch {
    return [];
  }
}

function decode(s: string): string {
  try {
    return libmime.decodeWords(s).trim();
  } catch {
    return s.trim();
  }
}
