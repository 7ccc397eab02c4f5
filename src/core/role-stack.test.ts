import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { RoleStack } from './role-stack.ts';

describe('RoleStack', () => {
  it('stops roles in reverse order, once', async () => {
    const order: string[] = [];
    const stack = new RoleStack();
    for (const name of ['a', 'b', 'c']) await stack.start(name, async () => ({ value: name, stop: () => { order.push(name); } }));
    await Promise.all([stack.stop(), stack.stop()]);
    assert.deepEqual(order, ['c', 'b', 'a']);
  });

  it('stops what was started when a later start fails, and rethrows', async () => {
    const order: string[] = [];
    const stack = new RoleStack();
    await stack.start('store', async () => ({ value: 1, stop: () => { order.push('store'); } }));
    await stack.start('smtp', async () => ({ value: 2, stop: async () => { order.push('smtp'); } }));
    await assert.rejects(stack.start('imap', async () => { throw new Error('EADDRINUSE'); }), /EADDRINUSE/);
    assert.deepEqual(order, ['smtp', 'store']);
  });

  it('goes on stopping the others when one stop fails, and reports it', async () => {
    const order: string[] = [];
    const failed: string[] = [];
    const stack = new RoleStack((name) => failed.push(name));
    stack.push('a', () => { order.push('a'); });
    stack.push('b', () => { throw new Error('boom'); });
    stack.push('c', () => { order.push('c'); });
    await stack.stop();
    assert.deepEqual(order, ['c', 'a']);
    assert.deepEqual(failed, ['b']);
  });
});
