/**
 * What one IMAP session believes about its selected mailbox (RFC 3501 §2.3.1, §7.4.1): the UIDs in
 * sequence order, their flags and modseqs, and how far it has been told (highestmodseq). The store
 * holds the truth; `sync()` folds the store's changes since then into the view and returns what
 * the client must be told — EXPUNGE sequence numbers (in the order to send them, each counted after
 * the ones before), FETCH FLAGS updates, and the new EXISTS count. The session decides when it may
 * send them (never an EXPUNGE during FETCH, STORE or SEARCH: RFC 3501 §7.4.1).
 *
 * Storage: a base of three parallel arrays (uids, modseqs, flags as space-joined strings) shared
 * with the node's snapshot of the mailbox (view-cache.ts) and never written, plus what this session
 * learnt since — new messages in tail arrays of its own, flag changes to base messages in a small
 * map. Sessions that select a large mailbox and idle thus share one copy of it; an expunge (rare)
 * gives the session arrays of its own, and `snapshot()` hands them to the cache to share again.
 */
import type { MessageChange, MessageIndex } from '../store/store.ts';

export interface SelectFacts {
  readonly keywords: readonly string[];
  readonly firstUnseen: number;
}

/** SELECT's facts of a shared base (MailboxView.selectFacts), by its flags column: never written once shared. */
const selectFactsOf = new WeakMap<readonly string[], SelectFacts>();

export interface ViewMessage {
  uid: number;
  flags: string[];
  modseq: number;
}

export interface SyncResult {
  /** Sequence numbers to send as `* n EXPUNGE`, in order (each after the previous ones took effect). */
  expunged: number[];
  /** UIDs expunged (for VANISHED under QRESYNC). */
  expungedUids: number[];
  /** Messages whose flags changed and that are still there: `* seq FETCH (FLAGS …)`. */
  flags: Array<{ seq: number; uid: number; flags: string[]; modseq: number }>;
  /** Set when the message count changed upward: `* n EXISTS`. */
  exists?: number;
}

const splitFlags = (text: string): string[] => (text === '' ? [] : text.split(' '));

/** Messages per block of serialized "FETCH (UID FLAGS)" lines (a power of two). */
export const LINE_BLOCK_SHIFT = 10;
export const LINE_BLOCK = 1 << LINE_BLOCK_SHIFT;

/**
 * "* seq FETCH (UID u FLAGS (…))" lines of whole blocks of a base, made once and shared by every
 * view on that base (a base is never written; its flags array names it): a client re-syncing flags
 * gets the unchanged blocks as they are, and only blocks with changes are serialized again.
 */
const baseLineBlocks = new WeakMap<readonly string[], Array<Buffer | undefined>>();

export class MailboxView {
  /** Shared, never written: a snapshot's arrays. */
  private base: MessageIndex;
  /** Messages after the base, this view's own. */
  private tail: MessageIndex = { uids: [], modseqs: [], flags: [] };
  /** Flags and modseq of base messages that changed since, by base index. */
  private changed = new Map<number, { flags: string; modseq: number }>();
  /** The blocks (index >> LINE_BLOCK_SHIFT) of the base that `changed` touches. */
  private changedBlocks = new Set<number>();
  highestmodseq: number;

  /** From a store index (uid order; shared, not copied), or from messages in any order (tests). */
  constructor(source: MessageIndex | readonly ViewMessage[], highestmodseq: number) {
    if (Array.isArray(source)) {
      const sorted = [...(source as readonly ViewMessage[])].sort((a, b) => a.uid - b.uid);
      this.base = { uids: sorted.map((m) => m.uid), modseqs: sorted.map((m) => m.modseq), flags: sorted.map((m) => m.flags.join(' ')) };
    } else {
      this.base = source as MessageIndex;
    }
    this.highestmodseq = highestmodseq;
  }

  /**
   * The view's state as one index, for the shared cache; the view then shares it as its base
   * (neither writes it again).
   */
  snapshot(): MessageIndex {
    if (this.tail.uids.length === 0 && this.changed.size === 0) return this.base;
    this.base = { uids: this.allUids as number[], modseqs: this.column('modseqs'), flags: this.column('flags') }; // uids: never written
    this.tail = { uids: [], modseqs: [], flags: [] };
    this.changed.clear();
    this.changedBlocks.clear();
    return this.base;
  }

  get exists(): number {
    return this.base.uids.length + this.tail.uids.length;
  }

  private uidAt(i: number): number {
    const n = this.base.uids.length;
    return i < n ? this.base.uids[i]! : this.tail.uids[i - n]!;
  }

  private flagsAt(i: number): string {
    const n = this.base.uids.length;
    if (i >= n) return this.tail.flags[i - n] ?? '';
    return this.changed.get(i)?.flags ?? this.base.flags[i]!;
  }

  private modseqAtIndex(i: number): number {
    const n = this.base.uids.length;
    if (i >= n) return this.tail.modseqs[i - n] ?? 0;
    return this.changed.get(i)?.modseq ?? this.base.modseqs[i]!;
  }

  private setAt(i: number, flags: string, modseq: number): void {
    const n = this.base.uids.length;
    if (i < n) {
      this.changed.set(i, { flags, modseq });
      this.changedBlocks.add(i >> LINE_BLOCK_SHIFT);
      if (this.changed.size > 1024 && this.changed.size > n / 16) this.ownBaseState();
    } else {
      this.tail.flags[i - n] = flags;
      this.tail.modseqs[i - n] = modseq;
    }
  }

  /** Many base messages changed: own copies of the base's flags and modseqs (its uids stay shared). */
  private ownBaseState(): void {
    const modseqs = this.base.modseqs.slice();
    const flags = this.base.flags.slice();
    for (const [i, c] of this.changed) {
      modseqs[i] = c.modseq;
      flags[i] = c.flags;
    }
    this.base = { uids: this.base.uids, modseqs, flags };
    this.changed.clear();
    this.changedBlocks.clear();
  }

  /**
   * The "* seq FETCH (UID u FLAGS (…))" lines (no \Recent) of every message of block `k` (sequence
   * numbers k * LINE_BLOCK + 1 on), when the block lies wholly in the shared base and this view
   * changed none of its messages: serialized once per base. Undefined otherwise (the caller
   * serializes those messages itself).
   */
  uidFlagsBlock(k: number): Buffer | undefined {
    const start = k << LINE_BLOCK_SHIFT;
    const end = start + LINE_BLOCK;
    const { uids, flags } = this.base;
    if (end > uids.length || this.changedBlocks.has(k)) return undefined;
    let blocks = baseLineBlocks.get(flags);
    if (!blocks) baseLineBlocks.set(flags, (blocks = []));
    let block = blocks[k];
    if (!block) {
      let text = '';
      for (let i = start; i < end; i++) text += '* ' + (i + 1) + ' FETCH (UID ' + uids[i]! + ' FLAGS (' + flags[i]! + '))\r\n';
      blocks[k] = block = Buffer.from(text, 'utf8');
    }
    return block;
  }

  /** A whole column with this view's changes applied (a new array). */
  private column<K extends 'modseqs' | 'flags'>(key: K): MessageIndex[K] {
    const out = this.base[key].concat(this.tail[key] as never[]) as MessageIndex[K];
    for (const [i, c] of this.changed) out[i] = key === 'flags' ? c.flags : c.modseq;
    return out;
  }

  /** 1-based sequence number of a UID, or 0 when it is not in the view. */
  seqOf(uid: number): number {
    const i = this.lowerBound(uid);
    return i < this.exists && this.uidAt(i) === uid ? i + 1 : 0;
  }

  uidOf(seq: number): number | undefined {
    return seq >= 1 && seq <= this.exists ? this.uidAt(seq - 1) : undefined;
  }

  message(uid: number): ViewMessage | undefined {
    const i = this.seqOf(uid) - 1;
    return i < 0 ? undefined : { uid, flags: splitFlags(this.flagsAt(i)), modseq: this.modseqAtIndex(i) };
  }

  /** Every message's flags, space-joined, in sequence order (a new array when the view has changes). */
  /**
   * The keywords the messages carry and the sequence number of the first message without \Seen (0:
   * none), for SELECT. Kept per shared base while the view has no changes of its own, so a SELECT of
   * an unchanged mailbox does not walk every message again.
   */
  selectFacts(): SelectFacts {
    const clean = this.tail.uids.length === 0 && this.changed.size === 0;
    const kept = clean ? selectFactsOf.get(this.base.flags) : undefined;
    if (kept) return kept;
    const keywords = new Set<string>();
    for (const text of new Set(this.snapshotFlags())) {
      for (const f of text.split(' ')) if (f !== '' && !f.startsWith('\\')) keywords.add(f);
    }
    let firstUnseen = 0;
    for (let seq = 1; seq <= this.exists; seq++) {
      if (!this.flagsTextAt(seq).includes('\\Seen')) {
        firstUnseen = seq;
        break;
      }
    }
    const facts = { keywords: [...keywords], firstUnseen };
    if (clean) selectFactsOf.set(this.base.flags, facts);
    return facts;
  }

  snapshotFlags(): readonly string[] {
    return this.tail.uids.length === 0 && this.changed.size === 0 ? this.base.flags : this.column('flags');
  }

  /** The flags of the message at a 1-based sequence number, space-joined (cheap: no array). */
  flagsTextAt(seq: number): string {
    return seq >= 1 && seq <= this.exists ? this.flagsAt(seq - 1) : '';
  }

  modseqAt(seq: number): number {
    return seq >= 1 && seq <= this.exists ? this.modseqAtIndex(seq - 1) : 0;
  }

  /** Whether the message has the flag (case-insensitive, as IMAP flags are). */
  hasFlag(uid: number, flag: string): boolean {
    const i = this.seqOf(uid) - 1;
    if (i < 0) return false;
    const text = this.flagsAt(i);
    if (text === '') return false;
    const want = flag.toLowerCase();
    return text.split(' ').some((f) => f.toLowerCase() === want);
  }

  /** Records flags this session set itself (its own STORE), so a later sync does not report them again. */
  update(uid: number, flags: readonly string[], modseq: number): void {
    const i = this.seqOf(uid) - 1;
    if (i >= 0 && modseq >= this.modseqAtIndex(i)) this.setAt(i, flags.join(' '), modseq);
  }

  /** Every UID in sequence order (do not modify; a new array when messages arrived since the base). */
  get allUids(): readonly number[] {
    return this.tail.uids.length === 0 ? this.base.uids : this.base.uids.concat(this.tail.uids);
  }

  /** The highest UID in the view (for '*' in UID sets), 0 when empty. */
  get maxUid(): number {
    const n = this.exists;
    return n === 0 ? 0 : this.uidAt(n - 1);
  }

  /**
   * UIDs selected by [lo, hi] ranges (already normalised): sequence numbers when byUid is false,
   * UIDs otherwise (only those in the view). Sorted ascending, no duplicates.
   */
  select(ranges: ReadonlyArray<readonly [number, number]>, byUid: boolean): number[] {
    const out: number[] = [];
    const n = this.exists;
    for (const [lo, hi] of ranges) {
      if (!byUid) {
        for (let s = Math.max(1, lo); s <= Math.min(hi, n); s++) out.push(this.uidAt(s - 1));
      } else {
        let i = this.lowerBound(lo);
        while (i < n && this.uidAt(i) <= hi) out.push(this.uidAt(i++));
      }
    }
    if (ranges.length <= 1) return out;
    return [...new Set(out)].sort((a, b) => a - b);
  }

  /** Folds the store's changes (changesSince(highestmodseq)) into the view. */
  sync(changes: readonly MessageChange[], highestmodseq: number): SyncResult {
    const result: SyncResult = { expunged: [], expungedUids: [], flags: [] };
    const gone = new Set<number>();
    const added = new Map<number, MessageChange>();
    const updated = new Set<number>();
    const maxUid = this.maxUid;
    for (const c of [...changes].sort((a, b) => a.modseq - b.modseq)) {
      const i = this.seqOf(c.uid) - 1;
      if (c.flags === null) {
        if (i >= 0) gone.add(c.uid);
        added.delete(c.uid);
      } else if (i >= 0) {
        if (c.modseq > this.modseqAtIndex(i)) {
          this.setAt(i, c.flags.join(' '), c.modseq);
          updated.add(c.uid);
        }
      } else if (c.uid > maxUid) {
        added.set(c.uid, c);
      }
    }
    // Expunges from the highest sequence number down, so each number is right when the client applies it.
    for (const uid of [...gone].sort((a, b) => b - a)) {
      result.expunged.push(this.seqOf(uid));
      result.expungedUids.push(uid);
    }
    if (gone.size > 0) {
      // The view's own arrays from here: the kept messages with their current state.
      const all = this.allUids;
      const modseqs = this.column('modseqs');
      const flags = this.column('flags');
      const next: MessageIndex = { uids: [], modseqs: [], flags: [] };
      for (let i = 0; i < all.length; i++) {
        if (gone.has(all[i]!)) continue;
        next.uids.push(all[i]!);
        next.modseqs.push(modseqs[i]!);
        next.flags.push(flags[i]!);
      }
      this.base = { uids: [], modseqs: [], flags: [] };
      this.tail = next;
      this.changed.clear();
      this.changedBlocks.clear();
    }
    // Flag updates are reported for messages that stay, once, and only when the view learnt something.
    for (const uid of [...updated].sort((a, b) => a - b)) {
      if (gone.has(uid)) continue;
      const seq = this.seqOf(uid);
      result.flags.push({ seq, uid, flags: splitFlags(this.flagsAt(seq - 1)), modseq: this.modseqAtIndex(seq - 1) });
    }
    if (added.size > 0) {
      for (const c of [...added.values()].sort((a, b) => a.uid - b.uid)) {
        this.tail.uids.push(c.uid);
        this.tail.modseqs.push(c.modseq);
        this.tail.flags.push(c.flags!.join(' '));
      }
      result.exists = this.exists;
    }
    this.highestmodseq = Math.max(this.highestmodseq, highestmodseq);
    return result;
  }

  private lowerBound(uid: number): number {
    let lo = 0;
    let hi = this.exists;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.uidAt(mid) < uid) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}
