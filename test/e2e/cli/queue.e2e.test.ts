// `youju queue` (FEATURES T1) against a running server's data: a message to a peer that refuses
// connections waits in `retry`; list/show see it, retry makes it due again, bounce returns it to
// the local sender as a DSN, delete removes one silently, and release refuses what is not held.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { youjuAsync } from '../../helpers/cli.ts';
import { swaks } from '../../helpers/peers.ts';
import { eventually, freePort, mailboxMessages, PASSWORD, startTestServer, type TestServer } from '../../helpers/server.ts';

describe('youju queue', () => {
  let t: TestServer;
  const cli = (...args: string[]) => youjuAsync(['--data', t.dir, ...args]);
  before(async () => {
    const closed = await freePort(); // nothing listens there: delivery is refused and deferred
    t = await startTestServer({
      dnsRecords: { 'remote.test': { MX: [{ exchange: 'mx.remote.test', priority: 10 }] }, 'mx.remote.test': { A: ['127.0.0.1'] } },
      config: (c) => ({ ...c, ports: { ...c.ports, smtpOutbound: closed } }),
    });
    await t.addUser('alice@example.cn');
  });
  after(() => t.close());

  const sendRemote = async (subject: string) => {
    const before = new Set((await t.rt.queueManager.list()).map((e) => e.id));
    const r = await swaks(t.ports.submission, ['--tls', '--to', 'bob@remote.test', '--from', 'alice@example.cn', '--auth', 'PLAIN',
      '--auth-user', 'alice@example.cn', '--auth-password', PASSWORD, '--header', `Subject: ${subject}`]);
    assert.equal(r.code, 0, r.out);
    return eventually(async () => (await t.rt.queueManager.list('retry')).find((e) => !before.has(e.id)), 15_000, 'retry entry');
  };

  it('lists, shows and retries a deferred entry', async () => {
    const e = await sendRemote('stuck');
    const list = await cli('queue', 'list', '--state', 'retry', '--json');
    assert.equal(list.code, 0, list.stderr);
    const parsed = JSON.parse(list.stdout);
    assert.equal(parsed.counts.retry, 1);
    assert.equal(parsed.entries[0].id, e.id);
    const human = await cli('queue', 'list');
    assert.match(human.stdout, /retry 1/);
    assert.match(human.stdout, new RegExp(`^${e.id}\\s+retry\\s+alice@example\\.cn\\s+1/1`, 'm'));
    const show = await cli('queue', 'show', String(e.id));
    assert.match(show.stdout, /bob@remote\.test\s+deferred\s+1\s+4\d\d /);
    assert.match(show.stdout, /Subject: stuck/);

    const retry = await cli('queue', 'retry', String(e.id));
    assert.equal(retry.code, 0, retry.stderr);
    const again = await eventually(async () => {
      const x = (await t.rt.queueManager.list('retry')).find((y) => y.id === e.id);
      return x && x.recipients[0]!.attempts >= 2 ? x : undefined;
    }, 15_000, 'second attempt');
    assert.equal(again.recipients[0]!.state, 'deferred');
  });

  it('bounces an entry back to its local sender', async () => {
    const e = (await t.rt.queueManager.list('retry'))[0]!;
    const r = await cli('queue', 'bounce', String(e.id));
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /returned to its sender \(1 recipients\)/);
    const dsn = await eventually(async () => (await mailboxMessages(t.rt, 'alice@example.cn')).find((m) => /Undelivered/.test(m.subject)), 15_000, 'bounce');
    assert.match(dsn.raw, /Final-Recipient: rfc822; bob@remote\.test\r\nAction: failed\r\nStatus: 5\.0\.0/);
    assert.equal((await t.rt.queueManager.list()).some((x) => x.id === e.id), false);
  });

  it('deletes an entry, refuses to release one that is not held, and reports unknown ids', async () => {
    const e = await sendRemote('to delete');
    const rel = await cli('queue', 'release', String(e.id));
    assert.equal(rel.code, 2);
    assert.match(rel.stderr, /not holding or bad/);
    assert.equal((await cli('queue', 'delete', String(e.id))).code, 0);
    assert.equal((await t.rt.queueManager.list()).some((x) => x.id === e.id), false);
    const missing = await cli('queue', 'show', '999999');
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /no queue entry 999999/);
    const audit = await t.rt.store.read((tx) => tx.audit.list({ action: 'queue.delete' }));
    assert.equal(audit[0]?.target, String(e.id));
  });
});
