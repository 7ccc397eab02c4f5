// Web sessions over HTTP: login (CSRF double submit first), bad input naming the field, wrong
// passwords, cookie flags, me, logout ending the session, CSRF on every state change, JSON only,
// a frozen user's session ending, and the failed-login throttle shared with IMAP.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ImapFlow } from 'imapflow';
import { PASSWORD, TEST_ACTOR, startTestServer, type TestServer } from '../../helpers/server.ts';
import { WebClient } from '../../helpers/web.ts';

describe('web session', () => {
  let t: TestServer;
  before(async () => {
    t = await startTestServer({ http: true, settings: { 'security.failedLoginDelayMs': 0 } });
    await t.addUser('alice@example.cn', { realName: '张丽' });
  });
  after(() => t.close());

  it('logs in with the CSRF token, sets a strict HttpOnly cookie, and knows the user', async () => {
    const web = WebClient.of(t);
    const r = await web.login('alice@example.cn', PASSWORD);
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(Object.keys(r.json).sort(), ['csrfToken', 'modules', 'user']);
    assert.equal(r.json.user.address, 'alice@example.cn');
    assert.equal(r.json.user.realName, '张丽');
    assert.equal(JSON.stringify(r.json).includes('passwordHash'), false);
    const sid = (r.headers['set-cookie'] as string[]).find((c) => c.startsWith('youju_sid='))!;
    for (const flag of ['HttpOnly', 'SameSite=Strict', 'Path=/']) assert.match(sid, new RegExp(flag), flag);
    assert.doesNotMatch(sid, /Secure/, 'not Secure over plain HTTP');
    const me = await web.get('/api/session/me');
    assert.equal(me.status, 200);
    assert.equal(me.json.user.address, 'alice@example.cn');
    assert.equal(me.json.csrfToken, web.csrf);
  });

  it('refuses a login without the double-submit CSRF token', async () => {
    const web = WebClient.of(t);
    await web.get('/api/session/csrf');
    for (const csrf of [false, 'x'.repeat(43)] as const) {
      const r = await web.post('/api/session/login', { address: 'alice@example.cn', password: PASSWORD }, { csrf });
      assert.equal(r.status, 403, String(csrf));
      assert.equal(r.json.error.code, 'CSRF_REJECTED');
    }
    assert.equal(web.cookies.has('youju_sid'), false);
  });

  it('answers a wrong password and bad fields with catalogue errors naming the field', async () => {
    const web = WebClient.of(t);
    const wrong = await web.login('alice@example.cn', 'wrong password');
    assert.equal(wrong.status, 401);
    assert.equal(wrong.json.error.code, 'AUTH_FAILED');
    const nobody = await web.login('nobody@example.cn', PASSWORD);
    assert.deepEqual(nobody.json, wrong.json, 'an unknown user looks the same');
    const bad: Array<[unknown, string]> = [
      [{ address: '', password: 'x' }, 'address'],
      [{ address: 'alice@example.cn' }, 'password'],
      [{ address: 'alice@example.cn', password: 5 }, 'password'],
      [{ address: 'alice@example.cn', password: 'x', admin: true }, 'admin'],
      [{ address: 'a'.repeat(321), password: 'x' }, 'address'],
    ];
    for (const [body, field] of bad) {
      const r = await web.post('/api/session/login', body);
      assert.equal(r.status, 400, JSON.stringify(body));
      assert.equal(r.json.error.code, 'INVALID_INPUT');
      assert.equal(r.json.error.field, field, JSON.stringify(body));
    }
    const notJson = await web.post('/api/session/login', '{"address":"alice@example.cn","password":"x"}', { contentType: 'text/plain' });
    assert.equal(notJson.status, 415, 'only JSON bodies: a cross-site form cannot post one');
    const broken = await web.post('/api/session/login', '{"address":', {});
    assert.equal(broken.status, 400);
    assert.equal(broken.json.error.code, 'INVALID_INPUT');
  });

  it('requires a session and the CSRF header for state changes; logout ends the session everywhere', async () => {
    const anon = WebClient.of(t);
    const me = await anon.get('/api/session/me');
    assert.equal(me.status, 401);
    assert.equal(me.json.error.code, 'AUTH_REQUIRED');
    const web = WebClient.of(t);
    await web.login('alice@example.cn', PASSWORD);
    const copy = new WebClient(web.base);
    for (const [k, v] of web.cookies) copy.cookies.set(k, v);
    const noHeader = await web.post('/api/session/logout', {}, { csrf: false });
    assert.equal(noHeader.status, 403);
    const cookieAsHeader = await web.post('/api/session/logout', {}, { csrf: 'y'.repeat(43) });
    assert.equal(cookieAsHeader.status, 403);
    assert.equal((await web.get('/api/session/me')).status, 200, 'still logged in');
    const out = await web.post('/api/session/logout', {});
    assert.equal(out.status, 200);
    assert.equal(web.cookies.has('youju_sid'), false, 'cookie cleared');
    assert.equal((await copy.get('/api/session/me')).status, 401, 'the old cookie is dead too');
  });

  it("ends a frozen user's session", async () => {
    await t.addUser('frozen@example.cn');
    const web = WebClient.of(t);
    assert.equal((await web.login('frozen@example.cn', PASSWORD)).status, 200);
    await t.rt.users.freeze(TEST_ACTOR, 'frozen@example.cn');
    assert.equal((await web.get('/api/session/me')).status, 401);
  });
});

describe('web login and the shared failed-login throttle', () => {
  let t: TestServer;
  before(async () => {
    t = await startTestServer({
      http: true, imap: true,
      settings: { 'security.failedLoginDelayMs': 0, 'security.loginFailuresBeforeBan': 3, 'security.allowPlaintextAuth': true },
    });
    await t.addUser('bob@example.cn');
  });
  after(() => t.close());

  it('bans an address after failed web logins, for the web and for IMAP alike', async () => {
    const web = WebClient.of(t);
    for (let i = 0; i < 3; i++) assert.equal((await web.login('bob@example.cn', 'wrong')).status, 401);
    const banned = await web.login('bob@example.cn', PASSWORD);
    assert.equal(banned.status, 429, 'refused before the password is checked');
    assert.equal(banned.json.error.code, 'LOGIN_BANNED');
    const imap = new ImapFlow({ host: '127.0.0.1', port: t.config.ports.imap, secure: false, auth: { user: 'bob@example.cn', pass: PASSWORD }, logger: false });
    await assert.rejects(imap.connect(), 'IMAP from the same address is banned too');
  });
});
