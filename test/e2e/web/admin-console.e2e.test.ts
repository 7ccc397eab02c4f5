// Admin consoles over HTTP (issue #14, second slice): domain information (A2), org structure (A4),
// department admins (A5), mailing lists (A6), monitoring rules (A7), the operation log and traffic (A9). The authorisation matrix
// of every one of these routes × {super admin, domain admin of A, domain admin of B, department
// admin of A/x, plain user, anonymous} × {own object, another domain's, another department's},
// every cell asserted; then CSRF on every state change, bad fields, the super admin's limits, what
// deleting a department does to its users, a department admin made here logging in to their
// subtree only, list members and export, and the audit trail with its filters and paging.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { OrgUnitId } from '../../../src/core/ids.ts';
import { PASSWORD, TEST_ACTOR, startTestServer, type TestServer } from '../../helpers/server.ts';
import { WebClient } from '../../helpers/web.ts';
import { CONSOLE_PATHS } from './admin-matrix.ts';

const A = 'example.cn';
/** A 1×1 PNG as a data: URL. */
const PNG = 'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==';
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
type Need = 'user' | 'unit' | 'list' | 'deptAdmin' | 'customer' | 'monitor';
/** One cell's object: its place, and what the route needs made fresh there. */
interface Target {
  domain: string; placeId: number; path: string;
  user: string; local: string;
  unitId: number; unitPath: string;
  list: string;
  deptAdmin: string;
  /** A customer book entry and a category of the place's domain (the book is per domain). */
  customerId: number; customerEmail: string; categoryId: number;
  monitor: string;
}
type Outcome = number | 'listed' | 'absent';

describe('admin consoles: domain, org, department admins, lists, log', () => {
  let t: TestServer;
  const units = {} as Record<Place, { id: OrgUnitId; domain: string; path: string }>;
  const clients = {} as Record<Actor, WebClient>;
  let n = 0;
  const fresh = async (place: Place, needs: readonly Need[]): Promise<Target> => {
    const u = units[place];
    const k = ++n;
    const o: Target = { domain: u.domain, placeId: u.id, path: u.path, user: '', local: '', unitId: 0, unitPath: '', list: '', deptAdmin: '', customerId: 0, customerEmail: '', categoryId: 0, monitor: '' };
    if (needs.includes('user') || needs.includes('deptAdmin') || needs.includes('monitor')) {
      o.local = `m${k}`;
      o.user = `${o.local}@${u.domain}`;
      await t.rt.users.add(TEST_ACTOR, o.user, { password: PASSWORD, orgUnitId: u.id, realName: `成员${k}` });
    }
    if (needs.includes('deptAdmin')) {
      await t.rt.admins.createDepartmentAdmin(TEST_ACTOR, u.domain, u.id, o.local, PASSWORD);
      o.deptAdmin = o.local;
    }
    if (needs.includes('unit')) {
      const unit = await t.rt.orgs.add(TEST_ACTOR, u.domain, { name: `组${k}`, parentId: u.id });
      o.unitId = unit.id;
      o.unitPath = `${u.path}/组${k}`;
    }
    if (needs.includes('monitor')) {
      o.monitor = (await t.rt.console.monitors.add(TEST_ACTOR, u.domain, { name: `监控${k}`, direction: 'both', watch: { kind: 'domain' }, copyTo: [o.user] })).id;
    }
    if (needs.includes('list')) {
      o.list = `list${k}@${u.domain}`;
      await t.rt.lists.add(TEST_ACTOR, o.list, { description: `列表${k}`, members: [`member${k}@${u.domain}`] });
    }
    if (needs.includes('customer')) {
      const cat = await t.rt.console.customers.createCategory(TEST_ACTOR, u.domain, `分类${k}`);
      o.customerEmail = `kehu${k}@client.example`;
      o.customerId = (await t.rt.console.customers.add(TEST_ACTOR, u.domain, { name: `客户${k}`, email: o.customerEmail, categoryId: cat.id })).id;
      o.categoryId = cat.id;
    }
    return o;
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
    for (const d of [A, B]) await t.rt.console.webmail.setLogo(TEST_ACTOR, d, 'afterLogin', PNG);
  });
  after(() => t.close());

  // ── The matrix ──────────────────────────────────────────────────────────────────────────────
  const status = (r: { status: number }): number => r.status;
  const listed = (r: { status: number; text: string }, needle: string): Outcome => (r.status !== 200 ? r.status : r.text.includes(needle) ? 'listed' : 'absent');
  /** Department-reach routes: the department admin works in their subtree and does not see another department. */
  const reach = (ok: Outcome, otherDeptForDept: Outcome): Record<Actor, [Outcome, Outcome, Outcome]> => ({
    super: [ok, ok, ok], adminA: [ok, 403, ok], adminB: [ok, 403, 403], deptX: [ok, 403, otherDeptForDept], user: [401, 401, 401], anon: [401, 401, 401],
  });
  /** Domain-level routes: no department admin at all. */
  const domainLevel = (ok: Outcome): Record<Actor, [Outcome, Outcome, Outcome]> => ({ ...reach(ok, 403), deptX: [403, 403, 403] });
  const enc = encodeURIComponent;
  const routes: Array<{ key: string; needs: Need[]; call: (c: WebClient, o: Target) => Promise<Outcome>; expect: Record<Actor, [Outcome, Outcome, Outcome]> }> = [
    // Domain information and the log (A2, A9)
    { key: 'get /api/admin/domains/{domain}/info', needs: [], call: async (c, o) => status(await c.get(`/api/admin/domains/${o.domain}/info`)), expect: domainLevel(200) },
    { key: 'post /api/admin/domains/{domain}/info', needs: [], call: async (c, o) => status(await c.post(`/api/admin/domains/${o.domain}/info`, { companyName: `公司${++n}` })), expect: domainLevel(200) },
    { key: 'get /api/admin/domains/{domain}/audit', needs: ['user'], call: async (c, o) => listed(await c.get(`/api/admin/domains/${o.domain}/audit?target=${o.local}@`), `"${o.user}"`), expect: domainLevel('listed') },
    // Webmail settings (A8)
    { key: 'get /api/admin/domains/{domain}/webmail', needs: [], call: async (c, o) => status(await c.get(`/api/admin/domains/${o.domain}/webmail`)), expect: domainLevel(200) },
    { key: 'post /api/admin/domains/{domain}/webmail', needs: [],
      call: async (c, o) => status(await c.post(`/api/admin/domains/${o.domain}/webmail`, { announcement: { enabled: true, title: `公告${++n}`, body: '' } })), expect: domainLevel(200) },
    { key: 'get /api/admin/domains/{domain}/webmail/logos/{slot}', needs: [], call: async (c, o) => status(await c.get(`/api/admin/domains/${o.domain}/webmail/logos/afterLogin`)), expect: domainLevel(200) },
    { key: 'post /api/admin/domains/{domain}/webmail/logos/{slot}', needs: [],
      call: async (c, o) => status(await c.post(`/api/admin/domains/${o.domain}/webmail/logos/beforeLogin`, { image: PNG })), expect: domainLevel(200) },
    // The customer book (A8 客户通讯录)
    { key: 'get /api/admin/domains/{domain}/webmail/customers', needs: ['customer'],
      call: async (c, o) => listed(await c.get(`/api/admin/domains/${o.domain}/webmail/customers?pageSize=200`), `"${o.customerEmail}"`), expect: domainLevel('listed') },
    { key: 'post /api/admin/domains/{domain}/webmail/customers', needs: [],
      call: async (c, o) => status(await c.post(`/api/admin/domains/${o.domain}/webmail/customers`, { name: '新客户', email: `new${++n}@client.example` })), expect: domainLevel(200) },
    { key: 'post /api/admin/domains/{domain}/webmail/customers/{id}', needs: ['customer'],
      call: async (c, o) => status(await c.post(`/api/admin/domains/${o.domain}/webmail/customers/${o.customerId}`, { name: '改名', email: o.customerEmail })), expect: domainLevel(200) },
    { key: 'post /api/admin/domains/{domain}/webmail/customers/delete', needs: ['customer'],
      call: async (c, o) => status(await c.post(`/api/admin/domains/${o.domain}/webmail/customers/delete`, { ids: [o.customerId] })), expect: domainLevel(200) },
    { key: 'post /api/admin/domains/{domain}/webmail/customers/import', needs: [],
      call: async (c, o) => status(await c.post(`/api/admin/domains/${o.domain}/webmail/customers/import`, { csv: `导入${++n},imp${n}@client.example` })), expect: domainLevel(200) },
    { key: 'get /api/admin/domains/{domain}/webmail/customers.csv', needs: ['customer'],
      call: async (c, o) => listed(await c.get(`/api/admin/domains/${o.domain}/webmail/customers.csv`), o.customerEmail), expect: domainLevel('listed') },
    { key: 'get /api/admin/domains/{domain}/webmail/customers-sample.csv', needs: [],
      call: async (c, o) => status(await c.get(`/api/admin/domains/${o.domain}/webmail/customers-sample.csv`)), expect: domainLevel(200) },
    { key: 'post /api/admin/domains/{domain}/webmail/customer-categories', needs: [],
      call: async (c, o) => status(await c.post(`/api/admin/domains/${o.domain}/webmail/customer-categories`, { name: `类${++n}` })), expect: domainLevel(200) },
    { key: 'post /api/admin/domains/{domain}/webmail/customer-categories/{id}', needs: ['customer'],
      call: async (c, o) => status(await c.post(`/api/admin/domains/${o.domain}/webmail/customer-categories/${o.categoryId}`, { name: `改类${++n}` })), expect: domainLevel(200) },
    { key: 'post /api/admin/domains/{domain}/webmail/customer-categories/{id}/delete', needs: ['customer'],
      call: async (c, o) => status(await c.post(`/api/admin/domains/${o.domain}/webmail/customer-categories/${o.categoryId}/delete`, {})), expect: domainLevel(200) },
    // Org structure (A4)
    { key: 'get /api/admin/domains/{domain}/org', needs: ['unit'], call: async (c, o) => listed(await c.get(`/api/admin/domains/${o.domain}/org`), `"path":"${o.unitPath}"`), expect: reach('listed', 'absent') },
    { key: 'post /api/admin/domains/{domain}/org', needs: [], call: async (c, o) => status(await c.post(`/api/admin/domains/${o.domain}/org`, { name: `新${++n}`, parentId: o.placeId })), expect: reach(200, 404) },
    { key: 'post /api/admin/org/{id}', needs: ['unit'], call: async (c, o) => status(await c.post(`/api/admin/org/${o.unitId}`, { name: `改${++n}`, sortOrder: 3 })), expect: reach(200, 404) },
    { key: 'post /api/admin/org/{id}/delete', needs: ['unit'], call: async (c, o) => status(await c.post(`/api/admin/org/${o.unitId}/delete`, { usersTo: 'parent' })), expect: reach(200, 404) },
    { key: 'post /api/admin/domains/{domain}/org/move-users', needs: ['user', 'unit'],
      call: async (c, o) => status(await c.post(`/api/admin/domains/${o.domain}/org/move-users`, { users: [o.user], to: o.unitId })), expect: reach(200, 404) },
    // Department admins (A5)
    { key: 'get /api/admin/domains/{domain}/department-admins', needs: ['deptAdmin'],
      call: async (c, o) => listed(await c.get(`/api/admin/domains/${o.domain}/department-admins`), `"account":"${o.user}"`), expect: domainLevel('listed') },
    { key: 'post /api/admin/domains/{domain}/department-admins', needs: ['user'],
      call: async (c, o) => status(await c.post(`/api/admin/domains/${o.domain}/department-admins`, { username: o.local, orgUnitId: o.placeId, password: PASSWORD })), expect: domainLevel(200) },
    { key: 'post /api/admin/domains/{domain}/department-admins/{username}', needs: ['deptAdmin'],
      call: async (c, o) => status(await c.post(`/api/admin/domains/${o.domain}/department-admins/${o.deptAdmin}`, { password: 'Ky7#pass2026' })), expect: domainLevel(200) },
    { key: 'post /api/admin/domains/{domain}/department-admins/{username}/delete', needs: ['deptAdmin'],
      call: async (c, o) => status(await c.post(`/api/admin/domains/${o.domain}/department-admins/${o.deptAdmin}/delete`, {})), expect: domainLevel(200) },
    // Mailing lists (A6)
    { key: 'get /api/admin/domains/{domain}/lists', needs: ['list'], call: async (c, o) => listed(await c.get(`/api/admin/domains/${o.domain}/lists`), `"${o.list}"`), expect: domainLevel('listed') },
    { key: 'post /api/admin/domains/{domain}/lists', needs: [], call: async (c, o) => status(await c.post(`/api/admin/domains/${o.domain}/lists`, { name: `new${++n}`, description: '新列表' })), expect: domainLevel(200) },
    { key: 'get /api/admin/domains/{domain}/lists.csv', needs: ['list'], call: async (c, o) => listed(await c.get(`/api/admin/domains/${o.domain}/lists.csv`), o.list), expect: domainLevel('listed') },
    { key: 'get /api/admin/lists/{address}', needs: ['list'], call: async (c, o) => status(await c.get(`/api/admin/lists/${enc(o.list)}`)), expect: domainLevel(200) },
    { key: 'post /api/admin/lists/{address}', needs: ['list'], call: async (c, o) => status(await c.post(`/api/admin/lists/${enc(o.list)}`, { visibility: 'private' })), expect: domainLevel(200) },
    { key: 'post /api/admin/lists/{address}/delete', needs: ['list'], call: async (c, o) => status(await c.post(`/api/admin/lists/${enc(o.list)}/delete`, {})), expect: domainLevel(200) },
    { key: 'post /api/admin/lists/{address}/members', needs: ['list'],
      call: async (c, o) => status(await c.post(`/api/admin/lists/${enc(o.list)}/members`, { text: `a${++n}@${o.domain}\nb${n}@peer.example`, canSend: false })), expect: domainLevel(200) },
    { key: 'post /api/admin/lists/{address}/members/remove', needs: ['list'],
      call: async (c, o) => status(await c.post(`/api/admin/lists/${enc(o.list)}/members/remove`, { member: `member${o.list.match(/\d+/)![0]}@${o.domain}` })), expect: domainLevel(200) },
    // Monitoring rules and traffic (A7, A9)
    { key: 'get /api/admin/domains/{domain}/monitors', needs: ['monitor'], call: async (c, o) => listed(await c.get(`/api/admin/domains/${o.domain}/monitors`), `"id":"${o.monitor}"`), expect: domainLevel('listed') },
    { key: 'post /api/admin/domains/{domain}/monitors', needs: ['user'],
      call: async (c, o) => status(await c.post(`/api/admin/domains/${o.domain}/monitors`, { name: `新监控${++n}`, direction: 'out', watch: { kind: 'user', address: o.user }, copyTo: [o.user] })), expect: domainLevel(200) },
    { key: 'post /api/admin/domains/{domain}/monitors/{id}', needs: ['monitor'],
      call: async (c, o) => status(await c.post(`/api/admin/domains/${o.domain}/monitors/${o.monitor}`, { name: `改${++n}`, direction: 'in', watch: { kind: 'domain' }, copyTo: [o.user], enabled: false })), expect: domainLevel(200) },
    { key: 'post /api/admin/domains/{domain}/monitors/{id}/delete', needs: ['monitor'],
      call: async (c, o) => status(await c.post(`/api/admin/domains/${o.domain}/monitors/${o.monitor}/delete`, {})), expect: domainLevel(200) },
    { key: 'get /api/admin/domains/{domain}/traffic', needs: [], call: async (c, o) => status(await c.get(`/api/admin/domains/${o.domain}/traffic`)), expect: domainLevel(200) },
  ];

  for (const route of routes) {
    it(`authorisation matrix: ${route.key}`, async () => {
      const got = {} as Record<Actor, Outcome[]>;
      for (const actor of ACTORS) {
        got[actor] = [];
        for (const obj of OBJS) got[actor].push(await route.call(clients[actor], await fresh(PLACES[actor][obj], route.needs)));
      }
      assert.deepEqual(got, route.expect);
    });
  }

  it('the matrix covers every console route the app serves', async () => {
    const doc = (await WebClient.of(t).get('/api/openapi.json')).json;
    const served = Object.entries(doc.paths).filter(([p]) => CONSOLE_PATHS.test(p))
      .flatMap(([p, ops]) => Object.keys(ops as object).map((m) => `${m} ${p}`)).sort();
    assert.deepEqual(served, routes.map((r) => r.key).sort());
  });

  // ── Each state change checks CSRF ───────────────────────────────────────────────────────────
  it('checks the CSRF token on every state change', async () => {
    const o = await fresh('x1', ['user', 'unit', 'list', 'deptAdmin', 'customer', 'monitor']);
    const posts: Array<[string, unknown]> = [
      [`/api/admin/domains/${A}/monitors`, { name: 'csrf', direction: 'both', watch: { kind: 'domain' }, copyTo: [o.user] }],
      [`/api/admin/domains/${A}/monitors/${o.monitor}`, { name: 'csrf', direction: 'both', watch: { kind: 'domain' }, copyTo: [o.user] }],
      [`/api/admin/domains/${A}/monitors/${o.monitor}/delete`, {}],
      [`/api/admin/domains/${A}/info`, { companyName: 'x' }],
      [`/api/admin/domains/${A}/org`, { name: 'csrf' }], [`/api/admin/org/${o.unitId}`, { name: 'csrf' }], [`/api/admin/org/${o.unitId}/delete`, {}],
      [`/api/admin/domains/${A}/org/move-users`, { users: [o.user], to: null }],
      [`/api/admin/domains/${A}/department-admins`, { username: o.local, orgUnitId: o.placeId, password: PASSWORD }],
      [`/api/admin/domains/${A}/department-admins/${o.deptAdmin}`, { password: 'Zz9#other2026' }],
      [`/api/admin/domains/${A}/department-admins/${o.deptAdmin}/delete`, {}],
      [`/api/admin/domains/${A}/lists`, { name: 'csrf' }], [`/api/admin/lists/${enc(o.list)}`, { description: 'x' }],
      [`/api/admin/lists/${enc(o.list)}/delete`, {}], [`/api/admin/lists/${enc(o.list)}/members`, { text: `x@${A}` }],
      [`/api/admin/lists/${enc(o.list)}/members/remove`, { member: `x@${A}` }],
      [`/api/admin/domains/${A}/webmail`, { ssoUrl: 'https://sso.example.cn/' }], [`/api/admin/domains/${A}/webmail/logos/loginBackground`, { image: PNG }],
      [`/api/admin/domains/${A}/webmail/customers`, { email: 'csrf@client.example' }], [`/api/admin/domains/${A}/webmail/customers/${o.customerId}`, { email: 'x@client.example' }],
      [`/api/admin/domains/${A}/webmail/customers/delete`, { ids: [o.customerId] }], [`/api/admin/domains/${A}/webmail/customers/import`, { csv: 'x,x@client.example' }],
      [`/api/admin/domains/${A}/webmail/customer-categories`, { name: 'csrf' }], [`/api/admin/domains/${A}/webmail/customer-categories/${o.categoryId}`, { name: 'csrf' }],
      [`/api/admin/domains/${A}/webmail/customer-categories/${o.categoryId}/delete`, {}],
    ];
    for (const [path, body] of posts) {
      for (const csrf of [false, 'x'.repeat(43), clients.user.csrf] as const) {
        const r = await clients.adminA.post(path, body, { csrf });
        assert.equal(r.status, 403, `${path} ${String(csrf)}`);
        assert.equal(r.json.error.code, 'CSRF_REJECTED');
      }
    }
    assert.ok(await t.rt.orgs.get(o.unitId as OrgUnitId), 'nothing was done');
    assert.deepEqual((await t.rt.console.monitors.list(TEST_ACTOR, A)).filter((m) => m.name === 'csrf'), []);
    assert.equal((await t.rt.lists.show(o.list)).list.description.startsWith('列表'), true);
  });

  it('answers bad fields with 400 (or the refusal) naming the field', async () => {
    const o = await fresh('x1', ['user', 'unit', 'list']);
    const c = clients.adminA;
    const cases: Array<[Promise<{ status: number; json: any }>, number, string]> = [
      [c.post(`/api/admin/domains/${A}/info`, { defaultQuotaMb: -1 }), 400, 'defaultQuotaMb'],
      [c.post(`/api/admin/domains/${A}/webmail/customers`, { name: '坏' }), 400, 'email'],
      [c.post(`/api/admin/domains/${A}/webmail/customers`, { email: 'not-an-address' }), 400, 'email'],
      [c.post(`/api/admin/domains/${A}/webmail/customers`, { email: 'ok@client.example', mobile: 'call me' }), 400, 'mobile'],
      [c.post(`/api/admin/domains/${A}/webmail/customers`, { email: 'ok@client.example', categoryId: 999_999 }), 404, 'categoryId'],
      [c.post(`/api/admin/domains/${A}/webmail/customer-categories`, { name: ' ' }), 400, 'name'],
      [c.post(`/api/admin/domains/${A}/info`, { feedbackAddress: 'nobody' }), 400, 'feedbackAddress'],
      [c.post(`/api/admin/domains/${A}/info`, { maxUsers: 10 }), 403, 'maxUsers'],
      [c.post(`/api/admin/domains/${A}/info`, { expiresAt: 0 }), 403, 'expiresAt'],
      [c.post(`/api/admin/domains/${A}/org`, { name: '' }), 400, 'name'],
      [c.post(`/api/admin/domains/${A}/org`, { name: '前端组', parentId: units.x1.id, extra: 1 }), 400, 'extra'],
      [c.post(`/api/admin/domains/${A}/org`, { name: '销售部' }), 409, 'name'],
      [c.post(`/api/admin/domains/${A}/org`, { name: 'ok', parentId: 999_999 }), 404, 'parentId'],
      [c.post(`/api/admin/domains/${A}/org`, { name: 'ok', leader: `nobody@${A}` }), 404, 'leader'],
      [c.post(`/api/admin/org/${units.x1.id}`, { parentId: o.unitId }), 400, 'parentId'],
      [c.post(`/api/admin/org/${o.unitId}/delete`, { usersTo: 'sky' }), 400, 'usersTo'],
      [c.post(`/api/admin/domains/${A}/org/move-users`, { users: [], to: null }), 400, 'users'],
      [c.post(`/api/admin/domains/${A}/org/move-users`, { users: [`nobody@${A}`], to: null }), 404, 'users'],
      [c.post(`/api/admin/domains/${A}/org/move-users`, { users: [o.user], to: 999_999 }), 404, 'to'],
      [c.post(`/api/admin/domains/${A}/department-admins`, { username: o.local, orgUnitId: units.y.id, password: PASSWORD }), 400, 'username'],
      [c.post(`/api/admin/domains/${A}/department-admins`, { username: o.local, orgUnitId: o.placeId, password: '123' }), 400, 'password'],
      [c.post(`/api/admin/domains/${A}/department-admins`, { username: o.local, orgUnitId: 999_999, password: PASSWORD }), 404, 'orgUnitId'],
      [c.post(`/api/admin/domains/${A}/lists`, { name: 'has space' }), 400, 'name'],
      [c.post(`/api/admin/domains/${A}/lists`, { name: o.local }), 409, 'name'],
      [c.post(`/api/admin/domains/${A}/lists`, { name: 'vis', visibility: 'secret' }), 400, 'visibility'],
      [c.post(`/api/admin/lists/${enc(o.list)}/members`, { text: '' }), 400, 'text'],
      [c.get(`/api/admin/domains/${A}/audit?pageSize=1000`), 400, 'pageSize'],
      [c.get(`/api/admin/domains/${A}/audit?action=DROP TABLE`), 400, 'action'],
    ];
    for (const [p, code, field] of cases) {
      const r = await p;
      assert.equal(r.status, code, `${field}: ${JSON.stringify(r.json)}`);
      assert.equal(r.json.error.field, field, JSON.stringify(r.json));
    }
  });

  // ── Domain information ──────────────────────────────────────────────────────────────────────
  it('shows the limits and usage; the domain admin changes defaults, the super admin the limits', async () => {
    const before = (await clients.adminB.get(`/api/admin/domains/${B}/info`)).json;
    assert.equal(before.users, await t.rt.users.count({ domain: B }));
    assert.equal(before.name, B);
    const r = await clients.adminB.post(`/api/admin/domains/${B}/info`, { defaultQuotaMb: 300, allowRegistration: true, companyName: '另一家公司', feedbackAddress: `it@${B}` });
    assert.equal(r.status, 200);
    assert.deepEqual([r.json.defaultQuotaMb, r.json.allowRegistration, r.json.companyName, r.json.feedbackAddress], [300, true, '另一家公司', `it@${B}`]);
    const s = await clients.super.post(`/api/admin/domains/${B}/info`, { maxUsers: 500, maxSizeMb: 2048, maxLists: 9 });
    assert.deepEqual([s.json.maxUsers, s.json.maxSizeMb, s.json.maxLists], [500, 2048, 9]);
    const d = await t.rt.store.read((tx) => tx.domains.byName(B));
    assert.equal(d?.defaultQuotaBytes, 300 * 1048576);
    await t.rt.domains.update(TEST_ACTOR, B, { maxUsers: 0, maxSizeBytes: 0, maxLists: 0 });
  });

  // ── Webmail settings ────────────────────────────────────────────────────────────────────────
  it('stores the webmail settings, signature and strong-password switch; the webmail reads the public part', async () => {
    const c = clients.adminB;
    const all = {
      loginTemplate: 'business-blue', customLoginField: { enabled: true, label: '工号' },
      announcement: { enabled: true, title: '系统维护通知', body: '本周六 22:00 维护。' },
      welcome: { enabled: true, subject: '欢迎(user)使用企业邮箱', body: '（user），您好！' },
      homeLinks: [{ title: 'OA', url: 'https://oa.other.cn/' }, { title: '官网', url: 'http://www.other.cn' }],
      sendCharset: 'gb18030', ssoUrl: 'https://sso.other.cn/webmail/oauth', signature: { text: '-- \n另一家公司', html: '<p>另一家公司</p>' }, strongPasswords: false,
    };
    const r = await c.post(`/api/admin/domains/${B}/webmail`, all);
    assert.equal(r.status, 200, r.text);
    const { logos, ...rest } = (await c.get(`/api/admin/domains/${B}/webmail`)).json;
    assert.deepEqual(rest, all);
    assert.deepEqual(logos.afterLogin && [logos.afterLogin.type, logos.afterLogin.bytes], ['image/png', 70]);
    assert.equal((await t.rt.store.read((tx) => tx.domains.byName(B)))?.strongPasswords, false, "the domain's own switch");
    assert.equal((await c.post(`/api/admin/domains/${B}/users`, { name: 'weakpw', password: 'abc12345' })).status, 200, 'weak passwords now allowed');
    await c.post(`/api/admin/domains/${B}/webmail`, { strongPasswords: true });
    assert.equal((await c.post(`/api/admin/domains/${B}/users`, { name: 'weakpw2', password: 'abc12345' })).status, 400);
    const d = (await t.rt.store.read((tx) => tx.domains.byName(B)))!;
    assert.deepEqual(await t.rt.store.read((tx) => tx.settings.get(`domain:${d.id}`, 'signature')), all.signature, 'where outgoing mail finds it');
    assert.deepEqual(await t.rt.console.webmail.welcomeLetter(B, '王五'), { subject: '欢迎王五使用企业邮箱', body: '王五，您好！' });
    // 发送欢迎信: the letter, "(user)" filled in, is in the new user's inbox; without the tick, nothing.
    for (const [name, send] of [['wangwu', true], ['zhaoliu', false]] as const) {
      assert.equal((await c.post(`/api/admin/domains/${B}/users`, { name, password: 'Wu5#mail2026', realName: name === 'wangwu' ? '王五' : '赵六', sendWelcome: send })).status, 200);
      const u = (await t.rt.users.byAddress(`${name}@${B}`))!;
      const inbox = await t.rt.mailboxes.messages((await t.rt.mailboxes.require(u.id, 'INBOX')).id);
      assert.deepEqual(inbox.map((m) => m.subject), send ? ['欢迎王五使用企业邮箱'] : []);
    }

    const bads: Array<[unknown, string]> = [
      [{ ssoUrl: 'javascript:alert(1)' }, 'ssoUrl'], [{ homeLinks: [{ title: 'x', url: 'ftp://x' }] }, 'homeLinks'], [{ loginTemplate: 'nope' }, 'loginTemplate'],
      [{ sendCharset: 'ebcdic' }, 'sendCharset'], [{ customLoginField: { enabled: true, label: ' ' } }, 'customLoginField'], [{ colour: 'red' }, 'colour'],
    ];
    for (const [body, field] of bads) {
      const b = await c.post(`/api/admin/domains/${B}/webmail`, body);
      assert.deepEqual([b.status, b.json.error.field], [400, field], JSON.stringify(body));
    }
    const svg = `data:image/svg+xml;base64,${Buffer.from('<svg onload="alert(1)"/>').toString('base64')}`;
    const fake = `data:image/png;base64,${Buffer.from('GIF89a not a png').toString('base64')}`;
    const huge = `data:image/png;base64,${Buffer.concat([Buffer.from(PNG.slice(22), 'base64'), Buffer.alloc(257 * 1024)]).toString('base64')}`;
    for (const image of [svg, fake, huge, 'not a data url']) {
      const b = await c.post(`/api/admin/domains/${B}/webmail/logos/beforeLogin`, { image });
      assert.deepEqual([b.status, b.json.error.field], [400, 'image'], image.slice(0, 30));
    }
    assert.equal((await c.post(`/api/admin/domains/${B}/webmail/logos/beforeLogin`, { image: PNG })).json.logos.beforeLogin.type, 'image/png');

    const anon = WebClient.of(t);
    const brand = (await anon.get(`/api/branding/${B}`)).json;
    assert.deepEqual(brand, {
      domain: B, loginTemplate: 'business-blue', customLoginField: '工号', announcement: { title: '系统维护通知', body: '本周六 22:00 维护。' },
      homeLinks: all.homeLinks, logos: ['afterLogin', 'beforeLogin'],
    });
    assert.ok(!JSON.stringify(brand).includes('sso'), 'no settings beyond what users see');
    const img = await anon.get(`/api/branding/${B}/logos/beforeLogin`);
    assert.deepEqual([img.status, img.headers['content-type']], [200, 'image/png']);
    assert.equal((await anon.get(`/api/branding/${B}/logos/loginBackground`)).status, 404);
    assert.equal((await anon.get('/api/branding/nowhere.cn')).status, 404);
    assert.equal((await c.post(`/api/admin/domains/${B}/webmail/logos/beforeLogin`, { image: null })).json.logos.beforeLogin, null);
    const audit = await t.rt.store.read((tx) => tx.audit.list({ actor: `admin:admin@${B}`, limit: 1000 }));
    for (const a of ['domain.webmail', 'domain.logo.set', 'domain.logo.delete', 'domain.update']) assert.ok(audit.some((e) => e.action === a), a);
    assert.ok(!JSON.stringify(audit).includes(PNG.slice(30, 60)), 'no image data in the log');
  });

  // ── Org structure ───────────────────────────────────────────────────────────────────────────
  it('deleting a department keeps its users: moved to the parent, or to no department; sub-departments move up', async () => {
    const c = clients.adminA;
    const top = (await c.post(`/api/admin/domains/${A}/org`, { name: '临时部', sortOrder: 5 })).json;
    const mid = (await c.post(`/api/admin/domains/${A}/org`, { name: '中间组', parentId: top.id })).json;
    const low = (await c.post(`/api/admin/domains/${A}/org`, { name: '底层组', parentId: mid.id })).json;
    for (const [name, unit] of [['tmp1', mid.id], ['tmp2', top.id]] as const) await t.rt.users.add(TEST_ACTOR, `${name}@${A}`, { password: PASSWORD, orgUnitId: unit });
    assert.equal((await c.post(`/api/admin/org/${mid.id}/delete`, { usersTo: 'parent' })).status, 200);
    assert.equal((await t.rt.users.byAddress(`tmp1@${A}`))?.orgUnitId, top.id, 'to the parent');
    assert.equal((await t.rt.orgs.get(low.id))?.parentId, top.id, 'the child moved up');
    assert.equal((await c.post(`/api/admin/org/${top.id}/delete`, { usersTo: 'none' })).status, 200);
    assert.equal((await t.rt.users.byAddress(`tmp2@${A}`))?.orgUnitId, null, 'to no department');
    assert.equal((await t.rt.users.byAddress(`tmp1@${A}`))?.orgUnitId, null);
    const tree = (await c.get(`/api/admin/domains/${A}/org`)).json;
    assert.ok(tree.noDepartment >= 2);
    assert.equal(tree.units.find((u: any) => u.id === low.id).parentId, null, 'top level now');
    const none = (await c.get(`/api/admin/domains/${A}/users?department=0&search=tmp`)).json;
    assert.deepEqual(none.users.map((u: any) => u.address).sort(), [`tmp1@${A}`, `tmp2@${A}`]);
  });

  it('changes name, parent, order and leader, and moves users; a department admin keeps to their subtree', async () => {
    const c = clients.adminA;
    const o = await fresh('y', ['user', 'unit']);
    const r = await c.post(`/api/admin/org/${o.unitId}`, { name: '渠道组', sortOrder: -1, leader: o.user, parentId: units.x1.id });
    assert.equal(r.status, 200, r.text);
    assert.deepEqual([r.json.name, r.json.sortOrder, r.json.leader.address, r.json.path], ['渠道组', -1, o.user, '研发部/前端组/渠道组']);
    assert.equal((await c.post(`/api/admin/domains/${A}/org/move-users`, { users: [o.user], to: o.unitId })).json.moved, 1);
    const inUnit = (await c.get(`/api/admin/domains/${A}/users?department=${o.unitId}`)).json;
    assert.deepEqual(inUnit.users.map((u: any) => u.address), [o.user]);
    const d = clients.deptX;
    const own = (await d.get('/api/admin/session/me')).json.admin.orgUnitId;
    assert.equal((await d.post(`/api/admin/org/${own}`, { name: '改自己' })).status, 403, 'not their own unit');
    assert.equal((await d.post(`/api/admin/org/${own}/delete`, {})).status, 403);
    const sub = (await d.post(`/api/admin/domains/${A}/org`, { name: `子组${++n}`, parentId: own })).json;
    assert.equal((await d.post(`/api/admin/org/${sub.id}/delete`, { usersTo: 'none' })).json.error.field, 'usersTo', 'users stay in reach');
    assert.equal((await d.post(`/api/admin/org/${sub.id}/delete`, { usersTo: 'parent' })).status, 200);
    assert.equal((await d.post(`/api/admin/domains/${A}/org`, { name: '顶层' })).json.error.field, 'parentId', 'no top-level departments');
    assert.equal((await d.post(`/api/admin/domains/${A}/org/move-users`, { users: [o.user], to: null })).status, 403, 'no "no department"');
    assert.equal((await d.post(`/api/admin/org/${o.unitId}`, { parentId: units.y.id })).json.error.field, 'parentId', 'not out of the subtree');
    const tree = (await d.get(`/api/admin/domains/${A}/org`)).json;
    assert.equal(tree.noDepartment, null);
    assert.deepEqual(tree.units.filter((u: any) => u.parentId === null).map((u: any) => u.path), ['研发部']);
    assert.ok(!tree.units.some((u: any) => u.path.startsWith('销售部')));
    assert.equal((await d.get(`/api/admin/domains/${A}/users?department=${units.y.id}`)).status, 403);
  });

  // ── Department admins ───────────────────────────────────────────────────────────────────────
  it('a department admin made in the console logs in to their subtree only; moving them ends their sessions', async () => {
    const c = clients.adminA;
    const o = await fresh('y', ['user']);
    const inX1 = await fresh('x1', ['user']);
    const made = await c.post(`/api/admin/domains/${A}/department-admins`, { username: o.local, orgUnitId: units.y.id, password: 'Dept#2026pass' });
    assert.equal(made.status, 200, made.text);
    assert.deepEqual([made.json.account, made.json.department], [o.user, '销售部']);
    const dc = WebClient.of(t);
    assert.equal((await adminLogin(dc, o.user, 'Dept#2026pass')).status, 200);
    const users = (await dc.get(`/api/admin/domains/${A}/users?pageSize=200`)).json.users.map((u: any) => u.department);
    assert.ok(users.length > 0 && users.every((p: string) => p.startsWith('销售部')), JSON.stringify(users));
    assert.equal((await dc.get(`/api/admin/users/${enc(inX1.user)}`)).status, 404, 'another department is out of sight');
    assert.equal((await dc.get(`/api/admin/domains/${A}/lists`)).status, 403);
    // Another department: the user must be in it first.
    assert.equal((await c.post(`/api/admin/domains/${A}/department-admins/${o.local}`, { orgUnitId: units.x1.id })).json.error.field, 'username');
    await t.rt.orgs.setUserDepartment(TEST_ACTOR, o.user, units.x1.id);
    const moved = await c.post(`/api/admin/domains/${A}/department-admins/${o.local}`, { orgUnitId: units.x1.id });
    assert.deepEqual([moved.status, moved.json.department], [200, '研发部/前端组']);
    assert.equal((await dc.get('/api/admin/session/me')).status, 401, 'their reach changed: log in again');
    assert.equal((await adminLogin(dc, o.user, 'Dept#2026pass')).json.admin.department, '前端组');
    assert.equal((await c.post(`/api/admin/domains/${A}/department-admins/${o.local}/delete`, {})).status, 200);
    assert.equal((await adminLogin(WebClient.of(t), o.user, 'Dept#2026pass')).status, 401);
    assert.ok(await t.rt.users.byAddress(o.user), 'the mailbox stays');
  });

  // ── Mailing lists ───────────────────────────────────────────────────────────────────────────
  it('adds a list with members and rights, batch-adds with a report, exports, and enforces the list limit', async () => {
    const c = clients.adminB;
    const add = await c.post(`/api/admin/domains/${B}/lists`, {
      name: 'gaoguan', description: '高管', visibility: 'private', members: [{ address: `ceo@${B}`, canSend: true, canReceive: true }],
    });
    assert.equal(add.status, 200, add.text);
    const batch = await c.post(`/api/admin/lists/gaoguan%40${B}/members`, { text: `cfo@${B}\n bad@@x ;cto@${B}，gaoguan@${B}`, canSend: false, canReceive: true });
    assert.deepEqual(batch.json.added, [`cfo@${B}`, `cto@${B}`]);
    assert.deepEqual(batch.json.errors.map((e: any) => e.entry), ['bad@@x', `gaoguan@${B}`]);
    const detail = (await c.get(`/api/admin/lists/gaoguan%40${B}`)).json;
    assert.deepEqual(detail.members.map((m: any) => [m.address, m.canSend, m.canReceive]),
      [[`ceo@${B}`, true, true], [`cfo@${B}`, false, true], [`cto@${B}`, false, true]]);
    assert.equal(detail.visibility, 'private');
    const csv = (await c.get(`/api/admin/domains/${B}/lists.csv`)).text;
    assert.match(csv, new RegExp(`gaoguan@${B},高管,private,cfo@${B},no,yes`));
    assert.equal((await c.post(`/api/admin/lists/gaoguan%40${B}/members/remove`, { member: `cfo@${B}` })).status, 200);
    assert.equal((await c.post(`/api/admin/lists/gaoguan%40${B}/members/remove`, { member: `cfo@${B}` })).status, 404);
    const lists = (await c.get(`/api/admin/domains/${B}/lists`)).json.lists;
    await t.rt.domains.update(TEST_ACTOR, B, { maxLists: lists.length });
    const over = await c.post(`/api/admin/domains/${B}/lists`, { name: 'one-more' });
    assert.deepEqual([over.status, over.json.error.code], [409, 'LIMIT_REACHED']);
    await t.rt.domains.update(TEST_ACTOR, B, { maxLists: 0 });
  });

  // ── The operation log ───────────────────────────────────────────────────────────────────────
  it('audits every change with its domain; the log filters and pages, and shows no other domain', async () => {
    const c = clients.adminA;
    const o = await fresh('x1', ['user', 'unit', 'list']);
    await c.post(`/api/admin/org/${o.unitId}`, { name: `审计${++n}` });
    await c.post(`/api/admin/domains/${A}/org/move-users`, { users: [o.user], to: o.unitId });
    await c.post(`/api/admin/lists/${enc(o.list)}`, { description: '审计' });
    await c.get(`/api/admin/domains/${A}/lists.csv`);
    await c.post(`/api/admin/domains/${A}/info`, { companyName: '审计公司' });
    const mine = (await c.get(`/api/admin/domains/${A}/audit?actor=admin:admin@${A}&pageSize=200`)).json;
    const actions = new Set(mine.entries.map((e: any) => e.action));
    for (const a of ['org.rename', 'user.department', 'list.update', 'list.export', 'domain.update', 'org.create', 'admin.create', 'list.create']) assert.ok(actions.has(a), a);
    assert.ok(mine.entries.every((e: any) => e.actor === `admin:admin@${A}` && e.source === '127.0.0.1'));
    const all = (await c.get(`/api/admin/domains/${A}/audit?pageSize=200`)).json;
    assert.ok(all.entries.every((e: any) => e.target === A || e.target.endsWith(`@${A}`)), 'only this domain');
    const lists = (await c.get(`/api/admin/domains/${A}/audit?action=list.&pageSize=200`)).json;
    assert.ok(lists.total > 0 && lists.entries.every((e: any) => e.action.startsWith('list.')));
    const p1 = (await c.get(`/api/admin/domains/${A}/audit?pageSize=3&page=1`)).json;
    const p2 = (await c.get(`/api/admin/domains/${A}/audit?pageSize=3&page=2`)).json;
    assert.equal(p1.total, all.total);
    assert.deepEqual(p1.entries.length, 3);
    assert.ok(p1.entries[2].id !== p2.entries[0].id && p1.entries[2].at >= p2.entries[0].at, 'pages follow each other');
    const now = Date.now();
    assert.equal((await c.get(`/api/admin/domains/${A}/audit?since=${now + 60_000}`)).json.total, 0);
    assert.equal((await c.get(`/api/admin/domains/${A}/audit?until=1`)).json.total, 0);
  });
});

async function adminLogin(c: WebClient, account: string, password: string) {
  c.csrf = (await c.get('/api/session/csrf')).json.csrfToken;
  const r = await c.post('/api/admin/session/login', { account, password });
  if (r.status === 200) c.csrf = r.json.csrfToken;
  return r;
}
