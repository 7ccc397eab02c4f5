// Folder routes (FEATURES W7): create at the top and nested, rename in place (children follow),
// delete, empty Trash and Junk; system folders refused; bad names 400 naming the field; another
// user's folder ids 404 with nothing changed.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { PASSWORD, startTestServer, type TestServer } from '../../helpers/server.ts';
import { WebClient } from '../../helpers/web.ts';

describe('web folder routes', () => {
  let t: TestServer;
  let alice: WebClient;
  let bob: WebClient;
  const names = async (c: WebClient) => (await c.get('/api/folders')).json.folders.map((f: { name: string }) => f.name);
  const idOf = async (c: WebClient, name: string) => (await c.get('/api/folders')).json.folders.find((f: { name: string }) => f.name === name)?.id;

  before(async () => {
    t = await startTestServer({ http: true, settings: { 'security.failedLoginDelayMs': 0 } });
    await t.addUser('alice@example.cn');
    await t.addUser('bob@example.cn');
    alice = WebClient.of(t);
    bob = WebClient.of(t);
    assert.equal((await alice.login('alice@example.cn', PASSWORD)).status, 200);
    assert.equal((await bob.login('bob@example.cn', PASSWORD)).status, 200);
  });
  after(() => t.close());

  it('creates, nests, renames and deletes custom folders', async () => {
    const top = await alice.post('/api/folders', { name: '项目' });
    assert.equal(top.status, 200, top.text);
    assert.equal(top.json.name, '项目');
    const child = await alice.post('/api/folders', { name: '2026', parentId: top.json.id });
    assert.equal(child.json.name, '项目/2026');
    assert.equal((await alice.post('/api/folders', { name: '项目' })).status, 409);
    assert.equal((await alice.post(`/api/folders/${top.json.id}/rename`, { name: '工程' })).status, 200);
    assert.deepEqual((await names(alice)).filter((n: string) => n.startsWith('工程')), ['工程', '工程/2026']);
    assert.equal((await alice.post(`/api/folders/${top.json.id}/delete`, {})).status, 403, 'a folder with subfolders');
    assert.equal((await alice.post(`/api/folders/${child.json.id}/delete`, {})).status, 200);
    assert.equal((await alice.post(`/api/folders/${top.json.id}/delete`, {})).status, 200);
    assert.ok(!(await names(alice)).some((n: string) => n.startsWith('工程')));
  });

  it('refuses system folders, bad names, and another user\'s folders', async () => {
    const inbox = await idOf(alice, 'INBOX');
    const sent = await idOf(alice, 'Sent');
    assert.equal((await alice.post(`/api/folders/${sent}/rename`, { name: 'x' })).status, 403);
    assert.equal((await alice.post(`/api/folders/${inbox}/delete`, {})).status, 403);
    assert.equal((await alice.post(`/api/folders/${inbox}/empty`, {})).status, 403);
    for (const [body, field] of [[{ name: 'a/b' }, 'name'], [{ name: '' }, 'name'], [{ name: 'x'.repeat(101) }, 'name'], [{ name: 'INBOX' }, 'name'], [{ name: 'ok', parentId: -1 }, 'parentId']] as const) {
      const r = await alice.post('/api/folders', body);
      assert.ok(r.status === 400 || r.status === 409, `${JSON.stringify(body)} ${r.status}`);
      assert.equal(r.json.error.field, field, JSON.stringify(body));
    }
    const bobFolder = (await bob.post('/api/folders', { name: 'bob only' })).json.id;
    for (const [path, body] of [[`/api/folders/${bobFolder}/rename`, { name: 'mine' }], [`/api/folders/${bobFolder}/delete`, {}], ['/api/folders', { name: 'in bob', parentId: bobFolder }]] as const) {
      assert.equal((await alice.post(path, body)).status, 404, path);
    }
    assert.ok((await names(bob)).includes('bob only'));
    assert.equal((await alice.post('/api/folders', { name: 'x' }, { csrf: false })).status, 403, 'CSRF');
  });

  it('empties Trash for good', async () => {
    const user = (await t.rt.users.byAddress('alice@example.cn'))!;
    for (let i = 0; i < 3; i++) await t.rt.mailboxes.append(user.id, 'Trash', { raw: Buffer.from(`Subject: old ${i}\r\n\r\nx\r\n`) });
    const trash = await idOf(alice, 'Trash');
    const r = await alice.post(`/api/folders/${trash}/empty`, {});
    assert.deepEqual(r.json, { removed: 3 });
    assert.equal((await alice.get(`/api/folders/${trash}/messages`)).json.total, 0);
  });
});
