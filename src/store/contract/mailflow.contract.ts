/**
 * Contract for the mail-flow state repositories: the auto-reply log and POP-before-SMTP windows,
 * plus the CRAM-MD5 secret kept on users. Run by both backends beside store.contract.ts.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { makeOwner, useStore, type OpenStore } from './fixtures.ts';

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

    it('stores the CRAM-MD5 secret with the user', async () => {
      const { user } = await makeOwner(ctx);
      assert.equal(user.cramSecret, '');
      const updated = await ctx.tx((tx) => tx.users.update(user.id, { cramSecret: '$cram-md5$00' }));
      assert.equal(updated?.cramSecret, '$cram-md5$00');
    });
  });
}
