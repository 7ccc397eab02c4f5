/**
 * What one round of delivery results does to a queue entry's recipients (FEATURES P5), computed in
 * one place for the runner and for local delivery, which records its recipients in the same
 * transaction as its mailbox appends (so a crash delivers each recipient once or not at all): the
 * new state and reply, the next attempt of a deferral from its attempt count (schedule.ts), and a
 * deferral older than queue.maxAgeHours turned into a failure with 4.4.7 (RFC 3463).
 */
import type { QueueSettings } from '../config/schema/queue.ts';
import type { RecipientOutcome, RecipientResult, SmtpReply } from '../delivery/transport.ts';
import type { QueueEntry, QueueRecipient } from '../store/store.ts';
import { isExpired, nextAttemptAt } from './schedule.ts';

export interface RecipientUpdate extends Pick<QueueRecipient, 'address' | 'lastReply' | 'nextAttemptAt'> {
  state: RecipientOutcome;
  /** The reply as it stands after the expiry rule (for DSNs). */
  reply: SmtpReply;
}

export const formatReply = (r: SmtpReply): string => `${r.code} ${r.enhanced} ${r.text}`;

export function recipientUpdates(entry: Pick<QueueEntry, 'createdAt' | 'recipients'>, results: readonly RecipientResult[], now: number,
  settings: Pick<QueueSettings, 'retryScheduleMin' | 'maxAgeHours'>): RecipientUpdate[] {
  const expired = isExpired(now, entry.createdAt, settings);
  const attemptsOf = new Map(entry.recipients.map((r) => [r.address, r.attempts]));
  return results.map((r) => {
    let { outcome, reply } = r;
    if (outcome === 'deferred' && expired) {
      outcome = 'failed';
      reply = { ...reply, enhanced: '4.4.7', text: `Delivery time expired: ${reply.text}` };
    }
    const attempts = (attemptsOf.get(r.rcpt) ?? 0) + 1;
    return {
      address: r.rcpt, state: outcome, reply, lastReply: formatReply(reply),
      nextAttemptAt: outcome === 'deferred' ? nextAttemptAt(now, attempts, settings) : null,
    };
  });
}

/** The columns the store records. */
export const recipientRow = (u: RecipientUpdate): Pick<QueueRecipient, 'address' | 'state' | 'lastReply' | 'nextAttemptAt'> =>
  ({ address: u.address, state: u.state, lastReply: u.lastReply, nextAttemptAt: u.nextAttemptAt });
