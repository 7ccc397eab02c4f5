/**
 * The queue runner: claims due entries (a lease, so cluster nodes never share one), routes each
 * recipient still to do to the local or the remote transport, and settles the entry — delete it
 * when every recipient is done, or move it to `retry` at the earliest next attempt. Failed
 * recipients get one DSN bounce (never for the null sender: such entries go to `bad` for the
 * admin); recipients deferred past queue.maxAgeHours fail with 4.4.7; a delay notice goes out once
 * after queue.delayWarningHours. Local delivery records its recipients in its own transaction.
 * DSN requests (RFC 3461, dsn-params.ts) shape the notices: NOTIFY picks who gets a failure, delay or
 * success notice (success: "delivered" here, "expanded" for an alias or list of several, "relayed" to a
 * next hop without DSN), RET picks how much
 * of the original comes back, ENVID and ORCPT are echoed.
 */
import type { Settings } from '../config/settings.ts';
import type { Clock } from '../core/clock.ts';
import type { RecipientResult, SmtpReply, Transport } from '../delivery/transport.ts';
import type { BlobStore } from '../store/blob-store.ts';
import type { QueueEntry, QueueState, Store, StoreTx } from '../store/store.ts';
import { DrainLoop } from '../core/drain-loop.ts';
import { buildDsn, type DsnAction } from './dsn.ts';
import { dsnParamsOf, originalRecipient, wantsNotice, type DsnParams } from './dsn-params.ts';
import type { QueueService } from './queue.ts';
import { formatReply as fmt, recipientRow, recipientUpdates } from './recipients.ts';

export interface RunnerDeps {
  store: Store;
  blobs: BlobStore;
  queue: QueueService;
  clock: Clock;
  hostname: string;
  /** This node's name, stable across restarts (the lease owner): its hostname. */
  node: string;
  settings: () => Readonly<Settings>;
  isLocalDomain(domain: string): Promise<boolean>;
  local: Transport;
  remote: Transport;
  log?: (line: string) => void;
}

/** States the runner works on; holding and bad wait for an admin. */
const ACTIVE: QueueState[] = ['inbound', 'retry', 'raw'];

export class QueueRunner {
  private readonly abort = new AbortController();
  private unsubscribe: (() => void) | undefined;
  private stopHandoff: (() => void) | undefined;
  private readonly loop: DrainLoop;
  /** Entries handed over by submit() waiting for a slot, and those being delivered. */
  private readonly handed: QueueEntry[] = [];
  private readonly inFlight = new Set<Promise<void>>();

  constructor(private readonly deps: RunnerDeps) {
    this.loop = new DrainLoop(() => this.runOnce(), () => deps.settings().queue.pollMs,
      (err) => deps.log?.(`queue runner pass failed: ${String(err)}`), () => deps.settings().queue.runnerBatch);
  }

  /**
   * Takes back what this node's previous run had leased when it died, then runs until stop():
   * entries this node submits are handed over at once (QueueService.handOffTo), others are claimed
   * in passes, woken by submits elsewhere in this process and by the poll.
   */
  async start(): Promise<void> {
    await this.deps.store.tx((tx) => tx.queue.releaseLeases(this.deps.node));
    this.unsubscribe = this.deps.queue.onWake(() => this.loop.kick());
    this.stopHandoff = this.deps.queue.handOffTo({
      node: this.deps.node,
      leaseMs: () => this.deps.settings().queue.leaseSec * 1000,
      take: (e) => this.take(e),
    });
    this.loop.start();
  }

  async stop(): Promise<void> {
    this.stopHandoff?.();
    this.unsubscribe?.();
    this.abort.abort();
    await this.loop.stop();
    await Promise.all(this.inFlight);
    // Handed over but not started: give their leases back so that any node takes them now.
    if (this.handed.length > 0) {
      this.handed.length = 0;
      await this.deps.store.tx((tx) => tx.queue.releaseLeases(this.deps.node));
    }
  }

  /** An entry submitted on this node, already leased to it: delivered as soon as a slot is free. */
  private take(e: QueueEntry): boolean {
    if (this.abort.signal.aborted) return false;
    this.handed.push(e);
    this.pump();
    return true;
  }

  private pump(): void {
    const limit = Math.max(1, this.deps.settings().queue.runnerConcurrency);
    while (this.inFlight.size < limit && this.handed.length > 0 && !this.abort.signal.aborted) {
      const e = this.handed.shift()!;
      const done: Promise<void> = this.process(e)
        .catch((err) => this.deps.log?.(`queue entry ${e.id}: ${String(err)}`))
        .finally(() => { this.inFlight.delete(done); this.pump(); });
      this.inFlight.add(done);
    }
  }

  /** Runs passes until nothing is due. */
  kick(): void {
    this.loop.kick();
  }

  /** One pass: claim a batch and deliver it. Returns how many entries it handled. */
  async runOnce(): Promise<number> {
    const q = this.deps.settings().queue;
    const now = this.deps.clock.now();
    const entries = await this.deps.store.tx((tx) => tx.queue.claim(this.deps.node, ACTIVE, q.runnerBatch, now, q.leaseSec * 1000));
    if (entries.length === 0) return 0;
    let next = 0;
    const worker = async () => {
      for (let i = next++; i < entries.length; i = next++) {
        await this.process(entries[i]!).catch((err) => this.deps.log?.(`queue entry ${entries[i]!.id}: ${String(err)}`));
      }
    };
    await Promise.all(Array.from({ length: Math.min(q.runnerConcurrency, entries.length) }, worker));
    return entries.length;
  }

  private async process(e: QueueEntry): Promise<void> {
    const settings = this.deps.settings();
    const now = this.deps.clock.now();
    const todo = e.recipients.filter((r) => r.state === 'pending' || (r.state === 'deferred' && (r.nextAttemptAt ?? 0) <= now));
    const local: string[] = [];
    const remote: string[] = [];
    for (const r of todo) (await this.deps.isLocalDomain(domainOf(r.address)) ? local : remote).push(r.address);

    const dsn = dsnParamsOf(e.meta);
    // Set when local delivery's own transaction removed the entry: every recipient delivered there,
    // nothing left to notify, so no second transaction is needed to settle it.
    let settledInDelivery = false;
    const record = async (tx: StoreTx, rs: readonly RecipientResult[]) => {
      if (remote.length === 0 && doneWith(e, rs) && !rs.some((r) => wantsNotice(dsn, r.rcpt, 'SUCCESS'))) {
        await tx.queue.settle(e.id, null, []);
        settledInDelivery = true;
        return;
      }
      await tx.queue.recordRecipients(e.id, recipientUpdates(e, rs, now, settings.queue).map(recipientRow));
    };
    const job = (recipients: string[]) => ({ queueId: e.id, sender: e.sender, recipients, blobId: e.blobId, size: e.size, meta: e.meta, record });
    const results: RecipientResult[] = [];
    const settleNow: RecipientResult[] = [];
    if (local.length > 0) {
      try {
        results.push(...await this.deps.local.deliver(job(local), this.abort.signal));
      } catch (err) {
        settledInDelivery = false; // its transaction did not commit
        settleNow.push(...local.map((rcpt) => deferred(rcpt, `Local delivery failed: ${String((err as Error).message ?? err)}`)));
      }
    }
    if (settledInDelivery) return this.logResults(e, results);
    if (remote.length > 0) {
      try {
        settleNow.push(...await this.deps.remote.deliver(job(remote), this.abort.signal));
      } catch (err) {
        settleNow.push(...remote.map((rcpt) => deferred(rcpt, `Remote delivery failed: ${String((err as Error).message ?? err)}`)));
      }
    }
    results.push(...settleNow);

    // What every recipient's state is now: the same rule local delivery recorded its own results with.
    const byRcpt = new Map(e.recipients.map((r) => [r.address, { ...r }]));
    const final = recipientUpdates(e, results, now, settings.queue);
    const recordedAlready = new Set(results.filter((r) => !settleNow.includes(r)).map((r) => r.rcpt));
    const updates = final.filter((u) => !recordedAlready.has(u.address)).map(recipientRow);
    const failed: Array<{ rcpt: string; reply: SmtpReply }> = [];
    for (const u of final) {
      const cur = byRcpt.get(u.address);
      if (cur) Object.assign(cur, { state: u.state, nextAttemptAt: u.nextAttemptAt, lastReply: u.lastReply });
      if (u.state === 'failed') failed.push({ rcpt: u.address, reply: u.reply });
    }

    if (e.sender !== '') {
      await this.notify(e, dsn, 'failed', failed.filter((f) => wantsNotice(dsn, f.rcpt, 'FAILURE')));
      // NOTIFY=SUCCESS: "delivered" for local mailboxes, "relayed" when the next hop took no DSN duty.
      const succeeded = results.filter((r) => r.outcome === 'delivered' && wantsNotice(dsn, r.rcpt, 'SUCCESS'));
      await this.notify(e, dsn, 'delivered', succeeded.filter((r) => local.includes(r.rcpt) && !r.expanded));
      await this.notify(e, dsn, 'expanded', succeeded.filter((r) => local.includes(r.rcpt) && r.expanded));
      await this.notify(e, dsn, 'relayed', succeeded.filter((r) => !local.includes(r.rcpt) && !r.reply.nextHopDsn));
    }
    const pending = [...byRcpt.values()].filter((r) => r.state === 'pending' || r.state === 'deferred');
    const meta = e.meta as { delayWarned?: boolean };
    if (pending.length > 0 && e.sender !== '' && !meta.delayWarned
      && settings.queue.delayWarningHours.some((h) => now - e.createdAt >= h * 3600_000)) {
      await this.notify(e, dsn, 'delayed', pending.filter((r) => wantsNotice(dsn, r.address, 'DELAY'))
        .map((r) => ({ rcpt: r.address, reply: parseReply(r.lastReply) })));
      meta.delayWarned = true;
    }

    await this.deps.store.tx(async (tx) => {
      if (pending.length > 0) {
        const due = Math.min(...pending.map((r) => r.nextAttemptAt ?? now));
        await tx.queue.settle(e.id, { state: 'retry', nextAttemptAt: due, lastError: pending[0]!.lastReply, meta }, updates);
      } else if (failed.length > 0 && e.sender === '') {
        // A bounce that cannot be delivered: keep it for the admin rather than bounce a bounce.
        await tx.queue.settle(e.id, { state: 'bad', nextAttemptAt: now, lastError: fmt(failed[0]!.reply), meta }, updates);
      } else {
        await tx.queue.settle(e.id, null, updates);
      }
    });
    this.logResults(e, results);
  }

  private logResults(e: QueueEntry, results: readonly RecipientResult[]): void {
    for (const r of results) this.deps.log?.(`${e.id} <${r.rcpt}> ${r.outcome} ${fmt(r.reply)}`);
  }

  /** Queues one notice about `recipients` (none: nothing). RET=HDRS quotes headers only, RET=FULL the whole message. */
  private async notify(e: QueueEntry, dsn: DsnParams, action: DsnAction, recipients: Array<{ rcpt: string; reply: SmtpReply }>): Promise<void> {
    if (recipients.length === 0) return;
    const s = this.deps.settings().queue;
    const original = dsn.ret === 'FULL'
      ? await this.deps.blobs.read(e.blobId)
      : await this.deps.blobs.read(e.blobId, { start: 0, end: 512 * 1024 + s.bounceIncludesBodyBytes });
    const bodyBytes = dsn.ret === 'HDRS' ? 0 : dsn.ret === 'FULL' ? original.length : s.bounceIncludesBodyBytes;
    const raw = buildDsn({
      hostname: this.deps.hostname, to: e.sender, action, arrivalDate: e.createdAt, now: this.deps.clock.now(),
      original, bodyBytes, queueId: String(e.id), ...(dsn.envid ? { envid: dsn.envid } : {}),
      recipients: recipients.map((r) => {
        const orcpt = originalRecipient(dsn, r.rcpt);
        return { rcpt: r.rcpt, reply: r.reply, ...(orcpt ? { originalRecipient: orcpt } : {}) };
      }),
    });
    await this.deps.queue.submit({ sender: '', recipients: [e.sender], raw, state: 'raw', meta: { dsnFor: e.id, action } });
  }
}

const domainOf = (address: string) => address.slice(address.lastIndexOf('@') + 1);

/** Whether results deliver every recipient the entry has (none done before, none left over). */
function doneWith(e: QueueEntry, results: readonly RecipientResult[]): boolean {
  if (results.length !== e.recipients.length || results.some((r) => r.outcome !== 'delivered')) return false;
  const delivered = new Set(results.map((r) => r.rcpt));
  return e.recipients.every((r) => r.state === 'pending' && delivered.has(r.address));
}
const deferred = (rcpt: string, text: string): RecipientResult => ({ rcpt, outcome: 'deferred', reply: { code: 451, enhanced: '4.3.0', text } });

function parseReply(line: string): SmtpReply {
  const m = /^(\d{3}) (\d\.\d{1,3}\.\d{1,3}) (.*)$/.exec(line);
  return m ? { code: Number(m[1]), enhanced: m[2]!, text: m[3]! } : { code: 451, enhanced: '4.0.0', text: line || 'Not yet delivered' };
}
