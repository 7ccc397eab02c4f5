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
import { numberList } from '../protocol/serializer.ts';
import { addressKey, baseSubject, baseSubjectOf, casemap, displayKey } from './sort-keys.ts';
import { ReferenceThreads, threadOrderedSubject, type ThreadNode } from './threading.ts';
import { writeEsearch } from './esearch.ts';
import { SearchEvaluator } from './search-eval.ts';

interface Info {
  uid: number;
  seq: number;
  row: Message;
  /** Parsed only when a key needs more than the stored summary (FROM/TO/CC, THREAD). */
  headers: ParsedHeader[];
}

const SUMMARY_KEYS = new Set<SortCriterion['key']>(['ARRIVAL', 'DATE', 'SIZE', 'SUBJECT']);

const NO_HEADERS: ParsedHeader[] = [];

async function load(ctx: ImapContext, uids: number[], needHeaders: boolean): Promise<Info[]> {
  const sel = ctx.selected!;
  const rows = await ctx.deps.summaries.rows(ctx.deps.mailboxes, sel.mailbox.id, sel.view.maxUid);
  const out: Info[] = [];
  for (const uid of uids) {
    const row = rows.get(uid);
    if (!row) continue;
    const headers = needHeaders ? await headersOf(ctx, row) : NO_HEADERS;
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

/** A stored summary's value for a key the rows answer alone (SUMMARY_KEYS). */
function rowValue(row: Message, key: SortCriterion['key']): string | number {
  switch (key) {
    case 'ARRIVAL': return row.internalDate;
    case 'DATE': return row.sentAt ?? row.internalDate;
    case 'SIZE': return row.size;
    default: return casemap(baseSubject(row.subject));
  }
}

/**
 * SORT by keys the stored summaries answer alone: the mailbox's cached order of all its rows for
 * these criteria (summary-cache.ts order(), made once per criteria list and mailbox state),
 * filtered to the searched uids. Undefined when the mailbox's rows are not cached.
 */
async function sortBySummary(ctx: ImapContext, uids: number[], criteria: readonly SortCriterion[]): Promise<number[] | undefined> {
  const sel = ctx.selected!;
  const cache = ctx.deps.summaries;
  await cache.rows(ctx.deps.mailboxes, sel.mailbox.id, sel.view.maxUid);
  const signature = criteria.map((c) => `${c.reverse ? '-' : ''}${c.key}`).join(' ');
  const order = cache.order(sel.mailbox.id, signature, (a, b) => {
    for (const c of criteria) {
      const x = rowValue(a, c.key);
      const y = rowValue(b, c.key);
      const d = x < y ? -1 : x > y ? 1 : 0;
      if (d !== 0) return c.reverse ? -d : d;
    }
    return 0;
  });
  if (!order) return undefined;
  const wanted = new Uint8Array(sel.view.maxUid + 1);
  for (const u of uids) wanted[u] = 1;
  const out: number[] = [];
  for (const u of order) if (wanted[u] === 1) out.push(u);
  return out;
}

/** The UIDs in SORT order (RFC 5256 §3): each criterion in turn, ties by sequence number. */
export async function sortUids(ctx: ImapContext, uids: number[], criteria: readonly SortCriterion[]): Promise<number[]> {
  if (criteria.every((c) => SUMMARY_KEYS.has(c.key))) {
    const sorted = await sortBySummary(ctx, uids, criteria);
    if (sorted) return sorted;
  }
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
  ctx.write(Buffer.from(`* SORT${numberList(cmd.uid ? uids : uids.map((u) => sel.view.seqOf(u)))}\r\n`));
  return ok('SORT completed');
}

/** What THREAD needs of a message (RFC 5256 §4 (1), §2.1), from its cached header fields. */
interface ThreadFields {
  messageId: string;
  references: string[];
  subject: string;
  base: { base: string; reply: boolean; key: string };
  /** The Date header's time, null when missing or unreadable. */
  date: number | null;
}

async function threadFields(ctx: ImapContext, row: Message): Promise<ThreadFields> {
  const headers = await headersOf(ctx, row);
  const refs = messageIds(headerValue(headers, 'references'));
  const subject = decoded(headers, 'subject');
  const base = baseSubjectOf(subject);
  return {
    messageId: messageIds(headerValue(headers, 'message-id'))[0] ?? '',
    // RFC 5256 §4 (1): References, or without it the first message id of In-Reply-To.
    references: refs.length > 0 ? refs : messageIds(headerValue(headers, 'in-reply-to')).slice(0, 1),
    subject,
    base: { base: base.base, reply: base.reply, key: casemap(base.base) },
    date: parseMailDate(headerValue(headers, 'date')),
  };
}

/** What threading takes of a message: seq is its uid (a view's sequence order is its uid order). */
type ThreadMessage = Omit<ThreadFields, 'date'> & { seq: number; date: number };

/**
 * REFERENCES links kept for a mailbox (ReferenceThreads) and the uids fed to them, ascending: a
 * THREAD over those uids plus newer ones (new mail) adds only the newer ones.
 */
interface KeptReferences {
  threads: ReferenceThreads<ThreadMessage>;
  uids: number[];
}

interface ThreadResult {
  /** Nodes' messages are by uid (seq is the uid); no message: a dummy. */
  forest: ThreadNode<ThreadMessage>[];
  /** The forest's text by uid (UID THREAD), once made: the same uids again answer with it. */
  uidText?: string;
  kept?: KeptReferences;
}

export async function thread(ctx: ImapContext, cmd: ThreadCommand): Promise<Completion> {
  if (cmd.algorithm !== 'ORDEREDSUBJECT' && cmd.algorithm !== 'REFERENCES') return no(`Unknown threading algorithm ${cmd.algorithm}`);
  const sel = ctx.selected!;
  const cache = ctx.deps.summaries;
  const uids = await new SearchEvaluator(ctx, sel, Date.now()).run(cmd.search);
  await cache.rows(ctx.deps.mailboxes, sel.mailbox.id, sel.view.maxUid);
  // The forest depends only on which messages (uids) are threaded and their summaries, which never
  // change: the same uids again, with no message added to the mailbox since, give the same forest.
  const kind = `thread:${cmd.algorithm}`;
  const version = cache.version(sel.mailbox.id);
  let result = cache.result<ThreadResult>(sel.mailbox.id, kind, uids);
  if (!result) {
    const last = cmd.algorithm === 'REFERENCES' ? cache.lastResult<ThreadResult>(sel.mailbox.id, kind)?.kept : undefined;
    result = (last && await threadAdded(ctx, last, uids)) ?? await threadForest(ctx, uids, cmd.algorithm);
    cache.keepResult(sel.mailbox.id, kind, uids, version, result);
  }
  const text = cmd.uid ? (result.uidText ??= formatForest(result.forest, undefined)) : formatForest(result.forest, (uid) => sel.view.seqOf(uid));
  ctx.write(Buffer.from(`* THREAD${text ? ` ${text}` : ''}\r\n`, 'latin1'));
  return ok('THREAD completed');
}

/**
 * The text of the threads (RFC 5256 §4). By uid (`seqOf` undefined) the text of a node with
 * children is kept by identity: forests hand out the same nodes again, unchanged (ThreadNode), so
 * after new mail only the threads that changed are written anew.
 */
const keptText = new WeakMap<ThreadNode<ThreadMessage>, string>();

export function formatForest(forest: readonly ThreadNode<ThreadMessage>[], seqOf: ((uid: number) => number) | undefined): string {
  const id = (uid: number) => String(seqOf ? seqOf(uid) : uid);
  const text = (n: ThreadNode<ThreadMessage>): string => {
    const uid = n.message?.seq ?? 0;
    if (uid === 0) {
      let t = '';
      for (const c of n.children) t += '(' + format(c) + ')';
      return t;
    }
    if (n.children.length === 1) return id(uid) + ' ' + format(n.children[0]!);
    let t = id(uid) + ' ';
    for (const c of n.children) t += '(' + format(c) + ')';
    return t;
  };
  const format = (n: ThreadNode<ThreadMessage>): string => {
    if (n.children.length === 0) return n.message ? id(n.message.seq) : '';
    if (seqOf) return text(n);
    const node = n.same ?? n;
    let t = keptText.get(node);
    if (t === undefined) keptText.set(node, (t = text(node)));
    return t;
  };
  let out = '';
  for (const r of forest) out += '(' + format(r) + ')';
  return out;
}

/** The threading fields of the given uids' messages (uids without a row are left out). */
async function threadMessages(ctx: ImapContext, uids: readonly number[]): Promise<ThreadMessage[]> {
  const sel = ctx.selected!;
  const cache = ctx.deps.summaries;
  const rows = await cache.rows(ctx.deps.mailboxes, sel.mailbox.id, sel.view.maxUid);
  // What threading needs of a message depends on its bytes only: computed once per blob (and
  // read back without a promise per message once it is).
  const inputs: ThreadMessage[] = [];
  const add = (uid: number, row: Message, f: ThreadFields) => inputs.push({
    seq: uid, messageId: f.messageId, references: f.references, subject: f.subject, base: f.base, date: f.date ?? row.internalDate,
  });
  const missing: Array<[number, Message]> = [];
  for (const uid of uids) {
    const row = rows.get(uid);
    if (!row) continue;
    const f = cache.peek<ThreadFields>('thread', row.blobId);
    if (f) add(uid, row, f);
    else missing.push([uid, row]);
  }
  const computed = await Promise.all(missing.map(([, row]) => cache.memo('thread', row.blobId, () => threadFields(ctx, row))));
  missing.forEach(([uid, row], i) => add(uid, row, computed[i]!));
  if (missing.length > 0 && inputs.length > 1) inputs.sort((a, b) => a.seq - b.seq);
  return inputs;
}

const ascending = (uids: readonly number[]) => {
  for (let i = 1; i < uids.length; i++) if (uids[i - 1]! >= uids[i]!) return false;
  return true;
};

/** THREAD (RFC 5256 §3, §4) of the given uids, by uid; for REFERENCES, with its links kept. */
async function threadForest(ctx: ImapContext, uids: readonly number[], algorithm: 'ORDEREDSUBJECT' | 'REFERENCES'): Promise<ThreadResult> {
  const inputs = await threadMessages(ctx, uids);
  if (algorithm === 'ORDEREDSUBJECT') return { forest: threadOrderedSubject(inputs) };
  const threads = new ReferenceThreads<ThreadMessage>();
  threads.add(inputs);
  // Kept only when every uid had its message, so the kept uids are exactly the ones linked.
  const kept = inputs.length === uids.length && ascending(uids) ? { threads, uids: [...uids] } : undefined;
  return { forest: threads.forest(), kept };
}

/**
 * REFERENCES of `uids` from links kept for a prefix of them: the uids after that prefix (mail that
 * came since) are added to the kept links. Undefined when `uids` do not extend the kept ones
 * (a message expunged, another search) or a message is gone: the caller threads from scratch.
 */
async function threadAdded(ctx: ImapContext, kept: KeptReferences, uids: readonly number[]): Promise<ThreadResult | undefined> {
  const n = kept.uids.length;
  if (uids.length < n || !ascending(uids)) return undefined;
  for (let i = 0; i < n; i++) if (kept.uids[i] !== uids[i]) return undefined;
  const added = uids.slice(n);
  const inputs = await threadMessages(ctx, added);
  // Another session may have added to the same links meanwhile.
  if (inputs.length !== added.length || kept.uids.length !== n) return undefined;
  kept.threads.add(inputs);
  for (const u of added) kept.uids.push(u);
  return { forest: kept.threads.forest(), kept };
}
