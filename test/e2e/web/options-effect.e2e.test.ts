// Options take effect at delivery (issue #12 W14): rules set through the web API are the ones the
// local transport applies to mail that arrives over SMTP. Carol sends to Alice by SMTP submission
// (AUTH PLAIN, as a mail client would): Alice's filter (来信分类) files the invoice into her own
// folder "发票" marked read, her auto-reply (within its dates) reaches Carol's INBOX, and after
// Alice turns on auto-forward without a copy, the next mail lands at Bob and not at Alice.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import SMTPConnection from 'nodemailer/lib/smtp-connection/index.js';
import { eventually, mailboxMessages, PASSWORD, startTestServer, type TestServer } from '../../helpers/server.ts';
import { WebClient } from '../../helpers/web.ts';

async function submit(port: number, from: string, to: string, subject: string, body: string): Promise<void> {
  const c = new SMTPConnection({ host: '127.0.0.1', port, ignoreTLS: true });
  await new Promise<void>((resolve, reject) => { c.once('error', reject); c.connect(() => resolve()); });
  await new Promise<void>((resolve, reject) => c.login({ user: from, pass: PASSWORD }, (err) => (err ? reject(err) : resolve())));
  const raw = [`From: <${from}>`, `To: <${to}>`, `Subject: =?UTF-8?B?${Buffer.from(subject).toString('base64')}?=`,
    `Message-ID: <${Date.now()}.${Math.random()}@example.cn>`, 'MIME-Version: 1.0', 'Content-Type: text/plain; charset=UTF-8', '', body, ''].join('\r\n');
  await new Promise<void>((resolve, reject) => c.send({ from, to: [to] }, raw, (err) => (err ? reject(err) : resolve())));
  c.quit();
}

describe('options take effect on delivered mail', () => {
  let t: TestServer;
  let alice: WebClient;
  const put = (path: string, body: unknown) => alice.send('PUT', path, JSON.stringify(body), { 'content-type': 'application/json', 'x-csrf-token': alice.csrf });

  before(async () => {
    t = await startTestServer({ http: true, settings: { 'security.allowPlaintextAuth': true, 'security.failedLoginDelayMs': 0 } });
    for (const a of ['alice', 'bob', 'carol']) await t.addUser(`${a}@example.cn`);
    const aliceId = (await t.rt.users.byAddress('alice@example.cn'))!.id;
    await t.rt.mailboxes.create(aliceId, '发票');
    alice = WebClient.of(t);
    assert.equal((await alice.login('alice@example.cn', PASSWORD)).status, 200);
  });
  after(() => t?.close());

  it('files mail by the filter and answers with the auto-reply', async () => {
    const filter = await put('/api/options/filters', {
      filters: [{ name: '发票归档', conditions: [{ field: 'subject', op: 'contains', value: '发票' }], actions: [{ kind: 'move', folder: '发票' }, { kind: 'mark-read' }] }],
    });
    assert.equal(filter.status, 200, filter.text);
    const now = Date.now();
    const reply = await put('/api/options/autoreply', { enabled: true, subject: '休假中：{subject}', body: '我在休假，下周一回来。', startsAt: now - 3_600_000, endsAt: now + 86_400_000 });
    assert.equal(reply.status, 200, reply.text);

    await submit(t.ports.submission, 'carol@example.cn', 'alice@example.cn', '三月发票', '请查收附件中的发票。');
    const filed = await eventually(async () => (await mailboxMessages(t.rt, 'alice@example.cn', '发票')).find((m) => m.subject === '三月发票'), 15_000, 'the filed invoice');
    assert.ok(filed.flags.includes('\\Seen'), 'the filter marked it read');
    assert.equal((await mailboxMessages(t.rt, 'alice@example.cn')).length, 0, 'not in INBOX');
    const answer = await eventually(async () => (await mailboxMessages(t.rt, 'carol@example.cn')).find((m) => m.subject.startsWith('休假中')), 15_000, 'the auto-reply');
    assert.equal(answer.subject, '休假中：三月发票');
    assert.match(answer.raw, /Auto-Submitted: auto-replied/i);
    assert.match(Buffer.from(answer.raw).toString('utf8'), /我在休假|5oiR5Zyo5LyR5YGH/, 'the reply carries the text set in the web options');
  });

  it('forwards without keeping a copy once auto-forward is on', async () => {
    const fw = await put('/api/options/forward', { enabled: true, to: ['bob@example.cn'], keepCopy: false });
    assert.equal(fw.status, 200, fw.text);
    await submit(t.ports.submission, 'carol@example.cn', 'alice@example.cn', '会议纪要', '周五的会议纪要。');
    await eventually(async () => (await mailboxMessages(t.rt, 'bob@example.cn')).find((m) => m.subject === '会议纪要'), 15_000, 'the forwarded mail at Bob');
    assert.equal((await mailboxMessages(t.rt, 'alice@example.cn')).filter((m) => m.subject === '会议纪要').length, 0, 'no copy kept at Alice');
  });
});
