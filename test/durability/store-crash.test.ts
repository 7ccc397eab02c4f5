// Durability (DESIGN §4): SIGKILL the process while 20 writers append messages, several times over;
// after each restart every acknowledged message is in the mailbox exactly once, every stored blob
// reads back with the SHA-256 it is named by (no torn blob visible), and uids never went backwards.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SqliteBlobStore } from '../../src/store/blob/sqlite-blob-store.ts';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.ts';

const WRITER = fileURLToPath(new URL('./append-writer.ts', import.meta.url));

/** Runs the writer until it has acknowledged `acks` messages, then SIGKILLs it. */
function runAndKill(dir: string, acks: number): Promise<Array<{ uid: number; blobId: string }>> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', WRITER, dir], { stdio: ['ignore', 'pipe', 'inherit'] });
    const acked: Array<{ uid: number; blobId: string }> = [];
    let buf = '';
    child.stdout.on('data', (d: Buffer) => {
      buf += d.toString();
      let i: number;
      while ((i = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 1);
        const m = /^ACK (\d+) ([0-9a-f]{64})$/.exec(line);
        if (m) acked.push({ uid: Number(m[1]), blobId: m[2]! });
        if (acked.length >= acks && !child.killed) child.kill('SIGKILL');
      }
    });
    child.on('exit', (_code, signal) => (signal === 'SIGKILL' ? resolve(acked) : reject(new Error(`writer exited without being killed (${signal})`))));
    setTimeout(() => child.kill('SIGKILL'), 60_000).unref();
  });
}

describe('store durability under SIGKILL', () => {
  it('keeps every acknowledged append exactly once and never shows a torn blob', { timeout: 180_000 }, async () => {
    const dir = await mkdtemp(join(tmpdir(), 'youju-crash-'));
    try {
      const acked = new Map<number, string>();
      let lastUidnext = 0;
      for (const round of [700, 400, 900]) {
        for (const a of await runAndKill(dir, round)) {
          assert.equal(acked.has(a.uid), false, `uid ${a.uid} acknowledged twice`);
          acked.set(a.uid, a.blobId);
        }
        const store = await SqliteStore.open({ path: join(dir, 'meta.db') });
        const blobs = await SqliteBlobStore.open({ dir: join(dir, 'blobs') });
        try {
          const { box, messages } = await store.read(async (tx) => {
            const d = (await tx.domains.byName('crash.test'))!;
            const u = (await tx.users.byAddress(d.id, 'u'))!;
            const box = (await tx.mailboxes.byName(u.id, 'INBOX'))!;
            return { box, messages: await tx.messages.list(box.id) };
          });
          const byUid = new Map(messages.map((m) => [m.uid, m]));
          for (const [uid, blobId] of acked) {
            assert.equal(byUid.get(uid)?.blobId, blobId, `acknowledged uid ${uid} lost`);
          }
          assert.equal(box.messages, messages.length, 'mailbox counter matches its rows');
          assert.ok(box.uidnext > lastUidnext, 'uidnext only grows');
          lastUidnext = box.uidnext;
          for (const m of messages) {
            const bytes = await blobs.read(m.blobId);
            assert.equal(createHash('sha256').update(bytes).digest('hex'), m.blobId, `blob of uid ${m.uid} is torn`);
          }
          for (const id of await blobs.listOlderThan(Date.now() + 1, '', 100_000)) {
            assert.equal(createHash('sha256').update(await blobs.read(id)).digest('hex'), id, `stored blob ${id} is torn`);
          }
        } finally {
          await store.close();
          await blobs.close();
        }
      }
      assert.ok(acked.size >= 2000, `${acked.size} acknowledged`);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
