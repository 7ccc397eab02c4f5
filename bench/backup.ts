/**
 * Backup benchmark (issue #15, measure): a Youju data directory (embedded SQLite store) holding
 * `--messages N` (default 100,000) distinct 4 KiB messages in 100 users' INBOXes. `youju start`
 * serves it while a paced SMTP load (`--rate R`, default 200 msg/s, one message per connection, to
 * the 100 users) runs: first alone for `--seconds S` (default 15) — the arrival rate without a
 * backup — then while `youju backup --out …` (full, with mail, its own process, as an administrator
 * runs it) copies the store; the load starts once the server has indexed the filled mail. Prints the backup's time and MB/s and the accepted rate during it as a
 * share of the rate without it; then the backup is restored into an empty data directory (time,
 * MB/s). The fill is not measured.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { connect } from 'node:net';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { restore } from '../src/backup/restore.ts';
import { loadBootConfig } from '../src/config/boot.ts';
import type { MailboxId } from '../src/core/ids.ts';
import { createLogger } from '../src/core/log/logger.ts';
import { openBlobLoad, openRuntime } from '../src/main.ts';
import { startYoujuProcess, writeSmtpOnlyConfig, youju, youjuAsync } from '../test/helpers/cli.ts';
import { startDnsServer } from '../test/helpers/dns-server.ts';
import { freePort } from '../test/helpers/server.ts';
import { messageCount, option } from './options.ts';

const USERS = 100;
const SIZE = 4096;
const DOMAIN = 'bench.test';

/** One message over one new connection; resolves with whether it got its 250 after DATA. */
function sendOne(port: number, to: string, body: string): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect(port, '127.0.0.1');
    const steps = ['EHLO load.example\r\n', 'MAIL FROM:<load@load.example>\r\n', `RCPT TO:<${to}>\r\n`, 'DATA\r\n', `${body}\r\n.\r\n`, 'QUIT\r\n'];
    let buf = '';
    let step = 0;
    let accepted = false;
    s.setEncoding('latin1');
    s.setTimeout(60_000, () => s.destroy());
    s.on('data', (d: string) => {
      buf += d;
      // A complete reply ends with a line "NNN text" (no dash after the code).
      for (;;) {
        const m = /^(\d{3}) .*\r\n/m.exec(buf);
        if (!m) return;
        buf = buf.slice(m.index + m[0].length);
        const code = Number(m[1]);
        if (step === 5 && code === 250) accepted = true;
        if (code >= 400 || step >= steps.length) { s.end(); return; }
        s.write(steps[step++]!);
      }
    });
    s.on('error', () => undefined);
    s.on('close', () => resolve(accepted));
  });
}

/** Starts a connection every 1/rate s until stop(); counts 250s by the time they came. */
function pacedLoad(port: number, rate: number) {
  const accepted: number[] = [];
  let failed = 0;
  let open = 0;
  let n = 0;
  const pending = new Set<Promise<void>>();
  const started = performance.now();
  const timer = setInterval(() => {
    // Open loop: as many new connections as the clock says are due (timers drift under load).
    const due = Math.floor(((performance.now() - started) / 1000) * rate) - n;
    for (let k = 0; k < due && open < 400; k++) {
      const i = n++;
      open++;
      const body = `From: load@load.example\r\nTo: user${i % USERS}@${DOMAIN}\r\nSubject: load ${i}\r\n\r\n${'x'.repeat(1000)}`;
      const p = sendOne(port, `user${i % USERS}@${DOMAIN}`, body).then((ok) => {
        open--;
        if (ok) accepted.push(performance.now());
        else failed++;
      });
      pending.add(p);
      void p.finally(() => pending.delete(p));
    }
  }, 5);
  return {
    /** Messages accepted with their 250 between two instants (performance.now()). */
    acceptedBetween: (from: number, to: number) => accepted.filter((t) => t >= from && t < to).length,
    failed: () => failed,
    async stop() {
      clearInterval(timer);
      await Promise.all(pending);
    },
  };
}

export async function run(): Promise<void> {
  const MESSAGES = messageCount(100_000);
  const RATE = option('rate', 200);
  const SECONDS = option('seconds', 15);
  const root = await mkdtemp(join(tmpdir(), 'youju-bench-backup-'));
  const dns = await startDnsServer({ records: {} });
  try {
    const dataDir = join(root, 'data');
    const cfg = join(root, 'youju.json');
    const port = await freePort();
    await writeSmtpOnlyConfig(cfg, { hostname: `mx.${DOMAIN}`, smtpPort: port, dnsServer: dns.server });
    const init = youju(['--data', dataDir, '--config', cfg, 'init', '--domain', DOMAIN]);
    if (init.code !== 0) throw new Error(`youju init failed: ${init.stderr}`);
    const rt = await openRuntime(loadBootConfig({ dataDir, file: cfg, env: {} }), { logger: createLogger({ level: 'silent' }) });
    const fillStart = performance.now();
    try {
      const mailboxes = await rt.store.tx(async (tx) => {
        const d = (await tx.domains.byName(DOMAIN))!;
        const ids: MailboxId[] = [];
        for (let i = 0; i < USERS; i++) {
          const u = await tx.users.create({ domainId: d.id, localPart: `user${i}`, passwordHash: 'x' });
          ids.push((await tx.mailboxes.create(u.id, 'INBOX', { specialUse: '\\Inbox' })).id);
        }
        return ids;
      });
      const BATCH = 200;
      for (let i = 0; i < MESSAGES; i += BATCH) {
        const puts = await Promise.all(Array.from({ length: Math.min(BATCH, MESSAGES - i) }, (_, k) => {
          const head = Buffer.from(`Subject: bench ${i + k}\r\n\r\n`);
          return rt.blobs.put(Buffer.concat([head, Buffer.from(randomBytes(SIZE).toString('hex').slice(0, SIZE - head.length - 2)), Buffer.from('\r\n')]));
        }));
        await rt.store.tx(async (tx) => {
          for (const [k, b] of puts.entries()) {
            await tx.messages.append(mailboxes[(i + k) % USERS]!, { blobId: b.id, size: b.size, internalDate: Date.now(), summary: { subject: `bench ${i + k}` } });
          }
        });
      }
    } catch (err) {
      await rt.close();
      throw err;
    }
    console.log(`backup: filled ${MESSAGES} messages of ${SIZE} B in ${USERS} mailboxes in ${((performance.now() - fillStart) / 1000).toFixed(1)} s`);

    const load0 = loadavg()[0]!;
    const server = await startYoujuProcess(dataDir, cfg);
    const repo = join(root, 'repo');
    let backupDir = '';
    try {
      // The server indexes the filled mail first (full text): that is not the steady state measured.
      const indexStart = performance.now();
      while ((await rt.store.read((tx) => tx.fulltext.pending(1))).length > 0) await new Promise((r) => setTimeout(r, 250));
      console.log(`backup: \`youju start\` indexed the filled mail in ${((performance.now() - indexStart) / 1000).toFixed(1)} s; the load starts now`);
      const load = pacedLoad(port, RATE);
      await new Promise((r) => setTimeout(r, 2000)); // connections settle
      const t0 = performance.now();
      await new Promise((r) => setTimeout(r, SECONDS * 1000));
      const t1 = performance.now();
      const b = await youjuAsync(['--data', dataDir, '--config', cfg, '--json', 'backup', '--out', repo]);
      const t2 = performance.now();
      await load.stop();
      if (b.code !== 0) throw new Error(`youju backup failed: ${b.stderr}`);
      const r = JSON.parse(b.stdout) as { dir: string; seconds: number; counts: { messages: number; blobs: number; blobBytes: number } };
      backupDir = r.dir;
      const without = load.acceptedBetween(t0, t1) / ((t1 - t0) / 1000);
      const during = load.acceptedBetween(t1, t2) / ((t2 - t1) / 1000);
      const mb = r.counts.blobBytes / 2 ** 20;
      console.log(`backup: \`youju backup\` (full, with mail) of ${r.counts.messages} messages, ${r.counts.blobs} blobs (${mb.toFixed(1)} MB) while SMTP mail arrives: ${r.seconds.toFixed(1)} s, ${(mb / r.seconds).toFixed(1)} MB/s`);
      console.log(`backup: SMTP (one message per connection, offered ${RATE} msg/s): ${without.toFixed(0)} msg/s accepted without a backup (${SECONDS} s), ${during.toFixed(0)} msg/s during it = ${((during / without) * 100).toFixed(0)} %; ${load.failed()} without a 250`);
    } finally {
      const exited = new Promise((r) => server.once('exit', r));
      server.kill('SIGTERM');
      await exited;
      await rt.close();
    }

    const target = join(root, 'restored');
    const r = await restore({
      from: backupDir, dataDir: target, metaPath: join(target, 'meta.db'),
      openBlobs: () => openBlobLoad(loadBootConfig({ dataDir: target, env: {} })),
    });
    const rmb = r.bytes / 2 ** 20;
    console.log(`backup: restore of ${r.blobs} blobs (${rmb.toFixed(1)} MB): ${r.seconds.toFixed(1)} s, ${(rmb / r.seconds).toFixed(1)} MB/s`);
    console.log(`backup: load average (1 min) ${load0.toFixed(1)} → ${loadavg()[0]!.toFixed(1)} (other work on the machine skews figures)`);
  } finally {
    await dns.close();
    await rm(root, { recursive: true, force: true });
  }
}
