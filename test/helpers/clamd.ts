/**
 * A real clamd (Debian clamav-daemon, /usr/sbin/clamd) for tests: its own config and signature
 * database in a temp dir, a unix socket there, started and stopped by the test; no freshclam, no
 * downloads. The database (test.ndb) holds the EICAR test signature and one of our own, matching
 * OWN_SIGNATURE_TEXT. StreamMaxLength is 1 MiB so a larger stream is refused ("size limit
 * exceeded"), and encrypted archives are reported (AlertEncrypted). Starts in well under a second
 * on this database; start it once per test file.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deflateRawSync } from 'node:zlib';
import { ping } from '../../src/antivirus/clamd-client.ts';

/** The EICAR test file (https://www.eicar.org), built from two halves so this source is not itself a "virus". */
export const EICAR = 'X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-' + 'STANDARD-ANTIVIRUS-TEST-FILE!$H+H*';
/** Text our own signature (Youju-Test-Sig) matches. */
export const OWN_SIGNATURE_TEXT = 'YOUJU-TEST-SIGNATURE-' + '13';

const hex = (s: string) => Buffer.from(s, 'latin1').toString('hex');

export interface TestClamd {
  /** 'unix:/tmp/…/clamd.sock', ready for the antivirus.clamd setting. */
  address: string;
  dir: string;
  /** Stops clamd (SIGTERM, then SIGKILL) and waits for it to exit; start() runs it again on the same socket. */
  stop(): Promise<void>;
  start(): Promise<void>;
  close(): Promise<void>;
}

export async function startClamd(): Promise<TestClamd> {
  const dir = await mkdtemp(join(tmpdir(), 'youju-clamd-'));
  const socket = join(dir, 'clamd.sock');
  await writeFile(join(dir, 'test.ndb'), [
    `Eicar-Test-Signature:0:*:${hex(EICAR)}`,
    `Youju-Test-Sig:0:*:${hex(OWN_SIGNATURE_TEXT)}`,
  ].join('\n') + '\n');
  await writeFile(join(dir, 'clamd.conf'), [
    `LocalSocket ${socket}`,
    `DatabaseDirectory ${dir}`,
    'Foreground yes',
    `LogFile ${join(dir, 'clamd.log')}`,
    'StreamMaxLength 1M',
    'AlertEncrypted yes',
    'AlertExceedsMax yes',
    'SelfCheck 3600',
  ].join('\n') + '\n');
  let child: ChildProcess | undefined;
  const t: TestClamd = {
    address: `unix:${socket}`,
    dir,
    async start() {
      await rm(socket, { force: true });
      child = spawn('/usr/sbin/clamd', ['-c', join(dir, 'clamd.conf')], { stdio: 'ignore' });
      const deadline = Date.now() + 30_000;
      while (!(existsSync(socket) && await ping(t.address, 1000))) {
        if (child.exitCode !== null) throw new Error(`clamd exited with ${child.exitCode}; see ${join(dir, 'clamd.log')}`);
        if (Date.now() > deadline) throw new Error('clamd did not start within 30 s');
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    async stop() {
      const c = child;
      child = undefined;
      if (!c || c.exitCode !== null) return;
      const exited = new Promise((r) => c.once('exit', r));
      c.kill('SIGTERM');
      const timer = setTimeout(() => c.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    },
    async close() {
      await t.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
  await t.start();
  return t;
}

/**
 * A ZIP archive (APPNOTE.TXT) of stored members. `declaredSize` overrides the uncompressed size in
 * the headers (a member that claims to unpack big, as a zip bomb does); `encrypted` sets general
 * purpose bit 0, as `zip -e` makes (the contents need not really be encrypted for the flag to count).
 */
export function zipArchive(members: Array<{ name: string; content: Buffer; declaredSize?: number; encrypted?: boolean }>): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const m of members) {
    const name = Buffer.from(m.name);
    const flags = m.encrypted ? 1 : 0;
    const size = m.declaredSize ?? m.content.length;
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0); local.writeUInt16LE(20, 4); local.writeUInt16LE(flags, 6);
    local.writeUInt32LE(0x12345678, 14); local.writeUInt32LE(m.content.length, 18); local.writeUInt32LE(size, 22); local.writeUInt16LE(name.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0); central.writeUInt16LE(20, 4); central.writeUInt16LE(20, 6); central.writeUInt16LE(flags, 8);
    central.writeUInt32LE(0x12345678, 16); central.writeUInt32LE(m.content.length, 20); central.writeUInt32LE(size, 24);
    central.writeUInt16LE(name.length, 28); central.writeUInt32LE(offset, 42);
    const localPart = Buffer.concat([local, name, m.content]);
    locals.push(localPart);
    centrals.push(Buffer.concat([central, name]));
    offset += localPart.length;
  }
  const centralPart = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0); end.writeUInt16LE(members.length, 8); end.writeUInt16LE(members.length, 10);
  end.writeUInt32LE(centralPart.length, 12); end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, centralPart, end]);
}

/** A zip archive whose one member is marked encrypted. */
export function encryptedZip(): Buffer {
  return zipArchive([{ name: 'secret.txt', content: deflateRawSync(Buffer.from('not really encrypted, but flagged so')), encrypted: true }]);
}

/** A MIME message with one attachment. */
export function messageWithAttachment(opts: { from: string; to: string; subject: string; filename: string; content: Buffer; type?: string }): string {
  const b64 = opts.content.toString('base64').replace(/.{76}/g, '$&\r\n');
  return [
    `From: <${opts.from}>`, `To: <${opts.to}>`, `Subject: ${opts.subject}`, 'MIME-Version: 1.0',
    'Content-Type: multipart/mixed; boundary="youju-test"', '',
    '--youju-test', 'Content-Type: text/plain; charset=utf-8', '', 'See the attachment.', '',
    '--youju-test', `Content-Type: ${opts.type ?? 'application/octet-stream'}; name="${opts.filename}"`, 'Content-Transfer-Encoding: base64',
    `Content-Disposition: attachment; filename="${opts.filename}"`, '', b64, '--youju-test--', '',
  ].join('\r\n');
}
