/**
 * The queue service: how messages enter the durable queue (FEATURES P5). submit() stores the bytes
 * (BlobStore.put, durable) and then the entry with its recipients in one committed transaction, so
 * when it resolves SMTP may answer 250 (DESIGN §4 rule 1). States are those of QueueState; per
 * recipient status lives in the entry. The runner (runner.ts) is woken after every submit. A message
 * a local user sent adds to their daily traffic row (A9) in the entry's own transaction.
 */
import type { Clock } from '../core/clock.ts';
import type { BlobId, DomainId, QueueId, UserId } from '../core/ids.ts';
import { localDate } from '../core/log/session-log.ts';
import type { BlobStore } from '../store/blob-store.ts';
import type { QueueEntry, QueueState, Store, StoreTx } from '../store/store.ts';

export interface Submission {
  /** Envelope sender; '' is the null sender. */
  sender: string;
  recipients: string[];
  raw: Buffer;
  state?: Extract<QueueState, 'inbound' | 'raw' | 'holding'>;
  priority?: number;
  meta?: Record<string, unknown>;
  /** Sent by this local user (an authenticated submission): counted in their domain's traffic (A9) as the entry commits. */
  sentBy?: { userId: UserId; domainId: DomainId };
}

/** What takes accepted mail in: this process's QueueService, or the main process's (queue-ipc.ts). */
export interface QueueIntake {
  /** Stores and queues the message; durable when it resolves. */
  submit(s: Submission): Promise<QueueId>;
  /** Several messages in one transaction: durable all together, or none. */
  submitAll(subs: Submission[]): Promise<QueueId[]>;
}

/** A message prepared for submitting inside a caller's transaction (blob already stored). */
export interface PreparedSubmission extends Omit<Submission, 'raw'> {
  blobId: BlobId;
  size: number;
}

/** A runner that takes entries from submit() directly (QueueService.handOffTo). */
export interface Handoff {
  /** The lease owner: this node. */
  node: string;
  leaseMs(): number;
  /** Takes an entry leased to it; false when it cannot (stopping), and the entry waits for its lease to end. */
  take(entry: QueueEntry): boolean;
}

/** The entry as the store now holds it, without reading it back. */
function entryOf(id: QueueId, p: PreparedSubmission, now: number, lease: { owner: string; until: number }): QueueEntry {
  return {
    id, state: p.state ?? 'inbound', sender: p.sender, blobId: p.blobId, size: p.size, priority: p.priority ?? 0,
    createdAt: now, nextAttemptAt: now, attempts: 0, leaseOwner: lease.owner, leaseUntil: lease.until, lastError: '',
    meta: p.meta ?? {},
    // As the store lists them: each address once, in code-unit order.
    recipients: [...new Set(p.recipients)].sort().map((address) => ({ address, state: 'pending', attempts: 0, lastReply: '', nextAttemptAt: null })),
  };
}

export class QueueService implements QueueIntake {
  private readonly listeners = new Set<() => void>();
  private handoff: Handoff | undefined;

  constructor(private readonly store: Store, private readonly blobs: BlobStore, private readonly clock: Clock) {}

  /**
   * Stores the message and queues it. Durable when it resolves. While this node's runner takes
   * hand-offs, the entry is queued already leased to it and handed over at once, so the runner
   * spends no claim on it; should this node die, the lease runs out and any node delivers it.
   */
  async submit(s: Submission): Promise<QueueId> {
    const p = await this.prepare(s);
    const h = (p.state ?? 'inbound') === 'holding' ? undefined : this.handoff;
    const now = this.clock.now();
    const lease = h && { owner: h.node, until: now + h.leaseMs() };
    const id = await this.store.tx((tx) => this.enqueue(tx, p, lease));
    if (!(h && lease && h.take(entryOf(id, p, now, lease)))) this.wake();
    return id;
  }

  /**
   * Several messages queued in one transaction (a message and the copies and notifications its
   * content filter asked for): durable all together when it resolves, or none of them.
   */
  async submitAll(subs: Submission[]): Promise<QueueId[]> {
    const prepared: PreparedSubmission[] = [];
    for (const s of subs) prepared.push(await this.prepare(s));
    const ids = await this.store.tx(async (tx) => {
      const out: QueueId[] = [];
      for (const p of prepared) out.push(await this.enqueue(tx, p));
      return out;
    });
    this.wake();
    return ids;
  }

  /** This node's runner takes submitted entries straight away (see submit); returns the undo. */
  handOffTo(h: Handoff): () => void {
    this.handoff = h;
    return () => { if (this.handoff === h) this.handoff = undefined; };
  }

  /** Puts the bytes (outside any transaction) so enqueue() can run inside one. */
  async prepare(s: Submission): Promise<PreparedSubmission> {
    const blob = await this.blobs.put(s.raw);
    const { raw: _raw, ...rest } = s;
    return { ...rest, blobId: blob.id, size: blob.size };
  }

  /** Queues a prepared message inside the caller's transaction; call wake() after it commits. */
  async enqueue(tx: StoreTx, p: PreparedSubmission, lease?: { owner: string; until: number }): Promise<QueueId> {
    if (p.sentBy) {
      const day = localDate(new Date(this.clock.now()));
      await tx.traffic.add([{ day, ...p.sentBy, direction: 'out', messages: 1, bytes: p.size }]);
    }
    return tx.queue.enqueue({
      state: p.state ?? 'inbound', sender: p.sender, blobId: p.blobId, size: p.size, priority: p.priority ?? 0,
      nextAttemptAt: this.clock.now(), meta: p.meta ?? {}, recipients: p.recipients, ...(lease ? { lease } : {}),
    });
  }

  /** Tells the runner there is work now rather than at its next poll. */
  wake(): void {
    for (const l of this.listeners) l();
  }

  onWake(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
