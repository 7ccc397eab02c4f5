/**
 * Contract for the migration-import repository: jobs and their lease (one holder at a time, takeover
 * of an expired or dead holder), accounts without their passwords, and the progress markers whose
 * compare-and-set writes roll back a duplicate append. Run by both backends beside store.contract.ts.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { NewImportAccount, User } from '../store.ts';
import { makeMailbox, makeOwner, must, newMessage, putBlob, rejectsWith, useStore, type OpenStore } from './fixtures.ts';

const account = (user: User, line: number, over: Partial<NewImportAccount> = {}): NewImportAccount => ({
  line, protocol: 'imap', host: 'old.example.com', port: 993, tls: 'tls', verifyTls: true, remoteUser: `r${line}`,
  userId: user.id, passwordEnc: `sealed-${line}`, ...over,
});

export function runImportContract(name: string, open: OpenStore): void {
  describe(`${name}: migration import`, () => {
    const ctx = useStore(open);

    it('creates a job with its accounts, in line order and without passwords', async () => {
      const { user } = await makeOwner(ctx);
      const job = await ctx.tx((tx) => tx.imports.createJob({ createdBy: 'cli:root' }, [account(user, 3), account(user, 1, { protocol: 'pop3', port: 995 })]));
      assert.equal(job.state, 'queued');
      assert.equal(job.leaseOwner, null);
      const accounts = await ctx.read((tx) => tx.imports.accounts(job.id));
      assert.deepEqual(accounts.map((a) => [a.line, a.protocol, a.port, a.state, a.imported]), [[1, 'pop3', 995, 'pending', 0], [3, 'imap', 993, 'pending', 0]]);
      assert.ok(!('passwordEnc' in accounts[0]!) && !('password' in accounts[0]!));
      assert.equal(await ctx.read((tx) => tx.imports.accountSecret(accounts[1]!.id)), 'sealed-3');
      await ctx.tx((tx) => tx.imports.updateAccount(accounts[1]!.id, { state: 'done', passwordEnc: '', messagesTotal: 7, finishedAt: 5 }));
      await ctx.tx((tx) => tx.imports.countImported(accounts[1]!.id, { messages: 2, bytes: 300 }));
      const after = must((await ctx.read((tx) => tx.imports.accounts(job.id)))[1], 'account');
      assert.deepEqual([after.state, after.messagesTotal, after.messagesDone, after.imported, after.bytes, after.finishedAt], ['done', 7, 2, 2, 300, 5]);
      assert.equal(await ctx.read((tx) => tx.imports.accountSecret(after.id)), '');
    });

    it('leases a job to one holder, renews it, and lets others take it only when expired or dead', async () => {
      const { user } = await makeOwner(ctx);
      const job = await ctx.tx((tx) => tx.imports.createJob({ createdBy: 'cli:root', leaseOwner: 'h:1', leaseUntil: 1000 }, [account(user, 1)]));
      assert.equal(job.state, 'running');
      assert.equal(await ctx.tx((tx) => tx.imports.claimJob(job.id, 'h:2', 500, 2000)), false, 'live lease');
      assert.equal(await ctx.tx((tx) => tx.imports.claimJob(job.id, 'h:2', 500, 2000, 'h:1')), true, 'holder known dead');
      assert.equal(await ctx.tx((tx) => tx.imports.renewJob(job.id, 'h:1', 3000)), false, 'the old holder lost it');
      assert.equal(await ctx.tx((tx) => tx.imports.renewJob(job.id, 'h:2', 3000)), true);
      assert.equal(await ctx.tx((tx) => tx.imports.claimJob(job.id, 'h:3', 2999, 9000)), false);
      assert.equal(await ctx.tx((tx) => tx.imports.claimJob(job.id, 'h:3', 3001, 9000)), true, 'expired');
      await ctx.tx((tx) => tx.imports.releaseJob(job.id, 'h:2', { state: 'done', at: 1 }));
      assert.equal(must(await ctx.read((tx) => tx.imports.getJob(job.id)), 'job').leaseOwner, 'h:3', 'a non-holder cannot release');
      await ctx.tx((tx) => tx.imports.releaseJob(job.id, 'h:3'));
      assert.equal(await ctx.tx((tx) => tx.imports.claimJob(job.id, 'h:4', 3002, 9000)), true, 'released back to the pool');
      await ctx.tx((tx) => tx.imports.releaseJob(job.id, 'h:4', { state: 'done', at: 4000 }));
      const done = must(await ctx.read((tx) => tx.imports.getJob(job.id)), 'job');
      assert.deepEqual([done.state, done.leaseOwner, done.finishedAt], ['done', null, 4000]);
      assert.equal(await ctx.tx((tx) => tx.imports.claimJob(job.id, 'h:5', 5000, 9000)), false, 'done jobs stay done');
      const queued = await ctx.read((tx) => tx.imports.listJobs({ states: ['queued', 'running'] }));
      assert.ok(!queued.some((j) => j.id === job.id));
    });

    it('keeps folder markers across jobs and resets them on a new uidvalidity', async () => {
      const { user } = await makeOwner(ctx);
      const key = { userId: user.id, source: 'imap://bob@old.example.com', folder: 'Sent Items' };
      assert.equal(await ctx.read((tx) => tx.imports.folder(key.userId, key.source, key.folder)), undefined);
      const f = await ctx.tx((tx) => tx.imports.putFolder({ ...key, localName: 'Sent', uidvalidity: 77 }));
      await ctx.tx((tx) => tx.imports.advanceFolder(f.id, 5));
      await ctx.tx((tx) => tx.imports.advanceFolder(f.id, 9));
      await rejectsWith(ctx.tx((tx) => tx.imports.advanceFolder(f.id, 9)), 'CONFLICT');
      await rejectsWith(ctx.tx((tx) => tx.imports.advanceFolder(f.id, 4)), 'CONFLICT');
      const again = await ctx.tx((tx) => tx.imports.putFolder({ ...key, localName: 'Sent', uidvalidity: 77 }));
      assert.deepEqual([again.id, again.lastUid, again.imported], [f.id, 9, 2]);
      const reset = await ctx.tx((tx) => tx.imports.putFolder({ ...key, localName: 'Sent', uidvalidity: 78 }));
      assert.deepEqual([reset.id, reset.uidvalidity, reset.lastUid], [f.id, 78, 0]);
    });

    it('rolls back the append that shares a transaction with a repeated marker', async () => {
      const { user } = await makeOwner(ctx);
      const box = await makeMailbox(ctx, user.id);
      const f = await ctx.tx((tx) => tx.imports.putFolder({ userId: user.id, source: 'pop3://bob@old.example.com', folder: 'INBOX', localName: 'INBOX', uidvalidity: 0 }));
      const appendOnce = async (key: string) => {
        const blob = await putBlob(ctx);
        await ctx.tx(async (tx) => { await tx.messages.append(box.id, newMessage(blob)); await tx.imports.markSeen(f.id, key); });
      };
      await appendOnce('uidl-1');
      await appendOnce('uidl-2');
      await rejectsWith(appendOnce('uidl-1'), 'CONFLICT');
      assert.equal((await ctx.read((tx) => tx.messages.list(box.id))).length, 2);
      assert.deepEqual([...await ctx.read((tx) => tx.imports.seenKeys(f.id))].sort(), ['uidl-1', 'uidl-2']);
      assert.equal(must(await ctx.read((tx) => tx.imports.folder(user.id, f.source, 'INBOX')), 'folder').imported, 2);
    });
  });
}
