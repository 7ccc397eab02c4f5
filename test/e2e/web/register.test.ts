// Self-registration (FEATURES W2): a domain closed to it refuses; one open with approval creates a
// pending user who cannot log in until a domain admin approves (A3); one open without approval lets
// the user in at once; the password policy, the terms, a taken address and the per-address limit
// are refused with the field named where there is one.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startTestServer, TEST_ACTOR, type TestServer } from '../../helpers/server.ts';
import { WebClient } from '../../helpers/web.ts';

describe('web self-registration', () => {
  let t: TestServer;
  let anon: WebClient;
  const register = (body: Record<string, unknown>) => anon.post('/api/register', { realName: '新人', acceptTerms: true, password: 'Reg2026!abc', ...body });

  before(async () => {
    t = await startTestServer({ http: true, settings: { 'security.failedLoginDelayMs': 0 } });
    await t.rt.domains.add(TEST_ACTOR, 'open.cn', { allowRegistration: true, requireApproval: false });
    await t.rt.domains.add(TEST_ACTOR, 'vetted.cn', { allowRegistration: true, requireApproval: true });
    anon = WebClient.of(t);
    anon.csrf = (await anon.get('/api/session/csrf')).json.csrfToken;
  });
  after(() => t.close());

  it('tells the login page what each domain allows', async () => {
    assert.equal((await anon.get('/api/register/info?domain=example.cn')).json.registration, 'closed');
    assert.equal((await anon.get('/api/register/info?domain=open.cn')).json.registration, 'open');
    assert.equal((await anon.get('/api/register/info?domain=vetted.cn')).json.registration, 'approval');
    assert.equal((await anon.get('/api/register/info?domain=nowhere.test')).json.registration, 'closed');
  });

  it('registers on an open domain: the user logs in at once', async () => {
    const r = await register({ address: 'newbie@open.cn' });
    assert.deepEqual([r.status, r.json], [200, { status: 'active' }], r.text);
    assert.equal((await WebClient.of(t).login('newbie@open.cn', 'Reg2026!abc')).status, 200);
    assert.equal((await register({ address: 'newbie@open.cn' })).status, 409, 'taken');
  });

  it('with approval: pending until a domain admin approves', async () => {
    const r = await register({ address: 'wait@vetted.cn' });
    assert.deepEqual(r.json, { status: 'pending' });
    assert.equal((await WebClient.of(t).login('wait@vetted.cn', 'Reg2026!abc')).status, 403, 'pending cannot log in');
    await t.rt.users.approve(TEST_ACTOR, 'wait@vetted.cn');
    assert.equal((await WebClient.of(t).login('wait@vetted.cn', 'Reg2026!abc')).status, 200);
  });

  it('refuses closed domains, weak passwords, missing terms and bad fields; limits each address', async () => {
    const closed = await register({ address: 'x@example.cn' });
    assert.deepEqual([closed.status, closed.json.error.field], [403, 'address']);
    assert.equal((await register({ address: 'weak@open.cn', password: '123' })).json.error.code, 'PASSWORD_WEAK');
    const terms = await register({ address: 'terms@open.cn', acceptTerms: false });
    assert.deepEqual([terms.status, terms.json.error.field], [400, 'acceptTerms']);
    assert.deepEqual((await register({ address: 'n@open.cn', realName: '' })).json.error.field, 'realName');
    assert.equal((await anon.post('/api/register', { address: 'c@open.cn', password: 'Reg2026!abc', realName: 'x', acceptTerms: true }, { csrf: false })).status, 403, 'CSRF');
    // Five a client address an hour: newbie above was one.
    for (let i = 0; i < 3; i++) assert.equal((await register({ address: `bulk${i}@open.cn` })).status, 200);
    assert.equal((await register({ address: 'bulk9@open.cn' })).json.error.code, 'LIMIT_REACHED');
  });
});
