// The indexer over a real store: delivered messages become searchable by English and Chinese
// words, once per blob, and an unreadable blob does not block the others.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { openTestStore } from '../store/testing.ts';
import { Indexer, wordsOf } from './indexer.ts';

describe('Indexer', () => {
  it('makes delivered messages searchable, Chinese included', async () => {
    const t = await openTestStore();
    try {
      const mails = [
        'Subject: =?UTF-8?B?5a2j5bqm5oql5ZGK?=\r\nFrom: a@b.c\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n请确认您的邮箱地址。\r\n',
        'Subject: lunch\r\nFrom: c@d.e\r\nContent-Type: text/html\r\n\r\n<p>Quarterly <b>report</b> attached</p>\r\n',
      ];
      const box = await t.store.tx(async (tx) => {
        const d = await tx.domains.create({ name: 'x.test' });
        const u = await tx.users.create({ domainId: d.id, localPart: 'u', passwordHash: 'x' });
        return tx.mailboxes.create(u.id, 'INBOX');
      });
      for (const m of mails) {
        const blob = await t.blobs.put(Buffer.from(m));
        await t.store.tx((tx) => tx.messages.append(box.id, { blobId: blob.id, size: blob.size, internalDate: 0 }));
      }
      const indexer = new Indexer(t.store, t.blobs);
      assert.equal(await indexer.runOnce(), 2);
      assert.equal(await indexer.runOnce(), 0, 'nothing left');
      const search = (field: 'text' | 'headers' | 'body', q: string) => t.store.read((tx) => tx.fulltext.search(box.id, [{ field, words: wordsOf(q) }]));
      assert.deepEqual(await search('body', '邮箱'), [1]);
      assert.deepEqual(await search('body', '邮箱地址'), [1], 'a query is segmented the same way');
      assert.deepEqual(await search('headers', '报告'), [1]);
      assert.deepEqual(await search('body', 'quarterly report'), [2], 'HTML stripped to words');
      assert.deepEqual(await search('text', 'lunch'), [2]);
    } finally {
      await t.close();
    }
  });

  it('gathers the deliveries of gatherMs into one pass and one transaction', async () => {
    const t = await openTestStore();
    try {
      const box = await t.store.tx(async (tx) => {
        const d = await tx.domains.create({ name: 'x.test' });
        const u = await tx.users.create({ domainId: d.id, localPart: 'u', passwordHash: 'x' });
        return tx.mailboxes.create(u.id, 'INBOX');
      });
      const indexer = new Indexer(t.store, t.blobs, { gatherMs: 1000, pollMs: 60_000 });
      let passes = 0;
      let startPassDone!: () => void;
      const startPass = new Promise<void>((r) => { startPassDone = r; });
      const runOnce = indexer.runOnce.bind(indexer);
      indexer.runOnce = async () => { const n = await runOnce(); if (n > 0) passes += 1; startPassDone(); return n; };
      indexer.start();
      await startPass; // start() runs one pass at once; it finds nothing
      const before = t.store.stats().transactions;
      for (let i = 0; i < 5; i++) {
        const blob = await t.blobs.put(Buffer.from(`Subject: m${i}\r\n\r\nword${i}\r\n`));
        await t.store.tx((tx) => tx.messages.append(box.id, { blobId: blob.id, size: blob.size, internalDate: 0 }));
        indexer.kick();
      }
      assert.equal(passes, 0, 'nothing indexed before gatherMs');
      for (let i = 0; i < 100 && passes === 0; i++) await new Promise((r) => setTimeout(r, 50));
      await indexer.stop();
      assert.equal(passes, 1);
      assert.equal(t.store.stats().transactions - before, 5 + 1, 'five appends, one indexing transaction');
      assert.deepEqual(await t.store.read((tx) => tx.fulltext.search(box.id, [{ field: 'body', words: ['word3'] }])), [4]);
    } finally {
      await t.close();
    }
  });
});
