// POP3 APOP (RFC 1939 §7) with Python's poplib: the greeting carries a timestamp only while
// security.apopEnabled is on; poplib's apop() logs in with MD5(timestamp + password) against the
// sealed copy kept for APOP; a wrong password fails; turning APOP off removes the timestamp and
// the copies; a user created before APOP was on gets a copy at the next password login.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { python } from '../../helpers/peers.ts';
import { PASSWORD, sessionLogText, startTestServer, type TestServer } from '../../helpers/server.ts';

const APOP = `
import poplib, sys
p = poplib.POP3('127.0.0.1', int(sys.argv[1]), timeout=20)
print('GREETING', p.getwelcome().decode())
try:
    print(p.apop(sys.argv[2], sys.argv[3]).decode()); print('STAT', p.stat()); p.quit()
except poplib.error_proto as e:
    print(e.args[0].decode())
`;

describe('POP3 APOP', () => {
  let t: TestServer;
  /** The user's stored row, secrets included: only the store holds them. */
  const storedRow = async (address: string) => {
    const id = (await t.rt.users.byAddress(address))!.id;
    return (await t.rt.store.read((tx) => tx.users.get(id)))!;
  };
  const apop = (user: string, password: string) => python(APOP, [String(t.config.ports.pop3), user, password]);
  before(async () => {
    t = await startTestServer({ pop3: true, settings: { 'security.apopEnabled': true } });
    await t.addUser('alice@example.cn');
  });
  after(() => t.close());

  it('logs in with poplib apop() and refuses a wrong password', async () => {
    const ok = await apop('alice@example.cn', PASSWORD);
    assert.match(ok.out, /GREETING \+OK .* <\d+\.[0-9a-f]+\.\d+@mx\.youju\.test>/, ok.out);
    assert.match(ok.out, /\+OK maildrop has 0 messages/, ok.out);
    const bad = await apop('alice@example.cn', 'not-the-password');
    assert.match(bad.out, /-ERR \[AUTH\]/, bad.out);
    const stranger = await apop('nobody@example.cn', PASSWORD);
    assert.match(stranger.out, /-ERR \[AUTH\]/, stranger.out);
  });

  it('keeps the password out of the database and the session log', async () => {
    const user = await storedRow('alice@example.cn');
    assert.match(user.apopSecret, /^\$aesgcm\$1\$/);
    assert.ok(!user.apopSecret.includes(PASSWORD));
    assert.equal('apopSecret' in (await t.rt.users.byAddress('alice@example.cn'))!, false, 'the service never hands the secret out');
    const log = await sessionLogText(t.dir, 'pop3', /<-- APOP alice@example\.cn \*\*\*\*/);
    assert.ok(!log.includes(PASSWORD));
  });

  it('drops the timestamp and the copies when APOP is turned off, and makes a copy at a password login when on', async () => {
    await t.rt.settings.set('security.apopEnabled', false);
    const off = await apop('alice@example.cn', PASSWORD);
    assert.doesNotMatch(off.out.split('\n')[0]!, /</);
    assert.match(off.out, /-ERR|no timestamp|error/i, off.out);
    await new Promise((r) => setTimeout(r, 200)); // the settings listener drops the copies
    assert.equal((await storedRow('alice@example.cn')).apopSecret, '');
    await t.rt.settings.set('security.apopEnabled', true);
    assert.match((await apop('alice@example.cn', PASSWORD)).out, /-ERR \[AUTH\]/, 'no copy yet');
    await t.rt.users.authenticate('alice@example.cn', PASSWORD); // as USER/PASS does
    assert.match((await apop('alice@example.cn', PASSWORD)).out, /\+OK maildrop/);
  });
});
