/**
 * The queue of the main process, offered to its SMTP processes (boot config processes.smtp) over
 * their IPC channels: a child hands each accepted message to the main process, which stores and
 * queues it (QueueService.submit, durable when it answers) and delivers it with its own runner. One
 * process writes the mail, so SQLite's single writer never makes the children wait for each other
 * and one group commit takes the messages of every child; the children spend their core on the
 * SMTP sessions and the protection pipeline. The child answers 250 only once the main process said
 * the entry is committed; a main process that goes away fails the pending submits (451), and so
 * does one that has not answered within answerTimeoutMs (hung: its clients are told to try later
 * rather than wait until their own timeout; if it commits after all, the retry is a duplicate, never
 * a loss).
 */
import { isMailError, MailError, type ErrorCode } from '../core/errors.ts';
import type { QueueId } from '../core/ids.ts';
import type { IpcChannel } from '../core/ipc-relay.ts';
import type { QueueIntake, Submission } from './queue.ts';

const TAG = 'youju.queue';

type Request = { t: typeof TAG; id: number; subs: Submission[]; all: boolean };
type Reply = { t: typeof TAG; id: number; ids?: QueueId[]; error?: { code: ErrorCode; message: string; details?: Record<string, unknown> } };

const isRequest = (v: unknown): v is Request => typeof v === 'object' && v !== null && (v as Request).t === TAG && Array.isArray((v as Request).subs);
const isReply = (v: unknown): v is Reply => typeof v === 'object' && v !== null && (v as Reply).t === TAG && !('subs' in (v as object));

/** IPC may hand a Buffer over as a plain Uint8Array: the bytes, as a Buffer again, without a copy. */
const asBuffer = (b: Uint8Array): Buffer => (Buffer.isBuffer(b) ? b : Buffer.from(b.buffer, b.byteOffset, b.byteLength));

/** The main process's side: answers one child's submits with `queue`. Returns the undo. */
export function serveQueue(child: IpcChannel, queue: QueueIntake): () => void {
  const listener = (m: unknown) => {
    if (!isRequest(m)) return;
    const subs = m.subs.map((s) => ({ ...s, raw: asBuffer(s.raw) }));
    const done = m.all ? queue.submitAll(subs) : queue.submit(subs[0]!).then((id) => [id]);
    done.then((ids) => answer(child, { t: TAG, id: m.id, ids }), (err: unknown) => answer(child, {
      t: TAG, id: m.id,
      error: isMailError(err) ? { code: err.code, message: err.message, ...(err.details ? { details: err.details } : {}) } : { code: 'INTERNAL', message: String((err as Error)?.message ?? err) },
    }));
  };
  child.on('message', listener);
  return () => child.off('message', listener);
}

/** A child that is gone misses its answer; the client it was for got no 250 and sends again. */
function answer(child: IpcChannel, reply: Reply): void {
  try {
    child.send(reply, () => undefined);
  } catch {
    // the channel closed
  }
}

/** The main process seen from a child: its IPC channel, which says when it goes away. */
export type ParentChannel = IpcChannel & { once(event: 'disconnect', listener: () => void): unknown };

/** How long a child waits for the main process to answer a submit: far beyond a slow disk's commit, well within a client's 10 minutes for the end of DATA (RFC 5321 §4.5.3.2.6). */
const ANSWER_TIMEOUT_MS = 120_000;

/** The child's side: the queue of the main process. */
export class ParentQueue implements QueueIntake {
  #next = 1;
  readonly #pending = new Map<number, { resolve: (ids: QueueId[]) => void; reject: (err: Error) => void; timer: NodeJS.Timeout }>();
  readonly #timeoutMs: number;

  constructor(private readonly parent: ParentChannel, opts: { answerTimeoutMs?: number } = {}) {
    this.#timeoutMs = opts.answerTimeoutMs ?? ANSWER_TIMEOUT_MS;
    parent.on('message', (m) => {
      if (!isReply(m)) return;
      const p = this.#pending.get(m.id);
      if (!p) return;
      this.#pending.delete(m.id);
      clearTimeout(p.timer);
      if (m.error) p.reject(new MailError(m.error.code, m.error.message, m.error.details ? { details: m.error.details } : {}));
      else p.resolve(m.ids ?? []);
    });
    parent.once('disconnect', () => this.#failAll());
  }

  async submit(s: Submission): Promise<QueueId> {
    const [id] = await this.#ask([s], false);
    if (id === undefined) throw new MailError('INTERNAL', 'the main process queued nothing');
    return id;
  }

  submitAll(subs: Submission[]): Promise<QueueId[]> {
    return this.#ask(subs, true);
  }

  #ask(subs: Submission[], all: boolean): Promise<QueueId[]> {
    const id = this.#next++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => this.#fail(id, `the main process did not answer within ${Math.round(this.#timeoutMs / 1000)} s`), this.#timeoutMs);
      timer.unref();
      this.#pending.set(id, { resolve, reject, timer });
      try {
        this.parent.send({ t: TAG, id, subs, all } satisfies Request, (err) => {
          if (err) this.#fail(id, 'the main process is gone');
        });
      } catch {
        this.#fail(id, 'the main process is gone');
      }
    });
  }

  /** Fails one pending submit (its answer, should it come later, is ignored). */
  #fail(id: number, why: string): void {
    const p = this.#pending.get(id);
    if (!p) return;
    this.#pending.delete(id);
    clearTimeout(p.timer);
    p.reject(new MailError('STORE_UNAVAILABLE', why));
  }

  #failAll(): void {
    for (const id of [...this.#pending.keys()]) this.#fail(id, 'the main process is gone');
  }
}
