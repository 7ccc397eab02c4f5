import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConnectionLimits, Semaphore } from './connection-limits.ts';

const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('Semaphore', () => {
  it('grants up to the limit and queues the rest in order', async () => {
    const s = new Semaphore(() => 2);
    const order: number[] = [];
    const releases = await Promise.all([s.acquire(), s.acquire()]);
    const third = s.acquire().then((r) => { order.push(3); return r; });
    const fourth = s.acquire().then((r) => { order.push(4); return r; });
    await tick();
    assert.deepEqual([s.active, s.waiting, order], [2, 2, []]);
    releases[0]?.();
    releases[0]?.(); // a second call is harmless
    await tick();
    assert.deepEqual([s.active, order], [2, [3]]);
    releases[1]?.();
    (await third)();
    (await fourth)();
    assert.deepEqual([s.active, s.waiting, order], [0, 0, [3, 4]]);
  });

  it('reads the limit again when a slot frees (settings reload)', async () => {
    let limit = 1;
    const s = new Semaphore(() => limit);
    const first = await s.acquire();
    const waiting = [s.acquire(), s.acquire()];
    limit = 3;
    first();
    const [a, b] = await Promise.all(waiting);
    assert.equal(s.active, 2);
    a?.();
    b?.();
  });

  it('rejects a waiter whose signal aborts and forgets it', async () => {
    const s = new Semaphore(() => 1);
    const held = await s.acquire();
    const ac = new AbortController();
    const p = s.acquire(ac.signal);
    ac.abort(new Error('stop'));
    await assert.rejects(p, /stop/);
    assert.equal(s.waiting, 0);
    held();
    assert.equal(s.active, 0);
  });
});

describe('ConnectionLimits', () => {
  it('limits per domain and node-wide together', async () => {
    const limits = new ConnectionLimits({ global: () => 3, perDomain: () => 2 });
    const a1 = await limits.acquire('a.test');
    const a2 = await limits.acquire('a.test');
    let a3Granted = false;
    const a3 = limits.acquire('a.test').then((r) => { a3Granted = true; return r; });
    const b1 = await limits.acquire('b.test');
    await tick();
    assert.equal(a3Granted, false, 'third a.test connection waits for its domain');
    assert.equal(limits.active, 3);
    let b2Granted = false;
    const b2 = limits.acquire('b.test').then((r) => { b2Granted = true; return r; });
    await tick();
    assert.equal(b2Granted, false, 'node-wide limit reached');
    a1();
    await tick();
    assert.equal(b2Granted, true, 'the freed node-wide slot goes to the first waiter for it');
    assert.equal(a3Granted, false, 'a.test has its domain slot back but waits for a node-wide one');
    a2();
    b1();
    (await a3)();
    (await b2)();
    assert.equal(limits.active, 0);
  });
});
