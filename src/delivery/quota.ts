/**
 * Mailbox quotas (FEATURES P13): a user's size and message-count limits (0 = unlimited) against
 * what their mailboxes hold. SMTP asks at RCPT time (to answer 552 or 452 early) and local delivery
 * asks again when it stores the message; both go through here.
 */
import type { UserId } from '../core/ids.ts';
import type { Store, StoreTx } from '../store/store.ts';

export interface QuotaCheck {
  allowed: boolean;
  /** What the mailboxes hold; not counted (0) for a user with neither limit. */
  usedBytes: number;
  quotaBytes: number;
  usedMessages: number;
  quotaMessages: number;
  /** Percentage of the byte quota in use after this message (0 when unlimited). */
  percentAfter: number;
}

export async function checkQuotaTx(tx: StoreTx, userId: UserId, incomingBytes: number): Promise<QuotaCheck | undefined> {
  const user = await tx.users.get(userId);
  if (!user) return undefined;
  const unlimited = user.quotaBytes <= 0 && user.quotaMessages <= 0;
  const used = unlimited ? { bytes: 0, messages: 0 } : await tx.users.usage(userId);
  const overBytes = user.quotaBytes > 0 && used.bytes + incomingBytes > user.quotaBytes;
  const overCount = user.quotaMessages > 0 && used.messages + 1 > user.quotaMessages;
  return {
    allowed: !overBytes && !overCount,
    usedBytes: used.bytes,
    quotaBytes: user.quotaBytes,
    usedMessages: used.messages,
    quotaMessages: user.quotaMessages,
    percentAfter: user.quotaBytes > 0 ? Math.round(((used.bytes + incomingBytes) * 100) / user.quotaBytes) : 0,
  };
}

export class QuotaService {
  constructor(private readonly store: Store) {}

  check(userId: UserId, incomingBytes: number): Promise<QuotaCheck | undefined> {
    return this.store.read((tx) => checkQuotaTx(tx, userId, incomingBytes));
  }
}
