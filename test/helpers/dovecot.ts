/**
 * A private Debian dovecot (IMAP + POP3) for tests and benchmarks: its own config, users (passwd-file,
 * plain passwords), maildirs, runtime and log in a temp dir, listening on free loopback ports, with
 * no system-wide config read. Optional TLS (imaps/pop3s) with a fresh self-signed certificate, and an
 * optional LMTP listener (the SMTP benchmark's Postfix delivers through it).
 * Dovecot refuses to store mail as root, so mail belongs to the "dovecot" system user when we run
 * as root (the login processes run as "dovenull"); not as root, everything runs as us.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { chmod, chown, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { ImapFlow } from 'imapflow';
import { generateSelfSigned } from '../../src/config/tls.ts';
import { freePort } from './server.ts';

export const DOVECOT_BIN = '/usr/sbin/dovecot';

/** Why dovecot tests cannot run here, or false when they can (for `describe(…, { skip })`). */
export const dovecotMissing: string | false = existsSync(DOVECOT_BIN)
  ? false
  : `${DOVECOT_BIN} is not installed (apt-get install dovecot-imapd dovecot-pop3d): skipping the dovecot tests`;

export interface DovecotUser {
  name: string;
  password: string;
}

export interface Dovecot {
  imapPort: number;
  pop3Port: number;
  /** 0 unless started with tls: true. */
  imapsPort: number;
  pop3sPort: number;
  /** 0 unless started with lmtp: true. */
  lmtpPort: number;
  dir: string;
  /** The master process (its children are the login, auth and per-session imap processes). */
  pid: number;
  /** The config file, for doveadm -c. */
  configFile: string;
  /** Who owns the mail (files written into a home must belong to them). */
  owner: { uid: number; gid: number };
  /** A user's home; mail is in its Maildir/. */
  home(user: string): string;
  /** The log so far (for assertion messages). */
  log(): Promise<string>;
  stop(): Promise<void>;
}

/** The uid/gid mail is stored as: the dovecot system user as root, else ourselves. */
function mailOwner(): { uid: number; gid: number; login: string; internal: string } {
  const me = userInfo();
  if (me.uid !== 0) return { uid: me.uid, gid: me.gid, login: me.username, internal: me.username };
  const line = readFileSync('/etc/passwd', 'utf8').split('\n').find((l) => l.startsWith('dovecot:'));
  if (!line) throw new Error('no "dovecot" user in /etc/passwd: is dovecot-core installed?');
  const [, , uid, gid] = line.split(':');
  return { uid: Number(uid), gid: Number(gid), login: 'dovenull', internal: 'dovecot' };
}

/**
 * users: accounts with plain passwords. tls: also imaps/pop3s with a self-signed certificate (and
 * STARTTLS/STLS offered). specialUse: folders to flag, e.g. { 'Deleted Items': '\\Trash' }.
 * lmtp: also an LMTP listener on a free loopback port (user names are then full addresses, as LMTP
 * RCPT TO gives them). extraConfig: appended to dovecot.conf as is (plugins, service limits: the IMAP benchmark).
 */
export async function startDovecot(opts: { users: DovecotUser[]; tls?: boolean; lmtp?: boolean; specialUse?: Record<string, string>; extraConfig?: string }): Promise<Dovecot> {
  if (dovecotMissing) throw new Error(dovecotMissing);
  const dir = await mkdtemp(join(tmpdir(), 'youju-dovecot-'));
  await chmod(dir, 0o755); // the login and mail processes run as other users and must reach their sockets
  const owner = mailOwner();
  const mail = join(dir, 'mail');
  await mkdir(mail);
  await chown(mail, owner.uid, owner.gid);
  const ports = { imap: await freePort(), pop3: await freePort(), imaps: opts.tls ? await freePort() : 0, pop3s: opts.tls ? await freePort() : 0, lmtp: opts.lmtp ? await freePort() : 0 };
  await writeFile(join(dir, 'users'), opts.users.map((u) => `${u.name}:{PLAIN}${u.password}:${owner.uid}:${owner.gid}::${join(mail, u.name)}::\n`).join(''));
  let ssl = 'ssl = no';
  if (opts.tls) {
    const { key, cert } = await generateSelfSigned('localhost');
    await writeFile(join(dir, 'tls.key'), key, { mode: 0o600 });
    await writeFile(join(dir, 'tls.crt'), cert);
    ssl = `ssl = yes\nssl_cert = <${join(dir, 'tls.crt')}\nssl_key = <${join(dir, 'tls.key')}`;
  }
  const listener = (name: string, port: number) =>
    `  inet_listener ${name} {\n    address = 127.0.0.1\n    port = ${port}\n  }`;
  const config = `# youju test dovecot: everything in ${dir}
base_dir = ${join(dir, 'run')}
state_dir = ${join(dir, 'state')}
log_path = ${join(dir, 'dovecot.log')}
instance_name = youju-test-${ports.imap}
protocols = imap pop3${opts.lmtp ? ' lmtp' : ''}
listen = 127.0.0.1
${ssl}
disable_plaintext_auth = no
auth_mechanisms = plain login
default_internal_user = ${owner.internal}
default_login_user = ${owner.login}
first_valid_uid = ${owner.uid}
last_valid_uid = ${owner.uid}
first_valid_gid = ${owner.gid}
mail_location = maildir:~/Maildir
pop3_uidl_format = %08Xu%08Xv
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%u ${join(dir, 'users')}
}
userdb {
  driver = passwd-file
  args = username_format=%u ${join(dir, 'users')}
}
namespace inbox {
  inbox = yes
  separator = /
${Object.entries(opts.specialUse ?? {}).map(([name, use]) => `  mailbox "${name}" {\n    special_use = ${use}\n  }`).join('\n')}
}
service imap-login {
${listener('imap', ports.imap)}
${listener('imaps', ports.imaps)}
}
service pop3-login {
${listener('pop3', ports.pop3)}
${listener('pop3s', ports.pop3s)}
}
${opts.lmtp ? `service lmtp {\n${listener('lmtp', ports.lmtp)}\n}\n` : ''}${opts.extraConfig ?? ''}`;
  const file = join(dir, 'dovecot.conf');
  await writeFile(file, config);
  const child: ChildProcess = spawn(DOVECOT_BIN, ['-F', '-c', file], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (d) => { output += d; });
  child.stderr!.on('data', (d) => { output += d; });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const log = async () => `${output}${await readFile(join(dir, 'dovecot.log'), 'utf8').catch(() => '')}`;
  try {
    await waitForGreeting(ports.imap, child);
  } catch (err) {
    child.kill('SIGKILL');
    const text = await log();
    await rm(dir, { recursive: true, force: true });
    throw new Error(`dovecot did not start: ${(err as Error).message}\n${text}`);
  }
  return {
    imapPort: ports.imap, pop3Port: ports.pop3, imapsPort: ports.imaps, pop3sPort: ports.pop3s, lmtpPort: ports.lmtp, dir, log,
    pid: child.pid!, configFile: file, owner: { uid: owner.uid, gid: owner.gid }, home: (user) => join(mail, user),
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
      // Session processes may still be writing their index files for a moment after the master exits.
      await rm(dir, { recursive: true, force: true, maxRetries: 10, retryDelay: 200 });
    },
  };
}

/** Polls until the IMAP port greets (dovecot forks its listeners a moment after starting). */
async function waitForGreeting(port: number, child: ChildProcess): Promise<void> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`dovecot exited with ${child.exitCode}`);
    const ok = await new Promise<boolean>((resolve) => {
      const s = connect({ host: '127.0.0.1', port });
      s.once('data', (d) => { s.destroy(); resolve(d.toString().startsWith('* OK')); });
      s.once('error', () => resolve(false));
      s.setTimeout(2000, () => { s.destroy(); resolve(false); });
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`no IMAP greeting on 127.0.0.1:${port} within 15 s`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export interface SeedMessage {
  subject: string;
  flags: string[];
  /** Internal date, ms. */
  at: number;
  body?: string;
}

/** A small message with a UTF-8 subject (RFC 2047) and a unique Message-ID. */
export function seedMessage(subject: string, body = ''): Buffer {
  return Buffer.from(`From: old@old.test\r\nTo: someone@old.test\r\nSubject: =?UTF-8?B?${Buffer.from(subject).toString('base64')}?=\r\n` +
    `Message-ID: <${encodeURIComponent(subject)}.${Math.random().toString(36).slice(2)}@old.test>\r\n` +
    `Date: Fri, 17 May 2019 08:00:00 +0000\r\n\r\n${body}body of ${subject}\r\n`);
}

/** APPENDs messages to a dovecot account over plain IMAP, creating the folders: folder → messages. */
export async function seedImap(port: number, password: string, user: string, folders: Record<string, SeedMessage[]>): Promise<void> {
  const c = new ImapFlow({ host: '127.0.0.1', port, secure: false, doSTARTTLS: false, auth: { user, pass: password }, logger: false });
  await c.connect();
  try {
    for (const [folder, msgs] of Object.entries(folders)) {
      if (folder !== 'INBOX') await c.mailboxCreate(folder).catch(() => undefined);
      for (const m of msgs) await c.append(folder, seedMessage(m.subject, m.body), m.flags, new Date(m.at));
    }
  } finally {
    await c.logout();
  }
}
