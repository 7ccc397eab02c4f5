/**
 * `youju backup` (issue #15 §1, T3): a consistent backup while the server runs and takes mail.
 * The metadata store is copied first, in one read transaction (Store.snapshot), always as an
 * embedded (SQLite) store, also from PostgreSQL (store/postgres/pg-backup.ts), so one format
 * restores into either backend (issue #15 §2); the blobs are
 * listed after it, so every blob the copy refers to is there (a blob is only removed an hour after
 * its last reference went, blob-gc.ts). Blobs go into pack files with a line-per-blob index; an
 * incremental backup carries only the blobs its base chain lacks, plus a full (small) metadata
 * copy. The server's secret key and TLS files come along (sealed settings and DKIM keys need the
 * key). A backup is written into NAME.partial and renamed when complete, so a folder without that
 * suffix is whole; the manifest lists every file with its SHA-256.
 */
import { createWriteStream, existsSync, type WriteStream } from 'node:fs';
import { copyFile, mkdir, readdir, readFile, rename, stat } from 'node:fs/promises';
import { basename, join, relative } from 'node:path';
import type { BootConfig } from '../config/boot.ts';
import { MailError } from '../core/errors.ts';
import type { BlobId } from '../core/ids.ts';
import type { BlobStore } from '../store/blob-store.ts';
import type { Store } from '../store/store.ts';
import { BLOB_INDEX, readManifest, sha256File, writeManifest, type BlobIndexLine, type Manifest, type ManifestFile } from './manifest.ts';

/** A pack file is closed and the next begun past this size. */
const PACK_BYTES = 256 * 2 ** 20;
const LIST_PAGE = 1000;
/** About this much blob data is read from the store at a time when it can scan. */
const SCAN_PAGE_BYTES = 8 * 2 ** 20;
/** What a pack or the index buffers before a write waits: 16 KiB (the default) made a disk round trip every four small blobs. */
const STREAM_BUFFER = 4 * 2 ** 20;

export interface BackupProgress {
  phase: 'metadata' | 'blobs' | 'checksums';
  done: number;
  total?: number;
  bytes?: number;
}

export interface BackupOptions {
  store: Store;
  blobs: BlobStore;
  config: BootConfig;
  /** Boot config file, copied along when given. */
  configFile?: string;
  /** The backup repository: each backup is a folder in it. */
  repo: string;
  mail: boolean;
  incremental: boolean;
  version: string;
  now: () => number;
  progress?: (p: BackupProgress) => void;
}

export interface BackupResult {
  dir: string;
  manifest: Manifest;
  seconds: number;
}

const stamp = (ms: number) => new Date(ms).toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);

/** The complete backups in a repository, oldest first. */
export async function listBackups(repo: string): Promise<Array<{ name: string; manifest: Manifest }>> {
  const names = existsSync(repo) ? (await readdir(repo)).filter((n) => !n.endsWith('.partial')) : [];
  const found: Array<{ name: string; manifest: Manifest }> = [];
  for (const name of names) {
    if (!existsSync(join(repo, name, 'manifest.json'))) continue;
    found.push({ name, manifest: await readManifest(join(repo, name)) });
  }
  return found.sort((a, b) => a.manifest.createdAt.localeCompare(b.manifest.createdAt));
}

/** The blob ids a backup and the backups it builds on hold. */
export async function blobsInChain(repo: string, name: string): Promise<Set<string>> {
  const ids = new Set<string>();
  for (let at: string | null = name; at !== null;) {
    const m: Manifest = await readManifest(join(repo, at));
    for (const line of await readIndex(join(repo, at))) ids.add(line.id);
    at = m.base;
  }
  return ids;
}

export async function readIndex(dir: string): Promise<BlobIndexLine[]> {
  const path = join(dir, BLOB_INDEX);
  if (!existsSync(path)) return [];
  return (await readFile(path, 'utf8')).split('\n').filter(Boolean).map((l) => JSON.parse(l) as BlobIndexLine);
}

async function filesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...await filesUnder(p));
    else out.push(p);
  }
  return out;
}

const write = (s: WriteStream, data: Buffer | string) => new Promise<void>((resolve, reject) => {
  if (s.write(data)) return resolve();
  const fail = (err: Error) => { s.off('drain', drained); reject(err); };
  const drained = () => { s.off('error', fail); resolve(); };
  s.once('drain', drained);
  s.once('error', fail);
});
const finish = (s: WriteStream) => new Promise<void>((resolve, reject) => { s.once('error', reject); s.end(() => resolve()); });

/**
 * Every blob of the store: in storage order where the store can (one pass), else by id, listed a
 * page at a time and read one by one. A blob removed since it was listed is skipped.
 */
async function* everyBlob(blobs: BlobStore): AsyncGenerator<{ id: BlobId; bytes: Buffer }> {
  if (blobs.scan) {
    for (let cursor = 0; ;) {
      const page = await blobs.scan(cursor, SCAN_PAGE_BYTES);
      if (page.blobs.length === 0 && page.cursor === cursor) return;
      yield* page.blobs;
      cursor = page.cursor;
    }
  }
  for (let after = ''; ;) {
    const page = await blobs.listOlderThan(Number.MAX_SAFE_INTEGER, after, LIST_PAGE);
    if (page.length === 0) return;
    for (const id of page) {
      try {
        yield { id, bytes: await blobs.read(id) };
      } catch (err) {
        if ((err as { code?: string }).code !== 'NOT_FOUND') throw err; // collected since it was listed
      }
    }
    after = page[page.length - 1]!;
  }
}

export async function backup(o: BackupOptions): Promise<BackupResult> {
  const started = performance.now();
  if (!o.store.snapshot) {
    throw new MailError('CONFIG_INVALID', 'this store cannot make a consistent copy for youju backup');
  }
  if (o.incremental && !o.mail) throw new MailError('INVALID_INPUT', '--incremental adds mail to an earlier backup: it cannot go with --no-mail');
  await mkdir(o.repo, { recursive: true });
  let base: string | null = null;
  let known = new Set<string>();
  if (o.incremental) {
    const withMail = (await listBackups(o.repo)).filter((b) => b.manifest.mail);
    const last = withMail[withMail.length - 1];
    if (!last) throw new MailError('NOT_FOUND', `--incremental: no backup with mail in ${o.repo} to add to; make a full one first`);
    base = last.name;
    known = await blobsInChain(o.repo, base);
  }
  const name = `${stamp(o.now())}${o.incremental ? '-incr' : o.mail ? '-full' : '-nomail'}`;
  if (existsSync(join(o.repo, name))) throw new MailError('ALREADY_EXISTS', `${join(o.repo, name)} exists already: one backup a second at most`);
  const dir = join(o.repo, `${name}.partial`);
  await mkdir(join(dir, 'blobs'), { recursive: true });

  o.progress?.({ phase: 'metadata', done: 0 });
  await o.store.snapshot(join(dir, 'meta.db'), { mail: o.mail });
  o.progress?.({ phase: 'metadata', done: 1 });

  let blobCount = 0;
  let blobBytes = 0;
  if (o.mail) {
    const index = createWriteStream(join(dir, BLOB_INDEX), { highWaterMark: STREAM_BUFFER });
    let packNo = 0;
    let pack: WriteStream | undefined;
    let packName = '';
    let offset = 0;
    for await (const { id, bytes } of everyBlob(o.blobs)) {
      if (known.has(id)) continue;
      if (!pack || offset + bytes.length > PACK_BYTES) {
        if (pack) await finish(pack);
        packName = `blobs/pack-${String(++packNo).padStart(4, '0')}.bin`;
        pack = createWriteStream(join(dir, packName), { highWaterMark: STREAM_BUFFER });
        offset = 0;
      }
      await write(pack, bytes);
      await write(index, `${JSON.stringify({ id, pack: packName, offset, size: bytes.length } satisfies BlobIndexLine)}\n`);
      offset += bytes.length;
      blobCount += 1;
      blobBytes += bytes.length;
      if (blobCount % 500 === 0) o.progress?.({ phase: 'blobs', done: blobCount, bytes: blobBytes });
    }
    if (pack) await finish(pack);
    await finish(index);
    o.progress?.({ phase: 'blobs', done: blobCount, bytes: blobBytes });
  }

  // What the server needs besides the store: its secret key (sealed settings), its TLS files, the boot config.
  const keep = async (from: string, to: string) => {
    if (!existsSync(from)) return;
    await mkdir(join(dir, to, '..'), { recursive: true });
    await copyFile(from, join(dir, to));
  };
  await keep(join(o.config.dataDir, 'secret.key'), 'data/secret.key');
  const tlsDir = join(o.config.dataDir, 'tls');
  if (existsSync(tlsDir)) for (const f of await readdir(tlsDir)) await keep(join(tlsDir, f), `data/tls/${f}`);
  if (o.configFile) await keep(o.configFile, `config/${basename(o.configFile)}`);

  const counts = await o.store.read(async (tx) => {
    const users = await tx.users.list({});
    let messages = 0;
    if (o.mail) for (const u of users) messages += (await tx.users.usage(u.id)).messages;
    return { users: users.length, messages };
  });

  const paths = await filesUnder(dir);
  const files: ManifestFile[] = [];
  for (const [i, p] of paths.entries()) {
    files.push({ path: relative(dir, p).split('\\').join('/'), size: (await stat(p)).size, sha256: await sha256File(p) });
    o.progress?.({ phase: 'checksums', done: i + 1, total: paths.length });
  }
  const manifest: Manifest = {
    format: 1, youju: o.version, createdAt: new Date(o.now()).toISOString(), hostname: o.config.hostname, store: 'sqlite',
    mail: o.mail, base, counts: { blobs: blobCount, blobBytes, users: counts.users, messages: counts.messages }, files,
  };
  await writeManifest(dir, manifest);
  const final = join(o.repo, name);
  await rename(dir, final);
  return { dir: final, manifest, seconds: (performance.now() - started) / 1000 };
}
