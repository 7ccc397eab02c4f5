// An import killed with SIGKILL part-way (DESIGN §4 rule 2 for A11): `youju import` is pulling 500
// messages from a real dovecot when its process dies; `youju import resume` takes the job over from
// the dead runner at once and ends with every message exactly once, in its folder with its flags.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ImapFlow } from 'imapflow';
import { loadBootConfig } from '../../src/config/boot.ts';
import { createLogger } from '../../src/core/log/logger.ts';
import { openRuntime } from '../../src/main.ts';
import { YOUJU_BIN, youjuAsync } from '../helpers/cli.ts';
import { dovecotMissing, startDovecot } from '../helpers/dovecot.ts';
import { PASSWORD } from '../helpers/server.ts';

const FOLDERS = { INBOX: 350, Archive: 150 };
const TOTAL = FOLDERS.INBOX + FOLDERS.Archive;

describe('import durability under SIGKILL', { skip: dovecotMissing }, () => {
  it('resumes a killed import and ends with each message exactly once', { timeout: 240_000 }, async () => {
    const dovecot = await startDovecot({ users: [{ name: 'erin', password: PASSWORD }] });
    const dir = await mkdtemp(join(tmpdir(), 'youju-import-crash-'));
    const data = join(dir, 'data');
    const cli = (...args: string[]) => youjuAsync(['--data', data, ...args]);
    try {
      // Seed the old server: numbered messages in two folders.
      const c = new ImapFlow({ host: '127.0.0.1', port: dovecot.imapPort, secure: false, auth: { user: 'erin', pass: PASSWORD }, logger: false });
      await c.connect();
      await c.mailboxCreate('Archive');
      let seq = 0;
      for (const [folder, n] of Object.entries(FOLDERS)) {
        for (let i = 0; i < n; i++, seq++) {
          await c.append(folder, Buffer.from(`From: old@old.test\r\nSubject: seq ${seq}\r\nMessage-ID: <${seq}@old.test>\r\n\r\n${'y'.repeat(3000)}\r\n`), seq % 3 === 0 ? ['\\Seen'] : []);
        }
      }
      await c.logout();
      assert.equal((await cli('init', '--domain', 'example.cn')).code, 0);
      assert.equal((await cli('user', 'add', 'erin@example.cn', '--password', PASSWORD)).code, 0);
      const list = join(dir, 'list.txt');
      await writeFile(list, `imap://127.0.0.1:${dovecot.imapPort} erin ${PASSWORD} erin@example.cn\n`);

      const rt = await openRuntime(loadBootConfig({ dataDir: data, env: {} }), { logger: createLogger({ level: 'silent' }) });
      try {
        const erin = (await rt.users.byAddress('erin@example.cn'))!;
        const stored = async () => (await rt.mailboxes.list(erin.id)).reduce((n, b) => n + b.messages, 0);

        // Start the import and kill it once part of the mail is in.
        const child = spawn(process.execPath, [YOUJU_BIN, '--data', data, 'import', '--file', list], { stdio: 'ignore' });
        const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
        const deadline = Date.now() + 60_000;
        while ((await stored()) < 100) {
          assert.ok(Date.now() < deadline, 'the import never got going');
          assert.equal(child.exitCode, null, 'the import finished before it could be killed: seed more mail');
          await new Promise((r) => setTimeout(r, 10));
        }
        child.kill('SIGKILL');
        await exited;
        const beforeResume = await stored();
        assert.ok(beforeResume < TOTAL, `${beforeResume} of ${TOTAL} stored when killed`);
        const killed = JSON.parse((await cli('import', 'status', '--json')).stdout);
        assert.equal(killed.job.state, 'running', 'the dead runner still holds the job');

        // Resume: the dead holder is recognised, the job taken over, the rest imported once.
        const r = await cli('import', 'resume');
        assert.equal(r.code, 0, r.stderr + r.stdout);
        const status = JSON.parse((await cli('import', 'status', '--json')).stdout);
        assert.equal(status.job.state, 'done');
        assert.equal(status.accounts[0].messagesDone, TOTAL);
        // Counted in each append's transaction, over both runs: one per message stored.
        assert.equal(status.accounts[0].imported, TOTAL);

        const seen = new Map<number, number>();
        for (const box of await rt.mailboxes.list(erin.id)) {
          for (const m of await rt.mailboxes.messages(box.id)) {
            const n = Number(/^seq (\d+)$/.exec(m.subject)?.[1]);
            seen.set(n, (seen.get(n) ?? 0) + 1);
            assert.equal(m.flags.includes('\\Seen'), n % 3 === 0, `flags of seq ${n}`);
            assert.equal(box.name, n < FOLDERS.INBOX ? 'INBOX' : 'Archive', `folder of seq ${n}`);
          }
        }
        for (let n = 0; n < TOTAL; n++) assert.equal(seen.get(n), 1, `seq ${n} stored ${seen.get(n) ?? 0} times`);
        assert.equal(seen.size, TOTAL);
      } finally {
        await rt.close();
      }
    } finally {
      await dovecot.stop();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
