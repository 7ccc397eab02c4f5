/**
 * SEARCH and UID SEARCH (RFC 3501 §6.4.4) with ESEARCH results (RFC 4731: RETURN MIN/MAX/COUNT/ALL),
 * SEARCHRES (RFC 5182: RETURN (SAVE) keeps the result for "$") and CONDSTORE's (MODSEQ n).
 */
import { ok, type Completion, type ImapContext } from '../context.ts';
import type { SearchCommand } from '../protocol/command.ts';
import type { SearchReturnOption } from '../protocol/parse-search.ts';
import { atom, formatSequenceSet, untaggedData, type ImapValue } from '../protocol/serializer.ts';
import { SearchEvaluator } from './search-eval.ts';

export async function search(ctx: ImapContext, cmd: SearchCommand): Promise<Completion> {
  const sel = ctx.selected!;
  const evaluator = new SearchEvaluator(ctx, sel, Date.now());
  const uids = await evaluator.run(cmd.criteria);
  if (evaluator.usedModseq) ctx.enabled.add('CONDSTORE'); // SEARCH MODSEQ is CONDSTORE enabling (RFC 7162 §3.1)
  const numbers = cmd.uid ? uids : uids.map((u) => sel.view.seqOf(u)).sort((a, b) => a - b);
  if (cmd.returnOptions === undefined) {
    const values: ImapValue[] = [atom('SEARCH'), ...numbers];
    if (evaluator.usedModseq && numbers.length > 0) values.push([atom('MODSEQ'), evaluator.highestModseqFound]);
    ctx.write(untaggedData(values));
    return ok('SEARCH completed');
  }
  writeEsearch(ctx, cmd.tag, cmd.uid, cmd.returnOptions, uids, numbers, evaluator);
  return ok('SEARCH completed');
}

/** `* ESEARCH (TAG "t") [UID] MIN n MAX n COUNT n ALL set [MODSEQ n]`, and the SAVE side effect. */
export function writeEsearch(
  ctx: ImapContext, tag: string, uid: boolean, options: readonly SearchReturnOption[], uids: number[], numbers: number[],
  evaluator?: SearchEvaluator,
): void {
  const sel = ctx.selected!;
  const opts = options.length === 0 ? ['ALL'] : options;
  const asked = (o: string) => opts.includes(o as SearchReturnOption);
  if (asked('SAVE')) {
    // RFC 5182 §2.1: with MIN and/or MAX only, just those are saved.
    const onlyEnds = (asked('MIN') || asked('MAX')) && !asked('ALL') && !asked('COUNT');
    sel.saved = onlyEnds ? [...(asked('MIN') && uids.length ? [uids[0]!] : []), ...(asked('MAX') && uids.length ? [uids[uids.length - 1]!] : [])] : uids;
    if (opts.every((o) => o === 'SAVE')) return;
  }
  const values: ImapValue[] = [atom('ESEARCH'), [atom('TAG'), tag]];
  if (uid) values.push(atom('UID'));
  if (numbers.length > 0) {
    if (asked('MIN')) values.push(atom('MIN'), numbers[0]!);
    if (asked('MAX')) values.push(atom('MAX'), numbers[numbers.length - 1]!);
    if (asked('ALL')) values.push(atom('ALL'), atom(formatSequenceSet(numbers)));
  }
  if (asked('COUNT')) values.push(atom('COUNT'), numbers.length);
  if (evaluator?.usedModseq && numbers.length > 0) {
    // RFC 7162 §3.1.10: with MIN and/or MAX but neither ALL nor COUNT, the highest modseq of the messages returned.
    const ends = (asked('MIN') || asked('MAX')) && !asked('ALL') && !asked('COUNT');
    const modseqOf = (u: number) => sel.view.message(u)?.modseq ?? 0;
    const modseq = ends
      ? Math.max(asked('MIN') ? modseqOf(uids[0]!) : 0, asked('MAX') ? modseqOf(uids[uids.length - 1]!) : 0)
      : evaluator.highestModseqFound;
    values.push(atom('MODSEQ'), modseq);
  }
  ctx.write(untaggedData(values));
}
