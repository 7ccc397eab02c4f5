/**
 * Sequence sets (RFC 3501 §9 sequence-set: "1:*", "3,5:7", "*:4") kept as written: ranges whose ends are
 * numbers or "*" (the largest number in use), plus "$", the saved SEARCH result (RFC 5182). normalize()
 * turns one into sorted, merged [lo, hi] ranges once the mailbox size is known; it never expands ranges
 * into arrays, so "1:4294967295" costs nothing. Whether a number is a sequence number or a UID is the
 * command's business (mailbox-view.ts), not this file's.
 */
import type { Cursor } from './cursor.ts';

export type SeqNumber = number | '*';
export interface SeqRange {
  from: SeqNumber;
  to: SeqNumber;
}
export interface SequenceSet {
  ranges: SeqRange[];
  /** "$" appeared: the result saved by SEARCH RETURN (SAVE) is part of the set. */
  saved: boolean;
}

const SEQ_CHARS = new Uint8Array(256).map((_, c) => (c >= 0x30 && c <= 0x39) || c === 0x3a || c === 0x2a || c === 0x2c || c === 0x24 ? 1 : 0);
const MAX = 0xffffffff;

/** Parses a sequence-set at the cursor. `allowStar: false` for known-uids (RFC 7162 §3.2.5.2). */
export function parseSequenceSet(c: Cursor, options: { allowStar?: boolean; allowSaved?: boolean } = {}): SequenceSet {
  const text = c.readRun(SEQ_CHARS);
  if (text.length === 0) c.fail(`Expected a sequence set at ${c.near()}`);
  const result = readSequenceSet(text, options.allowStar ?? true, options.allowSaved ?? true);
  if (typeof result === 'string') c.fail(result);
  return result;
}

/** Parses sequence-set text; returns an error message instead of throwing. */
export function readSequenceSet(text: string, allowStar = true, allowSaved = true): SequenceSet | string {
  const set: SequenceSet = { ranges: [], saved: false };
  for (const item of text.split(',')) {
    if (item === '$') {
      if (!allowSaved) return 'The saved result "$" is not allowed here';
      set.saved = true;
      continue;
    }
    const ends = item.split(':');
    if (ends.length > 2) return `Invalid sequence range "${item.slice(0, 24)}"`;
    const from = seqNumber(ends[0] ?? '', allowStar);
    const to = ends.length === 2 ? seqNumber(ends[1] ?? '', allowStar) : from;
    if (from === undefined || to === undefined) return `Invalid sequence set "${text.slice(0, 24)}"`;
    set.ranges.push({ from, to });
  }
  return set;
}

function seqNumber(s: string, allowStar: boolean): SeqNumber | undefined {
  if (s === '*') return allowStar ? '*' : undefined;
  if (!/^[1-9][0-9]{0,9}$/.test(s)) return undefined;
  const n = Number(s);
  return n <= MAX ? n : undefined;
}

/** Writes the set back in wire form ("1:*,$"). */
export function sequenceSetToString(set: SequenceSet): string {
  const items = set.ranges.map((r) => (r.from === r.to ? String(r.from) : `${r.from}:${r.to}`));
  if (set.saved) items.push('$');
  return items.join(',');
}

/**
 * Sorted, merged, inclusive [lo, hi] ranges with "*" replaced by `max` (the highest sequence number or
 * UID; "*" in an empty mailbox matches nothing). `saved` supplies the ranges "$" stands for.
 */
export function normalizeSequenceSet(set: SequenceSet, max: number, saved: ReadonlyArray<readonly [number, number]> = []): Array<[number, number]> {
  const raw: Array<[number, number]> = [];
  for (const r of set.ranges) {
    if ((r.from === '*' || r.to === '*') && max === 0) continue;
    const a = r.from === '*' ? max : r.from;
    const b = r.to === '*' ? max : r.to;
    raw.push(a <= b ? [a, b] : [b, a]);
  }
  if (set.saved) for (const [a, b] of saved) raw.push([a, b]);
  raw.sort((x, y) => x[0] - y[0]);
  const out: Array<[number, number]> = [];
  for (const [a, b] of raw) {
    const last = out[out.length - 1];
    if (last && a <= last[1] + 1) last[1] = Math.max(last[1], b);
    else out.push([a, b]);
  }
  return out;
}

/** Whether n is in the set, given the current `max` ("*"). */
export function sequenceSetIncludes(set: SequenceSet, n: number, max: number, saved: ReadonlyArray<readonly [number, number]> = []): boolean {
  return normalizeSequenceSet(set, max, saved).some(([a, b]) => n >= a && n <= b);
}
