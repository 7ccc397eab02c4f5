// One failed-login throttle for SMTP, IMAP and POP3 (issue #10 §2): failures from one address are
// counted together across the protocols; past security.loginFailuresBeforeBan the address is refused
// before any password is checked, even with the right one; another address logs in to the same
// account at once. Clients are raw sessions from 127.0.0.1 and 127.0.0.2 (two client addresses).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { youjuAsync } from '../../helpers/cli.ts';
import { RawClient } from '../../helpers/raw-client.ts';
import { eventually, PASSWORD, startTestServer, type TestServer } from '../../helpers/server.ts';

const b64 = (s: string) => Buffer.from(s).toString('base64');

describe('the shared failed-login throttle', () => {
  let t: TestServer;
  before(async () => {
    t = await startTestServer({
      imap: true, pop3: true,
      settings: { 'security.allowPlaintextAuth': true, 'security.failedLoginDelayMs': 50, 'security.loginFailuresBeforeBan': 4 },
    });
    await t.addUser('alice@example.cn');
  });
  after(() => t?.close());

  const smtpAuth = async (password: string, from?: string) => {
    const c = new RawClient(t.ports.submission, from);
    await c.line();
    c.send('EHLO client.test\r\n');
    await c.line();
    c.send(`AUTH PLAIN ${b64(`\0alice@example.cn\0${password}`)}\r\n`);
    const r = await c.line();
    c.close();
    return r;
  };
  const imapLogin = async (password: string, from?: string) => {
    const c = new RawClient(t.config.ports.imap, from);
    await c.line(/^\* OK/);
    const started = Date.now();
    c.send(`a1 LOGIN alice@example.cn "${password}"\r\n`);
    const r = await c.line(/^a1 /);
    c.close();
    return { r, ms: Date.now() - started };
  };
  const popLogin = async (password: string, from?: string) => {
    const c = new RawClient(t.config.ports.pop3, from);
    await c.line(/^\+OK/);
    c.send('USER alice@example.cn\r\n');
    await c.line(/^\+OK/);
    c.send(`PASS ${password}\r\n`);
    const r = await c.line(/^[+-]/);
    c.close();
    return r;
  };

  it('counts failures across protocols, bans the address, and lets another address in at once', async () => {
    assert.match(await smtpAuth('wrong-1'), /^535 5\.7\.8/);
    assert.match((await imapLogin('wrong-2')).r, /^a1 NO \[AUTHENTICATIONFAILED\]/);
    assert.match(await popLogin('wrong-3'), /^-ERR \[AUTH\]/);
    assert.match(await smtpAuth('wrong-4'), /^535 /); // the fourth failure: 127.0.0.1 is banned now

    // The right password from the banned address is refused everywhere, without being checked.
    assert.match(await smtpAuth(PASSWORD), /^421 4\.7\.0 Too many failed logins/);
    assert.match((await imapLogin(PASSWORD)).r, /^a1 NO \[UNAVAILABLE\] Too many failed logins/);
    assert.match(await popLogin(PASSWORD), /^-ERR \[SYS\/TEMP\] too many failed logins/);

    // The owner from another address is neither refused nor slowed.
    const other = await imapLogin(PASSWORD, '127.0.0.2');
    assert.match(other.r, /^a1 OK/);
    assert.ok(other.ms < 500, `login took ${other.ms} ms`);
    assert.match(await popLogin(PASSWORD, '127.0.0.2'), /^\+OK maildrop/);
  });

  it('lists the bans of the running server and lifts one from the command line (youju security)', async () => {
    // The server runs in this process: the CLI must run beside it, not block it (spawnSync would).
    const youju = youjuAsync;
    const bans = await youju(['--data', t.dir, 'security', 'bans', '--json']);
    assert.equal(bans.code, 0, bans.stderr);
    assert.deepEqual(JSON.parse(bans.stdout).map((b: { ip: string }) => b.ip), ['127.0.0.1']);
    const lifted = await youju(['--data', t.dir, 'security', 'unban', '127.0.0.1']);
    assert.equal(lifted.code, 0, lifted.stderr);
    assert.match(lifted.stdout, /127\.0\.0\.1 unbanned/);
    assert.match((await imapLogin(PASSWORD)).r, /^a1 OK/, 'the address may log in again');
    assert.match((await youju(['--data', t.dir, 'security', 'bans'])).stdout, /no bans/);
    assert.equal((await youju(['--data', t.dir, 'security', 'unban', 'not-an-ip'])).code, 2, 'a malformed address is bad usage');
  });
});

describe('bans shared by the nodes of one store', () => {
  let a: TestServer;
  let b: TestServer;
  before(async () => {
    const settings = { 'security.allowPlaintextAuth': true, 'security.failedLoginDelayMs': 20, 'security.loginFailuresBeforeBan': 2 };
    a = await startTestServer({ store: 'postgres', imap: true, hostname: 'node-a.youju.test', settings });
    await a.addUser('alice@example.cn');
    b = await startTestServer({ sharedPostgres: (a.config.store as { url: string }).url, imap: true, hostname: 'node-b.youju.test', dnsServer: a.dns });
  });
  after(async () => {
    await b?.close();
    await a?.close();
  });

  const imapLogin = async (t: TestServer, password: string) => {
    const c = new RawClient(t.config.ports.imap, '127.0.0.3');
    await c.line(/^\* OK/);
    c.send(`a1 LOGIN alice@example.cn "${password}"\r\n`);
    const r = await c.line(/^a1 /);
    c.close();
    return r;
  };

  it('an address banned on one node is refused on the other within seconds, and lifted on both at once', async () => {
    assert.match(await imapLogin(a, 'wrong-1'), /^a1 NO \[AUTHENTICATIONFAILED\]/);
    assert.match(await imapLogin(a, 'wrong-2'), /^a1 NO/); // the second failure bans 127.0.0.3 on A
    assert.match(await imapLogin(a, PASSWORD), /^a1 NO \[UNAVAILABLE\]/);
    // B counted no failure itself: it refuses the address because A's ban is in the store.
    await eventually(async () => /^a1 NO \[UNAVAILABLE\]/.test(await imapLogin(b, PASSWORD)) || undefined, 10_000, 'the ban on node B');
    assert.deepEqual(b.rt.throttle.bans().map((x) => [x.ip, x.reason]), [['127.0.0.3', 'failed logins']]);
    // Lifted on B (as `youju security unban` does): A lets the address in again too.
    assert.equal(b.rt.throttle.lift('127.0.0.3'), true);
    assert.match(await imapLogin(b, PASSWORD), /^a1 OK/);
    await eventually(async () => /^a1 OK/.test(await imapLogin(a, PASSWORD)) || undefined, 10_000, 'the lift on node A');
    assert.deepEqual(a.rt.throttle.bans(), []);
  });
});

