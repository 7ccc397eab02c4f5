// Registration from the login page in chromium (FEATURES W2): the form says when a domain needs
// approval, asks for the terms, refuses a mismatched password on its field, registers, and the new
// user signs in.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ensureUiBuilt, launchBrowser, noBrowser, type Browser } from '../../helpers/browser.ts';
import { startTestServer, TEST_ACTOR, type TestServer } from '../../helpers/server.ts';

describe('registration in chromium', { skip: noBrowser() }, () => {
  let t: TestServer;
  let browser: Browser;

  before(async () => {
    ensureUiBuilt();
    t = await startTestServer({ http: true, settings: { 'security.failedLoginDelayMs': 0 } });
    await t.rt.domains.add(TEST_ACTOR, 'open.cn', { allowRegistration: true, requireApproval: false });
    await t.rt.domains.add(TEST_ACTOR, 'vetted.cn', { allowRegistration: true, requireApproval: true });
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await t?.close();
  });

  it('registers on an open domain and signs in', async () => {
    const page = browser.page;
    await page.goto(`http://127.0.0.1:${t.config.ports.http}/webmail/`);
    await page.getByRole('button', { name: '注册新邮箱' }).click();
    const dialog = page.getByRole('dialog', { name: '申请邮箱' });
    await dialog.getByLabel('想要的邮箱地址').fill('zhou@vetted.cn');
    await dialog.getByLabel('姓名').click();
    await dialog.getByText('该域的新邮箱需管理员审核后才能使用').waitFor();
    await dialog.getByLabel('想要的邮箱地址').fill('zhou@open.cn');
    await dialog.getByLabel('姓名').fill('周明');
    await dialog.getByLabel('密码', { exact: true }).fill('Mq7#river2026');
    await dialog.getByLabel('确认密码').fill('Mq7#river2027');
    await dialog.getByRole('button', { name: '注册' }).click();
    await dialog.getByText('两次输入的密码不一致').waitFor();
    await dialog.getByText('请先同意服务条款').waitFor();
    await dialog.getByLabel('确认密码').fill('Mq7#river2026');
    await dialog.getByText('我已阅读并同意服务条款').click();
    await dialog.getByRole('button', { name: '注册' }).click();
    await dialog.getByText('注册成功，现在可以用新邮箱登录。').waitFor();
    await dialog.getByRole('button', { name: '返回登录' }).click();
    assert.equal(await page.getByLabel('邮箱地址', { exact: true }).inputValue(), 'zhou@open.cn');
    await page.getByLabel('密码', { exact: true }).fill('Mq7#river2026');
    await page.getByRole('button', { name: '登录', exact: true }).click();
    await page.getByRole('tree').getByText('收件箱').waitFor();
    assert.equal((await t.rt.users.byAddress('zhou@open.cn'))?.realName, '周明');
  });
});
