/**
 * Auto-forward (自动转发, manual part 2 §1.17.8): where a user's mail is forwarded and whether a copy
 * stays, plus the loop marker. Pure; the local transport queues the forwarded copy.
 * Loops: a user never forwards to itself or back to the envelope sender, and every forwarded copy
 * gets `X-Youju-Forwarded: <user>` on top. A message is never forwarded to an address whose marker
 * it already carries (that user has had it and kept or passed on its copy), so when two users
 * forward to each other the second one keeps it and each ends with at most one copy; a user who
 * still gets their own marker back (a longer loop) forwards nothing. Only the header block is read.
 * When nothing is actually forwarded, the local copy is always kept: a loop must not lose mail.
 */
import { normaliseAddress } from '../../directory/address.ts';
import type { ForwardRules } from './user-rules.ts';

export const FORWARD_MARKER = 'X-Youju-Forwarded';

export interface ForwardContext {
  /** The user's address, or the address and its aliases. */
  recipientAddress: string | readonly string[];
  /** Envelope sender of the message; '' is the null sender. */
  sender: string;
  /** More targets, e.g. FilterOutcome.forwardTo; they count even when auto-forward is off. */
  extra?: readonly string[];
  /**
   * The message, or at least its header block. When it carries this user's forward marker the
   * message has come round a loop: nothing is forwarded and the copy is kept.
   */
  head?: Buffer;
}

export interface ForwardPlan {
  to: string[];
  /** Whether the local delivery still happens. */
  keepCopy: boolean;
}

export function forwardTargets(rules: ForwardRules, ctx: ForwardContext): ForwardPlan {
  const mine = new Set(listOf(ctx.recipientAddress).map(normalise));
  if (ctx.head !== undefined && [...mine].some((a) => a !== '' && isForwardLoop(ctx.head!, a))) {
    return { to: [], keepCopy: true };
  }
  const sender = normalise(ctx.sender);
  const to: string[] = [];
  const add = (addr: string): void => {
    const a = normalise(addr);
    if (a === '' || mine.has(a) || a === sender || to.includes(a)) return;
    if (ctx.head !== undefined && isForwardLoop(ctx.head, a)) return; // it has been there already
    to.push(a);
  };
  if (rules.enabled) rules.to.forEach(add);
  const fromAutoForward = to.length > 0;
  ctx.extra?.forEach(add);
  return { to, keepCopy: fromAutoForward ? rules.keepCopy : true };
}

/** The message with `X-Youju-Forwarded: <recipient>` prepended, in the message's own line ending. */
export function markForwarded(raw: Buffer, recipient: string): Buffer {
  const addr = normalise(recipient);
  if (addr === '') throw new TypeError(`markForwarded: not an address: ${JSON.stringify(recipient)}`);
  const firstLf = raw.indexOf(0x0a);
  const eol = firstLf > 0 && raw[firstLf - 1] === 0x0d ? '\r\n' : firstLf >= 0 ? '\n' : '\r\n';
  return Buffer.concat([Buffer.from(`${FORWARD_MARKER}: ${addr}${eol}`, 'utf8'), raw]);
}

/** Whether the message already went through `recipient`'s forwarding (its marker is in the header). */
export function isForwardLoop(raw: Buffer, recipient: string): boolean {
  const addr = normalise(recipient);
  const name = FORWARD_MARKER.toLowerCase();
  return headerValues(raw, name).some((v) => normalise(v) === addr);
}

/**
 * Unfolded values of one header field (lower-case name), reading only up to the blank line that
 * ends the header block (RFC 5322 §2.2, §2.2.3). A message without a body is all header.
 */
function headerValues(raw: Buffer, name: string): string[] {
  const out: string[] = [];
  let current: string | undefined;
  let start = 0;
  while (start < raw.length) {
    let end = raw.indexOf(0x0a, start);
    if (end < 0) end = raw.length;
    const lineEnd = end > start && raw[end - 1] === 0x0d ? end - 1 : end;
    const line = raw.toString('utf8', start, lineEnd);
    start = end + 1;
    if (line === '') break;
    if (line.startsWith(' ') || line.startsWith('\t')) {
      if (current !== undefined) current += line;
      continue;
    }
    if (current !== undefined) out.push(current);
    current = undefined;
    const colon = line.indexOf(':');
    if (colon > 0 && line.slice(0, colon).trim().toLowerCase() === name) current = line.slice(colon + 1);
  }
  if (current !== undefined) out.push(current);
  return out;
}

/** Lower-case normalised address, or '' when it is not one (never throws: this runs in delivery). */
function normalise(addr: string): string {
  const s = addr.trim().replace(/^<(.*)>$/, '$1');
  if (s === '') return '';
  try {
    return normaliseAddress(s);
  } catch {
    return '';
  }
}

function listOf(a: string | readonly string[]): readonly string[] {
  return typeof a === 'string' ? [a] : a;
}
