/**
 * Raw RFC 5322 messages, content-addressed by SHA-256. Bytes only: reference counts live in the
 * metadata store (StoreTx.blobRefs) and the GC in store/blob-gc.ts joins the two.
 * Writers must put() before they reference a blob in a transaction, even if it already exists:
 * put() refreshes the blob's age, and the GC never removes a blob put within its grace period.
 */
import type { BlobId } from '../core/ids.ts';

export interface BlobStore {
  /**
   * Streams body in, hashing while it writes. Durable when the promise resolves: many concurrent
   * puts share one sync (group commit). Idempotent: the same bytes give the same id and are kept once.
   * A crash at any instant leaves either the whole blob or none of it. Bytes given as one buffer
   * may be kept as they are until the promise settles: do not change them before.
   */
  put(body: AsyncIterable<Uint8Array> | Uint8Array): Promise<{ id: BlobId; size: number }>;
  /** The whole blob, or the bytes [start, end) of it. Throws NOT_FOUND. */
  read(id: BlobId, range?: { start: number; end: number }): Promise<Buffer>;
  /** The blob as a stream, for large messages. Throws NOT_FOUND. */
  open(id: BlobId): Promise<NodeJS.ReadableStream>;
  has(id: BlobId): Promise<boolean>;
  /** Ids last put before `before`, in id order after `afterId`: the GC walks them in pages. */
  listOlderThan(before: number, afterId: string, limit: number): Promise<BlobId[]>;
  /**
   * Every blob in the order the store keeps them, a page at a time after `cursor` (0 to start),
   * about `maxBytes` a page: what a backup reads, in one pass over the storage instead of a lookup
   * per id. A blob put during the walk may or may not come; one removed may not. Optional: a store
   * without it is walked by listOlderThan and read.
   */
  scan?(cursor: number, maxBytes: number): Promise<{ blobs: Array<{ id: BlobId; bytes: Buffer }>; cursor: number }>;
  /** Removes the blob if it was last put before `before` (so a concurrent put wins). Only the GC calls this. */
  remove(id: BlobId, before: number): Promise<boolean>;
  /** Gives freed space back to the file system (SQLite incremental vacuum; a no-op elsewhere). */
  compact(): Promise<void>;
  close(): Promise<void>;
}
