import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
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

  it('keeps the event loop free while the disk syncs: later batches commit behind the sync in flight', async () => {
    const { dir, path, db } = fresh();
    const gc = new GroupCommit(db, db, { walPath: `${path}-wal` });
    const waves = [];
    for (let w = 0; w < 20; w++) {
      waves.push(gc.run((d) => d.prepare('INSERT INTO t VALUES (?)').run(w)));
      await new Promise((r) => setImmediate(r));
    }
    await Promise.all(waves);
    assert.equal((db.prepare('SELECT count(*) AS n FROM t').get() as { n: number }).n, 20);
    await gc.close();
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
});
