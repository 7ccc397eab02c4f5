// Bus events between the main process and its SMTP processes (ipc-relay.ts): the main process hears
// every child's events; children hear only the events the main process passes to them (settings
// changes), from it and from each other, never each delivery's mailbox event.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { Bus } from './bus.ts';
import { ChildRelay, ParentRelay, type IpcChannel } from './ipc-relay.ts';

/** Both ends of one IPC channel, delivering at once. */
function channel(): { parentSide: IpcChannel; childSide: IpcChannel } {
  const toChild = new EventEmitter();
  const toParent = new EventEmitter();
  const end = (inbox: EventEmitter, outbox: EventEmitter): IpcChannel => ({
    send: (m, cb) => { outbox.emit('message', structuredClone(m)); cb?.(null); return true; },
    on: (e, l) => inbox.on(e, l),
    off: (e, l) => inbox.off(e, l),
  });
  return { parentSide: end(toParent, toChild), childSide: end(toChild, toParent) };
}

describe('IPC bus relay', () => {
  it('passes children only the events it is told to, and hears all of theirs', async () => {
    const main = new Bus();
    const relay = new ParentRelay(new Set(['settings.changed']));
    main.relayThrough(relay);
    await main.hearRelay();
    const children = [channel(), channel()].map((c) => {
      relay.add(c.parentSide);
      const bus = new Bus();
      bus.relayThrough(new ChildRelay(c.childSide));
      return bus;
    });
    for (const b of children) await b.hearRelay();
    const heard = { main: [] as string[], one: [] as string[], two: [] as string[] };
    main.on('settings.changed', () => heard.main.push('settings'));
    main.on('mailbox.changed', () => heard.main.push('mailbox'));
    children.forEach((b, i) => {
      const list = i === 0 ? heard.one : heard.two;
      b.on('settings.changed', () => list.push('settings'));
      b.on('mailbox.changed', () => list.push('mailbox'));
    });
    const mailbox = { userId: 1, mailboxId: 2, highestmodseq: 3, uidnext: 4 } as never;
    main.emit('mailbox.changed', mailbox);
    main.emit('settings.changed', {});
    children[0]!.emit('mailbox.changed', mailbox);
    children[0]!.emit('settings.changed', {});
    assert.deepEqual(heard.main, ['mailbox', 'settings', 'mailbox', 'settings']);
    assert.deepEqual(heard.one, ['settings', 'mailbox', 'settings']); // the main process's settings, then its own two
    assert.deepEqual(heard.two, ['settings', 'settings']);
  });
});
