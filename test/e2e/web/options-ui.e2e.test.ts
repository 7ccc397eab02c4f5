// The options module in a real browser (issue #12 W14), zh-CN, Debian's chromium via playwright-core.
// Alice opens 设置 from the header, turns on 自动回复 with a start and an end (an end before the
// start is refused on that field first), and adds a 来信分类 filter that files mail whose subject
// holds "发票" into her folder "发票". Then Carol mails her over SMTP submission: the mail shows
// up in that folder in the browser, and Carol gets the auto-reply.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import SMTPConnection from 'nodemailer/lib/smtp-connection/index.js';
import type { Page } from 'playwright-core';
import { ensureUiBuilt, launchBrowser, noBrowser, type Browser } from '../../helpers/browser.ts';
import { eventually, mailboxMessages, PASSWORD, startTestServer, TEST_ACTOR, type TestServer } from '../../helpers/server.ts';

async function submit(port: number, subject: string): Promise<void> {
  const c = new SMTPConnection({ host: '127.0.0.1', port, ignoreTLS: true });
  await new Promise<void>((resolve, reject) => { c.once('error', reject); c.connect(() => resolve()); });
  await new Promise<void>((resolve, reject) => c.login({ user: 'carol@example.cn', pass: PASSWORD }, (err) => (err ? reject(err) : resolve())));
  const raw = ['From: <carol@example.cn>', 'To: <alice@example.cn>', `Subject: =?UTF-8?B?${Buffer.from(subject).toString('base64')}?=`,
    'Message-ID: <invoice-ui@example.cn>', 'MIME-Version: 1.0', 'Content-Type: text/plain; charset=UTF-8', '', '请查收。', ''].join('\r\n');
  await new Promise<void>((resolve, reject) => c.send({ from: 'carol@example.cn', to: ['alice@example.cn'] }, raw, (err) => (err ? reject(err) : resolve())));
  c.quit();
}

/** A datetime-local value `hours` from now in the browser's time zone (launchBrowser: Asia/Shanghai, UTC+8 all year). */
const localInput = (hours: number): string => new Date(Date.now() + hours * 3_600_000 + 8 * 3_600_000).toISOString().slice(0, 16);

describe('options in chromium', { skip: noBrowser() }, () => {
  let t: TestServer;
  let browser: Browser;
  let page: Page;

  before(async () => {
    ensureUiBuilt();
    t = await startTestServer({ http: true, settings: { 'security.failedLoginDelayMs': 0, 'security.allowPlaintextAuth': true } });
    await t.addUser('alice@example.cn', { realName: '张丽' });
    await t.addUser('carol@example.cn');
    await t.rt.mailboxes.create((await t.rt.users.byAddress('alice@example.cn'))!.id, '发票');
    browser = await launchBrowser({ locale: 'zh-CN' });
    page = browser.page;
    await page.goto(`http://127.0.0.1:${t.config.ports.http}/webmail/`);
    await page.getByLabel('邮箱地址', { exact: true }).fill('alice@example.cn');
    await page.getByLabel('密码', { exact: true }).fill(PASSWORD);
    await page.getByRole('button', { name: '登录' }).click();
    await page.getByRole('link', { name: '设置' }).click();
    await page.getByRole('tab', { name: '个人资料' }).waitFor();
  });
  after(async () => {
    await browser?.close();
    await t?.close();
  });

  it('turns on the auto-reply with dates; an end before the start is marked on the field', async () => {
    await page.getByRole('tab', { name: '自动回复' }).click();
    await page.getByText('自动回复未启用').waitFor();
    await page.getByRole('checkbox', { name: '启用自动回复' }).check();
    await page.getByLabel('回复主题').fill('休假中：{subject}');
    await page.getByLabel('回复内容').fill('我在休假，下周一回来。');
    await page.getByLabel('开始时间').fill(localInput(-1));
    await page.getByLabel('结束时间').fill(localInput(-2));
    await page.getByRole('button', { name: '保 存' }).or(page.getByRole('button', { name: '保存' })).click();
    await page.locator('.ant-form-item-explain-error', { hasText: /endsAt/ }).waitFor();
    await page.getByLabel('结束时间').fill(localInput(48));
    await page.getByRole('button', { name: '保 存' }).or(page.getByRole('button', { name: '保存' })).click();
    await page.getByText('自动回复已启用').waitFor();
    const aliceId = (await t.rt.users.byAddress('alice@example.cn'))!.id;
    const rules = await t.rt.options.user.rules({ who: 'test', from: 'test', role: { kind: 'system' } }, aliceId);
    assert.deepEqual([rules.autoreply.enabled, rules.autoreply.subject], [true, '休假中：{subject}']);
    assert.ok(rules.autoreply.startsAt! < Date.now() && rules.autoreply.endsAt! > Date.now() + 47 * 3_600_000, JSON.stringify([rules.autoreply, Date.now()]));
  });

  it('adds a filter that files invoices into their folder', async () => {
    await page.getByRole('tab', { name: '来信分类' }).click();
    await page.getByRole('button', { name: '添加过滤器' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('过滤器名称').fill('发票归档');
    await dialog.getByLabel('值', { exact: true }).fill('发票');
    await dialog.getByRole('combobox', { name: '文件夹' }).click();
    await page.locator('.ant-select-item-option', { hasText: /^发票$/ }).click();
    await dialog.getByRole('button', { name: /保\s?存/ }).click();
    await page.getByText('发票归档').waitFor();
    await page.getByText('1 个条件，1 个动作').waitFor();
  });

  it('keeps a reply template (回复模板) and inserts it at the cursor in a reply', async () => {
    const alice = (await t.rt.users.byAddress('alice@example.cn'))!;
    await t.rt.mailboxes.append(alice.id, 'INBOX', { raw: Buffer.from('From: Dai <dai@remote.test>\r\nSubject: 合同草稿\r\nMessage-ID: <contract@remote.test>\r\n\r\n请看合同。\r\n') });
    await page.getByRole('tab', { name: '回复模板' }).click();
    await page.getByText('还没有回复模板').waitFor();
    await page.getByRole('button', { name: '添加模板' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('模板名称').fill('已收到');
    await dialog.getByRole('textbox', { name: '邮件正文编辑器' }).fill('您好，邮件已收到，我会尽快处理。');
    await dialog.getByRole('button', { name: /保\s?存/ }).click();
    await page.getByRole('tabpanel').getByText('已收到', { exact: true }).waitFor();
    const saved = await t.rt.options.templates.list(TEST_ACTOR, alice.id);
    assert.deepEqual(saved.map((x) => [x.name, x.format]), [['已收到', 'html']]);
    assert.match(saved[0]!.body, /邮件已收到，我会尽快处理/);

    await page.getByRole('link', { name: '邮件' }).click();
    await page.getByRole('row', { name: /合同草稿/ }).click();
    await page.getByRole('heading', { name: '合同草稿' }).waitFor();
    await page.getByRole('button', { name: '回复', exact: true }).click();
    const editor = page.getByRole('textbox', { name: '邮件正文编辑器' });
    await editor.waitFor();
    await editor.click();
    await page.keyboard.press('Control+Home'); // the cursor at the top, above the quoted original
    await page.getByRole('button', { name: '模板' }).click();
    await page.getByRole('menuitem', { name: '已收到' }).click();
    const text = await eventually(async () => { const x = await editor.innerText(); return x.includes('邮件已收到') ? x : undefined; }, 10_000, 'the template in the editor');
    assert.ok(text.indexOf('您好，邮件已收到，我会尽快处理。') < text.indexOf('请看合同'), `at the cursor, above the quoted original: ${JSON.stringify(text)}`);
    // Plain text: the template goes in as text at the cursor.
    await page.locator('.ant-segmented-item', { hasText: '纯文本' }).click();
    const plain = page.getByRole('textbox', { name: '邮件正文编辑器' });
    await plain.fill('第一行\n');
    await page.getByRole('button', { name: '模板' }).click();
    await page.getByRole('menuitem', { name: '已收到' }).click();
    assert.match(await plain.inputValue(), /^第一行\n您好，邮件已收到，我会尽快处理。$/);
    await page.getByRole('button', { name: '关闭' }).click();
    await page.getByRole('link', { name: '设置' }).click();
    await page.getByRole('tab', { name: '个人资料' }).waitFor();
  });

  it('the rules act on mail that arrives: filed in the folder, auto-reply sent', async () => {
    await submit(t.ports.submission, '四月发票');
    await eventually(async () => (await mailboxMessages(t.rt, 'alice@example.cn', '发票')).length > 0, 15_000, 'the filed invoice');
    await page.getByRole('link', { name: '邮件' }).click();
    await page.getByRole('tree').getByText('发票', { exact: true }).click();
    await page.getByRole('row', { name: /四月发票/ }).waitFor();
    const reply = await eventually(async () => (await mailboxMessages(t.rt, 'carol@example.cn')).find((m) => m.subject === '休假中：四月发票'), 15_000, 'the auto-reply');
    assert.match(reply.raw, /Auto-Submitted: auto-replied/i);
  });

  it('shows as many mails per page as 每页显示邮件数 says', async () => {
    const alice = (await t.rt.users.byAddress('alice@example.cn'))!;
    for (let i = 1; i <= 7; i++) await t.rt.mailboxes.append(alice.id, 'INBOX', { raw: Buffer.from(`From: <x@remote.test>\r\nSubject: 分页 ${i}\r\n\r\nbody\r\n`) });
    await page.getByRole('link', { name: '设置' }).click();
    await page.getByRole('tab', { name: '参数设置' }).click();
    await page.getByLabel('每页显示邮件数').fill('5');
    await page.getByRole('tabpanel').getByRole('button', { name: '保存' }).click();
    await page.getByText('已保存').first().waitFor();
    await page.getByRole('link', { name: '邮件' }).click();
    await page.getByRole('tree').getByText('收件箱', { exact: true }).click();
    await page.getByRole('row', { name: /分页 7/ }).waitFor();
    assert.equal(await page.getByRole('row', { name: /分页 \d/ }).count(), 5, 'five mails on the first page');
    await page.getByRole('listitem', { name: '下一页' }).click();
    await page.getByRole('row', { name: /分页 2/ }).waitFor();
  });

  it('opens mail in place of the list when the reading pane (阅读窗格) is off, and back again', async () => {
    await page.getByRole('link', { name: '设置' }).click();
    await page.getByRole('tab', { name: '参数设置' }).click();
    await page.getByRole('radio', { name: '关闭（在列表处打开）' }).check();
    await page.getByRole('tabpanel').getByRole('button', { name: '保存' }).click();
    await page.getByText('已保存').first().waitFor();
    await page.getByRole('link', { name: '邮件' }).click();
    await page.getByRole('tree').getByText('收件箱', { exact: true }).click();
    // Still on the list's second page from the test above.
    await page.getByRole('row', { name: /分页 2/ }).click();
    await page.getByRole('heading', { name: '分页 2' }).waitFor();
    assert.equal(await page.getByRole('row', { name: /分页 \d/ }).first().isVisible(), false, 'the list gives way to the mail');
    await page.getByRole('button', { name: '返回列表' }).click();
    await page.getByRole('row', { name: /分页 1/ }).waitFor();
  });

  it('hides the tabs and links of modules the domain switched off (前台模块设置)', async () => {
    await t.rt.console.super.setModules(TEST_ACTOR, 'example.cn', { pop: false, personalContacts: false, enterpriseDirectory: false });
    try {
      await page.reload();
      await page.getByRole('link', { name: '设置' }).click();
      await page.getByRole('tab', { name: '参数设置' }).waitFor();
      assert.equal(await page.getByRole('tab', { name: 'POP 邮件' }).count(), 0, 'no POP tab');
      assert.equal(await page.getByRole('link', { name: '通讯录' }).count(), 0, 'no contacts link with both books off');
    } finally {
      await t.rt.console.super.setModules(TEST_ACTOR, 'example.cn', { pop: true, personalContacts: true, enterpriseDirectory: true });
    }
    await page.reload();
    await page.getByRole('tab', { name: 'POP 邮件' }).waitFor();
  });

  it('opens the reply-template and signature dialogs with their editor straight after a page load on their tab', async () => {
    // The editor once came up destroyed there (tiptap made it twice) and took the whole page down.
    const errors: string[] = [];
    const onError = (e: Error) => errors.push(e.message);
    page.on('pageerror', onError);
    try {
      for (const [tab, add] of [['templates', '添加模板'], ['signatures', '添加']] as const) {
        await page.goto(`http://127.0.0.1:${t.config.ports.http}/webmail/#options/${tab}`);
        await page.reload();
        await page.getByRole('tabpanel').getByRole('button', { name: add, exact: true }).click();
        const dialog = page.getByRole('dialog');
        await dialog.getByRole('textbox', { name: '邮件正文编辑器' }).waitFor();
        await dialog.getByRole('button', { name: /取\s?消/ }).click();
        await dialog.waitFor({ state: 'hidden' });
      }
    } finally {
      page.off('pageerror', onError);
    }
    assert.deepEqual(errors, []);
  });

  it('resets a forgotten password on the login page with the security question', async () => {
    const alice = (await t.rt.users.byAddress('alice@example.cn'))!;
    await t.rt.options.security.setQuestion({ who: 'test', from: 'test', role: { kind: 'user', userId: alice.id, domainId: alice.domainId } },
      alice.id, { password: PASSWORD, question: '我的小学？', answer: '实验小学' });
    await page.getByRole('button', { name: '退出' }).click();
    await page.getByRole('button', { name: '忘记密码？' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('邮箱地址').fill('alice@example.cn');
    await dialog.getByRole('button', { name: '下一步' }).click();
    await dialog.getByText('密码提示问题：我的小学？').waitFor();
    await dialog.getByLabel('答案').fill('实验小学');
    await dialog.getByLabel('新密码', { exact: true }).fill('Reset2026!z');
    await dialog.getByLabel('确认新密码').fill('Reset2026!z');
    await dialog.getByRole('button', { name: '重设密码' }).click();
    await dialog.getByText('密码已重设，请用新密码登录').waitFor();
    await assert.doesNotReject(t.rt.users.authenticate('alice@example.cn', 'Reset2026!z'));
  });
});
