/**
 * Store contract for what the webmail reads and writes (issue #12): message list pages in every
 * order (ties by uid, pages that neither overlap nor skip, summaries without the blob) and the
 * web sessions table (by token hash, per user, pruning, gone with their user). Run by both backends from sqlite/ and postgres/ store tests.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { MESSAGE_SORTS, type Mailbox, type MessagePageQuery, type WebSession } from '../store.ts';
import type { UserId } from '../../core/ids.ts';
import { appendNew, makeMailbox, makeOwner, makeUser, type OpenStore, useStore } from './fixtures.ts';

export function runWebContract(name: string, open: OpenStore): void {
  describe(`${name}: web contract`, () => {
    describeMessagePages(open);
    describeSessions(open);
  });
}

function describeMessagePages(open: OpenStore): void {
  describe('message pages', () => {
    const ctx = useStore(open);
    // uid: internal date, from, subject, size (the blob's), attachment
    const rows = [
      { date: 3000, from: 'carol', subject: 'b', attach: false },
      { date: 1000, from: 'alice', subject: 'c', attach: true },
      { date: 2000, from: 'bob', subject: 'a', attach: false },
      { date: 2000, from: 'alice', subject: 'a', attach: true },
    ];
    let box: Mailbox;
    const page = (q: Partial<MessagePageQuery>) =>
      ctx.read((tx) => tx.messages.page(box.id, { sort: 'date', descending: false, offset: 0, limit: 100, ...q }));
    const uids = async (q: Partial<MessagePageQuery>) => (await page(q)).map((m) => m.uid);

    it('sorts by each order with ties by uid, both ways', async () => {
      box = await makeMailbox(ctx, (await makeOwner(ctx)).user.id);
      for (const r of rows) {
        await appendNew(ctx, box, { internalDate: r.date, summary: { from: r.from, subject: r.subject, hasAttachment: r.attach } });
      }
      assert.deepEqual(await uids({ sort: 'date' }), [2, 3, 4, 1]);
      assert.deepEqual(await uids({ sort: 'date', descending: true }), [1, 4, 3, 2]);
      assert.deepEqual(await uids({ sort: 'from' }), [2, 4, 3, 1]);
      assert.deepEqual(await uids({ sort: 'subject' }), [3, 4, 1, 2]);
      assert.deepEqual(await uids({ sort: 'attachment', descending: true }), [4, 2, 3, 1]);
      const bySize = await page({ sort: 'size' });
      for (let i = 1; i < bySize.length; i++) {
        const [a, b] = [bySize[i - 1]!, bySize[i]!];
        assert.ok(a.size < b.size || (a.size === b.size && a.uid < b.uid), 'size, then uid');
      }
      for (const sort of MESSAGE_SORTS) assert.equal((await page({ sort })).length, 4, sort);
    });

    it('pages neither overlap nor skip, and past the end is empty', async () => {
      const all = await uids({ sort: 'date', descending: true });
      const pages = [...await uids({ sort: 'date', descending: true, limit: 3 }), ...await uids({ sort: 'date', descending: true, offset: 3, limit: 3 })];
      assert.deepEqual(pages, all);
      assert.deepEqual(await uids({ offset: 10 }), []);
      assert.deepEqual(await uids({ limit: 0 }), []);
    });

    it('rows carry the summary and flags', async () => {
      const [m] = await page({ sort: 'date', descending: true, limit: 1 });
      assert.equal(m!.uid, 1);
      assert.equal(m!.from, 'carol');
      assert.equal(m!.subject, 'b');
      assert.equal(m!.internalDate, 3000);
      assert.deepEqual(m!.flags, []);
    });
  });
}

function describeSessions(open: OpenStore): void {
  describe('web sessions', () => {
    const ctx = useStore(open);
    const session = (userId: UserId, idHash: string, at: number): WebSession =>
      ({ idHash, userId, csrfToken: `csrf-${idHash}`, createdAt: at, lastSeenAt: at, ip: '192.0.2.1', userAgent: 'test/1.0' });

    it('create, get, touch, delete; a second row with the same hash is refused', async () => {
      const { user } = await makeOwner(ctx);
      const s = session(user.id, 'a'.repeat(64), 1000);
      await ctx.tx((tx) => tx.webSessions.create(s));
      assert.deepEqual(await ctx.read((tx) => tx.webSessions.get(s.idHash)), s);
      await assert.rejects(ctx.tx((tx) => tx.webSessions.create(s)));
      assert.equal(await ctx.tx((tx) => tx.webSessions.touch(s.idHash, 5000)), true);
      assert.equal((await ctx.read((tx) => tx.webSessions.get(s.idHash)))!.lastSeenAt, 5000);
      assert.equal(await ctx.tx((tx) => tx.webSessions.delete(s.idHash)), true);
      assert.equal(await ctx.read((tx) => tx.webSessions.get(s.idHash)), undefined);
      assert.equal(await ctx.tx((tx) => tx.webSessions.touch(s.idHash, 6000)), false);
      assert.equal(await ctx.tx((tx) => tx.webSessions.delete(s.idHash)), false);
    });

    it("ends a user's sessions together, prunes idle and old ones, and goes with the user", async () => {
      const { domain, user } = await makeOwner(ctx);
      const other = await makeUser(ctx, domain.id);
      await ctx.tx(async (tx) => {
        await tx.webSessions.create(session(user.id, 'u1', 1000));
        await tx.webSessions.create(session(user.id, 'u2', 1000));
        await tx.webSessions.create(session(other.id, 'o1', 1000));
        await tx.webSessions.create({ ...session(other.id, 'o2', 100), lastSeenAt: 9000 });
        await tx.webSessions.create(session(other.id, 'o3', 8000));
      });
      assert.equal(await ctx.tx((tx) => tx.webSessions.deleteForUser(user.id)), 2);
      assert.equal(await ctx.tx((tx) => tx.webSessions.prune(2000, 500)), 2, 'o1 idle, o2 too old');
      assert.ok(await ctx.read((tx) => tx.webSessions.get('o3')));
      await ctx.tx((tx) => tx.users.delete(other.id));
      assert.equal(await ctx.read((tx) => tx.webSessions.get('o3')), undefined);
    });
  });
}
