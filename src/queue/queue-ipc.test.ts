// The main process's queue offered to an SMTP process over IPC (queue-ipc.ts): a submit from the
// child is stored and queued by the real QueueService and answered with its id; a refusal comes back
// as the same MailError; a main process that goes away fails what was pending (451, never a 250).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { deserialize, serialize } from 'node:v8';
import { fixedClock } from '../core/clock.ts';
import { MailError } from '../core/errors.ts';
import { openTestStore } from '../store/testing.ts';
import { ParentQueue, serveQueue } from './queue-ipc.ts';
import { QueueService, type QueueIntake } from './queue.ts';

/** Two ends of an IPC channel; messages cross as structured clones, as serialization 'advanced' sends them. */
function channelPair() {
  const end = () => Object.assign(new EventEmitter(), { peer: undefined as unknown as EventEmitter, open: true });
  const a = end();
  const b = end();
  a.peer = b;
  b.peer = a;
  const sender = (from: typeof a) => (m: unknown, cb?: (err: Error | null) => void) => {
    if (!from.open) { cb?.(new Error('channel closed')); return false; }
    const copy = deserialize(serialize(m));
    setImmediate(() => { from.peer.emit('message', copy); cb?.(null); });
    return true;
  };
  return {
    parent: Object.assign(a, { send: sender(a) }),
    child: Object.assign(b, { send: sender(b) }),
    /** The main process goes away. */
    cut() { a.open = false; b.open = false; a.emit('disconnect'); },
  };
}

describe('queue over IPC', () => {
  it('queues a child\'s message in the main process, durable when the child hears its id', async () => {
    const clock = fixedClock(Date.UTC(2026, 11, 4));
    const stores = await openTestStore('sqlite', { now: clock.now });
    try {
      const queue = new QueueService(stores.store, stores.blobs, clock);
      const pair = channelPair();
      const unserve = serveQueue(pair.child, queue);
      const intake = new ParentQueue(pair.parent);
      const raw = Buffer.from('Subject: over IPC\r\n\r\nbody\r\n');
      const id = await intake.submit({ sender: 'a@remote.test', recipients: ['bob@example.cn'], raw, meta: { listener: 'mx' } });
      const [one, two] = await intake.submitAll([
        { sender: '', recipients: ['x@example.cn'], raw: Buffer.from('x') },
        { sender: '', recipients: ['y@example.cn'], raw: Buffer.from('y') },
      ]);
      const entries = await stores.store.read((tx) => tx.queue.list({ limit: 10 }));
      assert.deepEqual(entries.map((e) => e.id).sort(), [id, one, two].sort());
      const entry = entries.find((e) => e.id === id)!;
      assert.deepEqual(entry.recipients.map((r) => r.address), ['bob@example.cn']);
      assert.deepEqual(entry.meta, { listener: 'mx' });
      assert.deepEqual(await stores.blobs.read(entry.blobId), raw);
      unserve();
    } finally {
      await stores.close();
    }
  });

  it('hands a refusal back as the same MailError, and fails what is pending when the main process goes', async () => {
    const pair = channelPair();
    let hold: (() => void) | undefined;
    const refusing: QueueIntake = {
      submit: async () => { throw new MailError('QUOTA_EXCEEDED', 'mailbox full', { details: { field: 'quota' } }); },
      submitAll: () => new Promise((_resolve, reject) => { hold = () => reject(new Error('never answered')); }),
    };
    serveQueue(pair.child, refusing);
    const intake = new ParentQueue(pair.parent);
    await assert.rejects(intake.submit({ sender: '', recipients: ['a@b.c'], raw: Buffer.from('x') }),
      (err: unknown) => err instanceof MailError && err.code === 'QUOTA_EXCEEDED' && err.message === 'mailbox full' && err.details?.field === 'quota');
    const pending = intake.submitAll([{ sender: '', recipients: ['a@b.c'], raw: Buffer.from('x') }]);
    await new Promise((r) => setImmediate(r));
    pair.cut();
    await assert.rejects(pending, (err: unknown) => err instanceof MailError && err.code === 'STORE_UNAVAILABLE');
    await assert.rejects(intake.submit({ sender: '', recipients: ['a@b.c'], raw: Buffer.from('x') }),
      (err: unknown) => err instanceof MailError && err.code === 'STORE_UNAVAILABLE');
    hold?.();
  });
});

describe('queue over IPC: a main process that does not answer', () => {
  it('fails the submit after answerTimeoutMs (451 to the client), ignores a late answer, and serves the next one', async () => {
    const pair = channelPair();
    const held: Array<(ids: string[]) => void> = [];
    let next = 0;
    const slow: QueueIntake = {
      // The first submit hangs (a hung main process); the ones after it answer at once.
      submit: () => (next++ === 0 ? new Promise((resolve) => held.push((ids) => resolve(ids[0] as never))) : Promise.resolve('Q2' as never)),
      submitAll: async () => [],
    };
    serveQueue(pair.child, slow);
    const intake = new ParentQueue(pair.parent, { answerTimeoutMs: 50 });
    const keepAlive = setInterval(() => undefined, 1000); // the queue's timer does not hold a process open
    try {
      const started = Date.now();
      await assert.rejects(intake.submit({ sender: '', recipients: ['a@b.c'], raw: Buffer.from('x') }),
        (err: unknown) => err instanceof MailError && err.code === 'STORE_UNAVAILABLE' && /did not answer within/.test(err.message));
      assert.ok(Date.now() - started >= 45, 'not before the timeout');
      held[0]!(['Q1']); // the late answer arrives and is dropped
      await new Promise((r) => setTimeout(r, 10));
      assert.equal(await intake.submit({ sender: '', recipients: ['a@b.c'], raw: Buffer.from('y') }), 'Q2');
    } finally {
      clearInterval(keepAlive);
    }
  });
});
