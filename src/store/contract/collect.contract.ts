/**
 * Contract for mail collection state (MultiPOP, DomainPOP): POP accounts, the run lease, seen
 * UIDLs (a second markSeen of one UIDL fails, rolling back its transaction), Message-IDs, and the
 * APOP secret kept on users. Run by both backends.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { PopAccountId } from '../../core/ids.ts';
import { makeOwner, must, putBlob, rejectsWith, useStore, type OpenStore } from './fixtures.ts';

export function runCollectContract(name: string, open: OpenStore): void {
  describe(`${name}: mail collection`, () => {
    const ctx = useStore(open);

    it('creates, lists, updates and deletes POP accounts; deleting the owner deletes them', async () => {
      const { user } = await makeOwner(ctx);
      const a = await ctx.tx((tx) => tx.popAccounts.create({ kind: 'user', userId: user.id, host: 'pop.x.test', port: 995, tls: 'tls', username: 'u', passwordEnc: '$sealed' }));
      assert.equal(a.enabled, true);
      assert.equal(a.leaveOnServer, true);
      assert.equal(a.lastRunAt, null);
      const d = await ctx.tx((tx) => tx.popAccounts.create({ kind: 'domain', userId: null, host: 'pop.y.test', port: 110, tls: 'none', username: 'all', passwordEnc: '$s', leaveOnServer: false }));
      assert.deepEqual((await ctx.read((tx) => tx.popAccounts.list({ userId: user.id }))).map((x) => x.id), [a.id]);
      assert.deepEqual((await ctx.read((tx) => tx.popAccounts.list({ kind: 'domain' }))).map((x) => x.id), [d.id]);
      const u = await ctx.tx((tx) => tx.popAccounts.update(a.id, { enabled: false, leaveDays: 7, port: 110 }));
      assert.deepEqual([u?.enabled, u?.leaveDays, u?.port, u?.host], [false, 7, 110, 'pop.x.test']);
      await ctx.tx((tx) => tx.users.delete(user.id));
      assert.equal(await ctx.read((tx) => tx.popAccounts.get(a.id)), undefined);
      assert.equal(await ctx.tx((tx) => tx.popAccounts.delete(d.id)), true);
      assert.equal(await ctx.tx((tx) => tx.popAccounts.delete(d.id)), false);
    });

    it('leases an account to one run at a time and records outcomes', async () => {
      const id = await newAccount();
      assert.equal(await ctx.tx((tx) => tx.popAccounts.claim(id, 1000, 60_000)), true);
      assert.equal(await ctx.tx((tx) => tx.popAccounts.claim(id, 2000, 60_000)), false, 'held');
      assert.equal(await ctx.tx((tx) => tx.popAccounts.renew(id, 61_000, 90_000)), true, 'the holder moves its lease on');
      assert.equal(await ctx.tx((tx) => tx.popAccounts.claim(id, 80_000, 60_000)), false, 'held still after the first end');
      assert.equal(await ctx.tx((tx) => tx.popAccounts.renew(id, 61_000, 120_000)), false, 'not by a run that no longer holds it');
      await ctx.tx((tx) => tx.popAccounts.finishRun(id, { at: 3000, error: '', fetched: 4 }));
      assert.equal(await ctx.tx((tx) => tx.popAccounts.claim(id, 4000, 60_000)), true, 'released');
      await ctx.tx((tx) => tx.popAccounts.finishRun(id, { at: 5000, error: 'login refused', fetched: 0 }));
      const a = must(await ctx.read((tx) => tx.popAccounts.get(id)), 'account');
      assert.deepEqual([a.lastRunAt, a.lastSuccessAt, a.lastError, a.lastFetched, a.totalFetched, a.leaseUntil], [5000, 3000, 'login refused', 0, 4, 0]);
      assert.equal(await ctx.tx((tx) => tx.popAccounts.claim(id, 70_000, 1000)), true, 'an expired lease is taken over');
    });

    it('records each UIDL once: a second markSeen rolls its transaction back', async () => {
      const id = await newAccount();
      const blob = await putBlob(ctx);
      await ctx.tx((tx) => tx.popAccounts.markSeen(id, 'uid-1', 100));
      await rejectsWith(ctx.tx(async (tx) => {
        await tx.queue.enqueue({ state: 'inbound', sender: '', blobId: blob.id, size: blob.size, recipients: ['a@x.test'] });
        await tx.popAccounts.markSeen(id, 'uid-1', 200);
      }), 'ALREADY_EXISTS');
      assert.equal((await ctx.read((tx) => tx.queue.list())).filter((e) => e.blobId === blob.id).length, 0, 'the enqueue went with it');
      await ctx.tx((tx) => tx.popAccounts.markSeen(id, 'uid-2', 300));
      assert.deepEqual([...(await ctx.read((tx) => tx.popAccounts.seen(id)))].sort(), [['uid-1', 100], ['uid-2', 300]]);
      assert.equal(await ctx.tx((tx) => tx.popAccounts.forgetSeen(id, ['uid-1', 'nope'])), 1);
      assert.deepEqual([...(await ctx.read((tx) => tx.popAccounts.seen(id))).keys()], ['uid-2']);
    });

    it('tells a new Message-ID from a duplicate and prunes old ones', async () => {
      const id = await newAccount();
      assert.equal(await ctx.tx((tx) => tx.popAccounts.recordMessageId(id, 'a@x', 100)), true);
      assert.equal(await ctx.tx((tx) => tx.popAccounts.recordMessageId(id, 'a@x', 200)), false);
      assert.equal(await ctx.tx((tx) => tx.popAccounts.recordMessageId(id, 'b@x', 300)), true);
      assert.equal(await ctx.tx((tx) => tx.popAccounts.pruneMessageIds(id, 250)), 1);
      assert.equal(await ctx.tx((tx) => tx.popAccounts.recordMessageId(id, 'a@x', 400)), true);
    });

    it('stores the APOP secret with the user', async () => {
      const { user } = await makeOwner(ctx);
      assert.equal(user.apopSecret, '');
      const updated = await ctx.tx((tx) => tx.users.update(user.id, { apopSecret: '$aesgcm$1$x' }));
      assert.equal(updated?.apopSecret, '$aesgcm$1$x');
    });

    async function newAccount(): Promise<PopAccountId> {
      const a = await ctx.tx((tx) => tx.popAccounts.create({ kind: 'domain', userId: null, host: 'h', port: 110, tls: 'none', username: 'u', passwordEnc: 'p' }));
      return a.id;
    }
  });
}
