/**
 * `youju restore DIR` (issue #15 §1): checks the backup and every backup it builds on against
 * their manifests (each file's size and SHA-256) before writing anything, refuses a data
 * directory that already holds a store, then places the metadata copy, puts every blob back
 * (each one's bytes checked against its id, the SHA-256 it is stored under) and the server's
 * secret key and TLS files. Folders, UIDs, UIDVALIDITY, flags, settings and queued mail come back
 * as they were, so an IMAP client that synced before sees no change.
 */
import { existsSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, open, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { MailError } from '../core/errors.ts';
import type { BlobStore } from '../store/blob-store.ts';
import { readIndex } from './backup.ts';
import { readManifest, sha256File, type Manifest } from './manifest.ts';

/**
 * Puts in flight at once, by count and by bytes: a blob store with group commit makes them share
 * one sync, so the more wait together the fewer syncs.
 */
const PUTS_IN_FLIGHT = 4096;
const BYTES_IN_FLIGHT = 64 * 2 ** 20;
/** Packs are read in windows this big: blobs come in pack order, so one read serves many. */
const WINDOW = 16 * 2 ** 20;

class PackReader {
  private window = Buffer.alloc(0);
  private start = 0;

  constructor(readonly file: Awaited<ReturnType<typeof open>>) {}

  async read(offset: number, size: number): Promise<Buffer> {
    if (offset < this.start || offset + size > this.start + this.window.length) {
      const buf = Buffer.alloc(Math.max(WINDOW, size));
      const { bytesRead } = await this.file.read(buf, 0, buf.length, offset);
      this.window = buf.subarray(0, bytesRead);
      this.start = offset;
      if (bytesRead < size) throw new MailError('INVALID_INPUT', `a pack ends before the blob at ${offset} (${size} bytes)`);
    }
    // No copy: a window is never written again once read (the next read allocates a new one), so
    // the blob store may keep this view while the reader moves on; the window goes with its last view.
    return this.window.subarray(offset - this.start, offset - this.start + size);
  }
}

export interface RestoreProgress {
  phase: 'verify' | 'blobs';
  done: number;
  total: number;
}

export interface RestoreOptions {
  /** The backup folder to restore (the newest of its chain). */
  from: string;
  dataDir: string;
  /** Where the embedded metadata store lives in dataDir. */
  metaPath: string;
  /**
   * Instead of copying meta.db to metaPath: loads it into the configured store (PostgreSQL), which
   * refuses unless empty. Called after the backup is verified and before anything else is written.
   */
  load?: (metaDb: string) => Promise<void>;
  /**
   * Opens the stores of dataDir once the metadata copy is in place (migrations bring an older copy
   * up to date) and what puts the blobs back (an embedded store's loader: SqliteBlobLoader); close()
   * makes them durable.
   */
  openBlobs: () => Promise<{ blobs: Pick<BlobStore, 'put'>; close: () => Promise<void> }>;
  progress?: (p: RestoreProgress) => void;
}

export interface RestoreResult {
  manifest: Manifest;
  chain: string[];
  blobs: number;
  bytes: number;
  seconds: number;
}

/** The backup and the ones it builds on, newest first, each checked file by file. */
export async function verifyBackup(from: string, progress?: (p: RestoreProgress) => void): Promise<Array<{ dir: string; manifest: Manifest }>> {
  const chain: Array<{ dir: string; manifest: Manifest }> = [];
  for (let dir: string | null = from; dir !== null;) {
    const manifest: Manifest = await readManifest(dir);
    chain.push({ dir, manifest });
    if (chain.length > 1000) throw new MailError('INVALID_INPUT', `${from}: the chain of incremental backups loops`);
    dir = manifest.base === null ? null : join(dirname(dir), manifest.base);
    if (dir !== null && !existsSync(dir)) throw new MailError('NOT_FOUND', `${from} builds on ${manifest.base}, which is not beside it in ${dirname(from)}`);
  }
  const total = chain.reduce((n, c) => n + c.manifest.files.length, 0);
  let done = 0;
  for (const { dir, manifest } of chain) {
    for (const f of manifest.files) {
      const path = join(dir, ...f.path.split('/'));
      if (f.path.split('/').includes('..')) throw new MailError('INVALID_INPUT', `${join(dir, 'manifest.json')}: ${f.path} leaves the backup folder`);
      let size: number;
      try {
        size = (await stat(path)).size;
      } catch {
        throw new MailError('INVALID_INPUT', `backup ${basename(dir)} is damaged: ${f.path} is missing`);
      }
      if (size !== f.size || (await sha256File(path)) !== f.sha256) {
        throw new MailError('INVALID_INPUT', `backup ${basename(dir)} is damaged: ${f.path} does not match its checksum`);
      }
      progress?.({ phase: 'verify', done: ++done, total });
    }
  }
  if (!chain[0]!.manifest.files.some((f) => f.path === 'meta.db')) throw new MailError('INVALID_INPUT', `${from}: the backup has no metadata copy`);
  return chain;
}

export async function restore(o: RestoreOptions): Promise<RestoreResult> {
  const started = performance.now();
  const chain = await verifyBackup(o.from, o.progress);
  const newest = chain[0]!;
  if (o.load) {
    // A working copy: migrations may bring it up to date, and the backup stays as it was.
    const work = await mkdtemp(join(tmpdir(), 'youju-restore-'));
    try {
      await copyFile(join(newest.dir, 'meta.db'), join(work, 'meta.db'));
      await o.load(join(work, 'meta.db'));
    } finally {
      await rm(work, { recursive: true, force: true });
    }
  } else {
    if (existsSync(o.metaPath)) {
      throw new MailError('ALREADY_EXISTS', `${o.dataDir} already holds a store: restore into an empty data directory (--data DIR)`);
    }
    await mkdir(dirname(o.metaPath), { recursive: true });
    await copyFile(join(newest.dir, 'meta.db'), o.metaPath);
  }
  for (const rel of newest.manifest.files.map((f) => f.path).filter((p) => p.startsWith('data/'))) {
    const to = join(o.dataDir, ...rel.slice('data/'.length).split('/'));
    await mkdir(dirname(to), { recursive: true });
    await copyFile(join(newest.dir, ...rel.split('/')), to);
  }

  // Every blob of the chain, once: each pack read in order.
  const lines = (await Promise.all(chain.map(async (c) => (await readIndex(c.dir)).map((l) => ({ ...l, dir: c.dir }))))).flat();
  const seen = new Set<string>();
  const todo = lines.filter((l) => !seen.has(l.id) && seen.add(l.id));
  const { blobs, close } = await o.openBlobs();
  let done = 0;
  let bytes = 0;
  try {
    const packs = new Map<string, PackReader>();
    const inFlight = new Set<Promise<void>>();
    let bytesInFlight = 0;
    for (const l of todo) {
      const key = join(l.dir, l.pack);
      let f = packs.get(key);
      if (!f) { f = new PackReader(await open(key, 'r')); packs.set(key, f); }
      const buf = await f.read(l.offset, l.size);
      // put() stores the bytes under their SHA-256: the id it answers must be the one indexed.
      const p = blobs.put(buf).then((put) => {
        if (put.id !== l.id) throw new MailError('INVALID_INPUT', `blob ${l.id} in ${l.pack} does not match its id`);
        done += 1; bytes += l.size; if (done % 500 === 0) o.progress?.({ phase: 'blobs', done, total: todo.length }); });
      inFlight.add(p);
      bytesInFlight += l.size;
      void p.finally(() => { inFlight.delete(p); bytesInFlight -= l.size; }).catch(() => undefined);
      while (inFlight.size >= PUTS_IN_FLIGHT || bytesInFlight >= BYTES_IN_FLIGHT) await Promise.race(inFlight);
    }
    await Promise.all(inFlight);
    for (const f of packs.values()) await f.file.close();
    o.progress?.({ phase: 'blobs', done, total: todo.length });
  } finally {
    await close();
  }
  return { manifest: newest.manifest, chain: chain.map((c) => basename(c.dir)), blobs: done, bytes, seconds: (performance.now() - started) / 1000 };
}
