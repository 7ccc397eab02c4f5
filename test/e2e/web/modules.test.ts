// 前台模块设置 (manual part 3 §2.3.2, issue #14 A10 / #12 W3): the super administrator switches webmail
// modules off per domain, and the webmail follows at once: /api/session/me tells the UI what to
// show, and the routes of a switched-off module answer 403 naming it, so a script cannot reach
// it either. Compose's autocomplete stops offering the switched-off book. Another domain is not
// touched; switching back on restores everything.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { PASSWORD, startTestServer, TEST_ACTOR, type TestServer } from '../../helpers/server.ts';
import { WebClient } from '../../helpers/web.ts';

describe('webmail module switches', () => {
  let t: TestServer;
  let alice: WebClient;
  let olga: WebClient;

  before(async () => {
    t = await startTestServer({ http: true, settings: { 'security.failedLoginDelayMs': 0 } });
    await t.rt.domains.add(TEST_ACTOR, 'other.cn');
    await t.addUser('alice@example.cn');
    await t.addUser('bob@example.cn', { realName: 'Bob Li' });
    await t.addUser('olga@other.cn');
    alice = WebClient.of(t);
    olga = WebClient.of(t);
    assert.equal((await alice.login('alice@example.cn', PASSWORD)).status, 200);
    assert.equal((await olga.login('olga@other.cn', PASSWORD)).status, 200);
    assert.equal((await alice.post('/api/contacts', { name: 'Bobby', emails: ['bob.private@remote.test'] })).status, 200);
  });
  after(() => t.close());

  const switches = (patch: Record<string, boolean>) => t.rt.console.super.setModules(TEST_ACTOR, 'example.cn', patch);

  it('answers 403 naming the module on every route of a switched-off module, and /me says so', async () => {
    assert.deepEqual((await alice.get('/api/session/me')).json.modules.pop, true);
    await switches({ pop: false, password: false, personalContacts: false });
    const me = (await alice.get('/api/session/me')).json.modules;
    assert.deepEqual([me.pop, me.password, me.personalContacts, me.enterpriseDirectory], [false, false, false, true]);
    const refused: Array<[string, string, unknown?]> = [
      ['GET', '/api/options/pop-accounts'], ['POST', '/api/options/pop-accounts', { host: 'pop.remote.test', user: 'x', password: 'y' }],
      ['PUT', '/api/options/password', { current: PASSWORD, password: 'Another-pass-123' }],
      ['GET', '/api/contacts'], ['POST', '/api/contacts', { name: 'X', emails: ['x@remote.test'] }], ['GET', '/api/contact-groups'],
    ];
    for (const [method, path, body] of refused) {
      const r = method === 'GET' ? await alice.get(path) : method === 'PUT' ? await alice.put(path, body) : await alice.post(path, body);
      assert.equal(r.status, 403, `${method} ${path}: ${r.text}`);
      assert.match(r.json.error.message, /module is switched off/, `${method} ${path}`);
    }
    assert.equal((await alice.get('/api/directory')).status, 200, 'the directory is still on');
    const suggestions = (await alice.get('/api/contacts/autocomplete?q=bob')).json.suggestions as Array<{ address: string; source: string }>;
    assert.ok(suggestions.some((s) => s.address === 'bob@example.cn' && s.source === 'directory'));
    assert.ok(!suggestions.some((s) => s.source === 'personal'), 'no suggestions from the switched-off personal book');
    // The other domain keeps everything.
    assert.equal((await olga.get('/api/options/pop-accounts')).status, 200);
    assert.equal((await olga.get('/api/contacts')).status, 200);
  });

  it('switching back on restores the routes and the book as it was', async () => {
    await switches({ pop: true, password: true, personalContacts: true, enterpriseDirectory: false });
    assert.equal((await alice.get('/api/options/pop-accounts')).status, 200);
    const book = await alice.get('/api/contacts');
    assert.equal(book.status, 200);
    assert.deepEqual(book.json.contacts.map((c: { name: string }) => c.name), ['Bobby']);
    assert.equal((await alice.get('/api/directory')).status, 403);
    const suggestions = (await alice.get('/api/contacts/autocomplete?q=bob')).json.suggestions as Array<{ source: string }>;
    assert.ok(suggestions.length > 0 && suggestions.every((s) => s.source !== 'directory'), JSON.stringify(suggestions));
  });
});
