/**
 * Updating searches (CONTEXT=SEARCH, CONTEXT=SORT; RFC 5267 §4.3): a SEARCH or SORT with RETURN
 * (UPDATE) stays live while its mailbox is selected. When the mailbox changes, each context is
 * evaluated again and the client told the difference: `* ESEARCH (TAG "t") [UID] REMOVEFROM (…)`
 * and `ADDTO (…)`. Removals of expunged messages go out before the EXPUNGE responses, while their
 * sequence numbers still hold (as Dovecot sends them). A SEARCH context reports position 0 with a
 * set; a SORT context one (position number) pair per message, removals from the last position
 * down and additions in their new order, so applying them in turn gives the new sorted result.
 * Cost: a context is evaluated again only when a sync brought changes, at most 10 per session
 * (esearch.ts MAX_CONTEXTS). CANCELUPDATE (§4.3.5) ends contexts; closing the mailbox ends all.
 */
import { no, ok, type Completion, type ImapContext, type SearchContext } from '../context.ts';
import type { CancelUpdateCommand } from '../protocol/command.ts';
import { atom, formatSequenceSet, untaggedData, type ImapValue } from '../protocol/serializer.ts';
import { SearchEvaluator } from './search-eval.ts';
import { sortUids } from './sort-thread.ts';

function write(ctx: ImapContext, c: SearchContext, item: 'ADDTO' | 'REMOVEFROM', pairs: ImapValue[]): void {
  const values: ImapValue[] = [atom('ESEARCH'), [atom('TAG'), c.tag]];
  if (c.uid) values.push(atom('UID'));
  values.push(atom(item), pairs);
  ctx.write(untaggedData(values));
}

/**
 * Before the EXPUNGE responses for these messages: REMOVEFROM in every context that holds them.
 * `seqs[i]` is the sequence number `uids[i]` had before the expunge.
 */
export function reportExpunged(ctx: ImapContext, uids: readonly number[], seqs: readonly number[]): void {
  const contexts = ctx.selected?.contexts;
  if (!contexts?.length || uids.length === 0) return;
  const seqOf = new Map(uids.map((u, i) => [u, seqs[i]!]));
  for (const c of contexts) {
    const gone = c.uids.filter((u) => seqOf.has(u));
    if (gone.length === 0) continue;
    const number = (u: number) => (c.uid ? u : seqOf.get(u)!);
    if (c.sort) {
      const pairs: ImapValue[] = [];
      for (let i = c.uids.length - 1; i >= 0; i--) if (seqOf.has(c.uids[i]!)) pairs.push(i + 1, number(c.uids[i]!));
      write(ctx, c, 'REMOVEFROM', pairs);
    } else {
      write(ctx, c, 'REMOVEFROM', [0, atom(formatSequenceSet(gone.map(number)))]);
    }
    c.uids = c.uids.filter((u) => !seqOf.has(u));
  }
}

/** After a sync: each context evaluated again, and what left or joined its result reported. */
export async function refreshContexts(ctx: ImapContext): Promise<void> {
  const sel = ctx.selected;
  if (!sel?.contexts?.length) return;
  for (const c of sel.contexts) {
    const matches = await new SearchEvaluator(ctx, sel, Date.now()).run(c.criteria);
    const now = c.sort ? await sortUids(ctx, matches, c.sort) : matches;
    const before = new Set(c.uids);
    const after = new Set(now);
    const number = (u: number) => (c.uid ? u : sel.view.seqOf(u));
    if (c.sort) {
      const removed: ImapValue[] = [];
      for (let i = c.uids.length - 1; i >= 0; i--) if (!after.has(c.uids[i]!)) removed.push(i + 1, number(c.uids[i]!));
      const added: ImapValue[] = [];
      now.forEach((u, i) => { if (!before.has(u)) added.push(i + 1, number(u)); });
      if (removed.length > 0) write(ctx, c, 'REMOVEFROM', removed);
      if (added.length > 0) write(ctx, c, 'ADDTO', added);
    } else {
      const removed = c.uids.filter((u) => !after.has(u));
      const added = now.filter((u) => !before.has(u));
      // Sequence numbers of messages no longer in the view cannot be named; their EXPUNGE said it.
      const removedNumbers = removed.map(number).filter((n) => n > 0);
      if (removedNumbers.length > 0) write(ctx, c, 'REMOVEFROM', [0, atom(formatSequenceSet(removedNumbers))]);
      if (added.length > 0) write(ctx, c, 'ADDTO', [0, atom(formatSequenceSet(added.map(number)))]);
    }
    c.uids = now;
  }
}

/** CANCELUPDATE "tag" … (RFC 5267 §4.3.5): NO when a tag names no updating search, as Dovecot answers. */
export function cancelUpdate(ctx: ImapContext, cmd: CancelUpdateCommand): Completion {
  const sel = ctx.selected!;
  const contexts = sel.contexts ?? [];
  const unknown = cmd.tags.filter((t) => !contexts.some((c) => c.tag === t));
  if (unknown.length > 0) return no(`Unknown update tag ${unknown[0]!.slice(0, 40)}`);
  sel.contexts = contexts.filter((c) => !cmd.tags.includes(c.tag));
  return ok('Updates cancelled');
}
