// Hostile HTML mail in the real browser (issue #12): mails carrying scripts, event handlers,
// javascript: URLs, SVG, CSS expression()/url()/@import/fonts, forms, meta refresh, <base>, nested
// iframes/objects/embeds and media arrive over SMTP; the webmail in Debian's chromium opens each.
// Asserted for every one: no dialog opens, no script runs (each payload would raise parent.__xss
// or navigate), the top page stays where it is, the frame stays on its …/html document, and no
// request leaves for anything but the server. "tracker.test" is mapped to a loopback HTTP server
// (chromium's host resolver rules) that records every hit: it must get none while images are
// blocked. Then "show once" and "always for this sender" must make exactly the remote images
// load, and still no stylesheet, font, script or frame. Links open in a new tab without opener.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import SMTPConnection from 'nodemailer/lib/smtp-connection/index.js';
import type { BrowserContext, Page } from 'playwright-core';
import { ensureUiBuilt, launchBrowser, noBrowser, type Browser } from '../../helpers/browser.ts';
import { eventually, mailboxMessages, PASSWORD, startTestServer, type TestServer } from '../../helpers/server.ts';
import { hostileMails, type HostileMail } from './hostile-mails.ts';

const SENDER = 'news@tracker.test';

function deliver(port: number, raw: string): Promise<void> {
  const c = new SMTPConnection({ host: '127.0.0.1', port, ignoreTLS: true });
  return new Promise<void>((resolve, reject) => {
    c.once('error', reject);
    c.connect(() => c.send({ from: SENDER, to: ['alice@example.cn'] }, raw, (err) => {
      c.quit();
      if (err) reject(err); else resolve();
    }));
  });
}

describe('hostile HTML mail in chromium', { skip: noBrowser() }, () => {
  let t: TestServer;
  let tracker: Server;
  let ctx: BrowserContext;
  let page: Page;
  let browser: Browser;
  let base: string;
  let mails: HostileMail[];
  const hits: string[] = []; // paths the tracker was asked for
  const dialogs: string[] = [];
  const outside: string[] = []; // requests for anything but the server, seen by the browser

  before(async () => {
    ensureUiBuilt();
    tracker = createServer((req, res) => {
      hits.push(req.url ?? '');
      if (req.url?.endsWith('.gif') || req.url?.endsWith('.png')) {
        res.writeHead(200, { 'content-type': 'image/gif' }).end(Buffer.from('R0lGODlhAQABAAAAACw=', 'base64'));
      } else res.writeHead(200, { 'content-type': 'text/html' }).end('<p>tracker</p>');
    });
    await new Promise<void>((r) => tracker.listen(0, '127.0.0.1', r));
    const trackerBase = `http://tracker.test:${(tracker.address() as AddressInfo).port}`;
    mails = hostileMails(trackerBase, SENDER);
    // The antispam scores are not under test here and a mail full of scripts might be sent to Junk.
    t = await startTestServer({ http: true, settings: { 'security.failedLoginDelayMs': 0, 'antispam.enabled': false } });
    await t.addUser('alice@example.cn');
    for (const m of mails) await deliver(t.ports.smtp, m.raw);
    await eventually(async () => (await mailboxMessages(t.rt, 'alice@example.cn')).length === mails.length, 20_000, 'delivery');
    base = `http://127.0.0.1:${t.config.ports.http}`;
    browser = await launchBrowser({ locale: 'en-US', height: 900, args: ['--host-resolver-rules=MAP tracker.test 127.0.0.1'] });
    ctx = browser.ctx;
    // Anything not for the server or the tracker is stopped and noted; the tracker's own log is the proof for it.
    await ctx.route('**/*', (route) => {
      const u = new URL(route.request().url());
      if (u.origin === base || u.hostname === 'tracker.test' || u.protocol === 'data:') return route.continue();
      outside.push(u.href);
      return route.abort();
    });
    ctx.on('request', (r) => { if (!r.url().startsWith(base) && !r.url().startsWith('data:')) outside.push(r.url()); });
    page = browser.page;
    page.on('dialog', (d) => { dialogs.push(`${d.type()}: ${d.message()}`); void d.dismiss(); });
    await page.goto(`${base}/webmail/`);
    await page.evaluate(() => localStorage.setItem('youju.lang', 'en'));
    await page.reload();
    await page.getByLabel('Email address', { exact: true }).fill('alice@example.cn');
    await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('grid', { name: 'Messages in Inbox' }).waitFor();
  });
  after(async () => {
    await browser?.close();
    await t?.close();
    await new Promise((r) => tracker?.close(r));
  });

  /** Opens the mail, waits for its body, pokes it (hover, clicks), lets timers and refreshes fire. */
  async function open(m: HostileMail): Promise<void> {
    await page.getByRole('row', { name: new RegExp(m.subject) }).click();
    await page.getByRole('heading', { name: m.subject }).waitFor();
    const body = page.frameLocator('iframe.yj-body-html').getByText(m.marker);
    await body.waitFor();
    await body.hover();
    for (const name of m.click ?? []) {
      const target = page.frameLocator('iframe.yj-body-html').getByText(name, { exact: true });
      if (await target.count()) await target.first().click({ timeout: 2000 }).catch(() => undefined);
    }
    await page.waitForTimeout(1200); // meta refresh 0–1 s, setTimeout payloads, image loads
  }

  async function assertNothingRan(what: string): Promise<void> {
    assert.equal(dialogs.join(' '), '', `${what}: no dialog`);
    assert.equal(await page.evaluate(() => (window as unknown as { __xss?: unknown }).__xss), undefined, `${what}: no script ran`);
    assert.equal(new URL(page.url()).pathname, '/webmail/', `${what}: the app was not navigated`);
    assert.equal(ctx.pages().length, 1, `${what}: no window opened`);
    const frames = page.frames().filter((f) => f !== page.mainFrame());
    for (const f of frames) assert.match(f.url(), /\/api\/folders\/\d+\/messages\/\d+\/html(\?|$)/, `${what}: frame still shows the mail (${f.url()})`);
    assert.equal(frames.length, 1, `${what}: no nested frame`);
  }

  it('opens every hostile mail: nothing runs, nothing is fetched from outside', async () => {
    for (const m of mails) {
      await open(m);
      await assertNothingRan(m.subject);
      assert.equal(hits.join(' '), '', `${m.subject}: the tracker got nothing`);
      assert.equal(outside.join(' '), '', `${m.subject}: no request left for another host`);
      const frame = page.frameLocator('iframe.yj-body-html');
      if (m.remoteImages > 0) {
        await page.getByText(`Remote images blocked: ${m.remoteImages}`).waitFor();
      }
      if (m.cidImage) {
        const loaded = await frame.locator('img[alt="inline logo"]').evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth > 0);
        assert.equal(loaded, true, 'the cid: image shows from the attachment route');
      }
    }
  });

  it('sizes the frame to its content', async () => {
    const tall = mails.find((m) => m.tall)!;
    await open(tall);
    const { frameHeight, docHeight } = await page.locator('iframe.yj-body-html').evaluate((f: HTMLIFrameElement) => ({
      frameHeight: f.getBoundingClientRect().height, docHeight: f.contentDocument!.documentElement.getBoundingClientRect().height,
    }));
    assert.ok(docHeight > 1500, `a tall mail (${docHeight}px)`);
    assert.ok(Math.abs(frameHeight - docHeight) <= 2, `frame ${frameHeight}px for a ${docHeight}px document`);
  });

  it('shows remote images once when asked, then always for the sender; still no styles, fonts or scripts from outside', async () => {
    const tracked = mails.find((m) => m.cidImage)!;
    await open(tracked);
    await page.getByRole('button', { name: 'Show once' }).click();
    await eventually(async () => hits.includes('/pixel.gif'), 10_000, 'the tracking pixel after "show once"');
    await page.waitForTimeout(500);
    assert.deepEqual(hits.sort(), ['/pixel.gif'], 'only the image');
    hits.length = 0;
    // Open another mail and come back: "once" is over.
    const css = mails.find((m) => m.subject.includes('CSS'))!;
    await open(css);
    await open(tracked);
    assert.equal(hits.join(' '), '', 'blocked again after "once"');
    await page.getByRole('button', { name: `Always show from ${SENDER}` }).click();
    await page.getByText(`Remote images from ${SENDER} are always shown`).waitFor();
    await eventually(async () => hits.includes('/pixel.gif'), 10_000, 'the pixel with the sender allowed');
    hits.length = 0;
    await open(css);
    await eventually(async () => hits.length >= 2, 10_000, 'the CSS images with the sender allowed');
    assert.deepEqual([...new Set(hits)].sort(), ['/css-bg.png', '/inline-bg.png'], 'images only: no @import, font or escaped url()');
    await assertNothingRan('images allowed');
    assert.deepEqual(outside.filter((u) => !u.includes('tracker.test')), []);
  });

  it('opens links in a new tab without an opener, and the app stays put', async () => {
    const linked = mails.find((m) => m.link)!;
    await open(linked);
    const [tab] = await Promise.all([ctx.waitForEvent('page'), page.frameLocator('iframe.yj-body-html').getByText('a normal link').click()]);
    await tab.waitForLoadState();
    assert.equal(new URL(tab.url()).pathname, '/link');
    assert.equal(await tab.evaluate(() => window.opener), null, 'noopener');
    await tab.close();
    assert.equal(new URL(page.url()).pathname, '/webmail/');
    assert.deepEqual(dialogs, []);
  });
});
