import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Bus, type BusRelay } from './bus.ts';
import type { MailboxId, UserId } from './ids.ts';

/** A relay joining buses in one process, as PostgreSQL joins nodes (every listener gets every message). */
function fakeNetwork(): () => BusRelay {
  const listeners: Array<(m: string) => void> = [];
  return () => ({
    publish: (m) => { for (const l of listeners) l(m); },
    listen: async (on) => { listeners.push(on); },
    close: async () => undefined,
  });
}

const event = { userId: 1 as UserId, mailboxId: 2 as MailboxId, highestmodseq: 3, uidnext: 4 };

describe('Bus relay', () => {
  it('delivers one node\'s events to the others once, and not back to itself', async () => {
    const net = fakeNetwork();
    const [a, b] = [new Bus(), new Bus()];
    const relayA = net();
    a.relayThrough(relayA);
    b.relayThrough(net());
    await a.hearRelay();
    await b.hearRelay();
    await a.hearRelay(); // a second call does not listen twice
    const heard = { a: 0, b: 0 };
    a.on('mailbox.changed', () => heard.a++);
    b.on('mailbox.changed', (e) => { heard.b++; assert.deepEqual(e, event); });
    a.emit('mailbox.changed', event);
    assert.deepEqual(heard, { a: 1, b: 1 });
    relayA.publish('not json', 'mailbox.changed');
    relayA.publish(JSON.stringify({ node: 'x', event: 'process.exit', payload: {} }), 'mailbox.changed');
    assert.deepEqual(heard, { a: 1, b: 1 }, 'malformed and unknown events are ignored');
  });

  it('announces a resync when the relay comes back, and never relays that', async () => {
    let reconnect: (() => void) | undefined;
    const published: string[] = [];
    const bus = new Bus();
    bus.relayThrough({ publish: (m) => published.push(m), listen: async (_on, again) => { reconnect = again; }, close: async () => undefined });
    await bus.hearRelay();
    let resyncs = 0;
    bus.on('cluster.resync', () => resyncs++);
    reconnect?.();
    assert.equal(resyncs, 1);
    bus.emit('cluster.resync', {});
    assert.deepEqual(published, [], 'a node\'s own resync is nobody else\'s business');
  });
});
