// Contact, group, import/export, autocomplete and directory routes over HTTP (issue #12 W8, W9):
// CRUD with search and paging, groups and members, a CSV import with a bad line (reported by
// line and field, the rest imported), exports as downloads, autocomplete and the org tree without
// hidden users; bad fields are 400 naming the field with nothing written; every route given
// another user's contact or group id answers 404 and leaves that user's book as it was; PUT and
// DELETE need the CSRF token like POST; no session is 401.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { PASSWORD, startTestServer, TEST_ACTOR, type TestServer } from '../../helpers/server.ts';
import { WebClient, type WebAnswer } from '../../helpers/web.ts';

const json = (c: WebClient, method: 'PUT' | 'DELETE', path: string, body?: unknown, csrf = true): Promise<WebAnswer> =>
  c.send(method, path, body === undefined ? undefined : JSON.stringify(body), {
    ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...(csrf ? { 'x-csrf-token': c.csrf } : {}),
  });

describe('web contact routes', () => {
  let t: TestServer;
  let alice: WebClient;
  let bob: WebClient;
  let bobContact: number;
  let bobGroup: number;

  before(async () => {
    t = await startTestServer({ http: true, settings: { 'security.failedLoginDelayMs': 0 } });
    await t.addUser('alice@example.cn', { realName: '艾丽斯' });
    await t.addUser('bob@example.cn');
    alice = WebClient.of(t);
    bob = WebClient.of(t);
    assert.equal((await alice.login('alice@example.cn', PASSWORD)).status, 200);
    assert.equal((await bob.login('bob@example.cn', PASSWORD)).status, 200);
    const c = await bob.post('/api/contacts', { name: 'Bob Friend', emails: ['friend@partner.test'] });
    assert.equal(c.status, 200, c.text);
    bobContact = c.json.id;
    bobGroup = (await bob.post('/api/contact-groups', { name: 'Bob group', contactIds: [bobContact] })).json.id;
  });
  after(() => t?.close());

  const bobsBook = async () => {
    const r = await bob.get('/api/contacts');
    const g = await bob.get('/api/contact-groups');
    return { contacts: r.json.contacts, groups: g.json.groups };
  };

  it('adds, reads, searches, pages, edits and deletes contacts', async () => {
    const made = await alice.post('/api/contacts', {
      name: '王芳', emails: ['wf@partner.test'], phones: [{ kind: 'mobile', number: '+86 138 0000 0000' }],
      company: '伙伴公司', department: '销售部', title: '经理', address: '北京', birthday: '1990-05-01', notes: '老客户',
    });
    assert.equal(made.status, 200, made.text);
    assert.deepEqual(Object.keys(made.json).sort(), ['address', 'birthday', 'company', 'createdAt', 'department', 'emails', 'groupIds', 'id', 'name', 'notes', 'phones', 'title', 'updatedAt']);
    for (const [name, email] of [['Ann', 'ann@x.test'], ['Bea', 'bea@x.test'], ['Cy', 'cy@x.test']]) {
      assert.equal((await alice.post('/api/contacts', { name, emails: [email] })).status, 200);
    }
    const page = await alice.get('/api/contacts?pageSize=2&page=2');
    assert.deepEqual([page.json.total, page.json.contacts.map((c: { name: string }) => c.name)], [4, ['Cy', '王芳']]);
    assert.deepEqual((await alice.get(`/api/contacts?search=${encodeURIComponent('伙伴')}`)).json.contacts.map((c: { name: string }) => c.name), ['王芳']);
    assert.equal((await alice.get(`/api/contacts/${made.json.id}`)).json.notes, '老客户');

    const put = await json(alice, 'PUT', `/api/contacts/${made.json.id}`, { title: '总监' });
    assert.equal(put.status, 200, put.text);
    assert.deepEqual([put.json.title, put.json.company], ['总监', '伙伴公司'], 'only the fields sent change');
    assert.equal((await json(alice, 'PUT', `/api/contacts/${made.json.id}`, { title: 'x' }, false)).status, 403, 'PUT needs the CSRF token');
    assert.equal((await json(alice, 'DELETE', `/api/contacts/${made.json.id}`, undefined, false)).status, 403, 'DELETE needs the CSRF token');
    assert.equal((await json(alice, 'DELETE', `/api/contacts/${made.json.id}`)).status, 200);
    assert.equal((await alice.get(`/api/contacts/${made.json.id}`)).status, 404);
    const ids = (await alice.get('/api/contacts')).json.contacts.map((c: { id: number }) => c.id);
    assert.deepEqual((await alice.post('/api/contacts/delete', { ids })).json, { deleted: 3 });
  });

  it('refuses bad fields with 400 naming the field, writing nothing', async () => {
    const bad: Array<[unknown, string]> = [
      [{ name: 'x' }, 'emails'], [{ emails: [] }, 'emails'], [{ emails: ['not an address'] }, 'emails.0'],
      [{ emails: ['a@x.test', 5] }, 'emails.1'], [{ emails: ['a@x.test'], birthday: '1990-13-01' }, 'birthday'],
      [{ emails: ['a@x.test'], phones: [{ kind: 'pager', number: '1' }] }, 'phones.0.kind'],
      [{ emails: ['a@x.test'], phones: [{ kind: 'work', number: 'call me' }] }, 'phones.0.number'],
      [{ emails: ['a@x.test'], colour: 'blue' }, 'colour'], [{ emails: ['a@x.test'], company: 'x'.repeat(101) }, 'company'],
      [{ emails: ['a@x.test'], groupIds: ['g'] }, 'groupIds.0'],
    ];
    for (const [body, field] of bad) {
      const r = await alice.post('/api/contacts', body);
      assert.equal(r.status, 400, `${JSON.stringify(body)}: ${r.text}`);
      assert.equal(r.json.error.code, 'INVALID_INPUT');
      assert.equal(r.json.error.field, field, JSON.stringify(body));
    }
    assert.equal((await alice.get('/api/contacts')).json.total, 0, 'nothing written');
    const badQueries: Array<[string, string]> = [['/api/contacts?pageSize=201', 'pageSize'], ['/api/contacts?groupId=x', 'groupId'], ['/api/contacts/abc', 'contactId'],
      ['/api/contacts/export?format=pdf', 'format'], ['/api/contacts/autocomplete', 'q']];
    for (const [path, field] of badQueries) {
      const r = await alice.get(path);
      assert.equal(r.status, 400, path);
      assert.equal(r.json.error.field, field, path);
    }
    const g = await alice.post('/api/contact-groups', { name: ' ' });
    assert.deepEqual([g.status, g.json.error.field], [400, 'name']);
    const imp = await alice.post('/api/contacts/import', { format: 'csv', text: 'a,b\n', duplicates: 'replace' });
    assert.deepEqual([imp.status, imp.json.error.field], [400, 'duplicates']);
    const noEmail = await alice.post('/api/contacts/import', { format: 'csv', text: 'name,phone\nx,1\n', duplicates: 'ignore' });
    assert.deepEqual([noEmail.status, noEmail.json.error.field], [400, 'csv']);
  });

  it('groups: create, rename, members, recipients, delete (contacts stay)', async () => {
    const a = (await alice.post('/api/contacts', { name: 'A', emails: ['a@x.test'] })).json.id;
    const b = (await alice.post('/api/contacts', { name: 'B', emails: ['b@x.test'] })).json.id;
    const g = await alice.post('/api/contact-groups', { name: '同事', contactIds: [a] });
    assert.equal(g.status, 200, g.text);
    assert.equal((await alice.post('/api/contact-groups', { name: '同事' })).status, 409);
    assert.deepEqual((await alice.post(`/api/contact-groups/${g.json.id}/members`, { ids: [a, b] })).json, { added: 1 });
    assert.deepEqual((await alice.get(`/api/contact-groups/${g.json.id}/recipients`)).json.recipients.map((r: { address: string }) => r.address), ['a@x.test', 'b@x.test']);
    assert.deepEqual((await alice.get(`/api/contacts?groupId=${g.json.id}`)).json.total, 2);
    assert.deepEqual((await alice.post(`/api/contact-groups/${g.json.id}/members/remove`, { ids: [a] })).json, { removed: 1 });
    assert.equal((await json(alice, 'PUT', `/api/contact-groups/${g.json.id}`, { name: '同事们' })).json.name, '同事们');
    assert.equal((await json(alice, 'DELETE', `/api/contact-groups/${g.json.id}`)).status, 200);
    assert.deepEqual((await alice.get('/api/contact-groups')).json.groups, []);
    assert.equal((await alice.get('/api/contacts')).json.total, 2);
    await alice.post('/api/contacts/delete', { ids: [a, b] });
  });

  it('imports CSV with a bad line reported, exports CSV and vCard as downloads', async () => {
    const csv = '姓名,邮箱地址,手机,分组\r\n张三,zs@x.test,13800000000,同事\r\n李四,not-an-address,,同事\r\n王五,ww@x.test,,\r\n';
    const r = await alice.post('/api/contacts/import', { format: 'csv', text: csv, duplicates: 'ignore' });
    assert.equal(r.status, 200, r.text);
    assert.deepEqual([r.json.created, r.json.updated, r.json.skipped], [2, 0, 0]);
    assert.deepEqual(r.json.errors.map((e: { line: number; field: string }) => [e.line, e.field]), [[3, 'emails.0']]);
    const again = await alice.post('/api/contacts/import', { format: 'csv', text: csv, duplicates: 'overwrite' });
    assert.deepEqual([again.json.created, again.json.updated], [0, 2]);

    const out = await alice.get('/api/contacts/export?format=csv');
    assert.equal(out.status, 200);
    assert.match(String(out.headers['content-type']), /^text\/csv; charset=utf-8/);
    assert.match(String(out.headers['content-disposition']), /^attachment; filename="contacts\.csv"/);
    assert.match(out.text, /^name,email,mobile,/, 'fetch drops the BOM the file starts with (csv.test.ts checks it)');
    assert.match(out.text, /\r\n张三,zs@x\.test,13800000000,,,,,,,,,,,同事\r\n/);
    const vcf = await alice.get('/api/contacts/export?format=vcard3');
    assert.match(String(vcf.headers['content-type']), /^text\/vcard/);
    assert.equal(vcf.text.match(/VERSION:3\.0/g)!.length, 2);
    const ids = (await alice.get('/api/contacts')).json.contacts.map((c: { id: number }) => c.id);
    assert.equal((await alice.get(`/api/contacts/export?format=vcard4&ids=${ids[0]}`)).text.match(/BEGIN:VCARD/g)!.length, 1);
    const big = await alice.post('/api/contacts/import', { format: 'csv', text: `email\n${'x'.repeat(300 * 1024)}\n`, duplicates: 'ignore' });
    assert.equal(big.status, 200, 'the import route takes more than the 256 KB default body');
    assert.deepEqual(big.json.errors.map((e: { field: string }) => e.field), ['emails.0']);
    await alice.post('/api/contacts/delete', { ids });
  });

  it('autocomplete merges contacts, the directory and lists; the directory tree leaves hidden users out', async () => {
    const rt = t.rt;
    const unit = await rt.orgs.add(TEST_ACTOR, 'example.cn', { name: '研发部' });
    await t.addUser('carol@example.cn', { realName: 'Carol' });
    await rt.orgs.setUserDepartment(TEST_ACTOR, 'carol@example.cn', unit.id);
    await t.addUser('hidden@example.cn', { realName: 'Carl Hidden' });
    await rt.users.update(TEST_ACTOR, 'hidden@example.cn', { hidden: true });
    await rt.lists.add(TEST_ACTOR, 'cars@example.cn', { description: 'Car club' });
    await alice.post('/api/contacts', { name: 'Carmen', emails: ['carmen@partner.test'] });
    const s = await alice.get('/api/contacts/autocomplete?q=car');
    assert.equal(s.status, 200, s.text);
    assert.deepEqual(s.json.suggestions.map((x: { source: string; address: string }) => `${x.source}:${x.address}`),
      ['personal:carmen@partner.test', 'directory:carol@example.cn', 'list:cars@example.cn']);
    const tree = await alice.get('/api/directory');
    assert.equal(tree.status, 200, tree.text);
    assert.deepEqual(tree.json.units.map((u: { name: string; users: Array<{ address: string }> }) => [u.name, u.users.map((p) => p.address)]), [['研发部', ['carol@example.cn']]]);
    assert.ok(!JSON.stringify(tree.json).includes('hidden@'), 'hidden user left out');
    assert.deepEqual(tree.json.lists, [{ address: 'cars@example.cn', description: 'Car club' }]);
    const added = await alice.post('/api/contacts/add', { people: [{ name: 'Carol', email: 'carol@example.cn' }, { email: 'carmen@partner.test' }] });
    assert.deepEqual(added.json, { added: 1, existing: 1 });
    const badAdd = await alice.post('/api/contacts/add', { people: [{ email: 'nope' }] });
    assert.deepEqual([badAdd.status, badAdd.json.error.field], [400, 'people.0.email']);
  });

  it("every route given bob's ids answers 404 to alice and leaves bob's book alone", async () => {
    const before = await bobsBook();
    const c = `/api/contacts/${bobContact}`;
    const g = `/api/contact-groups/${bobGroup}`;
    const own = (await alice.post('/api/contacts', { name: 'Own', emails: ['own@x.test'] })).json.id;
    const answers: Array<[string, Promise<WebAnswer>]> = [
      ['GET contact', alice.get(c)],
      ['PUT contact', json(alice, 'PUT', c, { name: 'stolen' })],
      ['DELETE contact', json(alice, 'DELETE', c)],
      ['POST delete', alice.post('/api/contacts/delete', { ids: [own, bobContact] })],
      ['GET list of group', alice.get(`/api/contacts?groupId=${bobGroup}`)],
      ['POST contact into group', alice.post('/api/contacts', { emails: ['x@x.test'], groupIds: [bobGroup] })],
      ['PUT contact groups', json(alice, 'PUT', `/api/contacts/${own}`, { groupIds: [bobGroup] })],
      ['PUT group', json(alice, 'PUT', g, { name: 'stolen' })],
      ['DELETE group', json(alice, 'DELETE', g)],
      ['POST members', alice.post(`${g}/members`, { ids: [own] })],
      ['POST own group with bob contact', alice.post('/api/contact-groups', { name: 'mine', contactIds: [bobContact] })],
      ['POST members remove', alice.post(`${g}/members/remove`, { ids: [bobContact] })],
      ['GET recipients', alice.get(`${g}/recipients`)],
      ['GET export group', alice.get(`/api/contacts/export?groupId=${bobGroup}`)],
      ['GET export ids', alice.get(`/api/contacts/export?ids=${bobContact}`)],
      ['POST import into group', alice.post('/api/contacts/import', { format: 'csv', text: 'email\nz@x.test\n', duplicates: 'ignore', groupId: bobGroup })],
      ['POST add into group', alice.post('/api/contacts/add', { people: [{ email: 'y@x.test' }], groupId: bobGroup })],
    ];
    for (const [what, p] of answers) {
      const r = await p;
      assert.equal(r.status, 404, `${what}: ${r.text}`);
      assert.equal(r.json.error.code, 'NOT_FOUND', what);
    }
    assert.deepEqual(await bobsBook(), before, "bob's book unchanged");
    assert.deepEqual((await alice.get('/api/contacts')).json.contacts.map((x: { emails: string[] }) => x.emails[0]).includes('x@x.test'), false, 'nothing half-written');
    const anon = new WebClient(alice.base);
    for (const path of ['/api/contacts', '/api/contact-groups', '/api/directory', '/api/contacts/autocomplete?q=a', '/api/contacts/export']) {
      assert.equal((await anon.get(path)).status, 401, path);
    }
  });

  it('is in the OpenAPI document', async () => {
    const doc = (await alice.get('/api/openapi.json')).json;
    for (const p of ['/api/contacts', '/api/contacts/{contactId}', '/api/contact-groups/{groupId}/members', '/api/directory']) assert.ok(doc.paths[p], p);
    assert.ok(doc.paths['/api/contacts/{contactId}'].put && doc.paths['/api/contacts/{contactId}'].delete);
  });
});
