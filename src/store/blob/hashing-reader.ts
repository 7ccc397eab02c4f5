/** Reads a body (bytes or a stream of chunks) while computing its SHA-256, spilling to a file past a threshold. */
import { createHash } from 'node:crypto';
import { open, type FileHandle } from 'node:fs/promises';

export interface HashedBody {
  id: string;
  size: number;
  /** The bytes when they stayed under the threshold. */
  inline?: Buffer;
  /** The temp file holding them otherwise (written and fsync-ed; the caller renames or removes it). */
  spillPath?: string;
}

export async function readHashed(
  body: AsyncIterable<Uint8Array> | Uint8Array, inlineMaxBytes: number, spillPath: () => string,
): Promise<HashedBody> {
  const hash = createHash('sha256');
  const source: AsyncIterable<Uint8Array> | Iterable<Uint8Array> = body instanceof Uint8Array ? [body] : body;
  const chunks: Buffer[] = [];
  let size = 0;
  let file: FileHandle | undefined;
  let path = '';
  try {
    for await (const c of source) {
      const chunk = Buffer.from(c.buffer, c.byteOffset, c.byteLength);
      hash.update(chunk);
      size += chunk.length;
      if (file === undefined && size > inlineMaxBytes) {
        path = spillPath();
        file = await open(path, 'wx');
        for (const b of chunks) await file.write(b);
        chunks.length = 0;
      }
      if (file) await file.write(chunk);
      else chunks.push(chunk);
    }
    if (file) {
      await file.sync();
      await file.close();
      file = undefined;
      return { id: hash.digest('hex'), size, spillPath: path };
    }
    // One chunk (a body given as bytes) is kept as it is: the caller does not change bytes it put.
    return { id: hash.digest('hex'), size, inline: chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size) };
  } catch (err) {
    if (file) await file.close().catch(() => undefined);
    throw err;
  }
}
