// The conversation view of the message list (FEATURES W4 "conversation view option", issue #12):
// GET /api/folders/:id/conversations groups a folder by thread (the stored threadId: References /
// In-Reply-To / Message-ID) with count, newest date, senders and unread count, paged and sorted
// like the list; GET …/conversations/:key gives one conversation's lines, oldest first; the
// uids each line carries make the list's actions (flags, move, delete) apply to the whole
// conversation. Another user's folder is 404, bad input is 400 naming the field, and with a few
// thousand messages the conversation page stays within the same bound as the message list.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { PASSWORD, type TestServer } from '../../helpers/server.ts';
import { WebClient, startTwoUserWebServer } from '../../helpers/web.ts';

const mail = (o: { id: string; subject: string; from: string; replyTo?: string[]; date: string }) => Buffer.from([
  `From: ${o.from}`, 'To: alice@example.cn', `Subject: ${o.subject}`, `Date: ${o.date}`, `Message-ID: <${o.id}>`,
  ...(o.replyTo ? [`In-Reply-To: <${o.replyTo.at(-1)}>`, `References: ${o.replyTo.map((r) => `<${r}>`).join(' ')}`] : []),
  'MIME-Version: 1.0', 'Content-Type: text/plain; charset=utf-8', '', `正文 ${o.subject}`, '',
].join('\r\n'));

interface Line { key: string; subject: string; participants: string[]; messages: number; unread: number; flagged: boolean; newestDate: number; uids: number[] }

describe('web conversation view', () => {
  let t: TestServer;
  let alice: WebClient;
  let bob: WebClient;
  let inbox: number;
  let bobInbox: number;

  before(async () => {
    const started = await startTwoUserWebServer();
    t = started.t;
    const { a, b } = started;
    const put = (raw: Buffer, day: number) => t.rt.mailboxes.append(a.id, 'INBOX', { raw, internalDate: Date.UTC(2026, 0, day) });
    // A thread of three (days 1, 3, 5), a lone message (day 4), a thread of two (days 2, 6).
    await put(mail({ id: 'q1@x', subject: '季度报告', from: 'Wang <wang@example.net>', date: 'Thu, 01 Jan 2026 08:00:00 +0800' }), 1);
    await put(mail({ id: 'm1@x', subject: 'Lunch?', from: 'Li <li@example.net>', date: 'Fri, 02 Jan 2026 08:00:00 +0800' }), 2);
    await put(mail({ id: 'q2@x', subject: 'Re: 季度报告', from: 'Zhao <zhao@example.net>', replyTo: ['q1@x'], date: 'Sat, 03 Jan 2026 08:00:00 +0800' }), 3);
    await put(mail({ id: 'lone@x', subject: 'Alone', from: 'Sun <sun@example.net>', date: 'Sun, 04 Jan 2026 08:00:00 +0800' }), 4);
    await put(mail({ id: 'q3@x', subject: 'Re: Re: 季度报告', from: 'Wang <wang@example.net>', replyTo: ['q1@x', 'q2@x'], date: 'Mon, 05 Jan 2026 08:00:00 +0800' }), 5);
    await put(mail({ id: 'm2@x', subject: 'Re: Lunch?', from: 'Qian <qian@example.net>', replyTo: ['m1@x'], date: 'Tue, 06 Jan 2026 08:00:00 +0800' }), 6);
    bobInbox = (await t.rt.mailboxes.append(b.id, 'INBOX', { raw: mail({ id: 'b@x', subject: 'bob secret', from: 'x@example.net', date: 'Tue, 06 Jan 2026 08:00:00 +0800' }) })).mailbox.id;
    alice = WebClient.of(t);
    bob = WebClient.of(t);
    assert.equal((await alice.login('alice@example.cn', PASSWORD)).status, 200);
    assert.equal((await bob.login('bob@example.cn', PASSWORD)).status, 200);
    inbox = (await alice.get('/api/folders')).json.folders.find((f: { name: string }) => f.name === 'INBOX').id;
  });
  after(() => t?.close());

  const list = async (query = '') => {
    const r = await alice.get(`/api/folders/${inbox}/conversations${query}`);
    assert.equal(r.status, 200, r.text);
    return r.json as { total: number; unread: number; conversations: Line[] };
  };

  it('groups the folder by thread: one line each with count, newest date, senders and unread', async () => {
    const page = await list();
    assert.equal(page.total, 3, 'three conversations');
    assert.equal(page.unread, 6);
    assert.deepEqual(page.conversations.map((c) => [c.subject, c.messages, c.unread]), [['Lunch?', 2, 2], ['季度报告', 3, 3], ['Alone', 1, 1]],
      'newest first: the lunch thread (day 6), the report (day 5), the lone one (day 4)');
    const report = page.conversations[1]!;
    assert.deepEqual(report.participants, ['Wang <wang@example.net>', 'Zhao <zhao@example.net>'], 'each sender once, oldest first');
    assert.equal(report.newestDate, Date.UTC(2026, 0, 5));
    assert.deepEqual(report.uids, [1, 3, 5]);
    // Paged and sorted like the list.
    assert.deepEqual((await list('?pageSize=2&page=2')).conversations.map((c) => c.subject), ['Alone']);
    assert.deepEqual((await list('?order=asc')).conversations.map((c) => c.subject), ['Alone', '季度报告', 'Lunch?']);
    assert.deepEqual((await list('?sort=subject')).conversations.map((c) => c.subject), ['Alone', 'Lunch?', '季度报告']);
  });

  it('opens one conversation: its lines oldest first; unknown keys and other users are 404', async () => {
    const report = (await list()).conversations[1]!;
    const r = await alice.get(`/api/folders/${inbox}/conversations/${encodeURIComponent(report.key)}`);
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(r.json.messages.map((m: { subject: string }) => m.subject), ['季度报告', 'Re: 季度报告', 'Re: Re: 季度报告']);
    assert.equal((await alice.get(`/api/folders/${inbox}/conversations/nosuchthread`)).status, 404);
    // Bob asking for Alice's folder, list or conversation: 404 as for an unknown id; his own works.
    assert.equal((await bob.get(`/api/folders/${inbox}/conversations`)).status, 404);
    assert.equal((await bob.get(`/api/folders/${inbox}/conversations/${encodeURIComponent(report.key)}`)).status, 404);
    assert.equal((await alice.get(`/api/folders/${bobInbox}/conversations`)).status, 404);
    assert.equal((await bob.get(`/api/folders/${bobInbox}/conversations`)).json.total, 1);
    assert.equal((await WebClient.of(t).get(`/api/folders/${inbox}/conversations`)).status, 401);
  });

  it('bad input is 400 naming the field', async () => {
    for (const [q, field] of [['?pageSize=51', 'pageSize'], ['?page=0', 'page'], ['?sort=colour', 'sort'], ['?order=up', 'order'], ['?x=1', 'x']]) {
      const r = await alice.get(`/api/folders/${inbox}/conversations${q}`);
      assert.deepEqual([r.status, r.json.error.field], [400, field], `${q}: ${r.text}`);
    }
    const r = await alice.get(`/api/folders/${inbox}/conversations/${encodeURIComponent('bad key!')}`);
    assert.deepEqual([r.status, r.json.error.field], [400, 'key'], r.text);
    assert.equal((await alice.get('/api/folders/abc/conversations')).json.error.field, 'folderId');
  });

  it('actions on a conversation take all its uids: read, star, move', async () => {
    const report = (await list()).conversations.find((c) => c.subject === '季度报告')!;
    assert.equal((await alice.post(`/api/folders/${inbox}/messages/flags`, { uids: report.uids, seen: true, flagged: true })).status, 200);
    let line = (await list()).conversations.find((c) => c.key === report.key)!;
    assert.deepEqual([line.unread, line.flagged], [0, true]);
    const folders = (await alice.get('/api/folders')).json.folders as Array<{ name: string; id: number }>;
    const trash = folders.find((f) => f.name === 'Trash')!.id;
    assert.equal((await alice.post(`/api/folders/${inbox}/messages/move`, { uids: report.uids, toFolderId: trash })).status, 200);
    const after = await list();
    assert.deepEqual([after.total, after.conversations.some((c) => c.key === report.key)], [2, false]);
    line = (await alice.get(`/api/folders/${trash}/conversations`)).json.conversations[0];
    assert.equal(line.messages, 3, 'the whole conversation moved together');
  });

  it('a few thousand messages: the conversation page is as quick as the message list', async () => {
    const c = (await t.rt.users.byAddress('carol@example.cn')) ?? await t.addUser('carol@example.cn').then(() => t.rt.users.byAddress('carol@example.cn'));
    const n = 3000;
    const raws: Array<Promise<unknown>> = [];
    for (let i = 0; i < n; i++) {
      const thread = Math.floor(i / 3);
      const id = `t${thread}.${i % 3}@bulk`;
      const replyTo = i % 3 === 0 ? undefined : Array.from({ length: i % 3 }, (_, k) => `t${thread}.${k}@bulk`);
      raws.push(t.rt.mailboxes.append(c!.id, 'INBOX', {
        raw: mail({ id, subject: `Thread ${thread}`, from: `p${i % 7}@example.net`, replyTo, date: 'Tue, 06 Jan 2026 08:00:00 +0800' }),
        internalDate: Date.UTC(2026, 0, 1) + i * 60_000,
      }));
      if (raws.length === 64) await Promise.all(raws.splice(0));
    }
    await Promise.all(raws);
    const carol = WebClient.of(t);
    assert.equal((await carol.login('carol@example.cn', PASSWORD)).status, 200);
    const box = (await carol.get('/api/folders')).json.folders.find((f: { name: string }) => f.name === 'INBOX').id;
    const time = async (path: string) => {
      const ms: number[] = [];
      for (let i = 0; i < 8; i++) {
        const t0 = performance.now();
        const r = await carol.get(path);
        assert.equal(r.status, 200, r.text);
        ms.push(performance.now() - t0);
      }
      return ms.sort((a, b) => a - b)[4]!;
    };
    const first = (await carol.get(`/api/folders/${box}/conversations?pageSize=50`)).json;
    assert.equal(first.total, n / 3);
    assert.deepEqual([first.conversations[0].subject, first.conversations[0].messages], [`Thread ${n / 3 - 1}`, 3]);
    const last = (await carol.get(`/api/folders/${box}/conversations?pageSize=50&page=20`)).json;
    assert.deepEqual(last.conversations.map((x: { subject: string }) => x.subject), Array.from({ length: 50 }, (_, i) => `Thread ${49 - i}`), 'the last page, in order');
    assert.ok(last.conversations.every((x: { messages: number; unread: number }) => x.messages === 3 && x.unread === 3));
    const listMs = await time(`/api/folders/${box}/messages?pageSize=50`);
    const convMs = await time(`/api/folders/${box}/conversations?pageSize=50`);
    const lastMs = await time(`/api/folders/${box}/conversations?pageSize=50&page=20`);
    console.log(`# ${n} messages: list page ${listMs.toFixed(1)} ms, conversation page ${convMs.toFixed(1)} ms, its last page ${lastMs.toFixed(1)} ms`);
    assert.ok(convMs < 250 && lastMs < 250, `a conversation page of ${n} messages within 250 ms (list: ${listMs.toFixed(1)} ms)`);
  });
});
