// MultiPOP end to end: a user's external box is a second Youju's POP3 (over STLS, self-signed, on
// loopback). Messages are collected into the user's INBOX through the queue (so local delivery's
// rules apply), once: a second run with leave-on-server fetches nothing new; without it they are
// deleted on the server; a wrong password is recorded on the account; APOP login works.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CollectWorker } from '../../../src/collect/collect-worker.ts';
import { PopAccountService } from '../../../src/collect/pop-accounts.ts';
import type { PopAccountId } from '../../../src/core/ids.ts';
import { eventually, mailboxMessages, PASSWORD, startTestServer, TEST_ACTOR, type TestServer } from '../../helpers/server.ts';

describe('MultiPOP', () => {
  let remote: TestServer;
  let local: TestServer;
  let worker: CollectWorker;
  let accounts: PopAccountService;

  const deliver = async (to: string, subject: string) => {
    await remote.rt.queue.submit({ sender: 'x@elsewhere.test', recipients: [to], raw: Buffer.from(`From: x@elsewhere.test\r\nTo: ${to}\r\nSubject: ${subject}\r\nMessage-ID: <${subject.replace(/\W/g, '')}@t>\r\n\r\nbody of ${subject}\r\n`) });
  };
  const remoteCount = async (address: string) => (await mailboxMessages(remote.rt, address)).length;
  const add = (owner: string, username: string, o: { leaveOnServer?: boolean; password?: string; useApop?: boolean } = {}) =>
    accounts.add(TEST_ACTOR, owner, { host: '127.0.0.1', port: remote.config.ports.pop3, tls: 'starttls', username, password: o.password ?? PASSWORD, leaveOnServer: o.leaveOnServer, useApop: o.useApop });

  before(async () => {
    remote = await startTestServer({ pop3: true, domain: 'remote.test', settings: { 'security.apopEnabled': true } });
    local = await startTestServer({ settings: { 'collect.verifyCertificates': false, 'collect.intervalMin': 0, 'collect.allowPrivateHosts': true } });
    for (const u of ['keep@remote.test', 'gone@remote.test', 'apop@remote.test', 'full@remote.test']) await remote.addUser(u);
    for (const u of ['alice@example.cn', 'bob@example.cn', 'postmaster@example.cn']) await local.addUser(u);
    await local.rt.users.add(TEST_ACTOR, 'carol@example.cn', { password: PASSWORD, quotaBytes: 2048 });
    const rt = local.rt;
    accounts = new PopAccountService(rt.store, rt.secrets);
    worker = new CollectWorker({ store: rt.store, queue: rt.queue, secrets: rt.secrets, clock: rt.clock, hostname: rt.config.hostname, settings: () => rt.settings.current(), resolver: rt.resolver });
  });
  after(async () => {
    await worker.stop();
    await local.close();
    await remote.close();
  });

  it('collects into INBOX once, leaving mail on the server; a second run fetches nothing new', async () => {
    await deliver('keep@remote.test', 'keep one');
    await deliver('keep@remote.test', 'keep two');
    await eventually(async () => (await remoteCount('keep@remote.test')) === 2);
    const a = await add('alice@example.cn', 'keep@remote.test');
    assert.ok(!JSON.stringify(a).includes(PASSWORD), 'the view never carries the password');
    const first = await worker.runAccount(a.id);
    assert.deepEqual(first, { fetched: 2, deleted: 0, duplicates: 0, large: 0, error: '' });
    const inbox = await eventually(async () => { const m = await mailboxMessages(local.rt, 'alice@example.cn'); return m.length === 2 && m; });
    assert.deepEqual(inbox.map((m) => m.subject).sort(), ['keep one', 'keep two']);
    assert.match(inbox[0]!.raw, /^Return-Path: <>\r\nDelivered-To: alice@example\.cn\r\nReceived: from 127\.0\.0\.1 by mx\.youju\.test with POP3 id /);
    assert.equal(await remoteCount('keep@remote.test'), 2, 'left on the server');

    const second = await worker.runAccount(a.id);
    assert.equal((second as { fetched: number }).fetched, 0);
    await deliver('keep@remote.test', 'keep three');
    await eventually(async () => (await remoteCount('keep@remote.test')) === 3);
    assert.equal(((await worker.runAccount(a.id)) as { fetched: number }).fetched, 1, 'only the new one');
    await eventually(async () => (await mailboxMessages(local.rt, 'alice@example.cn')).length === 3);
    const shown = await accounts.get(a.id);
    assert.deepEqual([shown.lastError, shown.lastFetched, shown.totalFetched, shown.owner], ['', 1, 3, 'alice@example.cn']);
    assert.ok(shown.lastSuccessAt !== null);
  });

  it('deletes collected mail on the server when not leaving it there', async () => {
    await deliver('gone@remote.test', 'gone one');
    await deliver('gone@remote.test', 'gone two');
    await eventually(async () => (await remoteCount('gone@remote.test')) === 2);
    const a = await add('bob@example.cn', 'gone@remote.test', { leaveOnServer: false });
    const r = await worker.runAccount(a.id);
    assert.deepEqual(r, { fetched: 2, deleted: 2, duplicates: 0, large: 0, error: '' });
    assert.equal(await remoteCount('gone@remote.test'), 0);
    await eventually(async () => (await mailboxMessages(local.rt, 'bob@example.cn')).length === 2);
  });

  it('records a wrong password as the account\'s last error, without the password', async () => {
    const a = await add('bob@example.cn', 'keep@remote.test', { password: 'Wrong-Pass-123' });
    const r = await worker.runAccount(a.id) as { error: string; fetched: number };
    assert.equal(r.fetched, 0);
    assert.match(r.error, /-ERR \[AUTH\]/);
    const shown = await accounts.get(a.id);
    assert.match(shown.lastError, /\[AUTH\]/);
    assert.equal(shown.lastSuccessAt, null);
    assert.ok(!shown.lastError.includes('Wrong-Pass-123'));
    await accounts.remove(TEST_ACTOR, a.id);
  });

  it('logs in with APOP, runs all enabled accounts within the session limit, skips disabled ones', async () => {
    await remote.rt.users.authenticate('apop@remote.test', PASSWORD); // a password login makes the APOP copy
    await deliver('apop@remote.test', 'via apop');
    await eventually(async () => (await remoteCount('apop@remote.test')) === 1);
    const a = await add('alice@example.cn', 'apop@remote.test', { useApop: true });
    await local.rt.settings.set('collect.maxSessions', 1);
    const all = await worker.runAll();
    const mine = all.find((x) => x.account.id === a.id)!.outcome as { fetched: number; error: string };
    assert.deepEqual([mine.fetched, mine.error], [1, '']);
    await accounts.update(TEST_ACTOR, a.id, { enabled: false });
    assert.ok(!(await worker.runAll()).some((x) => x.account.id === (a.id as PopAccountId)));
    const audit = await local.rt.store.read((tx) => tx.audit.list({ action: 'popaccount.update' }));
    assert.equal(audit[0]?.details.enabled, false);
    assert.ok(!JSON.stringify(await local.rt.store.read((tx) => tx.audit.list())).includes(PASSWORD));
  });

  it('passes a message for a full mailbox to the postmaster, or deletes it, and tells the owner', async () => {
    const big = (subject: string) => remote.rt.queue.submit({ sender: 'x@elsewhere.test', recipients: ['full@remote.test'],
      raw: Buffer.from(`From: x@elsewhere.test\r\nTo: full@remote.test\r\nSubject: ${subject}\r\n\r\n${'x'.repeat(4000)}\r\n`) });
    await big('too big one');
    await eventually(async () => (await remoteCount('full@remote.test')) === 1);
    const a = await add('carol@example.cn', 'full@remote.test', { leaveOnServer: false });
    assert.equal(((await worker.runAccount(a.id)) as { fetched: number }).fetched, 1);
    const atPostmaster = await eventually(async () => (await mailboxMessages(local.rt, 'postmaster@example.cn')).find((m) => m.subject === 'too big one'));
    assert.match(atPostmaster.raw, /x{4000}/, 'the whole message reached the postmaster');
    const notice = await eventually(async () => (await mailboxMessages(local.rt, 'carol@example.cn')).find((m) => /Mailbox full/.test(m.subject)));
    assert.match(notice.raw, /too big one/);
    assert.match(notice.raw, /postmaster@example\.cn/);

    await local.rt.settings.set('collect.overQuota', 'delete');
    await big('too big two');
    await eventually(async () => (await remoteCount('full@remote.test')) === 1);
    assert.equal(((await worker.runAccount(a.id)) as { fetched: number }).fetched, 1);
    await eventually(async () => (await mailboxMessages(local.rt, 'carol@example.cn')).filter((m) => /Mailbox full/.test(m.subject)).length === 2);
    const carol = await mailboxMessages(local.rt, 'carol@example.cn');
    assert.match(carol.find((m) => /Mailbox full/.test(m.subject) && /too big two/.test(m.raw))!.raw, /It was deleted/);
    assert.ok(!(await mailboxMessages(local.rt, 'postmaster@example.cn')).some((m) => m.subject === 'too big two'));
    const entries = await local.rt.store.read((tx) => tx.queue.list({ state: 'bad' }));
    assert.equal(entries.length, 0, 'nothing stuck in the queue');
  });
});
