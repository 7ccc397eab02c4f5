/**
 * Store contract for what the webmail reads and writes (issue #12): message list pages in every
 * order (ties by uid, pages that neither overlap nor skip, summaries without the blob) and, in
 * sessions, the web sessions table. Run by both backends from sqlite/ and postgres/ store tests.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { MESSAGE_SORTS, type Mailbox, type MessagePageQuery } from '../store.ts';
import { appendNew, makeMailbox, makeOwner, type OpenStore, useStore } from './fixtures.ts';

export function runWebContract(name: string, open: OpenStore): void {
  describe(`${name}: web contract`, () => {
    describeMessagePages(open);
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
