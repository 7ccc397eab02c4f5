// Folders and spam in a real browser (FEATURES W7, issue #12 "mark as spam / not spam"): the user
// creates a folder and a subfolder, renames it from its menu, reports a message as spam (it goes to
// Junk), takes it back (not spam: to the inbox), deletes it and empties Trash; the store agrees.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { ensureUiBuilt, launchBrowser, loginWebmail, noBrowser, type Browser } from '../../helpers/browser.ts';
import { mailboxMessages, PASSWORD, startTestServer, type TestServer } from '../../helpers/server.ts';

describe('folders and spam in chromium', { skip: noBrowser() }, () => {
  let t: TestServer;
  let browser: Browser;
  let page: Page;
  const tree = () => page.getByRole('tree');

  before(async () => {
    ensureUiBuilt();
    t = await startTestServer({ http: true, settings: { 'security.failedLoginDelayMs': 0 } });
    await t.addUser('alice@example.cn');
    const alice = (await t.rt.users.byAddress('alice@example.cn'))!;
    await t.rt.mailboxes.append(alice.id, 'INBOX', { raw: Buffer.from('From: promo@shop.test\r\nSubject: 限时特价\r\n\r\n买买买\r\n') });
    browser = await launchBrowser();
    page = browser.page;
    await loginWebmail(page, `http://127.0.0.1:${t.config.ports.http}`, 'alice@example.cn', PASSWORD);
    await page.getByRole('row', { name: /限时特价/ }).waitFor();
  });
  after(async () => {
    await browser?.close();
    await t?.close();
  });

  it('creates a folder and a subfolder, and renames the folder', async () => {
    await page.getByRole('button', { name: '新建文件夹' }).click();
    await page.getByLabel('文件夹名称').fill('项目');
    await page.getByRole('button', { name: '确定' }).click();
    await tree().getByText('项目', { exact: true }).waitFor();
    await tree().getByText('项目', { exact: true }).hover();
    await page.getByRole('button', { name: '项目 的操作' }).click();
    await page.getByRole('menuitem', { name: '新建子文件夹' }).click();
    await page.getByLabel('文件夹名称').fill('2026');
    await page.getByRole('button', { name: '确定' }).click();
    await tree().getByText('2026').waitFor();
    await tree().getByText('项目', { exact: true }).click({ button: 'right' });
    await page.getByRole('menuitem', { name: '重命名' }).click();
    await page.getByLabel('文件夹名称').fill('工程');
    await page.getByRole('button', { name: '确定' }).click();
    await tree().getByText('工程', { exact: true }).waitFor();
    const alice = (await t.rt.users.byAddress('alice@example.cn'))!;
    const names = (await t.rt.store.read((tx) => tx.mailboxes.list(alice.id))).map((m) => m.name);
    assert.ok(names.includes('工程') && names.includes('工程/2026') && !names.includes('项目'), names.join(', '));
  });

  it('reports spam to Junk, takes it back, deletes it and empties Trash', async () => {
    await tree().getByText('收件箱').click();
    await page.getByRole('row', { name: /限时特价/ }).click();
    await page.getByRole('button', { name: '这是垃圾邮件' }).click();
    await page.getByText('此文件夹中没有邮件').waitFor();
    assert.equal((await mailboxMessages(t.rt, 'alice@example.cn', 'Junk')).length, 1);
    await tree().getByText('垃圾邮件').click();
    await page.getByRole('row', { name: /限时特价/ }).click();
    await page.getByRole('button', { name: '不是垃圾邮件' }).click();
    await tree().getByText('收件箱').click();
    await page.getByRole('row', { name: /限时特价/ }).click();
    await page.getByRole('toolbar').getByRole('button', { name: /^(delete )?删除$/ }).click();
    await page.getByText('此文件夹中没有邮件').waitFor();
    await tree().getByText('已删除').click({ button: 'right' });
    await page.getByRole('menuitem', { name: '清空' }).click();
    await page.getByRole('dialog').getByRole('button', { name: '清空' }).click();
    await page.getByText('此文件夹中没有邮件').waitFor();
    assert.equal((await mailboxMessages(t.rt, 'alice@example.cn', 'Trash')).length, 0);
  });

  it('moves a message by dragging it onto a folder; ? shows the shortcuts', async () => {
    const alice = (await t.rt.users.byAddress('alice@example.cn'))!;
    await t.rt.mailboxes.append(alice.id, 'INBOX', { raw: Buffer.from('From: boss@example.cn\r\nSubject: 拖我\r\n\r\nx\r\n') });
    await tree().getByText('收件箱').click();
    const row = page.getByRole('row', { name: /拖我/ });
    await row.waitFor();
    await row.dragTo(tree().getByText('工程', { exact: true }));
    await page.getByText('此文件夹中没有邮件').waitFor();
    assert.equal((await mailboxMessages(t.rt, 'alice@example.cn', '工程')).filter((m) => m.subject === '拖我').length, 1);
    await tree().getByText('工程', { exact: true }).click();
    await page.getByRole('row', { name: /拖我/ }).focus();
    await page.keyboard.press('?');
    await page.getByRole('dialog', { name: '键盘快捷键' }).getByText('标为已读或未读').waitFor();
    await page.keyboard.press('Escape');
  });
});
