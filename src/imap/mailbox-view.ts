/**
 * What one IMAP session believes about its selected mailbox (RFC 3501 §2.3.1, §7.4.1): the UIDs in
 * sequence order, their flags and modseqs, and how far it has been told (highestmodseq). The store
 * holds the truth; `sync()` folds the store's changes since then into the view and returns what
 * the client must be told — EXPUNGE sequence numbers (in the order to send them, each counted after
 * the ones before), FETCH FLAGS updates, and the new EXISTS count. The session decides when it may
 * send them (never an EXPUNGE during FETCH, STORE or SEARCH: RFC 3501 §7.4.1).
 */
import type { MessageChange } from '../store/store.ts';

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

export class MailboxView {
  private uids: number[];
  private readonly byUid = new Map<number, ViewMessage>();
  highestmodseq: number;

  constructor(messages: readonly ViewMessage[], highestmodseq: number) {
    const sorted = [...messages].sort((a, b) => a.uid - b.uid);
    this.uids = sorted.map((m) => m.uid);
    for (const m of sorted) this.byUid.set(m.uid, { ...m, flags: [...m.flags] });
    this.highestmodseq = highestmodseq;
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
    return this.byUid.get(uid);
  }

  /** Records flags this session set itself (its own STORE), so a later sync does not report them again. */
  update(uid: number, flags: readonly string[], modseq: number): void {
    const m = this.byUid.get(uid);
    if (m && modseq >= m.modseq) {
      m.flags = [...flags];
      m.modseq = modseq;
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
    return [...new Set(out)].sort((a, b) => a - b);
  }

  /** Folds the store's changes (changesSince(highestmodseq)) into the view. */
  sync(changes: readonly MessageChange[], highestmodseq: number): SyncResult {
    const result: SyncResult = { expunged: [], expungedUids: [], flags: [] };
    const gone = new Set<number>();
    const added: ViewMessage[] = [];
    const updated = new Set<number>();
    for (const c of [...changes].sort((a, b) => a.modseq - b.modseq)) {
      const known = this.byUid.get(c.uid);
      if (c.flags === null) {
        if (known) gone.add(c.uid);
      } else if (known) {
        if (c.modseq > known.modseq) {
          known.flags = [...c.flags];
          known.modseq = c.modseq;
          updated.add(c.uid);
        }
      } else if (c.uid > this.maxUid && !added.some((a) => a.uid === c.uid)) {
        added.push({ uid: c.uid, flags: [...c.flags], modseq: c.modseq });
      }
    }
    // Flag updates are reported for messages that stay, once, and only when the view learnt something.
    for (const uid of [...updated].sort((a, b) => a - b)) {
      const m = this.byUid.get(uid);
      if (m && !gone.has(uid)) result.flags.push({ seq: 0, uid, flags: m.flags, modseq: m.modseq });
    }
    // Expunges from the highest sequence number down, so each number is right when the client applies it.
    const goneSorted = [...gone].sort((a, b) => b - a);
    for (const uid of goneSorted) {
      result.expunged.push(this.seqOf(uid));
      result.expungedUids.push(uid);
    }
    if (gone.size > 0) {
      this.uids = this.uids.filter((u) => !gone.has(u));
      for (const uid of gone) this.byUid.delete(uid);
    }
    if (added.length > 0) {
      added.sort((a, b) => a.uid - b.uid);
      for (const m of added) {
        this.uids.push(m.uid);
        this.byUid.set(m.uid, m);
      }
      result.exists = this.uids.length;
    }
    for (const f of result.flags) f.seq = this.seqOf(f.uid);
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
