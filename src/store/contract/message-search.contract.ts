/**
 * Contract for FulltextRepo.find, the webmail's search: index hits across several mailboxes,
 * newest first and paged with a capped total; narrowed to a summary column; unindexed messages
 * found by their summaries (but not by a body search); date, attachment and unread filters; only
 * the mailboxes asked for; LIKE wildcards in a word taken literally. Run by both backends.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { MailboxId } from '../../core/ids.ts';
import type { MessageSearch, MessageSummary } from '../store.ts';
import { makeMailbox, makeOwner, putBlob, useStore, type OpenStore } from './fixtures.ts';

export function runMessageSearchContract(name: string, open: OpenStore): void {
  describe(`${name}: message search`, () => {
    const ctx = useStore(open);

    it('finds by index and summaries, filters, sorts newest first, pages and counts', async () => {
      const { user } = await makeOwner(ctx);
      const inbox = await makeMailbox(ctx, user.id);
      const archive = await makeMailbox(ctx, user.id);
      const elsewhere = await makeMailbox(ctx, user.id);
      const summary = (s: Partial<MessageSummary>): MessageSummary => ({
        from: '', to: 'me@x.test', subject: '', sentAt: null, hasAttachment: false, priority: 'normal', messageIdHeader: '', threadId: '', ...s,
      });
      // [mailbox, date, flags, summary, index text (undefined: not indexed yet)]
      const mails: Array<[MailboxId, number, string[], MessageSummary, { headers: string; body: string } | undefined]> = [
        [inbox.id, 10, [], summary({ from: '张三 <zhang@x.test>', subject: '季度报告' }),
          { headers: '季度 报告 张三 zhang x.test', body: '请 查收 第三 季度 报告' }],
        [inbox.id, 20, ['\\Seen'], summary({ from: 'Bob <bob@x.test>', subject: 'Lunch', hasAttachment: true }),
          { headers: 'lunch bob bob x.test', body: 'the 季度 report is attached' }],
        [archive.id, 30, [], summary({ from: 'Carol <carol@x.test>', subject: 'Report done' }),
          { headers: 'report done carol carol x.test', body: 'nothing here' }],
        [inbox.id, 40, [], summary({ from: 'Dan <dan@x.test>', subject: 'Fresh report' }), undefined],
        [elsewhere.id, 50, [], summary({ from: 'Eve <eve@x.test>', subject: 'report elsewhere' }),
          { headers: 'report elsewhere eve', body: 'report' }],
      ];
      for (const [box, date, flags, s, text] of mails) {
        const blob = await putBlob(ctx);
        await ctx.tx(async (tx) => {
          await tx.messages.append(box, { blobId: blob.id, size: blob.size, internalDate: date, flags, summary: s });
          if (text) await tx.fulltext.index(blob.id, text);
        });
      }
      const find = async (q: Partial<MessageSearch>) => {
        const r = await ctx.read((tx) => tx.fulltext.find({
          mailboxIds: [inbox.id, archive.id], phrases: [], field: 'text', offset: 0, limit: 50, countLimit: 1000, ...q,
        }));
        return { dates: r.messages.map((m) => m.internalDate), total: r.total };
      };

      assert.deepEqual(await find({ phrases: [['report']] }), { dates: [40, 30, 20], total: 3 }, 'index and unindexed summary, newest first');
      assert.deepEqual(await find({ phrases: [['季度']] }), { dates: [20, 10], total: 2 });
      assert.deepEqual(await find({ phrases: [['季度', '报告']] }), { dates: [10], total: 1 }, 'a phrase');
      assert.deepEqual(await find({ phrases: [['季度'], ['report']] }), { dates: [20], total: 1 }, 'phrases AND');
      assert.deepEqual(await find({ phrases: [['report']], field: 'body' }), { dates: [20], total: 1 }, 'body only: the unindexed one is not seen');
      assert.deepEqual(await find({ phrases: [['report']], field: 'headers', summary: 'subject' }), { dates: [40, 30], total: 2 });
      assert.deepEqual(await find({ phrases: [['zhang']], field: 'headers', summary: 'from' }), { dates: [10], total: 1 });
      assert.deepEqual(await find({ phrases: [['zhang']], field: 'headers', summary: 'to' }), { dates: [], total: 0 });
      assert.deepEqual(await find({ phrases: [['dan']], field: 'headers', summary: 'from' }), { dates: [40], total: 1 }, 'unindexed, by address');
      assert.deepEqual(await find({ phrases: [['fr_sh']], field: 'headers', summary: 'subject' }), { dates: [], total: 0 }, '_ is not a wildcard');
      assert.deepEqual(await find({ phrases: [['f%t']] }), { dates: [], total: 0 }, '% is not a wildcard');
      assert.deepEqual(await find({ phrases: [['fresh']], field: 'headers', summary: 'subject' }), { dates: [40], total: 1 });
      assert.deepEqual(await find({ phrases: [['report']], hasAttachment: true }), { dates: [20], total: 1 });
      assert.deepEqual(await find({ phrases: [['report']], unseenOnly: true }), { dates: [40, 30], total: 2 });
      assert.deepEqual(await find({ phrases: [['report']], since: 20, before: 40 }), { dates: [30, 20], total: 2 }, 'since inclusive, before exclusive');
      assert.deepEqual(await find({ phrases: [['report']], mailboxIds: [archive.id] }), { dates: [30], total: 1 });
      assert.deepEqual(await find({ phrases: [['report']], mailboxIds: [] }), { dates: [], total: 0 });
      assert.deepEqual(await find({ phrases: [['report']], limit: 1, offset: 1 }), { dates: [30], total: 3 }, 'a page');
      assert.deepEqual(await find({ phrases: [['report']], countLimit: 1 }), { dates: [40, 30, 20], total: 2 }, 'counted up to countLimit + 1');
      assert.deepEqual(await find({ unseenOnly: true }), { dates: [40, 30, 10], total: 3 }, 'no words: filters alone');
      assert.deepEqual(await find({ phrases: [["o'brien\"", '%']] }), { dates: [], total: 0 }, 'quotes are data, not syntax');

      // More matches than counted: each mailbox is walked newest first, probing the index per
      // message. Both ways must give the same pages.
      const queries: Array<Partial<MessageSearch>> = [
        { phrases: [['report']] }, { phrases: [['季度']] }, { phrases: [['季度', '报告']] }, { phrases: [['季度'], ['report']] },
        { phrases: [['report']], field: 'body' }, { phrases: [['report']], field: 'headers', summary: 'subject' },
        { phrases: [['dan']], field: 'headers', summary: 'from' }, { phrases: [['f%t']] }, { phrases: [['report']], unseenOnly: true },
        { phrases: [['report']], since: 20, before: 40 }, { phrases: [['report']], hasAttachment: true },
        { phrases: [['report']], limit: 1, offset: 1 }, { phrases: [['report']], limit: 2, offset: 2 }, { unseenOnly: true, limit: 2 },
      ];
      for (const q of queries) {
        const walked = (await find({ ...q, countLimit: 0 })).dates;
        assert.deepEqual(walked, (await find(q)).dates, JSON.stringify(q));
      }
    });
  });
}
