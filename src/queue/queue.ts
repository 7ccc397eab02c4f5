/**
 * The queue service: how messages enter the durable queue (FEATURES P5). submit() stores the bytes
 * (BlobStore.put, durable) and then the entry with its recipients in one committed transaction, so
 * when it resolves SMTP may answer 250 (DESIGN §4 rule 1). States are those of QueueState; per
 * recipient status lives in the entry. The runner (runner.ts) is woken after every submit.
 */
import type { Clock } from '../core/clock.ts';
import type { BlobId, QueueId } from '../core/ids.ts';
import type { BlobStore } from '../store/blob-store.ts';
import type { QueueState, Store, StoreTx } from '../store/store.ts';

export interface Submission {
  /** Envelope sender; '' is the null sender. */
  sender: string;
  recipients: string[];
  raw: Buffer;
  state?: Extract<QueueState, 'inbound' | 'raw' | 'holding'>;
  priority?: number;
  meta?: Record<string, unknown>;
}

/** A message prepared for submitting inside a caller's transaction (blob already stored). */
export interface PreparedSubmission extends Omit<Submission, 'raw'> {
  blobId: BlobId;
  size: number;
}

export class QueueService {
  private readonly listeners = new Set<() => void>();

  constructor(private readonly store: Store, private readonly blobs: BlobStore, private readonly clock: Clock) {}

  /** Stores the message and queues it. Durable when it resolves. */
  async submit(s: Submission): Promise<QueueId> {
    const p = await this.prepare(s);
    const id = await this.store.tx((tx) => this.enqueue(tx, p));
    this.wake();
    return id;
  }

  /** Puts the bytes (outside any transaction) so enqueue() can run inside one. */
  async prepare(s: Submission): Promise<PreparedSubmission> {
    const blob = await this.blobs.put(s.raw);
    const { raw: _raw, ...rest } = s;
    return { ...rest, blobId: blob.id, size: blob.size };
  }

  /** Queues a prepared message inside the caller's transaction; call wake() after it commits. */
  enqueue(tx: StoreTx, p: PreparedSubmission): Promise<QueueId> {
    return tx.queue.enqueue({
      state: p.state ?? 'inbound', sender: p.sender, blobId: p.blobId, size: p.size, priority: p.priority ?? 0,
      nextAttemptAt: this.clock.now(), meta: p.meta ?? {}, recipients: p.recipients,
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
