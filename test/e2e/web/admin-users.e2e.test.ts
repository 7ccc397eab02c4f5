// Admin consoles over HTTP (issue #14, first slice): the authorisation matrix of every admin route
// × {super admin, domain admin of A, domain admin of B, department admin of A/x, plain user,
// anonymous} × {own object, another domain's object, another department's object}, every cell
// asserted; then login and logout, own password, sessions kept apart from the webmail's, CSRF on
// every state change, bad fields naming the field, domain limits (batch included) and the audit log.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { OrgUnitId } from '../../../src/core/ids.ts';
import { PASSWORD, TEST_ACTOR, startTestServer, type TestServer } from '../../helpers/server.ts';
import { WebClient } from '../../helpers/web.ts';
import { CONSOLE_PATHS, SUPER_PATHS } from './admin-matrix.ts';

const A = 'example.cn';
const B = 'other.cn';
type Actor = 'super' | 'adminA' | 'adminB' | 'deptX' | 'user' | 'anon';
type Obj = 'own' | 'otherDomain' | 'otherDept';
const ACTORS: Actor[] = ['super', 'adminA', 'adminB', 'deptX', 'user', 'anon'];
const OBJS: Obj[] = ['own', 'otherDomain', 'otherDept'];
/** Where each actor's objects live: x1 is a sub-department of x (the department admin's). */
type Place = 'x1' | 'y' | 'z';
const PLACES: Record<Actor, Record<Obj, Place>> = {
  super: { own: 'x1', otherDomain: 'z', otherDept: 'y' },
  adminA: { own: 'x1', otherDomain: 'z', otherDept: 'y' },
  adminB: { own: 'z', otherDomain: 'x1', otherDept: 'y' },
  deptX: { own: 'x1', otherDomain: 'z', otherDept: 'y' },
  user: { own: 'x1', otherDomain: 'z', otherDept: 'y' },
  anon: { own: 'x1', otherDomain: 'z', otherDept: 'y' },
};

interface Target { address: string; local: string; domain: string; unitId: number; path: string }

describe('admin consoles: users', () => {
  let t: TestServer;
  const units = {} as Record<Place, { id: OrgUnitId; domain: string; path: string }>;
  const clients = {} as Record<Actor, WebClient>;
  let n = 0;
  /** A fresh user at a place (a destructive route gets its own object in every cell). */
  const fresh = async (place: Place): Promise<Target> => {
    const u = units[place];
    const local = `o${++n}`;
    await t.rt.users.add(TEST_ACTOR, `${local}@${u.domain}`, { password: PASSWORD, orgUnitId: u.id, realName: `对象${n}` });
    return { address: `${local}@${u.domain}`, local, domain: u.domain, unitId: u.id, path: u.path };
  };

  before(async () => {
    t = await startTestServer({ http: true, settings: { 'security.failedLoginDelayMs': 0, 'security.loginFailuresBeforeBan': 0 } });
    await t.rt.domains.add(TEST_ACTOR, B);
    await t.rt.admins.ensureBuiltins(TEST_ACTOR, { admin: PASSWORD });
    await t.rt.admins.changePassword(TEST_ACTOR, 'super', 'administrator', PASSWORD);
    const x = await t.rt.orgs.add(TEST_ACTOR, A, { name: '研发部' });
    const x1 = await t.rt.orgs.add(TEST_ACTOR, A, { name: '前端组', parentId: x.id });
    const y = await t.rt.orgs.add(TEST_ACTOR, A, { name: '销售部' });
    const z = await t.rt.orgs.add(TEST_ACTOR, B, { name: '总部' });
    units.x1 = { id: x1.id, domain: A, path: '研发部/前端组' };
    units.y = { id: y.id, domain: A, path: '销售部' };
    units.z = { id: z.id, domain: B, path: '总部' };
    await t.rt.users.add(TEST_ACTOR, `li@${A}`, { password: PASSWORD, orgUnitId: x.id });
    await t.rt.admins.createDepartmentAdmin(TEST_ACTOR, A, x.id, 'li', PASSWORD);
    await t.rt.users.add(TEST_ACTOR, `plain@${A}`, { password: PASSWORD, orgUnitId: x1.id });
    const logins: Record<Exclude<Actor, 'user' | 'anon'>, string> = {
      super: 'administrator', adminA: `admin@${A}`, adminB: `admin@${B}`, deptX: `li@${A}`,
    };
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
  /** Each route: how one cell is called and what it came to (a status, or listed / absent for lists). */
  type Outcome = number | 'listed' | 'absent' | 'refused';
  const routes: Array<{ name: string; call: (c: WebClient, o: Target) => Promise<Outcome>; expect: Record<Actor, [Outcome, Outcome, Outcome]> }> = [];
  const status = (r: { status: number }): number => r.status;
  const listed = (r: { status: number; text: string }, needle: string): Outcome => (r.status !== 200 ? r.status : r.text.includes(needle) ? 'listed' : 'absent');
  /** The usual answer of a route on one object: the department admin does not see another department. */
  const reach = (ok: Outcome, otherDeptForDept: Outcome): Record<Actor, [Outcome, Outcome, Outcome]> => ({
    super: [ok, ok, ok], adminA: [ok, 403, ok], adminB: [ok, 403, 403], deptX: [ok, 403, otherDeptForDept], user: [401, 401, 401], anon: [401, 401, 401],
  });
  const enc = encodeURIComponent;
  routes.push(
    { name: 'GET /api/admin/domains', call: async (c, o) => listed(await c.get('/api/admin/domains'), `"name":"${o.domain}"`),
      expect: { ...reach('listed', 'listed'), adminA: ['listed', 'absent', 'listed'], adminB: ['listed', 'absent', 'absent'], deptX: ['listed', 'absent', 'listed'] } },
    { name: 'GET …/departments', call: async (c, o) => listed(await c.get(`/api/admin/domains/${o.domain}/departments`), `"path":"${o.path}"`), expect: reach('listed', 'absent') },
    { name: 'GET …/users', call: async (c, o) => listed(await c.get(`/api/admin/domains/${o.domain}/users?search=${o.local}`), `"${o.address}"`), expect: reach('listed', 'absent') },
    { name: 'POST …/users (add)', call: async (c, o) => status(await c.post(`/api/admin/domains/${o.domain}/users`, { name: `n${++n}`, password: PASSWORD, orgUnitId: o.unitId })),
      expect: reach(200, 403) },
    { name: 'GET …/users.csv', call: async (c, o) => listed(await c.get(`/api/admin/domains/${o.domain}/users.csv`), o.address), expect: reach('listed', 'absent') },
    { name: 'POST …/users/batch', call: async (c, o) => {
      const r = await c.post(`/api/admin/domains/${o.domain}/users/batch`, { csv: `name,password,department\nb${++n},${PASSWORD},${o.path}\n` });
      return r.status !== 200 ? r.status : r.json.added.length === 1 ? 200 : r.json.errors[0]?.field === 'department' ? 'refused' : JSON.stringify(r.json) as never;
    }, expect: reach(200, 'refused') },
    { name: 'POST …/users/batch-progress', call: async (c, o) => {
      const r = await c.post(`/api/admin/domains/${o.domain}/users/batch-progress`, { csv: `name,password,department\nb${++n},${PASSWORD},${o.path}\n` });
      if (r.status !== 200) return r.status;
      const last = JSON.parse(r.text.trim().split('\n').at(-1)!).result;
      return last.added.length === 1 ? 200 : last.errors[0]?.field === 'department' ? 'refused' : r.text as never;
    }, expect: reach(200, 'refused') },
    { name: 'GET …/users.txt', call: async (c, o) => listed(await c.get(`/api/admin/domains/${o.domain}/users.txt`), `${o.address}\t`), expect: reach('listed', 'absent') },
    ...(['batch-update', 'batch-delete'] as const).map((kind) => ({ name: `POST …/users/${kind}`, call: async (c: WebClient, o: Target): Promise<Outcome> => {
      const r = await c.post(`/api/admin/domains/${o.domain}/users/${kind}`, kind === 'batch-update' ? { users: [o.local], quotaMb: 7, status: 'frozen' } : { users: [o.address] });
      return r.status !== 200 ? r.status : r.json.updated.length === 1 ? 200 : r.json.errors[0]?.reason === 'NOT_FOUND' ? 'refused' : JSON.stringify(r.json) as never;
    }, expect: reach(200, 'refused') })),
    // The sample belongs to no domain: every admin gets it, nobody else.
    { name: 'GET /api/admin/users-sample.csv', call: async (c) => status(await c.get('/api/admin/users-sample.csv')),
      expect: { ...reach(200, 200), adminA: [200, 200, 200], adminB: [200, 200, 200], deptX: [200, 200, 200] } },
  );
  const perUser: Array<[string, (c: WebClient, o: Target) => Promise<{ status: number }>]> = [
    ['GET /api/admin/users/:address', (c, o) => c.get(`/api/admin/users/${enc(o.address)}`)],
    ['POST /api/admin/users/:address', (c, o) => c.post(`/api/admin/users/${enc(o.address)}`, { realName: '改名', quotaMb: 5 })],
    ['POST …/freeze', (c, o) => c.post(`/api/admin/users/${enc(o.address)}/freeze`, {})],
    ['POST …/unfreeze', async (c, o) => {
      await t.rt.users.freeze(TEST_ACTOR, o.address);
      return c.post(`/api/admin/users/${enc(o.address)}/unfreeze`, {});
    }],
    ['POST …/approve', async (c, o) => {
      await t.rt.store.tx(async (tx) => { const u = (await t.rt.users.byAddress(o.address))!; await tx.users.update(u.id, { status: 'pending' }); });
      return c.post(`/api/admin/users/${enc(o.address)}/approve`, {});
    }],
    ['POST …/delete', (c, o) => c.post(`/api/admin/users/${enc(o.address)}/delete`, {})],
  ];
  for (const [name, call] of perUser) routes.push({ name, call: async (c, o) => status(await call(c, o)), expect: reach(200, 404) });

  for (const route of routes) {
    it(`authorisation matrix: ${route.name}`, async () => {
      const got = {} as Record<Actor, Outcome[]>;
      for (const actor of ACTORS) {
        got[actor] = [];
        for (const obj of OBJS) got[actor].push(await route.call(clients[actor], await fresh(PLACES[actor][obj])));
      }
      assert.deepEqual(got, route.expect);
    });
  }

  it('the matrix covers every admin route the app serves', async () => {
    const doc = (await WebClient.of(t).get('/api/openapi.json')).json;
    const mine = (p: string) => p.startsWith('/api/admin/') && !p.startsWith('/api/admin/session/') && !CONSOLE_PATHS.test(p) && !SUPER_PATHS.test(p);
    const adminRoutes = Object.keys(doc.paths).filter(mine).length;
    const methods = Object.entries(doc.paths).filter(([p]) => mine(p))
      .reduce((sum, [, ops]) => sum + Object.keys(ops as object).length, 0);
    assert.ok(adminRoutes > 0);
    assert.equal(methods, routes.length, 'one matrix per admin route');
  });

  // ── Sessions ────────────────────────────────────────────────────────────────────────────────
  it('logs admins in by role, refuses wrong passwords and the system account, and keeps the two kinds of session apart', async () => {
    for (const [account, password] of [[`admin@${A}`, 'wrong'], ['system', PASSWORD], [`nobody@${A}`, PASSWORD], [`plain@${A}`, PASSWORD]] as const) {
      const r = await adminLogin(WebClient.of(t), account, password);
      assert.equal(r.status, 401, account);
      assert.equal(r.json.error.code, 'AUTH_FAILED');
    }
    const me = await clients.deptX.get('/api/admin/session/me');
    assert.deepEqual({ ...me.json.admin }, { username: 'li', role: 'department', domain: A, orgUnitId: me.json.admin.orgUnitId, department: '研发部' });
    const sid = (await adminLogin(WebClient.of(t), `admin@${A}`, PASSWORD)).headers['set-cookie'] as string[];
    const cookie = sid.find((c) => c.startsWith('youju_admin_sid='))!;
    for (const flag of ['HttpOnly', 'SameSite=Strict', 'Path=/api/admin']) assert.match(cookie, new RegExp(flag), flag);
    // The test client sends every cookie to every path: the routes themselves keep the kinds apart.
    assert.equal((await clients.adminA.get('/api/folders')).status, 401, 'an admin session reaches no mail');
    assert.equal((await clients.adminA.get('/api/session/me')).status, 401);
    assert.equal((await clients.user.get('/api/admin/session/me')).status, 401, 'a user session reaches no admin route');
    assert.equal((await clients.user.get(`/api/admin/domains/${A}/users`)).status, 401);
  });

  it('changes its own password (the old one asked again), then logs out', async () => {
    const c = WebClient.of(t);
    await adminLogin(c, `admin@${B}`, PASSWORD);
    const wrong = await c.post('/api/admin/session/password', { oldPassword: 'nope', newPassword: 'Ky7#pass2026' });
    assert.equal(wrong.status, 401);
    assert.equal(wrong.json.error.field, 'oldPassword');
    const weak = await c.post('/api/admin/session/password', { oldPassword: PASSWORD, newPassword: '12345678' });
    assert.equal(weak.status, 400);
    assert.equal(weak.json.error.field, 'newPassword');
    assert.equal((await c.post('/api/admin/session/password', { oldPassword: PASSWORD, newPassword: 'Ky7#pass2026' })).status, 200);
    assert.equal((await c.get('/api/admin/session/me')).status, 200, 'this session stays');
    assert.equal((await clients.adminB.get('/api/admin/session/me')).status, 401, 'other sessions of the admin end');
    assert.equal((await adminLogin(WebClient.of(t), `admin@${B}`, 'Ky7#pass2026')).status, 200);
    assert.equal((await c.post('/api/admin/session/logout', {})).status, 200);
    assert.equal((await c.get('/api/admin/session/me')).status, 401);
    await t.rt.admins.changePassword(TEST_ACTOR, 'domain', 'admin', PASSWORD, B);
    clients.adminB = WebClient.of(t);
    await adminLogin(clients.adminB, `admin@${B}`, PASSWORD);
  });

  it('checks the CSRF token on every state change', async () => {
    const o = await fresh('x1');
    const posts: Array<[string, unknown]> = [
      [`/api/admin/domains/${A}/users`, { name: 'csrf1', password: PASSWORD }],
      [`/api/admin/domains/${A}/users/batch`, { csv: `csrf2,${PASSWORD}` }], [`/api/admin/domains/${A}/users/batch-progress`, { csv: `csrf3,${PASSWORD}` }],
      [`/api/admin/domains/${A}/users/batch-update`, { users: [o.address], status: 'frozen' }], [`/api/admin/domains/${A}/users/batch-delete`, { users: [o.address] }],
      [`/api/admin/users/${enc(o.address)}`, { realName: 'x' }],
      [`/api/admin/users/${enc(o.address)}/freeze`, {}], [`/api/admin/users/${enc(o.address)}/unfreeze`, {}],
      [`/api/admin/users/${enc(o.address)}/approve`, {}], [`/api/admin/users/${enc(o.address)}/delete`, {}],
      ['/api/admin/session/password', { oldPassword: PASSWORD, newPassword: 'Zz9#other2026' }], ['/api/admin/session/logout', {}],
    ];
    const userCsrf = clients.user.csrf;
    for (const [path, body] of posts) {
      for (const csrf of [false, 'x'.repeat(43), userCsrf] as const) {
        const r = await clients.adminA.post(path, body, { csrf });
        assert.equal(r.status, 403, `${path} ${String(csrf)}`);
        assert.equal(r.json.error.code, 'CSRF_REJECTED');
      }
    }
    assert.ok(await t.rt.users.byAddress(o.address), 'nothing was done');
    const login = await WebClient.of(t).post('/api/admin/session/login', { account: `admin@${A}`, password: PASSWORD }, { csrf: false });
    assert.equal(login.status, 403, 'the login needs the double submit too');
  });

  it('answers bad fields with 400 naming the field', async () => {
    const o = await fresh('x1');
    const c = clients.adminA;
    const cases: Array<[Promise<{ status: number; json: any }>, string]> = [
      [c.post(`/api/admin/domains/${A}/users`, { name: 'has space', password: PASSWORD }), 'name'],
      [c.post(`/api/admin/domains/${A}/users`, { password: PASSWORD }), 'name'],
      [c.post(`/api/admin/domains/${A}/users`, { name: 'ok1' }), 'password'],
      [c.post(`/api/admin/domains/${A}/users`, { name: 'ok2', password: '123' }), 'password'],
      [c.post(`/api/admin/domains/${A}/users`, { name: 'ok3', password: PASSWORD, quotaMb: -1 }), 'quotaMb'],
      [c.post(`/api/admin/domains/${A}/users`, { name: 'ok4', password: PASSWORD, sendScope: 'world' }), 'sendScope'],
      [c.post(`/api/admin/domains/${A}/users`, { name: 'ok5', password: PASSWORD, colour: 'red' }), 'colour'],
      [c.post(`/api/admin/users/${enc(o.address)}`, { name: 'rename' }), 'name'],
      [c.post(`/api/admin/users/${enc(o.address)}`, { status: 'pending' }), 'status'],
      [c.post(`/api/admin/users/${enc(o.address)}`, { hidden: 'yes' }), 'hidden'],
      [c.post(`/api/admin/domains/${A}/users/batch`, { csv: '' }), 'csv'],
      [c.get(`/api/admin/domains/${A}/users?sort=colour`), 'sort'],
      [c.get(`/api/admin/domains/${A}/users?pageSize=1000`), 'pageSize'],
      [c.get(`/api/admin/domains/${A}/users?page=0`), 'page'],
      [clients.anon.post('/api/admin/session/login', { account: '', password: 'x' }), 'account'],
    ];
    for (const [p, field] of cases) {
      const r = await p;
      assert.equal(r.status, 400, `${field}: ${JSON.stringify(r.json)}`);
      assert.equal(r.json.error.field, field, JSON.stringify(r.json));
    }
    const taken = await c.post(`/api/admin/domains/${A}/users`, { name: o.local, password: PASSWORD });
    assert.equal(taken.status, 409);
    assert.equal(taken.json.error.field, 'name');
  });

  it('lists with search, sort and paging done by the store', async () => {
    const c = clients.adminA;
    for (const [name, realName] of [['sortc', '丙'], ['sorta', '甲'], ['sortb', '乙']]) {
      await c.post(`/api/admin/domains/${A}/users`, { name, password: PASSWORD, realName, quotaMb: name === 'sortb' ? 1 : 2 });
    }
    const page = async (q: string) => (await c.get(`/api/admin/domains/${A}/users?search=sort&${q}`)).json;
    assert.deepEqual((await page('')).users.map((u: any) => u.address), ['sorta', 'sortb', 'sortc'].map((s) => `${s}@${A}`));
    assert.deepEqual((await page('order=desc')).users.map((u: any) => u.realName), ['丙', '乙', '甲']);
    assert.deepEqual((await page('sort=quotaBytes')).users[0].address, `sortb@${A}`);
    const p2 = await page('pageSize=2&page=2');
    assert.equal(p2.total, 3);
    assert.deepEqual(p2.users.map((u: any) => u.address), [`sortc@${A}`]);
    assert.equal((await c.get(`/api/admin/domains/${A}/users?status=frozen&search=sort`)).json.total, 0);
  });

  it('enforces the domain limits with an error naming the limit, on single and batch adds', async () => {
    const used = await t.rt.users.count({ domain: B });
    await t.rt.domains.update(TEST_ACTOR, B, { maxUsers: used + 2 });
    const c = clients.adminB;
    assert.equal((await c.post(`/api/admin/domains/${B}/users`, { name: 'lim1', password: PASSWORD })).status, 200);
    const csv = ['name,password,realName', `lim2,${PASSWORD},二`, 'bad name,x,坏', `lim3,${PASSWORD},三`, `lim4,${PASSWORD},四`].join('\n');
    const r = await c.post(`/api/admin/domains/${B}/users/batch`, { csv });
    assert.equal(r.status, 200);
    assert.deepEqual(r.json.added, [`lim2@${B}`]);
    assert.deepEqual(r.json.errors.map((e: any) => [e.line, e.field]), [[3, 'name'], [4, 'maxUsers'], [5, 'maxUsers']]);
    const one = await c.post(`/api/admin/domains/${B}/users`, { name: 'lim5', password: PASSWORD });
    assert.equal(one.status, 409);
    assert.deepEqual(one.json.error, { code: 'LIMIT_REACHED', message: 'Limit reached', field: 'maxUsers' });
    await t.rt.domains.update(TEST_ACTOR, B, { maxUsers: 0, maxSizeBytes: 1 << 20 });
    const size = await c.post(`/api/admin/domains/${B}/users`, { name: 'lim6', password: PASSWORD, quotaMb: 5 });
    assert.equal(size.json.error.field, 'maxSizeBytes');
    await t.rt.domains.update(TEST_ACTOR, B, { maxSizeBytes: 0 });
  });

  it('reports a batch add as it goes (NDJSON), ending with the same answer as the batch route', async () => {
    const c = clients.adminA;
    const csv = ['name,password', ...Array.from({ length: 12 }, (_, i) => `prog${i},${PASSWORD}`), 'bad name,x', 'prog0,again'].join('\n');
    const r = await c.post(`/api/admin/domains/${A}/users/batch-progress`, { csv });
    assert.equal(r.status, 200);
    assert.match(String(r.headers['content-type']), /^application\/x-ndjson/);
    const lines = r.text.trim().split('\n').map((l) => JSON.parse(l));
    const steps = lines.slice(0, -1);
    assert.deepEqual(steps[0], { done: 0, total: 12 }, 'the first line comes once the CSV is read (two bad lines are not to add)');
    assert.deepEqual(steps.at(-1), { done: 12, total: 12 });
    for (let i = 1; i < steps.length; i++) assert.ok(steps[i].done > steps[i - 1].done, 'progress only goes up');
    const { result } = lines.at(-1);
    assert.equal(result.added.length, 12);
    assert.deepEqual(result.errors.map((e: any) => [e.line, e.field, e.reason]), [[14, 'name', 'BAD_NAME'], [15, 'name', 'DUPLICATE_NAME']]);
    // A refusal before the first line is a JSON error with its status, as from every route.
    const other = await c.post(`/api/admin/domains/${B}/users/batch-progress`, { csv: `x1,${PASSWORD}` });
    assert.equal(other.status, 403);
    assert.equal(other.json.error.code, 'FORBIDDEN');
    assert.equal((await c.post(`/api/admin/domains/${A}/users/batch-progress`, { csv: '' })).json.error.field, 'csv');
  });

  it('batch-modifies quota, status and department of selected users, batch-deletes, and exports as text', async () => {
    const c = clients.adminA;
    const [u1, u2, u3] = [await fresh('x1'), await fresh('y'), await fresh('x1')];
    const r = await c.post(`/api/admin/domains/${A}/users/batch-update`, { users: [u1.local, u2.address, `nobody@${A}`, `x@${B}`], quotaMb: 300, status: 'frozen', orgUnitId: units.y.id });
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(r.json.updated, [u1.address, u2.address]);
    assert.deepEqual(r.json.errors.map((e: any) => [e.user, e.reason]), [[`nobody@${A}`, 'NOT_FOUND'], [`x@${B}`, 'NOT_FOUND']]);
    for (const u of [u1, u2]) {
      const got = (await c.get(`/api/admin/users/${enc(u.address)}`)).json;
      assert.deepEqual([got.quotaMb, got.status, got.department], [300, 'frozen', '销售部']);
    }
    assert.equal((await c.post(`/api/admin/domains/${A}/users/batch-update`, { users: [u1.local] })).json.error.field, 'quotaMb', 'nothing to change');
    assert.equal((await c.post(`/api/admin/domains/${A}/users/batch-update`, { users: [] })).status, 400);
    // The size limit applies to each user and is named.
    const usage = (await c.get(`/api/admin/domains/${A}/info`)).json;
    await t.rt.domains.update(TEST_ACTOR, A, { maxSizeBytes: (usage.quotaAllocatedMb + 50) * 1048576 });
    const grow = (await c.post(`/api/admin/domains/${A}/users/batch-update`, { users: [u1.local, u3.local], quotaMb: 330, status: 'active' })).json;
    assert.deepEqual(grow.updated, [u1.address]);
    assert.deepEqual(grow.errors.map((e: any) => [e.user, e.field, e.reason]), [[u3.address, 'maxSizeBytes', 'LIMIT_REACHED']]);
    await t.rt.domains.update(TEST_ACTOR, A, { maxSizeBytes: 0 });
    // A department admin changes only their subtree's users, and only into it.
    const d = await clients.deptX.post(`/api/admin/domains/${A}/users/batch-update`, { users: [u3.local, u1.local], status: 'frozen' });
    assert.deepEqual([d.json.updated, d.json.errors.map((e: any) => e.reason)], [[u3.address], ['NOT_FOUND']]);
    const out = await clients.deptX.post(`/api/admin/domains/${A}/users/batch-update`, { users: [u3.local], orgUnitId: units.y.id });
    assert.deepEqual(out.json.errors.map((e: any) => [e.field, e.reason]), [['orgUnitId', 'FORBIDDEN']]);

    const txt = await c.get(`/api/admin/domains/${A}/users.txt`);
    assert.match(txt.headers['content-type'] as string, /^text\/plain; charset=utf-8/);
    const lines = txt.text.replace(/^\uFEFF/, '').split('\r\n');
    assert.equal(lines[0], 'address\trealName\tstatus\tquotaMb\tdepartment\tsendScope\treceiveScope\thidden\tcreatedAt\tlastLoginAt\tloginName');
    assert.ok(lines.some((l) => l.startsWith(`${u2.address}\t${'对象'}`) && l.includes('\tfrozen\t300\t销售部\t')), lines.join('\n'));

    const del = await c.post(`/api/admin/domains/${A}/users/batch-delete`, { users: [u1.local, u2.local, u1.local] });
    assert.deepEqual([del.json.updated, del.json.errors], [[u1.address, u2.address], []]);
    assert.equal(await t.rt.users.byAddress(u1.address), undefined);
    assert.equal(await t.rt.users.byAddress(u2.address), undefined);
    const entries = await t.rt.store.read((tx) => tx.audit.list({ actor: `admin:admin@${A}`, limit: 10_000 }));
    for (const a of ['user.batch-update', 'user.batch-delete']) assert.ok(entries.some((e) => e.action === a && e.target === A), a);
    assert.ok(entries.some((e) => e.action === 'user.export' && e.details.format === 'txt'));
  });

  it('audits every action with who and from where', async () => {
    const c = clients.adminA;
    const o = await fresh('x1');
    await c.post(`/api/admin/users/${enc(o.address)}`, { realName: '审计' });
    await c.post(`/api/admin/users/${enc(o.address)}/freeze`, {});
    await c.post(`/api/admin/users/${enc(o.address)}/unfreeze`, {});
    await c.get(`/api/admin/domains/${A}/users.csv`);
    await c.post(`/api/admin/domains/${A}/users/batch`, { csv: `audit1,${PASSWORD}` });
    await c.post(`/api/admin/users/${enc(o.address)}/delete`, {});
    const entries = await t.rt.store.read((tx) => tx.audit.list({ actor: `admin:admin@${A}`, limit: 10_000 }));
    const actions = new Set(entries.map((e) => e.action));
    for (const a of ['admin.login', 'user.create', 'user.update', 'user.freeze', 'user.unfreeze', 'user.export', 'user.batch-add', 'user.delete']) {
      assert.ok(actions.has(a), a);
    }
    assert.ok(entries.every((e) => e.source === '127.0.0.1'));
    assert.ok(entries.some((e) => e.action === 'user.delete' && e.target === o.address));
    const dept = await t.rt.store.read((tx) => tx.audit.list({ actor: `admin:department:li@${A}`, limit: 10_000 }));
    assert.ok(dept.some((e) => e.action === 'user.create'));
    assert.equal(await t.rt.users.byAddress(o.address), undefined, 'deleted with the mail');
  });
});

async function adminLogin(c: WebClient, account: string, password: string) {
  c.csrf = (await c.get('/api/session/csrf')).json.csrfToken;
  const r = await c.post('/api/admin/session/login', { account, password });
  if (r.status === 200) c.csrf = r.json.csrfToken;
  return r;
}
