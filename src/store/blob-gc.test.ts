// Blob GC on both backends: released and orphan blobs go after the grace period, referenced and
// recently put ones stay, and a message stored in 500 mailboxes is one blob with 500 references.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { fixedClock } from '../core/clock.ts';
import type { MailboxId } from '../core/ids.ts';
import { collectBlobs } from './blob-gc.ts';
import { openTestStore } from './testing.ts';

for (const kind of ['sqlite', 'postgres'] as const) {
  describe(`blob GC (${kind})`, () => {
    it('removes released and orphan blobs only after the grace period', async () => {
      const clock = fixedClock(Date.UTC(2026, 10, 1));
      const t = await openTestStore(kind, { now: clock.now });
      try {
        const kept = await t.blobs.put(Buffer.from('kept'));
        const released = await t.blobs.put(Buffer.from('released'));
        const orphan = await t.blobs.put(Buffer.from('orphan'));
        const mb = await t.store.tx(async (tx) => {
          const d = await tx.domains.create({ name: 'gc.test' });
          const u = await tx.users.create({ domainId: d.id, localPart: 'u', passwordHash: 'x' });
          const m = await tx.mailboxes.create(u.id, 'INBOX');
          await tx.messages.append(m.id, { blobId: kept.id, size: kept.size, internalDate: clock.now() });
          await tx.messages.append(m.id, { blobId: released.id, size: released.size, internalDate: clock.now() });
          return m;
        });
        await t.store.tx((tx) => tx.messages.expunge(mb.id, [{ from: 2, to: 2 }]));

        assert.deepEqual(await collectBlobs(t.store, t.blobs, { now: clock.now, graceMs: 60_000 }), { released: 0, orphans: 0 });
        clock.advance(120_000);
        assert.deepEqual(await collectBlobs(t.store, t.blobs, { now: clock.now, graceMs: 60_000 }), { released: 1, orphans: 1 });
        assert.equal(await t.blobs.has(kept.id), true);
        assert.equal(await t.blobs.has(released.id), false);
        assert.equal(await t.blobs.has(orphan.id), false);
        assert.equal(await t.store.read((tx) => tx.blobRefs.get(released.id)), undefined);
      } finally {
        await t.close();
      }
    });

    it('stores a message delivered to 500 mailboxes once', async () => {
      const t = await openTestStore(kind);
      try {
        const blob = await t.blobs.put(Buffer.from('Subject: everyone\r\n\r\nhello all\r\n'));
        await t.store.tx(async (tx) => {
          const d = await tx.domains.create({ name: 'many.test' });
          const boxes: MailboxId[] = [];
          for (let i = 0; i < 500; i++) {
            const u = await tx.users.create({ domainId: d.id, localPart: `u${i}`, passwordHash: 'x' });
            boxes.push((await tx.mailboxes.create(u.id, 'INBOX')).id);
          }
          for (const id of boxes) await tx.messages.append(id, { blobId: blob.id, size: blob.size, internalDate: Date.now() });
        });
        const ref = await t.store.read((tx) => tx.blobRefs.get(blob.id));
        assert.equal(ref?.refcount, 500);
        assert.deepEqual(await t.blobs.listOlderThan(Date.now() + 1, '', 10), [blob.id]);
      } finally {
        await t.close();
      }
    });
  });
}
