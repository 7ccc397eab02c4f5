// 登录接口地址 (manual part 3 §1.8.11, FEATURES W16): another site posts `username` and `auth_key` as a
// form to /webmail/oauth (or U-Mail's /webmail/oauth.php); Youju asks the domain's verification URL
// (here a loopback HTTP server standing in for the company portal) and, when it answers
// <auth><status>ok</status></auth>, the browser has a webmail session and goes to /webmail/. A key
// the portal refuses, a frozen account, a domain without the URL, a portal that is down and a
// portal that redirects all end on the login page with ?sso=failed and no session.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { startTestServer, TEST_ACTOR, type TestServer } from '../../helpers/server.ts';
import { WebClient } from '../../helpers/web.ts';

describe('single sign-on (登录接口地址)', () => {
  let t: TestServer;
  let portal: Server;
  let portalUrl: string;
  const asked: Array<Record<string, string>> = [];

  before(async () => {
    portal = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => { body += c; });
      req.on('end', () => {
        const form = Object.fromEntries(new URLSearchParams(body));
        asked.push(form);
        if (req.url === '/redirect') { res.writeHead(302, { location: '/verify' }); res.end(); return; }
        const ok = form.auth_key === 'sda21s32';
        res.writeHead(200, { 'content-type': 'text/xml' });
        res.end(`<?xml version="1.0"?><auth><status>${ok ? 'ok' : 'fail'}</status></auth>`);
      });
    });
    await new Promise<void>((r) => portal.listen(0, '127.0.0.1', () => r()));
    portalUrl = `http://127.0.0.1:${(portal.address() as { port: number }).port}`;
    // The portal is on loopback: the host guard lets it through only with collect.allowPrivateHosts.
    t = await startTestServer({ http: true, settings: { 'security.failedLoginDelayMs': 0, 'collect.allowPrivateHosts': true } });
    await t.rt.domains.add(TEST_ACTOR, 'nosso.cn');
    await t.addUser('alice@example.cn');
    await t.addUser('frozen@example.cn');
    await t.addUser('olga@nosso.cn');
    await t.rt.users.freeze(TEST_ACTOR, 'frozen@example.cn');
    await t.rt.console.webmail.update(TEST_ACTOR, 'example.cn', { ssoUrl: `${portalUrl}/verify` });
  });
  after(async () => {
    await t?.close();
    await new Promise<void>((r) => portal.close(() => r()));
  });

  /** Posts the portal's form the way a browser would, cross-site: no CSRF token, no cookie. */
  const post = async (c: WebClient, username: string, authKey: string, path = '/webmail/oauth') =>
    c.send('POST', path, new URLSearchParams({ username, auth_key: authKey, submit: 'submit' }).toString(), { 'content-type': 'application/x-www-form-urlencoded' });

  it('logs the user in when the portal vouches for the key, and goes to the webmail', async () => {
    const c = WebClient.of(t);
    const r = await post(c, 'alice@example.cn', 'sda21s32');
    assert.equal(r.status, 303);
    assert.equal(r.headers.location, '/webmail/');
    assert.deepEqual(asked.at(-1), { username: 'alice@example.cn', auth_key: 'sda21s32' }, 'the portal got the user name and key');
    const me = await c.get('/api/session/me');
    assert.equal(me.status, 200, me.text);
    assert.equal(me.json.user.address, 'alice@example.cn');
    // The path portals built for U-Mail works too.
    const legacy = WebClient.of(t);
    assert.equal((await post(legacy, 'alice@example.cn', 'sda21s32', '/webmail/oauth.php')).headers.location, '/webmail/');
    assert.equal((await legacy.get('/api/session/me')).status, 200);
  });

  it('sends everything else back to the login page without a session', async () => {
    const cases: Array<[string, string, string]> = [
      ['a key the portal refuses', 'alice@example.cn', 'wrong'],
      ['a frozen account', 'frozen@example.cn', 'sda21s32'],
      ['a domain without the URL', 'olga@nosso.cn', 'sda21s32'],
      ['no such user', 'nobody@example.cn', 'sda21s32'],
      ['not an address', 'alice', 'sda21s32'],
      ['an empty key', 'alice@example.cn', ''],
    ];
    for (const [what, username, key] of cases) {
      const c = WebClient.of(t);
      const r = await post(c, username, key);
      assert.deepEqual([r.status, r.headers.location], [303, '/webmail/?sso=failed'], what);
      assert.equal((await c.get('/api/session/me')).status, 401, `${what}: no session`);
    }
    assert.ok(!asked.some((f) => f.username === 'olga@nosso.cn'), 'a domain without the URL asks nobody');
  });

  it('fails closed when the portal redirects or is down', async () => {
    await t.rt.console.webmail.update(TEST_ACTOR, 'example.cn', { ssoUrl: `${portalUrl}/redirect` });
    const c = WebClient.of(t);
    assert.equal((await post(c, 'alice@example.cn', 'sda21s32')).headers.location, '/webmail/?sso=failed', 'a redirect is not followed');
    await t.rt.console.webmail.update(TEST_ACTOR, 'example.cn', { ssoUrl: 'http://127.0.0.1:1/verify' });
    assert.equal((await post(c, 'alice@example.cn', 'sda21s32')).headers.location, '/webmail/?sso=failed', 'down');
    assert.equal((await c.get('/api/session/me')).status, 401);
  });

  it('never asks a loopback, private or link-local URL unless collect.allowPrivateHosts (SSRF guard)', async () => {
    await t.rt.settings.set('collect.allowPrivateHosts', false);
    try {
      const c = WebClient.of(t);
      for (const url of [`${portalUrl}/verify`, `http://localhost:${new URL(portalUrl).port}/verify`, 'http://[::1]:1/verify', 'http://169.254.169.254/latest', 'http://10.1.2.3/verify']) {
        await t.rt.console.webmail.update(TEST_ACTOR, 'example.cn', { ssoUrl: url });
        const before = asked.length;
        const r = await post(c, 'alice@example.cn', 'sda21s32');
        assert.equal(r.headers.location, '/webmail/?sso=failed', url);
        assert.equal(asked.length, before, `${url}: the portal was not asked`);
        assert.equal((await c.get('/api/session/me')).status, 401, `${url}: no session`);
      }
    } finally {
      await t.rt.settings.set('collect.allowPrivateHosts', true);
      await t.rt.console.webmail.update(TEST_ACTOR, 'example.cn', { ssoUrl: `${portalUrl}/verify` });
    }
  });

  it('keeps form bodies out of the JSON API', async () => {
    const c = WebClient.of(t);
    const r = await c.send('POST', '/api/session/login', 'address=alice%40example.cn&password=x', { 'content-type': 'application/x-www-form-urlencoded' });
    assert.equal(r.status, 415, r.text);
  });
});
