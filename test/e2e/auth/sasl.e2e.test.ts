// One SASL module for SMTP, IMAP and POP3 (issue #10 §2, §5), with real clients: Python's smtplib
// and imaplib over implicit TLS, and a raw POP3 session. PLAIN with an authorization identity other
// than the authentication identity is refused everywhere (RFC 4616 §2: no proxy login); the same
// identity in both fields, or only the authcid, logs in; LOGIN and CRAM-MD5 work on all three.
// security.allowPlaintextAuth replaces smtp.allowPlaintextAuth, and a stored old key is carried over.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { python } from '../../helpers/peers.ts';
import { RawClient } from '../../helpers/raw-client.ts';
import { PASSWORD, startTestServer, type TestServer } from '../../helpers/server.ts';
import { loadBootConfig } from '../../../src/config/boot.ts';
import { createLogger } from '../../../src/core/log/logger.ts';
import { openRuntime } from '../../../src/main.ts';

const SMTP = `
import smtplib, ssl, sys
ctx = ssl._create_unverified_context()
def attempt(mech, authobj):
    s = smtplib.SMTP_SSL('127.0.0.1', int(sys.argv[1]), context=ctx, timeout=20)
    s.ehlo('client.test')
    try:
        code, _ = s.auth(mech, authobj, initial_response_ok=True)
        print(mech, code)
    except smtplib.SMTPAuthenticationError as e:
        print(mech, e.smtp_code)
    s.quit()
pw = sys.argv[2]
attempt('PLAIN', lambda challenge=None: 'bob@example.cn\\0alice@example.cn\\0' + pw)
attempt('PLAIN', lambda challenge=None: 'alice@example.cn\\0alice@example.cn\\0' + pw)
attempt('PLAIN', lambda challenge=None: '\\0alice@example.cn\\0' + pw)
s = smtplib.SMTP_SSL('127.0.0.1', int(sys.argv[1]), context=ctx, timeout=20)
s.ehlo('client.test')
s.user, s.password = 'alice@example.cn', pw
print('LOGIN', s.auth('LOGIN', s.auth_login)[0])
s.quit()
s = smtplib.SMTP_SSL('127.0.0.1', int(sys.argv[1]), context=ctx, timeout=20)
s.ehlo('client.test')
s.user, s.password = 'alice@example.cn', pw
print('CRAM-MD5', s.auth('CRAM-MD5', s.auth_cram_md5, initial_response_ok=False)[0])
s.quit()
`;

const IMAP = `
import imaplib, ssl, sys
ctx = ssl._create_unverified_context()
pw = sys.argv[2].encode()
for who, blob in [('proxy', b'bob@example.cn\\0alice@example.cn\\0' + pw), ('same', b'alice@example.cn\\0alice@example.cn\\0' + pw)]:
    m = imaplib.IMAP4_SSL('127.0.0.1', int(sys.argv[1]), ssl_context=ctx)
    try:
        m.authenticate('PLAIN', lambda _: blob)
        print(who, 'OK')
    except imaplib.IMAP4.error as e:
        print(who, 'NO', str(e))
    m.logout()
m = imaplib.IMAP4_SSL('127.0.0.1', int(sys.argv[1]), ssl_context=ctx)
print('cram', m.login_cram_md5('alice@example.cn', sys.argv[2])[0])
m.logout()
`;

describe('one SASL module for SMTP, IMAP and POP3', () => {
  let t: TestServer;
  before(async () => {
    t = await startTestServer({ imap: true, pop3: true, settings: { 'security.allowPlaintextAuth': true } });
    await t.addUser('alice@example.cn');
    await t.addUser('bob@example.cn');
  });
  after(() => t?.close());

  it('SMTP (smtplib): PLAIN acting as another user is refused, the same identity logs in; LOGIN and CRAM-MD5 too', async () => {
    const r = await python(SMTP, [String(t.ports.smtps), PASSWORD]);
    assert.equal(r.code, 0, r.out);
    assert.deepEqual(r.out.trim().split('\n'), ['PLAIN 535', 'PLAIN 235', 'PLAIN 235', 'LOGIN 235', 'CRAM-MD5 235']);
  });

  it('SMTP: AUTH during a mail transaction is refused (RFC 4954 §4)', async () => {
    const c = new RawClient(t.ports.smtp); // port 25: MAIL without AUTH starts a transaction
    await c.line();
    for (const line of ['EHLO client.test', 'MAIL FROM:<x@remote.test>']) { c.send(`${line}\r\n`); await c.line(); }
    c.send(`AUTH PLAIN ${Buffer.from(`\0alice@example.cn\0${PASSWORD}`).toString('base64')}\r\n`);
    assert.match(await c.line(), /^503 5\.5\.1 AUTH not permitted during a mail transaction/);
    c.close();
  });

  it('IMAP (imaplib): the same rule, and CRAM-MD5', async () => {
    const r = await python(IMAP, [String(t.config.ports.imaps), PASSWORD]);
    assert.equal(r.code, 0, r.out);
    const lines = r.out.trim().split('\n');
    assert.match(lines[0]!, /^proxy NO .*AUTHORIZATIONFAILED/);
    assert.equal(lines[1], 'same OK');
    assert.equal(lines[2], 'cram OK');
  });

  it('POP3: the same rule over AUTH PLAIN, with and without an initial response; LOGIN; CRAM-MD5 offered', async () => {
    const b64 = (s: string) => Buffer.from(s).toString('base64');
    const pop = async () => {
      const c = new RawClient(t.config.ports.pop3);
      await c.line(/^\+OK/);
      return c;
    };
    let c = await pop();
    c.send('CAPA\r\n');
    assert.match(await c.until(/^\.$/), /SASL PLAIN LOGIN CRAM-MD5/);
    c.send(`AUTH PLAIN ${b64(`bob@example.cn\0alice@example.cn\0${PASSWORD}`)}\r\n`);
    assert.match(await c.line(/^[+-]/), /^-ERR \[AUTH\] acting as another user/);
    c.send('AUTH PLAIN\r\n');
    assert.equal(await c.line(/^\+/), '+ ');
    c.send(`${b64(`\0alice@example.cn\0${PASSWORD}`)}\r\n`);
    assert.match(await c.line(/^[+-]/), /^\+OK maildrop/);
    c.close();
    c = await pop();
    c.send('AUTH LOGIN\r\n');
    assert.match(await c.line(/^\+/), /^\+ /);
    c.send(`${b64('alice@example.cn')}\r\n`);
    assert.match(await c.line(/^\+/), /^\+ /);
    c.send(`${b64(PASSWORD)}\r\n`);
    assert.match(await c.line(/^[+-]/), /^\+OK maildrop/);
    c.close();
  });

  it('carries a stored smtp.allowPlaintextAuth over to security.allowPlaintextAuth', async () => {
    await t.rt.store.tx(async (tx) => {
      await tx.settings.delete('', 'security.allowPlaintextAuth');
      await tx.settings.set('', 'smtp.allowPlaintextAuth', true);
    });
    const config = loadBootConfig({ dataDir: t.dir, env: {} });
    const rt = await openRuntime({ ...config, store: t.config.store }, { logger: createLogger({ level: 'silent' }) });
    try {
      assert.equal(rt.settings.current().security.allowPlaintextAuth, true);
      assert.equal(await rt.store.read((tx) => tx.settings.get('', 'smtp.allowPlaintextAuth')), undefined, 'the old key is gone');
    } finally {
      await rt.close();
    }
  });
});
