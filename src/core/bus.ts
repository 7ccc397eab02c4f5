/**
 * The in-process event bus: services announce mailbox changes so IMAP IDLE, POP3 and webmail push
 * hear of them at once (FEATURES P9). Events carry ids and counters, never message content. A
 * cluster relays the same events between nodes (DESIGN §5) through a BusRelay — PostgreSQL
 * LISTEN/NOTIFY, from the store: every event emitted here is published, and the other nodes'
 * events are emitted here as if local (each node skips its own).
 */
import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { MailboxId, UserId } from './ids.ts';

export interface BusEvents {
  /** Something in the mailbox changed: new messages, flags, expunges. highestmodseq is the new value. */
  'mailbox.changed': { userId: UserId; mailboxId: MailboxId; highestmodseq: number; uidnext: number };
  /** A user's folder list changed (create, rename, delete, subscribe). */
  'mailboxes.changed': { userId: UserId };
  /** Runtime settings changed: every process and node reads them again now, not at its next poll. */
  'settings.changed': Record<string, never>;
  /**
   * This node only, never relayed: the relay from the other nodes was down and is back, so events
   * may have been missed; whoever keeps state from events looks at the store again.
   */
  'cluster.resync': Record<string, never>;
}

/** Carries bus events between the nodes of a cluster. */
export interface BusRelay {
  /** Sends one event (text; `event` is its name) to every node listening, this one included. Never throws. */
  publish(message: string, event: keyof BusEvents): void;
  /**
   * Starts delivering every node's events to onMessage, until the relay is closed; onReconnect is
   * told each time delivery resumes after the relay lost its connection (events in between are lost).
   */
  listen(onMessage: (message: string) => void, onReconnect?: () => void): Promise<void>;
  close(): Promise<void>;
}

const EVENTS: ReadonlySet<string> = new Set<keyof BusEvents>(['mailbox.changed', 'mailboxes.changed', 'settings.changed']);

export class Bus {
  private readonly emitter = new EventEmitter();
  private readonly node = randomUUID();
  private relay: BusRelay | undefined;
  private hearing = false;

  constructor() {
    this.emitter.setMaxListeners(0); // one listener per IDLE session: thousands are normal
  }

  emit<K extends keyof BusEvents>(event: K, payload: BusEvents[K]): void {
    this.emitter.emit(event, payload);
    if (EVENTS.has(event)) this.relay?.publish(JSON.stringify({ node: this.node, event, payload }), event);
  }

  /** Publishes this node's events through the relay from now on (a CLI command only publishes). */
  relayThrough(relay: BusRelay): void {
    this.relay = relay;
  }

  /** Whether events already travel through a relay (a cluster store's). */
  get relayed(): boolean {
    return this.relay !== undefined;
  }

  /** Emits the other nodes' events here too (a server node). */
  async hearRelay(): Promise<void> {
    if (!this.relay || this.hearing) return;
    this.hearing = true;
    await this.relay.listen((message) => {
      let m: { node?: unknown; event?: unknown; payload?: unknown };
      try {
        m = JSON.parse(message) as typeof m;
      } catch {
        return;
      }
      if (m.node === this.node || typeof m.event !== 'string' || !EVENTS.has(m.event) || typeof m.payload !== 'object' || m.payload === null) return;
      this.emitter.emit(m.event, m.payload);
    }, () => this.emitter.emit('cluster.resync', {}));
  }

  on<K extends keyof BusEvents>(event: K, listener: (payload: BusEvents[K]) => void): () => void {
    this.emitter.on(event, listener);
    return () => this.emitter.off(event, listener);
  }

  /** How many listeners an event has (a stopped role must leave none behind). */
  listenerCount(event: keyof BusEvents): number {
    return this.emitter.listenerCount(event);
  }
}
