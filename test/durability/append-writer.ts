/**
 * Child process for the crash test: appends messages (blob + row) to one mailbox from 20
 * concurrent writers, and prints `ACK <uid> <blobId>` only after store.tx() resolved — the point
 * where SMTP would answer 250. The parent kills it with SIGKILL at a random moment.
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { SqliteBlobStore } from '../../src/store/blob/sqlite-blob-store.ts';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.ts';

const dir = process.argv[2]!;
const store = await SqliteStore.open({ path: join(dir, 'meta.db') });
const blobs = await SqliteBlobStore.open({ dir: join(dir, 'blobs'), inlineMaxBytes: 64 * 1024 });
const mailbox = await store.tx(async (tx) => {
  const existing = await tx.domains.byName('crash.test');
  const d = existing ?? await tx.domains.create({ name: 'crash.test' });
  const u = (await tx.users.byAddress(d.id, 'u')) ?? await tx.users.create({ domainId: d.id, localPart: 'u', passwordHash: 'x' });
  return (await tx.mailboxes.byName(u.id, 'INBOX')) ?? await tx.mailboxes.create(u.id, 'INBOX');
});
process.stdout.write('READY\n');
let n = 0;
await Promise.all(Array.from({ length: 20 }, async () => {
  for (;;) {
    // Mostly small messages (inline), every 25th large enough to be a file of its own.
    const size = ++n % 25 === 0 ? 100_000 + Math.floor(Math.random() * 50_000) : 500 + Math.floor(Math.random() * 4000);
    const body = randomBytes(size);
    const blob = await blobs.put(body);
    const r = await store.tx((tx) => tx.messages.append(mailbox.id, { blobId: blob.id, size: blob.size, internalDate: Date.now() }));
    process.stdout.write(`ACK ${r.uid} ${blob.id}\n`);
  }
}));
