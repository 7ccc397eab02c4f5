/**
 * SEARCH and UID SEARCH (RFC 3501 §6.4.4) with ESEARCH results (RFC 4731: RETURN MIN/MAX/COUNT/ALL),
 * SEARCHRES (RFC 5182: RETURN (SAVE) keeps the result for "$"), CONTEXT=SEARCH (RFC 5267: PARTIAL,
 * UPDATE) and CONDSTORE's (MODSEQ n). Once IMAP4rev2 is enabled every SEARCH answers with ESEARCH
 * (RFC 9051 §6.4.4, §7.3.4), ALL when no RETURN was given.
 */
import { ok, type Completion, type ImapContext } from '../context.ts';
import type { SearchCommand } from '../protocol/command.ts';
import { atom, numberList, untaggedData } from '../protocol/serializer.ts';
import { writeEsearch } from './esearch.ts';
import { SearchEvaluator } from './search-eval.ts';

export async function search(ctx: ImapContext, cmd: SearchCommand): Promise<Completion> {
  const sel = ctx.selected!;
  const evaluator = new SearchEvaluator(ctx, sel, Date.now());
  const uids = await evaluator.run(cmd.criteria);
  if (evaluator.usedModseq) ctx.enabled.add('CONDSTORE'); // SEARCH MODSEQ is CONDSTORE enabling (RFC 7162 §3.1)
  const options = cmd.returnOptions ?? (ctx.enabled.has('IMAP4REV2') ? ['ALL' as const] : undefined);
  if (options === undefined) {
    const numbers = cmd.uid ? uids : uids.map((u) => sel.view.seqOf(u)).sort((a, b) => a - b);
    if (evaluator.usedModseq && numbers.length > 0) ctx.write(untaggedData([atom('SEARCH'), ...numbers, [atom('MODSEQ'), evaluator.highestModseqFound]]));
    else ctx.write(Buffer.from(`* SEARCH${numberList(numbers)}\r\n`));
    return ok('SEARCH completed');
  }
  writeEsearch(ctx, {
    tag: cmd.tag, uid: cmd.uid, options, partial: cmd.partial, uids, ordered: false,
    highestModseq: evaluator.usedModseq ? evaluator.highestModseqFound : undefined,
    update: { criteria: cmd.criteria },
  });
  return ok('SEARCH completed');
}
