// The queue runner with scripted transports and a moving clock: routing by domain, the retry
// schedule, one delay notice after delayWarningHours, expiry into a 4.4.7 bounce after maxAgeHours,
// no bounce for the null sender (the entry goes to `bad`), and priority entries first.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { settingsFrom } from '../config/settings.ts';
import { fixedClock } from '../core/clock.ts';
import type { DeliveryJob, RecipientResult, Transport } from '../delivery/transport.ts';
import type { Store } from '../store/store.ts';
import { openTestStore } from '../store/testing.ts';
import { QueueService } from './queue.ts';
import { QueueRunner } from './runner.ts';

/** A transport that answers by script; `recordIn` makes it record its results in a transaction of its own, as local delivery does. */
function scripted(name: 'local' | 'smtp', answer: (rcpt: string) => RecipientResult['outcome'], recordIn?: Store) {
  const calls: DeliveryJob[] = [];
  const t: Transport = {
    name,
    async deliver(job) {
      calls.push(job);
      const results = job.recipients.map((rcpt): RecipientResult => {
        const outcome = answer(rcpt);
        const code = outcome === 'delivered' ? 250 : outcome === 'deferred' ? 451 : 550;
        return { rcpt, outcome, reply: { code, enhanced: `${String(code)[0]}.0.0`, text: `${outcome} by script` } };
      });
      if (recordIn) await recordIn.tx((tx) => job.record(tx, results));
      return results;
    },
  };
  return { t, calls };
}

async function setup(answers: { local?: (r: string) => RecipientResult['outcome']; remote?: (r: string) => RecipientResult['outcome'] }) {
  const clock = fixedClock(Date.UTC(2026, 10, 1));
  const stores = await openTestStore('sqlite', { now: clock.now });
  const queue = new QueueService(stores.store, stores.blobs, clock);
  const local = scripted('local', answers.local ?? (() => 'delivered'), stores.store);
  const remote = scripted('smtp', answers.remote ?? (() => 'delivered'));
  const settings = settingsFrom({ 'queue.retryScheduleMin': [15, 60], 'queue.delayWarningHours': [4], 'queue.maxAgeHours': 24 });
  const runner = new QueueRunner({
    store: stores.store, blobs: stores.blobs, queue, clock, hostname: 'mx.test', node: 'n1', settings: () => settings,
    isLocalDomain: async (d) => d === 'local.test', local: local.t, remote: remote.t,
  });
  const submit = (sender: string, recipients: string[], priority = 0) =>
    queue.submit({ sender, recipients, raw: Buffer.from(`Subject: t\r\n\r\nbody ${Math.random()}\r\n`), priority });
  return { clock, stores, queue, runner, local, remote, submit, list: () => stores.store.read((tx) => tx.queue.list({})) };
}

describe('QueueRunner', () => {
  it('takes entries submitted on its node straight from submit(), leased to it, with no claim pass', async () => {
    const s = await setup({});
    try {
      await s.runner.start();
      let claims = 0;
      const claim = s.stores.store.tx.bind(s.stores.store);
      // Count claim passes: each is a transaction calling tx.queue.claim.
      (s.stores.store as { tx: typeof claim }).tx = (fn) => claim((tx) => fn(new Proxy(tx, {
        get: (t, k) => (k === 'queue' ? new Proxy(t.queue, { get: (q, m) => (m === 'claim' ? (...a: unknown[]) => { claims += 1; return (q.claim as (...x: unknown[]) => unknown)(...a); } : q[m as keyof typeof q]) }) : t[k as keyof typeof t]),
      })));
      await s.submit('a@local.test', ['b@local.test', 'b@local.test', 'c@local.test']);
      for (let i = 0; i < 50 && (await s.list()).length > 0; i++) await new Promise((r) => setTimeout(r, 10));
      assert.deepEqual(await s.list(), [], 'delivered and settled');
      assert.deepEqual(s.local.calls[0]?.recipients, ['b@local.test', 'c@local.test'], 'each recipient once');
      assert.equal(claims, 0, 'no claim pass was needed');
      // A holding entry is not handed over (it waits for an admin).
      await s.queue.submit({ sender: 'a@local.test', recipients: ['b@local.test'], raw: Buffer.from('Subject: h\r\n\r\nx\r\n'), state: 'holding' });
      const [held] = await s.list();
      assert.equal(held?.state, 'holding');
      assert.equal(held?.leaseOwner, null);
    } finally {
      await s.runner.stop();
      await s.stores.close();
    }
  });

  it('gives back the leases of handed-over entries it had not started when it stops', async () => {
    const s = await setup({});
    let release!: () => void;
    const blocked = new Promise<void>((r) => { release = r; });
    const deliver = s.local.t.deliver.bind(s.local.t);
    (s.local.t as { deliver: Transport['deliver'] }).deliver = async (job, signal) => { await blocked; return deliver(job, signal); };
    const one = settingsFrom({ 'queue.runnerConcurrency': 1 });
    (s.runner as unknown as { deps: { settings: () => unknown } }).deps.settings = () => one;
    try {
      await s.runner.start();
      await s.submit('a@local.test', ['b@local.test']); // delivering, held up
      await s.submit('a@local.test', ['c@local.test']); // handed over, waiting for the one slot
      assert.deepEqual((await s.list()).map((e) => e.leaseOwner), ['n1', 'n1']);
      const stopped = s.runner.stop();
      release();
      await stopped;
      const left = await s.list();
      assert.equal(left.length, 1, 'the one in flight was finished');
      assert.deepEqual(left[0]!.recipients.map((r) => r.address), ['c@local.test']);
      assert.equal(left[0]!.leaseOwner, null, 'the waiting one is free for any node');
    } finally {
      await s.stores.close();
    }
  });

  it('routes local and remote recipients and deletes the entry when all are done', async () => {
    const s = await setup({});
    try {
      await s.submit('a@local.test', ['b@local.test', 'c@remote.test']);
      assert.equal(await s.runner.runOnce(), 1);
      assert.deepEqual(s.local.calls[0]?.recipients, ['b@local.test']);
      assert.deepEqual(s.remote.calls[0]?.recipients, ['c@remote.test']);
      assert.deepEqual(await s.list(), []);
    } finally { await s.stores.close(); }
  });

  it('retries on the schedule, warns once after 4 h, and bounces with 4.4.7 after 24 h', async () => {
    const s = await setup({ remote: () => 'deferred' });
    try {
      const id = await s.submit('a@local.test', ['c@remote.test']);
      await s.runner.runOnce();
      let e = (await s.list()).find((x) => x.id === id)!;
      assert.equal(e.state, 'retry');
      assert.equal(e.nextAttemptAt, s.clock.now() + 15 * 60_000);
      assert.equal(await s.runner.runOnce(), 0, 'not due yet');

      s.clock.advance(15 * 60_000);
      await s.runner.runOnce();
      e = (await s.list()).find((x) => x.id === id)!;
      assert.equal(e.nextAttemptAt, s.clock.now() + 60 * 60_000, 'second interval');

      s.clock.advance(4 * 3600_000);
      await s.runner.runOnce(); // retry + the delay notice, queued as a new raw entry
      const notices = (await s.list()).filter((x) => x.meta.action === 'delayed');
      assert.equal(notices.length, 1);
      assert.match((await s.stores.blobs.read(notices[0]!.blobId)).toString(), /Action: delayed/);
      await s.runner.runOnce(); // delivers the notice to a@local.test (local transport)
      s.clock.advance(3600_000);
      await s.runner.runOnce();
      assert.equal((await s.list()).filter((x) => x.meta.action === 'delayed').length, 0, 'only one notice');

      s.clock.advance(24 * 3600_000);
      await s.runner.runOnce();
      assert.equal((await s.list()).some((x) => x.id === id), false, 'expired entry is gone');
      const bounce = (await s.list()).find((x) => x.meta.action === 'failed')!;
      assert.deepEqual(bounce.recipients.map((r) => r.address), ['a@local.test']);
      assert.match((await s.stores.blobs.read(bounce.blobId)).toString(), /Status: 4\.4\.7/);
    } finally { await s.stores.close(); }
  });

  it('never bounces a bounce: a failing null-sender entry waits in bad', async () => {
    const s = await setup({ remote: () => 'failed' });
    try {
      const id = await s.submit('', ['c@remote.test']);
      await s.runner.runOnce();
      const entries = await s.list();
      assert.equal(entries.length, 1);
      assert.equal(entries[0]!.id, id);
      assert.equal(entries[0]!.state, 'bad');
    } finally { await s.stores.close(); }
  });

  it('claims priority mail first', async () => {
    const s = await setup({});
    try {
      await s.submit('a@local.test', ['x@remote.test']);
      await s.submit('a@local.test', ['y@remote.test'], 1);
      const claimed = await s.stores.store.tx((tx) => tx.queue.claim('n2', ['inbound'], 10, s.clock.now(), 1000));
      assert.deepEqual(claimed.map((e) => e.recipients[0]!.address), ['y@remote.test', 'x@remote.test']);
    } finally { await s.stores.close(); }
  });

  it('gives local deferrals the same retry schedule as remote ones: the second interval on the second try', async () => {
    const s = await setup({ local: () => 'deferred' });
    try {
      const id = await s.submit('a@remote.test', ['full@local.test']);
      await s.runner.runOnce();
      let e = (await s.list()).find((x) => x.id === id)!;
      assert.deepEqual([e.state, e.recipients[0]!.state, e.recipients[0]!.attempts], ['retry', 'deferred', 1]);
      assert.equal(e.recipients[0]!.nextAttemptAt, s.clock.now() + 15 * 60_000);
      s.clock.advance(15 * 60_000);
      await s.runner.runOnce();
      e = (await s.list()).find((x) => x.id === id)!;
      assert.equal(e.recipients[0]!.attempts, 2);
      assert.equal(e.recipients[0]!.nextAttemptAt, s.clock.now() + 60 * 60_000, 'second interval, as for remote recipients');
      assert.equal(e.nextAttemptAt, s.clock.now() + 60 * 60_000);
    } finally { await s.stores.close(); }
  });

  it('removes an entry whose local recipients all got their copy in the delivery\'s own transaction, with no second one to settle it', async () => {
    const s = await setup({});
    try {
      await s.submit('a@remote.test', ['b@local.test', 'c@local.test']);
      const before = s.stores.store.stats().transactions;
      await s.runner.runOnce();
      assert.deepEqual(await s.list(), [], 'delivered and gone');
      assert.equal(s.stores.store.stats().transactions - before, 2, 'the claim and the delivery: no settle transaction');
      // One recipient deferred: the entry stays, recorded and settled as before.
      const t = await setup({ local: (r) => (r.startsWith('full') ? 'deferred' : 'delivered') });
      try {
        const id = await t.submit('a@remote.test', ['b@local.test', 'full@local.test']);
        await t.runner.runOnce();
        const e = (await t.list()).find((x) => x.id === id)!;
        assert.equal(e.state, 'retry');
        assert.deepEqual(e.recipients.map((r) => [r.address, r.state]), [['b@local.test', 'delivered'], ['full@local.test', 'deferred']]);
      } finally { await t.stores.close(); }
    } finally { await s.stores.close(); }
  });

  it('keeps settling separately when the sender asked for a success notice (NOTIFY=SUCCESS)', async () => {
    const s = await setup({});
    try {
      await s.queue.submit({ sender: 'a@remote.test', recipients: ['b@local.test'], raw: Buffer.from('Subject: n\r\n\r\nx\r\n'),
        meta: { dsn: { rcpts: { 'b@local.test': { notify: ['SUCCESS'] } } } } });
      await s.runner.runOnce();
      const left = await s.list();
      assert.equal(left.length, 1, 'only the notice is queued');
      assert.equal(left[0]!.sender, '');
      assert.deepEqual(left[0]!.recipients.map((r) => r.address), ['a@remote.test']);
    } finally { await s.stores.close(); }
  });
});
