// IMAP limits and abuse, over raw sockets (FEATURES P9 part 6): malformed commands get BAD and the
// session goes on; an over-long line is refused without being stored; a literal over APPENDLIMIT
// gets NO [TOOBIG] before it is sent; random bytes never crash the server; failed logins are slowed;
// a user cannot open more sessions than allowed; the session log never shows a password.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { RawClient as Raw } from '../../helpers/raw-client.ts';
import { PASSWORD, sessionLogText, startTestServer, type TestServer } from '../../helpers/server.ts';


async function loggedIn(t: TestServer): Promise<Raw> {
  const c = new Raw(t.config.ports.imap);
  await c.until(/^\* OK/);
  c.send(`L LOGIN alice@example.cn "${PASSWORD}"\r\n`);
  await c.until(/^L OK/);
  return c;
}

describe('IMAP limits', () => {
  let t: TestServer;
  before(async () => {
    t = await startTestServer({
      imap: true,
      settings: {
        'security.allowPlaintextAuth': true, 'imap.appendLimitBytes': 10_000, 'imap.maxLineBytes': 8192,
        'security.failedLoginDelayMs': 300, 'imap.maxConnectionsPerUser': 3,
      },
    });
    await t.addUser('alice@example.cn');
  });
  after(() => t.close());

  it('answers malformed commands with BAD and carries on', async () => {
    const c = await loggedIn(t);
    const cases = ['', 'x', 'a FROB', 'a SELECT', 'a FETCH 1:* (FLAGS', 'a UID', 'a SEARCH OR', '* NOOP', 'a LIST "" "unterminated',
      'a STORE 1 +FLAGS (\\Nonsense', 'a FETCH 0 FLAGS', 'a APPEND INBOX {abc}', 'a SEARCH NOT NOT NOT', `a LOGIN x y`];
    for (const line of cases) {
      c.send(`${line}\r\n`);
      c.send('n NOOP\r\n');
      const got = await c.until(/^n OK/);
      assert.match(got, /(BAD|NO)/, `${JSON.stringify(line)} → ${got}`);
    }
    c.close();
  });

  it('refuses an over-long line and a too-large literal, and keeps the session', async () => {
    const c = await loggedIn(t);
    c.send(`a NOOP ${'x'.repeat(20_000)}\r\n`);
    assert.match(await c.until(/BAD/), /BAD/);
    c.send('b APPEND INBOX {20000}\r\n');
    assert.match(await c.until(/^b /), /^b NO \[TOOBIG\]/m);
    c.send(`c APPEND INBOX {20000+}\r\n${'y'.repeat(20_000)}\r\n`);
    assert.match(await c.until(/^c /), /^c NO \[TOOBIG\]/m);
    c.send('d APPEND INBOX {5}\r\n');
    await c.until(/^\+/);
    c.send('hello\r\n');
    assert.match(await c.until(/^d /), /^d OK \[APPENDUID \d+ 1\]/m);
    c.send('e NOOP\r\n');
    assert.match(await c.until(/^e /), /^e OK/m);
    c.close();
  });

  it('survives random bytes on many connections and still serves a clean one', async () => {
    let seed = 42;
    const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    for (let k = 0; k < 20; k++) {
      const c = k % 2 === 0 ? await loggedIn(t) : new Raw(t.config.ports.imap);
      for (let i = 0; i < 30; i++) {
        const bytes = Buffer.alloc(Math.floor(rand() * 300), 0).map(() => Math.floor(rand() * 256));
        const words = ['SELECT INBOX', 'FETCH 1:* (BODY[', 'APPEND INBOX {3+}', '(((', '"', '{99999999}', 'IDLE', 'DONE', 'SEARCH CHARSET'];
        c.send(rand() < 0.5 ? bytes : `t${i} ${words[Math.floor(rand() * words.length)]}${rand() < 0.5 ? '\r\n' : ''}`);
      }
      c.send('\r\nz NOOP\r\n');
      c.close();
    }
    const clean = await loggedIn(t);
    clean.send('a SELECT INBOX\r\n');
    assert.match(await clean.until(/^a /), /^a OK/m);
    clean.close();
  });

  it('slows failed logins and caps sessions per user', async () => {
    const c = new Raw(t.config.ports.imap);
    await c.until(/^\* OK/);
    const started = Date.now();
    c.send('a LOGIN alice@example.cn wrong\r\n');
    assert.match(await c.until(/^a /), /^a NO \[AUTHENTICATIONFAILED\]/m);
    assert.ok(Date.now() - started >= 280, `answered after ${Date.now() - started} ms`);
    c.close();
    const sessions = [await loggedIn(t), await loggedIn(t), await loggedIn(t)];
    const fourth = new Raw(t.config.ports.imap);
    await fourth.until(/^\* OK/);
    fourth.send(`a LOGIN alice@example.cn "${PASSWORD}"\r\n`);
    assert.match(await fourth.until(/^a /), /^a NO \[LIMIT\]/m);
    for (const s of [...sessions, fourth]) s.close();
  });

  it('writes an imap session log without passwords', async () => {
    const c = await loggedIn(t);
    c.send('a LOGOUT\r\n');
    await c.until(/^a OK/);
    const text = await sessionLogText(t.config.dataDir, 'imap', /LOGOUT/);
    assert.match(text, /<-- L LOGIN alice@example.cn \*\*\*\*/);
    assert.match(text, /authenticated as alice@example.cn/);
    assert.ok(!text.includes(PASSWORD), 'no password in the log');
  });
});
