/**
 * Local delivery (FEATURES P11–P13, P17, W14): each recipient is resolved (mailbox aliases, domain
 * aliases, lists, everyone@), then every user it reaches gets a copy in INBOX or the folder a filter
 * chose, under their quota, with Return-Path and Delivered-To as a per-copy header prefix (so the
 * blob is stored once however many mailboxes get it). The user's auto-forward and auto-reply run
 * here too. All of a job's mailbox appends, forwarded copies, replies and the recipients' queue
 * status commit in ONE transaction: a crash either delivered the job's recipients once or not at all.
 * user+tag@ reaches user (the resolver's sub-addressing) and the tag is offered to their filters;
 * postmaster@/abuse@ reach the domain's role accounts (directory/role-accounts.ts). Mail that aliases
 * and forwards send on to other domains gets an SRS envelope sender at the forwarding domain
 * (delivery.srsEnabled; not for senders of our own domains), and mail to an SRS address goes back
 * to the original sender. With antispam.moveSpamToJunk, a message the pipeline marked as spam
 * (our X-Spam-Flag: YES on top; a sender's own was removed) goes to the user's Junk folder unless
 * one of their filters chose a folder. Each stored copy adds to the recipient's daily traffic row
 * (FEATURES A9) in the same transaction.
 */
import type { Settings } from '../../config/settings.ts';
import type { Clock } from '../../core/clock.ts';
import { isMailError } from '../../core/errors.ts';
import type { UserId } from '../../core/ids.ts';
import type { Resolver, UserRef } from '../../directory/resolve.ts';
import type { Srs } from '../../directory/srs.ts';
import type { MailboxService } from '../../mailbox/mailbox-service.ts';
import { headerValues, parseHeaders, summarise } from '../../mime/summary.ts';
import type { PreparedSubmission, QueueService } from '../../queue/queue.ts';
import type { BlobStore } from '../../store/blob-store.ts';
import type { Mailbox, MessageSummary, Store, StoreTx, TrafficCount } from '../../store/store.ts';
import { localDate } from '../../core/log/session-log.ts';
import { reply, type DeliveryJob, type RecipientResult, type Transport } from '../transport.ts';
import { buildAutoreply, shouldAutoreply } from './autoreply.ts';
import { evaluateFilters, type FilterOutcome } from './filters.ts';
import { forwardTargets, markForwarded } from './forward.ts';
import { buildCollectedOverQuotaNotice, buildQuotaWarning } from './quota-warning.ts';
import { defaultUserRules, loadUserRules, type UserRules } from './user-rules.ts';

export interface LocalTransportDeps {
  store: Store;
  blobs: BlobStore;
  resolver: Pick<Resolver, 'resolveRecipient'>;
  queue: QueueService;
  hostname: string;
  clock: Clock;
  settings: () => Readonly<Settings>;
  /** The one append path (folder, quota, row), and the announcement of every mailbox that got mail after the commit. */
  mailboxes: Pick<MailboxService, 'ingestTx' | 'announce'>;
  /** Rewrites the sender of mail forwarded to other domains (delivery.srsEnabled). */
  srs?: Pick<Srs, 'forward'>;
  /** Whether mail for the domain is ours (senders of our domains are never SRS-rewritten). */
  isLocalDomain?: (domain: string) => Promise<boolean>;
  log?: (line: string) => void;
}

/** A message to a recipient, queued after the delivery commits. */
interface Notice {
  to: string;
  /** For the log line when it cannot be queued. */
  what: string;
  raw(): Buffer;
}

/** One user's copy, planned before the transaction. */
interface Copy {
  rcpt: string;
  /** Sub-address tag of rcpt (user+tag@), for filters. */
  tag?: string;
  user: UserRef;
  rules: UserRules;
  filter: FilterOutcome;
  keepCopy: boolean;
  /** Marked as spam and antispam.moveSpamToJunk: file in the \\Junk folder (when no filter chose one). */
  toJunk: boolean;
}

export class LocalTransport implements Transport {
  readonly name = 'local' as const;

  constructor(private readonly deps: LocalTransportDeps) {}

  async deliver(job: DeliveryJob): Promise<RecipientResult[]> {
    const { store, blobs, clock } = this.deps;
    const settings = this.deps.settings();
    const now = clock.now();
    const head = await blobs.read(job.blobId, { start: 0, end: settings.localDelivery.maxHeaderScanBytes });
    const parsed = parseHeaders(head);
    const { headers } = parsed;
    const summary = summarise(head, parsed);
    const header = (name: string) => headerValues(headers, name);

    // Resolve every recipient; a user reached twice (directly and through a list) gets one copy.
    const results = new Map<string, RecipientResult>();
    const copies: Copy[] = [];
    // Remote addresses aliases and lists reach, with the local domain that forwards to them (for SRS).
    const remote = new Map<string, string>();
    const seen = new Set<UserId>();
    for (const rcpt of job.recipients) {
      let r;
      try {
        r = await this.deps.resolver.resolveRecipient(rcpt);
      } catch (err) {
        results.set(rcpt, isMailError(err, 'ALIAS_LOOP')
          ? fail(rcpt, 554, '5.4.6', 'Routing loop detected')
          : { rcpt, outcome: 'deferred', reply: reply(451, '4.3.0', 'Temporary lookup failure') });
        continue;
      }
      if (r.kind === 'unknown') {
        results.set(rcpt, r.reason === 'no-such-user' ? fail(rcpt, 550, '5.1.1', 'No such user here') : fail(rcpt, 550, '5.2.1', 'Mailbox disabled'));
        continue;
      }
      if (r.kind === 'remote') {
        // An address of a local domain that leads elsewhere: a bounce to one of our SRS addresses.
        if (!remote.has(r.address)) remote.set(r.address, '');
        results.set(rcpt, { rcpt, outcome: 'delivered', reply: reply(250, '2.0.0', `Returned to <${r.address}>`) });
        continue;
      }
      for (const a of r.remote) if (!remote.has(a)) remote.set(a, domainOf(rcpt));
      for (const user of r.users) {
        if (seen.has(user.id)) continue;
        seen.add(user.id);
        copies.push(await this.plan(rcpt, user, r.detail, job, summary, header, settings));
      }
      const expanded = r.users.length + r.remote.length > 1;
      results.set(rcpt, { rcpt, outcome: 'delivered', reply: reply(250, '2.0.0', 'Delivered'), ...(expanded ? { expanded } : {}) });
    }

    // Bytes for new messages (forwards, replies) go to the blob store before the transaction.
    const extra: PreparedSubmission[] = [];
    const byForwarder = new Map<string, string[]>();
    for (const [address, forwarder] of remote) byForwarder.set(forwarder, [...(byForwarder.get(forwarder) ?? []), address]);
    for (const [forwarder, recipients] of byForwarder) {
      const sender = forwarder ? await this.srsSender(job.sender, forwarder, settings) : job.sender;
      extra.push({ sender, recipients, blobId: job.blobId, size: job.size, meta: { ...job.meta, via: 'alias' } });
    }
    const replies: Array<{ userId: UserId; sender: string; intervalDays: number; submission: PreparedSubmission }> = [];
    for (const c of copies) {
      const fwd = forwardTargets(c.rules.forward, { recipientAddress: [c.user.address, c.rcpt], sender: job.sender, extra: c.filter.forwardTo, head });
      if (fwd.to.length > 0) {
        const raw = markForwarded(await blobs.read(job.blobId), c.user.address);
        // Forwards that stay inside our domains keep the sender; one remote target means SRS for the copy.
        const leaves = (await Promise.all(fwd.to.map(async (a) => !(await this.deps.isLocalDomain?.(domainOf(a)))))).some(Boolean);
        const sender = leaves ? await this.srsSender(job.sender, domainOf(c.user.address), settings) : job.sender;
        extra.push(await this.deps.queue.prepare({ sender, recipients: fwd.to, raw, meta: { forwardedBy: c.user.address } }));
      }
      c.keepCopy = fwd.keepCopy && !c.filter.discard;
      const lastSent = c.rules.autoreply.enabled
        ? await store.read((tx) => tx.autoreplies.lastSent(c.user.id, job.sender.toLowerCase())) : undefined;
      const decision = shouldAutoreply({ rules: c.rules.autoreply, now, sender: job.sender, recipientAddress: [c.user.address, c.rcpt], headers: header, lastSentAt: lastSent });
      if (decision.send) {
        const raw = await buildAutoreply({ rules: c.rules.autoreply, from: { address: c.user.address }, to: job.sender, original: { subject: summary.subject, messageId: summary.messageIdHeader }, now });
        const submission = await this.deps.queue.prepare({ sender: '', recipients: [job.sender], raw, state: 'raw', meta: { autoreplyFor: c.user.address } });
        replies.push({ userId: c.user.id, sender: job.sender.toLowerCase(), intervalDays: c.rules.autoreply.intervalDays, submission });
      }
    }

    // Notices to the recipients (quota warning, collected mail refused), sent after the commit.
    let notices: Notice[] = [];
    let changed: Mailbox[] = [];
    const day = localDate(new Date(now));
    let received: TrafficCount[] = [];
    await store.tx(async (tx) => {
      notices = [];
      changed = [];
      received = [];
      for (const c of copies) {
        if (!c.keepCopy) continue;
        const outcome = await this.storeCopy(tx, c, job, summary, now, settings, notices);
        if ('rcpt' in outcome) results.set(c.rcpt, outcome);
        else {
          changed.push(outcome);
          received.push({ day, userId: c.user.id, domainId: c.user.domainId, direction: 'in', messages: 1, bytes: job.size });
        }
      }
      // Traffic (A9): one upsert per recipient day row, in this transaction: no sync of its own.
      await tx.traffic.add(received);
      for (const p of extra) await this.deps.queue.enqueue(tx, p);
      for (const r of replies) {
        // Checked again here: two messages from one sender delivered at once must not both get a reply.
        const last = await tx.autoreplies.lastSent(r.userId, r.sender);
        if (last !== undefined && now - last < r.intervalDays * 86400_000) continue;
        await this.deps.queue.enqueue(tx, r.submission);
        await tx.autoreplies.record(r.userId, r.sender, now);
      }
      await job.record(tx, [...results.values()]);
    });
    if (extra.length + replies.length + notices.length > 0) this.deps.queue.wake();
    for (const box of changed) this.deps.mailboxes.announce(box);
    // Notices are advisory: sent after the commit, so a crash may lose one but never delays mail.
    // They pass a full mailbox (quotaWarning), or a nearly full user would never see them.
    for (const n of notices) {
      await this.deps.queue.submit({ sender: '', recipients: [n.to], state: 'raw', meta: { quotaWarning: true }, raw: n.raw() })
        .catch((err) => this.deps.log?.(`${n.what} for ${n.to} not queued: ${String(err)}`));
    }
    for (const r of results.values()) this.deps.log?.(`${job.queueId} <${r.rcpt}> ${r.outcome}: ${r.reply.code} ${r.reply.enhanced} ${r.reply.text}`);
    return [...results.values()];
  }

  /** The envelope sender for mail `forwarder` (a local domain) sends on elsewhere: SRS unless the sender is ours. */
  private async srsSender(sender: string, forwarder: string, settings: Readonly<Settings>): Promise<string> {
    if (!this.deps.srs || !settings.delivery.srsEnabled || sender === '') return sender;
    if (await this.deps.isLocalDomain?.(domainOf(sender))) return sender;
    return this.deps.srs.forward(sender, forwarder);
  }

  private async plan(rcpt: string, user: UserRef, tag: string | undefined, job: DeliveryJob, summary: MessageSummary,
    header: (n: string) => string[], settings: Readonly<Settings>): Promise<Copy> {
    const rules = settings.localDelivery.userRulesEnabled ? await loadUserRules(this.deps.store, user.id) : defaultUserRules();
    const filter = evaluateFilters(rules.filters, {
      from: summary.from, to: summary.to, cc: header('cc').join(', '), subject: summary.subject, size: job.size, header, tag,
    });
    const toJunk = settings.antispam.moveSpamToJunk && filter.folder === undefined && /^yes$/i.test(header('x-spam-flag')[0] ?? '');
    return { rcpt, user, tag, rules, filter, keepCopy: true, toJunk };
  }

  /**
   * A message collected from another server (MultiPOP/DomainPOP) for a full mailbox: there is no
   * sender to bounce it to, so per collect.overQuota it goes to postmaster@ the owner's domain (in
   * this transaction, the blob shared) or is dropped; either way the owner is told after the commit.
   */
  private async collectedOverQuota(tx: StoreTx, c: Copy, job: DeliveryJob, summary: MessageSummary, now: number,
    settings: Readonly<Settings>, notices: Notice[]): Promise<RecipientResult> {
    const postmaster = settings.collect.overQuota === 'postmaster'
      ? `postmaster@${c.user.address.slice(c.user.address.lastIndexOf('@') + 1)}` : undefined;
    if (postmaster) {
      await this.deps.queue.enqueue(tx, { sender: '', recipients: [postmaster], blobId: job.blobId, size: job.size, meta: { overQuotaFor: c.user.address } });
    }
    notices.push({
      to: c.user.address, what: 'over-quota notice',
      raw: () => buildCollectedOverQuotaNotice({ hostname: this.deps.hostname, to: c.user.address, from: summary.from, subject: summary.subject, size: job.size, forwardedTo: postmaster, now }),
    });
    return { rcpt: c.rcpt, outcome: 'delivered', reply: reply(250, '2.0.0', `Mailbox of ${c.user.address} is full: ${postmaster ? `passed to ${postmaster}` : 'collected message deleted'}`) };
  }

  /** Appends one copy and returns the mailbox it went to, or a non-delivered outcome when the quota refuses it. */
  private async storeCopy(tx: StoreTx, c: Copy, job: DeliveryJob, summary: MessageSummary, now: number,
    settings: Readonly<Settings>, notices: Notice[]): Promise<RecipientResult | Mailbox> {
    const headerPrefix = `Return-Path: <${job.sender}>\r\nDelivered-To: ${c.user.address}\r\n`;
    const size = Buffer.byteLength(headerPrefix) + job.size;
    // The quota warning itself must get through, or a nearly full user would never see it.
    // Duplicate removal (P16): the same Message-ID again within the window is stored once.
    const windowMs = settings.localDelivery.duplicateWindowMin * 60_000;
    if (windowMs > 0 && summary.messageIdHeader && !(await tx.deliveredIds.record(c.user.id, summary.messageIdHeader, now, now - windowMs))) {
      this.deps.log?.(`${job.queueId} <${c.rcpt}> duplicate of <${summary.messageIdHeader}> already in ${c.user.address}'s mailbox: stored once`);
      return { rcpt: c.rcpt, outcome: 'delivered', reply: reply(250, '2.0.0', `Duplicate of a message already delivered to ${c.user.address}: stored once`) };
    }
    // The content filter's moveToFolder (queue entry meta.folder) comes after the user's own filters, before Junk.
    const ruleFolder = typeof job.meta.folder === 'string' ? job.meta.folder : undefined;
    const junk = c.toJunk && ruleFolder === undefined ? (await tx.mailboxes.list(c.user.id)).find((m) => m.specialUse === '\\Junk')?.name : undefined;
    const added = await this.deps.mailboxes.ingestTx(tx, c.user.id, c.filter.folder ?? ruleFolder ?? junk ?? 'INBOX',
      { blobId: job.blobId, size, internalDate: now, headerPrefix, flags: c.filter.flags, summary },
      { fallbackToInbox: true, ignoreQuota: job.meta.quotaWarning === true });
    if (!added.ok) {
      if (typeof job.meta.collectedBy === 'string') return this.collectedOverQuota(tx, c, job, summary, now, settings, notices);
      const code = settings.smtp.overQuotaCode;
      return { rcpt: c.rcpt, outcome: code === 552 ? 'failed' : 'deferred', reply: reply(code, code === 552 ? '5.2.2' : '4.2.2', `Mailbox of ${c.user.address} is full`) };
    }
    const { quota } = added;
    const warnAt = settings.localDelivery.quotaWarnPercent;
    if (quota && warnAt > 0 && quota.quotaBytes > 0 && quota.percentAfter >= warnAt
      && (quota.usedBytes * 100) / quota.quotaBytes < warnAt) {
      const { percentAfter: percent, quotaBytes } = quota;
      notices.push({
        to: c.user.address, what: 'quota warning',
        raw: () => buildQuotaWarning({ hostname: this.deps.hostname, to: c.user.address, percent, quotaBytes, now }),
      });
    }
    return added.mailbox;
  }
}

const domainOf = (address: string): string => address.slice(address.lastIndexOf('@') + 1).toLowerCase();

const fail = (rcpt: string, code: number, enhanced: string, text: string): RecipientResult =>
  ({ rcpt, outcome: 'failed', reply: reply(code, enhanced, text) });
