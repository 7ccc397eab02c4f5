/**
 * Bus events between the processes of one node — the main process and its SMTP processes (boot
 * config processes.smtp) — over their IPC channels, as PostgreSQL LISTEN/NOTIFY carries them between
 * nodes (core/bus.ts BusRelay). A child sends its events to the main process, which hears them and
 * passes them on to the other children. Used only when the store has no relay of its own (SQLite).
 */
import type { BusEvents, BusRelay } from './bus.ts';

/** An IPC channel: a child process seen from the main process, or the main process seen from a child. */
export interface IpcChannel {
  send(message: unknown, callback?: (err: Error | null) => void): boolean;
  on(event: 'message', listener: (message: unknown) => void): unknown;
  off(event: 'message', listener: (message: unknown) => void): unknown;
}

const TAG = 'youju.bus';

/** An event on the channel: its text, and its name so the main process can choose who hears it. */
interface Envelope { t: typeof TAG; m: string; e: string }
const isEnvelope = (v: unknown): v is Envelope =>
  typeof v === 'object' && v !== null && (v as Envelope).t === TAG && typeof (v as Envelope).m === 'string';

/** Sends without throwing: a channel that closed (its process is exiting) just misses the event. */
function sendQuietly(channel: IpcChannel, message: string, event: string): void {
  try {
    channel.send({ t: TAG, m: message, e: event } satisfies Envelope, () => undefined);
  } catch {
    // the process at the other end is gone; it resynchronises from the store when it comes back
  }
}

/** The child's side: publish to the main process, hear what it passes on. */
export class ChildRelay implements BusRelay {
  #listener: ((message: unknown) => void) | undefined;

  constructor(private readonly parent: IpcChannel) {}

  publish(message: string, event: keyof BusEvents): void {
    sendQuietly(this.parent, message, event);
  }

  async listen(onMessage: (message: string) => void): Promise<void> {
    this.#listener = (m) => { if (isEnvelope(m)) onMessage(m.m); };
    this.parent.on('message', this.#listener);
  }

  async close(): Promise<void> {
    if (this.#listener) this.parent.off('message', this.#listener);
    this.#listener = undefined;
  }
}

/**
 * The main process's side: its children come and go; each one's events reach the others. Children
 * hear only the events `toChildren` names: an SMTP process has no use for every delivery's
 * mailbox event, and each would cost both processes a message.
 */
export class ParentRelay implements BusRelay {
  readonly #children = new Map<IpcChannel, (message: unknown) => void>();
  #onMessage: ((message: string) => void) | undefined;

  constructor(private readonly toChildren: ReadonlySet<string>) {}

  /** Starts relaying for a child; returns the undo (call it when the child exits). */
  add(child: IpcChannel): () => void {
    const listener = (m: unknown) => {
      if (!isEnvelope(m)) return;
      this.#onMessage?.(m.m);
      if (!this.toChildren.has(m.e)) return;
      for (const other of this.#children.keys()) if (other !== child) sendQuietly(other, m.m, m.e);
    };
    child.on('message', listener);
    this.#children.set(child, listener);
    return () => {
      child.off('message', listener);
      this.#children.delete(child);
    };
  }

  publish(message: string, event: keyof BusEvents): void {
    if (!this.toChildren.has(event)) return;
    for (const child of this.#children.keys()) sendQuietly(child, message, event);
  }

  async listen(onMessage: (message: string) => void): Promise<void> {
    this.#onMessage = onMessage;
  }

  async close(): Promise<void> {
    for (const [child, listener] of this.#children) child.off('message', listener);
    this.#children.clear();
    this.#onMessage = undefined;
  }
}
