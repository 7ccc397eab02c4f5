/**
 * What one IMAP session believes about its selected mailbox (RFC 3501 §2.3.1, §7.4.1): the UIDs in
 * sequence order, their flags and modseqs, and how far it has been told (highestmodseq). The store
 * holds the truth; `sync()` folds the store's changes since then into the view and returns what
 * the client must be told — EXPUNGE sequence numbers (in the order to send them, each counted after
 * the ones before), FETCH FLAGS updates, and the new EXISTS count. The session decides when it may
 * send them (never an EXPUNGE during FETCH, STORE or SEARCH: RFC 3501 §7.4.1).
 *
 * Storage is three parallel arrays (uids, modseqs, flags as space-joined strings), so a 100,000-
 * message view is three flat arrays, copied in a millisecond from a shared snapshot (view-cache.ts).
 */
import type { MessageChange, MessageIndex } from '../store/store.ts';

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

export class MailboxView {
  private uids: number[];
  private modseqs: number[];
  private flagTexts: string[];
  highestmodseq: number;

  /** From a store index (uid order), or from messages in any order (tests). */
  constructor(source: MessageIndex | readonly ViewMessage[], highestmodseq: number) {
    if (Array.isArray(source)) {
      const sorted = [...(source as readonly ViewMessage[])].sort((a, b) => a.uid - b.uid);
      this.uids = sorted.map((m) => m.uid);
      this.modseqs = sorted.map((m) => m.modseq);
      this.flagTexts = sorted.map((m) => m.flags.join(' '));
    } else {
      const index = source as MessageIndex;
      this.uids = index.uids.slice();
      this.modseqs = index.modseqs.slice();
      this.flagTexts = index.flags.slice();
    }
    this.highestmodseq = highestmodseq;
  }

  /** A copy of the view's state, for the shared cache. */
  snapshot(): MessageIndex {
    return { uids: this.uids.slice(), modseqs: this.modseqs.slice(), flags: this.flagTexts.slice() };
  }

  get exists(): number {
    return this.uids.length;
  }

  /** 1-based sequence number of a UID, or 0 when it is not in the view. */
  seqOf(uid: number): number {
    let lo = 0;
    let hi = this.uids.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const v = this.uids[mid]!;
      if (v === uid) return mid + 1;
      if (v < uid) lo = mid + 1;
      else hi = mid - 1;
    }
    return 0;
  }

  uidOf(seq: number): number | undefined {
    return this.uids[seq - 1];
  }

  message(uid: number): ViewMessage | undefined {
    const i = this.seqOf(uid) - 1;
    return i < 0 ? undefined : { uid, flags: splitFlags(this.flagTexts[i]!), modseq: this.modseqs[i]! };
  }

  /** The flags column (space-joined per message, sequence order; do not modify). */
  snapshotFlags(): readonly string[] {
    return this.flagTexts;
  }

  /** The flags of the message at a 1-based sequence number, space-joined (cheap: no array). */
  flagsTextAt(seq: number): string {
    return this.flagTexts[seq - 1] ?? '';
  }

  modseqAt(seq: number): number {
    return this.modseqs[seq - 1] ?? 0;
  }

  /** Whether the message has the flag (case-insensitive, as IMAP flags are). */
  hasFlag(uid: number, flag: string): boolean {
    const i = this.seqOf(uid) - 1;
    if (i < 0) return false;
    const text = this.flagTexts[i]!;
    if (text === '') return false;
    const want = flag.toLowerCase();
    return text.split(' ').some((f) => f.toLowerCase() === want);
  }

  /** Records flags this session set itself (its own STORE), so a later sync does not report them again. */
  update(uid: number, flags: readonly string[], modseq: number): void {
    const i = this.seqOf(uid) - 1;
    if (i >= 0 && modseq >= this.modseqs[i]!) {
      this.flagTexts[i] = flags.join(' ');
      this.modseqs[i] = modseq;
    }
  }

  /** Every UID in sequence order (do not modify). */
  get allUids(): readonly number[] {
    return this.uids;
  }

  /** The highest UID in the view (for '*' in UID sets), 0 when empty. */
  get maxUid(): number {
    return this.uids.at(-1) ?? 0;
  }

  /**
   * UIDs selected by [lo, hi] ranges (already normalised): sequence numbers when byUid is false,
   * UIDs otherwise (only those in the view). Sorted ascending, no duplicates.
   */
  select(ranges: ReadonlyArray<readonly [number, number]>, byUid: boolean): number[] {
    const out: number[] = [];
    for (const [lo, hi] of ranges) {
      if (!byUid) {
        for (let s = Math.max(1, lo); s <= Math.min(hi, this.uids.length); s++) out.push(this.uids[s - 1]!);
      } else {
        let i = this.lowerBound(lo);
        while (i < this.uids.length && this.uids[i]! <= hi) out.push(this.uids[i++]!);
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
        if (c.modseq > this.modseqs[i]!) {
          this.flagTexts[i] = c.flags.join(' ');
          this.modseqs[i] = c.modseq;
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
      const keep = (_: unknown, i: number) => !gone.has(this.uids[i]!);
      this.modseqs = this.modseqs.filter(keep);
      this.flagTexts = this.flagTexts.filter(keep);
      this.uids = this.uids.filter((u) => !gone.has(u));
    }
    // Flag updates are reported for messages that stay, once, and only when the view learnt something.
    for (const uid of [...updated].sort((a, b) => a - b)) {
      if (gone.has(uid)) continue;
      const seq = this.seqOf(uid);
      result.flags.push({ seq, uid, flags: splitFlags(this.flagTexts[seq - 1]!), modseq: this.modseqs[seq - 1]! });
    }
    if (added.size > 0) {
      for (const c of [...added.values()].sort((a, b) => a.uid - b.uid)) {
        this.uids.push(c.uid);
        this.modseqs.push(c.modseq);
        this.flagTexts.push(c.flags!.join(' '));
      }
      result.exists = this.uids.length;
    }
    this.highestmodseq = Math.max(this.highestmodseq, highestmodseq);
    return result;
  }

  private lowerBound(uid: number): number {
    let lo = 0;
    let hi = this.uids.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.uids[mid]! < uid) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}
