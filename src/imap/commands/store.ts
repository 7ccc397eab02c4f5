/**
 * STORE and UID STORE (RFC 3501 §6.4.6): FLAGS, +FLAGS, -FLAGS and their .SILENT forms, with
 * UNCHANGEDSINCE (RFC 7162 §3.1.3: [MODIFIED set] for what changed meanwhile). \Recent cannot be
 * stored. The session's view learns the new flags at once, so its later updates do not repeat them.
 */
import type { FlagOp } from '../../store/store.ts';
import { no, ok, type Completion, type ImapContext } from '../context.ts';
import type { StoreCommand } from '../protocol/command.ts';
import { fetchResponse, type ImapValue } from '../protocol/serializer.ts';
import { announceKeywords, flagsValue } from '../updates.ts';
import { resolveSet, toUidSet } from './uids.ts';

const OPS: Record<StoreCommand['operation'], FlagOp> = { replace: 'set', add: 'add', remove: 'remove' };

export async function store(ctx: ImapContext, cmd: StoreCommand): Promise<Completion> {
  const sel = ctx.selected!;
  if (sel.readOnly) return no('The mailbox is read-only (EXAMINE)', 'READ-ONLY');
  if (cmd.unchangedSince !== undefined) ctx.enabled.add('CONDSTORE');
  const condstore = ctx.enabled.has('CONDSTORE');
  const uids = resolveSet(sel, cmd.sequenceSet, cmd.uid);
  const flags = cmd.flags.filter((f) => f.toLowerCase() !== '\\recent');
  const result = uids.length === 0 ? { changed: [], failed: [] }
    : await ctx.deps.mailboxes.setFlags(sel.mailbox.id, toUidSet(uids), OPS[cmd.operation], flags,
      cmd.unchangedSince === undefined ? undefined : Number(cmd.unchangedSince));
  const changed = new Map(result.changed.map((c) => [c.uid, c]));
  for (const c of result.changed) sel.view.update(c.uid, c.flags, c.modseq);
  announceKeywords(ctx, result.changed.map((c) => c.flags));
  const failed = new Set(result.failed);
  for (const uid of uids) {
    if (failed.has(uid)) continue;
    const c = changed.get(uid);
    // .SILENT still reports the modseq of what changed under CONDSTORE (RFC 7162 §3.1.3).
    if (cmd.silent && !(c && condstore && cmd.unchangedSince !== undefined)) continue;
    const m = sel.view.message(uid);
    const seq = sel.view.seqOf(uid);
    if (!m || seq === 0) continue;
    const items: Array<[string, ImapValue]> = [];
    if (cmd.uid || condstore) items.push(['UID', uid]);
    if (!cmd.silent) items.push(['FLAGS', flagsValue(sel, uid, m.flags)]);
    if (condstore) items.push(['MODSEQ', [m.modseq]]);
    ctx.write(fetchResponse(seq, items, ctx.wire));
  }
  if (failed.size > 0) {
    const list = [...failed].sort((a, b) => a - b).map((u) => (cmd.uid ? u : sel.view.seqOf(u))).filter((n) => n > 0);
    return ok('Conditional STORE failed for some messages', { code: 'MODIFIED', uids: list });
  }
  return ok('STORE completed');
}
