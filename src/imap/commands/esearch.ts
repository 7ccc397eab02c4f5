/**
 * The ESEARCH response (RFC 4731 §3.2) for SEARCH and SORT: MIN, MAX, ALL, COUNT, SAVE (RFC 5182),
 * PARTIAL (RFC 5267 §4.4, RFC 9394) and CONDSTORE's MODSEQ (RFC 7162 §3.1.10); for SORT (ESORT, RFC
 * 5267 §3) MIN and MAX are the first and last message in sort order and ALL keeps that order, its
 * ranges only ascending runs (§3.2), as Dovecot sends them. RETURN (UPDATE) registers the search as
 * a context that search-context.ts keeps up to date; it does not evaluate anything itself.
 */
import type { ImapContext } from '../context.ts';
import type { PartialWindow, SearchKey, SearchReturnOption, SortCriterion } from '../protocol/parse-search.ts';
import { atom, formatSequenceSet, untaggedData, type ImapValue } from '../protocol/serializer.ts';

/** RFC 5267 §4.3.1: a server may refuse to keep more contexts; Dovecot keeps 10 per session. */
export const MAX_CONTEXTS = 10;

export interface EsearchResult {
  tag: string;
  uid: boolean;
  options: readonly SearchReturnOption[];
  partial?: PartialWindow;
  /** The matching UIDs in result order: ascending for SEARCH, sort order for SORT. */
  uids: readonly number[];
  /** SORT: the result is ordered and ALL keeps the order. */
  ordered: boolean;
  /** Set when a MODSEQ search key was used: the highest modseq of all matches. */
  highestModseq?: number;
  /** What to keep for RETURN (UPDATE). */
  update?: { criteria: SearchKey; sort?: SortCriterion[] };
}

/** `* ESEARCH (TAG "t") [UID] MIN n MAX n ALL set PARTIAL (r set) COUNT n [MODSEQ n]`, SAVE and UPDATE. */
export function writeEsearch(ctx: ImapContext, r: EsearchResult): void {
  const sel = ctx.selected!;
  const asked = (o: SearchReturnOption) => r.options.includes(o);
  const ascending = r.ordered ? [...r.uids].sort((a, b) => a - b) : r.uids;
  if (asked('SAVE')) {
    // RFC 5182 §2.1: with MIN and/or MAX only, just those are saved.
    const onlyEnds = (asked('MIN') || asked('MAX')) && !asked('ALL') && !asked('COUNT');
    sel.saved = onlyEnds
      ? [...(asked('MIN') && r.uids.length ? [r.uids[0]!] : []), ...(asked('MAX') && r.uids.length ? [r.uids[r.uids.length - 1]!] : [])].sort((a, b) => a - b)
      : [...ascending];
  }
  if (asked('UPDATE') && r.update) {
    sel.contexts = (sel.contexts ?? []).filter((c) => c.tag !== r.tag);
    if (sel.contexts.length >= MAX_CONTEXTS) {
      ctx.write(untaggedData([atom('NO'), atom(`[NOUPDATE ${quote(r.tag)}]`), atom('Too many updating searches')]));
    } else {
      sel.contexts.push({ tag: r.tag, uid: r.uid, criteria: r.update.criteria, sort: r.update.sort, uids: [...r.uids] });
    }
  }
  if (r.options.every((o) => o === 'SAVE')) return;
  const number = (u: number) => (r.uid ? u : sel.view.seqOf(u));
  const numbers = r.uids.map(number);
  const values: ImapValue[] = [atom('ESEARCH'), [atom('TAG'), r.tag]];
  if (r.uid) values.push(atom('UID'));
  if (numbers.length > 0) {
    if (asked('MIN')) values.push(atom('MIN'), numbers[0]!);
    if (asked('MAX')) values.push(atom('MAX'), numbers[numbers.length - 1]!);
    if (asked('ALL')) values.push(atom('ALL'), atom(formatSequenceSet(numbers, r.ordered)));
  }
  if (r.partial) {
    const window = partialWindow(numbers, r.partial);
    values.push(atom('PARTIAL'), [atom(`${r.partial.first}:${r.partial.last}`), window.length > 0 ? atom(formatSequenceSet(window, r.ordered)) : null]);
  }
  if (asked('COUNT')) values.push(atom('COUNT'), numbers.length);
  if (r.highestModseq !== undefined && numbers.length > 0) {
    // RFC 7162 §3.1.10: with MIN and/or MAX but neither ALL nor COUNT, the highest modseq of the messages returned.
    const ends = (asked('MIN') || asked('MAX')) && !asked('ALL') && !asked('COUNT');
    const modseqOf = (u: number) => sel.view.message(u)?.modseq ?? 0;
    const modseq = ends
      ? Math.max(asked('MIN') ? modseqOf(r.uids[0]!) : 0, asked('MAX') ? modseqOf(r.uids[r.uids.length - 1]!) : 0)
      : r.highestModseq;
    values.push(atom('MODSEQ'), modseq);
  }
  ctx.write(untaggedData(values));
}

/** The part of the result a PARTIAL range names: 1-based positions, negative ones from the end. */
export function partialWindow<T>(result: readonly T[], p: PartialWindow): T[] {
  if (p.first > 0) return result.slice(p.first - 1, p.last);
  // -1 is the last message: -1:-3 are the last three, in result order.
  const from = Math.max(0, result.length + p.last);
  const to = result.length + p.first + 1;
  return to <= 0 ? [] : result.slice(from, to);
}

/** A quoted tag for response codes (tags are astring characters: only " and \ need escaping). */
export function quote(tag: string): string {
  return `"${tag.replace(/["\\]/g, (c) => `\\${c}`)}"`;
}
