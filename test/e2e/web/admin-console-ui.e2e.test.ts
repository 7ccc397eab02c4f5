// The domain console's org, department-admin and mailing-list screens in a real browser (issue
// #14): Debian's chromium via playwright-core. In zh-CN the domain admin moves a user to another
// department ("移动到"), makes a department admin for 销售部, who then logs in and sees only 销售部
// and its users, not 研发部's; in en the domain admin adds a mailing list with members and adds more
// with one bad address reported. The super admin (one browser, zh-CN then en) adds a domain with its
// admin in 域名管理, logs out, and that admin logs in to the new domain's console. What the browser
// did is checked in the store. A8/A10 (zh-CN): the domain admin keeps the customer book (a
// category, a customer whose bad address is marked on its field, an import with one bad line
// reported), switches the custom login field on and gives users their values (a duplicate is marked
// on the field, by its name); the super admin shares another domain's directory with this one.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import type { OrgUnitId } from '../../../src/core/ids.ts';
import { ensureUiBuilt, launchBrowser, noBrowser, type Browser } from '../../helpers/browser.ts';
import { PASSWORD, TEST_ACTOR, startTestServer, type TestServer } from '../../helpers/server.ts';

const A = 'example.cn';
const DEPT_PASSWORD = 'Xs8#dept2026';

describe('domain console screens in chromium', { skip: noBrowser() }, () => {
  let t: TestServer;
  let base: string;
  const browsers: Browser[] = [];
  let sales = 0 as OrgUnitId;

  before(async () => {
    ensureUiBuilt();
    t = await startTestServer({ http: true, settings: { 'security.failedLoginDelayMs': 0 } });
    base = `http://127.0.0.1:${t.config.ports.http}`;
    const rd = await t.rt.orgs.add(TEST_ACTOR, A, { name: '研发部', sortOrder: 1 });
    sales = (await t.rt.orgs.add(TEST_ACTOR, A, { name: '销售部', sortOrder: 2 })).id;
    await t.rt.users.add(TEST_ACTOR, `zhang@${A}`, { password: PASSWORD, orgUnitId: rd.id, realName: '张三' });
    await t.rt.users.add(TEST_ACTOR, `li@${A}`, { password: PASSWORD, orgUnitId: rd.id, realName: '李四' });
    await t.rt.users.add(TEST_ACTOR, `wang@${A}`, { password: PASSWORD, orgUnitId: sales, realName: '王五' });
    await t.rt.domains.add(TEST_ACTOR, 'partner.cn');
  });
  after(async () => {
    for (const b of browsers) await b.close();
    await t?.close();
  });

  const open = async (locale: string): Promise<Page> => {
    const b = await launchBrowser({ locale });
    browsers.push(b);
    return b.page;
  };
  const pick = async (page: Page, label: string, option: string) => {
    await page.locator('.ant-select').filter({ has: page.getByRole('combobox', { name: label }) }).click();
    await page.locator(`.ant-select-dropdown:visible .ant-select-item-option[title="${option}"]`).click();
  };  const login = async (page: Page, account: string, password: string, labels: { account: string; password: string; submit: string }, language?: string) => {
    await page.goto(`${base}/webmail/admin/`);
    // The language is the user's choice on the sign-in page (kept in the browser), zh-CN by default.
    if (language) await pick(page, '语言', language);
    await page.getByLabel(labels.account).fill(account);
    await page.getByLabel(labels.password, { exact: true }).fill(password);
    await page.getByRole('button', { name: labels.submit }).click();
  };
  const zh = { account: '管理员账号', password: '密码', submit: '登录' };


  it('zh-CN: moves a user between departments, then makes a department admin who sees only their department', async () => {
    const page = await open('zh-CN');
    await login(page, `admin@${A}`, PASSWORD, zh);
    await page.getByRole('heading', { name: '域管理后台' }).waitFor();
    await page.getByRole('menuitem', { name: '机构管理' }).click();
    const tree = page.getByRole('tree', { name: '机构列表' });
    await tree.getByText('研发部').click();
    const row = page.getByRole('row', { name: /zhang@example\.cn/ });
    await row.getByRole('checkbox').check();
    await pick(page, '移动到部门…', '销售部');
    await page.getByRole('button', { name: '移动所选（1）' }).click();
    await page.getByText('已把 1 个用户移到 销售部').waitFor();
    assert.equal((await t.rt.users.byAddress(`zhang@${A}`))?.orgUnitId, sales);
    await page.getByRole('row', { name: /zhang@example\.cn/ }).waitFor({ state: 'detached' });

    await page.getByRole('menuitem', { name: '部门管理员' }).click();
    await page.getByRole('button', { name: '添加部门管理员' }).click();
    const dialog = page.getByRole('dialog');
    await pick(page, '部门', '销售部');
    await dialog.getByLabel('用户名').fill('wang');
    await dialog.getByLabel('密码').fill(DEPT_PASSWORD);
    await dialog.getByRole('button', { name: '提交' }).click();
    await page.getByRole('cell', { name: `wang@${A}` }).waitFor();

    const dept = await open('zh-CN');
    await login(dept, `wang@${A}`, DEPT_PASSWORD, zh);
    await dept.getByRole('heading', { name: '部门管理后台' }).waitFor();
    await dept.getByRole('cell', { name: `zhang@${A}`, exact: true }).waitFor();
    await dept.getByRole('cell', { name: `wang@${A}` }).waitFor();
    assert.equal(await dept.getByRole('cell', { name: `li@${A}` }).count(), 0, '研发部 is out of sight');
    assert.deepEqual(await dept.getByRole('menuitem').allTextContents(), ['邮箱用户管理', '机构管理']);
    await dept.getByRole('menuitem', { name: '机构管理' }).click();
    await dept.getByRole('tree', { name: '机构列表' }).getByText('销售部').waitFor();
    assert.equal(await dept.getByRole('tree', { name: '机构列表' }).getByText('研发部').count(), 0);
  });

  it('en: adds a mailing list with members, then more members with a bad address reported', async () => {
    const page = await open('en');
    await login(page, `admin@${A}`, PASSWORD, { account: 'Admin account', password: 'Password', submit: 'Sign in' }, 'English');
    await page.getByRole('heading', { name: 'Domain console' }).waitFor();
    await page.getByRole('menuitem', { name: 'Mailing lists' }).click();
    await page.getByRole('button', { name: 'Add mailing list' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('List name').fill('sales-team');
    await dialog.getByLabel('Description').fill('Sales team');
    await dialog.getByRole('switch').click();
    await dialog.getByLabel('Members').fill(`wang@${A}\nzhang@${A}`);
    await dialog.getByRole('button', { name: 'Save' }).click();
    const drawer = page.getByRole('dialog', { name: `Mailing list sales-team@${A}` });
    await drawer.getByRole('cell', { name: `zhang@${A}`, exact: true }).waitFor();
    await drawer.getByLabel('Add members').fill(`boss@${A}; bad@@address`);
    await drawer.getByRole('checkbox', { name: 'Send' }).uncheck();
    await drawer.getByRole('button', { name: 'Add members' }).click();
    await drawer.getByText('1 members added, 1 addresses refused').waitFor();
    await drawer.getByRole('cell', { name: `boss@${A}`, exact: true }).waitFor();
    const list = await t.rt.lists.show(`sales-team@${A}`);
    assert.equal(list.list.visibility, 'private');
    assert.deepEqual(list.members.map((m) => [m.address, m.canSend, m.canReceive]),
      [[`boss@${A}`, false, true], [`wang@${A}`, true, true], [`zhang@${A}`, true, true]]);
  });

  it('en: adds a user with the form (a weak password refused on its field), batch-adds with two bad lines reported, moves a user, and a department admin sees only theirs', async () => {
    const en = { account: 'Admin account', password: 'Password', submit: 'Sign in' };
    const page = await open('en');
    await login(page, `admin@${A}`, PASSWORD, en, 'English');
    await page.getByRole('heading', { name: 'Domain console' }).waitFor();
    // Add a user.
    await page.getByRole('button', { name: 'Add user', exact: true }).click();
    const form = page.getByRole('dialog');
    await form.getByLabel('User name').fill('emma');
    await form.getByLabel('Password', { exact: true }).fill('12345678');
    await form.getByLabel('Real name').fill('Emma Liu');
    await form.getByRole('button', { name: 'Save' }).click();
    await form.getByText("The password does not meet the domain's policy").first().waitFor();
    await form.getByLabel('Password', { exact: true }).fill(DEPT_PASSWORD);
    await form.getByRole('button', { name: 'Save' }).click();
    await form.waitFor({ state: 'hidden' });
    await page.getByRole('row', { name: /emma@example\.cn/ }).waitFor();
    // Batch add: two good lines, two bad ones reported by line and field.
    await page.getByRole('button', { name: 'Batch add users' }).click();
    const batch = page.getByRole('dialog');
    await batch.getByLabel('CSV text').fill(['name,password,realName,quotaMb,department', `en1,${DEPT_PASSWORD},One,,`,
      `en2,${DEPT_PASSWORD},Two,abc,`, `en3,${DEPT_PASSWORD},Three,,No such dept`, `en4,${DEPT_PASSWORD},Four,,销售部`].join('\n'));
    await batch.getByRole('button', { name: 'Add users' }).click();
    await batch.getByRole('status').getByText('Users added: 2; lines with errors: 2').waitFor();
    await batch.getByRole('group', { name: 'Progress' }).getByText('Users done: 3 of 3').waitFor();
    const report = batch.getByRole('table');
    await report.getByRole('row', { name: /^3\s*Mailbox quota \(MB\)\s*The quota is a whole number of MB/ }).waitFor();
    await report.getByRole('row', { name: /^4\s*Department\s*No such department/ }).waitFor();
    await batch.locator('.ant-modal-footer').getByRole('button', { name: 'Close' }).click();
    assert.equal((await t.rt.users.byAddress(`en4@${A}`))?.orgUnitId, sales);
    // Move emma into 销售部 from the organisation screen.
    await page.getByRole('menuitem', { name: 'Organisation' }).click();
    const tree = page.getByRole('tree', { name: 'Departments' });
    await tree.getByText('No department').click();
    await page.getByRole('row', { name: /emma@example\.cn/ }).getByRole('checkbox').check();
    await pick(page, 'Move to department…', '销售部');
    await page.getByRole('button', { name: 'Move selected (1)' }).click();
    await page.getByText('1 user moved to 销售部').waitFor();
    assert.equal((await t.rt.users.byAddress(`emma@${A}`))?.orgUnitId, sales);
    // 销售部's department admin (made by the zh-CN test above) signs in in English and sees 销售部 alone.
    const dept = await open('en');
    await login(dept, `wang@${A}`, DEPT_PASSWORD, en, 'English');
    await dept.getByRole('heading', { name: 'Department console' }).waitFor();
    await dept.getByRole('cell', { name: `emma@${A}`, exact: true }).waitFor();
    assert.equal(await dept.getByRole('cell', { name: `li@${A}` }).count(), 0, '研发部 is out of sight');
  });

  it('zh-CN then en: the super admin adds a domain and its admin, who then logs in to it', async () => {
    await t.rt.admins.ensureBuiltins(TEST_ACTOR);
    await t.rt.admins.changePassword(TEST_ACTOR, 'super', 'administrator', PASSWORD);
    const page = await open('zh-CN');
    const flows = [
      { domain: 'xingongsi.cn', adminPw: 'Xg7#post2026', language: undefined, labels: zh,
        s: { title: '超域管理后台', domains: '域名管理', add: '添加域名', name: '邮箱域名', maxUsers: '邮箱用户上限', withAdmin: '同时添加域管理员 admin', adminPw: '域管理员密码', submit: '提交', logout: '退出', domainTitle: '域管理后台', addUser: '添加新用户' } },
      { domain: 'newco.example', adminPw: 'Nc5#post2026', language: 'English', labels: { account: 'Admin account', password: 'Password', submit: 'Sign in' },
        s: { title: 'Super-domain console', domains: 'Domains', add: 'Add domain', name: 'Mail domain', maxUsers: 'User limit', withAdmin: 'Also add the domain admin "admin"', adminPw: 'Domain admin password', submit: 'Save', logout: 'Sign out', domainTitle: 'Domain console', addUser: 'Add user' } },
    ];
    for (const f of flows) {
      await login(page, 'administrator', PASSWORD, f.labels, f.language);
      await page.getByRole('heading', { name: f.s.title }).waitFor();
      await page.getByRole('menuitem', { name: f.s.domains }).click();
      await page.getByRole('button', { name: f.s.add, exact: true }).click();
      const dialog = page.getByRole('dialog');
      await dialog.getByLabel(f.s.name, { exact: true }).fill(f.domain);
      await dialog.getByLabel(f.s.maxUsers).fill('50');
      assert.equal(await dialog.getByRole('switch', { name: f.s.withAdmin }).getAttribute('aria-checked'), 'true');
      await dialog.getByLabel(f.s.adminPw).fill(f.adminPw);
      await dialog.getByRole('button', { name: f.s.submit }).click();
      await dialog.waitFor({ state: 'hidden' });
      await page.getByRole('row', { name: new RegExp(f.domain.replace('.', '\\.')) }).waitFor();
      const d = await t.rt.domains.show(f.domain);
      assert.equal(d.domain.maxUsers, 50);
      if (!f.language) {
        // The switcher follows a click on the domain; its admins and aliases screens show it.
        await page.getByRole('row', { name: /xingongsi\.cn/ }).getByText('xingongsi.cn').click();
        await page.getByRole('menuitem', { name: '域管理员' }).click();
        await page.getByRole('cell', { name: 'admin@xingongsi.cn' }).waitFor();
        await page.getByRole('menuitem', { name: '邮箱/域别名' }).click();
        await page.getByText('发送到虚拟域名的邮件，真实域名也能收到').waitFor();
      }
      await page.getByRole('button', { name: f.s.logout }).click();
      await login(page, `admin@${f.domain}`, f.adminPw, f.labels);
      await page.getByRole('heading', { name: f.s.domainTitle }).waitFor();
      await page.getByText(`admin@${f.domain}`).waitFor();
      await page.getByRole('button', { name: f.s.addUser, exact: true }).waitFor();
      if (!f.language) {
        // Their webmail settings: the announcement, saved from its own card.
        await page.getByRole('menuitem', { name: 'webmail 设置' }).click();
        const card = page.getByRole('form', { name: '系统公告' });
        await card.getByRole('switch').click();
        await card.getByLabel('标题').fill('欢迎使用新邮箱');
        await card.getByRole('button', { name: '保存' }).click();
        await page.getByText('已保存').waitFor();
        assert.deepEqual((await t.rt.console.webmail.publicBranding(f.domain))?.announcement, { title: '欢迎使用新邮箱', body: '' });
      }
      await page.getByRole('button', { name: f.s.logout }).click();
    }
  });

  it('zh-CN: the customer book, the custom login field, and the super admin sharing a directory', async () => {
    const page = await open('zh-CN');
    await login(page, `admin@${A}`, PASSWORD, zh);
    await page.getByRole('heading', { name: '域管理后台' }).waitFor();
    await page.getByRole('menuitem', { name: 'webmail 设置' }).click();
    await page.getByRole('tab', { name: '客户通讯录' }).click();
    await page.getByRole('button', { name: '添加分类' }).click();
    await page.getByRole('dialog', { name: '添加分类' }).getByLabel('分类名称').fill('重要客户');
    await page.getByRole('dialog', { name: '添加分类' }).getByRole('button', { name: '提交' }).click();
    await page.getByRole('navigation', { name: '客户分类' }).getByText('重要客户 (0)').waitFor();

    await page.getByRole('button', { name: '添加客户' }).click();
    const form = page.getByRole('dialog', { name: '添加客户' });
    await form.getByLabel('姓名').fill('王总');
    await form.getByLabel('邮箱地址').fill('not-an-address');
    await form.getByRole('button', { name: '提交' }).click();
    await form.locator('.ant-form-item-explain-error').filter({ hasText: /邮箱地址：.*not-an-address/ }).waitFor();
    await form.getByLabel('邮箱地址').fill('wangzong@client.test');
    await form.getByLabel('手机').fill('13800000001');
    await pick(page, '分类', '重要客户');
    await form.getByRole('button', { name: '提交' }).click();
    await form.waitFor({ state: 'hidden' });
    await page.getByRole('cell', { name: 'wangzong@client.test' }).waitFor();

    await page.getByRole('button', { name: '批量导入' }).click();
    const imp = page.getByRole('dialog', { name: '批量导入' });
    await imp.getByLabel('CSV 文本').fill('姓名,邮箱,公司\n李总,li@partner.test,合作方\n坏行,bad-address,\n张三,zhang@partner.test,');
    await imp.getByRole('button', { name: '导入' }).click();
    await imp.getByText('已导入 2 个，1 行未导入').waitFor();
    assert.deepEqual(await imp.locator('tbody tr').first().locator('td').allTextContents().then((c) => c.slice(0, 2)), ['3', '邮箱地址']);
    await imp.getByRole('button', { name: '关闭' }).click();
    await page.getByText('共 3 个客户').waitFor();
    const d = (await t.rt.store.read((tx) => tx.domains.byName(A)))!;
    assert.deepEqual((await t.rt.store.read((tx) => tx.customers.list(d.id))).map((c) => [c.email, c.categoryId !== null]).sort(),
      [['li@partner.test', false], ['wangzong@client.test', true], ['zhang@partner.test', false]]);

    // 自定义用户字段: switched on in the first card, then each user's value in the user form.
    await page.getByRole('tab', { name: 'webmail 设置' }).click();
    const card = page.getByRole('form', { name: '登录页面设置' });
    await card.getByRole('switch').click();
    await card.getByLabel('字段名称').fill('工号');
    await card.getByRole('button', { name: '保存' }).click();
    await page.getByText('已保存').first().waitFor();
    await page.getByRole('menuitem', { name: '邮箱用户管理' }).click();
    for (const [name, value, ok] of [['gonghao1', 'G100', true], ['gonghao2', 'G100', false]] as const) {
      await page.getByRole('button', { name: '添加新用户', exact: true }).click();
      const dialog = page.getByRole('dialog');
      await dialog.getByLabel('用户名').fill(name);
      await dialog.getByLabel('密码', { exact: true }).fill(PASSWORD);
      await dialog.getByLabel('工号').fill(value);
      await dialog.getByRole('button', { name: '提交' }).click();
      if (ok) await dialog.waitFor({ state: 'hidden' });
      else {
        await dialog.getByText('该工号已被本域其他用户使用').waitFor();
        await dialog.getByRole('button', { name: /取\s*消/ }).click();
      }
    }
    assert.equal((await t.rt.users.byAddress(`gonghao1@${A}`))?.loginName, 'G100');
    assert.equal(await t.rt.users.byAddress(`gonghao2@${A}`), undefined);
    await page.getByRole('button', { name: '退出' }).click();

    // 企业通讯录共享: the super admin lets example.cn's users see partner.cn's directory.
    await t.rt.admins.ensureBuiltins(TEST_ACTOR);
    await t.rt.admins.changePassword(TEST_ACTOR, 'super', 'administrator', PASSWORD);
    await login(page, 'administrator', PASSWORD, zh);
    await page.getByRole('menuitem', { name: '企业通讯录共享' }).click();
    await pick(page, '当前域', A);
    await page.locator('.ant-select-dropdown:visible').waitFor({ state: 'hidden' }); // the first list has closed
    await pick(page, '可查看的域', 'partner.cn');
    await page.keyboard.press('Escape');
    await page.getByRole('button', { name: '添加共享域' }).click();
    await page.getByText('已添加 1 项共享').waitFor();
    await page.getByRole('row', { name: new RegExp(`^${A.replace('.', '\\.')}`) }).getByText('partner.cn').waitFor();
    assert.deepEqual(await t.rt.console.shares.list(TEST_ACTOR).then((l) => l.find((x) => x.domain === A)?.sees), ['partner.cn']);
  });
});
