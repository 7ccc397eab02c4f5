import assert from 'node:assert/strict';
import { statSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { Checkpointer } from './checkpointer.ts';
import { openSqliteDatabase } from './sqlite-store.ts';

test('the WAL is checkpointed by the worker thread, not by the committing connection', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'youju-ckpt-'));
  const path = join(dir, 'meta.db');
  const db = openSqliteDatabase(path, { syncedByCaller: true });
  db.pragma('wal_autocheckpoint = 0');
  const cp = new Checkpointer(path);
  try {
    db.exec('CREATE TABLE t (x BLOB)');
    const insert = db.prepare('INSERT INTO t VALUES (?)');
    const ran = cp.nextRun();
    // 32 commits of 128 KiB: just past the 4 MiB mark at the 32nd commit, which is when the size is
    // looked at. No commit follows while the worker runs, so the checkpoint can copy back every frame
    // (a commit made meanwhile would stay in the WAL and the next write would append after it).
    for (let i = 0; i < 32; i++) {
      insert.run(Buffer.alloc(128 * 1024, i));
      cp.committed();
    }
    assert.ok(statSync(`${path}-wal`).size >= 4 << 20, 'the committing connection did not checkpoint itself');

    await ran;
    assert.equal(cp.lastError, undefined);
    assert.ok(cp.last && cp.last.log > 0 && cp.last.checkpointed === cp.last.log, `all frames copied back: ${JSON.stringify(cp.last)}`);
    // The next write starts the WAL over instead of growing it.
    const size = statSync(`${path}-wal`).size;
    insert.run(Buffer.alloc(1024));
    assert.equal(statSync(`${path}-wal`).size, size);
    assert.equal((db.prepare('SELECT count(*) AS n FROM t').get() as { n: number }).n, 33);
  } finally {
    await cp.close();
    db.close();
    await rm(dir, { recursive: true, force: true });
  }
});
