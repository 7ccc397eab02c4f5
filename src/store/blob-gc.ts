/**
 * Blob garbage collection: joins the reference counts (metadata store) with the bytes (BlobStore).
 * Removes blobs whose count dropped to zero and orphans that never got a reference (a put whose
 * transaction failed or crashed), both only when older than the grace period, then compacts.
 * Safe against concurrent writers: BlobStore.remove() refuses a blob put within the grace period.
 */
import type { BlobStore } from './blob-store.ts';
import type { Store } from './store.ts';

export interface BlobGcOptions {
  /** Blobs put or released more recently than this are left alone. Default one hour. */
  graceMs?: number;
  now?: () => number;
}

export async function collectBlobs(store: Store, blobs: BlobStore, opts: BlobGcOptions = {}): Promise<{ released: number; orphans: number }> {
  const cutoff = (opts.now ?? Date.now)() - (opts.graceMs ?? 3600_000);
  let released = 0;
  let orphans = 0;

  // Released: refcount 0 for longer than the grace period.
  for (;;) {
    const ids = await store.read((tx) => tx.blobRefs.unreferenced(cutoff, 500));
    if (ids.length === 0) break;
    for (const id of ids) {
      if (await blobs.remove(id, cutoff)) released += 1;
      await store.tx(async (tx) => {
        if (await tx.blobRefs.forget(id)) {
          await tx.fulltext.remove(id);
          await tx.blobMeta.remove(id);
        }
      });
    }
    if (ids.length < 500) break;
  }

  // Orphans: bytes with no reference row at all.
  let after = '';
  for (;;) {
    const page = await blobs.listOlderThan(cutoff, after, 500);
    if (page.length === 0) break;
    const known = await store.read((tx) => tx.blobRefs.known(page));
    for (const id of page) {
      if (!known.has(id) && await blobs.remove(id, cutoff)) orphans += 1;
    }
    after = page[page.length - 1]!;
  }

  await blobs.compact();
  return { released, orphans };
}

/**
 * What the next collection would remove, counted without removing anything (youju doctor):
 * released blobs (count 0 past the grace period) and orphans (bytes without a reference row).
 */
export async function blobGarbage(store: Store, blobs: BlobStore, opts: BlobGcOptions = {}): Promise<{ released: number; orphans: number }> {
  const cutoff = (opts.now ?? Date.now)() - (opts.graceMs ?? 3600_000);
  const released = (await store.read((tx) => tx.blobRefs.unreferenced(cutoff, 1_000_000))).length;
  let orphans = 0;
  let after = '';
  for (;;) {
    const page = await blobs.listOlderThan(cutoff, after, 500);
    if (page.length === 0) break;
    const known = await store.read((tx) => tx.blobRefs.known(page));
    orphans += page.filter((id) => !known.has(id)).length;
    after = page[page.length - 1]!;
  }
  return { released, orphans };
}
