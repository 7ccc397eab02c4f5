// Migration import from another Youju over IMAP, with the importing server killed part-way
// (issue #5, A11): `youju start` runs a --background import job pulling 400 messages in two folders
// from a second Youju's IMAP (STARTTLS, imapflow against our own server); it is SIGKILLed once some
// have arrived, restarted, takes the dead runner's job over, and ends with each message exactly once,
// in its folder, with its flags.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadBootConfig } from '../../src/config/boot.ts';
import { createLogger } from '../../src/core/log/logger.ts';
import { openRuntime } from '../../src/main.ts';
import { startYoujuProcess, writeSmtpOnlyConfig, youju, youjuAsync } from '../helpers/cli.ts';
import { startDnsServer } from '../helpers/dns-server.ts';
import { freePort, mailboxMessages, PASSWORD, startTestServer } from '../helpers/server.ts';

const FOLDERS: Record<string, number> = { INBOX: 300, 'Archive/2025': 100 };
const TOTAL = Object.values(FOLDERS).reduce((a, b) => a + b, 0);

describe('import from another Youju under SIGKILL of the importing server', () => {
  it('resumes after a restart and ends with each message exactly once', { timeout: 240_000 }, async () => {
    // The old server: a second Youju with IMAP on loopback.
    const source = await startTestServer({ imap: true, domain: 'old.test' });
    const dir = await mkdtemp(join(tmpdir(), 'youju-import-server-crash-'));
    const dns = await startDnsServer({ records: {} });
    let server: Awaited<ReturnType<typeof startYoujuProcess>> | undefined;
    try {
      await source.addUser('erin@old.test');
      const erin = (await source.rt.users.byAddress('erin@old.test'))!;
      await source.rt.mailboxes.create(erin.id, 'Archive/2025');
      for (const [folder, count] of Object.entries(FOLDERS)) {
        for (let i = 0; i < count; i++) {
          await source.rt.mailboxes.append(erin.id, folder, {
            raw: Buffer.from(`From: x@old.test\r\nSubject: ${folder} ${i}\r\nMessage-ID: <${folder.replace('/', '-')}-${i}@old.test>\r\n\r\n${'body '.repeat(200)}\r\n`),
            flags: i % 4 === 0 ? ['\\Seen'] : [],
            internalDate: Date.UTC(2025, 0, 1) + i * 60_000,
          });
        }
      }

      // The new server, run as `youju start`, with a background job.
      const data = join(dir, 'data');
      const cfg = join(dir, 'youju.json');
      await writeSmtpOnlyConfig(cfg, { hostname: 'mx.new.test', smtpPort: await freePort(), dnsServer: dns.server });
      assert.equal(youju(['--data', data, '--config', cfg, 'init', '--domain', 'new.test']).code, 0);
      assert.equal(youju(['--data', data, '--config', cfg, 'user', 'add', 'erin@new.test', '--password', PASSWORD]).code, 0);
      const list = join(dir, 'list.txt');
      await writeFile(list, `imap://127.0.0.1:${source.config.ports.imap} erin@old.test ${PASSWORD} erin@new.test\n`);
      const cli = (...args: string[]) => youjuAsync(['--data', data, '--config', cfg, ...args]);
      server = await startYoujuProcess(data, cfg);
      const r = await cli('import', '--file', list, '--background', '--insecure-tls');
      assert.equal(r.code, 0, r.stderr);

      const config = loadBootConfig({ dataDir: data, file: cfg, env: {} });
      const rt = await openRuntime(config, { logger: createLogger({ level: 'silent' }) });
      try {
        const erinNew = (await rt.users.byAddress('erin@new.test'))!;
        const count = async () => (await Promise.all(Object.keys(FOLDERS).map(async (f) => (await rt.mailboxes.get(erinNew.id, f))?.messages ?? 0)))
          .reduce((a, b) => a + b, 0);
        const deadline = Date.now() + 60_000;
        while ((await count()) < 60 && Date.now() < deadline) await new Promise((res) => setTimeout(res, 20));
        const exited = new Promise((res) => server!.once('exit', res));
        server.kill('SIGKILL');
        await exited;
        const atCrash = await count();
        assert.ok(atCrash > 0 && atCrash < TOTAL, `killed part-way (${atCrash} of ${TOTAL} in)`);

        server = await startYoujuProcess(data, cfg);
        const done = Date.now() + 120_000;
        let status: { job: { state: string } } | undefined;
        while (Date.now() < done) {
          status = JSON.parse((await cli('import', 'status', '--json')).stdout);
          if (status?.job.state === 'done') break;
          await new Promise((res) => setTimeout(res, 500));
        }
        assert.equal(status?.job.state, 'done', JSON.stringify(status));

        for (const [folder, n] of Object.entries(FOLDERS)) {
          const msgs = await mailboxMessages(rt, 'erin@new.test', folder);
          const subjects = msgs.map((m) => m.subject);
          assert.equal(subjects.length, n, `${folder}: ${subjects.length} messages`);
          assert.equal(new Set(subjects).size, n, `${folder}: no duplicates`);
          for (const m of msgs) {
            const i = Number(m.subject.split(' ').at(-1));
            assert.equal(m.flags.includes('\\Seen'), i % 4 === 0, `${m.subject} keeps its flags`);
          }
        }
      } finally {
        await rt.close();
      }
    } finally {
      server?.kill('SIGKILL');
      await source.close();
      await dns.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
