// Boot config processes.smtp (issue #10 §1: SMTP work spread over the cores): the SMTP listeners run
// in child processes that share the ports and hand what they accept to the main process over IPC,
// which stores it and delivers it with its own runner. On the embedded SQLite store the bus events
// reach the children over IPC too, so a settings change made in the main process applies to their
// next session at once, and an IMAP client idling on the main process hears mail a child accepted.
// A child killed with SIGKILL is started again and SMTP goes on; stopping the server ends every child.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import cluster from 'node:cluster';
import { heardWhileIdling, imapClient, withInbox } from '../../helpers/imap.ts';
import { swaks } from '../../helpers/peers.ts';
import { eventually, mailboxMessages, startTestServer, type TestServer } from '../../helpers/server.ts';

const childPids = () => Object.values(cluster.workers ?? {}).filter((w) => w && !w.isDead()).map((w) => w!.process.pid!);
const alive = (pid: number) => { try { process.kill(pid, 0); return true; } catch { return false; } };

describe('SMTP in child processes (processes.smtp = 2, SQLite)', () => {
  let t: TestServer;
  before(async () => {
    t = await startTestServer({ imap: true, config: (c) => ({ ...c, processes: { smtp: 2 } }) });
    await t.addUser('alice@example.cn');
  });
  after(async () => {
    await t?.close();
  });

  it('runs two children that accept and deliver mail, one message per connection', async () => {
    assert.equal(childPids().length, 2);
    const sends = Array.from({ length: 12 }, (_, i) =>
      swaks(t.ports.smtp, ['--to', 'alice@example.cn', '--from', `x${i}@remote.test`, '--header', `Subject: child mail ${i}`]));
    for (const r of await Promise.all(sends)) assert.equal(r.code, 0, r.out);
    const msgs = await eventually(async () => {
      const m = await mailboxMessages(t.rt, 'alice@example.cn');
      return m.length >= 12 ? m : undefined;
    }, 15_000, '12 messages in INBOX');
    assert.deepEqual(msgs.map((m) => m.subject).sort(), Array.from({ length: 12 }, (_, i) => `child mail ${i}`).sort());
    // Each was delivered once, by the main process's runner, and the queue is empty.
    await eventually(async () => (await t.rt.store.read((tx) => tx.queue.list({ limit: 100 }))).length === 0 || undefined, 10_000, 'an empty queue');
  });

  it('applies a settings change made in the main process to the children at once', async () => {
    const big = ['--to', 'alice@example.cn', '--from', 'big@remote.test', '--header', 'Subject: too big now', '--body', 'x'.repeat(3000)];
    const before = t.rt.settings.current().smtp.maxMessageBytes;
    await t.rt.settings.set('smtp.maxMessageBytes', 2000);
    try {
      // No wait for the children's 2 s poll: the change reached them with the bus event.
      const started = Date.now();
      const refused = await swaks(t.ports.smtp, big);
      assert.notEqual(refused.code, 0, refused.out);
      assert.match(refused.out, /552 5\.3\.4/);
      assert.ok(Date.now() - started < 1800, `refused ${Date.now() - started} ms after the change`);
    } finally {
      await t.rt.settings.set('smtp.maxMessageBytes', before);
    }
    const ok = await swaks(t.ports.smtp, big);
    assert.equal(ok.code, 0, ok.out);
  });

  it('tells an IMAP client idling on the main process of mail a child delivered', async () => {
    const c = imapClient(t);
    await withInbox(c, async () => {
      const heard = await heardWhileIdling<{ count: number }>(c, 'exists', async () => {
        const r = await swaks(t.ports.smtp, ['--to', 'alice@example.cn', '--from', 'y@remote.test', '--header', 'Subject: heard over IPC']);
        assert.equal(r.code, 0, r.out);
      });
      assert.equal(heard.data.count, 14);
      assert.ok(heard.ms < 2000, `EXISTS ${heard.ms} ms after the 250`);
    });
  });

  it('starts a child again after SIGKILL, and SMTP goes on', async () => {
    const [victim] = childPids();
    process.kill(victim!, 'SIGKILL');
    await eventually(async () => (childPids().length === 2 && !childPids().includes(victim!)) || undefined, 20_000, 'a new child');
    await eventually(async () => {
      const r = await swaks(t.ports.smtp, ['--to', 'alice@example.cn', '--from', 'z@remote.test', '--header', 'Subject: after the kill']);
      return r.code === 0 || undefined;
    }, 20_000, 'SMTP after the kill');
    await eventually(async () => (await mailboxMessages(t.rt, 'alice@example.cn')).some((m) => m.subject === 'after the kill') || undefined, 15_000, 'delivery after the kill');
  });

  it('ends every child when the server stops', async () => {
    const pids = childPids();
    assert.equal(pids.length, 2);
    await t.server.stop();
    await eventually(async () => pids.every((p) => !alive(p)) || undefined, 10_000, 'children gone');
    t.server = { listeners: [], stop: async () => undefined } as unknown as typeof t.server;
  });
});

describe('SMTP in a child process on PostgreSQL (processes.smtp = 1)', () => {
  let t: TestServer;
  before(async () => {
    t = await startTestServer({ store: 'postgres', config: (c) => ({ ...c, processes: { smtp: 1 } }) });
    await t.addUser('alice@example.cn');
  });
  after(async () => {
    await t?.close();
  });

  it('hands what the child accepts to the main process, which stores and delivers it', async () => {
    assert.equal(childPids().length, 1);
    const sends = Array.from({ length: 6 }, (_, i) =>
      swaks(t.ports.smtp, ['--to', 'alice@example.cn', '--from', `p${i}@remote.test`, '--header', `Subject: pg child mail ${i}`]));
    for (const r of await Promise.all(sends)) {
      assert.equal(r.code, 0, r.out);
      assert.match(r.out, /250 2\.0\.0 Ok: queued as \d+/);
    }
    const msgs = await eventually(async () => {
      const m = await mailboxMessages(t.rt, 'alice@example.cn');
      return m.length >= 6 ? m : undefined;
    }, 15_000, '6 messages in INBOX');
    assert.deepEqual(msgs.map((m) => m.subject).sort(), Array.from({ length: 6 }, (_, i) => `pg child mail ${i}`).sort());
    await eventually(async () => (await t.rt.store.read((tx) => tx.queue.list({ limit: 100 }))).length === 0 || undefined, 10_000, 'an empty queue');
  });
});
