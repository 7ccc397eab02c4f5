// Compose routes: send through the submission rules (the same refusals SMTP gives, naming the field),
// delivery to a local user, the Sent copy with Bcc kept and Bcc gone from what was delivered, drafts
// saved, replaced, opened again, an attachment uploaded into a draft and sent from it, the original
// marked \Answered; another user's draft is 404; nothing is queued on a refusal.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { eventually, mailboxMessages, PASSWORD, startTestServer, type TestServer } from '../../helpers/server.ts';
import { WebClient } from '../../helpers/web.ts';

describe('web compose', () => {
  let t: TestServer;
  let alice: WebClient;
  let bob: WebClient;
  let folders: Record<string, number>;

  before(async () => {
    t = await startTestServer({ http: true, settings: { 'security.failedLoginDelayMs': 0, 'smtp.maxRcptPerMessage': 5 } });
    await t.addUser('alice@example.cn', { realName: '爱丽丝' });
    await t.addUser('bob@example.cn');
    await t.addUser('carol@example.cn');
    alice = WebClient.of(t);
    bob = WebClient.of(t);
    assert.equal((await alice.login('alice@example.cn', PASSWORD)).status, 200);
    assert.equal((await bob.login('bob@example.cn', PASSWORD)).status, 200);
    folders = Object.fromEntries((await alice.get('/api/folders')).json.folders.map((f: { name: string; id: number }) => [f.name, f.id]));
  });
  after(() => t.close());

  const queued = async () => (await t.rt.store.read((tx) => tx.queue.counts())) as unknown;

  it('sends to a local user: delivered without Bcc, Sent copy with it, Received stamped', async () => {
    const r = await alice.post('/api/compose/send', {
      to: ['Bob <bob@example.cn>'], bcc: ['carol@example.cn'], subject: '周报 weekly', text: '你好 Bob', html: '<p>你好 <b>Bob</b></p>', priority: 'high',
    });
    assert.equal(r.status, 200, r.text);
    assert.ok(r.json.queueId > 0 && r.json.sent.folderId === folders.Sent);
    const [got] = await eventually(async () => (await mailboxMessages(t.rt, 'bob@example.cn')).filter((m) => m.subject === '周报 weekly'), 10_000, 'delivery to bob');
    assert.match(got!.raw, /^From: =\?UTF-8\?[BQ]\?.+\?= <alice@example\.cn>/m, 'the real name as the From display name');
    assert.match(got!.raw, /^Received: from \[127\.0\.0\.1\] \(webmail user alice@example\.cn\)/m);
    assert.match(got!.raw, /^X-Priority: 1/m);
    assert.doesNotMatch(got!.raw, /^Bcc:/im, 'Bcc is not in the delivered message');
    const carol = await eventually(async () => (await mailboxMessages(t.rt, 'carol@example.cn')).find((m) => m.subject === '周报 weekly'), 10_000, 'Bcc delivery');
    assert.doesNotMatch(carol.raw, /carol@example\.cn>?\r?\n\s*;|^Bcc:/im);
    const sent = await mailboxMessages(t.rt, 'alice@example.cn', 'Sent');
    assert.equal(sent.length, 1);
    assert.match(sent[0]!.raw, /^Bcc: carol@example\.cn/m);
    assert.ok(sent[0]!.flags.includes('\\Seen'));
  });

  it('adds the people written to the personal book after sending (自动保存收件人到通讯录), unless turned off', async () => {
    const book = async (c: WebClient) => (await c.get('/api/contacts?pageSize=100')).json.contacts
      .map((x: { name: string; emails: string[] }) => `${x.name} ${x.emails.join(',')}`).sort();
    // Alice's first mail (above) went to "Bob <bob@example.cn>" with carol@example.cn in Bcc.
    assert.deepEqual(await book(alice), ['Bob bob@example.cn', 'carol carol@example.cn']);
    assert.equal((await autoSaveOff()).status, 200);
    assert.equal((await bob.post('/api/compose/send', { to: ['Carol <carol@example.cn>'], subject: 'no book', text: 'x' })).status, 200);
    assert.deepEqual(await book(bob), [], 'autoSaveRecipients off: nobody added');
    await bob.put('/api/options/preferences', { autoSaveRecipients: true });
  });
  const autoSaveOff = () => bob.put('/api/options/preferences', { autoSaveRecipients: false });

  it('sends in GB2312 when that is the user\'s sending charset (邮件发送编码), in UTF-8 when a character has no GB2312 code', async () => {
    assert.equal((await bob.put('/api/options/preferences', { charset: 'gb2312' })).status, 200);
    try {
      const subject = '报价单：二〇二六年第四季度的全部产品价格与交货时间一览（请查收）';
      assert.equal((await bob.post('/api/compose/send', { to: ['alice@example.cn'], subject, text: '你好，报价单见下。', html: '<p>你好，<b>报价单</b>见下。</p>' })).status, 200);
      const got = await eventually(async () => (await mailboxMessages(t.rt, 'alice@example.cn')).find((m) => m.subject === subject), 10_000, 'the GB2312 mail');
      const head = got.raw.split('\r\n\r\n')[0]!;
      assert.match(head, /^Subject:\s+=\?GB2312\?B\?/m);
      for (const word of head.match(/=\?GB2312\?B\?[^?]*\?=/g)!) assert.ok(word.length <= 75, `encoded-word of ${word.length} characters`);
      const parts = [...got.raw.matchAll(/Content-Type: (text\/(?:plain|html)); charset=gb2312\r\nContent-Transfer-Encoding: base64\r\n\r\n([A-Za-z0-9+\/=\r\n]+?)\r\n--/g)];
      assert.deepEqual(parts.map((p) => p[1]), ['text/plain', 'text/html']);
      assert.equal(new TextDecoder('gbk').decode(Buffer.from(parts[0]![2]!, 'base64')), '你好，报价单见下。');

      // An emoji has no GB2312 code: the whole message goes in UTF-8; and the request may name the charset itself.
      assert.equal((await bob.post('/api/compose/send', { to: ['alice@example.cn'], subject: '表情 😀', text: '你好 😀' })).status, 200);
      assert.equal((await bob.post('/api/compose/send', { to: ['alice@example.cn'], subject: '明确 UTF-8', text: '你好', charset: 'utf-8' })).status, 200);
      for (const subj of ['表情 😀', '明确 UTF-8']) {
        const m = await eventually(async () => (await mailboxMessages(t.rt, 'alice@example.cn')).find((x) => x.subject === subj), 10_000, subj);
        assert.doesNotMatch(m.raw, /gb2312/i, subj);
        assert.match(m.raw, /charset=utf-8/i, subj);
      }
    } finally {
      await bob.put('/api/options/preferences', { charset: 'utf-8' });
    }
  });

  it('refuses what SMTP submission refuses, naming the field, and queues nothing', async () => {
    const before = JSON.stringify(await queued());
    const cases: Array<[Record<string, unknown>, number, string, RegExp]> = [
      [{ to: ['nobody@example.cn'] }, 404, 'to', /nobody@example\.cn>: No such user here/],
      [{ to: ['bob@example.cn'], cc: ['not an address'] }, 400, 'cc', /cc: not an address/],
      [{ to: ['a%b@example.cn'] }, 403, 'to', /Relay access denied/],
      [{ to: ['bob@example.cn'], from: 'bob@example.cn' }, 403, 'from', /not owned by alice@example\.cn/],
      [{ to: ['a@x.test', 'b@x.test', 'c@x.test', 'd@x.test', 'e@x.test', 'f@x.test'] }, 409, 'to', /Too many recipients \(at most 5/],
      [{ to: [] }, 400, 'to', /at least one recipient/],
      [{ to: ['bob@example.cn'], priority: 'urgent' }, 400, 'priority', /./],
      [{ to: ['bob@example.cn'], extra: 1 }, 400, 'extra', /./],
    ];
    for (const [body, status, field, message] of cases) {
      const r = await alice.post('/api/compose/send', { subject: 'x', text: 'x', ...body });
      assert.equal(r.status, status, `${JSON.stringify(body)}: ${r.text}`);
      assert.equal(r.json.error.field, field, JSON.stringify(body));
      assert.match(r.json.error.message, message, JSON.stringify(body));
    }
    assert.equal(JSON.stringify(await queued()), before, 'nothing queued');
    // The same refusals from the check that runs before webmail's undo-send countdown.
    const check = await alice.post('/api/compose/check', { to: ['nobody@example.cn'] });
    assert.deepEqual([check.status, check.json.error.field], [404, 'to']);
    assert.deepEqual((await alice.post('/api/compose/check', { to: ['bob@example.cn', 'Bob <bob@example.cn>'], cc: ['carol@example.cn'] })).json, { recipients: 2 });
    assert.equal((await alice.post('/api/compose/send', { to: ['bob@example.cn'] }, { csrf: false })).status, 403, 'CSRF');
    assert.equal((await WebClient.of(t).post('/api/compose/send', { to: ['bob@example.cn'] })).status, 401, 'no session');
  });

  it('saves a draft, uploads a file into it, opens it again, sends from it and removes it', async () => {
    const d1 = await alice.post('/api/compose/drafts', { to: ['bob@example.cn'], bcc: ['carol@example.cn'], subject: '草稿 draft', text: 'v1' });
    assert.equal(d1.status, 200, d1.text);
    assert.equal(d1.json.folderId, folders.Drafts);
    const pdf = Buffer.concat([Buffer.from('%PDF-1.4\n'), Buffer.alloc(300_000, 7)]);
    const up = await alice.send<any>('POST', `/api/compose/drafts/${d1.json.folderId}/${d1.json.uid}/attachments?name=${encodeURIComponent('报告.pdf')}&type=application/pdf`,
      pdf as unknown as string, { 'content-type': 'application/octet-stream', 'x-csrf-token': alice.csrf });
    assert.equal(up.status, 200, up.text);
    assert.notEqual(up.json.uid, d1.json.uid, 'a new draft replaces the old');
    assert.deepEqual(up.json.attachments.map((a: { fileName: string; contentType: string }) => [a.fileName, a.contentType]), [['报告.pdf', 'application/pdf']]);
    const drafts = await mailboxMessages(t.rt, 'alice@example.cn', 'Drafts');
    assert.equal(drafts.length, 1, 'the old draft is gone');
    assert.ok(drafts[0]!.flags.includes('\\Draft'));

    const opened = await alice.get(`/api/compose/drafts/${up.json.folderId}/${up.json.uid}`);
    assert.equal(opened.status, 200);
    assert.deepEqual([opened.json.to, opened.json.bcc, opened.json.subject, opened.json.text.trim()], [['bob@example.cn'], ['carol@example.cn'], '草稿 draft', 'v1']);
    assert.equal((await bob.get(`/api/compose/drafts/${up.json.folderId}/${up.json.uid}`)).status, 404, "another user's draft");
    assert.equal((await bob.post('/api/compose/drafts', { to: [], draft: { folderId: up.json.folderId, uid: up.json.uid } })).status, 404);

    const sent = await alice.post('/api/compose/send', { ...opened.json, html: undefined, attachments: undefined, from: undefined, inReplyTo: undefined, text: 'v2', draft: { folderId: up.json.folderId, uid: up.json.uid } });
    assert.equal(sent.status, 200, sent.text);
    assert.equal(sent.json.draftRemoved, true);
    assert.equal((await mailboxMessages(t.rt, 'alice@example.cn', 'Drafts')).length, 0);
    const got = await eventually(async () => (await mailboxMessages(t.rt, 'bob@example.cn')).find((m) => m.subject === '草稿 draft'), 10_000, 'delivery');
    assert.match(got.raw, /filename(\*0?\*?)?=.*(%E6%8A%A5%E5%91%8A|=\?UTF-8\?)/i);
    assert.ok(got.raw.replace(/\r\n/g, '').includes(pdf.subarray(0, 3000).toString('base64').slice(0, 200)), 'the PDF bytes travel');
  });

  it('a reply marks the original \\Answered and carries In-Reply-To', async () => {
    const inbox = Object.fromEntries((await bob.get('/api/folders')).json.folders.map((f: { name: string; id: number }) => [f.name, f.id])).INBOX;
    const list = await bob.get(`/api/folders/${inbox}/messages`);
    const original = list.json.messages.find((m: { subject: string }) => m.subject === '周报 weekly');
    const opened = await bob.get(`/api/folders/${inbox}/messages/${original.uid}`);
    const r = await bob.post('/api/compose/send', {
      to: ['alice@example.cn'], subject: 'Re: 周报 weekly', text: '收到', inReplyTo: opened.json.content.messageId,
      references: [...opened.json.content.references, opened.json.content.messageId], original: { folderId: inbox, uid: original.uid, action: 'reply' },
    });
    assert.equal(r.status, 200, r.text);
    const after = await bob.get(`/api/folders/${inbox}/messages`);
    assert.ok(after.json.messages.find((m: { uid: number }) => m.uid === original.uid).flags.includes('\\Answered'));
    const reply = await eventually(async () => (await mailboxMessages(t.rt, 'alice@example.cn')).find((m) => m.subject === 'Re: 周报 weekly'), 10_000, 'reply');
    assert.ok(reply.raw.includes(`In-Reply-To: ${opened.json.content.messageId}`));
  });
});
