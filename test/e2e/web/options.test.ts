// Option routes over HTTP (issue #12 W14): for each area (profile, preferences, signatures, filters,
// auto-reply, auto-forward, password, security question, POP boxes) set it, read it back, and check
// that another user sees only their own (ids of another user's signatures and POP boxes are 404
// and change nothing), a bad field is 400 naming it with nothing written, and PUT/POST/DELETE
// without the CSRF token are 403. Also the compose read, the forgotten-password reset by the
// security question, and a POP box tested against this server's own POP3 listener.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { PASSWORD, startTestServer, type TestServer } from '../../helpers/server.ts';
import { WebClient, type WebAnswer } from '../../helpers/web.ts';

const send = (c: WebClient, method: 'PUT' | 'DELETE' | 'POST', path: string, body?: unknown, csrf = true): Promise<WebAnswer> =>
  c.send(method, path, body === undefined ? undefined : JSON.stringify(body), {
    ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...(csrf ? { 'x-csrf-token': c.csrf } : {}),
  });
const put = (c: WebClient, path: string, body: unknown, csrf = true) => send(c, 'PUT', path, body, csrf);

describe('web option routes', () => {
  let t: TestServer;
  let alice: WebClient;
  let bob: WebClient;

  before(async () => {
    t = await startTestServer({ http: true, pop3: true, settings: { 'security.failedLoginDelayMs': 0, 'security.allowPlaintextAuth': true } });
    await t.addUser('alice@example.cn', { realName: '艾丽斯' });
    await t.addUser('bob@example.cn');
    alice = WebClient.of(t);
    bob = WebClient.of(t);
    assert.equal((await alice.login('alice@example.cn', PASSWORD)).status, 200);
    assert.equal((await bob.login('bob@example.cn', PASSWORD)).status, 200);
  });
  after(() => t?.close());

  const badField = async (r: Promise<WebAnswer>, field: string) => {
    const a = await r;
    assert.equal(a.status, 400, a.text);
    assert.equal(a.json.error.field, field, a.text);
  };

  it('profile: set, read back, bad field, CSRF; each user their own', async () => {
    const r = await put(alice, '/api/options/profile', { realName: '艾丽斯·王', mobile: '+86 138 0000 0000', title: '经理' });
    assert.equal(r.status, 200, r.text);
    const got = (await alice.get('/api/options/profile')).json;
    assert.deepEqual([got.address, got.realName, got.mobile, got.title, got.phone], ['alice@example.cn', '艾丽斯·王', '+86 138 0000 0000', '经理', '']);
    assert.equal((await alice.get('/api/session/me')).json.user.realName, '艾丽斯·王', 'the real name is the user row\'s');
    await put(alice, '/api/options/profile', { phone: '010-1234' });
    assert.equal((await alice.get('/api/options/profile')).json.mobile, '+86 138 0000 0000', 'fields left out are kept');
    await badField(put(alice, '/api/options/profile', { mobile: 'call me' }), 'mobile');
    await badField(put(alice, '/api/options/profile', { colour: 'red' }), 'colour');
    assert.equal((await put(alice, '/api/options/profile', { title: 'x' }, false)).status, 403);
    assert.equal((await alice.get('/api/options/profile')).json.title, '经理');
    assert.equal((await bob.get('/api/options/profile')).json.mobile, '');
  });

  it('preferences: defaults from the manual, partial change, limits named', async () => {
    assert.deepEqual((await bob.get('/api/options/preferences')).json,
      { format: 'html', charset: 'utf-8', refreshMinutes: 5, pageSize: 30, saveSent: true, autoSaveRecipients: true, readingPane: 'right', conversationView: false });
    const r = await put(alice, '/api/options/preferences', { format: 'text', charset: 'gb2312', pageSize: 50 });
    assert.equal(r.status, 200, r.text);
    await put(alice, '/api/options/preferences', { saveSent: false });
    assert.deepEqual((await alice.get('/api/options/preferences')).json,
      { format: 'text', charset: 'gb2312', refreshMinutes: 5, pageSize: 50, saveSent: false, autoSaveRecipients: true, readingPane: 'right', conversationView: false });
    await badField(put(alice, '/api/options/preferences', { pageSize: 51 }), 'pageSize');
    await badField(put(alice, '/api/options/preferences', { refreshMinutes: 0 }), 'refreshMinutes');
    await badField(put(alice, '/api/options/preferences', { charset: 'big5' }), 'charset');
    assert.equal((await put(alice, '/api/options/preferences', { pageSize: 10 }, false)).status, 403);
    assert.equal((await alice.get('/api/options/preferences')).json.pageSize, 50);
    assert.equal((await bob.get('/api/options/preferences')).json.format, 'html');
  });

  it('signatures: several, one default, compose reads them; another user\'s id is 404', async () => {
    const first = await alice.post('/api/options/signatures', { name: '工作', format: 'html', content: '<p><b>王</b> 经理</p>' });
    assert.equal(first.status, 200, first.text);
    const firstId = first.json.signatures[0].id;
    assert.equal(first.json.defaultId, firstId, 'the first signature is the default');
    const second = await alice.post('/api/options/signatures', { name: '私人', content: '-- \nAlice', isDefault: true });
    const secondId = second.json.signatures[1].id;
    assert.equal(second.json.defaultId, secondId);
    const renamed = await put(alice, `/api/options/signatures/${firstId}`, { name: '工作签名' });
    assert.deepEqual(renamed.json.signatures[0], { id: firstId, name: '工作签名', format: 'html', content: '<p><b>王</b> 经理</p>' }, 'fields left out are kept');
    const compose = (await alice.get('/api/options/compose')).json;
    assert.deepEqual([compose.defaultId, compose.signatures.length, compose.preferences.format, compose.preferences.saveSent], [secondId, 2, 'text', false]);

    assert.equal((await put(bob, `/api/options/signatures/${firstId}`, { name: 'stolen' })).status, 404);
    assert.equal((await send(bob, 'DELETE', `/api/options/signatures/${firstId}`)).status, 404);
    assert.deepEqual((await bob.get('/api/options/signatures')).json, { signatures: [], defaultId: null });
    await badField(alice.post('/api/options/signatures', { name: '', content: 'x' }), 'name');
    await badField(alice.post('/api/options/signatures', { name: 'x', content: 'x', format: 'rtf' }), 'format');
    await badField(alice.post('/api/options/signatures', { name: 'x', content: 'x'.repeat(33 * 1024) }), 'content');
    assert.equal((await alice.post('/api/options/signatures', { name: 'x', content: 'x' }, { csrf: false })).status, 403);
    assert.equal((await send(alice, 'DELETE', `/api/options/signatures/${secondId}`, undefined, false)).status, 403);

    const removed = await send(alice, 'DELETE', `/api/options/signatures/${secondId}`);
    assert.deepEqual([removed.json.signatures.length, removed.json.defaultId], [1, firstId], 'the default passes to the first one left');
  });

  it('filters, auto-reply and forward: the delivery engine\'s rules, set and read back', async () => {
    const filters = [{ name: '发票', match: 'any', conditions: [{ field: 'subject', op: 'contains', value: '发票' }], actions: [{ kind: 'move', folder: 'Junk' }, { kind: 'mark-read' }] }];
    const f = await put(alice, '/api/options/filters', { filters });
    assert.equal(f.status, 200, f.text);
    assert.deepEqual((await alice.get('/api/options/filters')).json.filters, [{ ...filters[0], enabled: true }]);
    await badField(put(alice, '/api/options/filters', { filters: [{ ...filters[0], conditions: [{ field: 'body', op: 'contains', value: 'x' }] }] }), 'filters.0.conditions.0.field');
    await badField(put(alice, '/api/options/filters', { filters: [{ ...filters[0], actions: [{ kind: 'move' }] }] }), 'filters.0.actions.0.folder');
    assert.equal((await put(alice, '/api/options/filters', { filters: [] }, false)).status, 403);
    assert.equal((await alice.get('/api/options/filters')).json.filters.length, 1, 'nothing written by refused requests');
    assert.deepEqual((await bob.get('/api/options/filters')).json.filters, []);

    const start = Date.parse('2026-07-01T00:00:00+08:00');
    const a = await put(alice, '/api/options/autoreply', { enabled: true, subject: '休假中：{subject}', body: '我在休假，7 月 10 日回来。', startsAt: start, endsAt: start + 9 * 86_400_000 });
    assert.equal(a.status, 200, a.text);
    const ar = (await alice.get('/api/options/autoreply')).json;
    assert.deepEqual([ar.enabled, ar.subject, ar.startsAt, ar.intervalDays], [true, '休假中：{subject}', start, 1]);
    await badField(put(alice, '/api/options/autoreply', { enabled: true, body: 'x', startsAt: start, endsAt: start - 1 }), 'endsAt');
    await badField(put(alice, '/api/options/autoreply', { enabled: 'yes' }), 'enabled');
    assert.equal((await bob.get('/api/options/autoreply')).json.enabled, false);

    const fw = await put(alice, '/api/options/forward', { enabled: true, to: ['Boss@Partner.test'], keepCopy: false });
    assert.equal(fw.status, 200, fw.text);
    assert.deepEqual((await alice.get('/api/options/forward')).json, { enabled: true, to: ['boss@partner.test'], keepCopy: false });
    await badField(put(alice, '/api/options/forward', { enabled: true, to: [] }), 'to');
    await badField(put(alice, '/api/options/forward', { enabled: true, to: ['not an address'] }), 'to.0');
    await badField(put(alice, '/api/options/forward', { enabled: true, to: ['alice@example.cn'] }), 'to');
    assert.equal((await put(alice, '/api/options/forward', { enabled: false }, false)).status, 403);
    assert.equal((await bob.get('/api/options/forward')).json.enabled, false);
    await put(alice, '/api/options/forward', { enabled: false, to: [], keepCopy: true });
    const audit = await t.rt.store.read((tx) => tx.audit.list({ limit: 50 }));
    assert.ok(audit.some((e) => e.action === 'user.rules' && e.actor === 'user:alice@example.cn'), 'rule changes are audited');
  });

  it('password: needs the old one, follows the policy; the new one logs in; other sessions end', async () => {
    await t.addUser('carol@example.cn');
    const carol = WebClient.of(t);
    await carol.login('carol@example.cn', PASSWORD);
    const elsewhere = WebClient.of(t);
    await elsewhere.login('carol@example.cn', PASSWORD);
    await badField(put(carol, '/api/options/password', { oldPassword: 'wrong', newPassword: 'Another2026!y' }), 'oldPassword');
    await badField(put(carol, '/api/options/password', { newPassword: 'Another2026!y' }), 'oldPassword');
    assert.equal((await put(carol, '/api/options/password', { oldPassword: PASSWORD, newPassword: 'Another2026!y' }, false)).status, 403);
    const weak = await put(carol, '/api/options/password', { oldPassword: PASSWORD, newPassword: '12345678' });
    assert.deepEqual([weak.status, weak.json.error.code], [400, 'PASSWORD_WEAK'], 'the domain\'s strong-password rule applies');
    const ok = await put(carol, '/api/options/password', { oldPassword: PASSWORD, newPassword: 'Another2026!y' });
    assert.equal(ok.status, 200, ok.text);
    assert.equal((await carol.get('/api/session/me')).status, 200, 'the session that changed it goes on');
    assert.equal((await elsewhere.get('/api/session/me')).status, 401, 'the other session ended with the old password');
    assert.equal((await WebClient.of(t).login('carol@example.cn', PASSWORD)).status, 401);
    assert.equal((await WebClient.of(t).login('carol@example.cn', 'Another2026!y')).status, 200);
  });

  it('security question: needs the password, answer never returned, resets a forgotten password', async () => {
    await t.addUser('dave@example.cn');
    const dave = WebClient.of(t);
    await dave.login('dave@example.cn', PASSWORD);
    assert.deepEqual((await dave.get('/api/options/security-question')).json, { question: null });
    await badField(put(dave, '/api/options/security-question', { password: 'wrong', question: '我的小学？', answer: '实验小学' }), 'password');
    await badField(put(dave, '/api/options/security-question', { password: PASSWORD, question: '我的小学？', answer: '' }), 'answer');
    assert.equal((await put(dave, '/api/options/security-question', { password: PASSWORD, question: '我的小学？', answer: '实验小学' }, false)).status, 403);
    const set = await put(dave, '/api/options/security-question', { password: PASSWORD, question: '我的小学？', answer: ' 实验小学 ' });
    assert.equal(set.status, 200, set.text);
    assert.deepEqual((await dave.get('/api/options/security-question')).json, { question: '我的小学？' });
    assert.deepEqual((await bob.get('/api/options/security-question')).json, { question: null });
    const daveId = (await dave.get('/api/session/me')).json.user.id;
    const stored = JSON.stringify(await t.rt.store.read((tx) => tx.settings.all(`user:${daveId}`)));
    assert.match(stored, /scrypt/, 'the answer is kept as a hash');
    assert.ok(!stored.includes('实验小学'));

    const anon = WebClient.of(t);
    anon.csrf = (await anon.get('/api/session/csrf')).json.csrfToken;
    assert.deepEqual((await anon.post('/api/password-reset/question', { address: 'dave@example.cn' })).json, { question: '我的小学？' });
    assert.equal((await anon.post('/api/password-reset/question', { address: 'bob@example.cn' })).status, 404, 'no question set');
    assert.equal((await anon.post('/api/password-reset/question', { address: 'dave@example.cn' }, { csrf: false })).status, 403);
    assert.equal((await anon.post('/api/password-reset', { address: 'dave@example.cn', answer: '二小', newPassword: 'Reset2026!z' })).status, 401);
    assert.equal((await anon.post('/api/password-reset', { address: 'bob@example.cn', answer: '二小', newPassword: 'Reset2026!z' })).status, 401);
    const reset = await anon.post('/api/password-reset', { address: 'dave@example.cn', answer: '实验小学', newPassword: 'Reset2026!z' });
    assert.equal(reset.status, 200, reset.text);
    assert.equal((await dave.get('/api/session/me')).status, 401, 'a reset ends every session of the user');
    assert.equal((await dave.login('dave@example.cn', 'Reset2026!z')).status, 200);
    assert.equal((await send(dave, 'DELETE', '/api/options/security-question')).status, 200);
    assert.equal((await anon.post('/api/password-reset/question', { address: 'dave@example.cn' })).status, 404);
  });

  it('POP boxes: add, test against a real POP3 server, change, remove; passwords never come back', async () => {
    await t.addUser('remote@example.cn');
    const port = t.config.ports.pop3;
    const add = await alice.post('/api/options/pop-accounts', { host: '127.0.0.1', port, tls: 'none', username: 'remote@example.cn', password: PASSWORD, leaveOnServer: true });
    assert.equal(add.status, 200, add.text);
    assert.ok(!/password|Enc/i.test(Object.keys(add.json).join(' ')) && !add.text.includes(PASSWORD), 'no password in the answer');
    const id = add.json.id;
    const list = await alice.get('/api/options/pop-accounts');
    assert.deepEqual(list.json.accounts.map((a: { id: number; host: string }) => [a.id, a.host]), [[id, '127.0.0.1']]);
    assert.ok(!list.text.includes(PASSWORD));

    // SSRF guard: a user-typed loopback/private host is refused until collect.allowPrivateHosts is on.
    const refused = (await alice.post(`/api/options/pop-accounts/${id}/test`, {})).json;
    assert.equal(refused.ok, false);
    assert.match(refused.error, /127\.0\.0\.1 is a loopback, private or link-local address.*collect\.allowPrivateHosts/);
    const named = await alice.post('/api/options/pop-accounts', { host: 'localhost', port, tls: 'none', username: 'remote@example.cn', password: PASSWORD });
    assert.equal(named.status, 200, named.text);
    const byName = (await alice.post(`/api/options/pop-accounts/${named.json.id}/test`, {})).json;
    assert.equal(byName.ok, false);
    assert.match(byName.error, /localhost is (127\.0\.0\.1|::1), a loopback/, 'a name is checked at the address it resolves to');
    assert.equal((await send(alice, 'DELETE', `/api/options/pop-accounts/${named.json.id}`)).status, 200);
    await t.rt.settings.set('collect.allowPrivateHosts', true);

    const test = await alice.post(`/api/options/pop-accounts/${id}/test`, {});
    assert.equal(test.status, 200, test.text);
    assert.deepEqual([test.json.ok, test.json.messages], [true, 0], test.text);
    const wrong = await put(alice, `/api/options/pop-accounts/${id}`, { password: 'Wrong-pass1', enabled: false });
    assert.deepEqual([wrong.status, wrong.json.enabled], [200, false]);
    const failed = (await alice.post(`/api/options/pop-accounts/${id}/test`, {})).json;
    assert.equal(failed.ok, false);
    assert.ok(failed.error.length > 0 && !failed.error.includes('Wrong-pass1'), failed.error);

    await badField(alice.post('/api/options/pop-accounts', { host: 'pop.qq.com', username: 'x' }), 'password');
    await badField(alice.post('/api/options/pop-accounts', { host: 'bad host', username: 'x', password: 'p' }), 'host');
    await badField(put(alice, `/api/options/pop-accounts/${id}`, { port: 70000 }), 'port');
    assert.equal((await alice.post('/api/options/pop-accounts', { host: 'pop.qq.com', username: 'x', password: 'p' }, { csrf: false })).status, 403);
    for (const [m, path, body] of [['PUT', `/api/options/pop-accounts/${id}`, { host: 'evil.test' }], ['DELETE', `/api/options/pop-accounts/${id}`], ['POST', `/api/options/pop-accounts/${id}/test`, {}]] as const) {
      assert.equal((await send(bob, m, path, body)).status, 404, `${m} ${path} by another user`);
    }
    assert.deepEqual((await bob.get('/api/options/pop-accounts')).json.accounts, []);
    assert.equal((await send(alice, 'DELETE', `/api/options/pop-accounts/${id}`, undefined, false)).status, 403);
    assert.equal((await send(alice, 'DELETE', `/api/options/pop-accounts/${id}`)).status, 200);
    assert.deepEqual((await alice.get('/api/options/pop-accounts')).json.accounts, []);
  });

  it('reply templates: add, read, change, remove; another user\'s id is 404; bad input and limits name the field', async () => {
    const r = await send(alice, 'POST', '/api/options/templates', { name: '收到', format: 'html', body: '<p>已收到，谢谢！</p>' });
    assert.equal(r.status, 200, r.text);
    const id = r.json.id as number;
    assert.deepEqual([r.json.name, r.json.format, r.json.body], ['收到', 'html', '<p>已收到，谢谢！</p>']);
    const plain = await send(alice, 'POST', '/api/options/templates', { name: 'Later', body: 'I will answer tomorrow.' });
    assert.equal(plain.json.format, 'text', 'text by default');
    assert.deepEqual((await alice.get('/api/options/templates')).json.templates.map((x: { name: string }) => x.name), ['收到', 'Later'], 'oldest first');
    assert.equal((await alice.get(`/api/options/templates/${id}`)).json.name, '收到');
    const changed = await put(alice, `/api/options/templates/${id}`, { name: '已收到' });
    assert.deepEqual([changed.status, changed.json.name, changed.json.body], [200, '已收到', '<p>已收到，谢谢！</p>'], changed.text);

    // Bob can neither see nor touch Alice's templates: 404 exactly like an unknown id, and nothing changes.
    assert.deepEqual((await bob.get('/api/options/templates')).json.templates, []);
    assert.equal((await bob.get(`/api/options/templates/${id}`)).status, 404);
    assert.equal((await put(bob, `/api/options/templates/${id}`, { name: 'mine' })).status, 404);
    assert.equal((await send(bob, 'DELETE', `/api/options/templates/${id}`)).status, 404);
    assert.equal((await alice.get(`/api/options/templates/${id}`)).json.name, '已收到');
    assert.equal((await alice.get('/api/options/templates/999999')).status, 404);

    await badField(send(alice, 'POST', '/api/options/templates', { name: '', body: 'x' }), 'name');
    await badField(send(alice, 'POST', '/api/options/templates', { name: 'n', body: '' }), 'body');
    await badField(send(alice, 'POST', '/api/options/templates', { name: 'n', body: 'x', format: 'rtf' }), 'format');
    await badField(send(alice, 'POST', '/api/options/templates', { name: 'n', body: 'x', colour: 'red' }), 'colour');
    await badField(send(alice, 'POST', '/api/options/templates', { name: 'big', body: '字'.repeat(22 * 1024) }), 'body');
    await badField(put(alice, `/api/options/templates/${id}`, { body: 'x'.repeat(64 * 1024 + 1) }), 'body');
    await badField(put(alice, '/api/options/templates/abc', { name: 'x' }), 'templateId');
    assert.equal((await send(alice, 'POST', '/api/options/templates', { name: 'n', body: 'x' }, false)).status, 403, 'CSRF');
    const ok = await send(alice, 'POST', '/api/options/templates', { name: 'exactly 64 KiB', body: 'x'.repeat(64 * 1024) });
    assert.equal(ok.status, 200, 'a body of exactly 64 KiB fits');

    // At most 100 a user: the 101st is refused naming `templates`.
    for (let i = (await bob.get('/api/options/templates')).json.templates.length; i < 100; i++) {
      assert.equal((await send(bob, 'POST', '/api/options/templates', { name: `t${i}`, body: `b${i}` })).status, 200);
    }
    const over = await send(bob, 'POST', '/api/options/templates', { name: 'one more', body: 'x' });
    assert.deepEqual([over.status, over.json.error.field], [409, 'templates'], over.text);
    assert.equal((await bob.get('/api/options/templates')).json.templates.length, 100);

    assert.equal((await send(alice, 'DELETE', `/api/options/templates/${id}`, undefined, false)).status, 403);
    assert.equal((await send(alice, 'DELETE', `/api/options/templates/${id}`)).status, 200);
    assert.equal((await alice.get(`/api/options/templates/${id}`)).status, 404);
  });

  it('needs a session', async () => {
    const anon = WebClient.of(t);
    for (const p of ['profile', 'preferences', 'signatures', 'compose', 'filters', 'autoreply', 'forward', 'security-question', 'pop-accounts', 'templates']) {
      assert.equal((await anon.get(`/api/options/${p}`)).status, 401, p);
    }
  });
});
