/**
 * SMTP benchmark (issue #3, #10): 10,000 messages of 4 KiB (`--messages N` or BENCH_MESSAGES) to 100
 * local users (user0..user99, an equal share each), 20 sessions at a time, in two workloads:
 * "reused" (each session sends many messages over one connection) and "one per connection" (each
 * session connects, sends ONE message, QUITs). Servers: Youju (`youju start` as a child process,
 * durable as it ships) and, where Debian's postfix and dovecot-lmtpd are installed and we are root, a
 * private Postfix on a loopback port delivering by LMTP to a private Dovecot that stores Maildirs
 * (test/helpers/postfix.ts, dovecot.ts). Both run at the same time, idle while the other is measured.
 * Load: Postfix's smtp-source (C, cheap), one process per recipient user with `-s 1` (`-d` to reuse
 * its connection), 20 processes at a time; smtp-source exits at the first reply that is not 2xx, so a
 * clean exit means every message got its 250. Without smtp-source a nodemailer client does the same.
 * Each server first gets one untimed message per user (workers spawned, mailboxes made), then
 * `--warmup N` untimed messages of each workload (default 2,000; 0 for none: Youju's code is then
 * measured while V8 still compiles it).
 * Prints per workload and server: accepted msg/s, the seconds until every message is in its mailbox
 * (Youju: the store's counts; Dovecot: files in Maildir new/ + cur/), failures, the CPU seconds the
 * server's processes used meanwhile (/proc; the figure least skewed by other work on the machine),
 * and Youju / Postfix+Dovecot for each. Where Postfix's smtp-sink is installed, each round ends with
 * the machine's ceiling for the same load: smtp-sink answers every command and keeps nothing, so its
 * rate is what the load generator and loopback TCP allow; each server's rate into mailboxes is
 * printed as a share of it (`--no-ceiling` skips it).
 * Options: --messages N, --warmup N, --repeat N (rounds of each workload, the servers taking turns
 * to go first, with the median ratios; the host's noise shows in the spread), --no-postfix (Youju alone), --workload reused|single (one of the two), --smtp-processes N (boot config processes.smtp), --postconf (print `postconf -n` of the private Postfix),
 * --profile DIR (youju runs under node --cpu-prof into DIR; the profile is written when it stops).
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import SMTPConnection from 'nodemailer/lib/smtp-connection/index.js';
import { loadBootConfig } from '../src/config/boot.ts';
import { createLogger } from '../src/core/log/logger.ts';
import { openRuntime, type Runtime } from '../src/main.ts';
import { startYoujuProcess, writeSmtpOnlyConfig, youju } from '../test/helpers/cli.ts';
import { startDnsServer } from '../test/helpers/dns-server.ts';
import { dovecotMissing, startDovecot, type Dovecot } from '../test/helpers/dovecot.ts';
import { postfixMissing, startPostfix, waitForGreeting, type Postfix } from '../test/helpers/postfix.ts';
import { freePort, PASSWORD } from '../test/helpers/server.ts';
import { median, messageCount, option, optionText } from './options.ts';
import { cpuSince, cpuTotal, idlePercent, machineTicks, treeCpu, type CpuTimes } from './proc-cpu.ts';

const SMTP_SOURCE = '/usr/sbin/smtp-source';
const SMTP_SINK = '/usr/sbin/smtp-sink';
const CONNECTIONS = 20;
const USERS = 100;
const SIZE = 4096;
const DOMAIN = 'bench.test';
const SENDER = 'load@remote.test';
/** smtp-source's own header lines (From, To, Date, Message-Id, Subject) come to about this much. */
const SMTP_SOURCE_HEADER_BYTES = 160;
/** Give up waiting for mailboxes when their count has not grown for this long. */
const STALL_MS = 60_000;

interface Workload {
  title: string;
  /** Many messages per connection (smtp-source -d), or one. */
  reuse: boolean;
}

const WORKLOADS: Workload[] = [
  { title: 'reused connections (each session sends its messages over one connection)', reuse: true },
  { title: 'one message per connection (each session connects, sends one message, QUITs)', reuse: false },
];

/** The workloads to run: both, or the one --workload names (reused, single). */
function chosenWorkloads(): Workload[] {
  const w = optionText('workload');
  if (w === undefined) return WORKLOADS;
  if (w !== 'reused' && w !== 'single') throw new Error(`--workload wants reused or single, not ${w}`);
  return WORKLOADS.filter((x) => x.reuse === (w === 'reused'));
}

/** A server under test: where to send, and how many messages its mailboxes hold now. */
interface Target {
  name: string;
  port: number;
  /** Absent for the ceiling (smtp-sink): it keeps nothing, so a message is done at its 250. */
  countInMailboxes?(): Promise<number>;
  /** CPU its processes have used so far (treeCpu). */
  cpu(): Promise<CpuTimes>;
  /** Extra lines for the report (warnings from the server's log). */
  notes(): Promise<string[]>;
  stop(): Promise<void>;
}

interface LoadResult {
  /** Messages that got a 2xx after their data. */
  acked: number;
  acceptSeconds: number;
  failures: string[];
}

interface Figures extends LoadResult {
  /** Seconds from the first connection until the mailboxes held every acknowledged message. */
  deliveredSeconds: number;
  inMailboxes: number;
  /** CPU the server used meanwhile (NaN where /proc cannot tell). */
  cpu: CpuTimes;
  /** Share of the machine idle while the load ran, in percent. */
  idle: number;
}

/** How many of n messages user k gets: an equal share, the first users one more. */
function share(n: number, k: number): number {
  return Math.floor(n / USERS) + (k < n % USERS ? 1 : 0);
}

// ── Load generators ────────────────────────────────────────────────────────────────────────

/** One smtp-source per recipient user, CONNECTIONS of them at a time, each with one session. */
async function smtpSourceLoad(port: number, messages: number, reuse: boolean): Promise<LoadResult> {
  const jobs = Array.from({ length: USERS }, (_, k) => ({ user: `user${k}@${DOMAIN}`, n: share(messages, k) })).filter((j) => j.n > 0);
  let acked = 0;
  const failures: string[] = [];
  let next = 0;
  const start = performance.now();
  await Promise.all(Array.from({ length: CONNECTIONS }, async () => {
    for (let j = next++; j < jobs.length; j = next++) {
      const { user, n } = jobs[j]!;
      const args = ['-4', '-c', ...(reuse ? ['-d'] : []), '-s', '1', '-m', String(n), '-l', String(SIZE - SMTP_SOURCE_HEADER_BYTES),
        '-f', SENDER, '-t', user, '-S', 'bench', '-M', 'load.remote.test', `127.0.0.1:${port}`];
      const { code, stdout, stderr } = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
        const child = spawn(SMTP_SOURCE, args, { stdio: ['ignore', 'pipe', 'pipe'] });
        let out = '';
        let err = '';
        child.stdout.on('data', (d) => { out += d; });
        child.stderr.on('data', (d) => { err += d; });
        child.on('close', (c) => resolve({ code: c ?? -1, stdout: out, stderr: err }));
      });
      if (code === 0) {
        acked += n;
        continue;
      }
      // -c prints a counter as each message's final dot is sent, before its reply. Refused at
      // HELO/MAIL/RCPT, the failed message's dot was never sent; otherwise ("data 451 …", lost
      // connection while sending the message) the last one counted may be the one that failed.
      const sent = Number(stdout.split(/[\r\n]/).filter(Boolean).pop() ?? 0) || 0;
      const error = stderr.trim().split('\n').pop() ?? `exit ${code}`;
      const ok = /fatal: (bad startup|HELO|sender rejected|recipient rejected|connect)|while (reading server greeting|sending (HELO|sender|recipient))/.test(error) ? sent : Math.max(0, sent - 1);
      acked += ok;
      failures.push(`${user}: ${n - ok} of ${n} without a 250; smtp-source stopped at: ${error}`);
    }
  }));
  return { acked, acceptSeconds: (performance.now() - start) / 1000, failures };
}

/** The same workload through nodemailer's SMTP client, when smtp-source is not installed. */
async function nodemailerLoad(port: number, messages: number, reuse: boolean): Promise<LoadResult> {
  const filler = `${'x'.repeat(78)}\r\n`.repeat(Math.floor((SIZE - SMTP_SOURCE_HEADER_BYTES) / 80));
  const recipients = Array.from({ length: USERS }, (_, k) => Array<string>(share(messages, k)).fill(`user${k}@${DOMAIN}`)).flat();
  let acked = 0;
  const failures: string[] = [];
  let next = 0;
  const open = async () => {
    const conn = new SMTPConnection({ host: '127.0.0.1', port, ignoreTLS: true, socketTimeout: 60_000, name: 'load.remote.test' });
    await new Promise<void>((resolve, reject) => { conn.once('error', reject); conn.connect(() => resolve()); });
    return conn;
  };
  const start = performance.now();
  await Promise.all(Array.from({ length: CONNECTIONS }, async () => {
    let conn: SMTPConnection | undefined;
    for (let i = next++; i < recipients.length; i = next++) {
      const to = recipients[i]!;
      const body = `From: <${SENDER}>\r\nTo: <${to}>\r\nSubject: bench\r\nMessage-Id: <${i}.${Date.now()}@load.remote.test>\r\n\r\n${filler}`;
      try {
        conn ??= await open();
        await new Promise<void>((resolve, reject) => conn!.send({ from: SENDER, to: [to] }, body, (err) => (err ? reject(err) : resolve())));
        acked++;
      } catch (err) {
        failures.push(`${to}: ${(err as Error).message}`);
        conn?.close();
        conn = undefined;
      }
      if (!reuse) {
        conn?.quit();
        conn = undefined;
      }
    }
    conn?.quit();
  }));
  return { acked, acceptSeconds: (performance.now() - start) / 1000, failures };
}

const generator = existsSync(SMTP_SOURCE)
  ? { name: `smtp-source (one process per recipient user, -s 1, ${CONNECTIONS} at a time; HELO, no pipelining)`, load: smtpSourceLoad,
      perConnection: (messages: number) => Math.ceil(messages / USERS) }
  : { name: `nodemailer in the benchmark's process (${SMTP_SOURCE} is not installed)`, load: nodemailerLoad,
      perConnection: (messages: number) => Math.ceil(messages / CONNECTIONS) };

/** Runs one workload against target: the load, then polling until the mailboxes hold every acknowledged message. */
async function measure(target: Target, messages: number, w: Workload): Promise<Figures> {
  const count = target.countInMailboxes?.bind(target);
  const before = count ? await count() : 0;
  const cpuBefore = await target.cpu();
  const ticksBefore = await machineTicks();
  const start = performance.now();
  const load = await generator.load(target.port, messages, w.reuse);
  const idle = idlePercent(await machineTicks(), ticksBefore);
  if (!count) return { ...load, inMailboxes: load.acked, deliveredSeconds: load.acceptSeconds, cpu: cpuSince(await target.cpu(), cpuBefore), idle };
  let inMailboxes = 0;
  let grewAt = performance.now();
  for (;;) {
    const n = (await count()) - before;
    if (n > inMailboxes) grewAt = performance.now();
    inMailboxes = n;
    if (n >= load.acked || performance.now() - grewAt > STALL_MS) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  const deliveredSeconds = (performance.now() - start) / 1000;
  return { ...load, inMailboxes, deliveredSeconds, cpu: cpuSince(await target.cpu(), cpuBefore), idle };
}

// ── Servers ────────────────────────────────────────────────────────────────────────────────

async function startYoujuTarget(): Promise<Target> {
  const dir = await mkdtemp(join(tmpdir(), 'youju-bench-smtp-'));
  const dns = await startDnsServer({ records: {} });
  let rt: Runtime | undefined;
  try {
    const data = join(dir, 'data');
    const port = await freePort();
    const cfg = join(dir, 'youju.json');
    const smtpProcesses = optionText('smtp-processes');
    await writeSmtpOnlyConfig(cfg, { hostname: `mx.${DOMAIN}`, smtpPort: port, dnsServer: dns.server, ...(smtpProcesses === undefined ? {} : { smtpProcesses: Number(smtpProcesses) }) });
    const init = youju(['--data', data, '--config', cfg, 'init', '--domain', DOMAIN]);
    if (init.code !== 0) throw new Error(`youju init failed: ${init.stderr}`);
    const config = loadBootConfig({ dataDir: data, file: cfg, env: {} });
    const runtime = await openRuntime(config, { logger: createLogger({ level: 'silent' }) });
    rt = runtime;
    for (let k = 0; k < USERS; k++) await runtime.users.add({ who: 'bench', from: 'bench', role: { kind: 'system' } }, `user${k}@${DOMAIN}`, { password: PASSWORD });
    const profileDir = optionText('profile');
    const server = await startYoujuProcess(data, cfg, profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`, '--cpu-prof-name=youju-smtp.cpuprofile'] : []);
    if (profileDir) console.log(`  youju profile: ${join(profileDir, 'youju-smtp.cpuprofile')} (written when it stops)`);
    console.log(`  youju: \`youju start\` (child process, embedded SQLite store, settings as shipped: durable${smtpProcesses === undefined ? '' : `, processes.smtp ${smtpProcesses}`}) on 127.0.0.1:${port}`);
    return {
      name: 'youju', port,
      countInMailboxes: () => runtime.store.read(async (tx) => {
        let n = 0;
        for (const u of await tx.users.list({})) n += (await tx.users.usage(u.id)).messages;
        return n;
      }),
      cpu: () => treeCpu([server.pid!]),
      notes: async () => [],
      async stop() {
        const exited = new Promise((r) => server.once('exit', r));
        server.kill('SIGTERM');
        await exited;
        await runtime.close();
        await dns.close();
        await rm(dir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    await rt?.close();
    await dns.close();
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
}

/** Files in a Maildir's new/ and cur/ (0 before its first delivery creates it). */
async function maildirCount(maildir: string): Promise<number> {
  let n = 0;
  for (const sub of ['new', 'cur']) n += (await readdir(join(maildir, sub)).catch(() => [])).length;
  return n;
}

async function startPostfixTarget(): Promise<Target> {
  const users = Array.from({ length: USERS }, (_, k) => `user${k}`);
  // Dovecot's passwords are never used: only LMTP (no login) is exercised.
  const dovecot: Dovecot = await startDovecot({ users: users.map((u) => ({ name: `${u}@${DOMAIN}`, password: PASSWORD })), lmtp: true });
  let postfix: Postfix;
  try {
    postfix = await startPostfix({ hostname: `mx.${DOMAIN}`, domain: DOMAIN, users, lmtp: { host: '127.0.0.1', port: dovecot.lmtpPort } });
  } catch (err) {
    await dovecot.stop();
    throw err;
  }
  if (process.argv.includes('--postconf')) console.log(`postconf -c ${postfix.configDir} -n:\n${postfix.postconf().trimEnd().replace(/^/gm, '  ')}`);
  const version = (cmd: string, args: string[]) => spawnSync(cmd, args, { encoding: 'utf8' }).stdout.trim().split(' ')[0];
  console.log(`  postfix+dovecot: Postfix ${version('/usr/sbin/postconf', ['-c', postfix.configDir, '-h', 'mail_version'])} on 127.0.0.1:${postfix.smtpPort} ` +
    `(test/helpers/postfix.ts: no DNS, no client limits, otherwise defaults) → LMTP → Dovecot ${version('/usr/sbin/dovecot', ['--version'])} ` +
    'Maildir (mail_fsync = optimized, the default)');
  const maildirs = users.map((u) => join(dovecot.home(`${u}@${DOMAIN}`), 'Maildir'));
  return {
    name: 'postfix+dovecot', port: postfix.smtpPort,
    countInMailboxes: async () => (await Promise.all(maildirs.map(maildirCount))).reduce((a, b) => a + b, 0),
    cpu: async () => treeCpu([await postfix.masterPid(), dovecot.pid]),
    async notes() {
      const lines = [...(await postfix.log()).split('\n'), ...(await dovecot.log()).split('\n')]
        .filter((l) => /\b(warning|error|fatal|panic)\b/i.test(l));
      return lines.length ? [`${lines.length} warnings/errors in the Postfix and Dovecot logs, first: ${lines[0]}`] : [];
    },
    async stop() {
      await postfix.stop();
      await dovecot.stop();
    },
  };
}

/**
 * The machine's ceiling for the same load: Postfix's smtp-sink, a C SMTP server that answers every
 * command and keeps nothing (no queue, no fsync, no mailbox). What a server reaches as a share of
 * it is what its own work costs; what smtp-sink cannot pass is the load generator's and the
 * kernel's loopback TCP.
 */
async function startSinkTarget(): Promise<Target> {
  const port = await freePort();
  const root = process.getuid?.() === 0;
  const sink = spawn(SMTP_SINK, [...(root ? ['-u', 'nobody'] : []), '-4', `127.0.0.1:${port}`, '256'], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  sink.stderr.on('data', (d) => { stderr += d; });
  const exited = new Promise<void>((r) => sink.once('exit', () => r()));
  try {
    await Promise.race([waitForGreeting(port), exited.then(() => { throw new Error(`exit ${sink.exitCode}`); })]);
  } catch (err) {
    sink.kill();
    throw new Error(`smtp-sink did not start: ${stderr.trim() || (err as Error).message}`);
  }
  console.log(`  ceiling: Postfix's smtp-sink on 127.0.0.1:${port} (answers every command, keeps nothing)`);
  return {
    name: 'smtp-sink', port,
    cpu: () => treeCpu([sink.pid!]),
    notes: async () => [],
    async stop() {
      sink.kill('SIGTERM');
      await exited;
    },
  };
}

// ── Report ─────────────────────────────────────────────────────────────────────────────────

interface Ratios { accepted: number; delivered: number; cpu: number }

/** Youju over Postfix+Dovecot: accepted msg/s, msg/s into mailboxes, messages per CPU second. */
function ratiosOf(y: Figures, p: Figures): Ratios {
  return {
    accepted: (y.acked / y.acceptSeconds) / (p.acked / p.acceptSeconds),
    delivered: (y.inMailboxes / y.deliveredSeconds) / (p.inMailboxes / p.deliveredSeconds),
    cpu: (cpuTotal(p.cpu) / Math.max(1, p.inMailboxes)) / (cpuTotal(y.cpu) / Math.max(1, y.inMailboxes)),
  };
}

/** Msg/s into mailboxes as a share of the ceiling's msg/s (smtp-sink keeps nothing: its 250 is the end). */
interface Share { youju: number; peer?: number }

function shareOf(sink: Figures, y: Figures, p: Figures | undefined): Share {
  const rate = (f: Figures) => f.inMailboxes / f.deliveredSeconds;
  const ceiling = rate(sink);
  return { youju: rate(y) / ceiling, ...(p ? { peer: rate(p) / ceiling } : {}) };
}

const pct = (x: number) => `${(100 * x).toFixed(1)} %`;
const shareText = (s: Share) => `into mailboxes as a share of smtp-sink's rate: youju ${pct(s.youju)}` +
  (s.peer === undefined ? '' : `, postfix+dovecot ${pct(s.peer)}; 4× postfix+dovecot would be ${pct(4 * s.peer)}`);

const ratioText = (r: Ratios) =>
  `accepted ${r.accepted.toFixed(2)}×, into mailboxes ${r.delivered.toFixed(2)}×; messages per CPU second ${r.cpu.toFixed(2)}×`;

/** keeps: false for the ceiling, which has no mailboxes to report. */
function figureLine(name: string, f: Figures, messages: number, keeps = true): string {
  const perMessage = (seconds: number) => ((1000 * seconds) / Math.max(1, f.inMailboxes)).toFixed(2);
  const all = f.inMailboxes >= f.acked ? 'all in mailboxes after' : `only ${f.inMailboxes} in mailboxes after`;
  return `  ${name.padEnd(16)} accepted ${Math.round(f.acked / f.acceptSeconds).toString().padStart(5)} msg/s (${f.acceptSeconds.toFixed(1)} s), ` +
    (keeps ? `${all} ${f.deliveredSeconds.toFixed(1)} s (${Math.round(f.inMailboxes / f.deliveredSeconds)} msg/s into mailboxes); ` : 'kept nothing; ') +
    `${messages - f.acked} failed; server CPU ${cpuTotal(f.cpu).toFixed(1)} s (${perMessage(cpuTotal(f.cpu))} ms per message: ` +
    `user ${perMessage(f.cpu.user)}, system ${perMessage(f.cpu.system)}); machine ${f.idle.toFixed(0)} % idle during the load`;
}

export async function run(): Promise<void> {
  const messages = messageCount(10_000);
  const skipPostfix = process.argv.includes('--no-postfix');
  const warmup = option('warmup', 2_000, 0);
  const repeat = option('repeat', 1);
  console.log(`smtp: ${messages} messages of ${SIZE} B to ${USERS} users, ${CONNECTIONS} sessions at a time, on 127.0.0.1, ` +
    `after ${warmup} untimed messages of each workload; ` +
    `load: ${generator.name}; load average (1 min) ${loadavg()[0]!.toFixed(1)} (other work on the machine skews figures)`);
  const targets: Target[] = [];
  let ceiling: Target | undefined;
  // The private Postfix runs detached (postfix start): stop it and the others on Ctrl-C too.
  const interrupted = () => {
    void Promise.allSettled([...targets, ...(ceiling ? [ceiling] : [])].reverse().map((t) => t.stop())).then(() => process.exit(130));
  };
  process.once('SIGINT', interrupted);
  process.once('SIGTERM', interrupted);
  let why = '';
  try {
    targets.push(await startYoujuTarget());
    why = skipPostfix ? 'not run (--no-postfix)' : postfixMissing || dovecotMissing || (!existsSync('/usr/lib/dovecot/lmtp') ? 'dovecot-lmtpd is not installed' : '');
    if (!why) {
      try {
        targets.push(await startPostfixTarget());
      } catch (err) {
        why = `failed to start: ${(err as Error).message}`;
      }
    }
    if (!process.argv.includes('--no-ceiling') && existsSync(SMTP_SINK)) {
      try {
        ceiling = await startSinkTarget();
      } catch (err) {
        console.log(`  ceiling: not measured: ${(err as Error).message}`);
      }
    }
    // Untimed: one message to each user first, so every server has spawned its workers and made
    // its mailboxes (Maildirs, indexes) before the clock runs, as a server in service has; then
    // `warmup` messages of each workload, so Youju's hot paths are compiled (V8 optimises a function
    // after it has run many times), as they are in a server that has been up for a while.
    for (const t of targets) {
      const warm = await measure(t, USERS, WORKLOADS[1]!);
      if (warm.failures.length || warm.inMailboxes < USERS) console.log(`  ${t.name}: warm-up: ${warm.inMailboxes} of ${USERS} in mailboxes; ${warm.failures.join('; ')}`);
      for (const w of warmup > 0 ? chosenWorkloads() : []) {
        const more = await measure(t, warmup, w);
        if (more.failures.length || more.inMailboxes < more.acked) console.log(`  ${t.name}: warm-up (${w.title}): ${more.inMailboxes} of ${warmup} in mailboxes; ${more.failures.slice(0, 3).join('; ')}`);
      }
    }
    for (const w of chosenWorkloads()) {
      console.log(`smtp/${w.title}${w.reuse ? `, up to ${generator.perConnection(messages)} messages per connection` : ''}` +
        `${repeat > 1 ? `, ${repeat} rounds (the servers take turns going first)` : ''}:`);
      const ratios: Ratios[] = [];
      const shares: Share[] = [];
      for (let round = 0; round < repeat; round++) {
        const order = round % 2 === 0 ? targets : [...targets].reverse();
        const figures = new Map<Target, Figures>();
        for (const t of order) {
          const f = await measure(t, messages, w);
          figures.set(t, f);
          console.log(figureLine(t.name, f, messages));
          for (const failure of f.failures.slice(0, 5)) console.log(`    ${failure}`);
          if (f.failures.length > 5) console.log(`    … and ${f.failures.length - 5} more sessions with failures`);
        }
        const y = figures.get(targets[0]!);
        const p = targets[1] ? figures.get(targets[1]) : undefined;
        if (y && p) {
          if (y.failures.length || p.failures.length) console.log('  (messages failed: the ratios compare unequal work)');
          const r = ratiosOf(y, p);
          ratios.push(r);
          console.log(`  youju/postfix+dovecot: ${ratioText(r)}`);
        }
        // The ceiling last in every round: it takes a second or two and leaves nothing behind.
        if (ceiling && y) {
          const c = await measure(ceiling, messages, w);
          console.log(figureLine(ceiling.name, c, messages, false));
          const share = shareOf(c, y, p);
          shares.push(share);
          console.log(`  ${shareText(share)}`);
        }
      }
      if (ratios.length > 1) {
        const mid = (pick: (r: Ratios) => number) => median(ratios.map(pick));
        console.log(`  youju/postfix+dovecot, median of ${ratios.length} rounds: ` +
          ratioText({ accepted: mid((r) => r.accepted), delivered: mid((r) => r.delivered), cpu: mid((r) => r.cpu) }));
      }
      if (shares.length > 1) {
        const peers = shares.filter((x) => x.peer !== undefined).map((x) => x.peer!);
        console.log(`  median of ${shares.length} rounds: ${shareText({ youju: median(shares.map((x) => x.youju)), ...(peers.length ? { peer: median(peers) } : {}) })}`);
      }
    }
    if (why) console.log(`  postfix+dovecot: ${why}; Youju's figures alone`);
    for (const t of targets) for (const note of await t.notes()) console.log(`  ${t.name}: ${note}`);
    console.log(`  load average (1 min) at the end ${loadavg()[0]!.toFixed(1)}`);
  } finally {
    await ceiling?.stop();
    for (const t of targets.reverse()) await t.stop();
    process.off('SIGINT', interrupted);
    process.off('SIGTERM', interrupted);
  }
}
