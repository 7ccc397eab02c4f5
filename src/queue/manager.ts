/**
 * Queue manager operations (FEATURES T1, the manual's queue tool): list and show entries, retry now,
 * release from holding, delete, and bounce (fail every recipient still to do, with a DSN to the
 * sender). Used by `youju queue` and, later, the system console. Each change is audited.
 */
import type { Clock } from '../core/clock.ts';
import { MailError } from '../core/errors.ts';
import type { QueueId } from '../core/ids.ts';
import type { Actor } from '../directory/actor.ts';
import type { BlobStore } from '../store/blob-store.ts';
import type { QueueEntry, QueueState, Store, StoreTx } from '../store/store.ts';
import { buildDsn } from './dsn.ts';
import type { QueueService } from './queue.ts';

export class QueueManager {
  constructor(
    private readonly store: Store,
    private readonly blobs: BlobStore,
    private readonly queue: QueueService,
    private readonly clock: Clock,
    private readonly hostname: string,
  ) {}

  list(state?: QueueState, limit = 1000): Promise<QueueEntry[]> {
    return this.store.read((tx) => tx.queue.list({ state, limit }));
  }

  counts(): Promise<Record<QueueState, number>> {
    return this.store.read((tx) => tx.queue.counts());
  }

  async show(id: QueueId): Promise<{ entry: QueueEntry; headers: string }> {
    const entry = await this.require(id);
    const head = await this.blobs.read(entry.blobId, { start: 0, end: 64 * 1024 });
    const end = head.indexOf('\r\n\r\n');
    return { entry, headers: head.subarray(0, end < 0 ? head.length : end).toString('utf8') };
  }

  /** Makes the entry (or every waiting entry) due now. Returns how many were rescheduled. */
  async retry(actor: Actor, id: QueueId | 'all'): Promise<number> {
    const now = this.clock.now();
    const n = await this.store.tx(async (tx) => {
      const ids = id === 'all'
        ? (await tx.queue.list({ state: 'retry', limit: 100_000 })).map((e) => e.id)
        : [(await this.requireTx(tx, id)).id];
      for (const q of ids) await tx.queue.reschedule(q, 'retry', now);
      await tx.audit.write({ actor: actor.who, source: actor.from, action: 'queue.retry', target: String(id), details: { count: ids.length } });
      return ids.length;
    });
    this.queue.wake();
    return n;
  }

  /** Releases an entry held by a failed scanner (or sitting in bad) back to inbound processing. */
  async release(actor: Actor, id: QueueId): Promise<void> {
    await this.store.tx(async (tx) => {
      const e = await this.requireTx(tx, id);
      if (e.state !== 'holding' && e.state !== 'bad') {
        throw new MailError('INVALID_INPUT', `queue entry ${id} is ${e.state}, not holding or bad`);
      }
      await tx.queue.reschedule(id, 'inbound', this.clock.now());
      await tx.audit.write({ actor: actor.who, source: actor.from, action: 'queue.release', target: String(id), details: { from: e.state } });
    });
    this.queue.wake();
  }

  async delete(actor: Actor, id: QueueId): Promise<void> {
    await this.store.tx(async (tx) => {
      const e = await this.requireTx(tx, id);
      await tx.queue.delete(id);
      await tx.audit.write({ actor: actor.who, source: actor.from, action: 'queue.delete', target: String(id), details: { sender: e.sender, state: e.state } });
    });
  }

  /** Fails every recipient still to do and sends the sender a bounce (none for the null sender). */
  async bounce(actor: Actor, id: QueueId): Promise<number> {
    const e = await this.require(id);
    const open = e.recipients.filter((r) => r.state === 'pending' || r.state === 'deferred');
    const reply = { code: 554, enhanced: '5.0.0', text: 'Returned to sender by the administrator' };
    if (open.length > 0 && e.sender !== '') {
      const raw = buildDsn({
        hostname: this.hostname, to: e.sender, action: 'failed', recipients: open.map((r) => ({ rcpt: r.address, reply })),
        arrivalDate: e.createdAt, now: this.clock.now(), original: await this.blobs.read(e.blobId), bodyBytes: 64 * 1024, queueId: String(e.id),
      });
      await this.queue.submit({ sender: '', recipients: [e.sender], raw, state: 'raw', meta: { dsnFor: e.id, action: 'failed' } });
    }
    await this.store.tx(async (tx) => {
      await tx.queue.delete(id);
      await tx.audit.write({ actor: actor.who, source: actor.from, action: 'queue.bounce', target: String(id), details: { recipients: open.length } });
    });
    return open.length;
  }

  private async require(id: QueueId): Promise<QueueEntry> {
    return this.store.read((tx) => this.requireTx(tx, id));
  }

  private async requireTx(tx: StoreTx, id: QueueId): Promise<QueueEntry> {
    const e = await tx.queue.get(id);
    if (!e) throw new MailError('NOT_FOUND', `no queue entry ${id}`);
    return e;
  }
}
