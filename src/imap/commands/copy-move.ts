/**
 * COPY, MOVE (RFC 6851) and EXPUNGE / UID EXPUNGE (RFC 3501 §6.4.3, RFC 4315), with [COPYUID].
 * A missing target is NO [TRYCREATE]; the quota applies to copies. MOVE and EXPUNGE report the
 * removed messages through the normal update path, so every session sees the same sequence.
 */
import { isMailError } from '../../core/errors.ts';
import { no, ok, type Completion, type ImapContext } from '../context.ts';
import type { CopyCommand, ExpungeCommand } from '../protocol/command.ts';
import { untaggedStatus } from '../protocol/serializer.ts';
import { resolveSet, toUidSet } from './uids.ts';

export async function copyOrMove(ctx: ImapContext, cmd: CopyCommand): Promise<Completion> {
  const sel = ctx.selected!;
  if (cmd.name === 'MOVE' && sel.readOnly) return no('The mailbox is read-only (EXAMINE)', 'READ-ONLY');
  const target = await ctx.deps.mailboxes.get(ctx.user!.id, cmd.mailbox);
  if (!target) return no(`No folder "${cmd.mailbox}"`, 'TRYCREATE');
  const uids = resolveSet(sel, cmd.sequenceSet, cmd.uid);
  if (uids.length === 0) return ok(`${cmd.name} completed (nothing to do)`);
  let map;
  try {
    map = cmd.name === 'MOVE'
      ? await ctx.deps.mailboxes.move(sel.mailbox.id, toUidSet(uids), target.id)
      : await ctx.deps.mailboxes.copy(ctx.user!.id, sel.mailbox.id, toUidSet(uids), target.id);
  } catch (err) {
    if (isMailError(err, 'NOT_FOUND')) return no(`No folder "${cmd.mailbox}"`, 'TRYCREATE');
    throw err;
  }
  if (map.length === 0) return ok(`${cmd.name} completed (nothing to do)`);
  const code = { code: 'COPYUID' as const, uidvalidity: target.uidvalidity, source: map.map((m) => m.from), destination: map.map((m) => m.to) };
  if (cmd.name === 'MOVE') {
    // RFC 6851 §4.3: COPYUID goes in an untagged OK before the expunges.
    ctx.write(untaggedStatus('OK', 'Moved', code));
    await ctx.sendUpdates({ expunges: true });
    return ok('MOVE completed');
  }
  return ok('COPY completed', code);
}

export async function expunge(ctx: ImapContext, cmd: ExpungeCommand): Promise<Completion> {
  const sel = ctx.selected!;
  if (sel.readOnly) return no('The mailbox is read-only (EXAMINE)', 'READ-ONLY');
  let uids = sel.view.allUids.filter((uid) => sel.view.hasFlag(uid, '\\Deleted'));
  if (cmd.uid) {
    const named = new Set(resolveSet(sel, cmd.sequenceSet, true));
    uids = uids.filter((u) => named.has(u));
  }
  if (uids.length > 0) await ctx.deps.mailboxes.expunge(sel.mailbox.id, toUidSet(uids));
  await ctx.sendUpdates({ expunges: true });
  return ok('EXPUNGE completed');
}
