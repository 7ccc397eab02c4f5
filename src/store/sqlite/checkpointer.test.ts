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

test('under a steady stream of commits the WAL still starts over instead of growing without end', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'youju-ckpt-'));
  const path = join(dir, 'meta.db');
  const db = openSqliteDatabase(path, { syncedByCaller: true });
  db.pragma('wal_autocheckpoint = 0');
  const reader = openSqliteDatabase(path, { readonly: true });
  const cp = new Checkpointer(path);
  try {
    db.exec('CREATE TABLE t (x BLOB)');
    const insert = db.prepare('INSERT INTO t VALUES (?)');
    const count = reader.prepare('SELECT count(*) AS n FROM t');
    // Commits (and reads) go on while each checkpoint runs, as under SMTP load: a PASSIVE checkpoint
    // alone then never finds the whole WAL copied when a write begins, and SQLite appends forever.
    let n = 0;
    const streamUntil = async (done: Promise<void>) => {
      let finished = false;
      void done.then(() => { finished = true; });
      while (!finished) {
        insert.run(Buffer.alloc(8 * 1024, n++));
        count.get();
        cp.committed();
        await new Promise((r) => setTimeout(r, 1));
      }
    };
    for (let round = 0; round < 3; round++) {
      const ran = cp.nextRun();
      for (let i = 0; i < 32; i++) { insert.run(Buffer.alloc(128 * 1024, i)); n++; cp.committed(); }
      await streamUntil(ran);
      assert.equal(cp.lastError, undefined);
      assert.equal(cp.last?.restarted, true, `round ${round}: the checkpoint got its pause: ${JSON.stringify(cp.last)}`);
      // The commits since went to the WAL's start, so the next one too fits in the file as it is.
      const size = statSync(`${path}-wal`).size;
      insert.run(Buffer.alloc(1024));
      n++;
      assert.equal(statSync(`${path}-wal`).size, size, `round ${round}: the WAL grew instead of starting over`);
    }
    assert.equal((count.get() as { n: number }).n, n);
  } finally {
    await cp.close();
    reader.close();
    db.close();
    await rm(dir, { recursive: true, force: true });
  }
});
