// Users' own mail rules applied at local delivery (FEATURES W14, P13), driven by swaks over SMTP:
// filters file into a folder and mark read, or discard; auto-reply answers a remote sender once per
// interval with the null sender and never answers bulk mail; auto-forward with and without a kept
// copy, and two users forwarding to each other stop after one round; an alias to a remote address
// queues a remote delivery with an SRS sender for the original one (a forward too, unless the sender is ours); crossing the quota warning mails the user.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { UserId } from '../../../src/core/ids.ts';
import { saveUserRules, type UserRulesPatch } from '../../../src/delivery/local/user-rules.ts';
import { swaks } from '../../helpers/peers.ts';
import { eventually, freePort, mailboxMessages, startTestServer, TEST_ACTOR, type TestServer } from '../../helpers/server.ts';

const b64 = (s: string) => `=?UTF-8?B?${Buffer.from(s).toString('base64')}?=`;

describe('local delivery applies users\' rules', () => {
  let t: TestServer;

  before(async () => {
    // remote.test resolves to 127.0.0.1, but nothing listens on the outbound port: remote mail
    // (auto-replies, forwards to the alias target) stays in the queue, deferred, for us to inspect.
    const closedPort = await freePort();
    t = await startTestServer({
      dnsRecords: { 'remote.test': { MX: [{ exchange: 'mx.remote.test', priority: 10 }] }, 'mx.remote.test': { A: ['127.0.0.1'] } },
      config: (c) => ({ ...c, ports: { ...c.ports, smtpOutbound: closedPort } }),
    });
    for (const u of ['fin', 'alice', 'fwd1', 'tgt1', 'fwd2', 'tgt2', 'ping', 'pong']) await t.addUser(`${u}@example.cn`);
    await t.addUser('near@example.cn', { quotaBytes: 20_000 });
  });
  after(() => t?.close());

  const userId = async (address: string): Promise<UserId> => (await t.rt.users.byAddress(address))!.id;
  const rules = async (address: string, patch: UserRulesPatch) => saveUserRules(t.rt.store, await userId(address), patch);
  /** Sends over port 25 from a remote sender; returns the queue id. */
  const send = async (to: string, subject: string, extra: string[] = [], from = 'x@remote.test'): Promise<number> => {
    const r = await swaks(t.ports.smtp, ['--to', to, '--from', from, '--header', `Subject: ${subject}`, ...extra]);
    assert.equal(r.code, 0, r.out);
    return Number(/queued as (\d+)/.exec(r.out)![1]);
  };
  const queued = async (id: number) => (await t.rt.queueManager.list()).some((e) => Number(e.id) === id);
  const settled = (id: number) => eventually(async () => !(await queued(id)), 10_000, `queue entry ${id} done`);
  const arrives = (address: string, subject: string, folder = 'INBOX') =>
    eventually(async () => (await mailboxMessages(t.rt, address, folder)).find((m) => m.subject === subject), 10_000, `${subject} for ${address}`);
  const count = async (address: string, subject: string) => (await mailboxMessages(t.rt, address)).filter((m) => m.subject === subject).length;

  it('files by filter into a folder marked read, leaves other mail in INBOX, and discards on delete', async () => {
    const fin = await userId('fin@example.cn');
    await t.rt.store.tx((tx) => tx.mailboxes.create(fin, '财务'));
    await rules('fin@example.cn', { filters: [
      { name: '发票归档', conditions: [{ field: 'subject', op: 'contains', value: '发票' }], actions: [{ kind: 'move', folder: '财务' }, { kind: 'mark-read' }] },
      { name: '广告', conditions: [{ field: 'subject', op: 'contains', value: '广告' }], actions: [{ kind: 'delete' }] },
    ] });

    await send('fin@example.cn', b64('关于三月发票的通知'));
    await send('fin@example.cn', 'weekly report');
    const dropped = await send('fin@example.cn', b64('促销广告'));

    const invoice = await arrives('fin@example.cn', '关于三月发票的通知', '财务');
    assert.ok(invoice.flags.includes('\\Seen'), `flags: ${invoice.flags.join(' ')}`);
    const report = await arrives('fin@example.cn', 'weekly report');
    assert.ok(!report.flags.includes('\\Seen'));
    assert.equal(await count('fin@example.cn', '关于三月发票的通知'), 0, 'not in INBOX too');

    await settled(dropped);
    const everywhere = await t.rt.store.read(async (tx) => {
      const subjects: string[] = [];
      for (const box of await tx.mailboxes.list(fin)) for (const m of await tx.messages.list(box.id)) subjects.push(m.subject);
      return subjects;
    });
    assert.deepEqual(everywhere.sort(), ['weekly report', '关于三月发票的通知'].sort(), 'the 广告 message was discarded');
  });

  it('auto-replies once per sender with the null sender, and never to bulk mail', async () => {
    await rules('alice@example.cn', { autoreply: { enabled: true, subject: '自动回复: {subject}', body: '我在休假，下周回来。' } });
    const replies = async (to: string) => (await t.rt.queueManager.list())
      .filter((e) => e.meta.autoreplyFor === 'alice@example.cn' && e.recipients.some((r) => r.address === to));

    await send('alice@example.cn', 'first question');
    const [entry] = await eventually(async () => { const l = await replies('x@remote.test'); return l.length ? l : undefined; }, 10_000, 'auto-reply entry');
    assert.equal(entry!.sender, '');
    assert.deepEqual(entry!.recipients.map((r) => r.address), ['x@remote.test']);
    // Queued as 'raw' (no rewriting); the runner may already have tried it and deferred it.
    assert.ok(['raw', 'retry'].includes(entry!.state), `state ${entry!.state}`);
    const bytes = (await t.rt.blobs.read(entry!.blobId)).toString('utf8');
    assert.match(bytes, /^Auto-Submitted: auto-replied\r$/m);
    assert.match(bytes, /^To: x@remote\.test\r$/m);
    assert.match(bytes, /^From: alice@example\.cn\r$/m);

    await send('alice@example.cn', 'second question');
    await arrives('alice@example.cn', 'second question');
    assert.equal((await replies('x@remote.test')).length, 1, 'one reply per sender within intervalDays');

    await send('alice@example.cn', 'newsletter', ['--add-header', 'Precedence: bulk'], 'news@remote.test');
    await arrives('alice@example.cn', 'newsletter');
    assert.equal((await replies('news@remote.test')).length, 0, 'no reply to Precedence: bulk');
  });

  it('forwards without a copy, with a copy, and stops a forwarding loop after one round', async () => {
    await rules('fwd1@example.cn', { forward: { enabled: true, to: ['tgt1@example.cn'], keepCopy: false } });
    await rules('fwd2@example.cn', { forward: { enabled: true, to: ['tgt2@example.cn'], keepCopy: true } });

    await send('fwd1@example.cn', 'no copy kept');
    const fwd = await arrives('tgt1@example.cn', 'no copy kept');
    assert.match(fwd.raw, /^Return-Path: <x@remote\.test>\r\nDelivered-To: tgt1@example\.cn\r\nX-Youju-Forwarded: fwd1@example\.cn\r\n/);
    assert.equal(await count('fwd1@example.cn', 'no copy kept'), 0);

    await send('fwd2@example.cn', 'copy kept');
    await arrives('tgt2@example.cn', 'copy kept');
    await arrives('fwd2@example.cn', 'copy kept');

    for (const [a, b] of [['ping', 'pong'], ['pong', 'ping']]) {
      await rules(`${a}@example.cn`, { forward: { enabled: true, to: [`${b}@example.cn`], keepCopy: true } });
    }
    await send('ping@example.cn', 'round and round');
    const loopDone = async () => !(await t.rt.queueManager.list())
      .some((e) => e.recipients.some((r) => /^p[io]ng@/.test(r.address)));
    await eventually(loopDone, 10_000, 'the forwarding loop to end');
    const ping = await count('ping@example.cn', 'round and round');
    const pong = await count('pong@example.cn', 'round and round');
    // Both keep copies: each has exactly one (pong does not send it back to ping, who has had it).
    assert.deepEqual({ ping, pong }, { ping: 1, pong: 1 });
  });

  it('queues a remote delivery with an SRS sender (for the original one) for an alias to a remote address', async () => {
    await t.rt.aliases.add(TEST_ACTOR, 'partner@example.cn', ['someone@remote.test']);
    await send('partner@example.cn', 'for the partner', [], 'client@remote.test');
    const e = await eventually(async () => (await t.rt.queueManager.list())
      .find((x) => x.recipients.some((r) => r.address === 'someone@remote.test')), 10_000, 'remote entry');
    assert.match(e.sender, /^SRS0=[a-z2-7]{6}=[a-z2-7]{2}=remote\.test=client@example\.cn$/);
    assert.deepEqual(e.recipients.map((r) => r.address), ['someone@remote.test']);
    assert.match((await t.rt.blobs.read(e.blobId)).toString('utf8'), /^Subject: for the partner\r$/m);
  });

  it('a forward to a remote address leaves with an SRS sender; one from our own domain keeps its sender', async () => {
    await t.addUser('away@example.cn');
    await rules('away@example.cn', { forward: { enabled: true, to: ['home@remote.test'], keepCopy: false } });
    await send('away@example.cn', 'forward me', [], 'client@remote.test');
    await send('away@example.cn', 'internal one', [], 'alice@example.cn');
    const entries = await eventually(async () => {
      const l = (await t.rt.queueManager.list()).filter((x) => x.meta.forwardedBy === 'away@example.cn');
      return l.length === 2 && l;
    }, 10_000, 'two forwarded entries');
    const senders = entries.map((e) => e.sender).sort();
    assert.equal(senders[1], 'alice@example.cn');
    assert.match(senders[0]!, /^SRS0=[a-z2-7]{6}=[a-z2-7]{2}=remote\.test=client@example\.cn$/);
  });

  it('mails a warning when a delivery takes the mailbox past quotaWarnPercent', async () => {
    // quota 20,000 bytes, warning at 90 %: about 18,400 bytes (with the trace and the protection
    // pipeline's Authentication-Results and X-Spam-* headers) crosses it and leaves room for the notice.
    await send('near@example.cn', 'big one', ['--body', `${'x'.repeat(98)}\r\n`.repeat(174)]);
    await arrives('near@example.cn', 'big one');
    const warning = await eventually(async () => (await mailboxMessages(t.rt, 'near@example.cn')).find((m) => m.subject.includes('Mailbox almost full')), 10_000, 'quota warning');
    assert.match(warning.subject, /\((9\d|100)%\)/);
    assert.match(warning.raw, /^Return-Path: <>\r\n/);
    assert.match(warning.raw, /^Auto-Submitted: auto-generated\r$/m);
    await send('near@example.cn', 'small one', ['--body', 'tiny']);
    await arrives('near@example.cn', 'small one');
    assert.equal((await mailboxMessages(t.rt, 'near@example.cn')).filter((m) => m.subject.includes('Mailbox almost full')).length, 1, 'warned once');
  });
});
