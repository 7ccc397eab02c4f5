/**
 * The last known state of recently selected mailboxes, shared by this node's IMAP sessions: a
 * SELECT starts from the snapshot and reads only what changed since (one indexed query), instead
 * of every message's uid and flags. Bounded by the number of messages held (LRU); the store stays
 * the truth, so a stale or evicted entry only costs a full read.
 */
import type { MailboxId } from '../core/ids.ts';
import type { MessageIndex } from '../store/store.ts';

export interface CachedView {
  snapshot: MessageIndex;
  highestmodseq: number;
}

export class ViewCache {
  private readonly entries = new Map<MailboxId, CachedView>();
  private held = 0;

  constructor(private readonly maxMessages = 2_000_000) {}

  get(id: MailboxId): CachedView | undefined {
    const e = this.entries.get(id);
    if (e) {
      this.entries.delete(id);
      this.entries.set(id, e); // most recently used last
    }
    return e;
  }

  put(id: MailboxId, view: CachedView): void {
    this.drop(id);
    const size = view.snapshot.uids.length;
    if (size > this.maxMessages) return;
    this.entries.set(id, view);
    this.held += size;
    for (const [oldest] of this.entries) {
      if (this.held <= this.maxMessages) break;
      this.drop(oldest);
    }
  }

  private drop(id: MailboxId): void {
    const e = this.entries.get(id);
    if (!e) return;
    this.entries.delete(id);
    this.held -= e.snapshot.uids.length;
  }
}
