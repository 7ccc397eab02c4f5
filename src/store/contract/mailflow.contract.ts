/**
 * Contract for the mail-flow state repositories: the auto-reply log and POP-before-SMTP windows,
 * plus the CRAM-MD5 secret kept on users. Run by both backends beside store.contract.ts.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ALL, makeMailbox, makeOwner, must, putBlob, useStore, type OpenStore } from './fixtures.ts';

export function runMailflowContract(name: string, open: OpenStore): void {
  describe(`${name}: mail-flow state`, () => {
    const ctx = useStore(open);

    it('keeps the last auto-reply time per user and sender', async () => {
      const { user } = await makeOwner(ctx);
      assert.equal(await ctx.read((tx) => tx.autoreplies.lastSent(user.id, 'a@x.test')), undefined);
      await ctx.tx((tx) => tx.autoreplies.record(user.id, 'a@x.test', 1000));
      await ctx.tx((tx) => tx.autoreplies.record(user.id, 'a@x.test', 2000));
      await ctx.tx((tx) => tx.autoreplies.record(user.id, 'b@x.test', 500));
      assert.equal(await ctx.read((tx) => tx.autoreplies.lastSent(user.id, 'a@x.test')), 2000);
      assert.equal(await ctx.read((tx) => tx.autoreplies.lastSent(user.id, 'b@x.test')), 500);
    });

    it('opens, extends and expires POP-before-SMTP windows', async () => {
      await ctx.tx((tx) => tx.authWindows.open('192.0.2.1', 1000));
      assert.equal(await ctx.read((tx) => tx.authWindows.isOpen('192.0.2.1', 999)), true);
      assert.equal(await ctx.read((tx) => tx.authWindows.isOpen('192.0.2.1', 1000)), false);
      assert.equal(await ctx.read((tx) => tx.authWindows.isOpen('192.0.2.2', 0)), false);
      await ctx.tx((tx) => tx.authWindows.open('192.0.2.1', 5000));
      assert.equal(await ctx.read((tx) => tx.authWindows.isOpen('192.0.2.1', 4000)), true);
      await ctx.tx((tx) => tx.authWindows.open('2001:db8::1', 100));
      assert.equal(await ctx.tx((tx) => tx.authWindows.prune(200)), 1);
      assert.equal(await ctx.read((tx) => tx.authWindows.isOpen('192.0.2.1', 4000)), true);
    });

    it('leases a name to one holder at a time; it ends when not renewed, and only the holder renews or releases it', async () => {
      const T = 1_000_000;
      assert.equal(await ctx.tx((tx) => tx.leases.acquire('pop3:1', 'node-a:s1', T, 60_000)), true);
      assert.equal(await ctx.tx((tx) => tx.leases.acquire('pop3:1', 'node-b:s9', T + 1000, 60_000)), false, 'held');
      assert.equal(await ctx.tx((tx) => tx.leases.acquire('pop3:1', 'node-a:s1', T + 1000, 60_000)), true, 'the holder again');
      assert.equal(await ctx.tx((tx) => tx.leases.renew('pop3:1', 'node-b:s9', T + 2000, 60_000)), false);
      assert.equal(await ctx.tx((tx) => tx.leases.renew('pop3:1', 'node-a:s1', T + 2000, 60_000)), true);
      assert.equal(await ctx.tx((tx) => tx.leases.acquire('pop3:1', 'node-b:s9', T + 61_000, 60_000)), false, 'renewed: still held');
      assert.equal(await ctx.tx((tx) => tx.leases.acquire('pop3:1', 'node-b:s9', T + 62_001, 60_000)), true, 'a dead holder lets go');
      await ctx.tx((tx) => tx.leases.release('pop3:1', 'node-a:s1')); // not the holder any more: nothing happens
      assert.equal(await ctx.tx((tx) => tx.leases.acquire('pop3:1', 'node-c:s2', T + 63_000, 60_000)), false);
      await ctx.tx((tx) => tx.leases.release('pop3:1', 'node-b:s9'));
      assert.equal(await ctx.tx((tx) => tx.leases.acquire('pop3:1', 'node-c:s2', T + 63_000, 60_000)), true);
    });

    it('records recipient outcomes without touching the entry\'s state or lease', async () => {
      const blob = await putBlob(ctx);
      const id = await ctx.tx((tx) => tx.queue.enqueue({ state: 'inbound', sender: 's@x.test', blobId: blob.id, size: blob.size, recipients: ['a@x.test', 'b@x.test'] }));
      await ctx.tx((tx) => tx.queue.claim('node-a', ['inbound'], 10, Date.now() + 1000, 60_000));
      await ctx.tx((tx) => tx.queue.recordRecipients(id, [{ address: 'a@x.test', state: 'delivered', lastReply: '250 2.0.0 OK', nextAttemptAt: null }]));
      const e = must(await ctx.read((tx) => tx.queue.get(id)), 'entry');
      assert.equal(e.state, 'inbound');
      assert.equal(e.leaseOwner, 'node-a');
      assert.deepEqual(e.recipients.map((r) => [r.address, r.state, r.attempts]), [['a@x.test', 'delivered', 1], ['b@x.test', 'pending', 0]]);
    });

    it('releases the leases one node holds, and only those', async () => {
      const blob = await putBlob(ctx);
      const enqueue = () => ctx.tx((tx) => tx.queue.enqueue({ state: 'inbound', sender: '', blobId: blob.id, size: blob.size, recipients: ['r@x.test'] }));
      const a = await enqueue();
      const b = await enqueue();
      const now = Date.now() + 5000;
      await ctx.tx((tx) => tx.queue.claim('dead-node', ['inbound'], 1, now, 600_000));
      await ctx.tx((tx) => tx.queue.claim('live-node', ['inbound'], 1, now, 600_000));
      assert.equal(await ctx.tx((tx) => tx.queue.releaseLeases('dead-node')), 1);
      const entries = await ctx.read(async (tx) => [await tx.queue.get(a), await tx.queue.get(b)]);
      assert.deepEqual(entries.map((e) => e?.leaseOwner ?? '-').sort(), ['-', 'live-node']);
      await ctx.tx(async (tx) => { await tx.queue.delete(a); await tx.queue.delete(b); });
    });

    it('keeps each copy\'s header prefix through copy and move', async () => {
      const { user } = await makeOwner(ctx);
      const a = await makeMailbox(ctx, user.id);
      const b = await makeMailbox(ctx, user.id);
      const blob = await putBlob(ctx);
      const headerPrefix = 'Delivered-To: u@x.test\r\n';
      await ctx.tx((tx) => tx.messages.append(a.id, { blobId: blob.id, size: blob.size + headerPrefix.length, internalDate: 1, headerPrefix }));
      await ctx.tx((tx) => tx.messages.copy(a.id, ALL, b.id));
      const copied = await ctx.read((tx) => tx.messages.list(b.id));
      assert.equal(copied[0]?.headerPrefix, headerPrefix);
      assert.equal(copied[0]?.size, blob.size + headerPrefix.length);
    });

    it('stores the CRAM-MD5 secret with the user', async () => {
      const { user } = await makeOwner(ctx);
      assert.equal(user.cramSecret, '');
      const updated = await ctx.tx((tx) => tx.users.update(user.id, { cramSecret: '$cram-md5$00' }));
      assert.equal(updated?.cramSecret, '$cram-md5$00');
    });
  });
}
