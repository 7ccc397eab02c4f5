// Collector leases across nodes (issue #15 §3, FEATURES B8): two nodes on one PostgreSQL collect
// the same MultiPOP box. A run holds the account's lease in the store (pop_accounts.lease_until,
// taken by one conditional UPDATE), so when both nodes start a run at once exactly one collects and
// the other is told the account is busy; a node that dies mid-run leaves its lease behind, which
// keeps the other node out until it expires, and then the other node collects. Every message
// arrives once.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CollectWorker } from '../../../src/collect/collect-worker.ts';
import { PopAccountService } from '../../../src/collect/pop-accounts.ts';
import { eventually, mailboxMessages, PASSWORD, startTestServer, TEST_ACTOR, type TestServer } from '../../helpers/server.ts';

describe('collector leases across two nodes on one PostgreSQL', () => {
  let remote: TestServer;
  let a: TestServer;
  let b: TestServer;
  const workers: CollectWorker[] = [];
  let skew = 0;
  // Nodes of one cluster share the secret key file (the sealed POP password is read by either); the
  // test servers each made their own, so both workers unseal with node A's.
  const worker = (t: TestServer, clock = t.rt.clock) => {
    const w = new CollectWorker({ store: t.rt.store, queue: t.rt.queue, secrets: a.rt.secrets, clock, hostname: t.config.hostname, settings: () => t.rt.settings.current(), resolver: t.rt.resolver });
    workers.push(w);
    return w;
  };
  const deliver = async (to: string, subject: string) =>
    remote.rt.queue.submit({ sender: 'x@elsewhere.test', recipients: [to], raw: Buffer.from(`From: x@elsewhere.test\r\nTo: ${to}\r\nSubject: ${subject}\r\nMessage-ID: <${subject.replace(/\W/g, '')}@t>\r\n\r\nbody of ${subject}\r\n`) });

  before(async () => {
    remote = await startTestServer({ pop3: true, domain: 'remote.test', settings: { 'security.allowPlaintextAuth': true } });
    const settings = { 'collect.intervalMin': 0, 'collect.allowPrivateHosts': true };
    a = await startTestServer({ store: 'postgres', hostname: 'node-a.youju.test', settings });
    b = await startTestServer({ sharedPostgres: (a.config.store as { url: string }).url, hostname: 'node-b.youju.test', dnsServer: a.dns });
    await a.addUser('alice@example.cn');
    await remote.addUser('box@remote.test');
  });
  after(async () => {
    for (const w of workers) await w.stop();
    await b?.close();
    await a?.close();
    await remote?.close();
  });

  it('two nodes starting a run at once: one collects, the other is busy; each message arrives once', async () => {
    for (let i = 1; i <= 5; i++) await deliver('box@remote.test', `message ${i}`);
    await eventually(async () => (await mailboxMessages(remote.rt, 'box@remote.test')).length === 5);
    const acct = await new PopAccountService(a.rt.store, a.rt.secrets).add(TEST_ACTOR, 'alice@example.cn',
      { host: '127.0.0.1', port: remote.config.ports.pop3, tls: 'none', username: 'box@remote.test', password: PASSWORD, leaveOnServer: true });
    // Both nodes see the shared settings (B's settings are read from the same database).
    await eventually(async () => b.rt.settings.current().collect.allowPrivateHosts);
    const [ra, rb] = await Promise.all([worker(a).runAccount(acct.id), worker(b).runAccount(acct.id)]);
    const outcomes = [ra, rb].map((r) => ('skipped' in r ? r.skipped : r.fetched));
    assert.deepEqual(outcomes.sort(), [5, 'busy'], JSON.stringify([ra, rb]));
    const inbox = await eventually(async () => { const m = await mailboxMessages(a.rt, 'alice@example.cn'); return m.length >= 5 && m; });
    assert.deepEqual(inbox.map((m) => m.subject).sort(), [1, 2, 3, 4, 5].map((i) => `message ${i}`));
  });

  it('a lease left by a node that died mid-run keeps the other out until it expires', async () => {
    const [acct] = await a.rt.store.read((tx) => tx.popAccounts.list());
    await deliver('box@remote.test', 'message 6');
    await eventually(async () => (await mailboxMessages(remote.rt, 'box@remote.test')).length === 6);
    // Node A claims the account as its worker does, then "dies": the lease stays in the database.
    const now = Date.now();
    assert.equal(await a.rt.store.tx((tx) => tx.popAccounts.claim(acct!.id, now, 30 * 60_000)), true);
    const onB = worker(b, { now: () => Date.now() + skew });
    assert.deepEqual(await onB.runAccount(acct!.id), { skipped: 'busy' }, 'node B may not collect while A\'s lease holds');
    skew = 31 * 60_000; // past the 30-minute lease
    const r = await onB.runAccount(acct!.id);
    assert.deepEqual(r, { fetched: 1, deleted: 0, duplicates: 0, large: 0, error: '' });
    const inbox = await eventually(async () => { const m = await mailboxMessages(a.rt, 'alice@example.cn'); return m.length >= 6 && m; });
    assert.equal(inbox.length, 6, 'nothing doubled');
  });
});
