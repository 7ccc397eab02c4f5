/**
 * Evaluates a SEARCH key tree (RFC 3501 §6.4.4, RFC 7162 MODSEQ, RFC 5032 OLDER/YOUNGER) over the
 * selected mailbox as sets of UIDs. Each key reads as little as it can: flags, sequence numbers,
 * UIDs and modseqs come from the session's view; sizes and dates from message rows (read once per
 * search); BODY and TEXT from the store's full-text index (Chinese words included, DESIGN §3), with
 * the few messages the indexer has not reached yet scanned directly; header keys match substrings of
 * the decoded field (SUBJECT from the stored subject; the index only ever narrows), so "SUBJECT x"
 * never matches x in From and results do not change when indexing finishes.
 */
import { decodeHeaderText, parseMimeTree } from '../../mime/mime-tree.ts';
import { writtenDay } from '../../mime/date.ts';
import { scanHeaderBlock } from '../../mime/header-block.ts';
import { searchableText, segmentWords } from '../../mime/search-text.ts';
import type { FulltextField, Message } from '../../store/store.ts';
import type { ImapContext, SelectedMailbox } from '../context.ts';
import type { SearchKey } from '../protocol/parse-search.ts';
import { RECENT } from '../protocol/flags.ts';
import { normalizeSequenceSet } from '../protocol/sequence-set.ts';
import { toRanges } from './uids.ts';
import { CACHED_FIELDS } from '../summary-cache.ts';

export class SearchEvaluator {
  private rows: Map<number, Message> | undefined;
  private readonly bytes = new Map<number, Buffer>();
  private unindexed: Set<number> | undefined;
  /** Whether a MODSEQ key was used (the response then carries (MODSEQ n), RFC 7162 §3.1.5). */
  usedModseq = false;
  highestModseqFound = 0;

  constructor(private readonly ctx: ImapContext, private readonly sel: SelectedMailbox, private readonly now: number) {}

  /** The UIDs matching key, ascending. */
  async run(key: SearchKey): Promise<number[]> {
    if (key.type === 'all') return this.sel.view.allUids.slice(); // already ascending
    const all = new Set(this.sel.view.allUids);
    const result = await this.eval(key, all);
    const uids = [...result].sort((a, b) => a - b);
    if (this.usedModseq) for (const u of uids) this.highestModseqFound = Math.max(this.highestModseqFound, this.sel.view.message(u)?.modseq ?? 0);
    return uids;
  }

  private async eval(key: SearchKey, within: Set<number>): Promise<Set<number>> {
    switch (key.type) {
      case 'all':
        return within;
      case 'and': {
        let set = within;
        // Cheap keys first, so the expensive ones look at fewer messages.
        for (const k of [...key.keys].sort((a, b) => cost(a) - cost(b))) {
          set = await this.eval(k, set);
          if (set.size === 0) break;
        }
        return set;
      }
      case 'or': {
        const left = await this.eval(key.left, within);
        const rest = new Set([...within].filter((u) => !left.has(u)));
        const right = await this.eval(key.right, rest);
        return new Set([...left, ...right]);
      }
      case 'not': {
        const inner = await this.eval(key.key, within);
        return new Set([...within].filter((u) => !inner.has(u)));
      }
      case 'flag':
        return this.filter(within, (u) => {
          const has = key.flag === RECENT ? this.sel.recent.has(u) : this.sel.view.hasFlag(u, key.flag);
          return has === key.set;
        });
      case 'seq': {
        const saved = toRanges(this.sel.saved.map((u) => this.sel.view.seqOf(u)).filter((s) => s > 0));
        const ranges = normalizeSequenceSet(key.set, this.sel.view.exists, saved);
        return this.filter(within, (u) => inRanges(ranges, this.sel.view.seqOf(u)));
      }
      case 'uid': {
        const ranges = normalizeSequenceSet(key.set, this.sel.view.maxUid, toRanges(this.sel.saved));
        return this.filter(within, (u) => inRanges(ranges, u));
      }
      case 'modseq':
        this.usedModseq = true;
        return this.filter(within, (u) => BigInt(this.sel.view.message(u)?.modseq ?? 0) >= key.modseq);
      case 'size': {
        const rows = await this.loadRows();
        return this.filter(within, (u) => {
          const s = rows.get(u)?.size ?? 0;
          return key.op === 'larger' ? s > key.size : s < key.size;
        });
      }
      case 'internaldate': {
        const rows = await this.loadRows();
        return this.filter(within, (u) => {
          const r = rows.get(u);
          return r !== undefined && compareDay(new Date(r.internalDate).toISOString().slice(0, 10), key.op, key.date);
        });
      }
      case 'sentdate': {
        const days = await this.sentDays(within);
        return this.filter(within, (u) => {
          const day = days.get(u);
          return day !== undefined && compareDay(day, key.op, key.date);
        });
      }
      case 'age': {
        const rows = await this.loadRows();
        return this.filter(within, (u) => {
          const r = rows.get(u);
          if (!r) return false;
          const age = (this.now - r.internalDate) / 1000;
          return key.op === 'older' ? age >= key.seconds : age <= key.seconds;
        });
      }
      case 'body':
      case 'text':
        return this.fulltext(key.type, key.value, within);
      case 'header':
        return this.header(key.field, key.value, within);
    }
  }

  /**
   * The day each message's Date header names, as written (RFC 3501 §6.4.4: time and zone are
   * ignored), from the header fields the node's summary cache keeps; the internal date when there
   * is no readable Date header.
   */
  private async sentDays(within: Set<number>): Promise<Map<number, string>> {
    const rows = await this.loadRows();
    const days = new Map<number, string>();
    for (const uid of within) {
      const r = rows.get(uid);
      if (!r) continue;
      const date = (await this.ctx.deps.summaries.fields(this.ctx.deps.mailboxes, r)).find((f) => f.key === 'date');
      const written = date ? writtenDay(date.raw.slice(date.raw.indexOf(':') + 1)) : undefined;
      days.set(uid, written ?? new Date(r.internalDate).toISOString().slice(0, 10));
    }
    return days;
  }

  private filter(within: Set<number>, pred: (uid: number) => boolean): Set<number> {
    const out = new Set<number>();
    for (const u of within) if (pred(u)) out.add(u);
    return out;
  }

  private async loadRows(): Promise<Map<number, Message>> {
    this.rows ??= await this.ctx.deps.summaries.rows(this.ctx.deps.mailboxes, this.sel.mailbox.id, this.sel.view.maxUid);
    return this.rows;
  }

  private async raw(uid: number): Promise<Buffer | undefined> {
    const cached = this.bytes.get(uid);
    if (cached) return cached;
    const row = (await this.loadRows()).get(uid);
    if (!row) return undefined;
    const bytes = await this.ctx.deps.mailboxes.readMessage(row);
    if (this.bytes.size < 256) this.bytes.set(uid, bytes);
    return bytes;
  }

  /** Index lookup for BODY/TEXT (or to narrow a header key), plus a direct scan of unindexed messages. */
  private async indexed(field: FulltextField, value: string, within: Set<number>): Promise<{ hits: Set<number>; scan: number[] } | undefined> {
    const words = segmentWords(value);
    if (words.length === 0) return undefined;
    const r = await this.ctx.deps.mailboxes.searchText(this.sel.mailbox.id, [{ field, words }]);
    this.unindexed ??= new Set(r.unindexed);
    const hits = new Set(r.uids.filter((u) => within.has(u)));
    const scan = [...within].filter((u) => this.unindexed!.has(u) && !hits.has(u));
    return { hits, scan };
  }

  private async fulltext(type: 'body' | 'text', value: string, within: Set<number>): Promise<Set<number>> {
    const found = await this.indexed(type === 'body' ? 'body' : 'text', value, within);
    const needle = value.normalize('NFKC').toLowerCase();
    const scan = found ? found.scan : [...within];
    const hits = found ? found.hits : new Set<number>();
    for (const uid of scan) {
      const bytes = await this.raw(uid);
      if (!bytes) continue;
      const text = searchableText(bytes, parseMimeTree(bytes));
      const hay = (type === 'body' ? text.body : `${text.headers}\n${text.body}`).normalize('NFKC').toLowerCase();
      if (hay.includes(needle)) hits.add(uid);
    }
    return hits;
  }

  /**
   * Header keys match substrings of the decoded field (RFC 3501 §6.4.4), so the word index may only
   * narrow the candidates by the needle's interior words (whole words in any match), never decide.
   * SUBJECT is answered from the stored, decoded subject of each message unless it was cut.
   */
  private async header(field: string, value: string, within: Set<number>): Promise<Set<number>> {
    const needle = searchForm(value);
    const name = field.toLowerCase();
    const rows = await this.loadRows();
    const cache = this.ctx.deps.summaries;
    const out = new Set<number>();
    let candidates: Iterable<number> = within;
    if (name === 'subject') {
      const unsure: number[] = [];
      for (const uid of within) {
        const row = rows.get(uid);
        if (!row) continue;
        const subject = row.subject ?? '';
        if (subject.length >= SUMMARY_SUBJECT_CHARS && subject.endsWith('…')) {
          unsure.push(uid);
          continue;
        }
        // The search form of a blob's stored subject never changes: computed once per blob.
        let form = cache.peek<string>(SUBJECT_FORM, row.blobId);
        if (form === undefined) form = await cache.memo(SUBJECT_FORM, row.blobId, async () => searchForm(subject));
        if (form.includes(needle)) out.add(uid);
      }
      candidates = unsure;
    } else {
      const interior = interiorWords(value);
      if (interior.length > 0) {
        const found = await this.indexed('headers', interior.join(' '), within);
        if (found) candidates = [...found.hits, ...found.scan];
      }
    }
    if (CACHED_FIELDS.has(name)) {
      // The search form of each occurrence of a cached field, joined by NUL (no needle holds one),
      // null when the message has no such field: once per blob, then read back without a promise.
      const kind = `search:${name}`;
      const later: Message[] = [];
      const laterUids: number[] = [];
      for (const uid of candidates) {
        const row = rows.get(uid);
        if (!row) continue;
        const hay = cache.peek<string | null>(kind, row.blobId);
        if (hay === undefined) {
          later.push(row);
          laterUids.push(uid);
        } else if (hay !== null && hay.includes(needle)) out.add(uid);
      }
      for (let i = 0; i < later.length; i++) {
        const row = later[i]!;
        const hay = await cache.memo(kind, row.blobId, async () => {
          const texts = (await cache.fields(this.ctx.deps.mailboxes, row)).filter((f) => f.key === name).map((f) => fieldForm(f.raw));
          return texts.length === 0 ? null : texts.join('\0');
        });
        if (hay !== null && hay.includes(needle)) out.add(laterUids[i]!);
      }
      return out;
    }
    for (const uid of candidates) {
      const row = rows.get(uid);
      if (!row) continue;
      const bytes = await this.ctx.deps.mailboxes.readHead(row);
      const texts = scanHeaderBlock(bytes).fields.filter((f) => f.key === name).map((f) => bytes.toString('latin1', f.start, f.end));
      if (texts.some((raw) => fieldForm(raw).includes(needle))) out.add(uid);
    }
    return out;
  }
}

/** A header field (name, colon, value, as bytes) in the form header keys compare: decoded, unfolded, searchForm of the value. */
function fieldForm(raw: string): string {
  const text = decodeHeaderText(raw).replace(/\r?\n(?=[ \t])/g, '');
  return searchForm(text.slice(text.indexOf(':') + 1));
}

/** The memo kind (summary-cache.ts) of a stored subject's search form. */
const SUBJECT_FORM = 'search:stored-subject';

/** Longest stored subject (mime/summary.ts); a longer one was cut and ends in '…'. */
const SUMMARY_SUBJECT_CHARS = 2000;

/** How a header value and a needle are compared: NFKC, lower case, runs of white space as one space, trimmed. */
const searchForm = (s: string): string => s.normalize('NFKC').toLowerCase().replace(/\s+/g, ' ').trim();

/**
 * The words of a needle that any match must hold whole: all but the first and last (which may be
 * parts of longer words). Only for spaced scripts: a CJK needle's words need not be the text's words.
 */
function interiorWords(value: string): string[] {
  if (/[\u2e80-\u9fff\uac00-\ud7af\u3040-\u30ff\u0e00-\u0e7f]/.test(value)) return [];
  return segmentWords(value).slice(1, -1);
}

const compareDay = (day: string, op: 'on' | 'before' | 'since', date: string): boolean =>
  op === 'on' ? day === date : op === 'before' ? day < date : day >= date;

function inRanges(ranges: ReadonlyArray<readonly [number, number]>, n: number): boolean {
  for (const [a, b] of ranges) if (n >= a && n <= b) return true;
  return false;
}

/** Rough cost of a key, to order an AND. */
function cost(key: SearchKey): number {
  switch (key.type) {
    case 'flag': case 'seq': case 'uid': case 'modseq': case 'all': return 0;
    case 'size': case 'internaldate': case 'sentdate': case 'age': return 1;
    case 'body': case 'text': return 2;
    case 'header': return 3;
    default: return 4;
  }
}
