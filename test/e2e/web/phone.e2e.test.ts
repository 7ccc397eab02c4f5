// The phone layout (FEATURES W15) in chromium at 390×844: one column; the folders in a drawer; a
// message opens over the list with a way back; compose fits and sends.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { ensureUiBuilt, launchBrowser, loginWebmail, noBrowser, sendNow, type Browser } from '../../helpers/browser.ts';
import { eventually, mailboxMessages, PASSWORD, startTestServer, type TestServer } from '../../helpers/server.ts';

describe('phone layout in chromium', { skip: noBrowser() }, () => {
  let t: TestServer;
  let browser: Browser;
  let page: Page;

  before(async () => {
    ensureUiBuilt();
    t = await startTestServer({ http: true, settings: { 'security.failedLoginDelayMs': 0 } });
    await t.addUser('alice@example.cn');
    const alice = (await t.rt.users.byAddress('alice@example.cn'))!;
    await t.rt.mailboxes.append(alice.id, 'INBOX', { raw: Buffer.from('From: bob@example.cn\r\nSubject: 手机上读\r\n\r\n短信息正文\r\n') });
    browser = await launchBrowser({ width: 390, height: 844 });
    page = browser.page;
    await loginWebmail(page, `http://127.0.0.1:${t.config.ports.http}`, 'alice@example.cn', PASSWORD);
    await page.getByRole('row', { name: /手机上读/ }).waitFor();
  });
  after(async () => {
    await browser?.close();
    await t?.close();
  });

  it('shows the list alone, opens a message over it, and goes back', async () => {
    assert.equal(await page.getByRole('tree').isVisible(), false, 'folders are in the drawer');
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(width <= 390, `no sideways scrolling (${width}px)`);
    await page.getByRole('row', { name: /手机上读/ }).click();
    await page.getByText('短信息正文').waitFor();
    assert.equal(await page.getByRole('grid').isVisible(), false, 'the message covers the list');
    await page.getByRole('button', { name: '返回列表' }).click();
    await page.getByRole('row', { name: /手机上读/ }).waitFor();
  });

  it('opens the folders in a drawer and writes from there', async () => {
    await page.getByRole('button', { name: '文件夹' }).first().click();
    await page.getByRole('tree').getByText('已发送').waitFor();
    await page.getByRole('button', { name: '写信' }).click();
    await page.getByRole('combobox', { name: '收件人' }).pressSequentially('alice@example.cn,');
    await page.getByLabel('主题', { exact: true }).fill('手机发信');
    await page.getByRole('textbox', { name: '邮件正文编辑器' }).click();
    await page.keyboard.type('从手机发出');
    await sendNow(page);
    await eventually(async () => (await mailboxMessages(t.rt, 'alice@example.cn')).find((m) => m.subject === '手机发信'), 10_000, 'delivery');
    await page.getByRole('row', { name: /手机发信/ }).waitFor();
  });
});
