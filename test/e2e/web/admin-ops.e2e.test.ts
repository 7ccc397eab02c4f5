// The admin consoles' monitoring, traffic, label and import screens over HTTP (issue #14: A7, A9,
// A10, A11), beyond the authorisation matrices in admin-console / admin-super.e2e.test.ts: a
// monitoring rule made through the API copies mail sent over SMTP to the monitor's mailbox (by
// user, by department, and not when its conditions fail), bad rules name their field, another
// domain's admin never sees them; sending mail moves the domain's traffic figures; a renamed
// label reaches GET /api/ui/labels, with keys and values checked and a reset; and an import job
// started through the API pulls a Debian dovecot's mailbox in the server, shows its progress
// without a password anywhere, is refused a private host unless collect.allowPrivateHosts, and
// can be cancelled.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type AddressInfo } from 'node:net';
import SMTPConnection from 'nodemailer/lib/smtp-connection/index.js';
import { dovecotMissing, seedImap, startDovecot, type Dovecot } from '../../helpers/dovecot.ts';
import { eventually, mailboxMessages, PASSWORD, startTestServer, TEST_ACTOR, type TestServer } from '../../helpers/server.ts';
import { WebClient } from '../../helpers/web.ts';

const A = 'example.cn';
const B = 'other.cn';

async function submit(port: number, from: string, to: string, subject: string): Promise<void> {
  const c = new SMTPConnection({ host: '127.0.0.1', port, ignoreTLS: true });
  await new Promise<void>((resolve, reject) => { c.once('error', reject); c.connect(() => resolve()); });
  await new Promise<void>((resolve, reject) => c.login({ user: from, pass: PASSWORD }, (err) => (err ? reject(err) : resolve())));
  const raw = [`From: <${from}>`, `To: <${to}>`, `Subject: =?UTF-8?B?${Buffer.from(subject).toString('base64')}?=`,
    `Message-ID: <${Date.now()}.${Math.random()}@${A}>`, 'MIME-Version: 1.0', 'Content-Type: text/plain; charset=UTF-8', '', '正文', ''].join('\r\n');
  await new Promise<void>((resolve, reject) => c.send({ from, to: [to] }, raw, (err) => (err ? reject(err) : resolve())));
  c.quit();
}

async function adminLogin(c: WebClient, account: string): Promise<WebClient> {
  c.csrf = (await c.get('/api/session/csrf')).json.csrfToken;
  const r = await c.post('/api/admin/session/login', { account, password: PASSWORD });
  assert.equal(r.status, 200, r.text);
  c.csrf = r.json.csrfToken;
  return c;
}

describe('admin consoles: monitoring, traffic, labels, imports', () => {
  let t: TestServer;
  let adminA: WebClient;
  let adminB: WebClient;
  let sup: WebClient;
  let salesId = 0;

  before(async () => {
    t = await startTestServer({ http: true, settings: { 'security.allowPlaintextAuth': true, 'security.failedLoginDelayMs': 0, 'security.loginFailuresBeforeBan': 0 } });
    await t.rt.domains.add(TEST_ACTOR, B);
    await t.rt.admins.ensureBuiltins(TEST_ACTOR, { admin: PASSWORD });
    await t.rt.admins.changePassword(TEST_ACTOR, 'super', 'administrator', PASSWORD);
    const sales = await t.rt.orgs.add(TEST_ACTOR, A, { name: '销售部' });
    const east = await t.rt.orgs.add(TEST_ACTOR, A, { name: '华东组', parentId: sales.id });
    salesId = sales.id;
    for (const a of ['bob', 'carol', 'boss', 'audit']) await t.addUser(`${a}@${A}`);
    await t.rt.users.add(TEST_ACTOR, `dave@${A}`, { password: PASSWORD, orgUnitId: east.id });
    await t.addUser(`erin@${B}`);
    adminA = await adminLogin(WebClient.of(t), `admin@${A}`);
    adminB = await adminLogin(WebClient.of(t), `admin@${B}`);
    sup = await adminLogin(WebClient.of(t), 'administrator');
  });
  after(() => t.close());

  it('a monitoring rule made through the API copies matching mail sent over SMTP to the monitor', { timeout: 60_000 }, async () => {
    const add = await adminA.post(`/api/admin/domains/${A}/monitors`, {
      name: '监控', direction: 'out', watch: { kind: 'user', address: `bob@${A}` },
      conditions: [{ field: 'header', header: 'Subject', op: 'contains', values: ['报价'] }], copyTo: [`boss@${A}`],
    });
    assert.equal(add.status, 200, add.text);
    const id = add.json.id as string;
    await submit(t.ports.submission, `bob@${A}`, `carol@${A}`, '天气不错');
    await submit(t.ports.submission, `bob@${A}`, `carol@${A}`, '本月报价单');
    await eventually(async () => (await mailboxMessages(t.rt, `carol@${A}`)).length === 2 || undefined, 20_000, 'both messages delivered');
    const copies = await eventually(async () => {
      const m = await mailboxMessages(t.rt, `boss@${A}`);
      return m.length > 0 ? m : undefined;
    }, 20_000, 'the monitor copy');
    assert.deepEqual(copies.map((m) => m.subject), ['本月报价单']);

    // A department rule (in: mail to anyone in 销售部 or below), then off: no more copies.
    const dept = await adminA.post(`/api/admin/domains/${A}/monitors`, {
      name: '销售部来信', direction: 'in', watch: { kind: 'department', orgUnitId: salesId }, conditions: [], copyTo: [`audit@${A}`],
    });
    assert.equal(dept.status, 200, dept.text);
    assert.equal(dept.json.departmentPath, '销售部');
    await submit(t.ports.submission, `carol@${A}`, `dave@${A}`, '给华东组');
    await eventually(async () => ((await mailboxMessages(t.rt, `audit@${A}`)).length === 1 || undefined), 20_000, 'the department copy');
    const off = await adminA.post(`/api/admin/domains/${A}/monitors/${dept.json.id}`, { ...dept.json, enabled: false, id: undefined, departmentPath: undefined });
    assert.equal(off.status, 200, off.text);
    await submit(t.ports.submission, `carol@${A}`, `dave@${A}`, '又一封');
    await eventually(async () => ((await mailboxMessages(t.rt, `dave@${A}`)).length === 2 || undefined), 20_000, 'dave has both');
    assert.equal((await mailboxMessages(t.rt, `audit@${A}`)).length, 1);

    const list = await adminA.get(`/api/admin/domains/${A}/monitors`);
    assert.deepEqual(list.json.map((r: { name: string; enabled: boolean }) => [r.name, r.enabled]), [['监控', true], ['销售部来信', false]]);
    assert.equal((await sup.get(`/api/admin/domains/${A}/monitors`)).json.length, 2);
    // Another domain's admin neither sees nor changes them; their own domain has none.
    assert.equal((await adminB.get(`/api/admin/domains/${A}/monitors`)).status, 403);
    assert.equal((await adminB.post(`/api/admin/domains/${A}/monitors/${id}/delete`, {})).status, 403);
    assert.deepEqual((await adminB.get(`/api/admin/domains/${B}/monitors`)).json, []);
    assert.equal((await adminB.post(`/api/admin/domains/${B}/monitors/${id}/delete`, {})).status, 404);
    // Bad input names its field.
    const bad = async (body: object, field: string) => {
      const r = await adminA.post(`/api/admin/domains/${A}/monitors`, { name: 'x', direction: 'both', watch: { kind: 'domain' }, copyTo: [`boss@${A}`], ...body });
      assert.equal(r.status, 400, r.text);
      assert.equal(r.json.error.field, field, r.text);
    };
    await bad({ copyTo: [`erin@${B}`] }, 'copyTo');
    await bad({ watch: { kind: 'user', address: `nobody@${A}` } }, 'watch.address');
    await bad({ watch: { kind: 'department', orgUnitId: 999999 } }, 'watch.orgUnitId');
    await bad({ name: '' }, 'name');
    await bad({ conditions: [{ field: 'size', op: 'over', values: ['many'] }] }, 'conditions.0.values');
    assert.equal((await adminA.post(`/api/admin/domains/${A}/monitors/${id}/delete`, {})).status, 200);
    assert.equal((await adminA.get(`/api/admin/domains/${A}/monitors`)).json.length, 1);
    const audit = (await adminA.get(`/api/admin/domains/${A}/audit?action=monitor.`)).json;
    const actions = (audit.entries ?? audit).map((e: { action: string }) => e.action);
    for (const a of ['monitor.add', 'monitor.update', 'monitor.delete']) assert.ok(actions.includes(a), `${a} in ${actions}`);
  });

  it('sending mail moves the domain\'s traffic figures, per day and per user', { timeout: 60_000 }, async () => {
    const before = (await adminA.get(`/api/admin/domains/${A}/traffic`)).json;
    assert.equal(before.days.length, 7);
    await submit(t.ports.submission, `carol@${A}`, `bob@${A}`, '流量');
    await eventually(async () => {
      const r = (await adminA.get(`/api/admin/domains/${A}/traffic`)).json;
      return r.totals.inMessages === before.totals.inMessages + 1 ? r : undefined;
    }, 20_000, 'the delivery counted');
    const after = (await adminA.get(`/api/admin/domains/${A}/traffic`)).json;
    assert.equal(after.totals.outMessages, before.totals.outMessages + 1);
    assert.ok(after.totals.outBytes > before.totals.outBytes);
    const today = after.days.at(-1);
    assert.equal(today.day, after.to);
    assert.ok(today.inMessages >= 1 && today.outMessages >= 1 && today.inBytes > 0);
    const carol = after.topUsers.find((u: { address: string }) => u.address === `carol@${A}`);
    assert.ok(carol && carol.outMessages >= 1, JSON.stringify(after.topUsers));
    // Another domain's figures do not move, and are not A's admin's to read.
    assert.equal((await adminB.get(`/api/admin/domains/${B}/traffic`)).json.totals.inMessages, 0);
    assert.equal((await adminB.get(`/api/admin/domains/${A}/traffic`)).status, 403);
    const range = await adminA.get(`/api/admin/domains/${A}/traffic?from=2026-01-01&to=2026-01-31`);
    assert.equal(range.json.days.length, 31);
    const bad = await adminA.get(`/api/admin/domains/${A}/traffic?from=2026-02-30`);
    assert.equal(bad.status, 400);
    assert.equal(bad.json.error.field, 'from');
    assert.equal((await adminA.get(`/api/admin/domains/${A}/traffic?from=2020-01-01&to=2026-01-01`)).json.error.field, 'from');
  });

  it('renames a label per language at run time, checks keys and values, and resets it', async () => {
    const set = await sup.post('/api/admin/super/labels', { language: 'en', key: 'nav.contacts', value: 'Government directory' });
    assert.equal(set.status, 200, set.text);
    const pub = await WebClient.of(t).get('/api/ui/labels');
    assert.equal(pub.json.en['nav.contacts'], 'Government directory');
    assert.deepEqual(pub.json['zh-CN'], {});
    const field = async (body: object, f: string) => {
      const r = await sup.post('/api/admin/super/labels', { language: 'zh-CN', key: 'app.name', value: '政务邮局', ...body });
      assert.equal(r.status, 400, r.text);
      assert.equal(r.json.error.field, f);
    };
    await field({ key: 'no.such.key' }, 'key');
    await field({ value: '<img src=x onerror=alert(1)>' }, 'value');
    await field({ value: '长'.repeat(201) }, 'value');
    await field({ value: '  ' }, 'value');
    await field({ language: 'fr' }, 'language');
    assert.equal((await sup.post('/api/admin/super/labels', { language: 'zh-CN', key: 'app.name', value: '政务邮局' })).status, 200);
    const list = (await sup.get('/api/admin/super/labels')).json;
    assert.equal(list.overrides['zh-CN']['app.name'], '政务邮局');
    assert.ok(list.keys.some((k: { key: string; text: string }) => k.key === 'app.name' && k.text === '邮局'));
    assert.equal((await adminA.post('/api/admin/super/labels', { language: 'en', key: 'app.name', value: 'Mine' })).status, 403);
    assert.equal((await sup.post('/api/admin/super/labels/reset', { language: 'en', key: 'nav.contacts' })).status, 200);
    assert.equal((await sup.post('/api/admin/super/labels/reset', { language: 'en', key: 'nav.contacts' })).status, 404);
    assert.equal((await sup.post('/api/admin/super/labels/reset', { language: 'zh-CN' })).status, 200);
    assert.deepEqual((await WebClient.of(t).get('/api/ui/labels')).json, { 'zh-CN': {}, 'zh-TW': {}, en: {} });
    const log = await t.rt.store.read((tx) => tx.audit.list({ action: 'ui.label' }));
    assert.ok(log.some((e) => e.target === 'label:en:nav.contacts' && e.actor === 'admin:administrator'), JSON.stringify(log));
  });

  describe('import jobs against dovecot', { skip: dovecotMissing }, () => {
    let dovecot: Dovecot;
    before(async () => {
      dovecot = await startDovecot({ users: [{ name: 'frank', password: 'Old-pass-9' }, { name: 'gina', password: 'Old-pass-9' }] });
      await seedImap(dovecot.imapPort, 'Old-pass-9', 'frank', {
        INBOX: [{ subject: '旧邮件', flags: ['\\Seen'], at: Date.UTC(2020, 0, 2) }, { subject: 'second', flags: [], at: Date.UTC(2020, 0, 3) }],
        Projects: [{ subject: 'plan', flags: [], at: Date.UTC(2020, 0, 4) }],
      });
      await t.addUser(`frank@${A}`);
      await t.addUser(`gina@${A}`);
    });
    after(() => dovecot?.stop());
    const job = (accounts: string) => ({ protocol: 'imap', host: '127.0.0.1', port: dovecot.imapPort, tls: 'starttls', verifyTls: false, accounts });

    it('refuses a private source host unless collect.allowPrivateHosts', async () => {
      await t.rt.settings.set('collect.allowPrivateHosts', false);
      const r = await sup.post('/api/admin/super/imports', job(`frank Old-pass-9 frank@${A}`));
      assert.equal(r.status, 400, r.text);
      assert.equal(r.json.error.field, 'host');
      assert.match(r.json.error.message, /private|loopback/);
      await t.rt.settings.set('collect.allowPrivateHosts', true);
    });

    it('runs a job in the server with live progress and no password in any answer; one bad account fails alone', { timeout: 90_000 }, async () => {
      const bad = await sup.post('/api/admin/super/imports', job(`frank Old-pass-9 frank@${A}\nbroken`));
      assert.equal(bad.status, 400);
      assert.equal(bad.json.error.field, 'accounts');
      assert.equal((await adminA.post('/api/admin/super/imports', job(`frank Old-pass-9 frank@${A}`))).status, 403);
      const r = await sup.post('/api/admin/super/imports', job(`frank Old-pass-9 frank@${A}\ngina wrong-pass gina@${A}`));
      assert.equal(r.status, 200, r.text);
      assert.ok(!r.text.includes('Old-pass-9') && !r.text.includes('wrong-pass'));
      const done = await eventually(async () => {
        const s = (await sup.get(`/api/admin/super/imports/${r.json.id}`)).json;
        return s.state === 'done' || s.state === 'failed' ? s : undefined;
      }, 60_000, 'the job to end');
      assert.equal(done.state, 'failed');
      const [frank, gina] = done.accounts;
      assert.equal(frank.state, 'done');
      assert.equal(frank.imported, 3);
      assert.ok(frank.bytes > 0);
      assert.equal(gina.state, 'failed');
      assert.match(gina.error, /refused the login/);
      assert.equal(done.totals.imported, 3);
      assert.deepEqual((await mailboxMessages(t.rt, `frank@${A}`, 'Projects')).map((m) => m.subject), ['plan']);
      const list = await sup.get('/api/admin/super/imports');
      assert.ok(list.json.some((j: { id: number }) => j.id === r.json.id));
      for (const text of [list.text, (await sup.get(`/api/admin/super/imports/${r.json.id}`)).text]) assert.ok(!/Old-pass-9|wrong-pass|password/i.test(text));
      const log = await t.rt.store.read((tx) => tx.audit.list({ action: 'import.create' }));
      assert.ok(!JSON.stringify(log).includes('Old-pass-9'));
    });

    it('cancels a running job at once; a finished one cannot be', { timeout: 30_000 }, async () => {
      // A source that accepts and never greets: the job stays running until cancelled.
      const silent = createServer(() => undefined);
      await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
      try {
        const port = (silent.address() as AddressInfo).port;
        const r = await sup.post('/api/admin/super/imports', { ...job(`gina Old-pass-9 gina@${A}`), port });
        assert.equal(r.status, 200, r.text);
        await eventually(async () => (await sup.get(`/api/admin/super/imports/${r.json.id}`)).json.accounts[0].state === 'running' || undefined, 15_000, 'the job to run');
        const c = await sup.post(`/api/admin/super/imports/${r.json.id}/cancel`, {});
        assert.equal(c.status, 200, c.text);
        assert.equal(c.json.state, 'cancelled');
        assert.deepEqual([c.json.accounts[0].state, c.json.accounts[0].error], ['failed', 'cancelled']);
        assert.equal((await sup.post(`/api/admin/super/imports/${r.json.id}/cancel`, {})).status, 409);
        // The worker is free again: a new job runs to the end.
        const next = await sup.post('/api/admin/super/imports', job(`gina Old-pass-9 gina@${A}`));
        const s = await eventually(async () => {
          const j = (await sup.get(`/api/admin/super/imports/${next.json.id}`)).json;
          return j.state === 'done' ? j : undefined;
        }, 20_000, 'the next job');
        assert.equal(s.totals.accounts, 1);
        assert.equal((await sup.get(`/api/admin/super/imports/${r.json.id}`)).json.state, 'cancelled');
      } finally {
        silent.close();
      }
      assert.equal((await sup.get('/api/admin/super/imports/999999')).status, 404);
    });
  });
});
