import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { decodePlain, decodeResponse, mayLogIn, runSasl } from './sasl.ts';

const opts = { cramMd5: true, hostname: 'mx.test' };
const b = (s: string) => Buffer.from(s);

describe('SASL PLAIN (RFC 4616)', () => {
  it('takes authcid, or authzid alone, and refuses acting as another identity', () => {
    assert.deepEqual(decodePlain(b('\0alice\0pw')), { ok: true, credentials: { kind: 'password', username: 'alice', password: 'pw' } });
    assert.deepEqual(decodePlain(b('alice\0alice\0pw')), { ok: true, credentials: { kind: 'password', username: 'alice', password: 'pw' } });
    assert.deepEqual(decodePlain(b('alice\0\0pw')), { ok: true, credentials: { kind: 'password', username: 'alice', password: 'pw' } });
    assert.deepEqual(decodePlain(b('bob\0alice\0pw')), { ok: false, reason: 'proxy' });
    for (const bad of ['alice\0pw', '\0\0pw', 'a\0b\0c\0d', '\0al\nice\0pw']) assert.equal(decodePlain(b(bad)).ok, false, JSON.stringify(bad));
  });
});

describe('runSasl', () => {
  const script = (answers: Array<string | undefined>) => {
    const asked: string[] = [];
    return { asked, ask: async (c: string) => { asked.push(c); const a = answers.shift(); return a === undefined ? undefined : b(a); } };
  };

  it('runs LOGIN as two questions, and CRAM-MD5 with a fresh challenge naming the host', async () => {
    const login = script(['alice', 'pw']);
    assert.deepEqual(await runSasl('login', undefined, login.ask, opts), { ok: true, credentials: { kind: 'password', username: 'alice', password: 'pw' } });
    assert.deepEqual(login.asked, ['Username:', 'Password:']);
    const cram = script(['alice 0123456789abcdef0123456789abcdef']);
    const r = await runSasl('CRAM-MD5', undefined, cram.ask, opts);
    assert.ok(r.ok && r.credentials.kind === 'cram-md5' && r.credentials.username === 'alice');
    assert.match(cram.asked[0]!, /^<[0-9a-f]{24}\.\d+@mx\.test>$/);
    assert.notEqual((await runSasl('CRAM-MD5', undefined, script(['x y']).ask, opts) as { credentials: { challenge: string } }).credentials.challenge, cram.asked[0]);
  });

  it('says why it stops: unsupported, cancelled, malformed', async () => {
    assert.deepEqual(await runSasl('XOAUTH2', undefined, script([]).ask, opts), { ok: false, reason: 'unsupported' });
    assert.deepEqual(await runSasl('CRAM-MD5', undefined, script([]).ask, { ...opts, cramMd5: false }), { ok: false, reason: 'unsupported' });
    assert.deepEqual(await runSasl('PLAIN', undefined, script([undefined]).ask, opts), { ok: false, reason: 'cancelled' });
    assert.deepEqual(await runSasl('CRAM-MD5', b('x'), script([]).ask, opts), { ok: false, reason: 'malformed' });
  });

  it('decodes responses and knows when a password may travel', () => {
    assert.equal(decodeResponse('*'), undefined);
    assert.equal(decodeResponse('not base64!'), undefined);
    assert.equal(decodeResponse('YWxpY2U=')?.toString(), 'alice');
    assert.equal(mayLogIn(false, { security: { allowPlaintextAuth: false } }), false);
    assert.equal(mayLogIn(true, { security: { allowPlaintextAuth: false } }), true);
    assert.equal(mayLogIn(false, { security: { allowPlaintextAuth: true } }), true);
  });
});
