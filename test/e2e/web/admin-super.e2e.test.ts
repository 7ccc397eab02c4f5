// The super-domain console over HTTP (issue #14, A10): the authorisation matrix of every
// /api/admin/super/ route × {super admin, domain admin of A, domain admin of B, department admin of
// A/x, plain user, anonymous} × {own object, another domain's, another department's}, every cell
// asserted; then CSRF on every state change, adding a domain with its admin who then logs in, batch
// add with a per-line report, export, edit and delete, module switches, domain admins, mailbox and
// domain aliases (mail to the alias arrives), label overrides and import jobs (their matrix; the flows
// are in admin-ops.e2e.test.ts), the domain limits on every creating path (batch
// included) with an error naming the limit, and the audit trail.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { PASSWORD, TEST_ACTOR, startTestServer, type TestServer } from '../../helpers/server.ts';
import { WebClient } from '../../helpers/web.ts';
import { SUPER_PATHS } from './admin-matrix.ts';

const A = 'example.cn';
const B = 'other.cn';
type Actor = 'super' | 'adminA' | 'adminB' | 'deptX' | 'user' | 'anon';
type Obj = 'own' | 'otherDomain' | 'otherDept';
const ACTORS: Actor[] = ['super', 'adminA', 'adminB', 'deptX', 'user', 'anon'];
const OBJS: Obj[] = ['own', 'otherDomain', 'otherDept'];
type Need = 'domain' | 'admin' | 'alias' | 'domainAlias' | 'share' | 'job';
interface Target { domain: string; admin: string; alias: string; domainAlias: string; job: number; k: number; /** A domain whose directory `domain` sees (share). */ sees: string }
type Outcome = number | 'listed' | 'absent';

describe('admin consoles: the super-domain console', () => {
  let t: TestServer;
  const clients = {} as Record<Actor, WebClient>;
  let n = 0;
  /** The object of one cell: in A (own, another department) or B, or a fresh domain; what the route needs made there. */
  const fresh = async (actor: Actor, obj: Obj, needs: readonly Need[]): Promise<Target> => {
    const k = ++n;
    let domain = (obj === 'otherDomain') === (actor === 'adminB') ? A : B;
    if (needs.includes('domain')) {
      domain = `f${k}.cn`;
      await t.rt.domains.add(TEST_ACTOR, domain);
    }
    const o: Target = { domain, admin: '', alias: '', domainAlias: '', job: 0, k, sees: '' };
    if (needs.includes('share')) {
      o.sees = `s${k}.cn`;
      await t.rt.domains.add(TEST_ACTOR, o.sees);
      await t.rt.console.shares.add(TEST_ACTOR, domain, [o.sees]);
    }
    if (needs.includes('admin')) {
      o.admin = `da${k}`;
      await t.rt.admins.createDomainAdmin(TEST_ACTOR, domain, o.admin, PASSWORD);
    }
    if (needs.includes('alias')) {
      o.alias = `al${k}@${domain}`;
      await t.rt.users.add(TEST_ACTOR, `u${k}@${domain}`, { password: PASSWORD });
      await t.rt.aliases.add(TEST_ACTOR, o.alias, [`u${k}@${domain}`]);
    }
    if (needs.includes('job')) {
      // Held by a live runner on another node: the worker here leaves it alone, so it stays cancellable.
      const userId = (await t.rt.users.byAddress(`plain@${A}`))!.id;
      o.job = (await t.rt.store.tx((tx) => tx.imports.createJob({ createdBy: 'test', leaseOwner: 'elsewhere:1', leaseUntil: Date.now() + 3600_000 }, [
        { line: 1, protocol: 'imap', host: 'old.example', port: 143, tls: 'starttls', verifyTls: true, remoteUser: `j${k}`, userId, passwordEnc: '' },
      ]))).id;
    }
    if (needs.includes('domainAlias')) {
      o.domainAlias = `old${k}.cn`;
      await t.rt.domains.addAlias(TEST_ACTOR, o.domainAlias, domain);
    }
    return o;
  };

  before(async () => {
    t = await startTestServer({ http: true, settings: { 'security.failedLoginDelayMs': 0, 'security.loginFailuresBeforeBan': 0, 'collect.allowPrivateHosts': true } });
    await t.rt.domains.add(TEST_ACTOR, B);
    await t.rt.admins.ensureBuiltins(TEST_ACTOR, { admin: PASSWORD });
    await t.rt.admins.changePassword(TEST_ACTOR, 'super', 'administrator', PASSWORD);
    const x = await t.rt.orgs.add(TEST_ACTOR, A, { name: '研发部' });
    await t.rt.users.add(TEST_ACTOR, `li@${A}`, { password: PASSWORD, orgUnitId: x.id });
    await t.rt.admins.createDepartmentAdmin(TEST_ACTOR, A, x.id, 'li', PASSWORD);
    await t.rt.users.add(TEST_ACTOR, `plain@${A}`, { password: PASSWORD, orgUnitId: x.id });
    const logins: Record<Exclude<Actor, 'user' | 'anon'>, string> = { super: 'administrator', adminA: `admin@${A}`, adminB: `admin@${B}`, deptX: `li@${A}` };
    for (const [actor, account] of Object.entries(logins)) {
      const c = WebClient.of(t);
      const r = await adminLogin(c, account, PASSWORD);
      assert.equal(r.status, 200, `${account}: ${r.text}`);
      clients[actor as Actor] = c;
    }
    clients.user = WebClient.of(t);
    assert.equal((await clients.user.login(`plain@${A}`, PASSWORD)).status, 200);
    clients.anon = WebClient.of(t);
    clients.anon.csrf = (await clients.anon.get('/api/session/csrf')).json.csrfToken;
  });
  after(() => t.close());

  // ── The matrix ──────────────────────────────────────────────────────────────────────────────
  const status = (r: { status: number }): number => r.status;
  const listed = (r: { status: number; text: string }, needle: string): Outcome => (r.status !== 200 ? r.status : r.text.includes(needle) ? 'listed' : 'absent');
  /** Only the super admin: every other admin 403 whatever the object, no session 401. */
  const superOnly = (ok: Outcome): Record<Actor, [Outcome, Outcome, Outcome]> => ({
    super: [ok, ok, ok], adminA: [403, 403, 403], adminB: [403, 403, 403], deptX: [403, 403, 403], user: [401, 401, 401], anon: [401, 401, 401],
  });
  const S = '/api/admin/super';
  const routes: Array<{ key: string; needs: Need[]; call: (c: WebClient, o: Target) => Promise<Outcome>; expect: Record<Actor, [Outcome, Outcome, Outcome]> }> = [
    { key: 'get /api/admin/super/domains', needs: ['domain'], call: async (c, o) => listed(await c.get(`${S}/domains`), `"name":"${o.domain}"`), expect: superOnly('listed') },
    { key: 'get /api/admin/super/domains.csv', needs: ['domain'], call: async (c, o) => listed(await c.get(`${S}/domains.csv`), o.domain), expect: superOnly('listed') },
    { key: 'get /api/admin/super/domains-sample', needs: [], call: async (c) => status(await c.get(`${S}/domains-sample`)), expect: superOnly(200) },
    { key: 'post /api/admin/super/domains', needs: [], call: async (c) => status(await c.post(`${S}/domains`, { name: `new${++n}.cn`, maxUsers: 5 })), expect: superOnly(200) },
    { key: 'post /api/admin/super/domains/batch', needs: [], call: async (c) => {
      const r = await c.post(`${S}/domains/batch`, { text: `b${++n}.cn,10` });
      return r.status === 200 && r.json.added.length !== 1 ? -1 : r.status;
    }, expect: superOnly(200) },
    { key: 'post /api/admin/super/domains/{domain}', needs: [], call: async (c, o) => status(await c.post(`${S}/domains/${o.domain}`, { companyName: `公司${++n}` })), expect: superOnly(200) },
    { key: 'post /api/admin/super/domains/{domain}/delete', needs: ['domain'], call: async (c, o) => status(await c.post(`${S}/domains/${o.domain}/delete`, { confirm: o.domain })), expect: superOnly(200) },
    { key: 'get /api/admin/super/domains/{domain}/modules', needs: [], call: async (c, o) => status(await c.get(`${S}/domains/${o.domain}/modules`)), expect: superOnly(200) },
    { key: 'post /api/admin/super/domains/{domain}/modules', needs: ['domain'], call: async (c, o) => status(await c.post(`${S}/domains/${o.domain}/modules`, { netDisk: false })), expect: superOnly(200) },
    { key: 'get /api/admin/super/domains/{domain}/admins', needs: ['admin'], call: async (c, o) => listed(await c.get(`${S}/domains/${o.domain}/admins`), `"${o.admin}@${o.domain}"`), expect: superOnly('listed') },
    { key: 'post /api/admin/super/domains/{domain}/admins', needs: [], call: async (c, o) => status(await c.post(`${S}/domains/${o.domain}/admins`, { username: `na${++n}`, password: PASSWORD })), expect: superOnly(200) },
    { key: 'post /api/admin/super/domains/{domain}/admins/{username}', needs: ['admin'],
      call: async (c, o) => status(await c.post(`${S}/domains/${o.domain}/admins/${o.admin}`, { password: 'Ky7#pass2026' })), expect: superOnly(200) },
    { key: 'post /api/admin/super/domains/{domain}/admins/{username}/delete', needs: ['admin'],
      call: async (c, o) => status(await c.post(`${S}/domains/${o.domain}/admins/${o.admin}/delete`, {})), expect: superOnly(200) },
    { key: 'get /api/admin/super/domains/{domain}/aliases', needs: ['alias'], call: async (c, o) => listed(await c.get(`${S}/domains/${o.domain}/aliases`), `"${o.alias}"`), expect: superOnly('listed') },
    { key: 'post /api/admin/super/domains/{domain}/aliases', needs: ['alias'],
      call: async (c, o) => status(await c.post(`${S}/domains/${o.domain}/aliases`, { alias: `v${++n}`, targets: [`u${o.k}@${o.domain}`] })), expect: superOnly(200) },
    { key: 'post /api/admin/super/domains/{domain}/aliases/delete', needs: ['alias'],
      call: async (c, o) => status(await c.post(`${S}/domains/${o.domain}/aliases/delete`, { alias: o.alias })), expect: superOnly(200) },
    { key: 'get /api/admin/super/domain-aliases', needs: ['domainAlias'], call: async (c, o) => listed(await c.get(`${S}/domain-aliases`), `"${o.domainAlias}"`), expect: superOnly('listed') },
    { key: 'post /api/admin/super/domain-aliases', needs: [], call: async (c, o) => status(await c.post(`${S}/domain-aliases`, { alias: `da${++n}.cn`, domain: o.domain })), expect: superOnly(200) },
    { key: 'get /api/admin/super/directory-shares', needs: ['share'], call: async (c, o) => {
      const r = await c.get(`${S}/directory-shares`);
      return r.status !== 200 ? r.status : r.json.shares.some((x: any) => x.domain === o.domain && x.sees.includes(o.sees)) ? 'listed' : 'absent';
    }, expect: superOnly('listed') },
    { key: 'post /api/admin/super/directory-shares', needs: ['domain'],
      call: async (c, o) => status(await c.post(`${S}/directory-shares`, { domain: o.domain, shared: [o.domain === A ? B : A] })), expect: superOnly(200) },
    { key: 'post /api/admin/super/directory-shares/remove', needs: ['share'],
      call: async (c, o) => status(await c.post(`${S}/directory-shares/remove`, { domain: o.domain, shared: o.sees })), expect: superOnly(200) },
    { key: 'post /api/admin/super/domain-aliases/delete', needs: ['domainAlias'], call: async (c, o) => status(await c.post(`${S}/domain-aliases/delete`, { alias: o.domainAlias })), expect: superOnly(200) },
    // 语言文字模块 (A10) and 邮件数据导入 (A11)
    { key: 'get /api/admin/super/labels', needs: [], call: async (c) => status(await c.get(`${S}/labels`)), expect: superOnly(200) },
    { key: 'post /api/admin/super/labels', needs: [], call: async (c) => status(await c.post(`${S}/labels`, { language: 'en', key: 'app.name', value: `Mail ${++n}` })), expect: superOnly(200) },
    { key: 'post /api/admin/super/labels/reset', needs: [], call: async (c) => status(await c.post(`${S}/labels/reset`, { language: 'zh-TW' })), expect: superOnly(200) },
    { key: 'get /api/admin/super/imports', needs: ['job'], call: async (c, o) => listed(await c.get(`${S}/imports`), `"id":${o.job},`), expect: superOnly('listed') },
    { key: 'post /api/admin/super/imports', needs: [],
      call: async (c) => status(await c.post(`${S}/imports`, { protocol: 'imap', host: '127.0.0.1', port: 1, tls: 'starttls', accounts: `m${++n} pass plain@${A}` })), expect: superOnly(200) },
    { key: 'get /api/admin/super/imports/{id}', needs: ['job'], call: async (c, o) => status(await c.get(`${S}/imports/${o.job}`)), expect: superOnly(200) },
    { key: 'post /api/admin/super/imports/{id}/cancel', needs: ['job'], call: async (c, o) => status(await c.post(`${S}/imports/${o.job}/cancel`, {})), expect: superOnly(200) },
  ];

  for (const route of routes) {
    it(`authorisation matrix: ${route.key}`, async () => {
      const got = {} as Record<Actor, Outcome[]>;
      for (const actor of ACTORS) {
        got[actor] = [];
        for (const obj of OBJS) got[actor].push(await route.call(clients[actor], await fresh(actor, obj, route.needs)));
      }
      assert.deepEqual(got, route.expect);
    });
  }

  it('the matrix covers every super console route the app serves', async () => {
    const doc = (await WebClient.of(t).get('/api/openapi.json')).json;
    const served = Object.entries(doc.paths).filter(([p]) => SUPER_PATHS.test(p))
      .flatMap(([p, ops]) => Object.keys(ops as object).map((m) => `${m} ${p}`)).sort();
    assert.deepEqual(served, routes.map((r) => r.key).sort());
  });

  it('checks the CSRF token on every state change', async () => {
    const o = await fresh('super', 'own', ['domain', 'admin', 'alias', 'domainAlias']);
    const posts: Array<[string, unknown]> = [
      [`${S}/domains`, { name: 'csrf.cn' }], [`${S}/domains/batch`, { text: 'csrf2.cn' }], [`${S}/domains/${o.domain}`, { maxUsers: 1 }],
      [`${S}/domains/${o.domain}/delete`, { confirm: o.domain }], [`${S}/domains/${o.domain}/modules`, { pop: false }],
      [`${S}/domains/${o.domain}/admins`, { username: 'x', password: PASSWORD }], [`${S}/domains/${o.domain}/admins/${o.admin}`, { password: PASSWORD }],
      [`${S}/domains/${o.domain}/admins/${o.admin}/delete`, {}], [`${S}/domains/${o.domain}/aliases`, { alias: 'x', targets: [`u${o.k}@${o.domain}`] }],
      [`${S}/domains/${o.domain}/aliases/delete`, { alias: o.alias }], [`${S}/domain-aliases`, { alias: 'csrf3.cn', domain: o.domain }],
      [`${S}/domain-aliases/delete`, { alias: o.domainAlias }],
      [`${S}/directory-shares`, { domain: o.domain, shared: [A] }], [`${S}/directory-shares/remove`, { domain: o.domain, shared: A }],
      [`${S}/labels`, { language: 'en', key: 'app.name', value: 'csrf' }], [`${S}/labels/reset`, { language: 'en' }],
      [`${S}/imports`, { protocol: 'imap', host: '127.0.0.1', port: 1, tls: 'starttls', accounts: `csrf pass plain@${A}` }],
      [`${S}/imports/${(await fresh('super', 'own', ['job'])).job}/cancel`, {}],
    ];
    for (const [path, body] of posts) {
      for (const csrf of [false, 'x'.repeat(43), clients.user.csrf] as const) {
        const r = await clients.super.post(path, body, { csrf });
        assert.equal(r.status, 403, `${path} ${String(csrf)}`);
        assert.equal(r.json.error.code, 'CSRF_REJECTED');
      }
    }
    assert.ok(await t.rt.domains.resolveDomain(o.domain), 'nothing was done');
    assert.equal(await t.rt.domains.resolveDomain('csrf.cn'), undefined);
    assert.equal((await t.rt.console.labels.publicLabels()).en['app.name'] === 'csrf', false);
  });

  it('adds a domain with its admin, who logs in to it; edits, exports and deletes it', async () => {
    const c = clients.super;
    const add = await c.post(`${S}/domains`, { name: '新公司.cn', maxUsers: 10, maxSizeMb: 1024, maxLists: 2, defaultQuotaMb: 100, companyName: '新公司', adminPassword: 'Adm#2026pass' });
    assert.equal(add.status, 200, add.text);
    assert.deepEqual([add.json.name, add.json.displayName, add.json.maxUsers, add.json.maxSizeMb, add.json.users], ['xn--55qx5d0y0a.cn', '新公司.cn', 10, 1024, 0]);
    const weak = await c.post(`${S}/domains`, { name: 'weak.cn', adminPassword: '123' });
    assert.deepEqual([weak.status, weak.json.error.field], [400, 'adminPassword']);
    assert.equal(await t.rt.domains.resolveDomain('weak.cn'), undefined, 'all or nothing');
    assert.deepEqual((await c.post(`${S}/domains`, { name: B })).json.error, { code: 'ALREADY_EXISTS', message: 'Already exists', field: 'name' });
    assert.equal((await c.post(`${S}/domains`, { name: 'not a domain' })).json.error.field, 'name');
    const ac = WebClient.of(t);
    const login = await adminLogin(ac, 'admin@新公司.cn', 'Adm#2026pass');
    assert.equal(login.status, 200, login.text);
    assert.equal(login.json.admin.role, 'domain');
    const zhang = await ac.post('/api/admin/domains/新公司.cn/users', { name: 'zhang', password: PASSWORD });
    assert.equal(zhang.status, 200, zhang.text);
    assert.equal((await ac.get(`/api/admin/domains/${A}/users`)).status, 403);
    const edit = await c.post(`${S}/domains/新公司.cn`, { maxUsers: 1, expiresAt: Date.UTC(2099, 0, 1), strongPasswords: false });
    assert.deepEqual([edit.json.maxUsers, edit.json.expiresAt, edit.json.strongPasswords, edit.json.users], [1, Date.UTC(2099, 0, 1), false, 1]);
    const search = (await c.get(`${S}/domains?search=${encodeURIComponent('新公司')}`)).json.domains.map((d: any) => d.displayName);
    assert.deepEqual(search, ['新公司.cn']);
    const csv = (await c.get(`${S}/domains.csv`)).text;
    assert.match(csv, /^\uFEFF?domain,displayName,status,users,maxUsers/);
    assert.match(csv, /\nxn--55qx5d0y0a\.cn,新公司\.cn,valid,1,1,/);
    assert.equal((await c.post(`${S}/domains/新公司.cn/delete`, { confirm: 'wrong.cn' })).json.error.field, 'confirm');
    assert.equal((await c.post(`${S}/domains/新公司.cn/delete`, { confirm: '新公司.cn' })).status, 200);
    assert.equal(await t.rt.users.byAddress('zhang@新公司.cn'), undefined);
    assert.equal((await ac.get('/api/admin/session/me')).status, 401, "the domain's admin is gone");
    assert.equal((await c.post(`${S}/domains/新公司.cn/delete`, { confirm: '新公司.cn' })).status, 404);
  });

  it('batch-adds domains, reporting each bad line with its field', async () => {
    const text = ['# header', 'batch1.cn,100,2048,2030-06-30,甲公司', '', 'bad domain', `${B}`, 'batch2.cn,ten', 'batch3.cn,,,2030-02-30', 'batch4.cn'].join('\n');
    const r = await clients.super.post(`${S}/domains/batch`, { text });
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(r.json.added, ['batch1.cn', 'batch4.cn']);
    assert.deepEqual(r.json.errors.map((e: any) => [e.line, e.field, e.reason]),
      [[4, 'domain', 'INVALID_INPUT'], [5, 'domain', 'ALREADY_EXISTS'], [6, 'maxUsers', 'INVALID_INPUT'], [7, 'expiresAt', 'INVALID_INPUT']]);
    const d = (await clients.super.get(`${S}/domains?search=batch1`)).json.domains[0];
    assert.deepEqual([d.maxUsers, d.maxSizeMb, d.companyName, new Date(d.expiresAt).toISOString().slice(0, 10)], [100, 2048, '甲公司', '2030-06-30']);
    assert.match((await clients.super.get(`${S}/domains-sample`)).json.sample, /maxUsers/);
  });

  it('stores the module switches, manages domain admins, mailbox aliases and domain aliases', async () => {
    const c = clients.super;
    const mods = await c.post(`${S}/domains/${B}/modules`, { netDisk: false, calendar: false });
    assert.deepEqual([mods.json.netDisk, mods.json.calendar, mods.json.pop], [false, false, true]);
    assert.equal((await c.get(`${S}/domains/${B}/modules`)).json.netDisk, false);
    assert.equal((await c.post(`${S}/domains/${B}/modules`, { sms: true })).status, 400);

    assert.equal((await c.post(`${S}/domains/${B}/admins`, { username: 'wang', password: 'Qp4#mail2026' })).status, 200);
    assert.deepEqual((await c.post(`${S}/domains/${B}/admins`, { username: 'wang', password: 'Qp4#mail2026' })).json.error.field, 'username');
    const wc = WebClient.of(t);
    assert.equal((await adminLogin(wc, `wang@${B}`, 'Qp4#mail2026')).status, 200);
    assert.equal((await c.post(`${S}/domains/${B}/admins/wang`, { password: 'Zx8#mail2026' })).status, 200);
    assert.equal((await wc.get('/api/admin/session/me')).status, 401, 'a new password ends their sessions');
    assert.equal((await adminLogin(WebClient.of(t), `wang@${B}`, 'Zx8#mail2026')).status, 200);
    assert.equal((await c.post(`${S}/domains/${B}/admins/wang/delete`, {})).status, 200);
    assert.equal((await adminLogin(WebClient.of(t), `wang@${B}`, 'Zx8#mail2026')).status, 401);
    assert.ok(!(await c.get(`${S}/domains/${B}/admins`)).text.includes('wang@'));

    await t.rt.users.add(TEST_ACTOR, `sales@${B}`, { password: PASSWORD });
    const al = await c.post(`${S}/domains/${B}/aliases`, { alias: 'xiaoshou', targets: [`sales@${B}`] });
    assert.deepEqual(al.json, { address: `xiaoshou@${B}`, targets: [`sales@${B}`] });
    assert.equal((await c.post(`${S}/domains/${B}/aliases`, { alias: 'x2', targets: [`plain@${A}`] })).json.error.field, 'targets', 'the same domain only');
    assert.equal((await c.post(`${S}/domains/${B}/aliases`, { alias: `x3@${A}`, targets: [`sales@${B}`] })).json.error.field, 'alias');
    assert.equal((await c.post(`${S}/domains/${B}/aliases`, { alias: 'sales', targets: [`sales@${B}`] })).json.error.field, 'alias', 'taken by a user');
    assert.equal((await c.post(`${S}/domains/${B}/aliases`, { alias: 'xiaoshou', targets: [`sales@${B}`, `plain2@${B}`], replace: true })).json.targets.length, 2);

    const da = await c.post(`${S}/domain-aliases`, { alias: 'old-other.cn', domain: B });
    assert.equal(da.status, 200, da.text);
    assert.equal((await c.post(`${S}/domain-aliases`, { alias: A, domain: B })).json.error.field, 'alias');
    assert.equal((await t.rt.domains.resolveDomain('old-other.cn'))?.name, B, 'mail to the old name reaches the domain');
    const rows = (await c.get(`${S}/domains?search=other.cn`)).json.domains;
    assert.ok(rows.find((d: any) => d.name === B).aliases.includes('old-other.cn'));
    assert.equal((await c.post(`${S}/domain-aliases/delete`, { alias: 'old-other.cn' })).status, 200);
    assert.equal(await t.rt.domains.resolveDomain('old-other.cn'), undefined);
    assert.equal((await c.post(`${S}/domains/${B}/aliases/delete`, { alias: 'xiaoshou' })).status, 200);
    assert.equal((await c.post(`${S}/domains/${B}/aliases/delete`, { alias: 'xiaoshou' })).status, 404);
  });

  it('enforces the domain limits on every path that creates something, naming the limit', async () => {
    const c = clients.super;
    const d = 'limits.cn';
    assert.equal((await c.post(`${S}/domains`, { name: d, maxUsers: 2, maxSizeMb: 300, maxLists: 1, defaultQuotaMb: 100, adminPassword: 'Lim#2026pass' })).status, 200);
    const ac = WebClient.of(t);
    assert.equal((await adminLogin(ac, `admin@${d}`, 'Lim#2026pass')).status, 200);
    const err = async (p: Promise<{ json: any }>) => (await p).json.error as { code: string; field?: string };
    assert.equal((await ac.post(`/api/admin/domains/${d}/users`, { name: 'a1', password: PASSWORD, quotaMb: 250 })).status, 200);
    assert.deepEqual(await err(ac.post(`/api/admin/domains/${d}/users`, { name: 'a2', password: PASSWORD, quotaMb: 100 })), { code: 'LIMIT_REACHED', message: 'Limit reached', field: 'maxSizeBytes' });
    assert.equal((await ac.post(`/api/admin/domains/${d}/users`, { name: 'a2', password: PASSWORD, quotaMb: 50 })).status, 200);
    assert.equal((await err(ac.post(`/api/admin/domains/${d}/users`, { name: 'a3', password: PASSWORD, quotaMb: 0 }))).field, 'maxUsers');
    const batch = (await ac.post(`/api/admin/domains/${d}/users/batch`, { csv: `name,password\nb1,${PASSWORD}\n` })).json;
    assert.deepEqual(batch.errors.map((e: any) => [e.line, e.field, e.reason]), [[2, 'maxUsers', 'LIMIT_REACHED']]);
    assert.equal((await err(ac.post(`/api/admin/users/a2@${d}`, { quotaMb: 60 }))).field, 'maxSizeBytes', 'growing a quota');
    assert.equal((await ac.post(`/api/admin/domains/${d}/lists`, { name: 'l1' })).status, 200);
    assert.equal((await err(ac.post(`/api/admin/domains/${d}/lists`, { name: 'l2' }))).field, 'maxLists');
    // Expiry and status: nothing new at all, with the reason named.
    await c.post(`${S}/domains/${d}`, { maxUsers: 0, maxLists: 0, maxSizeMb: 0, expiresAt: Date.now() - 86_400_000 });
    assert.deepEqual(await err(ac.post(`/api/admin/domains/${d}/users`, { name: 'a4', password: PASSWORD })), { code: 'FORBIDDEN', message: 'Not allowed', field: 'expiresAt' });
    assert.equal((await err(ac.post(`/api/admin/domains/${d}/lists`, { name: 'l3' }))).field, 'expiresAt');
    const late = (await ac.post(`/api/admin/domains/${d}/users/batch`, { csv: `name,password\nb2,${PASSWORD}\n` })).json;
    assert.deepEqual(late.errors.map((e: any) => [e.line, e.field]), [[2, 'expiresAt']]);
    assert.equal((await err(c.post(`${S}/domains/${d}/aliases`, { alias: 'al', targets: [`a1@${d}`] }))).field, 'expiresAt');
    await c.post(`${S}/domains/${d}`, { expiresAt: null, status: 'invalid' });
    assert.equal((await err(ac.post(`/api/admin/domains/${d}/users`, { name: 'a5', password: PASSWORD }))).field, 'status');
    const rows = (await c.get(`${S}/domains?search=limits`)).json.domains;
    assert.deepEqual([rows[0].users, rows[0].effectiveStatus], [2, 'invalid']);
  });

  it('audits every change with the super admin as actor', async () => {
    const entries = await t.rt.store.read((tx) => tx.audit.list({ actor: 'admin:administrator', limit: 10_000 }));
    const actions = new Set(entries.map((e) => e.action));
    for (const a of ['domain.create', 'domain.update', 'domain.delete', 'domain.export', 'domain.batch-add', 'domain.modules', 'admin.create', 'admin.password',
      'admin.delete', 'alias.create', 'alias.update', 'alias.delete', 'domain.alias.create', 'domain.alias.delete']) assert.ok(actions.has(a), a);
    assert.ok(entries.every((e) => e.source === '127.0.0.1'));
    assert.ok(!JSON.stringify(entries).includes('Adm#2026pass'), 'no password in the log');
  });
});

async function adminLogin(c: WebClient, account: string, password: string) {
  c.csrf = (await c.get('/api/session/csrf')).json.csrfToken;
  const r = await c.post('/api/admin/session/login', { account, password });
  if (r.status === 200) c.csrf = r.json.csrfToken;
  return r;
}
