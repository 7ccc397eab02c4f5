/**
 * The quarantine (FEATURES S15): messages a stage stopped (a virus, an unscannable archive) kept
 * with their envelope so an admin can list them, release one (it goes to the queue for delivery,
 * past the scanners: the admin decided) or purge them. Every admin change is audited (DESIGN §4
 * rule 4). Storing: the blob is put first (durable), then the row with its blob reference in one
 * transaction, so SMTP may answer 250 when add() resolves.
 */
import type { Clock } from '../core/clock.ts';
import { MailError } from '../core/errors.ts';
import type { QuarantineId } from '../core/ids.ts';
import { recordAudit, type Actor } from '../directory/actor.ts';
import type { QueueService } from '../queue/queue.ts';
import type { BlobStore } from '../store/blob-store.ts';
import type { QuarantinedMessage, Store, StoreTx } from '../store/store.ts';

export interface QuarantineInput {
  sender: string;
  recipients: string[];
  stage: string;
  reason: string;
  clientIp: string;
  meta: Record<string, unknown>;
}

export class QuarantineService {
  constructor(private readonly store: Store, private readonly blobs: BlobStore, private readonly queue: QueueService, private readonly clock: Clock) {}

  /** Stores a message received now. Durable when it resolves. */
  async add(raw: Buffer, q: QuarantineInput): Promise<QuarantineId> {
    const blob = await this.blobs.put(raw);
    return this.store.tx((tx) => this.addStored(tx, blob, q));
  }

  /** Quarantines a blob already stored (a held queue entry), inside the caller's transaction. */
  addStored(tx: StoreTx, blob: { id: QuarantinedMessage['blobId']; size: number }, q: QuarantineInput): Promise<QuarantineId> {
    return tx.quarantine.add({ blobId: blob.id, size: blob.size, ...q, createdAt: this.clock.now() });
  }

  list(limit = 1000): Promise<QuarantinedMessage[]> {
    return this.store.read((tx) => tx.quarantine.list({ limit }));
  }

  async get(id: QuarantineId): Promise<QuarantinedMessage> {
    const q = await this.store.read((tx) => tx.quarantine.get(id));
    if (!q) throw new MailError('NOT_FOUND', `no quarantined message ${id}`);
    return q;
  }

  /** The first bytes of the message (its headers), for a look before releasing it. */
  async headers(id: QuarantineId): Promise<string> {
    const q = await this.get(id);
    const head = await this.blobs.read(q.blobId, { start: 0, end: 64 * 1024 });
    const end = head.indexOf('\r\n\r\n');
    return head.subarray(0, end < 0 ? head.length : end).toString('utf8');
  }

  /** Queues the message for delivery to its recipients (not scanned again) and removes it here. */
  async release(actor: Actor, id: QuarantineId): Promise<number> {
    const queueId = await this.store.tx(async (tx) => {
      const q = await tx.quarantine.get(id);
      if (!q) throw new MailError('NOT_FOUND', `no quarantined message ${id}`);
      const qid = await this.queue.enqueue(tx, {
        sender: q.sender, recipients: q.recipients, blobId: q.blobId, size: q.size,
        meta: { ...q.meta, pipeline: { released: id, by: actor.who } },
      });
      await tx.quarantine.remove(id);
      await recordAudit(tx, actor, 'quarantine.release', String(id), { stage: q.stage, reason: q.reason, sender: q.sender, queueId: qid });
      return qid;
    });
    this.queue.wake();
    return queueId;
  }

  /** Removes one message, or every one older than `olderThanDays`. Returns how many went. */
  async purge(actor: Actor, what: { id: QuarantineId } | { olderThanDays: number }): Promise<number> {
    return this.store.tx(async (tx) => {
      let ids: QuarantineId[];
      if ('id' in what) {
        if (!(await tx.quarantine.get(what.id))) throw new MailError('NOT_FOUND', `no quarantined message ${what.id}`);
        ids = [what.id];
      } else {
        const before = this.clock.now() - what.olderThanDays * 86_400_000;
        ids = (await tx.quarantine.list({ before, limit: 100_000 })).map((q) => q.id);
      }
      for (const id of ids) await tx.quarantine.remove(id);
      await recordAudit(tx, actor, 'quarantine.purge', 'id' in what ? String(what.id) : `older than ${what.olderThanDays} days`, { count: ids.length });
      return ids.length;
    });
  }
}
