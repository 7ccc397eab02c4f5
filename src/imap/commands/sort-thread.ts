/**
 * SORT and THREAD (RFC 5256) over a SEARCH result, with DISPLAYFROM/DISPLAYTO (SORT=DISPLAY, RFC
 * 5957) and ESORT RETURN options (RFC 5267 §3: esearch.ts answers). Sort keys (sort-keys.ts) come from the stored summary or the header:
 * base subject per RFC 5256 §2.1, first address's mailbox, Date with INTERNALDATE as fallback, all
 * compared with i;ascii-casemap; ties go by sequence number. Threads are built by threading.ts.
 */
import { decodeHeaderText } from '../../mime/mime-tree.ts';
import { decodeHeaderBytes, headerValue, type ParsedHeader } from '../../mime/header-block.ts';
import { messageIds, parseMailDate } from '../../mime/summary.ts';
import type { Message } from '../../store/store.ts';
import { no, ok, type Completion, type ImapContext } from '../context.ts';
import type { SortCommand, ThreadCommand } from '../protocol/command.ts';
import type { SortCriterion } from '../protocol/parse-search.ts';
import { atom, untaggedData } from '../protocol/serializer.ts';
import { addressKey, baseSubject, casemap, displayKey } from './sort-keys.ts';
import { threadOrderedSubject, threadReferences, type ThreadNode } from './threading.ts';
import { writeEsearch } from './esearch.ts';
import { SearchEvaluator } from './search-eval.ts';
import { toUidSet } from './uids.ts';

interface Info {
  uid: number;
  seq: number;
  row: Message;
  /** Parsed only when a key needs more than the stored summary (FROM/TO/CC, THREAD). */
  headers: ParsedHeader[];
}

const SUMMARY_KEYS = new Set<SortCriterion['key']>(['ARRIVAL', 'DATE', 'SIZE', 'SUBJECT']);

async function load(ctx: ImapContext, uids: number[], needHeaders: boolean): Promise<Info[]> {
  const sel = ctx.selected!;
  const rows = await ctx.deps.summaries.rows(ctx.deps.mailboxes, sel.mailbox.id, sel.view.maxUid);
  const out: Info[] = [];
  for (const uid of uids) {
    const row = rows.get(uid);
    if (!row) continue;
    const headers = needHeaders ? await headersOf(ctx, row) : [];
    out.push({ uid, seq: sel.view.seqOf(uid), row, headers });
  }
  return out;
}

/** The cached header fields of a message (summary-cache.ts CACHED_FIELDS) as parsed header lines. */
async function headersOf(ctx: ImapContext, row: Message): Promise<ParsedHeader[]> {
  return (await ctx.deps.summaries.fields(ctx.deps.mailboxes, row)).map((f) => ({
    key: f.key,
    line: decodeHeaderBytes(Buffer.from(f.raw, 'latin1')).replace(/\r?\n(?=[ \t])/g, '').replace(/\r?\n$/, ''),
  }));
}

const decoded = (h: ParsedHeader[], key: string) => {
  const v = headerValue(h, key);
  return v === undefined ? '' : decodeHeaderText(Buffer.from(v, 'utf8').toString('latin1'));
};

function sortValue(info: Info, key: SortCriterion['key']): string | number {
  switch (key) {
    case 'ARRIVAL': return info.row.internalDate;
    case 'DATE': return info.row.sentAt ?? info.row.internalDate;
    case 'SIZE': return info.row.size;
    case 'SUBJECT': return casemap(baseSubject(info.row.subject));
    case 'FROM': return casemap(addressKey(decoded(info.headers, 'from')));
    case 'TO': return casemap(addressKey(decoded(info.headers, 'to')));
    case 'CC': return casemap(addressKey(decoded(info.headers, 'cc')));
    case 'DISPLAYFROM': return casemap(displayKey(decoded(info.headers, 'from')));
    case 'DISPLAYTO': return casemap(displayKey(decoded(info.headers, 'to')));
  }
}

/** The UIDs in SORT order (RFC 5256 §3): each criterion in turn, ties by sequence number. */
export async function sortUids(ctx: ImapContext, uids: number[], criteria: readonly SortCriterion[]): Promise<number[]> {
  const infos = await load(ctx, uids, criteria.some((c) => !SUMMARY_KEYS.has(c.key)));
  const keyed = infos.map((i) => ({ i, v: criteria.map((c) => sortValue(i, c.key)) }));
  keyed.sort((a, b) => {
    for (let k = 0; k < criteria.length; k++) {
      const x = a.v[k]!;
      const y = b.v[k]!;
      const d = x < y ? -1 : x > y ? 1 : 0;
      if (d !== 0) return criteria[k]!.reverse ? -d : d;
    }
    return a.i.seq - b.i.seq;
  });
  return keyed.map((k) => k.i.uid);
}

export async function sort(ctx: ImapContext, cmd: SortCommand): Promise<Completion> {
  const sel = ctx.selected!;
  const evaluator = new SearchEvaluator(ctx, sel, Date.now());
  const uids = await sortUids(ctx, await evaluator.run(cmd.search), cmd.criteria);
  if (cmd.returnOptions !== undefined) {
    writeEsearch(ctx, {
      tag: cmd.tag, uid: cmd.uid, options: cmd.returnOptions, partial: cmd.partial, uids, ordered: true,
      highestModseq: evaluator.usedModseq ? evaluator.highestModseqFound : undefined,
      update: { criteria: cmd.search, sort: cmd.criteria },
    });
    return ok('SORT completed');
  }
  ctx.write(untaggedData([atom('SORT'), ...uids.map((u) => (cmd.uid ? u : sel.view.seqOf(u)))]));
  return ok('SORT completed');
}

export async function thread(ctx: ImapContext, cmd: ThreadCommand): Promise<Completion> {
  if (cmd.algorithm !== 'ORDEREDSUBJECT' && cmd.algorithm !== 'REFERENCES') return no(`Unknown threading algorithm ${cmd.algorithm}`);
  const sel = ctx.selected!;
  const infos = await load(ctx, await new SearchEvaluator(ctx, sel, Date.now()).run(cmd.search), false);
  // What threading needs of a message depends on its bytes only: computed once per blob.
  const inputs = await Promise.all(infos.map(async (i) => {
    const fields = await ctx.deps.summaries.memo('thread', i.row.blobId, async () => {
      const headers = await headersOf(ctx, i.row);
      const refs = messageIds(headerValue(headers, 'references'));
      return {
        messageId: messageIds(headerValue(headers, 'message-id'))[0] ?? '',
        // RFC 5256 §4 (1): References, or without it the first message id of In-Reply-To.
        references: refs.length > 0 ? refs : messageIds(headerValue(headers, 'in-reply-to')).slice(0, 1),
        subject: decoded(headers, 'subject'),
        date: parseMailDate(headerValue(headers, 'date')),
      };
    });
    return { info: i, seq: i.seq, ...fields, date: fields.date ?? i.row.internalDate };
  }));
  const roots = cmd.algorithm === 'ORDEREDSUBJECT' ? threadOrderedSubject(inputs) : threadReferences(inputs);
  const id = (n: ThreadNode<(typeof inputs)[number]>) => (cmd.uid ? n.message!.info.uid : n.message!.seq);
  const format = (n: ThreadNode<(typeof inputs)[number]>): string => {
    if (!n.message) return n.children.map((c) => `(${format(c)})`).join('');
    if (n.children.length === 0) return String(id(n));
    if (n.children.length === 1) return `${id(n)} ${format(n.children[0]!)}`;
    return `${id(n)} ${n.children.map((c) => `(${format(c)})`).join('')}`;
  };
  const text = roots.map((r) => `(${format(r)})`).join('');
  ctx.write(Buffer.from(`* THREAD${text ? ` ${text}` : ''}\r\n`));
  return ok('THREAD completed');
}
