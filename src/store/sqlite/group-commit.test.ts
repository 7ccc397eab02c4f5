import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs, { mkdtempSync, rmSync } from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GroupCommit } from './group-commit.ts';
import { openSqliteDatabase } from './sqlite-store.ts';

function fresh() {
  const dir = mkdtempSync(join(tmpdir(), 'youju-gc-'));
  const path = join(dir, 't.db');
  const db = openSqliteDatabase(path, { syncedByCaller: true });
  db.exec('CREATE TABLE t (n INTEGER)');
  return { dir, path, db };
}

describe('GroupCommit with the WAL synced off the event loop', () => {
  it('waits for another connection\'s write transaction on timers, not by blocking the event loop', async () => {
    const { dir, path, db } = fresh();
    const gc = new GroupCommit(db, db, { walPath: `${path}-wal`, busyTimeoutMs: 5000 });
    const other = openSqliteDatabase(path); // another process's writer, e.g. the CLI
    other.exec('BEGIN IMMEDIATE');
    other.exec('INSERT INTO t VALUES (1)');
    let ticks = 0;
    const ticker = setInterval(() => { ticks += 1; }, 5);
    try {
      const job = gc.run((d) => d.prepare('INSERT INTO t VALUES (2)').run().changes);
      // A thread blocked in SQLite's busy handler would run no timer until the lock is free.
      await new Promise((r) => setTimeout(r, 100));
      assert.ok(ticks >= 3, `timers ran while the job waited (${ticks})`);
      assert.ok(gc.busyWaits > 0, 'BEGIN found the database busy and waited');
      other.exec('COMMIT');
      assert.equal(await job, 1);
      assert.equal((db.prepare('SELECT count(*) AS n FROM t').get() as { n: number }).n, 2);
    } finally {
      clearInterval(ticker);
      if (other.inTransaction) other.exec('ROLLBACK');
      other.close();
      await gc.close();
      db.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('fails the batch with STORE_UNAVAILABLE when another writer holds the lock past busyTimeoutMs', async () => {
    const { dir, path, db } = fresh();
    const gc = new GroupCommit(db, db, { walPath: `${path}-wal`, busyTimeoutMs: 50 });
    const other = openSqliteDatabase(path);
    other.exec('BEGIN IMMEDIATE');
    await assert.rejects(gc.run((d) => d.prepare('INSERT INTO t VALUES (2)').run()), (e: Error & { code?: string }) => e.code === 'STORE_UNAVAILABLE');
    other.exec('ROLLBACK');
    other.close();
    await gc.close();
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('batches concurrent jobs into one commit and settles them once the WAL is synced', async () => {
    const { dir, path, db } = fresh();
    const gc = new GroupCommit(db, db, { walPath: `${path}-wal` });
    const results = await Promise.all(Array.from({ length: 50 }, (_, i) => gc.run((d) => d.prepare('INSERT INTO t VALUES (?)').run(i).changes)));
    assert.equal(results.length, 50);
    assert.equal(gc.commits, 1, 'one COMMIT for the burst');
    await gc.close();
    db.close();
    const again = openSqliteDatabase(path);
    assert.equal((again.prepare('SELECT count(*) AS n FROM t').get() as { n: number }).n, 50);
    again.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers a job only after the WAL sync, which runs off the event loop while later batches commit', async () => {
    const { dir, path, db } = fresh();
    assert.equal(db.pragma('synchronous', { simple: true }), 1, 'COMMIT itself does not fsync (NORMAL)');
    // A slow disk: every fdatasync takes 150 ms, on the thread pool as the real one does.
    const real = fs.fdatasync;
    const syncs: number[] = [];
    (fs as { fdatasync: unknown }).fdatasync = (fd: number, cb: (err: NodeJS.ErrnoException | null) => void) => {
      syncs.push(Date.now());
      setTimeout(() => real(fd, cb), 150);
    };
    syncBuiltinESMExports();
    try {
      const gc = new GroupCommit(db, db, { walPath: `${path}-wal` });
      let settled = 0;
      const first = gc.run((d) => d.prepare('INSERT INTO t VALUES (1)').run()).then(() => { settled = Date.now(); });
      const started = Date.now();
      await new Promise((r) => setTimeout(r, 50));
      assert.equal(settled, 0, 'not answered before its sync is done');
      assert.equal(syncs.length, 1, 'the sync is under way while the event loop runs timers');
      const second = gc.run((d) => d.prepare('INSERT INTO t VALUES (2)').run()); // gathers behind the sync in flight
      await Promise.all([first, second]);
      assert.ok(settled - started >= 140, `answered ${settled - started} ms after, once the sync finished`);
      assert.equal(syncs.length, 2, 'one more sync for the batch that gathered meanwhile');
      await gc.close();
    } finally {
      (fs as { fdatasync: unknown }).fdatasync = real;
      syncBuiltinESMExports();
    }
    assert.equal((db.prepare('SELECT count(*) AS n FROM t').get() as { n: number }).n, 2);
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('fails the batch with STORE_UNAVAILABLE when the WAL cannot be synced, never reporting it committed', async () => {
    const { dir, db } = fresh();
    const gc = new GroupCommit(db, db, { walPath: join(dir, 'missing', 'x-wal') });
    await assert.rejects(gc.run((d) => d.prepare('INSERT INTO t VALUES (1)').run()), (err: Error & { code?: string }) => err.code === 'STORE_UNAVAILABLE');
    await gc.close();
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('keeps each job\'s savepoint journal in memory: no temp file is created and deleted per batch', () => {
    const { dir, db } = fresh();
    try {
      assert.equal(db.pragma('temp_store', { simple: true }), 2, 'temp_store = MEMORY');
    } finally {
      db.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
