// Folder and message routes: the list sorted and paged with counts, opening (text, sanitised HTML
// under a sandbox CSP, safe attachment names), flags, move, delete to Trash; bad input is 400 naming the
// field with nothing written; and for every route, user A's session asking for user B's folder or
// message by id gets 404 (and no session gets 401), with B's mail untouched.
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { PASSWORD, type TestServer } from '../../helpers/server.ts';
import { WebClient, startTwoUserWebServer } from '../../helpers/web.ts';

const mail = (subject: string, opts: { from?: string; html?: string; date?: string } = {}) => Buffer.from([
  `From: ${opts.from ?? 'Bob <bob@example.cn>'}`, 'To: alice@example.cn', `Subject: ${subject}`,
  `Date: ${opts.date ?? 'Thu, 01 Jan 2026 08:00:00 +0800'}`, 'MIME-Version: 1.0',
  'Content-Type: multipart/mixed; boundary="b1"', '',
  '--b1', 'Content-Type: multipart/alternative; boundary="b2"', '',
  '--b2', 'Content-Type: text/plain; charset=utf-8', '', `正文 ${subject}`,
  '--b2', 'Content-Type: text/html; charset=utf-8', '', opts.html ?? `<p>正文 <b>${subject}</b></p>`, '--b2--',
  '--b1', 'Content-Type: application/x-msdownload', 'Content-Disposition: attachment; filename="..\\..\\invoice\u202Efdp.exe"', '', 'MZ', '--b1--', '',
].join('\r\n'));

describe('web mail routes', () => {
  let t: TestServer;
  let alice: WebClient;
  let bob: WebClient;
  let aliceFolders: Record<string, number>;
  let bobInbox: number;

  before(async () => {
    const started = await startTwoUserWebServer();
    t = started.t;
    const { a, b } = started;
    const subjects = ['甲 first', 'b second', 'a third'];
    for (const [i, s] of subjects.entries()) {
      await t.rt.mailboxes.append(a.id, 'INBOX', { raw: mail(s, { from: `${'zyx'[i]} <${'zyx'[i]}@example.net>` }), internalDate: Date.UTC(2026, 0, 1 + i) });
    }
    bobInbox = (await t.rt.mailboxes.append(b.id, 'INBOX', { raw: mail('bob secret') })).mailbox.id;
    alice = WebClient.of(t);
    bob = WebClient.of(t);
    assert.equal((await alice.login('alice@example.cn', PASSWORD)).status, 200);
    assert.equal((await bob.login('bob@example.cn', PASSWORD)).status, 200);
    const folders = await alice.get('/api/folders');
    aliceFolders = Object.fromEntries(folders.json.folders.map((f: { name: string; id: number }) => [f.name, f.id]));
  });
  after(() => t.close());

  const inbox = () => `/api/folders/${aliceFolders.INBOX}`;
  const bobState = async () => (await bob.get(`/api/folders/${bobInbox}/messages`)).json.messages;

  it('lists the folders with counts, INBOX first', async () => {
    const r = await alice.get('/api/folders');
    assert.equal(r.status, 200);
    assert.deepEqual(r.json.folders.map((f: { name: string }) => f.name), ['INBOX', 'Drafts', 'Junk', 'Sent', 'Trash']);
    assert.deepEqual({ ...r.json.folders[0], id: 0 }, { id: 0, name: 'INBOX', specialUse: '\\Inbox', messages: 3, unseen: 3, bytes: r.json.folders[0].bytes });
  });

  it('lists a folder sorted and paged, with total and unread counts', async () => {
    const r = await alice.get(`${inbox()}/messages`);
    assert.equal(r.status, 200);
    assert.equal(r.json.total, 3);
    assert.equal(r.json.unread, 3);
    assert.equal(r.json.pageSize, 30);
    assert.deepEqual(r.json.messages.map((m: { uid: number }) => m.uid), [3, 2, 1], 'newest first');
    const m = r.json.messages[0];
    assert.deepEqual(Object.keys(m).sort(), ['flags', 'folderId', 'from', 'hasAttachment', 'internalDate', 'priority', 'sentAt', 'size', 'subject', 'to', 'uid']);
    assert.equal(m.hasAttachment, true);
    const subjects = async (q: string) => (await alice.get(`${inbox()}/messages?${q}`)).json.messages.map((x: { subject: string }) => x.subject);
    assert.deepEqual(await subjects('sort=subject'), ['a third', 'b second', '甲 first']);
    assert.deepEqual(await subjects('sort=from&order=desc'), ['甲 first', 'b second', 'a third']);
    assert.deepEqual(await subjects('sort=date&order=asc&pageSize=2&page=2'), ['a third']);
    for (const [q, field] of [['pageSize=51', 'pageSize'], ['pageSize=0', 'pageSize'], ['page=0', 'page'], ['sort=colour', 'sort'], ['order=up', 'order'], ['bogus=1', 'bogus'], ['page=x', 'page']]) {
      const bad = await alice.get(`${inbox()}/messages?${q}`);
      assert.equal(bad.status, 400, q);
      assert.equal(bad.json.error.code, 'INVALID_INPUT', q);
      assert.equal(bad.json.error.field, field, q);
    }
    const badId = await alice.get('/api/folders/abc/messages');
    assert.equal(badId.status, 400);
    assert.equal(badId.json.error.field, 'folderId');
  });

  it('opens a message: text, HTML only under a sandbox CSP, safe attachment names; not marked read', async () => {
    const r = await alice.get(`${inbox()}/messages/1`);
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.subject, '甲 first');
    assert.equal(r.json.content.text.trim(), '正文 甲 first');
    assert.equal(r.json.content.hasHtml, true);
    assert.equal('html' in r.json.content, false, 'the JSON never carries HTML');
    assert.deepEqual(r.json.content.from, [{ name: 'z', address: 'z@example.net' }]);
    assert.deepEqual(r.json.content.attachments.map((a: { fileName: string }) => a.fileName), ['invoicefdp.exe']);
    assert.equal(r.json.flags.includes('\\Seen'), false);
    const html = await alice.get(`${inbox()}/messages/1/html`);
    assert.equal(html.status, 200);
    assert.match(String(html.headers['content-type']), /^text\/html/);
    const csp = String(html.headers['content-security-policy']);
    assert.match(csp, /(^|; )sandbox allow-same-origin allow-popups allow-popups-to-escape-sandbox(;|$)/, 'sandboxed: no scripts, no forms');
    assert.match(csp, /default-src 'none'/, 'nothing fetched');
    assert.match(csp, /img-src 'self' data:(;|$)/, 'no remote images');
    assert.match(csp, /frame-ancestors 'self'/);
    assert.equal(html.headers['x-frame-options'], 'SAMEORIGIN');
    assert.match(html.text, /^<!doctype html><html><head><meta charset="utf-8">.*<body><p>正文 <b>甲 first<\/b><\/p><\/body><\/html>$/);
    const att = await alice.get(`${inbox()}/messages/1/attachments/0`);
    assert.equal(att.status, 200);
    assert.equal(att.headers['content-type'], 'application/octet-stream');
    assert.match(String(att.headers['content-disposition']), /^attachment; filename="invoicefdp.exe"; filename\*=UTF-8''invoicefdp\.exe$/);
    assert.equal((await alice.get(`${inbox()}/messages/1/attachments/1`)).status, 404);
    assert.equal((await alice.get(`${inbox()}/messages/99`)).status, 404);
  });

  it('serves the source as text or as a .eml download, never as HTML', async () => {
    const list = await alice.get(`${inbox()}/messages`);
    const uid = list.json.messages[0].uid;
    const text = await alice.get(`${inbox()}/messages/${uid}/source`);
    assert.equal(text.status, 200);
    assert.match(String(text.headers['content-type']), /^text\/plain; charset=utf-8/);
    assert.match(String(text.headers['content-security-policy']), /sandbox/);
    assert.match(text.text, /^From: /m);
    assert.match(text.text, /<p>正文 /, 'the HTML part as text');
    const eml = await alice.get(`${inbox()}/messages/${uid}/source?view=eml`);
    assert.equal(eml.headers['content-type'], 'message/rfc822');
    assert.match(String(eml.headers['content-disposition']), /^attachment; filename="message-\d+\.eml"/);
    assert.equal((await alice.get(`${inbox()}/messages/${uid}/source?view=html`)).json.error.field, 'view');
  });

  it('sets and clears seen and flagged; bad input changes nothing', async () => {
    const r = await alice.post(`${inbox()}/messages/flags`, { uids: [1, 2], seen: true, flagged: true });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.changed, 2);
    let list = await alice.get(`${inbox()}/messages?order=asc`);
    assert.equal(list.json.unread, 1);
    assert.deepEqual(list.json.messages.map((m: { flags: string[] }) => m.flags), [['\\Flagged', '\\Seen'], ['\\Flagged', '\\Seen'], []]);
    await alice.post(`${inbox()}/messages/flags`, { uids: [2], flagged: false });
    const bad: Array<[unknown, string]> = [
      [{ uids: [], seen: true }, 'uids'], [{ uids: [0], seen: true }, 'uids.0'], [{ uids: [1, 'x'], seen: true }, 'uids.1'],
      [{ uids: [1] }, 'seen'], [{ uids: [1], seen: 'yes' }, 'seen'], [{ uids: [1], seen: false, deleted: true }, 'deleted'],
      [{ uids: Array.from({ length: 1001 }, (_, i) => i + 1), seen: false }, 'uids'],
    ];
    for (const [body, field] of bad) {
      const x = await alice.post(`${inbox()}/messages/flags`, body);
      assert.equal(x.status, 400, JSON.stringify(body).slice(0, 40));
      assert.equal(x.json.error.field, field, JSON.stringify(body).slice(0, 40));
    }
    list = await alice.get(`${inbox()}/messages?order=asc`);
    assert.deepEqual(list.json.messages.map((m: { flags: string[] }) => m.flags), [['\\Flagged', '\\Seen'], ['\\Seen'], []], 'nothing written by bad requests');
  });

  it('moves messages, all or none', async () => {
    const bad = await alice.post(`${inbox()}/messages/move`, { uids: [1], toFolderId: 'Junk' });
    assert.equal(bad.status, 400);
    assert.equal(bad.json.error.field, 'toFolderId');
    const missing = await alice.post(`${inbox()}/messages/move`, { uids: [1], toFolderId: 999_999 });
    assert.equal(missing.status, 404);
    const same = await alice.post(`${inbox()}/messages/move`, { uids: [1], toFolderId: aliceFolders.INBOX });
    assert.equal(same.status, 400);
    assert.equal((await alice.get(`${inbox()}/messages`)).json.total, 3, 'nothing moved');
    const r = await alice.post(`${inbox()}/messages/move`, { uids: [1], toFolderId: aliceFolders.Junk });
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(r.json.moved, [{ from: 1, to: 1 }]);
    assert.equal((await alice.get(`/api/folders/${aliceFolders.Junk}/messages`)).json.total, 1);
    assert.equal((await alice.get(`${inbox()}/messages`)).json.total, 2);
  });

  it('deletes to Trash, and from Trash for good', async () => {
    const r = await alice.post(`${inbox()}/messages/delete`, { uids: [2] });
    assert.deepEqual(r.json, { movedToTrash: 1, removed: 0 });
    const trash = await alice.get(`/api/folders/${aliceFolders.Trash}/messages`);
    assert.equal(trash.json.total, 1);
    const gone = await alice.post(`/api/folders/${aliceFolders.Trash}/messages/delete`, { uids: [trash.json.messages[0].uid] });
    assert.deepEqual(gone.json, { movedToTrash: 0, removed: 1 });
    assert.equal((await alice.get(`/api/folders/${aliceFolders.Trash}/messages`)).json.total, 0);
  });

  it("never lets A reach B's mail by id, on any route (404), nor anyone without a session (401)", async () => {
    const before = await bobState();
    const b = `/api/folders/${bobInbox}`;
    const a = inbox();
    const attempts: Array<[string, () => Promise<{ status: number; json: any }>]> = [
      ['list B folder', () => alice.get(`${b}/messages`)],
      ['open B message', () => alice.get(`${b}/messages/1`)],
      ['B html', () => alice.get(`${b}/messages/1/html`)],
      ['B attachment', () => alice.get(`${b}/messages/1/attachments/0`)],
      ['B source', () => alice.get(`${b}/messages/1/source`)],
      ['flags in B folder', () => alice.post(`${b}/messages/flags`, { uids: [1], seen: true })],
      ['move from B folder', () => alice.post(`${b}/messages/move`, { uids: [1], toFolderId: aliceFolders.INBOX })],
      ['move into B folder', () => alice.post(`${a}/messages/move`, { uids: [3], toFolderId: bobInbox })],
      ['delete in B folder', () => alice.post(`${b}/messages/delete`, { uids: [1] })],
    ];
    for (const [what, call] of attempts) {
      const r = await call();
      assert.equal(r.status, 404, what);
      assert.equal(r.json.error.code, 'NOT_FOUND', what);
    }
    assert.deepEqual(await bobState(), before, "B's messages untouched");
    assert.equal((await alice.get(`${a}/messages`)).json.total, 1, "A's message stayed");
    const anon = WebClient.of(t);
    anon.csrf = 'x'.repeat(43);
    const routes: Array<() => Promise<{ status: number }>> = [
      () => anon.get('/api/folders'), () => anon.get(`${a}/messages`), () => anon.get(`${a}/messages/3`), () => anon.get(`${a}/messages/3/html`),
      () => anon.get(`${a}/messages/3/attachments/0`), () => anon.get(`${a}/messages/3/source?view=eml`), () => anon.post(`${a}/messages/flags`, { uids: [3], seen: true }),
      () => anon.post(`${a}/messages/move`, { uids: [3], toFolderId: aliceFolders.Junk }), () => anon.post(`${a}/messages/delete`, { uids: [3] }),
      () => anon.post('/api/session/logout', {}), () => anon.get('/api/options/image-senders'),
      () => anon.post('/api/options/image-senders', { address: 'x@example.net', allow: true }),
    ];
    for (const call of routes) assert.equal((await call()).status, 401);
  });

  it('shows images, PDF and plain text in the browser on ?view=inline, and never SVG or HTML', async () => {
    const b = (await t.rt.users.byAddress('bob@example.cn'))!;
    const part = (type: string, name: string, body: string) =>
      `--p\r\nContent-Type: ${type}; name="${name}"\r\nContent-Disposition: attachment; filename="${name}"\r\nContent-Transfer-Encoding: base64\r\n\r\n${Buffer.from(body).toString('base64')}\r\n`;
    const raw = `From: <x@example.net>\r\nSubject: files\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary="p"\r\n\r\n` +
      `--p\r\nContent-Type: text/plain\r\n\r\nsee the files\r\n` + part('application/pdf', '报价.pdf', '%PDF-1.4\n%%EOF\n') +
      part('image/svg+xml', 'x.svg', '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>') + part('text/html', 'x.html', '<script>alert(1)</script>') + '--p--\r\n';
    const uid = (await t.rt.mailboxes.append(b.id, 'INBOX', { raw: Buffer.from(raw) })).uid;
    const url = (i: number, view = 'inline') => `/api/folders/${bobInbox}/messages/${uid}/attachments/${i}?view=${view}`;
    const pdf = await bob.get(url(0));
    assert.equal(pdf.headers['content-type'], 'application/pdf');
    assert.match(String(pdf.headers['content-disposition']), /^inline; filename="__\.pdf"; filename\*=UTF-8''%E6%8A%A5%E4%BB%B7\.pdf$/);
    assert.match(String(pdf.headers['content-security-policy']), /sandbox/);
    assert.match(String((await bob.get(url(0, 'download'))).headers['content-disposition']), /^attachment; /);
    for (const i of [1, 2]) {
      const r = await bob.get(url(i));
      assert.equal(r.headers['content-type'], 'application/octet-stream', `part ${i}`);
      assert.match(String(r.headers['content-disposition']), /^attachment; /, `part ${i} is only ever a download`);
    }
    assert.equal((await bob.get(url(0, 'open'))).status, 400, 'view names its values');

    // All three in one zip, which Python's zipfile reads.
    const z = await fetch(`${bob.base}/api/folders/${bobInbox}/messages/${uid}/attachments.zip`, { headers: { cookie: [...bob.cookies].map(([k, v]) => `${k}=${v}`).join('; ') } });
    assert.equal(z.headers.get('content-type'), 'application/zip');
    const file = join(t.dir, 'all.zip');
    writeFileSync(file, Buffer.from(await z.arrayBuffer()));
    const py = spawnSync('python3', ['-c', 'import zipfile,sys; z=zipfile.ZipFile(sys.argv[1]); print("|".join(i.filename + ":" + str(len(z.read(i))) for i in z.infolist()))', file], { encoding: 'utf8' });
    assert.equal(py.stdout.trim(), '报价.pdf:15|x.svg:71|x.html:25', py.stderr);
    const plain = (await t.rt.mailboxes.append(b.id, 'INBOX', { raw: Buffer.from('From: <x@example.net>\r\nSubject: plain\r\n\r\nno files\r\n') })).uid;
    assert.equal((await bob.get(`/api/folders/${bobInbox}/messages/${plain}/attachments.zip`)).status, 404, 'a message without attachments');
    assert.equal((await alice.get(`/api/folders/${bobInbox}/messages/${uid}/attachments.zip`)).status, 404, 'not another user\'s');
  });

  it('refuses state changes without the session CSRF token', async () => {
    for (const csrf of [false, bob.csrf] as const) {
      const r = await alice.post(`${inbox()}/messages/delete`, { uids: [3] }, { csrf });
      assert.equal(r.status, 403);
      assert.equal(r.json.error.code, 'CSRF_REJECTED');
    }
    assert.equal((await alice.get(`${inbox()}/messages`)).json.total, 1);
  });
});
