/**
 * Commands about the session itself: CAPABILITY, NOOP, LOGIN (RFC 3501 §6.1-6.2), ID (RFC 2971),
 * ENABLE (RFC 5161: CONDSTORE, QRESYNC, UTF8=ACCEPT, IMAP4rev2 per RFC 9051 §6.3.1) and NAMESPACE (RFC 2342: one personal
 * namespace, "/" as the separator) and UNAUTHENTICATE (RFC 8437).
 */
import { SEPARATOR } from '../../mailbox/mailbox-service.ts';
import { bad, no, ok, type Completion, type ImapContext } from '../context.ts';
import type { EnableCommand, IdCommand, LoginCommand } from '../protocol/command.ts';
import { atom, untaggedData } from '../protocol/serializer.ts';

export function capability(ctx: ImapContext): Completion {
  ctx.write(untaggedData([atom('CAPABILITY'), ...ctx.capabilities().map((c) => atom(c))]));
  return ok('CAPABILITY completed');
}

export function noop(): Completion {
  return ok('NOOP completed');
}

export function login(ctx: ImapContext, cmd: LoginCommand): Promise<Completion> | Completion {
  if (!ctx.mayLogin()) return no('Use STARTTLS before logging in', 'PRIVACYREQUIRED');
  return ctx.login({ kind: 'password', username: cmd.username, password: cmd.password });
}

/** RFC 8437 §3: the session returns to the not-authenticated state; a new LOGIN or AUTHENTICATE may follow. */
export function unauthenticate(ctx: ImapContext): Completion {
  ctx.unauthenticate();
  return ok('UNAUTHENTICATE completed');
}

export function id(ctx: ImapContext, cmd: IdCommand): Completion {
  if (cmd.params) {
    const shown = cmd.params.slice(0, 30).map((p) => `${p.field.slice(0, 30)}=${(p.value ?? 'NIL').slice(0, 60)}`).join(', ');
    ctx.log.note(`client ID: ${shown}`);
  }
  ctx.write(untaggedData([atom('ID'), ['name', 'Youju', 'vendor', 'Youju', 'support-url', `mailto:postmaster@${ctx.deps.hostname}`]]));
  return ok('ID completed');
}

const ENABLEABLE = new Set(['CONDSTORE', 'QRESYNC', 'UTF8=ACCEPT', 'IMAP4REV2']);

export function enable(ctx: ImapContext, cmd: EnableCommand): Completion {
  if (ctx.state === 'selected' && cmd.capabilities.includes('UTF8=ACCEPT')) {
    return bad('ENABLE UTF8=ACCEPT must come before SELECT');
  }
  const now: string[] = [];
  for (const c of cmd.capabilities) {
    if (!ENABLEABLE.has(c) || ctx.enabled.has(c)) continue;
    ctx.enabled.add(c);
    now.push(c);
    if (c === 'QRESYNC' && !ctx.enabled.has('CONDSTORE')) ctx.enabled.add('CONDSTORE'); // RFC 7162 §3.2.3
    // IMAP4rev2 mailbox names are UTF-8, not modified UTF-7 (RFC 9051 §5.1, Appendix A).
    if (c === 'UTF8=ACCEPT' || c === 'IMAP4REV2') ctx.wire.utf8 = true;
  }
  ctx.write(untaggedData([atom('ENABLED'), ...now.map((c) => atom(c === 'IMAP4REV2' ? 'IMAP4rev2' : c))]));
  return ok('ENABLE completed');
}

export function namespace(ctx: ImapContext): Completion {
  ctx.write(untaggedData([atom('NAMESPACE'), [['', SEPARATOR]], null, null]));
  return ok('NAMESPACE completed');
}
