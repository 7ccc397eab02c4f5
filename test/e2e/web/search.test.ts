// GET /api/search over a running server (its indexer included): a Chinese word in a body, an
// English word in a subject, addresses, each field and filter, newest first across folders but not
// Trash unless asked; another user's mail is never returned (nor their folder reachable by id);
// bad input is 400 naming the field; no session is 401.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { PASSWORD, type TestServer } from '../../helpers/server.ts';
import { WebClient, startTwoUserWebServer } from '../../helpers/web.ts';

const mail = (o: { from: string; to?: string; subject: string; body: string; attachment?: boolean }) => Buffer.from([
  `From: ${o.from}`, `To: ${o.to ?? 'Alice <alice@example.cn>'}`, `Subject: =?UTF-8?B?${Buffer.from(o.subject).toString('base64')}?=`,
  'Date: Thu, 01 Jan 2026 08:00:00 +0800', 'MIME-Version: 1.0',
  ...(o.attachment
    ? ['Content-Type: multipart/mixed; boundary="b1"', '', '--b1', 'Content-Type: text/plain; charset=utf-8', '', o.body,
      '--b1', 'Content-Type: application/pdf', 'Content-Disposition: attachment; filename="q3.pdf"', '', '%PDF-1.4', '--b1--', '']
    : ['Content-Type: text/plain; charset=utf-8', '', o.body, '']),
].join('\r\n'));

const day = (d: number) => Date.UTC(2026, 0, d);

describe('web search route', () => {
  let t: TestServer;
  let alice: WebClient;
  let folders: Record<string, number>;
  let bobInbox: number;

  before(async () => {
    const started = await startTwoUserWebServer();
    t = started.t;
    const { a, b } = started;
    await t.rt.mailboxes.create(a.id, '项目');
    const put = (user: typeof a, folder: string, date: number, m: Parameters<typeof mail>[0], flags: string[] = []) =>
      t.rt.mailboxes.append(user.id, folder, { raw: mail(m), internalDate: day(date), flags });
    await put(a, 'INBOX', 1, { from: '张三 <zhang@partner.test>', subject: '会议纪要', body: '请查收第三季度报告，谢谢。', attachment: true });
    await put(a, 'INBOX', 5, { from: 'Bob <bob@example.net>', subject: 'Quarterly budget', body: 'The numbers are below.' }, ['\\Seen']);
    await put(a, '项目', 10, { from: 'Carol <carol@example.net>', subject: 'Budget review', body: '季度报告 draft for review' });
    await put(a, 'Trash', 12, { from: 'Dan <dan@example.net>', subject: 'Old budget', body: 'thrown away' });
    await put(a, 'Sent', 15, { from: 'Alice <alice@example.cn>', to: '王芳 <wangfang@partner.test>', subject: 'Re: 会议纪要', body: '收到' }, ['\\Seen']);
    bobInbox = (await put(b, 'INBOX', 20, { from: 'Eve <eve@example.net>', to: 'bob@example.cn', subject: 'budget secret', body: '季度报告 of Bob' })).mailbox.id;
    // The indexer runs after each delivery; wait until it has done these.
    for (let i = 0; i < 200 && (await t.rt.store.read((tx) => tx.fulltext.pending(10))).length > 0; i++) await sleep(50);
    alice = WebClient.of(t);
    assert.equal((await alice.login('alice@example.cn', PASSWORD)).status, 200);
    folders = Object.fromEntries((await alice.get('/api/folders')).json.folders.map((f: { name: string; id: number }) => [f.name, f.id]));
  });
  after(() => t.close());

  const search = async (query: string) => {
    const r = await alice.get(`/api/search?${query}`);
    assert.equal(r.status, 200, `${query}: ${r.text}`);
    return r.json;
  };
  const subjects = async (query: string) => (await search(query)).messages.map((m: { subject: string }) => m.subject);

  it('finds a Chinese word in the body, in every folder but Trash, newest first, with the folder', async () => {
    const r = await search(`q=${encodeURIComponent('季度报告')}`);
    assert.deepEqual(r.messages.map((m: { subject: string; folderId: number }) => [m.subject, m.folderId]),
      [['Budget review', folders['项目']], ['会议纪要', folders.INBOX]]);
    assert.equal(r.total, 2);
    assert.equal(r.more, false);
    assert.deepEqual(Object.keys(r.messages[0]).sort(),
      ['flags', 'folderId', 'from', 'hasAttachment', 'internalDate', 'priority', 'sentAt', 'size', 'subject', 'to', 'uid']);
    assert.deepEqual(await subjects(`q=${encodeURIComponent('季度')}&field=body`), ['Budget review', '会议纪要']);
    assert.deepEqual(await subjects(`q=${encodeURIComponent('会议纪要')}`), ['Re: 会议纪要', '会议纪要'], 'a Chinese subject, Sent included');
  });

  it('finds English words in the subject, by prefix, and phrases that must all occur', async () => {
    assert.deepEqual(await subjects('q=budget'), ['Budget review', 'Quarterly budget'], 'not Trash, not Bob’s');
    assert.deepEqual(await subjects('q=budget&field=subject'), ['Budget review', 'Quarterly budget']);
    assert.deepEqual(await subjects('q=quart&field=subject'), ['Quarterly budget'], 'prefix');
    assert.deepEqual(await subjects('q=numbers&field=subject'), []);
    assert.deepEqual(await subjects('q=numbers&field=body'), ['Quarterly budget']);
    assert.deepEqual(await subjects(`q=${encodeURIComponent('budget review')}`), ['Budget review'], 'both words');
  });

  it('finds addresses and names in from and to', async () => {
    assert.deepEqual(await subjects('q=zhang%40partner.test&field=from'), ['会议纪要']);
    assert.deepEqual(await subjects(`q=${encodeURIComponent('张三')}&field=from`), ['会议纪要']);
    assert.deepEqual(await subjects('q=zhang&field=to'), []);
    assert.deepEqual(await subjects('q=wangfang&field=to'), ['Re: 会议纪要']);
    assert.deepEqual(await subjects('q=carol%40example.net'), ['Budget review']);
  });

  it('applies each filter: folder, date range, attachment, unread', async () => {
    assert.deepEqual(await subjects(`q=budget&folderId=${folders.Trash}`), ['Old budget'], 'Trash when asked for');
    assert.deepEqual(await subjects(`q=budget&folderId=${folders.INBOX}`), ['Quarterly budget']);
    assert.deepEqual(await subjects(`q=budget&since=${day(5)}&before=${day(10)}`), ['Quarterly budget']);
    assert.deepEqual(await subjects(`q=budget&since=${day(6)}`), ['Budget review']);
    assert.deepEqual(await subjects(`q=${encodeURIComponent('季度报告')}&attachment=true`), ['会议纪要']);
    assert.deepEqual(await subjects('q=budget&unread=true'), ['Budget review']);
    assert.deepEqual(await subjects('attachment=true'), ['会议纪要'], 'a filter alone');
    const paged = await search('q=budget&pageSize=1&page=2');
    assert.deepEqual([paged.total, paged.messages.map((m: { subject: string }) => m.subject)], [2, ['Quarterly budget']]);
  });

  it("never returns another user's mail, nor reaches their folder by id", async () => {
    for (const q of ['q=secret', 'q=eve', `q=${encodeURIComponent('季度报告')}&field=body`, 'unread=true']) {
      const r = await search(q);
      assert.ok(r.messages.every((m: { folderId: number }) => Object.values(folders).includes(m.folderId)), q);
      assert.ok(!r.messages.some((m: { subject: string }) => m.subject === 'budget secret'), q);
    }
    const other = await alice.get(`/api/search?q=budget&folderId=${bobInbox}`);
    assert.equal(other.status, 404);
    assert.equal(other.json.error.code, 'NOT_FOUND');
    const anonymous = await WebClient.of(t).get('/api/search?q=budget');
    assert.equal(anonymous.status, 401);
  });

  it('answers 400 naming the field for bad input', async () => {
    for (const [q, field] of [
      ['q=a&field=colour', 'field'], ['q=a&pageSize=51', 'pageSize'], ['q=a&page=0', 'page'], ['q=a&since=yesterday', 'since'],
      ['q=a&before=-1', 'before'], [`q=a&since=${day(5)}&before=${day(1)}`, 'before'], ['q=a&unread=yes', 'unread'],
      ['q=a&attachment=1', 'attachment'], ['q=a&folderId=x', 'folderId'], ['q=a&bogus=1', 'bogus'], [`q=${'x'.repeat(201)}`, 'q'],
      ['q=', 'q'], ['', 'q'], [`q=${encodeURIComponent('!!! ???')}`, 'q'], [`q=${encodeURIComponent(Array(40).fill('w').join(' '))}`, 'q'],
    ]) {
      const r = await alice.get(`/api/search?${q}`);
      assert.equal(r.status, 400, `${q}: ${r.text}`);
      assert.equal(r.json.error.code, 'INVALID_INPUT', q);
      assert.equal(r.json.error.field, field, q);
    }
  });
});
