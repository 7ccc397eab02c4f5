// Compose in a real browser (issue #12; FEATURES W6, W7): Debian's chromium via playwright-core. The
// user writes to a colleague in zh-CN with the rich-text editor, attaches a file (uploaded into the
// draft with progress), sends, finds the copy in Sent; the colleague gets it with the attachment.
// A reply from the reading pane starts with "Re:", the sender and the quote, and reaches the other
// side threaded (In-Reply-To); a saved draft opens again in compose from Drafts.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { simpleParser } from 'mailparser';
import type { Page } from 'playwright-core';
import { ensureUiBuilt, launchBrowser, loginWebmail, noBrowser, sendNow, type Browser } from '../../helpers/browser.ts';
import { eventually, mailboxMessages, PASSWORD, startTestServer, type TestServer } from '../../helpers/server.ts';
import { WebClient } from '../../helpers/web.ts';

describe('compose in chromium', { skip: noBrowser() }, () => {
  let t: TestServer;
  let browser: Browser;
  let page: Page;

  before(async () => {
    ensureUiBuilt();
    t = await startTestServer({ http: true, settings: { 'security.failedLoginDelayMs': 0 } });
    await t.addUser('alice@example.cn', { realName: '张丽' });
    await t.addUser('bob@example.cn', { realName: '李波' });
    const alice = (await t.rt.users.byAddress('alice@example.cn'))!;
    await t.rt.mailboxes.append(alice.id, 'INBOX', { raw: Buffer.from([
      'From: =?UTF-8?B?' + Buffer.from('李波').toString('base64') + '?= <bob@example.cn>', 'To: alice@example.cn',
      'Subject: =?UTF-8?B?' + Buffer.from('项目进度').toString('base64') + '?=', 'Date: Thu, 03 Dec 2026 10:00:00 +0800',
      'Message-ID: <progress-1@example.cn>', 'MIME-Version: 1.0', 'Content-Type: text/plain; charset=utf-8', '', '本周进度如何？', '',
    ].join('\r\n')) });
    // A default signature (set through the options API) starts every new message.
    const api = WebClient.of(t);
    assert.equal((await api.login('alice@example.cn', PASSWORD)).status, 200);
    const sig = await api.post('/api/options/signatures', { name: '工作', format: 'text', content: '张丽\n销售部', isDefault: true });
    assert.equal(sig.status, 200, sig.text);
    browser = await launchBrowser();
    page = browser.page;
    await loginWebmail(page, `http://127.0.0.1:${t.config.ports.http}`, 'alice@example.cn', PASSWORD);
    await page.getByRole('row', { name: /项目进度/ }).waitFor();
  });
  after(async () => {
    await browser?.close();
    await t?.close();
  });

  it('writes rich text with an attachment, sends it, and files the copy in Sent', async () => {
    await page.getByRole('button', { name: '写信' }).click();
    // Autocomplete from the enterprise directory: the colleague's name finds the address.
    await page.getByRole('combobox', { name: '收件人' }).pressSequentially('李波');
    await page.locator('.ant-select-item-option', { hasText: '李波 <bob@example.cn>' }).click();
    await page.locator('.ant-select-selection-item', { hasText: '李波 <bob@example.cn>' }).waitFor();
    await page.getByLabel('主题', { exact: true }).fill('周会纪要');
    const editor = page.getByRole('textbox', { name: '邮件正文编辑器' });
    await editor.getByText('销售部').waitFor(); // the default signature is in place
    await editor.click({ position: { x: 4, y: 4 } }); // the empty first line, above the signature
    await page.keyboard.press('Control+Home');
    await page.keyboard.type('大家好，');
    await page.getByRole('button', { name: '加粗' }).click();
    await page.keyboard.type('周五开会');
    await page.locator('.yj-drop input[type=file]').setInputFiles({ name: '纪要.txt', mimeType: 'text/plain', buffer: Buffer.from('第一项：预算\n') });
    await page.getByRole('button', { name: '删除附件 纪要.txt' }).waitFor();
    await sendNow(page);

    const got = await eventually(async () => (await mailboxMessages(t.rt, 'bob@example.cn')).find((m) => m.subject === '周会纪要'), 10_000, 'delivery');
    const parsed = await simpleParser(got.raw);
    assert.match(String(parsed.html), /<strong>周五开会<\/strong>/, 'the bold text as HTML');
    assert.match(parsed.text ?? '', /^大家好，周五开会\n+--\s?\n张丽\n销售部/, 'the text, then the default signature');
    assert.match(got.raw, /filename/);
    assert.ok(got.raw.includes(Buffer.from('第一项：预算\n').toString('base64')), 'the attachment bytes');
    assert.equal((await mailboxMessages(t.rt, 'alice@example.cn', 'Drafts')).length, 0, 'the upload draft is gone once sent');
    await page.getByRole('tree').getByText('已发送').click();
    await page.getByRole('row', { name: /周会纪要/ }).waitFor();
  });

  it('shows new mail in the inbox without a reload (server push)', async () => {
    await page.getByRole('tree').getByText('收件箱').click();
    await page.getByRole('row', { name: /项目进度/ }).waitFor();
    const alice = (await t.rt.users.byAddress('alice@example.cn'))!;
    await t.rt.mailboxes.append(alice.id, 'INBOX', { raw: Buffer.from('From: bob@example.cn\r\nSubject: push test\r\n\r\nhi\r\n') });
    await page.getByRole('row', { name: /push test/ }).waitFor({ timeout: 5000 });
  });

  it('replies from the reading pane: Re:, the sender, the quote, threaded', async () => {
    await page.getByRole('tree').getByText('收件箱').click();
    await page.getByRole('row', { name: /项目进度/ }).click();
    await page.getByRole('button', { name: '回复', exact: true }).click();
    assert.equal(await page.getByLabel('主题', { exact: true }).inputValue(), 'Re: 项目进度');
    await page.locator('.ant-select-selection-item', { hasText: 'bob@example.cn' }).waitFor();
    const editor = page.getByRole('textbox', { name: '邮件正文编辑器' });
    await editor.getByText('本周进度如何？').waitFor();
    await editor.click();
    await page.keyboard.press('Control+Home');
    await page.keyboard.type('进展顺利。');
    await sendNow(page);
    const reply = await eventually(async () => (await mailboxMessages(t.rt, 'bob@example.cn')).find((m) => m.subject === 'Re: 项目进度'), 10_000, 'reply');
    assert.match(reply.raw, /^In-Reply-To: <progress-1@example\.cn>/m);
    // Marked once the reply is queued and its Sent copy filed: the delivery to bob may come first.
    await eventually(async () => (await mailboxMessages(t.rt, 'alice@example.cn')).find((m) => m.subject === '项目进度' && m.flags.includes('\\Answered')), 5000, '\\Answered');
  });

  it('saves a draft and opens it again from Drafts', async () => {
    await page.getByRole('button', { name: '写信' }).click();
    await page.getByRole('combobox', { name: '收件人' }).pressSequentially('bob@example.cn;');
    await page.getByLabel('主题', { exact: true }).fill('草稿：预算');
    await page.getByRole('button', { name: '存草稿' }).click();
    await page.getByText(/草稿已于/).first().waitFor();
    await page.getByRole('button', { name: '关闭' }).click();
    await page.getByRole('tree').getByText('草稿箱').click();
    await page.getByRole('row', { name: /草稿：预算/ }).click();
    await page.getByRole('region', { name: '写邮件' }).waitFor();
    assert.equal(await page.getByLabel('主题', { exact: true }).inputValue(), '草稿：预算');
    await page.locator('.ant-select-selection-item', { hasText: 'bob@example.cn' }).waitFor();
  });

  it('reading extras: all headers, the source as text, the sender added to contacts, next and previous', async () => {
    const api = WebClient.of(t);
    await api.login('alice@example.cn', PASSWORD);
    // Writing to Bob above put him in the book (自动保存收件人到通讯录, on by default): take him out again.
    const known = (await api.get('/api/contacts?search=bob')).json.contacts.map((c: { id: number }) => c.id);
    assert.equal(known.length, 1, 'Bob was added when Alice wrote to him');
    assert.equal((await api.post('/api/contacts/delete', { ids: known })).status, 200);
    await page.getByRole('tree').getByText('收件箱').click();
    await page.getByRole('row', { name: /项目进度/ }).click();
    await page.getByRole('button', { name: /更多/ }).click();
    await page.getByRole('menuitem', { name: '查看信头' }).click();
    await page.getByRole('dialog').getByText('Message-ID: <progress-1@example.cn>').waitFor();
    await page.getByRole('dialog').getByRole('button', { name: /close|关闭/i }).click();
    await page.getByRole('button', { name: /更多/ }).click();
    await page.getByRole('menuitem', { name: '添加发件人到通讯录' }).click();
    await page.getByText('已添加到个人通讯录').waitFor();
    const book = await api.get('/api/contacts?search=bob');
    assert.ok(JSON.stringify(book.json).includes('bob@example.cn'), 'bob is in the contacts');
    // Next and previous walk the list page: one step away and back.
    const [prev, next] = [page.getByRole('button', { name: '上一封' }), page.getByRole('button', { name: '下一封' })];
    const forward = await prev.isEnabled() ? prev : next;
    const back = forward === prev ? next : prev;
    await forward.click();
    await page.getByRole('heading', { name: 'push test' }).waitFor();
    await back.click();
    await page.getByRole('heading', { name: '项目进度' }).waitFor();
  });

  it('undo send: the message goes back to compose from its draft, and nothing is sent', async () => {
    await page.getByRole('button', { name: '写信' }).click();
    await page.getByRole('combobox', { name: '收件人' }).pressSequentially('bob@example.cn,');
    await page.getByLabel('主题', { exact: true }).fill('后悔了');
    await page.getByRole('button', { name: /^(send )?发送$/ }).click();
    await page.getByText('邮件将在 5 秒后发出').waitFor();
    await page.getByRole('button', { name: '撤销' }).click();
    await page.getByRole('region', { name: '写邮件' }).waitFor();
    assert.equal(await page.getByLabel('主题', { exact: true }).inputValue(), '后悔了');
    await new Promise((r) => setTimeout(r, 5500));
    assert.equal((await mailboxMessages(t.rt, 'bob@example.cn')).filter((m) => m.subject === '后悔了').length, 0, 'not sent');
    assert.equal((await mailboxMessages(t.rt, 'alice@example.cn', 'Drafts')).filter((m) => m.subject === '后悔了').length, 1, 'kept as a draft');
    await page.getByRole('button', { name: '关闭' }).click();
  });

  it('a refused recipient shows in compose before any countdown', async () => {
    await page.getByRole('button', { name: '写信' }).click();
    await page.getByRole('combobox', { name: '收件人' }).pressSequentially('nobody@example.cn,');
    await page.getByRole('button', { name: /^(send )?发送$/ }).click();
    await page.getByText('<nobody@example.cn>: No such user here').waitFor();
    assert.equal(await page.getByText('邮件将在 5 秒后发出').count(), 0);
    await page.getByRole('button', { name: '关闭' }).click();
  });
});
