// `youju import --background`: the job is only recorded, and the running server's import worker
// pulls it, here from dovecot over imaps with a self-signed certificate (--insecure-tls), on the
// PostgreSQL store. Without that flag the certificate is refused and the account fails clearly.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { youjuAsync } from '../../helpers/cli.ts';
import { dovecotMissing, seedImap, startDovecot, type Dovecot } from '../../helpers/dovecot.ts';
import { eventually, mailboxMessages, PASSWORD, startTestServer, type TestServer } from '../../helpers/server.ts';

describe('youju import run by the server', { skip: dovecotMissing }, () => {
  let dovecot: Dovecot;
  let t: TestServer;
  const cli = (...args: string[]) => youjuAsync(['--data', t.dir, ...args], { YOUJU_STORE_URL: t.config.store.url });

  before(async () => {
    dovecot = await startDovecot({ users: [{ name: 'frank', password: PASSWORD }], tls: true });
    await seedImap(dovecot.imapPort, PASSWORD, 'frank', {
      INBOX: [{ subject: 'over tls', flags: ['\\Seen'], at: Date.UTC(2020, 0, 2) }],
      Projects: [{ subject: 'plan', flags: [], at: Date.UTC(2020, 0, 3) }],
    });
    t = await startTestServer({ store: 'postgres' });
    await t.addUser('frank@example.cn');
  });
  after(async () => {
    await t?.close();
    await dovecot?.stop();
  });

  it('imports a --background job in the server, over imaps', { timeout: 60_000 }, async () => {
    const file = join(t.dir, 'frank.txt');
    await writeFile(file, `imaps://127.0.0.1:${dovecot.imapsPort} frank ${PASSWORD} frank@example.cn\n`);
    const r = await cli('import', '--file', file, '--background', '--insecure-tls');
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /import job (\d+) recorded \(1 account\): the running server imports it/);
    const status = await eventually(async () => {
      const s = JSON.parse((await cli('import', 'status', '--json')).stdout);
      return s.job.state === 'done' ? s : undefined;
    }, 30_000, 'the server to finish the job');
    assert.equal(status.accounts[0].imported, 2);
    assert.deepEqual((await mailboxMessages(t.rt, 'frank@example.cn')).map((m) => [m.subject, m.flags]), [['over tls', ['\\Seen']]]);
    assert.deepEqual((await mailboxMessages(t.rt, 'frank@example.cn', 'Projects')).map((m) => m.subject), ['plan']);
  });

  it('refuses a self-signed certificate unless told otherwise', async () => {
    const file = join(t.dir, 'strict.txt');
    await writeFile(file, `imaps://127.0.0.1:${dovecot.imapsPort} frank ${PASSWORD} frank@example.cn\n`);
    const r = await cli('import', '--file', file);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /1 of 1 accounts failed \(line 1: the certificate of 127\.0\.0\.1:\d+ is not trusted: self-signed certificate \(youju import --insecure-tls accepts it\)\)/);
  });
});
