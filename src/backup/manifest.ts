/**
 * A backup's manifest (issue #15 §1, manual part 4 §1.11): what the backup holds, each file's
 * SHA-256 and size, and the backup it builds on when incremental. `restore` checks every file
 * against it, and every blob against its id (a blob id is the SHA-256 of its bytes), before it
 * writes anything.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { MailError } from '../core/errors.ts';

export const MANIFEST = 'manifest.json';
/** Blob index: one JSON line per blob: { id, pack, offset, size }. */
export const BLOB_INDEX = 'blobs/index.jsonl';

export interface ManifestFile {
  /** Path inside the backup folder, '/'-separated. */
  path: string;
  size: number;
  sha256: string;
}

export interface Manifest {
  format: 1;
  youju: string;
  createdAt: string;
  hostname: string;
  store: 'sqlite';
  /** Messages included (--mail), or accounts, folders and settings only (--no-mail). */
  mail: boolean;
  /** The folder name (beside this one) of the backup this one adds to; null for a full backup. */
  base: string | null;
  counts: { blobs: number; blobBytes: number; users: number; messages: number };
  files: ManifestFile[];
}

export interface BlobIndexLine {
  id: string;
  pack: string;
  offset: number;
  size: number;
}

export async function sha256File(path: string): Promise<string> {
  const h = createHash('sha256');
  for await (const chunk of createReadStream(path)) h.update(chunk as Buffer);
  return h.digest('hex');
}

export async function writeManifest(dir: string, m: Manifest): Promise<void> {
  await writeFile(join(dir, MANIFEST), `${JSON.stringify(m, null, 2)}\n`);
}

export async function readManifest(dir: string): Promise<Manifest> {
  let m: Manifest;
  try {
    m = JSON.parse(await readFile(join(dir, MANIFEST), 'utf8')) as Manifest;
  } catch (err) {
    throw new MailError('NOT_FOUND', `${dir} is not a Youju backup: cannot read ${MANIFEST} (${(err as Error).message})`);
  }
  if (m.format !== 1 || !Array.isArray(m.files)) throw new MailError('INVALID_INPUT', `${join(dir, MANIFEST)}: not a manifest this version reads (format ${String(m.format)})`);
  return m;
}
