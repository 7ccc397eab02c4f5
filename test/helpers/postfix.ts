/**
 * A private Debian Postfix for benchmarks: its own main.cf/master.cf, queue and data directories and
 * log file in a temp dir, smtpd on one loopback high port, the given domain as a virtual mailbox domain
 * whose mail goes by LMTP to a Dovecot (startDovecot({ lmtp: true })). The system instance
 * (/etc/postfix, /var/spool/postfix) is neither read nor touched and need not run. Postfix keeps its
 * defaults where the benchmark allows (fsync of queue files, flow control, concurrency); what is set
 * is listed in mainCf() below. Needs root: `postfix -c DIR start` runs master as root, which drops to
 * the "postfix" system user.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { freePort } from './server.ts';

export const POSTFIX_BIN = '/usr/sbin/postfix';
export const POSTMAP_BIN = '/usr/sbin/postmap';
export const POSTCONF_BIN = '/usr/sbin/postconf';

/** Why a private Postfix cannot start here, or false when it can. */
export const postfixMissing: string | false = !existsSync(POSTFIX_BIN)
  ? `${POSTFIX_BIN} is not installed (apt-get install postfix)`
  : userInfo().uid !== 0
    ? 'a private Postfix instance needs root (its master runs as root and drops to the "postfix" user)'
    : false;

export interface Postfix {
  smtpPort: number;
  /** The config directory (main.cf, master.cf), for `postconf -c` / `postfix -c`. */
  configDir: string;
  /** `postconf -c DIR -n`: the settings that differ from Postfix's defaults. */
  postconf(): string;
  /** The master process (it forks smtpd, cleanup, qmgr, lmtp …). */
  masterPid(): Promise<number>;
  /** Postfix's own log (maillog_file) so far. */
  log(): Promise<string>;
  stop(): Promise<void>;
}

export interface PostfixOptions {
  hostname: string;
  /** The virtual mailbox domain, and its mailboxes (local parts): others get 550 at RCPT, as in Youju. */
  domain: string;
  users: string[];
  /** Dovecot's LMTP listener: virtual_transport = lmtp:inet:host:port. */
  lmtp: { host: string; port: number };
}

function mainCf(dir: string, o: PostfixOptions): string {
  return `# youju bench postfix: everything in ${dir}
compatibility_level = 3.6
queue_directory = ${join(dir, 'queue')}
data_directory = ${join(dir, 'data')}
mail_owner = postfix
setgid_group = postdrop
syslog_name = postfix-youju-bench
maillog_file = ${join(dir, 'log', 'maillog')}
maillog_file_prefixes = ${join(dir, 'log')}
myhostname = ${o.hostname}
mydomain = ${o.domain}
myorigin = $myhostname
mydestination =
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
mynetworks = 127.0.0.0/8
relay_domains =
alias_maps =
alias_database =
biff = no
append_dot_mydomain = no
virtual_mailbox_domains = ${o.domain}
virtual_mailbox_maps = hash:${join(dir, 'etc', 'vmailbox')}
virtual_transport = lmtp:inet:${o.lmtp.host}:${o.lmtp.port}
# No content filters, no client, HELO or sender checks; mail to the local domain only.
smtpd_client_restrictions =
smtpd_helo_restrictions =
smtpd_sender_restrictions =
smtpd_recipient_restrictions =
smtpd_relay_restrictions = permit_mynetworks, reject_unauth_destination
# No DNS: everything is on loopback and named by address.
disable_dns_lookups = yes
smtp_dns_support_level = disabled
lmtp_dns_support_level = disabled
smtp_host_lookup = native
lmtp_host_lookup = native
smtpd_peername_lookup = no
# No per-client limits (anvil): the load generator is one client.
default_process_limit = 100
smtpd_client_connection_count_limit = 0
smtpd_client_connection_rate_limit = 0
smtpd_client_message_rate_limit = 0
smtpd_client_recipient_rate_limit = 0
smtpd_client_new_tls_session_rate_limit = 0
smtpd_client_auth_rate_limit = 0
`;
}

// Debian's master.cf services without the chroot (a chroot needs copies of /etc files inside the
// queue directory), smtpd on one loopback port, and postlogd for maillog_file.
function masterCf(port: number): string {
  return `127.0.0.1:${port} inet n - n - - smtpd
pickup     unix  n - n 60    1 pickup
cleanup    unix  n - n -     0 cleanup
qmgr       unix  n - n 300   1 qmgr
rewrite    unix  - - n -     - trivial-rewrite
bounce     unix  - - n -     0 bounce
defer      unix  - - n -     0 bounce
trace      unix  - - n -     0 bounce
verify     unix  - - n -     1 verify
flush      unix  n - n 1000? 0 flush
proxymap   unix  - - n -     - proxymap
proxywrite unix  - - n -     1 proxymap
smtp       unix  - - n -     - smtp
relay      unix  - - n -     - smtp
showq      unix  n - n -     - showq
error      unix  - - n -     - error
retry      unix  - - n -     - error
discard    unix  - - n -     - discard
virtual    unix  - n n -     - virtual
lmtp       unix  - - n -     - lmtp
anvil      unix  - - n -     1 anvil
scache     unix  - - n -     1 scache
postlog    unix-dgram n - n - 1 postlogd
`;
}

function run(cmd: string, args: string[]): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: 60_000 });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status ?? r.signal}): ${r.stderr || r.stdout}`);
  return r.stdout + r.stderr;
}

/** Starts the instance; resolves once smtpd greets on its port. */
export async function startPostfix(o: PostfixOptions): Promise<Postfix> {
  if (postfixMissing) throw new Error(postfixMissing);
  const dir = await mkdtemp(join(tmpdir(), 'youju-postfix-'));
  await chmod(dir, 0o755); // postfix-owned processes open the maps and the log dir
  // Config, queue and log apart: postfix-script warns of anything in the config directory not owned
  // by root, and of queue directories owned by root. The queue's subdirectories are made by `start`.
  const etc = join(dir, 'etc');
  for (const sub of [etc, join(dir, 'queue'), join(dir, 'log')]) await mkdir(sub, { mode: 0o755 });
  const port = await freePort();
  await writeFile(join(etc, 'main.cf'), mainCf(dir, o));
  await writeFile(join(etc, 'master.cf'), masterCf(port));
  await writeFile(join(etc, 'vmailbox'), o.users.map((u) => `${u}@${o.domain} ok\n`).join(''));
  const log = async () => readFile(join(dir, 'log', 'maillog'), 'utf8').catch(() => '');
  let started = false;
  try {
    run(POSTMAP_BIN, ['-c', etc, `hash:${join(etc, 'vmailbox')}`]);
    // `start` creates the missing queue directories (post-install create-missing) and forks master.
    run(POSTFIX_BIN, ['-c', etc, 'start']);
    started = true;
    await waitForGreeting(port);
  } catch (err) {
    if (started) spawnSync(POSTFIX_BIN, ['-c', etc, 'abort'], { timeout: 30_000 });
    const text = await log();
    await rm(dir, { recursive: true, force: true });
    throw new Error(`postfix did not start: ${(err as Error).message}\n${text}`);
  }
  return {
    smtpPort: port, configDir: etc, log,
    masterPid: async () => Number((await readFile(join(dir, 'queue', 'pid', 'master.pid'), 'utf8')).trim()),
    postconf: () => run(POSTCONF_BIN, ['-c', etc, '-n']),
    async stop() {
      spawnSync(POSTFIX_BIN, ['-c', etc, 'stop'], { timeout: 60_000 });
      await rm(dir, { recursive: true, force: true, maxRetries: 10, retryDelay: 200 });
    },
  };
}

/** Resolves once an SMTP server on 127.0.0.1:port answers 220; throws after 15 s. */
export async function waitForGreeting(port: number): Promise<void> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = connect({ host: '127.0.0.1', port });
      s.once('data', (d) => { s.end('QUIT\r\n'); resolve(d.toString().startsWith('220')); });
      s.once('error', () => resolve(false));
      s.setTimeout(2000, () => { s.destroy(); resolve(false); });
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`no SMTP greeting on 127.0.0.1:${port} within 15 s`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
