// Search in a real browser (issue #12): Debian's chromium via playwright-core. The user types a
// Chinese word in the header's search box and presses Enter; the results replace the list with
// each message's folder, messages without the word stay out; a result opens in the reading pane;
// the advanced filters narrow to messages with attachments; Back returns to the inbox.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Page } from 'playwright-core';
import { ensureUiBuilt, launchBrowser, noBrowser, type Browser } from '../../helpers/browser.ts';
import { PASSWORD, startTestServer, type TestServer } from '../../helpers/server.ts';

const word = (s: string) => `=?UTF-8?B?${Buffer.from(s).toString('base64')}?=`;
const mail = (subject: string, body: string, attachment = false) => Buffer.from([
  `From: ${word('王芳')} <wangfang@partner.test>`, 'To: alice@example.cn', `Subject: ${word(subject)}`,
  'Date: Thu, 03 Dec 2026 10:00:00 +0800', 'MIME-Version: 1.0',
  ...(attachment
    ? ['Content-Type: multipart/mixed; boundary="b"', '', '--b', 'Content-Type: text/plain; charset=utf-8', '', body,
      '--b', 'Content-Type: application/pdf', 'Content-Disposition: attachment; filename="budget.pdf"', '', '%PDF-1.4', '--b--', '']
    : ['Content-Type: text/plain; charset=utf-8', '', body, '']),
].join('\r\n'));

/** With YOUJU_SCREENSHOTS=DIR, saves the screen there (as ui.e2e.test.ts does for the mail screens). */
async function screenshot(page: Page, name: string): Promise<void> {
  if (!process.env.YOUJU_SCREENSHOTS) return;
  await page.waitForTimeout(400); // let antd's transitions finish
  await page.screenshot({ path: join(process.env.YOUJU_SCREENSHOTS, name) });
}

describe('search in chromium', { skip: noBrowser() }, () => {
  let t: TestServer;
  let browser: Browser;
  let page: Page;

  before(async () => {
    ensureUiBuilt();
    t = await startTestServer({ http: true, settings: { 'security.failedLoginDelayMs': 0 } });
    await t.addUser('alice@example.cn');
    const alice = (await t.rt.users.byAddress('alice@example.cn'))!;
    await t.rt.mailboxes.create(alice.id, '项目');
    await t.rt.mailboxes.append(alice.id, 'INBOX', { raw: mail('周报', '附件是第三季度报告，请查收。'), internalDate: Date.UTC(2026, 11, 1) });
    await t.rt.mailboxes.append(alice.id, '项目', { raw: mail('预算草案', '这是季度报告的预算部分。', true), internalDate: Date.UTC(2026, 11, 2) });
    await t.rt.mailboxes.append(alice.id, 'INBOX', { raw: mail('午饭', '中午一起吃饭吗？'), internalDate: Date.UTC(2026, 11, 3) });
    for (let i = 0; i < 200 && (await t.rt.store.read((tx) => tx.fulltext.pending(10))).length > 0; i++) await sleep(50);
    browser = await launchBrowser();
    page = browser.page;
    await page.goto(`http://127.0.0.1:${t.config.ports.http}/webmail/`);
    await page.getByLabel('邮箱地址', { exact: true }).fill('alice@example.cn');
    await page.getByLabel('密码', { exact: true }).fill(PASSWORD);
    await page.getByRole('button', { name: '登录' }).click();
    await page.getByRole('row', { name: /午饭/ }).waitFor();
  });
  after(async () => {
    await browser?.close();
    await t?.close();
  });

  it('searches a Chinese word and opens a result in the reading pane', async () => {
    const box = page.getByLabel(/^搜索邮件/);
    await box.fill('季度报告');
    await box.press('Enter');
    const results = page.getByRole('grid', { name: '“季度报告”的搜索结果' });
    await results.getByRole('row', { name: /预算草案/ }).waitFor();
    await page.getByText('找到 2 封邮件').waitFor();
    const rows = await results.locator('tbody tr').allInnerTexts();
    assert.equal(rows.length, 2);
    assert.match(rows[0]!, /预算草案[\s\S]*项目/, 'newest first, with its folder');
    assert.match(rows[1]!, /周报[\s\S]*收件箱/);
    assert.ok(!rows.some((r) => r.includes('午饭')), 'a message without the word stays out');

    await results.getByRole('row', { name: /预算草案/ }).click();
    await page.getByRole('heading', { name: '预算草案' }).waitFor();
    await page.getByText('这是季度报告的预算部分。').waitFor();
    await screenshot(page, 'search-zh-CN.png');
  });

  it('narrows with the advanced filters, and goes back to the folder', async () => {
    await page.getByRole('button', { name: '高级搜索' }).click();
    await page.getByRole('checkbox', { name: '含附件' }).check();
    await page.getByRole('button', { name: '搜 索' }).or(page.getByRole('button', { name: '搜索', exact: true })).click();
    await page.getByText('找到 1 封邮件').waitFor();
    const rows = await page.getByRole('grid', { name: /搜索结果/ }).locator('tbody tr').allInnerTexts();
    assert.equal(rows.length, 1);
    assert.match(rows[0]!, /预算草案/);
    await page.getByRole('button', { name: '高级搜索（已设置条件）' }).waitFor();

    await page.getByRole('button', { name: /返回|返 回/ }).click();
    await page.getByRole('row', { name: /午饭/ }).waitFor();
  });
});
