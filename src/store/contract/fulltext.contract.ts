/**
 * Contract for the full-text index: per-blob text, phrase and prefix matching by whole words,
 * header/body/anywhere fields, Chinese words segmented by the caller (邮箱 found in 邮箱地址 once
 * split into 邮箱 地址), one index entry for a blob in many mailboxes, re-indexing, removal, and the
 * indexer's pending list. Run by both backends.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { BlobId } from '../../core/ids.ts';
import { makeMailbox, makeOwner, putBlob, useStore, type OpenStore } from './fixtures.ts';

export function runFulltextContract(name: string, open: OpenStore): void {
  describe(`${name}: full-text index`, () => {
    const ctx = useStore(open);

    it('finds messages by words, phrases, prefixes and fields, in Chinese too', async () => {
      const { user } = await makeOwner(ctx);
      const box = await makeMailbox(ctx, user.id);
      const other = await makeMailbox(ctx, user.id);
      const a = await putBlob(ctx, 'a');
      const b = await putBlob(ctx, 'b');
      const c = await putBlob(ctx, 'c');
      await ctx.tx(async (tx) => {
        for (const [i, blob] of [a, b, c].entries()) {
          await tx.messages.append(box.id, { blobId: blob.id, size: blob.size, internalDate: i });
        }
        await tx.messages.append(other.id, { blobId: a.id, size: a.size, internalDate: 9 });
        await tx.fulltext.index(a.id, { headers: 'subject 季度 报告 from zhangsan example cn', body: '请 查收 附件 中 的 邮箱 地址 quarterly report' });
        await tx.fulltext.index(b.id, { headers: 'subject meeting notes', body: 'the report is late 邮件 系统' });
        // c is not indexed yet.
      });
      const search = (terms: Array<{ field: 'text' | 'headers' | 'body'; words: string[] }>, mailbox = box.id) =>
        ctx.read((tx) => tx.fulltext.search(mailbox, terms));

      assert.deepEqual(await search([{ field: 'text', words: ['report'] }]), [1, 2]);
      assert.deepEqual(await search([{ field: 'text', words: ['邮箱'] }]), [1]);
      assert.deepEqual(await search([{ field: 'body', words: ['邮箱', '地址'] }]), [1], 'a phrase');
      assert.deepEqual(await search([{ field: 'body', words: ['地址', '邮箱'] }]), [], 'words out of order are not the phrase');
      assert.deepEqual(await search([{ field: 'headers', words: ['季度'] }]), [1]);
      assert.deepEqual(await search([{ field: 'body', words: ['季度'] }]), [], 'only in the header');
      assert.deepEqual(await search([{ field: 'text', words: ['quart'] }]), [1], 'prefix of the last word');
      assert.deepEqual(await search([{ field: 'text', words: ['report'] }, { field: 'headers', words: ['meeting'] }]), [2], 'terms AND');
      assert.deepEqual(await search([{ field: 'text', words: ["o'brien\"", 'x'] }]), [], 'quotes are data, not syntax');
      assert.deepEqual(await search([{ field: 'text', words: ['report'] }], other.id), [1], 'the same blob in another mailbox');
      assert.deepEqual(await search([]), [1, 2, 3], 'no terms: every message');
    });

    it('keeps per-blob ENVELOPE/BODYSTRUCTURE, replaces and removes them', async () => {
      const d = await putBlob(ctx, 'meta');
      const meta = { envelope: '(NIL "\xe6\xb5\x8b" NIL NIL NIL NIL NIL NIL NIL NIL)', bodystructure: '("TEXT" "PLAIN" NIL NIL NIL "7BIT" 4 1 NIL NIL NIL NIL)' };
      await ctx.tx((tx) => tx.blobMeta.put(d.id, meta));
      assert.deepEqual([...(await ctx.read((tx) => tx.blobMeta.get([d.id, d.id, 'nope' as BlobId])))], [[d.id, meta]]);
      await ctx.tx((tx) => tx.blobMeta.put(d.id, { ...meta, envelope: 'NIL' }));
      assert.equal((await ctx.read((tx) => tx.blobMeta.get([d.id]))).get(d.id)?.envelope, 'NIL');
      await ctx.tx((tx) => tx.blobMeta.put(d.id, { ...meta, envelope: 'a\0b' }));
      assert.equal((await ctx.read((tx) => tx.blobMeta.get([d.id]))).get(d.id)?.envelope, 'NIL', 'NUL is not stored');
      await ctx.tx((tx) => tx.blobMeta.remove(d.id));
      assert.equal((await ctx.read((tx) => tx.blobMeta.get([d.id]))).size, 0);
    });

    it('re-indexes, removes, and lists what still needs indexing', async () => {
      const { user } = await makeOwner(ctx);
      const box = await makeMailbox(ctx, user.id);
      const d = await putBlob(ctx, 'd');
      await ctx.tx((tx) => tx.messages.append(box.id, { blobId: d.id, size: d.size, internalDate: 1 }));
      assert.ok((await ctx.read((tx) => tx.fulltext.pending(1000))).includes(d.id));
      assert.deepEqual(await ctx.read((tx) => tx.fulltext.unindexed(box.id)), [1]);
      await ctx.tx((tx) => tx.fulltext.index(d.id, { headers: '', body: 'first version' }));
      assert.deepEqual(await ctx.read((tx) => tx.fulltext.unindexed(box.id)), []);
      assert.equal(await ctx.read((tx) => tx.fulltext.has(d.id)), true);
      assert.ok(!(await ctx.read((tx) => tx.fulltext.pending(1000))).includes(d.id));
      await ctx.tx((tx) => tx.fulltext.index(d.id, { headers: '', body: 'second version' }));
      assert.deepEqual(await ctx.read((tx) => tx.fulltext.search(box.id, [{ field: 'body', words: ['first'] }])), []);
      assert.deepEqual(await ctx.read((tx) => tx.fulltext.search(box.id, [{ field: 'body', words: ['second'] }])), [1]);
      await ctx.tx((tx) => tx.fulltext.remove(d.id));
      assert.equal(await ctx.read((tx) => tx.fulltext.has(d.id)), false);
      assert.deepEqual(await ctx.read((tx) => tx.fulltext.search(box.id, [{ field: 'body', words: ['second'] }])), []);
      assert.ok((await ctx.read((tx) => tx.fulltext.pending(1000))).includes(d.id as BlobId));
    });
  });
}
