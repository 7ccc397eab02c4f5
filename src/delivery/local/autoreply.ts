/**
 * Auto-reply (自动回复, manual part 2 §1.17.7): whether a delivered message earns a reply, and the
 * reply itself. Pure; the local transport records the send in AutoreplyRepo and queues the reply
 * with the null envelope sender MAIL FROM:<> (RFC 3834 §3.3) to the envelope sender (§3.1.5).
 * Suppression follows RFC 3834 §2: no reply to the null sender or daemon/list addresses, to
 * automatic or bulk mail, to mail that did not name the user in To/Cc, or more than once per
 * sender per intervalDays. The reply carries Auto-Submitted: auto-replied (§5) and In-Reply-To.
 */
import addressparser from 'nodemailer/lib/addressparser';
import MailComposer from 'nodemailer/lib/mail-composer';
import { normaliseAddress } from '../../directory/address.ts';
import type { AutoreplyRules } from './user-rules.ts';

const DAY_MS = 24 * 60 * 60 * 1000;

export interface AutoreplyCheck {
  rules: AutoreplyRules;
  /** ms since the epoch. */
  now: number;
  /** Envelope sender (Return-Path); '' is the null sender. */
  sender: string;
  /** The user's address, or the address and its aliases: one must appear in To or Cc. */
  recipientAddress: string | readonly string[];
  /** Every value of the named header (asked with a lower-case name); [] when absent. */
  headers(name: string): string[];
  /** When this user last auto-replied to this sender (AutoreplyRepo.lastSent). */
  lastSentAt?: number;
  /** Whether the sender is in the user's contacts; needed only when rules.onlyToContacts. */
  isContact?: boolean;
}

export interface AutoreplyDecision {
  send: boolean;
  /** Why (not): for the delivery log. */
  reason: string;
}

// RFC 3834 §2 names owner-*, *-request and MAILER-DAEMON; the rest are common robot mailboxes.
const ROBOT_LOCAL_PARTS = [
  /^mailer-daemon$/, /^postmaster$/, /^owner-/, /-owner$/, /-request$/, /^listserv$/, /^majordomo$/,
  /^no-?reply$/, /^do-?not-?reply$/, /-bounces?(\+.*)?$/, /^bounces?(\+.*)?$/,
];
const LIST_HEADERS = ['list-id', 'list-unsubscribe', 'list-post'];
const BULK_PRECEDENCE = new Set(['bulk', 'list', 'junk']);
// Microsoft's X-Auto-Response-Suppress: these values ask auto-replies (out-of-office) to stay quiet.
const SUPPRESS_VALUES = new Set(['all', 'oof', 'autoreply']);

export function shouldAutoreply(c: AutoreplyCheck): AutoreplyDecision {
  const { rules, now } = c;
  const no = (reason: string): AutoreplyDecision => ({ send: false, reason });
  if (!rules.enabled) return no('auto-reply is off');
  if (rules.startsAt !== undefined && now < rules.startsAt) return no('before the auto-reply period');
  if (rules.endsAt !== undefined && now >= rules.endsAt) return no('after the auto-reply period');

  // Who sent it
  const sender = addressKey(c.sender);
  if (sender === '') return no('null sender');
  const local = sender.includes('@') ? sender.slice(0, sender.lastIndexOf('@')) : sender;
  if (ROBOT_LOCAL_PARTS.some((re) => re.test(local))) return no(`robot sender ${sender}`);
  const mine = (typeof c.recipientAddress === 'string' ? [c.recipientAddress] : c.recipientAddress).map(addressKey);
  if (mine.includes(sender)) return no('sent by the user');

  // What kind of message it is
  for (const v of c.headers('auto-submitted')) {
    const kind = v.split(';')[0]!.trim().toLowerCase();
    if (kind !== 'no') return no(`Auto-Submitted: ${kind}`);
  }
  if (c.headers('x-autoreply').length > 0 || c.headers('x-autorespond').length > 0) return no('automatic reply');
  for (const v of c.headers('precedence')) {
    if (BULK_PRECEDENCE.has(v.trim().toLowerCase())) return no(`Precedence: ${v.trim().toLowerCase()}`);
  }
  const list = LIST_HEADERS.find((h) => c.headers(h).length > 0);
  if (list !== undefined) return no(`mailing list (${list})`);
  for (const v of c.headers('x-auto-response-suppress')) {
    if (v.split(/[,\s]+/).some((t) => SUPPRESS_VALUES.has(t.toLowerCase()))) return no('X-Auto-Response-Suppress');
  }

  // RFC 3834 §2: only when the user is named in To/Cc, not reached via a list, alias or Bcc
  const named = [...c.headers('to'), ...c.headers('cc')]
    .flatMap((v) => addressparser(v, { flatten: true }))
    .some((a) => a.address !== '' && mine.includes(addressKey(a.address)));
  if (!named) return no('recipient not in To or Cc');
  if (rules.onlyToContacts && c.isContact !== true) return no('sender not in contacts');

  if (c.lastSentAt !== undefined && now - c.lastSentAt < rules.intervalDays * DAY_MS) {
    return no(`already replied to ${sender} within ${rules.intervalDays} day(s)`);
  }
  return { send: true, reason: 'ok' };
}

export interface AutoreplyDraft {
  rules: AutoreplyRules;
  /** The user: From of the reply. */
  from: { address: string; name?: string };
  /** Where the reply goes: the envelope sender of the original. */
  to: string;
  original: { subject: string; messageId?: string };
  /** Date header, ms since the epoch; now when left out. */
  now?: number;
}

/** The reply as RFC 5322 bytes (UTF-8, encoded words for non-ASCII headers, by nodemailer). */
export async function buildAutoreply(d: AutoreplyDraft): Promise<Buffer> {
  const msgId = cleanMessageId(d.original.messageId);
  const composer = new MailComposer({
    from: { name: oneLine(d.from.name ?? ''), address: d.from.address },
    to: d.to,
    subject: replySubject(d.rules.subject, d.original.subject),
    text: d.rules.body,
    ...(d.rules.html !== undefined ? { html: d.rules.html } : {}),
    ...(msgId !== undefined ? { inReplyTo: msgId, references: [msgId] } : {}),
    date: new Date(d.now ?? Date.now()),
    headers: {
      'Auto-Submitted': 'auto-replied',
      // Asks Exchange/Outlook not to answer this answer.
      'X-Auto-Response-Suppress': 'All',
    },
  });
  return composer.compile().build();
}

/** The subject template with `{subject}` replaced (every occurrence), kept on one line. */
export function replySubject(template: string, originalSubject: string): string {
  return oneLine(template.replaceAll('{subject}', oneLine(originalSubject)));
}

/** `<id@host>` when the original Message-ID is usable, else undefined (no header injection). */
function cleanMessageId(id: string | undefined): string | undefined {
  const s = id?.trim() ?? '';
  if (s === '' || s.length > 998 || /[\s<>]/.test(s.replace(/^<(.*)>$/, '$1'))) return undefined;
  return s.startsWith('<') ? s : `<${s}>`;
}

/** Comparable form of an address: normalised (IDN → punycode) when valid, else just lower-cased. */
function addressKey(addr: string): string {
  const s = addr.trim().replace(/^<(.*)>$/, '$1').toLowerCase();
  try {
    return s === '' ? '' : normaliseAddress(s);
  } catch {
    return s;
  }
}

function oneLine(s: string): string {
  return s.replace(/[ \t]*[\r\n]+[ \t]*/g, ' ').replace(/\t/g, ' ').trim();
}
