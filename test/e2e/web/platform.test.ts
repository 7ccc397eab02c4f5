// The web platform: `/` → /webmail/, security headers, the OpenAPI document (every route with
// schemas), catalogue errors as JSON, HTTPS with the server's certificate (Secure cookies, HSTS).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startTestServer, type TestServer } from '../../helpers/server.ts';
import { WebClient } from '../../helpers/web.ts';

describe('web platform', () => {
  let t: TestServer;
  before(async () => { t = await startTestServer({ http: true }); });
  after(() => t.close());

  it('listens on http and https and redirects / to the webmail', async () => {
    const roles = t.server.listeners.map((l) => l.role);
    assert.ok(roles.includes('http') && roles.includes('https'), roles.join(','));
    const web = WebClient.of(t);
    const root = await web.get('/');
    assert.equal(root.status, 302);
    assert.equal(root.headers.location, '/webmail/');
    assert.equal((await web.get('/webmail')).headers.location, '/webmail/');
    const page = await web.get('/webmail/');
    assert.equal(page.status, 200);
    assert.match(String(page.headers['content-type']), /text\/html/);
  });

  it('sends the security headers on every answer', async () => {
    const web = WebClient.of(t);
    for (const path of ['/webmail/', '/api/session/csrf', '/api/nothing', '/api/openapi.json']) {
      const r = await web.get(path);
      const csp = String(r.headers['content-security-policy']);
      assert.match(csp, /default-src 'self'/, path);
      assert.match(csp, /script-src 'self'(;|$)/, `${path}: no inline scripts`);
      assert.match(csp, /frame-ancestors 'none'/, path);
      assert.match(csp, /object-src 'none'/, path);
      assert.equal(r.headers['x-frame-options'], 'DENY', path);
      assert.equal(r.headers['x-content-type-options'], 'nosniff', path);
      assert.equal(r.headers['referrer-policy'], 'no-referrer', path);
      assert.equal(r.headers['strict-transport-security'], undefined, `${path}: no HSTS over plain HTTP`);
    }
    assert.equal((await web.get('/api/session/csrf')).headers['cache-control'], 'no-store');
  });

  it('answers unknown API paths with a catalogue error', async () => {
    const r = await WebClient.of(t).get('/api/nothing/here');
    assert.equal(r.status, 404);
    assert.equal(r.json.error.code, 'NOT_FOUND');
  });

  it('serves an OpenAPI 3.1 document with schemas for every route', async () => {
    const r = await WebClient.of(t).get('/api/openapi.json');
    assert.equal(r.status, 200);
    const doc = r.json;
    assert.equal(doc.openapi, '3.1.0');
    const ops = Object.entries(doc.paths as Record<string, Record<string, any>>).flatMap(([p, byMethod]) => Object.entries(byMethod).map(([m, op]) => ({ p, m, op })));
    const names = ops.map((o) => `${o.m.toUpperCase()} ${o.p}`).sort();
    for (const want of ['POST /api/session/login', 'POST /api/session/logout', 'GET /api/session/me', 'GET /api/folders',
      'GET /api/folders/{folderId}/messages', 'GET /api/folders/{folderId}/messages/{uid}', 'POST /api/folders/{folderId}/messages/flags',
      'POST /api/folders/{folderId}/messages/move', 'POST /api/folders/{folderId}/messages/delete']) {
      assert.ok(names.includes(want), `${want} in ${names.join(', ')}`);
    }
    for (const { p, m, op } of ops) {
      assert.ok(op.responses['200'], `${m} ${p}: 200`);
      assert.ok(op.responses['400'], `${m} ${p}: 400`);
      if (m === 'post') {
        const content = op.requestBody.content;
        assert.ok((content['application/json'] ?? content['application/octet-stream']).schema, `${m} ${p}: body schema`);
        assert.ok(op.parameters.some((x: any) => x.name === 'x-csrf-token'), `${m} ${p}: CSRF header`);
      }
      for (const name of (p.match(/\{(\w+)\}/g) ?? []).map((x) => x.slice(1, -1))) {
        assert.ok(op.parameters.some((x: any) => x.name === name && x.in === 'path'), `${m} ${p}: path parameter ${name}`);
      }
    }
    const list = doc.paths['/api/folders/{folderId}/messages'].get;
    assert.deepEqual(list.parameters.find((x: any) => x.name === 'sort').schema.enum, ['date', 'from', 'subject', 'size', 'attachment']);
    assert.ok(list.responses['200'].content['application/json'].schema.properties.messages);
  });

  it('serves HTTPS with the server certificate: Secure cookies and HSTS', async () => {
    await t.addUser('tls@example.cn');
    const web = WebClient.of(t, true);
    const r = await web.get('/api/session/csrf');
    assert.equal(r.status, 200);
    assert.equal(r.headers['strict-transport-security'], 'max-age=31536000');
    assert.match(String(r.headers['set-cookie']), /Secure/);
    const login = await web.login('tls@example.cn', 'Youju2026!x');
    assert.equal(login.status, 200);
    const sid = (login.headers['set-cookie'] as string[]).find((c) => c.startsWith('youju_sid='))!;
    for (const flag of ['HttpOnly', 'Secure', 'SameSite=Strict', 'Path=/']) assert.match(sid, new RegExp(flag), flag);
    assert.equal((await web.get('/api/session/me')).json.user.address, 'tls@example.cn');
  });
});
