/**
 * Untagged updates for the selected mailbox (RFC 3501 §7.3.1, §7.4.1; RFC 7162 §3.2.10): folds the
 * store's changes since the view's highestmodseq into the view and tells the client — EXPUNGE (or
 * VANISHED once QRESYNC is enabled), EXISTS and RECENT for new messages, FETCH FLAGS (with UID and,
 * under CONDSTORE, MODSEQ) for flags other sessions changed.
 */
import type { ImapContext, SelectedMailbox } from './context.ts';
import { atom, fetchResponse, formatSequenceSet, untaggedData, type ImapValue } from './protocol/serializer.ts';
import { RECENT } from './protocol/flags.ts';

/** The FLAGS value for a message in this session: its stored flags plus \Recent when it is recent here. */
export function flagsValue(sel: SelectedMailbox, uid: number, flags: readonly string[]): ImapValue {
  const list = sel.recent.has(uid) ? [...flags, RECENT] : flags;
  return list.map((f) => atom(f));
}

export async function syncSelected(ctx: ImapContext): Promise<void> {
  const sel = ctx.selected;
  if (!sel) return;
  const changes = await ctx.deps.mailboxes.changesSince(sel.mailbox.id, sel.view.highestmodseq);
  if (changes.length === 0) return;
  let highest = sel.view.highestmodseq;
  for (const c of changes) if (c.modseq > highest) highest = c.modseq;
  const r = sel.view.sync(changes, highest);
  if (r.expungedUids.length > 0) {
    for (const uid of r.expungedUids) sel.recent.delete(uid);
    if (ctx.enabled.has('QRESYNC')) {
      ctx.write(untaggedData([atom('VANISHED'), atom(formatSequenceSet(r.expungedUids))]));
    } else {
      for (const seq of r.expunged) ctx.write(untaggedData([seq, atom('EXPUNGE')]));
    }
  }
  if (r.exists !== undefined) {
    for (let seq = sel.view.exists; seq >= 1 && sel.view.uidOf(seq)! >= sel.mailbox.uidnext; seq--) sel.recent.add(sel.view.uidOf(seq)!);
    ctx.write(untaggedData([r.exists, atom('EXISTS')]));
    ctx.write(untaggedData([sel.recent.size, atom('RECENT')]));
    sel.mailbox = { ...sel.mailbox, uidnext: sel.view.maxUid + 1 };
  }
  const condstore = ctx.enabled.has('CONDSTORE') || ctx.enabled.has('QRESYNC');
  for (const f of r.flags) {
    const items: Array<[string, ImapValue]> = [['UID', f.uid], ['FLAGS', flagsValue(sel, f.uid, f.flags)]];
    if (condstore) items.push(['MODSEQ', [f.modseq]]);
    ctx.write(fetchResponse(f.seq, items, ctx.wire));
  }
  sel.mailbox = { ...sel.mailbox, highestmodseq: sel.view.highestmodseq };
}
