/**
 * The conversation view of a folder (FEATURES W4 "conversation view option"): its messages grouped
 * by thread (the stored threadId, mime/summary.ts: the hash of the root Message-ID taken from
 * References, In-Reply-To or the message's own Message-ID), one line per conversation with its
 * count, newest arrival, senders and unread count, paged and sorted like the message list. Built
 * from the stored summaries only (MessageRepo.threads, inThreads): no blob is opened. A
 * conversation is per folder: its replies filed in Sent show in Sent's own conversations.
 */
import type { Message, ThreadSummary } from '../store/store.ts';

/** At most this many senders are named on a conversation's line. */
const MAX_PARTICIPANTS = 4;

/** V: the message line (user-mail.ts MessageView). */
export interface ConversationView<V> {
  /** The conversation's id within the folder (the threadId, or `#<uid>` for a lone message without one). */
  key: string;
  /** The subject of its first message. */
  subject: string;
  /** Senders, oldest first, each once. */
  participants: string[];
  messages: number;
  unread: number;
  flagged: boolean;
  hasAttachment: boolean;
  /** Arrival of the newest message (ms). */
  newestDate: number;
  size: number;
  /** Every uid of it in this folder: the actions (read, star, move, delete) take them all. */
  uids: number[];
  /** Its newest message's line. */
  latest: V;
}

/** The lines of one page: each summary with its messages (all of them from inThreads, in date order). */
export function conversationViews<V>(summaries: readonly ThreadSummary[], messages: readonly Message[], line: (m: Message) => V): Array<ConversationView<V>> {
  const byKey = new Map<string, Message[]>();
  for (const m of messages) {
    const key = m.threadId === '' ? `#${m.uid}` : m.threadId;
    let list = byKey.get(key);
    if (!list) byKey.set(key, (list = []));
    list.push(m);
  }
  const out: Array<ConversationView<V>> = [];
  for (const s of summaries) {
    const list = byKey.get(s.key);
    if (!list || list.length === 0) continue; // expunged between the two reads
    const senders: string[] = [];
    for (const m of list) if (m.from && !senders.includes(m.from) && senders.length < MAX_PARTICIPANTS) senders.push(m.from);
    const latest = list.reduce((a, b) => (b.internalDate > a.internalDate || (b.internalDate === a.internalDate && b.uid > a.uid) ? b : a));
    out.push({
      key: s.key, subject: list[0]!.subject, participants: senders, messages: list.length,
      unread: list.filter((m) => !m.flags.includes('\\Seen')).length,
      flagged: list.some((m) => m.flags.includes('\\Flagged')), hasAttachment: list.some((m) => m.hasAttachment),
      newestDate: latest.internalDate, size: list.reduce((n, m) => n + m.size, 0), uids: list.map((m) => m.uid),
      latest: line(latest),
    });
  }
  return out;
}
