// The HTML route and the image-senders list over the API (issue #12): remote images blocked by the
// sanitiser and the CSP, shown once with images=show, always for a listed sender (per user: Bob's
// list does nothing for Alice), cid: images pointing at the attachment route, HTML too big to
// sanitise shown as its text; bad input is 400 naming the field, no CSRF token is 403.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { MAX_HTML_CHARS } from '../../../src/mime/safe-html-worker.ts';
import { PASSWORD, type TestServer } from '../../helpers/server.ts';
import { WebClient, startTwoUserWebServer } from '../../helpers/web.ts';

const T = 'http://tracker.test';
const mail = (from: string, html: string) => Buffer.from([
  `From: ${from}`, 'To: someone@example.cn', 'Subject: html', 'MIME-Version: 1.0', 'Content-Type: multipart/related; boundary="r"', '',
  '--r', 'Content-Type: text/html; charset=utf-8', '', html,
  '--r', 'Content-Type: image/gif', 'Content-Transfer-Encoding: base64', 'Content-ID: <logo@news.test>', '',
  'R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7', '--r--', '',
].join('\r\n'));
const meta = (html: string, name: string) => new RegExp(`<meta name="${name}" content="([^"]*)">`).exec(html)?.[1];

describe('web mail HTML and remote images', () => {
  let t: TestServer;
  let alice: WebClient;
  let bob: WebClient;
  let inbox: string;
  let bobInbox: string;

  before(async () => {
    const started = await startTwoUserWebServer();
    t = started.t;
    const { a, b } = started;
    const html = `<p>hi<img src="${T}/pixel.gif"><img src="cid:logo@news.test" alt="logo"></p>`;
    const box = (await t.rt.mailboxes.append(a.id, 'INBOX', { raw: mail('News <News@Tracker.test>', html) })).mailbox.id;
    await t.rt.mailboxes.append(a.id, 'INBOX', { raw: mail('big@news.test', `<p>${'x'.repeat(MAX_HTML_CHARS)}</p>`) });
    const bobBox = (await t.rt.mailboxes.append(b.id, 'INBOX', { raw: mail('news@tracker.test', html) })).mailbox.id;
    inbox = `/api/folders/${box}/messages`;
    bobInbox = `/api/folders/${bobBox}/messages`;
    alice = WebClient.of(t);
    bob = WebClient.of(t);
    assert.equal((await alice.login('alice@example.cn', PASSWORD)).status, 200);
    assert.equal((await bob.login('bob@example.cn', PASSWORD)).status, 200);
  });
  after(() => t.close());

  it('blocks remote images by default: removed, counted, and img-src without http(s)', async () => {
    const r = await alice.get(`${inbox}/1/html`);
    assert.equal(r.status, 200);
    assert.equal(r.text.includes(T), false);
    assert.equal(meta(r.text, 'youju-remote-images'), '1');
    assert.equal(meta(r.text, 'youju-images-shown'), 'no');
    assert.equal(meta(r.text, 'youju-sender'), 'news@tracker.test');
    assert.match(String(r.headers['content-security-policy']), /img-src 'self' data:;/);
    const cid = /<img src="([^"]+)" alt="logo">/.exec(r.text)?.[1];
    assert.equal(cid, `${inbox}/1/attachments/0`, 'the cid: image points at its part');
    const img = await alice.get(cid!);
    assert.equal(img.status, 200);
    assert.equal(img.headers['content-type'], 'image/gif');
  });

  it('shows them once with images=show; a bad value is 400 naming it', async () => {
    const r = await alice.get(`${inbox}/1/html?images=show`);
    assert.ok(r.text.includes(`${T}/pixel.gif`));
    assert.equal(meta(r.text, 'youju-images-shown'), 'once');
    assert.match(String(r.headers['content-security-policy']), /img-src 'self' data: http: https:;/);
    const bad = await alice.get(`${inbox}/1/html?images=always`);
    assert.equal(bad.status, 400);
    assert.equal(bad.json.error.field, 'images');
    assert.equal((await alice.get(`${inbox}/1/html`)).text.includes(T), false, 'once is once');
  });

  it("always for a listed sender, for that user only; taken off again", async () => {
    assert.deepEqual((await bob.get('/api/options/image-senders')).json, { senders: [] });
    const added = await bob.post('/api/options/image-senders', { address: 'News@Tracker.test', allow: true });
    assert.equal(added.status, 200, added.text);
    assert.deepEqual(added.json, { senders: ['news@tracker.test'] });
    const bobs = await bob.get(`${bobInbox}/1/html`);
    assert.equal(meta(bobs.text, 'youju-images-shown'), 'sender');
    assert.ok(bobs.text.includes(`${T}/pixel.gif`));
    assert.equal((await alice.get(`${inbox}/1/html`)).text.includes(T), false, "Bob's list is not Alice's");
    assert.deepEqual((await alice.get('/api/options/image-senders')).json, { senders: [] });
    const removed = await bob.post('/api/options/image-senders', { address: 'news@tracker.test', allow: false });
    assert.deepEqual(removed.json, { senders: [] });
    assert.equal((await bob.get(`${bobInbox}/1/html`)).text.includes(T), false);
  });

  it('refuses a bad address (400 naming it), unknown fields, and a missing CSRF token', async () => {
    for (const [body, field] of [[{ address: 'not an address', allow: true }, 'address'], [{ address: 'a@b.cn' }, 'allow'],
      [{ address: 'a@b.cn', allow: true, extra: 1 }, 'extra']] as const) {
      const r = await alice.post('/api/options/image-senders', body);
      assert.equal(r.status, 400, JSON.stringify(body));
      assert.equal(r.json.error.field, field);
    }
    const r = await alice.post('/api/options/image-senders', { address: 'a@b.cn', allow: true }, { csrf: false });
    assert.equal(r.status, 403);
    assert.deepEqual((await alice.get('/api/options/image-senders')).json, { senders: [] }, 'nothing written');
  });

  it('shows HTML too big to sanitise as its text', async () => {
    const r = await alice.get(`${inbox}/2/html`);
    assert.equal(r.status, 200);
    assert.equal(meta(r.text, 'youju-html-fallback'), '1');
    assert.match(r.text, /<pre>/);
    assert.equal(r.text.includes('<p>'), false);
  });

  it("does not let Alice reach Bob's HTML by id", async () => {
    assert.equal((await alice.get(`${bobInbox}/1/html`)).status, 404);
  });
});
