// The customer address book, other domains' directories and the custom login field over HTTP
// (issue #12 W10, W1; issue #14 A8, A10). A domain admin keeps the book (categories, entries,
// import with a per-line report, export); the domain's users read it (category filter, search) and
// get it in compose's autocomplete; a user of another domain never sees it, not even when the
// super admin shares the directories (the book is not shared), and no session is 401. Directory
// sharing: nothing by default, then B's users see A's tree and autocomplete A's users, one way.
// The custom login field: unique per domain naming the field, and the webmail login with it goes
// through the same throttle; IMAP-style logins (by address) are untouched.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { PASSWORD, TEST_ACTOR, startTestServer, type TestServer } from '../../helpers/server.ts';
import { WebClient } from '../../helpers/web.ts';

const A = 'example.cn';
const B = 'other.cn';

describe('customer book, directory sharing and the custom login field over HTTP', () => {
  let t: TestServer;
  let adminA: WebClient;
  let superAdmin: WebClient;
  let amy: WebClient;
  let bob: WebClient;

  before(async () => {
    t = await startTestServer({ http: true, settings: { 'security.failedLoginDelayMs': 0, 'security.loginFailuresBeforeBan': 3 } });
    await t.rt.domains.add(TEST_ACTOR, B);
    await t.rt.admins.ensureBuiltins(TEST_ACTOR, { admin: PASSWORD });
    await t.rt.admins.changePassword(TEST_ACTOR, 'super', 'administrator', PASSWORD);
    await t.rt.users.add(TEST_ACTOR, `amy@${A}`, { password: PASSWORD, realName: '艾米' });
    await t.rt.users.add(TEST_ACTOR, `bob@${B}`, { password: PASSWORD });
    await t.rt.users.add(TEST_ACTOR, `bella@${B}`, { password: PASSWORD, realName: '贝拉' });
    await t.rt.users.add(TEST_ACTOR, `bhidden@${B}`, { password: PASSWORD, hidden: true });
    adminA = WebClient.of(t);
    assert.equal((await adminLogin(adminA, `admin@${A}`)).status, 200);
    superAdmin = WebClient.of(t);
    assert.equal((await adminLogin(superAdmin, 'administrator')).status, 200);
    amy = WebClient.of(t);
    assert.equal((await amy.login(`amy@${A}`, PASSWORD)).status, 200);
    bob = WebClient.of(t);
    assert.equal((await bob.login(`bob@${B}`, PASSWORD)).status, 200);
  });
  after(() => t?.close());

  it('a domain admin keeps the book; its users read it, search it, filter by category and autocomplete it', async () => {
    const W = `/api/admin/domains/${A}/webmail`;
    const vip = (await adminA.post(`${W}/customer-categories`, { name: '重要客户' })).json;
    const add = await adminA.post(`${W}/customers`, { name: '王总监', email: 'wangzj@huanan.example', company: '华南贸易', phone: '020-1234', mobile: '13800000001', categoryId: vip.id });
    assert.equal(add.status, 200, add.text);
    const imp = await adminA.post(`${W}/customers/import`, { csv: 'name,email,company,category\n李总,li@partner.example,合作方,合作伙伴\n坏行,nope,,\n张三,zhang@partner.example,,' });
    assert.deepEqual([imp.json.added, imp.json.errors], [2, [{ line: 3, field: 'email', message: imp.json.errors[0]?.message }]]);
    const sample = await adminA.get(`${W}/customers-sample.csv`);
    assert.match(String(sample.headers['content-disposition']), /customers-sample\.csv/);
    assert.equal((await adminA.post(`${W}/customers/import`, { csv: sample.text })).json.added, 2, 'the sample imports as it is');
    const exported = await adminA.get(`${W}/customers.csv`);
    assert.match(exported.text, /王总监,wangzj@huanan\.example,华南贸易,020-1234,13800000001,,,重要客户/);

    const all = (await amy.get('/api/customers?pageSize=2')).json;
    assert.deepEqual([all.total, all.customers.length, all.categories.map((c: any) => c.name).sort()], [5, 2, ['华南客户', '合作伙伴', '重要客户'].sort()]);
    const inVip = (await amy.get(`/api/customers?category=${vip.id}`)).json.customers.map((c: any) => c.email);
    assert.deepEqual(inVip, ['wangzj@huanan.example']);
    assert.deepEqual((await amy.get('/api/customers?search=partner')).json.customers.map((c: any) => c.email).sort(), ['alice@partner.example.net', 'li@partner.example', 'zhang@partner.example']);
    const sugg = (await amy.get('/api/contacts/autocomplete?q=wangzj')).json.suggestions;
    assert.deepEqual(sugg.map((s: any) => [s.address, s.source]), [['wangzj@huanan.example', 'customer']]);
    assert.equal((await amy.post('/api/customers', { email: 'x@y.example' })).status, 404, 'read-only: no such route');
    // Deleting a category keeps its entries.
    assert.equal((await adminA.post(`${W}/customer-categories/${vip.id}/delete`, {})).status, 200);
    assert.equal((await amy.get('/api/customers?search=wangzj')).json.customers[0].categoryId, null);
    const actions = (await adminA.get(`/api/admin/domains/${A}/audit?action=customer.&pageSize=100`)).json.entries.map((e: any) => e.action);
    for (const a of ['customer.category.create', 'customer.create', 'customer.import', 'customer.export', 'customer.category.delete']) assert.ok(actions.includes(a), a);
  });

  it("another domain's users never read the book; a user session reaches no admin route; no session is 401", async () => {
    assert.equal((await bob.get('/api/customers')).json.total, 0, "other.cn's own (empty) book");
    assert.deepEqual((await bob.get('/api/contacts/autocomplete?q=wang')).json.suggestions, []);
    assert.equal((await bob.get(`/api/admin/domains/${A}/webmail/customers`)).status, 401, 'a webmail session is no admin session');
    const cat = (await adminA.get(`/api/admin/domains/${A}/webmail/customers`)).json.categories[0];
    assert.equal((await bob.get(`/api/customers?category=${cat.id}`)).status, 404, "another domain's category finds nothing");
    assert.equal((await WebClient.of(t).get('/api/customers')).status, 401);
    await t.rt.console.super.setModules(TEST_ACTOR, A, { customerContacts: false });
    assert.equal((await amy.get('/api/customers')).status, 403, 'module switched off');
    assert.deepEqual((await amy.get('/api/contacts/autocomplete?q=wang')).json.suggestions, []);
    await t.rt.console.super.setModules(TEST_ACTOR, A, { customerContacts: true });
  });

  it("sharing: nothing by default; then B's users see A's directory and autocomplete its users, one way; the book stays A's", async () => {
    assert.deepEqual((await bob.get('/api/directory/domains')).json.domains.map((d: any) => d.name), [B]);
    assert.equal((await bob.get(`/api/directory?domain=${A}`)).status, 403);
    assert.deepEqual((await bob.get('/api/contacts/autocomplete?q=amy')).json.suggestions, []);
    const bad = await superAdmin.post('/api/admin/super/directory-shares', { domain: B, shared: ['nowhere.cn'] });
    assert.deepEqual([bad.status, bad.json.error.field], [404, 'shared']);
    const self = await superAdmin.post('/api/admin/super/directory-shares', { domain: B, shared: [B] });
    assert.deepEqual([self.status, self.json.error.field], [400, 'shared']);
    assert.equal((await superAdmin.post('/api/admin/super/directory-shares', { domain: B, shared: [A] })).json.added, 1);

    assert.deepEqual((await bob.get('/api/directory/domains')).json.domains.map((d: any) => [d.name, d.own]), [[B, true], [A, false]]);
    const tree = (await bob.get(`/api/directory?domain=${A}`)).json;
    assert.ok(tree.unassigned.some((p: any) => p.address === `amy@${A}`));
    assert.deepEqual(tree.lists, []);
    assert.deepEqual((await bob.get('/api/contacts/autocomplete?q=amy')).json.suggestions.map((s: any) => [s.address, s.source]), [[`amy@${A}`, 'directory']]);
    assert.equal((await bob.get('/api/customers')).json.total, 0, 'the customer book is not shared with the directory');
    assert.equal((await amy.get(`/api/directory?domain=${B}`)).status, 403, 'one way');
    assert.equal((await superAdmin.post('/api/admin/super/directory-shares', { domain: A, shared: [B], mutual: true })).json.added, 1);
    const fromA = (await amy.get(`/api/directory?domain=${B}`)).json;
    assert.deepEqual(fromA.unassigned.map((p: any) => p.address).sort(), [`bella@${B}`, `bob@${B}`], 'hidden users left out');
    assert.equal((await superAdmin.post('/api/admin/super/directory-shares/remove', { domain: B, shared: A, mutual: true })).json.removed, 2);
    assert.equal((await bob.get(`/api/directory?domain=${A}`)).status, 403);
    const log = await t.rt.store.read((tx) => tx.audit.list({ actor: 'admin:administrator', limit: 100 }));
    assert.ok(log.some((e) => e.action === 'directory.share') && log.some((e) => e.action === 'directory.unshare'));
  });

  it('custom login field: set in the user form, unique naming the field; the login page signs in with it through the same throttle', async () => {
    await adminA.post(`/api/admin/domains/${A}/webmail`, { customLoginField: { enabled: true, label: '工号' } });
    const made = await adminA.post(`/api/admin/domains/${A}/users`, { name: 'staff', password: PASSWORD, loginName: 'E1001' });
    assert.deepEqual([made.status, made.json.loginName], [200, 'E1001']);
    const dup = await adminA.post(`/api/admin/domains/${A}/users`, { name: 'staff2', password: PASSWORD, loginName: 'E1001' });
    assert.deepEqual([dup.status, dup.json.error.field], [409, 'loginName']);
    const bad = await adminA.post(`/api/admin/users/amy%40${A}`, { loginName: 'a b' });
    assert.deepEqual([bad.status, bad.json.error.field], [400, 'loginName']);
    assert.equal((await adminA.post(`/api/admin/users/amy%40${A}`, { loginName: 'E1002' })).json.loginName, 'E1002');
    const batch = await adminA.post(`/api/admin/domains/${A}/users/batch`, { csv: `name,password,loginName\nbatch1,${PASSWORD},E2001\nbatch2,${PASSWORD},E2001` });
    assert.deepEqual([batch.json.added, batch.json.errors.map((e: any) => [e.line, e.field])], [[`batch1@${A}`], [[3, 'loginName']]]);

    assert.equal((await WebClient.of(t).get(`/api/branding/${A}`)).json.customLoginField, '工号');
    const login = async (address: string, password: string, domain?: string) => {
      const c = WebClient.of(t);
      c.csrf = (await c.get('/api/session/csrf')).json.csrfToken;
      return c.post('/api/session/login', { address, password, ...(domain ? { domain } : {}) });
    };
    const ok = await login('E1001', PASSWORD, A);
    assert.deepEqual([ok.status, ok.json.user?.address], [200, `staff@${A}`]);
    assert.equal((await login(`staff@${A}`, PASSWORD, A)).status, 200, 'the address still works');
    assert.equal((await login('E1001', PASSWORD, B)).status, 401, 'other.cn did not enable it');
    assert.equal((await login('E1001', PASSWORD)).status, 401, 'no login page domain');
    // The same failed-login throttle: repeated failures ban the client, then even the right value and password are refused.
    let tries = 0;
    let r = await login('E1001', 'wrong', A);
    for (; r.status === 401 && tries < 10; r = await login('E1001', 'wrong', A)) tries++;
    assert.equal(r.json.error.code, 'LOGIN_BANNED', `still not banned after ${tries} more failures`);
    assert.equal((await login('E1001', PASSWORD, A)).json.error.code, 'LOGIN_BANNED');
  });
});

async function adminLogin(c: WebClient, account: string) {
  c.csrf = (await c.get('/api/session/csrf')).json.csrfToken;
  const r = await c.post('/api/admin/session/login', { account, password: PASSWORD });
  if (r.status === 200) c.csrf = r.json.csrfToken;
  return r;
}
