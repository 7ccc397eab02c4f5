/**
 * SELECT and EXAMINE (RFC 3501 §6.3.1-2; RFC 9051 §6.3.2 once IMAP4rev2 is enabled: no RECENT or
 * UNSEEN, a LIST response instead) with CONDSTORE and QRESYNC (RFC 7162 §3.1.8, §3.2.5), and
 * leaving a mailbox: CLOSE (expunges \Deleted silently unless read-only), UNSELECT (RFC 3691), CHECK.
 * The view is built from uid/flags/modseq only; nothing else is read at SELECT time.
 */
import { bad, isRev2, ok, type Completion, type ImapContext } from '../context.ts';
import { MailboxView } from '../mailbox-view.ts';
import type { SelectCommand } from '../protocol/command.ts';
import { normalizeSequenceSet, type SequenceSet } from '../protocol/sequence-set.ts';
import { atom, fetchResponse, formatSequenceSet, untaggedData, untaggedStatus } from '../protocol/serializer.ts';
import { writeFlags } from '../updates.ts';
import type { CachedView } from '../view-cache.ts';
import { toUidSet } from './uids.ts';
import { listLine, mailboxAttributes } from './list.ts';

export async function select(ctx: ImapContext, cmd: SelectCommand): Promise<Completion> {
  if (cmd.qresync && !ctx.enabled.has('QRESYNC')) return bad('ENABLE QRESYNC before using it in SELECT');
  const wasSelected = ctx.selected !== undefined;
  ctx.selected = undefined;
  ctx.state = 'authenticated';
  if (wasSelected) ctx.write(untaggedStatus('OK', 'Previous mailbox is now closed', 'CLOSED'));
  if (cmd.condstore) ctx.enabled.add('CONDSTORE');

  let base: CachedView | undefined;
  const state = await ctx.deps.mailboxes.viewState(ctx.user!.id, cmd.mailbox, (id) => (base = ctx.deps.views.get(id))?.highestmodseq);
  const box = state.mailbox;
  let view: MailboxView;
  if (state.changes && base) {
    view = new MailboxView(base.snapshot, base.highestmodseq);
    if (state.changes.length > 0 || box.highestmodseq > base.highestmodseq) {
      view.sync(state.changes, box.highestmodseq);
      ctx.deps.views.put(box.id, { snapshot: view.snapshot(), highestmodseq: view.highestmodseq });
    }
  } else {
    view = new MailboxView(state.index!, box.highestmodseq);
    ctx.deps.views.put(box.id, { snapshot: state.index!, highestmodseq: box.highestmodseq });
  }
  const readOnly = cmd.name === 'EXAMINE';

  const facts = view.selectFacts();
  const keywords = new Set(facts.keywords);
  const firstUnseen = isRev2(ctx) ? 0 : facts.firstUnseen;
  writeFlags(ctx, keywords, readOnly);
  // \Recent (RFC 3501 §2.3.2): a read-write SELECT claims what no session has seen yet; EXAMINE
  // counts it without claiming. IMAP4rev2 has neither \Recent nor RECENT (RFC 9051 §6.3.2).
  const rev2 = isRev2(ctx);
  const recent = new Set<number>();
  // Nothing unclaimed (the usual case): no write transaction on the SELECT path.
  const from = rev2 ? undefined
    : readOnly || box.firstRecentUid >= box.uidnext ? box.firstRecentUid : await ctx.deps.mailboxes.claimRecent(box.id, box.uidnext);
  if (from !== undefined) for (let seq = view.exists; seq >= 1 && view.uidOf(seq)! >= from; seq--) recent.add(view.uidOf(seq)!);
  ctx.write(untaggedData([view.exists, atom('EXISTS')]));
  if (!rev2) ctx.write(untaggedData([recent.size, atom('RECENT')]));
  if (firstUnseen > 0 && !rev2) ctx.write(untaggedStatus('OK', `Message ${firstUnseen} is the first unseen`, { code: 'UNSEEN', value: firstUnseen }));
  ctx.write(untaggedStatus('OK', 'UIDs valid', { code: 'UIDVALIDITY', value: box.uidvalidity }));
  ctx.write(untaggedStatus('OK', 'Predicted next UID', { code: 'UIDNEXT', value: box.uidnext }));
  ctx.write(untaggedStatus('OK', 'Highest', { code: 'HIGHESTMODSEQ', value: view.highestmodseq }));
  // RFC 9051 §6.3.2: a LIST response with the mailbox's name and accurate attributes.
  if (rev2) ctx.write(listLine(ctx, 'LIST', mailboxAttributes(box, await ctx.deps.mailboxes.list(ctx.user!.id), { subscribed: false }), box.name));

  ctx.selected = { mailbox: { ...box, highestmodseq: view.highestmodseq }, view, readOnly, recent: readOnly ? new Set() : recent, saved: [], keywords };
  ctx.state = 'selected';

  if (cmd.qresync && cmd.qresync.uidvalidity === box.uidvalidity) await resync(ctx, cmd.qresync.modseq, cmd.qresync.knownUids);
  return ok(`${cmd.name} completed`, readOnly ? 'READ-ONLY' : 'READ-WRITE');
}

/** QRESYNC: what changed since the client's modseq — VANISHED (EARLIER), then FETCH for changed flags. */
async function resync(ctx: ImapContext, since: bigint, knownUids: SequenceSet | undefined): Promise<void> {
  const sel = ctx.selected!;
  const changes = await ctx.deps.mailboxes.changesSince(sel.mailbox.id, Number(since));
  const known = knownUids ? normalizeSequenceSet(knownUids, sel.view.maxUid || Number(since)) : undefined;
  const inKnown = (uid: number) => !known || known.some(([a, b]) => uid >= a && uid <= b);
  const vanished = changes.filter((c) => c.flags === null && inKnown(c.uid)).map((c) => c.uid);
  if (vanished.length > 0) ctx.write(untaggedData([atom('VANISHED'), [atom('EARLIER')], atom(formatSequenceSet(vanished))]));
  for (const c of changes) {
    if (c.flags === null) continue;
    const seq = sel.view.seqOf(c.uid);
    const m = sel.view.message(c.uid);
    if (seq === 0 || !m) continue;
    ctx.write(fetchResponse(seq, [['UID', c.uid], ['FLAGS', m.flags.map((f) => atom(f))], ['MODSEQ', [m.modseq]]], ctx.wire));
  }
}

export async function close(ctx: ImapContext): Promise<Completion> {
  const sel = ctx.selected!;
  if (!sel.readOnly) {
    const deleted = sel.view.allUids.filter((uid) => sel.view.hasFlag(uid, '\\Deleted'));
    if (deleted.length > 0) await ctx.deps.mailboxes.expunge(sel.mailbox.id, toUidSet(deleted));
  }
  ctx.selected = undefined;
  ctx.state = 'authenticated';
  return ok('CLOSE completed');
}

export function unselect(ctx: ImapContext): Completion {
  ctx.selected = undefined;
  ctx.state = 'authenticated';
  return ok('UNSELECT completed');
}

export function check(): Completion {
  return ok('CHECK completed');
}
