/**
 * Untagged updates for the selected mailbox (RFC 3501 §7.3.1, §7.4.1; RFC 7162 §3.2.10): folds the
 * store's changes since the view's highestmodseq into the view and tells the client — EXPUNGE (or
 * VANISHED once QRESYNC is enabled), EXISTS and RECENT for new messages, FETCH FLAGS (with UID and,
 * under CONDSTORE, MODSEQ) for flags other sessions changed, and a new FLAGS response first when
 * they hold a keyword the client has not seen yet (§7.2.6); then the updating searches (RFC 5267
 * §4.3). Once IMAP4rev2 is enabled there is no RECENT response and no \Recent (RFC 9051 §7.4.1).
 */
import { isRev2, type ImapContext, type SelectedMailbox } from './context.ts';
import { refreshContexts, reportExpunged } from './commands/search-context.ts';
import { atom, fetchResponse, formatSequenceSet, untaggedData, untaggedStatus, type ImapValue } from './protocol/serializer.ts';
import { RECENT, SYSTEM_FLAGS } from './protocol/flags.ts';

/** `* FLAGS (…)` and `* OK [PERMANENTFLAGS (… \\*)]` for the system flags and these keywords. */
export function writeFlags(ctx: ImapContext, keywords: ReadonlySet<string>, readOnly: boolean): void {
  const flags = [...SYSTEM_FLAGS, ...[...keywords].sort()];
  ctx.write(untaggedData([atom('FLAGS'), flags.map((f) => atom(f))]));
  ctx.write(untaggedStatus('OK', readOnly ? 'No permanent flags in read-only mode' : 'Flags permitted',
    { code: 'PERMANENTFLAGS', flags: readOnly ? [] : [...flags, '\\*'] }));
}

/** Before flags that hold a keyword the client has not been told of: a new FLAGS response (RFC 3501 §7.2.6). */
export function announceKeywords(ctx: ImapContext, flagLists: Iterable<readonly string[]>): void {
  const sel = ctx.selected;
  if (!sel) return;
  let fresh = false;
  for (const list of flagLists) {
    for (const f of list) {
      if (!f.startsWith('\\') && !sel.keywords.has(f)) {
        sel.keywords.add(f);
        fresh = true;
      }
    }
  }
  if (fresh) writeFlags(ctx, sel.keywords, sel.readOnly);
}

/** The FLAGS value for a message in this session: its stored flags plus \Recent when it is recent here. */
export function flagsValue(sel: SelectedMailbox, uid: number, flags: readonly string[]): ImapValue {
  const list = sel.recent.has(uid) ? [...flags, RECENT] : flags;
  return list.map((f) => atom(f));
}

/**
 * Tells the client what changed in the selected mailbox. With deferExpunges (NOTIFY SELECTED-DELAYED
 * between commands, RFC 5465 §6) nothing is sent while an expunge is among the changes: returns
 * false, and the next command that allows EXPUNGE sends it all.
 */
export async function syncSelected(ctx: ImapContext, options: { deferExpunges?: boolean } = {}): Promise<boolean> {
  const sel = ctx.selected;
  if (!sel) return true;
  const changes = await ctx.deps.mailboxes.changesSince(sel.mailbox.id, sel.view.highestmodseq);
  if (changes.length === 0) return true;
  if (options.deferExpunges && changes.some((c) => c.flags === null && sel.view.seqOf(c.uid) > 0)) return false;
  let highest = sel.view.highestmodseq;
  for (const c of changes) if (c.modseq > highest) highest = c.modseq;
  const r = sel.view.sync(changes, highest);
  if (r.expungedUids.length > 0) {
    reportExpunged(ctx, r.expungedUids, r.expunged); // RFC 5267 §4.3.4: before the EXPUNGEs renumber
    for (const uid of r.expungedUids) sel.recent.delete(uid);
    if (ctx.enabled.has('QRESYNC')) {
      ctx.write(untaggedData([atom('VANISHED'), atom(formatSequenceSet(r.expungedUids))]));
    } else {
      for (const seq of r.expunged) ctx.write(untaggedData([seq, atom('EXPUNGE')]));
    }
  }
  if (r.exists !== undefined) {
    // New mail is recent in the one session that claims it first (RFC 3501 §2.3.2); IMAP4rev2 has no \Recent.
    const from = sel.readOnly || isRev2(ctx) ? undefined : await ctx.deps.mailboxes.claimRecent(sel.mailbox.id, sel.view.maxUid + 1);
    if (from !== undefined) for (let seq = sel.view.exists; seq >= 1 && sel.view.uidOf(seq)! >= from; seq--) sel.recent.add(sel.view.uidOf(seq)!);
    ctx.write(untaggedData([r.exists, atom('EXISTS')]));
    if (!isRev2(ctx)) ctx.write(untaggedData([sel.recent.size, atom('RECENT')]));
    sel.mailbox = { ...sel.mailbox, uidnext: sel.view.maxUid + 1 };
  }
  const condstore = ctx.enabled.has('CONDSTORE') || ctx.enabled.has('QRESYNC');
  announceKeywords(ctx, r.flags.map((f) => f.flags));
  for (const f of r.flags) {
    const items: Array<[string, ImapValue]> = [['UID', f.uid], ['FLAGS', flagsValue(sel, f.uid, f.flags)]];
    if (condstore) items.push(['MODSEQ', [f.modseq]]);
    ctx.write(fetchResponse(f.seq, items, ctx.wire));
  }
  sel.mailbox = { ...sel.mailbox, highestmodseq: sel.view.highestmodseq };
  await refreshContexts(ctx);
  return true;
}
