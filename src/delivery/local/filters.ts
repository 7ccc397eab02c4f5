/**
 * Runs a user's inbox filters (来信分类, manual part 2 §1.17.6) against one message and says where it
 * goes: folder, flags, discard, extra forward targets. Pure: the local transport applies the outcome.
 * Filters run in order, disabled ones are skipped; every action of a matching filter applies, and
 * "stop" skips the filters after it. A later "move" replaces an earlier one; "delete" discards the
 * local copy and wins over "move", but forwards still go. Text tests are case-insensitive after
 * NFKC (full-width ＡＢＣ = abc) and work on code points, so '发票' is found in '关于发票的通知'.
 * "matches" is a glob (* and ?), never a user regex: no ReDoS, linear-ish in the input.
 * Field "tag" tests the sub-address the mail came to (bob+news@ → "news"; delivery.recipientDelimiter).
 */
import addressparser from 'nodemailer/lib/addressparser';
import type { Filter, FilterAction, FilterCondition } from './user-rules.ts';

/** The parts of a message filters look at. Header values are unfolded and decoded (RFC 2047). */
export interface FilterMessage {
  from: string;
  to: string;
  cc: string;
  subject: string;
  /** Bytes of the raw message. */
  size: number;
  /** Every value of the named header (asked with a lower-case name); [] when absent. */
  header(name: string): string[];
  /** The sub-address tag of the recipient (user+tag@domain → 'tag'); absent when it came without one. */
  tag?: string;
}

export interface FilterOutcome {
  /** Folder to file into; undefined means INBOX. Never set when discard is true. */
  folder?: string;
  /** IMAP system flags to set: '\\Seen', '\\Flagged'. */
  flags: string[];
  /** No local copy (a "delete" action matched). */
  discard: boolean;
  /** Addresses filters asked to forward to, de-duplicated, in order of first mention. */
  forwardTo: string[];
  /** Names of the filters that matched, for the delivery log. */
  matched: string[];
}

const FLAG_OF: Partial<Record<FilterAction['kind'], string>> = { 'mark-read': '\\Seen', flag: '\\Flagged' };

export function evaluateFilters(filters: readonly Filter[], msg: FilterMessage): FilterOutcome {
  const out: FilterOutcome = { flags: [], discard: false, forwardTo: [], matched: [] };
  for (const filter of filters) {
    if (!filter.enabled || !matchesFilter(filter, msg)) continue;
    out.matched.push(filter.name);
    let stop = false;
    for (const action of filter.actions) {
      switch (action.kind) {
        case 'move': out.folder = action.folder; break;
        case 'mark-read':
        case 'flag': addOnce(out.flags, FLAG_OF[action.kind]!); break;
        case 'delete': out.discard = true; break;
        case 'forward': for (const to of action.to) addOnce(out.forwardTo, to); break;
        case 'stop': stop = true; break;
      }
    }
    if (stop) break;
  }
  if (out.discard) delete out.folder;
  return out;
}

/** Whether the filter's conditions hold ("all" or "any"). */
export function matchesFilter(filter: Pick<Filter, 'match' | 'conditions'>, msg: FilterMessage): boolean {
  return filter.match === 'any'
    ? filter.conditions.some((c) => matchesCondition(c, msg))
    : filter.conditions.every((c) => matchesCondition(c, msg));
}

export function matchesCondition(c: FilterCondition, msg: FilterMessage): boolean {
  if (c.field === 'size') {
    const limit = Number(c.value);
    return c.op === 'greater-than' ? msg.size > limit : c.op === 'less-than' ? msg.size < limit : false;
  }
  const want = fold(String(c.value));
  const values = candidatesOf(c, msg);
  // Negative test: none of the values contains it (an absent header contains nothing).
  if (c.op === 'not-contains') return !values.some((v) => v.includes(want));
  return values.some((v) => testText(c.op, v, want));
}

function testText(op: FilterCondition['op'], have: string, want: string): boolean {
  switch (op) {
    case 'contains': return have.includes(want);
    case 'equals': return have === want;
    case 'starts-with': return have.startsWith(want);
    case 'ends-with': return have.endsWith(want);
    case 'matches': return globMatch(want, have);
    default: return false;
  }
}

/**
 * The folded strings a condition is tested against. For address fields that is the whole header
 * and also each address and display name in it, so `from equals boss@x.cn` holds for
 * `"Boss" <boss@x.cn>` and `to ends-with @x.cn` holds when any recipient is at x.cn.
 */
function candidatesOf(c: FilterCondition, msg: FilterMessage): string[] {
  switch (c.field) {
    case 'subject': return [fold(msg.subject)];
    case 'header': return msg.header((c.header ?? '').toLowerCase()).map(fold);
    case 'tag': return msg.tag === undefined ? [] : [fold(msg.tag)];
    case 'from': case 'to': case 'cc': {
      const whole = msg[c.field];
      const out = [fold(whole)];
      for (const a of addressparser(whole, { flatten: true })) {
        if (a.address) out.push(fold(a.address));
        if (a.name) out.push(fold(a.name));
      }
      return out;
    }
    default: return [];
  }
}

/** Case-insensitive, width-insensitive comparison form: NFKC, lower case, white space collapsed. */
export function fold(s: string): string {
  return s.normalize('NFKC').toLowerCase().replace(/\s+/gu, ' ').trim();
}

/**
 * Glob over code points: `*` any run (also empty), `?` exactly one character, the rest literal.
 * Greedy with one backtrack point (the last `*`), so it is O(pattern × text) at worst.
 */
export function globMatch(pattern: string, text: string): boolean {
  const p = Array.from(pattern);
  const t = Array.from(text);
  let pi = 0;
  let ti = 0;
  let star = -1;
  let mark = 0;
  while (ti < t.length) {
    if (pi < p.length && (p[pi] === '?' || (p[pi] !== '*' && p[pi] === t[ti]))) {
      pi++;
      ti++;
    } else if (pi < p.length && p[pi] === '*') {
      star = pi++;
      mark = ti;
    } else if (star >= 0) {
      pi = star + 1;
      ti = ++mark;
    } else {
      return false;
    }
  }
  while (pi < p.length && p[pi] === '*') pi++;
  return pi === p.length;
}

function addOnce(list: string[], item: string): void {
  if (!list.includes(item)) list.push(item);
}
