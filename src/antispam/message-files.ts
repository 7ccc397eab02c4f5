/**
 * Messages kept as files, for learning (`youju antispam learn`) and the accuracy bench: one
 * message per file, directories walked in name order. A leading mbox "From " line is dropped and
 * bare LF line ends become CRLF, as SMTP would have delivered the message, so a file and the same
 * message received over SMTP give the same tokens and the same digest. Not an mbox splitter.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';

/** The message as SMTP would have stored it. */
export function normaliseMessageFile(bytes: Buffer): Buffer {
  let s = bytes.toString('latin1');
  if (s.startsWith('From ')) s = s.slice(s.indexOf('\n') + 1);
  return Buffer.from(s.replace(/\r?\n/g, '\r\n'), 'latin1');
}

/** Paths of the message files under each path (a file, or a directory walked recursively; dot files skipped). */
export async function listMessageFiles(paths: readonly string[]): Promise<string[]> {
  const out: string[] = [];
  const walk = async (p: string): Promise<void> => {
    if (!(await stat(p)).isDirectory()) {
      out.push(p);
      return;
    }
    for (const name of (await readdir(p)).sort()) if (!name.startsWith('.')) await walk(join(p, name));
  };
  for (const p of paths) await walk(p);
  return out;
}

export async function readMessageFile(path: string): Promise<Buffer> {
  return normaliseMessageFile(await readFile(path));
}
