/**
 * Turning what a command names into UIDs: sequence sets (by sequence number or UID, with "*" and
 * "$") against the session's view, and sorted UID lists into the store's UidSet ranges.
 */
import type { UidSet } from '../../store/store.ts';
import type { SelectedMailbox } from '../context.ts';
import { normalizeSequenceSet, type SequenceSet } from '../protocol/sequence-set.ts';

/** The view's UIDs the set names, ascending. UIDs not in the view are ignored (RFC 3501 §6.4.8). */
export function resolveSet(sel: SelectedMailbox, set: SequenceSet, byUid: boolean): number[] {
  const saved = byUid ? toRanges(sel.saved) : toRanges(sel.saved.map((u) => sel.view.seqOf(u)).filter((s) => s > 0));
  const max = byUid ? sel.view.maxUid : sel.view.exists;
  return sel.view.select(normalizeSequenceSet(set, max, saved), byUid);
}

/** Sorted numbers → merged inclusive ranges. */
export function toRanges(sorted: readonly number[]): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  for (const n of [...sorted].sort((a, b) => a - b)) {
    const last = out[out.length - 1];
    if (last && n <= last[1] + 1) last[1] = Math.max(last[1], n);
    else out.push([n, n]);
  }
  return out;
}

export function toUidSet(uids: readonly number[]): UidSet {
  return toRanges(uids).map(([from, to]) => ({ from, to }));
}
