// DESIGN §4 end to end: `youju start` (a real child process) receives 2,000 messages over 10 SMTP
// connections and is killed with SIGKILL part-way; after a restart every message that got a 250 is
// in its mailbox exactly once, and nothing is delivered twice.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SMTPConnection from 'nodemailer/lib/smtp-connection/index.js';
import { loadBootConfig } from '../../src/config/boot.ts';
import { createLogger } from '../../src/core/log/logger.ts';
import { openRuntime } from '../../src/main.ts';
import { startYoujuProcess, writeSmtpOnlyConfig, youju } from '../helpers/cli.ts';
import { startDnsServer } from '../helpers/dns-server.ts';
import { freePort, PASSWORD } from '../helpers/server.ts';

const TOTAL = 2000;
const CONNECTIONS = 10;
const USERS = 10;

/** One SMTP connection sending messages seq, seq+CONNECTIONS, … until stopped; records every 250. */
async function sender(port: number, first: number, acked: Set<number>, stop: () => boolean): Promise<void> {
  const conn = new SMTPConnection({ host: '127.0.0.1', port, ignoreTLS: true, socketTimeout: 10_000 });
  await new Promise<void>((resolve, reject) => { conn.once('error', reject); conn.connect(() => resolve()); });
  conn.on('error', () => undefined);
  for (let seq = first; seq < TOTAL && !stop(); seq += CONNECTIONS) {
    const to = `u${seq % USERS}@crash.test`;
    const body = `Subject: seq ${seq}\r\nFrom: load@remote.test\r\nTo: ${to}\r\n\r\n${'x'.repeat(2000)}\r\n`;
    const ok = await new Promise<boolean>((resolve) => {
      // A send cut off by the crash may never call back: give up on it after 5 s (it was not acknowledged).
      const timer = setTimeout(() => resolve(false), 5000);
      conn.send({ from: 'load@remote.test', to: [to] }, body, (err, info) => {
        clearTimeout(timer);
        resolve(!err && /^250 /.test(info?.response ?? ''));
      });
    });
    if (!ok) return; // the server died under us
    acked.add(seq);
  }
  conn.quit();
}

describe('SMTP durability under SIGKILL', () => {
  it('keeps every acknowledged message exactly once across a crash', { timeout: 240_000 }, async () => {
    const dir = await mkdtemp(join(tmpdir(), 'youju-smtp-crash-'));
    const dns = await startDnsServer({ records: {} });
    try {
      const data = join(dir, 'data');
      const port = await freePort();
      const cfg = join(dir, 'youju.json');
      await writeSmtpOnlyConfig(cfg, { hostname: 'mx.crash.test', smtpPort: port, dnsServer: dns.server });
      assert.equal(youju(['--data', data, '--config', cfg, 'init', '--domain', 'crash.test']).code, 0);
      for (let i = 0; i < USERS; i++) assert.equal(youju(['--data', data, '--config', cfg, 'user', 'add', `u${i}@crash.test`, '--password', PASSWORD]).code, 0);

      const acked = new Set<number>();
      let server = await startYoujuProcess(data, cfg);
      let killed = false;
      const senders = Array.from({ length: CONNECTIONS }, (_, i) => sender(port, i, acked, () => killed).catch(() => undefined));
      while (acked.size < TOTAL * 0.4) await new Promise((r) => setTimeout(r, 5));
      const exited = new Promise((r) => server.once('exit', r));
      server.kill('SIGKILL');
      killed = true;
      await Promise.all(senders);
      await exited;
      const beforeCrash = acked.size;

      // Restart, send the rest, and let the queue drain.
      server = await startYoujuProcess(data, cfg);
      killed = false;
      const rest = Array.from({ length: CONNECTIONS }, (_, i) => sender(port, beforeCrash + TOTAL * 2 + i, acked, () => false).catch(() => undefined));
      await Promise.all(rest);
      const config = loadBootConfig({ dataDir: data, file: cfg, env: {} });
      const rt = await openRuntime(config, { logger: createLogger({ level: 'silent' }) });
      try {
        const deadline = Date.now() + 60_000;
        while ((await rt.queueManager.list()).length > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
        assert.deepEqual(await rt.queueManager.list(), [], 'queue drained');
        const seen = new Map<number, number>();
        await rt.store.read(async (tx) => {
          for (let i = 0; i < USERS; i++) {
            const user = (await rt.users.byAddress(`u${i}@crash.test`))!;
            const box = (await tx.mailboxes.byName(user.id, 'INBOX'))!;
            for (const m of await tx.messages.list(box.id)) {
              const seq = Number(/^seq (\d+)$/.exec(m.subject)?.[1]);
              seen.set(seq, (seen.get(seq) ?? 0) + 1);
            }
          }
        });
        for (const seq of acked) assert.equal(seen.get(seq), 1, `acknowledged message ${seq} delivered ${seen.get(seq) ?? 0} times`);
        for (const [seq, n] of seen) assert.equal(n, 1, `message ${seq} delivered ${n} times`);
        assert.ok(beforeCrash >= TOTAL * 0.4, `${beforeCrash} acknowledged before the crash`);
      } finally {
        await rt.close();
        const exited = new Promise((r) => server.once('exit', r));
        server.kill('SIGTERM');
        await exited;
      }
    } finally {
      await dns.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
