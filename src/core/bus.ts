/**
 * The in-process event bus: services announce mailbox changes so IMAP IDLE, POP3 and webmail push
 * hear of them at once (FEATURES P9). Events carry ids and counters, never message content. A
 * cluster relays the same events between nodes through PostgreSQL LISTEN/NOTIFY (DESIGN §5; to come).
 */
import { EventEmitter } from 'node:events';
import type { MailboxId, UserId } from './ids.ts';

export interface BusEvents {
  /** Something in the mailbox changed: new messages, flags, expunges. highestmodseq is the new value. */
  'mailbox.changed': { userId: UserId; mailboxId: MailboxId; highestmodseq: number; uidnext: number };
  /** A user's folder list changed (create, rename, delete, subscribe). */
  'mailboxes.changed': { userId: UserId };
}

export class Bus {
  private readonly emitter = new EventEmitter();

  constructor() {
    this.emitter.setMaxListeners(0); // one listener per IDLE session: thousands are normal
  }

  emit<K extends keyof BusEvents>(event: K, payload: BusEvents[K]): void {
    this.emitter.emit(event, payload);
  }

  on<K extends keyof BusEvents>(event: K, listener: (payload: BusEvents[K]) => void): () => void {
    this.emitter.on(event, listener);
    return () => this.emitter.off(event, listener);
  }
}
