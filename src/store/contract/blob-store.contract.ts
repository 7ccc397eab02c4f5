/**
 * The blob store conformance suite every BlobStore (file/pack store, PostgreSQL store) must pass:
 * SHA-256 content addressing, puts from bytes and from async iterables, idempotent puts, whole and
 * ranged reads, streams, NOT_FOUND, empty and 3 MiB bodies (to cross any inline/file threshold),
 * 200 concurrent puts, and the GC's side: listOlderThan paging, remove(id, before) losing to a newer
 * put, compact(). Reference counts are not here: they live in the metadata store's contract.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { BlobStore } from '../blob-store.ts';
import type { BlobId } from '../../core/ids.ts';
import { rejectsWith } from './fixtures.ts';

type OpenBlobs = () => Promise<{ blobs: BlobStore; close: () => Promise<void> }>;

export function runBlobStoreContract(name: string, open: () => Promise<{ blobs: BlobStore; close: () => Promise<void> }>): void {
  describe(`${name}: blob store contract`, () => {
    describePutRead(open);
    describeGc(open);
  });
}

const MiB = 1024 * 1024;
const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';
const sha256 = (b: Uint8Array): BlobId => createHash('sha256').update(b).digest('hex') as BlobId;
const unique = (extra = 0): Buffer => Buffer.concat([Buffer.from(`Message-ID: <${randomUUID()}@contract>\r\n\r\n`), randomBytes(extra)]);
const later = (): number => Date.now() + 60_000;
const earlier = (): number => Date.now() - 60_000;

/** Yields buf in `size`-byte pieces as plain Uint8Arrays (not Buffers), each a copy, across ticks. */
async function* chunks(buf: Uint8Array, size: number): AsyncGenerator<Uint8Array> {
  for (let i = 0; i < buf.length; i += size) {
    yield new Uint8Array(buf.subarray(i, i + size));
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
}

async function collect(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const c of stream) parts.push(typeof c === 'string' ? Buffer.from(c) : c);
  return Buffer.concat(parts);
}

/** Byte equality without dumping megabytes into the failure message. */
function sameBytes(actual: Uint8Array, expected: Uint8Array, what: string): void {
  assert.equal(actual.length, expected.length, `${what}: length`);
  assert.ok(Buffer.from(actual.buffer, actual.byteOffset, actual.length).equals(expected), `${what}: bytes differ`);
}

function useBlobs(open: OpenBlobs): { readonly blobs: BlobStore } {
  let handle: Awaited<ReturnType<OpenBlobs>> | undefined;
  before(async () => {
    handle = await open();
  });
  after(async () => {
    await handle?.close();
    handle = undefined;
  });
  return {
    get blobs() {
      if (!handle) throw new Error('contract: blob store is not open');
      return handle.blobs;
    },
  };
}

function describePutRead(open: OpenBlobs): void {
  describe('put and read', () => {
    const ctx = useBlobs(open);

    it('put of bytes returns the SHA-256 hex id and size; read returns the bytes', async () => {
      const body = Buffer.from('From: a@example.com\r\nSubject: 你好\r\n\r\nHello, world\r\n');
      const r = await ctx.blobs.put(body);
      assert.match(r.id, /^[0-9a-f]{64}$/);
      assert.deepEqual(r, { id: sha256(body), size: body.length });
      const got = await ctx.blobs.read(r.id);
      assert.ok(Buffer.isBuffer(got));
      sameBytes(got, body, 'read');
      assert.equal(await ctx.blobs.has(r.id), true);

      const plain = new Uint8Array(unique(1000));
      assert.deepEqual(await ctx.blobs.put(plain), { id: sha256(plain), size: plain.length });
      sameBytes(await ctx.blobs.read(sha256(plain)), plain, 'plain Uint8Array');
    });

    it('put of an async iterable of chunks gives the same id as the whole bytes', async () => {
      const body = unique(100_000);
      const streamed = await ctx.blobs.put(chunks(body, 7919));
      assert.deepEqual(streamed, { id: sha256(body), size: body.length });
      sameBytes(await ctx.blobs.read(streamed.id), body, 'streamed put');
      assert.deepEqual(await ctx.blobs.put(body), streamed);
    });

    it('the same bytes put twice, or concurrently, give one id and stay readable', async () => {
      const body = unique(5000);
      const first = await ctx.blobs.put(body);
      const second = await ctx.blobs.put(Buffer.from(body));
      assert.deepEqual(second, first);
      const racing = await Promise.all(Array.from({ length: 20 }, (_, i) => ctx.blobs.put(i % 2 ? body : chunks(body, 1000))));
      for (const r of racing) assert.deepEqual(r, first);
      sameBytes(await ctx.blobs.read(first.id), body, 'after duplicate puts');
    });

    it('read of a range returns the bytes [start, end)', async () => {
      const body = Buffer.from(`Hello, world ${randomUUID()}`);
      const { id } = await ctx.blobs.put(body);
      assert.equal((await ctx.blobs.read(id, { start: 7, end: 12 })).toString(), 'world');
      assert.equal((await ctx.blobs.read(id, { start: 0, end: 5 })).toString(), 'Hello');
      sameBytes(await ctx.blobs.read(id, { start: 0, end: body.length }), body, 'full range');
      sameBytes(await ctx.blobs.read(id, { start: body.length - 10, end: body.length }), body.subarray(body.length - 10), 'tail');
    });

    it('open() streams the same bytes', async () => {
      const body = unique(300_000);
      const { id } = await ctx.blobs.put(body);
      sameBytes(await collect(await ctx.blobs.open(id)), body, 'stream');
    });

    it('a missing id: has() is false, read() and open() throw NOT_FOUND', async () => {
      const missing = sha256(unique());
      assert.equal(await ctx.blobs.has(missing), false);
      await rejectsWith(ctx.blobs.read(missing), 'NOT_FOUND');
      await rejectsWith(ctx.blobs.read(missing, { start: 0, end: 1 }), 'NOT_FOUND');
      await rejectsWith(ctx.blobs.open(missing), 'NOT_FOUND');
    });

    it('an empty body (0 bytes) works', async () => {
      const r = await ctx.blobs.put(new Uint8Array(0));
      assert.deepEqual(r, { id: EMPTY_SHA256, size: 0 });
      assert.deepEqual(await ctx.blobs.put((async function* () {})()), r);
      assert.equal((await ctx.blobs.read(r.id)).length, 0);
      assert.equal((await collect(await ctx.blobs.open(r.id))).length, 0);
      assert.equal(await ctx.blobs.has(r.id), true);
    });

    it('a 3 MiB blob round-trips whole, by range and as a stream', async () => {
      const big = unique(3 * MiB);
      const r = await ctx.blobs.put(chunks(big, 64 * 1024));
      assert.deepEqual(r, { id: sha256(big), size: big.length });
      sameBytes(await ctx.blobs.read(r.id), big, 'whole');
      const start = MiB - 7;
      const end = 2 * MiB + 13;
      sameBytes(await ctx.blobs.read(r.id, { start, end }), big.subarray(start, end), 'range');
      sameBytes(await ctx.blobs.read(r.id, { start: big.length - 100, end: big.length }), big.subarray(big.length - 100), 'tail');
      sameBytes(await collect(await ctx.blobs.open(r.id)), big, 'stream');
      assert.deepEqual(await ctx.blobs.put(big), r, 'the same bytes as one Uint8Array');
    });

    it('200 concurrent puts all succeed and are all readable', async () => {
      const bodies = Array.from({ length: 200 }, (_, i) => unique((i * 977) % 20_000));
      const results = await Promise.all(bodies.map((b, i) => ctx.blobs.put(i % 2 ? b : chunks(b, 4096))));
      results.forEach((r, i) => assert.deepEqual(r, { id: sha256(bodies[i] ?? Buffer.alloc(0)), size: bodies[i]?.length }));
      assert.equal(new Set(results.map((r) => r.id)).size, 200);
      const reads = await Promise.all(results.map((r) => ctx.blobs.read(r.id)));
      reads.forEach((got, i) => sameBytes(got, bodies[i] ?? Buffer.alloc(0), `blob ${i}`));
    });
  });
}

function describeGc(open: OpenBlobs): void {
  describe('garbage collection side', () => {
    const ctx = useBlobs(open);
    /** Every id this group put and did not remove: the store was empty when the group began. */
    const live = new Set<BlobId>();
    const put = async (body: Uint8Array): Promise<BlobId> => {
      const { id } = await ctx.blobs.put(body);
      live.add(id);
      return id;
    };
    const listAll = async (before: number, limit: number): Promise<BlobId[][]> => {
      const pages: BlobId[][] = [];
      let afterId = '';
      for (let guard = 0; guard < 1000; guard++) {
        const page = await ctx.blobs.listOlderThan(before, afterId, limit);
        assert.ok(page.length <= limit, `page of ${page.length} > limit ${limit}`);
        if (page.length === 0) return pages;
        pages.push(page);
        afterId = page.at(-1) ?? '';
      }
      throw new Error('listOlderThan never ran out');
    };

    it('listOlderThan pages through blobs in id order, after afterId', async () => {
      for (let i = 0; i < 25; i++) await put(unique(i * 10));
      const pages = await listAll(later(), 7);
      const ids = pages.flat();
      assert.deepEqual(ids, [...live].sort(), 'every blob once, in id order');
      assert.deepEqual(pages.map((p) => p.length), [7, 7, 7, 4]);
      const pivot = ids[9] ?? '';
      assert.deepEqual(await ctx.blobs.listOlderThan(later(), pivot, 100), ids.slice(10), 'afterId is exclusive');
      assert.deepEqual(await ctx.blobs.listOlderThan(earlier(), '', 100), [], 'blobs put after `before` are not listed');
    });

    it('scan (where the store has it) yields every blob once with its bytes, in pages of about maxBytes, and skips one removed', async (t) => {
      if (!ctx.blobs.scan) return t.skip('this store is walked by listOlderThan');
      const bodies = new Map<BlobId, Buffer>();
      for (let i = 0; i < 12; i++) {
        const b = unique(i === 5 ? 2 * MiB : 5_000 + i);
        bodies.set(await put(b), b);
      }
      const seen = new Map<BlobId, Buffer>();
      let pages = 0;
      let removed: BlobId | undefined;
      for (let cursor = 0, guard = 0; guard < 1000; guard++) {
        const page = await ctx.blobs.scan(cursor, 20_000);
        if (page.blobs.length === 0 && page.cursor === cursor) break;
        pages++;
        for (const b of page.blobs) {
          assert.ok(!seen.has(b.id), `${b.id} once`);
          seen.set(b.id, b.bytes);
        }
        cursor = page.cursor;
        if (pages === 1) {
          // A blob not scanned yet goes (the GC): the walk goes on without it.
          removed = [...bodies.keys()].find((id) => !seen.has(id))!;
          assert.equal(await ctx.blobs.remove(removed, later()), true);
          live.delete(removed);
        }
      }
      assert.ok(pages >= 3, `pages of about 20,000 bytes: ${pages}`);
      for (const [id, body] of bodies) {
        if (id === removed) assert.ok(!seen.has(id), 'the removed blob is not yielded');
        else sameBytes(seen.get(id)!, body, `blob ${id}`);
      }
      assert.deepEqual([...seen.keys()].sort(), [...live].sort(), 'nothing else: every live blob of the store');
    });

    it('remove(id, before) refuses a blob put after `before` and removes it otherwise', async () => {
      const body = unique(2000);
      const id = await put(body);
      assert.equal(await ctx.blobs.remove(id, earlier()), false);
      assert.equal(await ctx.blobs.has(id), true);
      sameBytes(await ctx.blobs.read(id), body, 'kept');

      assert.equal(await ctx.blobs.remove(id, later()), true);
      live.delete(id);
      assert.equal(await ctx.blobs.has(id), false);
      await rejectsWith(ctx.blobs.read(id), 'NOT_FOUND');
      assert.ok(!(await listAll(later(), 100)).flat().includes(id));
      assert.equal(await ctx.blobs.remove(id, later()), false, 'already gone');

      // It can come back.
      assert.equal(await put(body), id);
      sameBytes(await ctx.blobs.read(id), body, 'put again');
    });

    it('a put after the GC\'s cut-off refreshes the blob\'s age, so remove() loses', async () => {
      const body = unique(3000);
      const id = await put(body);
      await sleep(30);
      const cutoff = Date.now();
      await sleep(30);
      await put(body);
      assert.equal(await ctx.blobs.remove(id, cutoff), false);
      sameBytes(await ctx.blobs.read(id), body, 'survives');
      assert.ok(!(await ctx.blobs.listOlderThan(cutoff, '', 1000)).includes(id));
    });

    it('compact() gives space back and keeps the remaining blobs readable', async () => {
      const keep = unique(50_000);
      const keepId = await put(keep);
      const doomed = [await put(unique(50_000)), await put(unique(3 * MiB)), await put(unique(10))];
      for (const id of doomed) {
        assert.equal(await ctx.blobs.remove(id, later()), true);
        live.delete(id);
      }
      await ctx.blobs.compact();
      await ctx.blobs.compact();
      for (const id of doomed) assert.equal(await ctx.blobs.has(id), false);
      sameBytes(await ctx.blobs.read(keepId), keep, 'kept blob after compact');
      for (const id of live) assert.equal(await ctx.blobs.has(id), true, id);
      assert.deepEqual((await listAll(later(), 50)).flat(), [...live].sort());
    });
  });
}
