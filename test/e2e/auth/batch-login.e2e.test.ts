// Batch add with deferred hashing (issue #14) on a running server: users a CSV batch adds log in
// over IMAP (imapflow) and POP3 (Python's poplib) before the server's password-hashing role has
// reached them, and again once it has turned every sealed password into a scrypt hash.
// The role hashes by user id, one at a time (~40 ms each), so the last of 100 users is still
// sealed seconds after the batch: the logins below come well before that.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { SecretBox } from '../../../src/auth/secret-box.ts';
import { python } from '../../helpers/peers.ts';
import { imapClient } from '../../helpers/imap.ts';
import { eventually, startTestServer, TEST_ACTOR, type TestServer } from '../../helpers/server.ts';

const USERS = 100;
const passwordOf = (i: number) => `Qz${i}-2026!lake`;

const POP = `
import poplib, ssl, sys
ctx = ssl.create_default_context(); ctx.check_hostname = False; ctx.verify_mode = ssl.CERT_NONE
p = poplib.POP3('127.0.0.1', int(sys.argv[1]), timeout=20); p.stls(context=ctx)
p.user(sys.argv[2]); p.pass_(sys.argv[3]); print('STAT', p.stat()[0]); p.quit()
`;

describe('batch-added users log in before and after their passwords are hashed', () => {
  let t: TestServer;
  before(async () => {
    t = await startTestServer({ imap: true, pop3: true });
  });
  after(() => t?.close());

  const stored = async (name: string) => (await t.rt.store.read(async (tx) => {
    const domain = await tx.domains.byName('example.cn');
    return tx.users.byAddress(domain!.id, name);
  }))!.passwordHash;

  const imapLogin = async (name: string, pass: string) => {
    const c = imapClient(t, `${name}@example.cn`, { auth: { user: `${name}@example.cn`, pass } });
    await c.connect();
    const folders = (await c.list()).map((f) => f.path).sort();
    await c.logout();
    return folders;
  };

  it('logs in over IMAP and POP3 at once, and again once hashed', async () => {
    const csv = ['name,password', ...Array.from({ length: USERS }, (_, i) => `batch${i},${passwordOf(i)}`)].join('\n');
    const r = await t.rt.userAdmin.batchAdd(TEST_ACTOR, 'example.cn', csv);
    assert.deepEqual(r.errors, []);
    assert.equal(r.added.length, USERS);

    const last = USERS - 1;
    assert.deepEqual(await imapLogin(`batch${last}`, passwordOf(last)), ['Drafts', 'INBOX', 'Junk', 'Sent', 'Trash']);
    const pop = await python(POP, [String(t.config.ports.pop3), `batch${last - 1}@example.cn`, passwordOf(last - 1)]);
    assert.match(pop.out, /STAT 0/, pop.out);
    assert.ok(SecretBox.isSealed(await stored(`batch${last}`)), 'the IMAP login came before the hashing');
    assert.ok(SecretBox.isSealed(await stored(`batch${last - 1}`)), 'the POP3 login came before the hashing');
    await assert.rejects(imapLogin(`batch${last}`, passwordOf(0)), 'a wrong password is refused');

    await eventually(async () => (await stored(`batch${last}`)).startsWith('$scrypt$'), 90_000, 'the role to hash every password');
    for (const i of [0, 50, last - 1]) assert.match(await stored(`batch${i}`), /^\$scrypt\$/);
    assert.deepEqual(await imapLogin(`batch${last}`, passwordOf(last)), ['Drafts', 'INBOX', 'Junk', 'Sent', 'Trash']);
    const again = await python(POP, [String(t.config.ports.pop3), `batch${last - 1}@example.cn`, passwordOf(last - 1)]);
    assert.match(again.out, /STAT 0/, again.out);
  });
});
