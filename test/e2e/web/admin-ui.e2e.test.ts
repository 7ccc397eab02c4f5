// The domain console in a real browser (issue #14, first slice): Debian's chromium driven by
// playwright-core in zh-CN. The domain admin logs in at /webmail/admin/, adds a user with the
// form (a weak password is refused on the field first), batch-adds users from an uploaded CSV
// with two bad lines reported by line and field, finds them in the list by search, and the new
// user then logs in to the webmail in the same browser (the two sessions are separate) and sees the
// domain's announcement and logo (A8). Then, in a second server: a monitoring rule added with its
// form (A7), the traffic screen (A9), a label renamed by the super admin that the webmail shows without a
// rebuild (A10), and an import job refused a private host, then shown failed with its error (A11). The UI
// must be built (npm install does it); a missing or stale build is made first.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { BrowserContext, Page } from 'playwright-core';
import { ensureUiBuilt, launchBrowser, noBrowser, type Browser } from '../../helpers/browser.ts';
import { eventually, mailboxMessages, PASSWORD, TEST_ACTOR, startTestServer, type TestServer } from '../../helpers/server.ts';

const NEW_PASSWORD = 'Wz9#mail2026';
/** A 1×1 PNG as a data: URL (the domain's logo). */
const PNG = 'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==';


describe('domain console in chromium', { skip: noBrowser() }, () => {
  let t: TestServer;
  let ctx: BrowserContext;
  let page: Page;
  let browser: Browser;
  let base: string;

  before(async () => {
    ensureUiBuilt();
    t = await startTestServer({ http: true, settings: { 'security.failedLoginDelayMs': 0 } });
    await t.rt.orgs.add(TEST_ACTOR, 'example.cn', { name: '销售部' });
    base = `http://127.0.0.1:${t.config.ports.http}`;
    browser = await launchBrowser({ height: 800 });
    ctx = browser.ctx;
    page = browser.page;
  });
  after(async () => {
    await browser?.close();
    await t?.close();
  });

  it('the domain admin logs in in zh-CN', async () => {
    await page.goto(`${base}/webmail/admin/`);
    await page.getByRole('heading', { name: '管理员登录' }).waitFor();
    assert.equal(await page.evaluate(() => document.documentElement.lang), 'zh-CN');
    await page.getByLabel('管理员账号').fill('admin@example.cn');
    await page.getByLabel('密码', { exact: true }).fill('wrong password');
    await page.getByRole('button', { name: '登录' }).click();
    await page.getByRole('alert').getByText('账号或密码错误').waitFor();
    await page.getByLabel('密码', { exact: true }).fill(PASSWORD);
    await page.getByRole('button', { name: '登录' }).click();
    await page.getByRole('heading', { name: '域管理后台' }).waitFor();
    await page.getByRole('button', { name: '添加新用户' }).waitFor();
  });

  it('adds a user with the form; a weak password is refused on its field', async () => {
    await page.getByRole('button', { name: '添加新用户' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('用户名').fill('zhaoliu');
    await dialog.getByLabel('密码', { exact: true }).fill('12345678');
    await dialog.getByLabel('姓名').fill('赵六');
    await dialog.getByLabel('部门').click();
    await page.getByTitle('销售部').click();
    await dialog.getByLabel('邮箱容量(MB)').fill('200');
    await dialog.getByRole('button', { name: '提交' }).click();
    await dialog.getByText('密码不符合本域的密码规则').first().waitFor();
    await dialog.getByLabel('密码', { exact: true }).fill(NEW_PASSWORD);
    await dialog.getByRole('button', { name: '提交' }).click();
    await dialog.waitFor({ state: 'hidden' });
    const row = page.getByRole('row', { name: /zhaoliu@example\.cn/ });
    await row.waitFor();
    assert.match(await row.textContent() ?? '', /赵六.*销售部.*200 MB.*正常/);
  });

  it('batch-adds 200 users from an uploaded CSV, showing its progress, and reports the two bad lines by line and field', async () => {
    await page.getByRole('button', { name: '批量添加用户' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByRole('link', { name: '下载范例文件' }).waitFor();
    const csv = ['name,password,realName,quotaMb,department', `pl1,${NEW_PASSWORD},批量一,100,销售部`, `pl2,${NEW_PASSWORD},批量二,,`,
      'bad name,Pw2026!abc,坏名字,,', `pl3,${NEW_PASSWORD},批量三,,不存在的部门`, `pl4,${NEW_PASSWORD},批量四,50,`,
      ...Array.from({ length: 197 }, (_, i) => `bt${i + 1},${NEW_PASSWORD},批次${i + 1},,`)].join('\r\n');
    await dialog.getByLabel('选择 CSV 文件').setInputFiles({ name: 'users.csv', mimeType: 'text/csv', buffer: Buffer.from(`\uFEFF${csv}`) });
    await page.waitForFunction(() => document.querySelector('textarea')?.value.includes('pl4'));
    await dialog.getByRole('button', { name: '开始添加' }).click();
    // The progress the server reports as it goes (201 lines to add: the bad name is not one).
    await dialog.getByRole('group', { name: '添加进度' }).getByText(/^已处理 \d+ \/ 201 个用户$/).waitFor();
    await dialog.getByRole('status').getByText('已添加 200 个用户，2 行出错', { exact: true }).waitFor({ timeout: 60_000 });
    await dialog.getByRole('group', { name: '添加进度' }).getByText('已处理 201 / 201 个用户').waitFor();
    const report = dialog.getByRole('table');
    await report.getByRole('row', { name: /^4\s*用户名\s*用户名只能包含字母、数字/ }).waitFor();
    await report.getByRole('row', { name: /^5\s*部门\s*部门不存在/ }).waitFor();
    // The same text cannot be sent twice; an edited one can.
    assert.equal(await dialog.getByRole('button', { name: '开始添加' }).isDisabled(), true);
    await dialog.getByLabel('CSV 内容').fill(`name,password\npl5,${NEW_PASSWORD}`);
    assert.equal(await dialog.getByRole('button', { name: '开始添加' }).isEnabled(), true);
    await dialog.getByRole('button', { name: '关闭' }).click();
    await page.getByLabel('搜索用户名或姓名').fill('批量');
    await page.getByLabel('搜索用户名或姓名').press('Enter');
    await page.getByText('共 3 个用户').waitFor();
    for (const a of ['pl1', 'pl2', 'pl4']) await page.getByRole('row', { name: new RegExp(`${a}@example\\.cn`) }).waitFor();
    // 批量修改用户: the two ticked users are frozen together.
    for (const a of ['pl1', 'pl2']) await page.getByRole('row', { name: new RegExp(`${a}@example\\.cn`) }).getByRole('checkbox').check();
    await page.getByRole('button', { name: '批量修改（2）' }).click();
    const bulk = page.getByRole('dialog', { name: '批量修改用户' });
    await bulk.locator('.ant-select').filter({ has: page.getByRole('combobox', { name: '状态' }) }).click();
    await page.locator('.ant-select-dropdown:visible .ant-select-item-option[title="已冻结"]').click();
    await bulk.getByRole('button', { name: '修改 2 个用户' }).click();
    await bulk.getByRole('status').getByText('已修改 2 个用户，0 个失败').waitFor();
    for (const a of ['pl1', 'pl2']) assert.equal((await t.rt.users.byAddress(`${a}@example.cn`))?.status, 'frozen');
    assert.equal((await t.rt.users.byAddress('pl4@example.cn'))?.status, 'active');
    await bulk.getByRole('button', { name: '关闭' }).click();
  });

  it('the new user logs in to the webmail in the same browser and sees the domain\'s announcement, logo and links', async () => {
    await t.rt.console.webmail.update(TEST_ACTOR, 'example.cn', {
      announcement: { enabled: true, title: '系统维护通知', body: '本周六晚维护' }, homeLinks: [{ title: '公司主页', url: 'https://www.example.cn/' }],
    });
    await t.rt.console.webmail.setLogo(TEST_ACTOR, 'example.cn', 'afterLogin', PNG);
    await t.rt.console.webmail.setLogo(TEST_ACTOR, 'example.cn', 'beforeLogin', PNG);
    await t.rt.console.webmail.update(TEST_ACTOR, 'example.cn', { loginTemplate: 'business-blue' });
    // The login page of the domain (W1): its template, its before-login logo, the admin link.
    await page.goto(`${base}/webmail/?domain=example.cn`);
    await page.locator('main.yj-login-business-blue').waitFor();
    await page.waitForFunction(() => (document.querySelector('img.yj-login-logo') as HTMLImageElement | null)?.naturalWidth === 1);
    assert.equal(await page.getByRole('link', { name: '管理员登录' }).getAttribute('href'), '/webmail/admin/');
    await page.getByLabel('邮箱地址', { exact: true }).fill('zhaoliu@example.cn');
    await page.getByLabel('密码', { exact: true }).fill(NEW_PASSWORD);
    await page.getByRole('button', { name: '登录' }).click();
    await page.getByRole('tree').getByText('收件箱').waitFor();
    await page.getByRole('note', { name: '系统维护通知' }).getByText('本周六晚维护').waitFor();
    await page.waitForFunction(() => (document.querySelector('img.yj-logo') as HTMLImageElement | null)?.naturalWidth === 1);
    await page.getByRole('button', { name: '常用链接' }).hover();
    const link = page.getByRole('link', { name: '公司主页' });
    assert.deepEqual([await link.getAttribute('href'), await link.getAttribute('target'), await link.getAttribute('rel')],
      ['https://www.example.cn/', '_blank', 'noopener noreferrer']);
    await page.goto(`${base}/webmail/admin/`);
    await page.getByRole('heading', { name: '域管理后台' }).waitFor(); // the admin's session is still there
  });
});

describe('monitoring, traffic, UI texts and imports in chromium', { skip: noBrowser() }, () => {
  let t: TestServer;
  let page: Page;
  let browser: Browser;
  let base: string;

  before(async () => {
    ensureUiBuilt();
    t = await startTestServer({ http: true, settings: { 'security.failedLoginDelayMs': 0, 'collect.allowPrivateHosts': false } });
    await t.rt.admins.ensureBuiltins(TEST_ACTOR, { admin: PASSWORD });
    await t.rt.admins.changePassword(TEST_ACTOR, 'super', 'administrator', PASSWORD);
    for (const a of ['bob', 'boss']) await t.addUser(`${a}@example.cn`);
    base = `http://127.0.0.1:${t.config.ports.http}`;
    browser = await launchBrowser({ height: 900 });
    page = browser.page;
  });
  after(async () => {
    await browser?.close();
    await t?.close();
  });

  const login = async (account: string, heading: string) => {
    await page.goto(`${base}/webmail/admin/`);
    await page.getByLabel('管理员账号').fill(account);
    await page.getByLabel('密码', { exact: true }).fill(PASSWORD);
    await page.getByRole('button', { name: '登录' }).click();
    await page.getByRole('heading', { name: heading }).waitFor();
  };

  it('the domain admin adds a monitoring rule with the form (A7)', async () => {
    await login('admin@example.cn', '域管理后台');
    await page.getByRole('menuitem', { name: '邮件监控管理' }).click();
    await page.getByRole('button', { name: '添加邮件监控' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('规则名称').fill('监控报价');
    await dialog.getByLabel('指定用户').check();
    await dialog.getByLabel('用户', { exact: true }).fill('bob');
    await dialog.getByLabel('条件值').fill('@qq.com');
    await dialog.getByRole('combobox', { name: '复制到邮箱' }).fill('boss');
    await dialog.getByRole('combobox', { name: '复制到邮箱' }).press('Enter');
    await dialog.getByRole('button', { name: '提交' }).click();
    await dialog.waitFor({ state: 'hidden' });
    const row = page.getByRole('row', { name: /监控报价/ });
    assert.match(await row.textContent() ?? '', /bob@example\.cn.*发出的邮件.*收件人地址 包含 @qq\.com.*boss@example\.cn/);
    const [rule] = await t.rt.console.monitors.list(TEST_ACTOR, 'example.cn');
    assert.deepEqual([rule!.watch, rule!.direction, rule!.copyTo, rule!.conditions],
      [{ kind: 'user', address: 'bob@example.cn' }, 'out', ['boss@example.cn'], [{ field: 'recipient', op: 'contains', values: ['@qq.com'] }]]);
    // Switched off from the list.
    await row.getByRole('switch', { name: '监控是否生效' }).click();
    await eventually(async () => (await t.rt.console.monitors.list(TEST_ACTOR, 'example.cn'))[0]!.enabled === false || undefined);
  });

  it('shows the domain\'s traffic per day (A9)', async () => {
    const today = new Date();
    const day = `${today.getFullYear()}-${String(today.getMonth() + 1).padStart(2, '0')}-${String(today.getDate()).padStart(2, '0')}`;
    await deliver(t, 'bob@example.cn', 3);
    await page.getByRole('menuitem', { name: '邮件收发流量' }).click();
    const table = page.getByRole('table').filter({ hasText: day });
    await table.getByRole('row', { name: new RegExp(`^${day}\\s*3\\s`) }).waitFor();
    await page.getByRole('img', { name: '每日收发邮件数' }).waitFor();
    await page.getByText('收发最多的用户').waitFor();
    await page.getByRole('row', { name: /bob@example\.cn/ }).waitFor();
  });

  it('the super admin renames a label, the webmail shows it without a rebuild, and resets it (A10)', async () => {
    await page.getByRole('button', { name: '退出' }).click();
    await login('administrator', '超域管理后台');
    await page.getByRole('menuitem', { name: '语言文字模块' }).click();
    await page.getByLabel('搜索键名或文字').fill('nav.contacts');
    await page.getByLabel('搜索键名或文字').press('Enter');
    await page.getByLabel('nav.contacts 的自定义文字').fill('政府通讯录');
    await page.getByRole('row', { name: /nav\.contacts/ }).getByRole('button', { name: '保存' }).click();
    await page.getByText('文字已保存').waitFor();
    await page.getByLabel('nav.contacts 的自定义文字').fill('<b>x</b>');
    await page.getByRole('row', { name: /nav\.contacts/ }).getByRole('button', { name: '保存' }).click();
    await page.getByText(/without < or >/).waitFor();
    const webmail = await browser.ctx.newPage();
    await webmail.goto(`${base}/webmail/`);
    await webmail.getByRole('button', { name: '登录' }).waitFor();
    await webmail.getByLabel('邮箱地址', { exact: true }).fill('bob@example.cn');
    await webmail.getByLabel('密码', { exact: true }).fill(PASSWORD);
    await webmail.getByRole('button', { name: '登录' }).click();
    await webmail.getByText('政府通讯录').first().waitFor();
    await webmail.close();
    await page.getByRole('row', { name: /nav\.contacts/ }).getByRole('button', { name: '恢复默认' }).click();
    await page.getByText('已恢复默认').waitFor();
    assert.deepEqual((await t.rt.console.labels.publicLabels())['zh-CN'], {});
  });

  it('starts an import job: a private host is refused on its field, a finished job shows its result (A11)', async () => {
    await page.getByRole('menuitem', { name: '邮件数据导入' }).click();
    const form = page.getByRole('form', { name: '新建导入任务' });
    await form.getByLabel('服务器地址').fill('127.0.0.1');
    await form.getByLabel('帐号列表').fill('bob OldPass-1 bob@example.cn');
    await form.getByRole('button', { name: '开始导入' }).click();
    await form.getByText(/loopback, private or link-local/).waitFor();
    await t.rt.settings.set('collect.allowPrivateHosts', true);
    await form.getByLabel('端口').fill('1');
    await form.getByRole('button', { name: '开始导入' }).click();
    await page.getByText(/导入任务 \d+ 已开始/).waitFor();
    const job = page.getByRole('region', { name: '邮件数据导入' }).getByRole('row', { name: /有失败/ }).first();
    await job.waitFor({ timeout: 20_000 });
    await job.getByRole('button', { name: /展开/ }).click();
    await page.getByRole('row', { name: /^1 imaps:\/\/bob@127\.0\.0\.1:1 bob@example\.cn 有失败.*cannot reach/ }).waitFor();
    assert.ok(!(await page.content()).includes('OldPass-1'));
  });
});

/** n messages from outside delivered to `to` through the queue (local delivery counts them). */
async function deliver(t: TestServer, to: string, n: number): Promise<void> {
  for (let i = 0; i < n; i++) {
    await t.rt.queue.submit({ sender: 'peer@remote.example', recipients: [to], raw: Buffer.from(`Subject: ${i}\r\nMessage-ID: <t${i}.${Date.now()}@remote.example>\r\n\r\nhello\r\n`) });
  }
  await eventually(async () => (await mailboxMessages(t.rt, to)).length >= n || undefined, 20_000, 'delivered');
}
