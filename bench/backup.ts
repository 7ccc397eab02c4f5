/**
 * Backup benchmark (issue #15, measure): an embedded (SQLite) store holding `--messages N` (default
 * 100,000) distinct 4 KiB messages in 100 users' INBOXes is backed up with `youju backup`'s code
 * (full, with mail) and restored into an empty data directory. Prints time and MB/s of each. The
 * fill is not measured. SMTP accept rate during a backup is not measured here yet.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { backup } from '../src/backup/backup.ts';
import { restore } from '../src/backup/restore.ts';
import type { BootConfig } from '../src/config/boot.ts';
import type { MailboxId } from '../src/core/ids.ts';
import { SqliteBlobStore } from '../src/store/blob/sqlite-blob-store.ts';
import { SqliteStore } from '../src/store/sqlite/sqlite-store.ts';
import { messageCount } from './options.ts';

const USERS = 100;
const SIZE = 4096;

export async function run(): Promise<void> {
  const MESSAGES = messageCount(100_000);
  const root = await mkdtemp(join(tmpdir(), 'youju-bench-backup-'));
  try {
    const dataDir = join(root, 'data');
    const store = await SqliteStore.open({ path: join(dataDir, 'meta.db') });
    const blobs = await SqliteBlobStore.open({ dir: join(dataDir, 'blobs') });
    const mailboxes = await store.tx(async (tx) => {
      const d = await tx.domains.create({ name: 'bench.test' });
      const ids: MailboxId[] = [];
      for (let i = 0; i < USERS; i++) {
        const u = await tx.users.create({ domainId: d.id, localPart: `user${i}`, passwordHash: 'x' });
        ids.push((await tx.mailboxes.create(u.id, 'INBOX', { specialUse: '\\Inbox' })).id);
      }
      return ids;
    });
    const fillStart = performance.now();
    const BATCH = 200;
    for (let i = 0; i < MESSAGES; i += BATCH) {
      const puts = await Promise.all(Array.from({ length: Math.min(BATCH, MESSAGES - i) }, (_, k) => {
        const head = Buffer.from(`Subject: bench ${i + k}\r\n\r\n`);
        return blobs.put(Buffer.concat([head, Buffer.from(randomBytes(SIZE).toString('hex').slice(0, SIZE - head.length - 2)), Buffer.from('\r\n')]));
      }));
      await store.tx(async (tx) => {
        for (const [k, b] of puts.entries()) {
          await tx.messages.append(mailboxes[(i + k) % USERS]!, { blobId: b.id, size: b.size, internalDate: Date.now(), summary: { subject: `bench ${i + k}` } });
        }
      });
    }
    console.log(`backup: filled ${MESSAGES} messages of ${SIZE} B in ${USERS} mailboxes in ${((performance.now() - fillStart) / 1000).toFixed(1)} s`);

    const config = { dataDir, hostname: 'bench.youju.test' } as unknown as BootConfig;
    const repo = join(root, 'repo');
    const b = await backup({ store, blobs, config, repo, mail: true, incremental: false, version: 'bench', now: () => Date.now() });
    const mb = b.manifest.counts.blobBytes / 2 ** 20;
    console.log(`backup: full backup of ${b.manifest.counts.messages} messages, ${b.manifest.counts.blobs} blobs (${mb.toFixed(1)} MB): ${b.seconds.toFixed(1)} s, ${(mb / b.seconds).toFixed(1)} MB/s`);
    await store.close();
    await blobs.close();

    const target = join(root, 'restored');
    const r = await restore({
      from: b.dir, dataDir: target, metaPath: join(target, 'meta.db'),
      openBlobs: async () => {
        const s = await SqliteStore.open({ path: join(target, 'meta.db') });
        const bl = await SqliteBlobStore.open({ dir: join(target, 'blobs') });
        return { blobs: bl, close: async () => { await s.close(); await bl.close(); } };
      },
    });
    const rmb = r.bytes / 2 ** 20;
    console.log(`backup: restore of ${r.blobs} blobs (${rmb.toFixed(1)} MB): ${r.seconds.toFixed(1)} s, ${(rmb / r.seconds).toFixed(1)} MB/s`);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}
