// DomainPOP end to end: one box on a second Youju holds a whole domain's mail; each message is
// routed to local users by its headers (To, Cc, Received "for" after skipping the first N), a
// Message-ID already delivered is dropped, mail for nobody known goes to the postmaster, a message
// over the size limit is left on the host and the postmaster told once, and with leave-on-server
// messages older than leaveDays are pruned from the box.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { SessionLogs } from '../../../src/core/log/session-log.ts';
import { CollectWorker } from '../../../src/collect/collect-worker.ts';
import { PopAccountService } from '../../../src/collect/pop-accounts.ts';
import type { PopAccountView } from '../../../src/collect/pop-accounts.ts';
import { eventually, mailboxMessages, PASSWORD, startTestServer, TEST_ACTOR, type TestServer } from '../../helpers/server.ts';

describe('DomainPOP', () => {
  let remote: TestServer;
  let local: TestServer;
  let worker: CollectWorker;
  let box: PopAccountView;
  let now = Date.now();
  const logLines: string[] = [];
  const sessionLogs = { open: () => ({ note: (l: string) => logLines.push(l), close: async () => undefined }) } as unknown as SessionLogs;

  const put = async (head: string, body = 'hello') => {
    const raw = Buffer.from(`${head.trim().split('\n').join('\r\n')}\r\n\r\n${body}\r\n`);
    await remote.rt.queue.submit({ sender: '', recipients: ['all@isp.test'], raw });
  };
  const inbox = async (a: string) => (await mailboxMessages(local.rt, a)).map((m) => m.subject).sort();
  const remoteCount = async () => (await mailboxMessages(remote.rt, 'all@isp.test')).length;
  const run = async () => worker.runAccount(box.id) as Promise<{ fetched: number; deleted: number; duplicates: number; large: number; error: string }>;

  before(async () => {
    remote = await startTestServer({ pop3: true, domain: 'isp.test', settings: { 'security.allowPlaintextAuth': true } });
    local = await startTestServer({ settings: { 'collect.intervalMin': 0, 'domainpop.skipReceived': 1, 'collect.allowPrivateHosts': true } });
    await remote.addUser('all@isp.test');
    for (const u of ['bob@example.cn', 'carol@example.cn', 'dave@example.cn', 'postmaster@example.cn']) await local.addUser(u);
    const rt = local.rt;
    box = await new PopAccountService(rt.store, rt.secrets).setDomainAccount(TEST_ACTOR, {
      host: '127.0.0.1', port: remote.config.ports.pop3, tls: 'none', username: 'all@isp.test', password: PASSWORD, leaveOnServer: true, leaveDays: 3,
    });
    worker = new CollectWorker({ store: rt.store, queue: rt.queue, secrets: rt.secrets, clock: { now: () => now }, hostname: rt.config.hostname, settings: () => rt.settings.current(), resolver: rt.resolver, sessionLogs, dataDir: local.dir });
  });
  after(async () => {
    await worker.stop();
    await local.close();
    await remote.close();
  });

  it('routes by To, Cc and Received (skipping the first), drops duplicate Message-IDs, sends unknown mail to the postmaster', async () => {
    await put('Message-ID: <m1@x>\nTo: Bob <bob@example.cn>\nCc: carol@example.cn, other@elsewhere.test\nSubject: to and cc');
    await put('Received: from isp by pop for <bob@example.cn>; Mon, 1 Jan 2026 00:00:00 +0000\nReceived: from a by b\n for <dave@example.cn>; Mon, 1 Jan 2026 00:00:00 +0000\nMessage-ID: <m2@x>\nTo: list@elsewhere.test\nSubject: received');
    await put('Message-ID: <m1@x>\nTo: bob@example.cn\nCc: carol@example.cn\nSubject: to and cc again');
    await put('Message-ID: <m3@x>\nTo: stranger@example.cn\nSubject: nobody');
    await eventually(async () => (await remoteCount()) === 4);
    const r = await run();
    assert.deepEqual([r.fetched, r.duplicates, r.deleted, r.error], [3, 1, 0, '']);
    await eventually(async () => (await inbox('postmaster@example.cn')).length === 1);
    await eventually(async () => (await inbox('carol@example.cn')).length === 1);
    assert.deepEqual(await inbox('bob@example.cn'), ['to and cc']);
    assert.deepEqual(await inbox('carol@example.cn'), ['to and cc']);
    assert.deepEqual(await inbox('dave@example.cn'), ['received'], 'the first Received (for bob) was skipped');
    assert.deepEqual(await inbox('postmaster@example.cn'), ['nobody']);
    assert.equal(await remoteCount(), 4, 'left on the DomainPOP host');
    assert.equal((await run()).fetched, 0, 'nothing new');
  });

  it('leaves a message over the size limit on the host and tells the postmaster once', async () => {
    await local.rt.settings.set('domainpop.maxMessageBytes', 2000);
    await put('Message-ID: <big@x>\nTo: bob@example.cn\nSubject: big', 'x'.repeat(5000));
    await eventually(async () => (await remoteCount()) === 5);
    const r = await run();
    assert.deepEqual([r.fetched, r.large], [0, 1]);
    await eventually(async () => (await inbox('postmaster@example.cn')).includes('DomainPOP: large message not collected'));
    assert.equal((await run()).large, 0, 'told once');
    assert.deepEqual(await inbox('bob@example.cn'), ['to and cc']);
    await local.rt.settings.set('domainpop.maxMessageBytes', 0);
  });

  it('prunes messages left on the host once they are leaveDays old', async () => {
    now += 4 * 86_400_000;
    const r = await run();
    assert.equal(r.error, '');
    assert.equal(r.deleted, 4, 'the four collected ones; the large one was never collected');
    assert.equal(await remoteCount(), 1);
  });

  it('downloads small messages first, archives each download, deletes a large one when asked', async () => {
    for (const [k, v] of Object.entries({ 'domainpop.smallFirst': true, 'domainpop.archiveDir': 'archive', 'domainpop.maxMessageBytes': 2000, 'domainpop.deleteLarge': true })) {
      await local.rt.settings.set(k, v);
    }
    await put('Message-ID: <s3@x>\nTo: carol@example.cn\nSubject: large', 'l'.repeat(1500));
    await put('Message-ID: <s2@x>\nTo: carol@example.cn\nSubject: medium', 'm'.repeat(800));
    await put('Message-ID: <s1@x>\nTo: carol@example.cn\nSubject: small', 's');
    await put('Message-ID: <s4@x>\nTo: carol@example.cn\nSubject: huge', 'h'.repeat(5000));
    await eventually(async () => (await remoteCount()) === 5);
    logLines.length = 0;
    const r = await run();
    assert.deepEqual([r.fetched, r.large, r.deleted, r.error], [3, 1, 1, '']);
    const queued = logLines.filter((l) => / queued for /.test(l)).map((l) => Number(/\((?:[^,]+), (\d+) bytes\)/.exec(l)![1]));
    assert.equal(queued.length, 3);
    assert.deepEqual(queued, [...queued].sort((a, b) => a - b), `smallest first: ${queued.join(', ')}`);
    assert.equal(await remoteCount(), 4, 'the huge one was deleted from the host, the rest left there');
    await eventually(async () => (await inbox('carol@example.cn')).length === 4);
    const days = await readdir(join(local.dir, 'archive'));
    const files = (await Promise.all(days.map(async (d) => (await readdir(join(local.dir, 'archive', d))).map((f) => join(local.dir, 'archive', d, f))))).flat();
    assert.equal(files.length, 3, 'one archived copy per downloaded message');
    const archived = await Promise.all(files.map((f) => readFile(f, 'utf8')));
    assert.deepEqual(archived.map((t) => /^Subject: (.*)$/m.exec(t)![1]).sort(), ['large', 'medium', 'small']);
  });
});
