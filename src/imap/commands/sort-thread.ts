/**
 * SORT and THREAD (RFC 5256) over a SEARCH result, with DISPLAYFROM/DISPLAYTO (RFC 5957) and ESORT
 * RETURN options (RFC 5267). Sort keys come from the header (base subject per RFC 5256 §2.1, first
 * address's mailbox, Date with INTERNALDATE as fallback); ties go by sequence number. THREAD
 * ORDEREDSUBJECT groups by base subject; THREAD REFERENCES links Message-ID/References/In-Reply-To
 * (parents from the last known reference), then joins roots of the same base subject, children by date.
 */
import { decodeHeaderText } from '../../mime/mime-tree.ts';
import { headerValue, parseHeaders, type ParsedHeader } from '../../mime/header-block.ts';
import { messageIds, parseMailDate } from '../../mime/summary.ts';
import type { Message } from '../../store/store.ts';
import { no, ok, type Completion, type ImapContext } from '../context.ts';
import type { SortCommand, ThreadCommand } from '../protocol/command.ts';
import type { SortCriterion } from '../protocol/parse-search.ts';
import { atom, untaggedData } from '../protocol/serializer.ts';
import { writeEsearch } from './search.ts';
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
  const out: Info[] = [];
  for (let i = 0; i < uids.length; i += 500) {
    const rows = await ctx.deps.mailboxes.messages(sel.mailbox.id, { uids: toUidSet(uids.slice(i, i + 500)) });
    for (const row of rows) {
      const headers = needHeaders ? parseHeaders(await ctx.deps.mailboxes.readMessage(row)).headers : [];
      out.push({ uid: row.uid, seq: sel.view.seqOf(row.uid), row, headers });
    }
  }
  return out;
}

const decoded = (h: ParsedHeader[], key: string) => {
  const v = headerValue(h, key);
  return v === undefined ? '' : decodeHeaderText(Buffer.from(v, 'utf8').toString('latin1'));
};

/** RFC 5256 §2.1 base subject: no Re:/Fwd:/[blob] prefixes, no (fwd) trailers, spaces collapsed. */
export function baseSubject(subject: string): string {
  let s = subject.replace(/\s+/g, ' ').trim();
  for (;;) {
    const before = s;
    s = s.replace(/\s*\(fwd\)$/i, '').trim();
    s = s.replace(/^((re|fwd?|回复|答复|转发)\s*(\[[^\]]*\])?\s*[:：]\s*)/i, '').trim();
    s = s.replace(/^\[[^\]]*\]\s*(?=\S)/, (m) => (s.length > m.length ? '' : m)).trim();
    if (/^\[fwd:.*\]$/i.test(s)) s = s.slice(5, -1).trim();
    if (s === before) break;
  }
  return s.toLowerCase();
}

/** The mailbox (local part) of the first address, or its display name for DISPLAY* keys. */
function firstAddress(value: string, display: boolean): string {
  const first = value.split(',')[0] ?? '';
  const angle = /^(.*)<([^>]*)>/.exec(first);
  if (display && angle && angle[1]!.trim() !== '') return angle[1]!.trim().replace(/^"|"$/g, '').toLowerCase();
  const addr = (angle ? angle[2]! : first).trim();
  return (display ? addr : addr.split('@')[0] ?? '').toLowerCase();
}

function sortValue(info: Info, key: SortCriterion['key']): string | number {
  switch (key) {
    case 'ARRIVAL': return info.row.internalDate;
    case 'DATE': return info.row.sentAt ?? info.row.internalDate;
    case 'SIZE': return info.row.size;
    case 'SUBJECT': return baseSubject(info.row.subject);
    case 'FROM': return firstAddress(decoded(info.headers, 'from'), false);
    case 'TO': return firstAddress(decoded(info.headers, 'to'), false);
    case 'CC': return firstAddress(decoded(info.headers, 'cc'), false);
    case 'DISPLAYFROM': return firstAddress(decoded(info.headers, 'from'), true);
    case 'DISPLAYTO': return firstAddress(decoded(info.headers, 'to'), true);
  }
}

export async function sort(ctx: ImapContext, cmd: SortCommand): Promise<Completion> {
  const sel = ctx.selected!;
  const evaluator = new SearchEvaluator(ctx, sel, Date.now());
  const infos = await load(ctx, await evaluator.run(cmd.search), cmd.criteria.some((c) => !SUMMARY_KEYS.has(c.key)));
  const keyed = infos.map((i) => ({ i, v: cmd.criteria.map((c) => sortValue(i, c.key)) }));
  keyed.sort((a, b) => {
    for (let k = 0; k < cmd.criteria.length; k++) {
      const x = a.v[k]!;
      const y = b.v[k]!;
      const d = x < y ? -1 : x > y ? 1 : 0;
      if (d !== 0) return cmd.criteria[k]!.reverse ? -d : d;
    }
    return a.i.seq - b.i.seq;
  });
  const numbers = keyed.map((k) => (cmd.uid ? k.i.uid : k.i.seq));
  if (cmd.returnOptions !== undefined) {
    writeEsearch(ctx, cmd.tag, cmd.uid, cmd.returnOptions, keyed.map((k) => k.i.uid).sort((a, b) => a - b), numbers, evaluator);
    return ok('SORT completed');
  }
  ctx.write(untaggedData([atom('SORT'), ...numbers]));
  return ok('SORT completed');
}

interface Node {
  info?: Info;
  children: Node[];
  date: number;
}

export async function thread(ctx: ImapContext, cmd: ThreadCommand): Promise<Completion> {
  if (cmd.algorithm !== 'ORDEREDSUBJECT' && cmd.algorithm !== 'REFERENCES') return no(`Unknown threading algorithm ${cmd.algorithm}`);
  const sel = ctx.selected!;
  const infos = await load(ctx, await new SearchEvaluator(ctx, sel, Date.now()).run(cmd.search), true);
  const dateOf = (i: Info) => parseMailDate(headerValue(i.headers, 'date')) ?? i.row.internalDate;
  const roots = cmd.algorithm === 'ORDEREDSUBJECT' ? orderedSubject(infos, dateOf) : references(infos, dateOf);
  const id = (n: Node) => (cmd.uid ? n.info!.uid : n.info!.seq);
  const format = (n: Node): string => {
    if (!n.info) return n.children.map((c) => `(${format(c)})`).join('');
    if (n.children.length === 0) return String(id(n));
    if (n.children.length === 1) return `${id(n)} ${format(n.children[0]!)}`;
    return `${id(n)} ${n.children.map((c) => `(${format(c)})`).join('')}`;
  };
  const text = roots.map((r) => `(${format(r)})`).join('');
  ctx.write(Buffer.from(`* THREAD${text ? ` ${text}` : ''}\r\n`));
  return ok('THREAD completed');
}

function orderedSubject(infos: Info[], dateOf: (i: Info) => number): Node[] {
  const groups = new Map<string, Info[]>();
  for (const i of infos) {
    const key = baseSubject(decoded(i.headers, 'subject'));
    groups.set(key, [...(groups.get(key) ?? []), i]);
  }
  const roots: Node[] = [];
  for (const list of groups.values()) {
    list.sort((a, b) => dateOf(a) - dateOf(b) || a.seq - b.seq);
    const [first, ...rest] = list;
    roots.push({ info: first, date: dateOf(first!), children: rest.map((i) => ({ info: i, children: [], date: dateOf(i) })) });
  }
  return roots.sort((a, b) => a.date - b.date || a.info!.seq - b.info!.seq);
}

function references(infos: Info[], dateOf: (i: Info) => number): Node[] {
  const byId = new Map<string, Node>();
  const nodes: Node[] = [];
  for (const i of infos) {
    const node: Node = { info: i, children: [], date: dateOf(i) };
    nodes.push(node);
    const mid = messageIds(headerValue(i.headers, 'message-id'))[0];
    if (mid && !byId.has(mid)) byId.set(mid, node);
  }
  const parentOf = new Map<Node, Node>();
  for (const node of nodes) {
    const h = node.info!.headers;
    const refs = [...messageIds(headerValue(h, 'references')), ...messageIds(headerValue(h, 'in-reply-to'))];
    for (let k = refs.length - 1; k >= 0; k--) {
      const parent = byId.get(refs[k]!);
      if (parent && parent !== node && !isAncestor(node, parent, parentOf)) {
        parentOf.set(node, parent);
        parent.children.push(node);
        break;
      }
    }
  }
  let roots = nodes.filter((n) => !parentOf.has(n));
  // Roots with the same base subject become one thread under the earliest (RFC 5256 §4 step 5).
  const bySubject = new Map<string, Node>();
  const merged: Node[] = [];
  for (const r of roots.sort((a, b) => a.date - b.date || a.info!.seq - b.info!.seq)) {
    const key = baseSubject(decoded(r.info!.headers, 'subject'));
    const first = key === '' ? undefined : bySubject.get(key);
    if (first) first.children.push(r);
    else {
      if (key !== '') bySubject.set(key, r);
      merged.push(r);
    }
  }
  roots = merged;
  const order = (n: Node) => {
    n.children.sort((a, b) => a.date - b.date || a.info!.seq - b.info!.seq);
    n.children.forEach(order);
  };
  roots.forEach(order);
  return roots;
}

function isAncestor(candidate: Node, of: Node, parentOf: Map<Node, Node>): boolean {
  for (let p: Node | undefined = of; p; p = parentOf.get(p)) if (p === candidate) return true;
  return false;
}
