/**
 * SELECT and EXAMINE (RFC 3501 §6.3.1-2) with CONDSTORE and QRESYNC (RFC 7162 §3.1.8, §3.2.5), and
 * leaving a mailbox: CLOSE (expunges \Deleted silently unless read-only), UNSELECT (RFC 3691), CHECK.
 * The view is built from uid/flags/modseq only; nothing else is read at SELECT time.
 */
import { bad, ok, type Completion, type ImapContext } from '../context.ts';
import { MailboxView } from '../mailbox-view.ts';
import type { SelectCommand } from '../protocol/command.ts';
import { SYSTEM_FLAGS } from '../protocol/flags.ts';
import { normalizeSequenceSet, type SequenceSet } from '../protocol/sequence-set.ts';
import { atom, fetchResponse, formatSequenceSet, untaggedData, untaggedStatus } from '../protocol/serializer.ts';
import { toUidSet } from './uids.ts';

export async function select(ctx: ImapContext, cmd: SelectCommand): Promise<Completion> {
  if (cmd.qresync && !ctx.enabled.has('QRESYNC')) return bad('ENABLE QRESYNC before using it in SELECT');
  const wasSelected = ctx.selected !== undefined;
  ctx.selected = undefined;
  ctx.state = 'authenticated';
  if (wasSelected) ctx.write(untaggedStatus('OK', 'Previous mailbox is now closed', 'CLOSED'));
  if (cmd.condstore) ctx.enabled.add('CONDSTORE');

  const box = await ctx.deps.mailboxes.require(ctx.user!.id, cmd.mailbox);
  const index = await ctx.deps.mailboxes.index(box.id);
  const highest = Math.max(box.highestmodseq, ...index.slice(-1).map((m) => m.modseq));
  const view = new MailboxView(index, highest);
  const readOnly = cmd.name === 'EXAMINE';

  const keywords = new Set<string>();
  let firstUnseen = 0;
  index.forEach((m, i) => {
    for (const f of m.flags) if (!f.startsWith('\\')) keywords.add(f);
    if (firstUnseen === 0 && !m.flags.includes('\\Seen')) firstUnseen = i + 1;
  });
  const flags = [...SYSTEM_FLAGS, ...[...keywords].sort()];
  ctx.write(untaggedData([atom('FLAGS'), flags.map((f) => atom(f))]));
  ctx.write(untaggedStatus('OK', readOnly ? 'No permanent flags in read-only mode' : 'Flags permitted',
    { code: 'PERMANENTFLAGS', flags: readOnly ? [] : [...flags, '\\*'] }));
  ctx.write(untaggedData([view.exists, atom('EXISTS')]));
  ctx.write(untaggedData([0, atom('RECENT')]));
  if (firstUnseen > 0) ctx.write(untaggedStatus('OK', `Message ${firstUnseen} is the first unseen`, { code: 'UNSEEN', value: firstUnseen }));
  ctx.write(untaggedStatus('OK', 'UIDs valid', { code: 'UIDVALIDITY', value: box.uidvalidity }));
  ctx.write(untaggedStatus('OK', 'Predicted next UID', { code: 'UIDNEXT', value: box.uidnext }));
  ctx.write(untaggedStatus('OK', 'Highest', { code: 'HIGHESTMODSEQ', value: view.highestmodseq }));

  ctx.selected = { mailbox: { ...box, highestmodseq: view.highestmodseq }, view, readOnly, recent: new Set(), saved: [] };
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
    const deleted = sel.view.allUids.filter((uid) => sel.view.message(uid)?.flags.includes('\\Deleted'));
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
