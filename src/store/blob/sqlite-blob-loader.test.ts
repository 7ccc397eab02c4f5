// SqliteBlobLoader (youju restore's bulk path): what it loads, SqliteBlobStore then serves, small
// and large blobs alike; it refuses a blob store that exists already.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteBlobLoader, SqliteBlobStore } from './sqlite-blob-store.ts';

test('a load is served by the blob store afterwards, and a second load into it is refused', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'youju-blob-load-'));
  try {
    const loader = await SqliteBlobLoader.open({ dir, inlineMaxBytes: 64 * 1024 });
    const bodies = [randomBytes(10), randomBytes(5000), randomBytes(200 * 1024), randomBytes(5000)];
    bodies.push(bodies[1]!); // the same bytes twice: one blob
    const ids: string[] = [];
    for (const b of bodies) {
      const r = await loader.put(b);
      assert.equal(r.id, createHash('sha256').update(b).digest('hex'));
      assert.equal(r.size, b.length);
      ids.push(r.id);
    }
    await loader.close();
    await assert.rejects(SqliteBlobLoader.open({ dir }), /exists: a load fills an empty blob store only/);
    const store = await SqliteBlobStore.open({ dir, inlineMaxBytes: 64 * 1024 });
    try {
      for (const [i, id] of ids.entries()) assert.ok((await store.read(id as never)).equals(bodies[i]!), `blob ${i}`);
      const all = await store.listOlderThan(Number.MAX_SAFE_INTEGER, '', 100);
      assert.deepEqual(all, [...new Set(ids)].sort());
      assert.ok((await store.put(randomBytes(100))).id, 'the loaded store takes new puts');
    } finally {
      await store.close();
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
