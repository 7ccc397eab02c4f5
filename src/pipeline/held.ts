/**
 * Held messages (issue #13, FEATURES P5's holding queue): a message a stage could not decide on
 * at the end of DATA (clamd down or too slow) was accepted into the queue's `holding` state with
 * meta.pipeline = { held: stage, reason, attempts }. Each pass claims those that are due (a lease,
 * so cluster nodes never share one) and runs the data stages again from the one that held it:
 * passed → inbound for delivery (with any headers the stages add, as a new blob); held again →
 * due after the stage's retry delay; quarantine → the quarantine; reject → the quarantine too
 * (250 was answered long ago, and a bounce to a virus's forged sender is backscatter); discard →
 * gone. Never delivered unscanned, never lost. Entries held for other reasons are left alone.
 */
import type { Settings } from '../config/settings.ts';
import type { Clock } from '../core/clock.ts';
import type { PreparedSubmission, QueueService } from '../queue/queue.ts';
import type { BlobStore } from '../store/blob-store.ts';
import type { QueueEntry, Store } from '../store/store.ts';
import type { QuarantineService } from './quarantine.ts';
import { routedSubmissions } from './routing.ts';
import { PipelineSession, type HeldInfo, type SessionHost } from './session.ts';

export interface HeldDeps {
  store: Store;
  blobs: BlobStore;
  queue: QueueService;
  clock: Clock;
  settings: () => Readonly<Settings>;
  node: string;
  host: SessionHost;
  quarantine: QuarantineService;
  warn?: (message: string) => void;
}

/** Entries held for something else (an approval, an admin) are looked at again only this rarely. */
const NOT_OURS_MS = 86_400_000;
const BATCH = 20;

interface EntryMeta {
  clientIp?: string;
  helo?: string;
  authUser?: string;
  pipeline?: Partial<HeldInfo>;
}

export class HeldMessages {
  constructor(private readonly deps: HeldDeps) {}

  /** One pass: claims due held entries and scans each again. Returns how many it handled. */
  async runOnce(): Promise<number> {
    const now = this.deps.clock.now();
    // The lease outlasts the slowest scan the stages allow (their timeouts are below stageTimeoutMs).
    const leaseMs = this.deps.settings().pipeline.stageTimeoutMs * 2 + 60_000;
    const entries = await this.deps.store.tx((tx) => tx.queue.claim(this.deps.node, ['holding'], BATCH, now, leaseMs));
    for (const e of entries) {
      await this.rescan(e).catch((err: unknown) => this.deps.warn?.(`held queue entry ${e.id}: ${String(err)}`));
    }
    // A full batch may mean more are due; a batch of entries held again must not spin.
    return entries.length === BATCH ? entries.length : 0;
  }

  private async rescan(e: QueueEntry): Promise<void> {
    const { store, clock } = this.deps;
    const meta = e.meta as EntryMeta;
    const info = meta.pipeline;
    const now = clock.now();
    if (!info?.held) {
      await store.tx((tx) => tx.queue.settle(e.id, { state: 'holding', nextAttemptAt: now + NOT_OURS_MS }, []));
      return;
    }
    const session = new PipelineSession(this.deps.host, {
      ip: meta.clientIp ?? '', helo: meta.helo ?? '', kind: 'held', authUser: meta.authUser, trusted: false,
    }, this.deps.settings());
    const recipients = e.recipients.filter((r) => r.state === 'pending' || r.state === 'deferred').map((r) => r.address);
    session.restore(e.sender, recipients);
    const raw = await this.deps.blobs.read(e.blobId);
    const end = raw.indexOf('\r\n\r\n');
    const out = await session.data({ raw, header: raw.subarray(0, end < 0 ? raw.length : end + 2).toString('latin1') }, info.held);
    await session.close();

    const { pipeline: _held, ...rest } = meta;
    switch (out.kind) {
      case 'deliver': {
        const released = { ...rest, pipeline: { scannedAfterHold: info.held, attempts: (info.attempts ?? 0) + 1 } };
        if (out.routing) {
          // The content filter's redirect, copies and notifications replace the held entry in one transaction.
          const subs = routedSubmissions({
            sender: e.sender, recipients, raw: Buffer.concat([Buffer.from(out.headers.map((h) => `${h}\r\n`).join('')), out.raw]), priority: e.priority, meta: released,
          }, out.routing);
          const prepared: PreparedSubmission[] = [];
          for (const sub of subs) prepared.push(await this.deps.queue.prepare(sub));
          await store.tx(async (tx) => {
            for (const p of prepared) await this.deps.queue.enqueue(tx, p);
            await tx.queue.delete(e.id);
          });
        } else if (out.headers.length === 0 && out.raw === raw) {
          await store.tx((tx) => tx.queue.settle(e.id, { state: 'inbound', nextAttemptAt: now, meta: released }, []));
        } else {
          const p = await this.deps.queue.prepare({
            sender: e.sender, recipients, raw: Buffer.concat([Buffer.from(out.headers.join('\r\n') + '\r\n'), out.raw]), priority: e.priority, meta: released,
          });
          await store.tx(async (tx) => {
            await this.deps.queue.enqueue(tx, p);
            await tx.queue.delete(e.id);
          });
        }
        this.deps.queue.wake();
        return;
      }
      case 'hold': {
        const attempts = (info.attempts ?? 0) + 1;
        await store.tx((tx) => tx.queue.settle(e.id, {
          state: 'holding', nextAttemptAt: now + out.retrySec * 1000, lastError: `held by ${info.held}: ${out.meta.pipeline.reason}`,
          meta: { ...rest, pipeline: { ...out.meta.pipeline, attempts } },
        }, []));
        return;
      }
      case 'discard':
        await store.tx((tx) => tx.queue.delete(e.id));
        return;
      case 'refuse':
        if (out.reply.code < 500) { // a temporary failure (a stage overran): look again later
          await store.tx((tx) => tx.queue.settle(e.id, {
            state: 'holding', nextAttemptAt: now + this.deps.settings().pipeline.heldPollSec * 1000,
            lastError: `${out.reply.code} ${out.reply.enhanced} ${out.reply.text}`, meta: e.meta,
          }, []));
          return;
        }
      // falls through: a permanent refusal after 250 goes to the quarantine
      default: {
        const [stage, reason] = out.kind === 'quarantine' ? [out.stage, out.reason] : [info.held, `${out.reply.code} ${out.reply.enhanced} ${out.reply.text}`];
        await store.tx(async (tx) => {
          await this.deps.quarantine.addStored(tx, { id: e.blobId, size: e.size }, {
            sender: e.sender, recipients, stage, reason, clientIp: meta.clientIp ?? '', meta: rest as Record<string, unknown>,
          });
          await tx.queue.delete(e.id);
        });
      }
    }
  }
}
