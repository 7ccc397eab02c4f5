/**
 * LIST and LSUB (RFC 3501 §6.3.8-9) with LIST-EXTENDED (RFC 5258: selection SUBSCRIBED,
 * RECURSIVEMATCH, SPECIAL-USE; RETURN SUBSCRIBED, CHILDREN, SPECIAL-USE), LIST-STATUS (RFC 5819)
 * and special-use attributes (RFC 6154). "*" matches anything, "%" anything but the separator.
 */
import { SEPARATOR } from '../../mailbox/mailbox-service.ts';
import type { Mailbox } from '../../store/store.ts';
import { ok, type Completion, type ImapContext } from '../context.ts';
import type { ListCommand, LsubCommand } from '../protocol/command.ts';
import { atom, formatMailboxName, Raw, untaggedData, type ImapValue } from '../protocol/serializer.ts';
import { statusResponse } from './mailbox-commands.ts';

/** A list-mailbox pattern as a RegExp over full names ("INBOX" matched case-insensitively). */
export function patternToRegExp(reference: string, pattern: string): RegExp {
  const full = pattern.startsWith(SEPARATOR) || reference === '' ? pattern
    : reference.endsWith(SEPARATOR) ? reference + pattern : `${reference}${SEPARATOR}${pattern}`;
  let re = '';
  for (const ch of full) {
    if (ch === '*') re += '.*';
    else if (ch === '%') re += `[^${SEPARATOR}]*`;
    else re += ch.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  }
  // INBOX is case-insensitive, as a name and as the first level of its children.
  re = re.replace(/^INBOX(?=$|\/)/i, '[Ii][Nn][Bb][Oo][Xx]');
  return new RegExp(`^${re}$`, 'u');
}

const hasChildren = (all: readonly Mailbox[], name: string) => all.some((m) => m.name.startsWith(`${name}${SEPARATOR}`));

export function mailboxAttributes(box: Mailbox, all: readonly Mailbox[], opts: { subscribed: boolean }): string[] {
  const attrs = [hasChildren(all, box.name) ? '\\HasChildren' : '\\HasNoChildren'];
  if (box.specialUse && box.specialUse !== '\\Inbox') attrs.push(box.specialUse);
  if (opts.subscribed && box.subscribed) attrs.push('\\Subscribed');
  return attrs;
}

export function listLine(ctx: ImapContext, verb: 'LIST' | 'LSUB', attrs: readonly string[], name: string, extra?: ImapValue): Buffer {
  const values: ImapValue[] = [atom(verb), attrs.map((a) => atom(a)), SEPARATOR, new Raw(formatMailboxName(name, ctx.wire))];
  if (extra !== undefined) values.push(extra);
  return untaggedData(values, ctx.wire);
}

export async function list(ctx: ImapContext, cmd: ListCommand): Promise<Completion> {
  if (!cmd.extended && cmd.patterns.length === 1 && cmd.patterns[0] === '') {
    // The hierarchy delimiter and root (RFC 3501 §6.3.8).
    ctx.write(untaggedData([atom('LIST'), [atom('\\Noselect')], SEPARATOR, '']));
    return ok('LIST completed');
  }
  const all = (await ctx.deps.mailboxes.list(ctx.user!.id)).sort(byName);
  const patterns = cmd.patterns.map((p) => patternToRegExp(cmd.reference, p));
  const matches = (name: string) => patterns.some((re) => re.test(name));
  const sel = cmd.selection;
  const showSubscribed = sel.subscribed || cmd.returns.subscribed;
  if (sel.subscribed) {
    // Subscribed names whose mailbox is gone (RFC 5258 §3.1: \NonExistent \Subscribed).
    const existing = new Set(all.map((b) => b.name));
    for (const name of await ctx.deps.mailboxes.subscriptions(ctx.user!.id)) {
      if (!existing.has(name) && matches(name)) ctx.write(listLine(ctx, 'LIST', ['\\NonExistent', '\\Subscribed'], name));
    }
  }
  for (const box of all) {
    if (!matches(box.name)) continue;
    const selected = (!sel.subscribed || box.subscribed) && (!sel.specialUse || (box.specialUse !== null && box.specialUse !== '\\Inbox'));
    if (!selected) {
      // RECURSIVEMATCH: a parent that is not selected itself but has a subscribed child (RFC 5258 §3.5).
      if (sel.recursiveMatch && sel.subscribed && all.some((m) => m.subscribed && m.name.startsWith(`${box.name}${SEPARATOR}`))) {
        ctx.write(listLine(ctx, 'LIST', mailboxAttributes(box, all, { subscribed: false }), box.name, [atom('CHILDINFO'), ['SUBSCRIBED']]));
      }
      continue;
    }
    ctx.write(listLine(ctx, 'LIST', mailboxAttributes(box, all, { subscribed: showSubscribed }), box.name));
    if (cmd.returns.status && cmd.returns.status.length > 0) ctx.write(await statusResponse(ctx, box, cmd.returns.status));
  }
  return ok('LIST completed');
}

export async function lsub(ctx: ImapContext, cmd: LsubCommand): Promise<Completion> {
  if (cmd.pattern === '') {
    ctx.write(untaggedData([atom('LSUB'), [atom('\\Noselect')], SEPARATOR, '']));
    return ok('LSUB completed');
  }
  const re = patternToRegExp(cmd.reference, cmd.pattern);
  // Every subscribed name, its mailbox deleted or not (RFC 3501 §6.3.9).
  const subscribed = new Set(await ctx.deps.mailboxes.subscriptions(ctx.user!.id));
  const shown = new Set<string>();
  for (const name of [...subscribed].sort(byNameOnly)) {
    if (re.test(name)) {
      ctx.write(listLine(ctx, 'LSUB', [], name));
      continue;
    }
    // RFC 3501 §6.3.9: "%" stops at a level; the unsubscribed parent that matches is shown \Noselect.
    const parts = name.split(SEPARATOR);
    for (let i = 1; i < parts.length; i++) {
      const parent = parts.slice(0, i).join(SEPARATOR);
      if (subscribed.has(parent) || shown.has(parent) || !re.test(parent)) continue;
      shown.add(parent);
      ctx.write(listLine(ctx, 'LSUB', ['\\Noselect'], parent));
    }
  }
  return ok('LSUB completed');
}

/** INBOX first, then by name. */
function byName(a: Mailbox, b: Mailbox): number {
  return byNameOnly(a.name, b.name);
}

function byNameOnly(a: string, b: string): number {
  if (a === 'INBOX') return -1;
  if (b === 'INBOX') return 1;
  return a < b ? -1 : a > b ? 1 : 0;
}
