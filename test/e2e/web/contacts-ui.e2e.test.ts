// The contacts module in a real browser (issue #12 W8, W9; the contacts CSV round trip of the
// issue's browser tests): Debian's chromium driven by playwright-core. Alice logs in (zh-CN), opens
// 通讯录 from the shell's nav, adds a contact with the form, imports a CSV (GBK-free UTF-8 with a
// BOM, as Excel writes it) with one bad line and reads the report naming that line and its field,
// exports CSV and checks the downloaded file holds exactly the contacts she has, then imports
// that file again with "ignore" and every line comes back as a duplicate. "Write to selected"
// opens #compose?to=…, and the enterprise tab shows the org tree without the hidden user.
// W10: the customer book tab (category filter, search, write to the selected), another domain's
// directory through the domain chooser once the super admin shared it, and (W1, A8) the login
// page of a domain with the custom login field: labelled with the field's name, signing in with its value.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { ensureUiBuilt, launchBrowser, loginWebmail, noBrowser, type Browser } from '../../helpers/browser.ts';
import { PASSWORD, startTestServer, TEST_ACTOR, type TestServer } from '../../helpers/server.ts';

const SHOTS = process.env.YOUJU_SCREENSHOTS;

/** With YOUJU_SCREENSHOTS=DIR, saves the screen there (as ui.e2e.test.ts does for the mail screens). */
async function screenshot(page: Page, name: string): Promise<void> {
  if (!SHOTS) return;
  await page.waitForTimeout(400); // let antd's transitions finish
  await page.screenshot({ path: join(SHOTS, name) });
}


const CSV = '\ufeff姓名,邮箱地址,手机,公司,分组\r\n张三,zhangsan@partner.test,13800000000,伙伴公司,客户\r\n李四,not-an-address,,,客户\r\n"Wang, Wu",wangwu@partner.test,,,\r\n';

describe('contacts in chromium', { skip: noBrowser() }, () => {
  let t: TestServer;
  let ctx: BrowserContext;
  let page: Page;
  let browser: Browser;
  let base: string;

  before(async () => {
    ensureUiBuilt();
    t = await startTestServer({ http: true, settings: { 'security.failedLoginDelayMs': 0 } });
    await t.addUser('alice@example.cn', { realName: '张丽' });
    const unit = await t.rt.orgs.add(TEST_ACTOR, 'example.cn', { name: '研发部' });
    await t.addUser('dev@example.cn', { realName: '程序员' });
    await t.rt.orgs.setUserDepartment(TEST_ACTOR, 'dev@example.cn', unit.id);
    await t.addUser('hidden@example.cn', { realName: '隐身人' });
    await t.rt.users.update(TEST_ACTOR, 'hidden@example.cn', { hidden: true, orgUnitId: unit.id });
    // W10: a customer book for example.cn, and partner.cn's directory shared with it.
    const vip = await t.rt.console.customers.createCategory(TEST_ACTOR, 'example.cn', '重要客户');
    await t.rt.console.customers.add(TEST_ACTOR, 'example.cn', { name: '王总', email: 'wangzong@client.test', company: '华南贸易', categoryId: vip.id });
    await t.rt.console.customers.add(TEST_ACTOR, 'example.cn', { name: '赵经理', email: 'zhao@client.test', company: '北方实业' });
    await t.rt.domains.add(TEST_ACTOR, 'partner.cn');
    await t.addUser('pat@partner.cn', { realName: '帕特' });
    await t.rt.console.shares.add(TEST_ACTOR, 'example.cn', ['partner.cn']);
    await t.rt.console.webmail.update(TEST_ACTOR, 'example.cn', { customLoginField: { enabled: true, label: '工号' } });
    await t.rt.users.update(TEST_ACTOR, 'alice@example.cn', { loginName: 'A0001' });
    base = `http://127.0.0.1:${t.config.ports.http}`;
    browser = await launchBrowser({ acceptDownloads: true });
    ctx = browser.ctx;
    page = browser.page;
  });
  after(async () => {
    await browser?.close();
    await t?.close();
  });

  const table = () => page.locator('.yj-contacts-table');

  it('opens 通讯录 from the shell and adds a contact', async () => {
    await loginWebmail(page, base, 'alice@example.cn', PASSWORD);
    await page.getByRole('navigation', { name: '模块' }).getByRole('link', { name: '通讯录' }).click();
    await page.getByRole('tab', { name: '个人通讯录' }).waitFor();
    await page.getByText('还没有联系人').first().waitFor();
    await page.getByRole('button', { name: '添加联系人' }).click();
    const dialog = page.getByRole('dialog', { name: '添加联系人' });
    await dialog.getByLabel('名称').fill('王芳');
    await dialog.getByLabel('邮箱地址 1').fill('wangfang@partner.test');
    await dialog.getByRole('button', { name: '提交' }).click();
    await table().getByRole('row', { name: /王芳/ }).waitFor();
    await page.getByText('共 1 个联系人').waitFor();
  });

  it('imports a CSV with one bad line and shows the report', async () => {
    await page.getByRole('button', { name: '导入联系人' }).click();
    const dialog = page.getByRole('dialog', { name: '导入联系人' });
    await dialog.locator('input[type=file]').setInputFiles({ name: 'contacts.csv', mimeType: 'text/csv', buffer: Buffer.from(CSV) });
    await dialog.getByRole('button', { name: '提交' }).click();
    const report = dialog.locator('.yj-import-report');
    await report.getByText('新增 2 个，覆盖 0 个，忽略重复 0 个').waitFor();
    await report.getByText('1 行未导入：').waitFor();
    await screenshot(page, 'contacts-import-zh-CN.png');
    const bad = report.locator('.yj-import-errors tbody tr');
    assert.equal(await bad.count(), 1);
    const cells = await bad.first().locator('td').allTextContents();
    assert.equal(cells[0], '3');
    assert.equal(cells[1], '邮箱地址');
    assert.match(cells[2]!, /not-an-address/);
    await dialog.getByRole('button', { name: '关闭' }).click();
    await page.getByText('共 3 个联系人').waitFor();
    await page.getByRole('navigation', { name: '联系组' }).getByText('客户').waitFor();
    await screenshot(page, 'contacts-zh-CN.png');
  });

  it('exports CSV: the file holds exactly the contacts, and reads back as duplicates', async () => {
    await page.getByRole('button', { name: '导出' }).hover();
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: '导出 CSV' }).click()]);
    assert.equal(download.suggestedFilename(), 'contacts.csv');
    const bytes = await readFile((await download.path())!);
    assert.deepEqual([...bytes.subarray(0, 3)], [0xef, 0xbb, 0xbf], 'UTF-8 BOM for Excel');
    const lines = bytes.toString('utf8').slice(1).trimEnd().split('\r\n');
    assert.equal(lines[0], 'name,email,mobile,work phone,home phone,fax,other phone,company,department,title,address,birthday,notes,groups');
    assert.deepEqual(lines.slice(1).sort(), [
      '"Wang, Wu",wangwu@partner.test,,,,,,,,,,,,',
      '张三,zhangsan@partner.test,13800000000,,,,,伙伴公司,,,,,,客户',
      '王芳,wangfang@partner.test,,,,,,,,,,,,',
    ].sort());

    await page.getByRole('button', { name: '导入联系人' }).click();
    const dialog = page.getByRole('dialog', { name: '导入联系人' });
    await dialog.locator('input[type=file]').setInputFiles({ name: 'contacts.csv', mimeType: 'text/csv', buffer: bytes });
    await dialog.getByRole('button', { name: '提交' }).click();
    await dialog.getByText('新增 0 个，覆盖 0 个，忽略重复 3 个').waitFor();
    await dialog.getByRole('button', { name: '关闭' }).click();
    await page.getByText('共 3 个联系人').waitFor();
  });

  it('writes to the selected contacts and shows the enterprise directory without hidden users', async () => {
    await page.getByRole('checkbox', { name: '选择联系人：王芳' }).check();
    await page.getByRole('checkbox', { name: '选择联系人：张三' }).check();
    await page.getByRole('button', { name: '发邮件给选择的人员' }).click();
    await page.waitForFunction(() => location.hash.startsWith('#compose?to='));
    const to = decodeURIComponent(await page.evaluate(() => location.hash.slice('#compose?to='.length)));
    assert.deepEqual(to.split(';').sort(), ['wangfang@partner.test', 'zhangsan@partner.test']);

    await page.goto(`${base}/webmail/#contacts`);
    await page.getByRole('tab', { name: '企业通讯录' }).click();
    await page.getByRole('tree').getByText('研发部').click();
    await page.getByRole('cell', { name: 'dev@example.cn' }).waitFor();
    assert.equal(await page.getByText('hidden@example.cn').count(), 0, 'the hidden user is not listed');
    await screenshot(page, 'directory-zh-CN.png');
  });

  it('reads the customer book: category filter, search, write to the selected', async () => {
    await page.goto(`${base}/webmail/#contacts`);
    await page.getByRole('tab', { name: '客户通讯录' }).click();
    await page.getByText('共 2 个客户').waitFor();
    await page.getByRole('navigation', { name: '客户分类' }).getByText('重要客户 (1)').click();
    await page.getByText('共 1 个客户').waitFor();
    await page.getByRole('region', { name: '客户通讯录' }).getByRole('cell', { name: '王总', exact: true }).waitFor();
    await page.getByRole('navigation', { name: '客户分类' }).getByText('全部客户').click();
    await page.getByRole('searchbox', { name: '按名称、邮箱地址、公司或电话搜索' }).fill('北方');
    await page.getByRole('searchbox', { name: '按名称、邮箱地址、公司或电话搜索' }).press('Enter');
    await page.getByText('共 1 个客户').waitFor();
    await page.getByRole('checkbox', { name: '选择：赵经理' }).check();
    await screenshot(page, 'customers-zh-CN.png');
    await page.getByRole('button', { name: '发邮件给选择的人员' }).click();
    await page.waitForFunction(() => location.hash.startsWith('#compose?to='));
    assert.equal(decodeURIComponent(await page.evaluate(() => location.hash.slice('#compose?to='.length))), 'zhao@client.test');
  });

  it("reads another domain's directory once it is shared", async () => {
    await page.goto(`${base}/webmail/#contacts`);
    await page.getByRole('tab', { name: '企业通讯录' }).click();
    await page.locator('.ant-select').filter({ has: page.getByRole('combobox', { name: '通讯录所属域' }) }).click();
    await page.getByText('partner.cn · 其它域通讯录').click();
    await page.getByRole('cell', { name: 'pat@partner.cn' }).waitFor();
    assert.equal(await page.getByRole('cell', { name: 'dev@example.cn' }).count(), 0);
  });

  it('signs in with the custom login field on its domain\'s login page', async () => {
    await ctx.clearCookies();
    await page.goto(`${base}/webmail/?domain=example.cn`);
    await page.getByLabel('工号', { exact: true }).fill('A0001');
    await page.getByLabel('密码', { exact: true }).fill(PASSWORD);
    await screenshot(page, 'login-custom-field-zh-CN.png');
    await page.getByRole('button', { name: '登录', exact: true }).click();
    await page.getByRole('navigation', { name: '模块' }).waitFor();
    assert.equal(await page.evaluate(() => fetch('/api/session/me').then((r) => r.json()).then((m) => m.user.address)), 'alice@example.cn');
  });
});
