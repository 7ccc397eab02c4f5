/**
 * Store contract, part 3: the queue (per-recipient states, leases claimed by due time and
 * priority, two nodes never holding one entry), runtime settings (JSON values, scopes, version),
 * the audit log (filters, newest first) and blob reference counts (the GC's side of the blob store).
 * Called from runStoreContract in store.contract.ts; each describe group opens its own store.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { AuditRepo, NewQueueEntry, QueueEntry, QueueState } from '../store.ts';
import type { BlobId, QueueId } from '../../core/ids.ts';
import { must, type OpenStore, putBlob, refcount, uniq, useStore } from './fixtures.ts';

export function runQueueContract(open: OpenStore): void {
  describeQueue(open);
  describeSettings(open);
  describeAudit(open);
  describeBlobRefs(open);
}

const STATES: readonly QueueState[] = ['inbound', 'retry', 'holding', 'bad', 'raw'];
const MISSING_ENTRY = 987_654_321 as QueueId;
const idsOf = (xs: Array<{ id: QueueId }>): QueueId[] => xs.map((x) => x.id);
const numeric = (xs: number[]): number[] => [...xs].sort((a, b) => a - b);

function describeQueue(open: OpenStore): void {
  describe('queue', () => {
    const ctx = useStore(open);
    /** Empties the queue so claim() sees only this test's entries. */
    const clear = async (): Promise<void> => {
      const all = await ctx.read((tx) => tx.queue.list());
      await ctx.tx(async (tx) => {
        for (const e of all) await tx.queue.delete(e.id);
      });
    };
    const enqueue = async (e: Partial<NewQueueEntry> & Pick<NewQueueEntry, 'state'>): Promise<QueueId> => {
      const blob = await putBlob(ctx);
      return ctx.tx((tx) => tx.queue.enqueue({ sender: 'from@a.example', blobId: blob.id, size: blob.size, recipients: ['to@b.example'], ...e }));
    };
    const get = async (id: QueueId): Promise<QueueEntry> => must(await ctx.read((tx) => tx.queue.get(id)), `queue entry ${id}`);
    const claim = (node: string, states: QueueState[], limit: number, now: number, leaseMs: number): Promise<QueueEntry[]> =>
      ctx.tx((tx) => tx.queue.claim(node, states, limit, now, leaseMs));

    it('counts() of an empty queue has all seven states at zero', async () => {
      assert.deepEqual(await ctx.read((tx) => tx.queue.counts()), Object.fromEntries(STATES.map((s) => [s, 0])));
    });

    it('enqueue stores the envelope with pending recipients and takes a blob reference', async () => {
      const blob = await putBlob(ctx);
      const due = Date.now() + 5000;
      const meta = { authUser: 'a@a.example', clientIp: '192.0.2.1', dsn: { ret: 'HDRS', envid: 'x1' }, smtpUtf8: true };
      const t0 = Date.now();
      const id = await ctx.tx((tx) => tx.queue.enqueue({
        state: 'inbound', sender: '', blobId: blob.id, size: blob.size, priority: 3, nextAttemptAt: due, meta,
        recipients: ['c@z.example', 'b@y.example', '张三@例子.中国'],
      }));
      assert.equal(typeof id, 'number');
      const e = await get(id);
      assert.deepEqual(
        [e.id, e.state, e.sender, e.blobId, e.size, e.priority, e.nextAttemptAt, e.attempts, e.leaseOwner, e.leaseUntil, e.lastError],
        [id, 'inbound', '', blob.id, blob.size, 3, due, 0, null, null, ''],
      );
      assert.deepEqual(e.meta, meta);
      assert.ok(e.createdAt >= t0 - 1000 && e.createdAt <= Date.now() + 1000);
      const rcpts = [...e.recipients].sort((a, b) => (a.address < b.address ? -1 : 1));
      assert.deepEqual(rcpts.map((r) => [r.address, r.state, r.attempts, r.lastReply]), [
        ['b@y.example', 'pending', 0, ''], ['c@z.example', 'pending', 0, ''], ['张三@例子.中国', 'pending', 0, ''],
      ]);
      assert.equal(await refcount(ctx, blob.id), 1);
      assert.equal((await ctx.read((tx) => tx.queue.counts())).inbound, 1);
      assert.equal(await ctx.read((tx) => tx.queue.get(MISSING_ENTRY)), undefined);
    });

    it('enqueue without priority, due time or meta is due now', async () => {
      const t0 = Date.now();
      const e = await get(await enqueue({ state: 'retry' }));
      assert.equal(typeof e.priority, 'number');
      assert.deepEqual(e.meta, {});
      assert.ok(e.nextAttemptAt >= t0 - 1000 && e.nextAttemptAt <= Date.now(), `nextAttemptAt ${e.nextAttemptAt}`);
    });

    it('list filters by state and limit', async () => {
      await clear();
      const r1 = await enqueue({ state: 'retry' });
      const r2 = await enqueue({ state: 'retry' });
      const h = await enqueue({ state: 'holding' });
      await ctx.read(async (tx) => {
        assert.deepEqual(numeric(idsOf(await tx.queue.list({ state: 'retry' }))), numeric([r1, r2]));
        assert.deepEqual(idsOf(await tx.queue.list({ state: 'holding' })), [h]);
        assert.deepEqual(await tx.queue.list({ state: 'bad' }), []);
        assert.equal((await tx.queue.list({ limit: 1 })).length, 1);
        assert.equal((await tx.queue.list({ state: 'retry', limit: 1 }))[0]?.state, 'retry');
        assert.deepEqual(numeric(idsOf(await tx.queue.list())), numeric([r1, r2, h]));
        assert.equal((await tx.queue.list({ state: 'retry' }))[0]?.recipients.length, 1);
      });
    });

    it('claim leases due entries only, highest priority first then oldest, and respects live leases', async () => {
      await clear();
      const T = Date.now();
      // A before C in every sense of "older" (created first, due first), so either reading gives A, C.
      const a = await enqueue({ state: 'retry', priority: 0, nextAttemptAt: T - 3000 });
      const c = await enqueue({ state: 'retry', priority: 0, nextAttemptAt: T - 1000 });
      const b = await enqueue({ state: 'retry', priority: 5, nextAttemptAt: T - 500 });
      const future = await enqueue({ state: 'retry', priority: 9, nextAttemptAt: T + 60_000 });
      const held = await enqueue({ state: 'holding', priority: 9, nextAttemptAt: T - 5000 });

      const first = await claim('node-a', ['retry'], 10, T, 30_000);
      assert.deepEqual(idsOf(first), [b, a, c]);
      for (const e of first) {
        assert.equal(e.leaseOwner, 'node-a');
        assert.equal(e.leaseUntil, T + 30_000);
        assert.equal(e.recipients.length, 1);
      }
      assert.equal((await get(b)).leaseOwner, 'node-a');
      assert.equal((await get(b)).leaseUntil, T + 30_000);
      assert.equal((await get(future)).leaseOwner, null);

      // Before the lease ends another node gets nothing but the entry in the other state.
      assert.deepEqual(await claim('node-b', ['retry'], 10, T + 1000, 30_000), []);
      assert.deepEqual(idsOf(await claim('node-b', ['retry', 'holding'], 10, T + 1000, 30_000)), [held]);

      // After it ends they can be claimed again.
      const later = T + 30_001;
      const second = await claim('node-b', ['retry'], 10, later, 30_000);
      assert.deepEqual(idsOf(second), [b, a, c]);
      assert.ok(second.every((e) => e.leaseOwner === 'node-b' && e.leaseUntil === later + 30_000));

      // Much later the future entry is due too and, with the highest priority, comes first; limit is respected.
      assert.deepEqual(idsOf(await claim('node-c', ['retry'], 1, T + 100_000, 1000)), [future]);
    });

    it('two concurrent claims never hold the same entry', async () => {
      await clear();
      const T = Date.now();
      const ids: QueueId[] = [];
      for (let i = 0; i < 10; i++) ids.push(await enqueue({ state: 'retry', nextAttemptAt: T - 1000 }));
      const [x, y] = await Promise.all([
        claim('node-x', ['retry'], 10, T, 60_000),
        claim('node-y', ['retry'], 10, T, 60_000),
      ]);
      const got = [...idsOf(x), ...idsOf(y)];
      assert.equal(new Set(got).size, got.length, 'no entry claimed twice');
      assert.deepEqual(numeric(got), numeric(ids));
      for (const e of x) assert.equal((await get(e.id)).leaseOwner, 'node-x');
      for (const e of y) assert.equal((await get(e.id)).leaseOwner, 'node-y');
    });

    it('settle records recipient outcomes, moves the entry and drops the lease', async () => {
      await clear();
      const T = Date.now();
      const id = await enqueue({ state: 'inbound', nextAttemptAt: T - 1000, recipients: ['ok@b.example', 'later@c.example'] });
      assert.deepEqual(idsOf(await claim('node-a', ['inbound'], 10, T, 60_000)), [id]);
      const retryAt = T + 600_000;
      await ctx.tx((tx) => tx.queue.settle(id, { state: 'retry', nextAttemptAt: retryAt, lastError: '451 4.7.1 greylisted' }, [
        { address: 'ok@b.example', state: 'delivered', lastReply: '250 2.0.0 OK queued as 123', nextAttemptAt: null },
        { address: 'later@c.example', state: 'deferred', lastReply: '451 4.7.1 try again later', nextAttemptAt: retryAt },
      ]));
      const e = await get(id);
      assert.deepEqual([e.state, e.nextAttemptAt, e.lastError, e.leaseOwner, e.leaseUntil],
        ['retry', retryAt, '451 4.7.1 greylisted', null, null]);
      const byAddress = new Map(e.recipients.map((r) => [r.address, r]));
      assert.deepEqual(['ok@b.example', 'later@c.example'].map((a) => {
        const r = must(byAddress.get(a), a);
        return [r.state, r.lastReply, r.nextAttemptAt];
      }), [['delivered', '250 2.0.0 OK queued as 123', null], ['deferred', '451 4.7.1 try again later', retryAt]]);
      const counts = await ctx.read((tx) => tx.queue.counts());
      assert.deepEqual([counts.inbound, counts.retry], [0, 1]);
      // Not due until retryAt, then claimable in its new state.
      assert.deepEqual(await claim('node-b', ['retry'], 10, T + 1000, 60_000), []);
      assert.deepEqual(idsOf(await claim('node-b', ['retry'], 10, retryAt + 1, 60_000)), [id]);
    });

    it('settle with null deletes the entry and releases its blob', async () => {
      const blob = await putBlob(ctx);
      const id = await ctx.tx((tx) => tx.queue.enqueue({ state: 'inbound', sender: 's@a.example', blobId: blob.id, size: blob.size, recipients: ['u@a.example'] }));
      assert.equal(await refcount(ctx, blob.id), 1);
      await ctx.tx((tx) => tx.queue.settle(id, null, [{ address: 'u@a.example', state: 'delivered', lastReply: '250 2.0.0 OK', nextAttemptAt: null }]));
      assert.equal(await ctx.read((tx) => tx.queue.get(id)), undefined);
      assert.equal(await refcount(ctx, blob.id), 0);
    });

    it('reschedule changes state and due time', async () => {
      await clear();
      const T = Date.now();
      const id = await enqueue({ state: 'holding', nextAttemptAt: T + 3_600_000 });
      assert.equal(await ctx.tx((tx) => tx.queue.reschedule(id, 'retry', T - 1)), true);
      const e = await get(id);
      assert.deepEqual([e.state, e.nextAttemptAt], ['retry', T - 1]);
      assert.deepEqual(idsOf(await claim('node-a', ['retry'], 10, T, 1000)), [id]);
      assert.equal(await ctx.tx((tx) => tx.queue.reschedule(MISSING_ENTRY, 'retry', T)), false);
    });

    it('delete removes the entry and releases its blob', async () => {
      const blob = await putBlob(ctx);
      const id = await ctx.tx((tx) => tx.queue.enqueue({ state: 'bad', sender: '', blobId: blob.id, size: blob.size, recipients: ['x@y.example'] }));
      assert.equal(await ctx.tx((tx) => tx.queue.delete(id)), true);
      assert.equal(await ctx.read((tx) => tx.queue.get(id)), undefined);
      assert.equal(await refcount(ctx, blob.id), 0);
      assert.equal(await ctx.tx((tx) => tx.queue.delete(id)), false);
    });

    it('counts() counts entries per state', async () => {
      await clear();
      for (const state of ['inbound', 'inbound', 'retry', 'bad', 'raw'] as const) await enqueue({ state });
      assert.deepEqual(await ctx.read((tx) => tx.queue.counts()),
        { inbound: 2, retry: 1, holding: 0, bad: 1, raw: 1 });
    });
  });
}

function describeSettings(open: OpenStore): void {
  describe('settings', () => {
    const ctx = useStore(open);

    it('get of a missing key is undefined; set/get round-trip JSON values, falsy ones included', async () => {
      assert.equal(await ctx.read((tx) => tx.settings.get('', 'nothing')), undefined);
      assert.equal(await ctx.read((tx) => tx.settings.get('domain:1', 'nothing')), undefined);
      const values: Record<string, unknown> = {
        obj: { retry: { minSec: 300, maxSec: 86_400 }, hosts: ['a', 'b'], on: true, none: null },
        num: 1.5, zero: 0, neg: -42, str: '欢迎使用邮局', empty: '', yes: true, no: false, list: [1, 'two', { three: 3 }],
      };
      await ctx.tx(async (tx) => {
        for (const [k, v] of Object.entries(values)) await tx.settings.set('', k, v);
      });
      await ctx.read(async (tx) => {
        for (const [k, v] of Object.entries(values)) assert.deepStrictEqual(await tx.settings.get('', k), v, k);
      });
      await ctx.tx((tx) => tx.settings.set('', 'num', 2));
      assert.equal(await ctx.read((tx) => tx.settings.get('', 'num')), 2, 'set overwrites');
    });

    it('all(scope) returns that scope only; scopes are independent', async () => {
      const scope = `domain:${uniq('')}`;
      const other = `domain:${uniq('')}`;
      await ctx.tx(async (tx) => {
        await tx.settings.set(scope, 'maxRcpt', 100);
        await tx.settings.set(scope, 'banner', { zh: '你好' });
        await tx.settings.set(other, 'maxRcpt', 5);
      });
      assert.deepEqual(await ctx.read((tx) => tx.settings.all(scope)), { maxRcpt: 100, banner: { zh: '你好' } });
      assert.deepEqual(await ctx.read((tx) => tx.settings.all(other)), { maxRcpt: 5 });
      assert.deepEqual(await ctx.read((tx) => tx.settings.all(`domain:${uniq('')}`)), {});
      assert.equal(await ctx.read((tx) => tx.settings.get('', 'maxRcpt')), undefined);
    });

    it('delete removes one key of one scope', async () => {
      const scope = `user:${uniq('')}`;
      await ctx.tx(async (tx) => {
        await tx.settings.set(scope, 'k', 1);
        await tx.settings.set(scope, 'keep', 2);
        await tx.settings.set('', 'k', 3);
      });
      assert.equal(await ctx.tx((tx) => tx.settings.delete(scope, 'k')), true);
      assert.equal(await ctx.read((tx) => tx.settings.get(scope, 'k')), undefined);
      assert.equal(await ctx.tx((tx) => tx.settings.delete(scope, 'k')), false);
      assert.deepEqual(await ctx.read((tx) => tx.settings.all(scope)), { keep: 2 });
      assert.equal(await ctx.read((tx) => tx.settings.get('', 'k')), 3);
    });

    it('version() increases on every write', async () => {
      const version = (): Promise<number> => ctx.read((tx) => tx.settings.version());
      const v0 = await version();
      assert.equal(typeof v0, 'number');
      await ctx.tx((tx) => tx.settings.set('', 'v', 1));
      const v1 = await version();
      assert.ok(v1 > v0, `${v1} > ${v0}`);
      await ctx.tx((tx) => tx.settings.set('', 'v', 1));
      const v2 = await version();
      assert.ok(v2 > v1, 'setting the same value again still bumps the version');
      await ctx.tx((tx) => tx.settings.set('domain:9', 'v', 2));
      const v3 = await version();
      assert.ok(v3 > v2);
      await ctx.tx((tx) => tx.settings.delete('', 'v'));
      assert.ok((await version()) > v3, 'delete is a write too');
    });
  });
}

function describeAudit(open: OpenStore): void {
  describe('audit log', () => {
    const ctx = useStore(open);

    it('write then list with actor, action, target, since and limit filters, newest first', async () => {
      const actor = `admin:${uniq('a')}`;
      const other = `admin:${uniq('a')}`;
      const target = `${uniq('bob')}@a.example`;
      const t0 = 1_800_000_000_000;
      const details = { quotaMb: 100, 名字: '鲍勃', tags: ['x', 'y'], nested: { ok: true, none: null } };
      await ctx.tx(async (tx) => {
        await tx.audit.write({ at: t0 + 1000, actor, action: 'domain.create', target: 'a.example', source: '192.0.2.1', details: { maxUsers: 10 } });
        await tx.audit.write({ at: t0 + 3000, actor, action: 'user.freeze', target, source: 'cli', details: {} });
        await tx.audit.write({ at: t0 + 2000, actor, action: 'user.create', target, source: '2001:db8::1', details });
        await tx.audit.write({ at: t0 + 4000, actor: other, action: 'user.create', target, source: 'cli', details: {} });
      });
      const list = (q: Parameters<AuditRepo['list']>[0]) => ctx.read((tx) => tx.audit.list(q));
      const mine = await list({ actor });
      assert.deepEqual(mine.map((e) => [e.at, e.action]), [[t0 + 3000, 'user.freeze'], [t0 + 2000, 'user.create'], [t0 + 1000, 'domain.create']]);
      assert.equal(new Set(mine.map((e) => e.id)).size, 3);
      const created = must(mine[1], 'user.create entry');
      assert.deepEqual([created.actor, created.target, created.source], [actor, target, '2001:db8::1']);
      assert.equal(typeof created.id, 'number');
      assert.deepStrictEqual(created.details, details);
      assert.deepEqual(mine[2]?.details, { maxUsers: 10 });

      assert.deepEqual((await list({ actor, action: 'user.create' })).map((e) => e.at), [t0 + 2000]);
      assert.deepEqual((await list({ target })).map((e) => e.at), [t0 + 4000, t0 + 3000, t0 + 2000]);
      assert.deepEqual((await list({ target, action: 'user.create' })).map((e) => e.actor), [other, actor]);
      assert.deepEqual((await list({ actor, since: t0 + 1500 })).map((e) => e.at), [t0 + 3000, t0 + 2000]);
      assert.deepEqual((await list({ actor, limit: 2 })).map((e) => e.at), [t0 + 3000, t0 + 2000]);
      assert.deepEqual(await list({ actor: 'admin:nobody' }), []);
    });

    it('keeps each entry\'s domain; filters by domain, parts of actor and target, action prefix, time range; counts and pages', async () => {
      const domain = `${uniq('d')}.example`;
      const t0 = 1_800_000_000_000;
      await ctx.tx(async (tx) => {
        for (let i = 0; i < 5; i++) {
          await tx.audit.write({ at: t0 + i, actor: `admin:Admin@${domain}`, action: i % 2 ? 'user.create' : 'list.create', target: `u${i}_%@${domain}`, source: 'cli', details: {}, domain });
        }
        await tx.audit.write({ at: t0 + 9, actor: 'admin:administrator', action: 'user.create', target: 'x@other.example', source: 'cli', details: {}, domain: 'other.example' });
      });
      const page = (q: Parameters<AuditRepo['list']>[0]) => ctx.read((tx) => tx.audit.list(q));
      const count = (q: Parameters<AuditRepo['count']>[0]) => ctx.read((tx) => tx.audit.count(q));
      assert.equal(await count({ domain }), 5);
      assert.deepEqual((await page({ domain, limit: 2, offset: 1 })).map((e) => e.at), [t0 + 3, t0 + 2]);
      assert.deepEqual((await page({ domain, actionPrefix: 'user.' })).map((e) => e.at), [t0 + 3, t0 + 1]);
      assert.equal(await count({ domain, actorLike: 'admin@' }), 5, 'any case');
      assert.deepEqual((await page({ domain, targetLike: 'u2_%' })).map((e) => e.at), [t0 + 2], '% and _ are literal');
      assert.equal(await count({ domain, targetLike: 'u_' }), 0);
      assert.deepEqual((await page({ domain, since: t0 + 1, until: t0 + 3 })).map((e) => e.at), [t0 + 2, t0 + 1]);
      assert.equal(await count({ domain: 'nowhere.example' }), 0);
    });

    it('write without at stamps the current time; list() is newest first', async () => {
      const actor = `cli:${uniq('root')}`;
      const before = Date.now();
      await ctx.tx((tx) => tx.audit.write({ actor, action: 'queue.flush', target: '', source: 'cli', details: {} }));
      const after = Date.now();
      const [e] = await ctx.read((tx) => tx.audit.list({ actor }));
      assert.ok(e && e.at >= before - 1000 && e.at <= after + 1000, `at ${e?.at}`);
      const all = await ctx.read((tx) => tx.audit.list({ limit: 1000 }));
      assert.ok(all.length >= 2);
      for (let i = 1; i < all.length; i++) assert.ok((all[i - 1]?.at ?? 0) >= (all[i]?.at ?? 0), 'newest first');
    });
  });
}

function describeBlobRefs(open: OpenStore): void {
  describe('blob references', () => {
    const ctx = useStore(open);
    const adjust = (id: BlobId, size: number, delta: number): Promise<void> => ctx.tx((tx) => tx.blobRefs.adjust(id, size, delta));
    const unreferenced = (before: number, limit: number): Promise<BlobId[]> => ctx.read((tx) => tx.blobRefs.unreferenced(before, limit));

    it('adjust creates the row at 0 and adds deltas; get reads it', async () => {
      const blob = await putBlob(ctx);
      assert.equal(await ctx.read((tx) => tx.blobRefs.get(blob.id)), undefined);
      const t0 = Date.now();
      await adjust(blob.id, blob.size, 1);
      const r = must(await ctx.read((tx) => tx.blobRefs.get(blob.id)), 'blob ref');
      assert.deepEqual([r.id, r.size, r.refcount], [blob.id, blob.size, 1]);
      assert.ok(r.updatedAt >= t0 - 1000 && r.updatedAt <= Date.now() + 1000, `updatedAt ${r.updatedAt}`);
      await adjust(blob.id, blob.size, 2);
      assert.equal(await refcount(ctx, blob.id), 3);
      await adjust(blob.id, blob.size, -1);
      assert.equal(await refcount(ctx, blob.id), 2);
      await ctx.tx(async (tx) => {
        await tx.blobRefs.adjust(blob.id, blob.size, 1);
        await tx.blobRefs.adjust(blob.id, blob.size, -3);
      });
      assert.equal(await refcount(ctx, blob.id), 0);
      assert.ok(await ctx.read((tx) => tx.blobRefs.get(blob.id)), 'a row at 0 stays until forget()');
    });

    it('unreferenced lists only zero-count rows last changed before `before`, up to limit', async () => {
      const zero = await Promise.all([putBlob(ctx), putBlob(ctx), putBlob(ctx)]);
      for (const b of zero) {
        await adjust(b.id, b.size, 1);
        await adjust(b.id, b.size, -1);
      }
      const created = await putBlob(ctx);
      await adjust(created.id, created.size, 0);
      assert.equal(await refcount(ctx, created.id), 0);
      const live = await putBlob(ctx);
      await adjust(live.id, live.size, 1);

      const soon = await unreferenced(Date.now() + 60_000, 1000);
      for (const b of [...zero, created]) assert.ok(soon.includes(b.id), `${b.id} is unreferenced`);
      assert.ok(!soon.includes(live.id), 'a referenced blob is never a GC candidate');
      const old = await unreferenced(Date.now() - 60_000, 1000);
      for (const b of [...zero, created]) assert.ok(!old.includes(b.id), 'changed too recently');
      assert.equal((await unreferenced(Date.now() + 60_000, 2)).length, 2);
    });

    it('known returns the subset of ids that have rows', async () => {
      const [a, b, c] = await Promise.all([putBlob(ctx), putBlob(ctx), putBlob(ctx)]);
      assert.ok(a && b && c);
      await adjust(a.id, a.size, 1);
      await adjust(b.id, b.size, 0);
      const known = await ctx.read((tx) => tx.blobRefs.known([a.id, b.id, c.id]));
      assert.ok(known instanceof Set);
      assert.deepEqual([...known].sort(), [a.id, b.id].sort());
      assert.equal((await ctx.read((tx) => tx.blobRefs.known([]))).size, 0);
    });

    it('forget deletes a row only while it is unreferenced', async () => {
      const live = await putBlob(ctx);
      const dead = await putBlob(ctx);
      await adjust(live.id, live.size, 1);
      await adjust(dead.id, dead.size, 0);
      assert.equal(await ctx.tx((tx) => tx.blobRefs.forget(live.id)), false);
      assert.equal(await refcount(ctx, live.id), 1);
      assert.equal(await ctx.tx((tx) => tx.blobRefs.forget(dead.id)), true);
      assert.equal(await ctx.read((tx) => tx.blobRefs.get(dead.id)), undefined);
      assert.equal((await ctx.read((tx) => tx.blobRefs.known([dead.id]))).size, 0);
      assert.equal(await ctx.tx((tx) => tx.blobRefs.forget(dead.id)), false);
      // A blob referenced again between the GC's scan and its forget() survives.
      await adjust(live.id, live.size, -1);
      await adjust(live.id, live.size, 1);
      assert.equal(await ctx.tx((tx) => tx.blobRefs.forget(live.id)), false);
    });
  });
}
