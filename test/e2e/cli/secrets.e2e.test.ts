// No command output, JSON or not, and no session log line carries a secret (issue #10 §5): the
// password, its scrypt hash, the CRAM-MD5 state, sealed copies (APOP, POP accounts, the smart
// host), or a DKIM private key. The secrets are read from the store itself and searched for in
// everything the `youju` command prints and everything the server logged after real logins.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import { youju } from '../../helpers/cli.ts';
import { python, swaks } from '../../helpers/peers.ts';
import { PASSWORD, startTestServer, type TestServer } from '../../helpers/server.ts';

const POP_PASSWORD = 'Remote-Box-pw-7';
const RELAY_PASSWORD = 'Smart-Host-pw-9';

describe('secrets stay inside the services', () => {
  let t: TestServer;
  const run = (...args: string[]) => youju(['--data', t.dir, ...args]);
  before(async () => {
    t = await startTestServer({ pop3: true, settings: { 'security.apopEnabled': true } });
    await t.addUser('alice@example.cn');
    assert.equal(run('pop-account', 'add', 'alice@example.cn', '--host', '127.0.0.1', '--port', '9', '--user', 'far', '--password', POP_PASSWORD, '--tls', 'none').code, 0);
    assert.equal(run('settings', 'set', 'delivery.smartHost', JSON.stringify({ host: '127.0.0.1', port: 2525, user: 'relay', password: RELAY_PASSWORD, tls: 'none' })).code, 0);
    assert.equal(run('dkim', 'generate', 'example.cn').code, 0);
  });
  after(() => t?.close());

  it('prints none, in any listing or JSON output, and logs none', async () => {
    // Real logins first, so the logs have something to hide: SMTP AUTH PLAIN and LOGIN, POP3 USER/PASS.
    for (const method of ['PLAIN', 'LOGIN']) {
      const r = await swaks(t.ports.smtps, ['--tlsc', '--auth', method, '--auth-user', 'alice@example.cn', '--auth-password', PASSWORD, '--quit-after', 'AUTH']);
      assert.match(r.out, /235 /, r.out);
    }
    const pop = await python(`import poplib,sys
p = poplib.POP3_SSL('127.0.0.1', int(sys.argv[1]), context=__import__('ssl')._create_unverified_context())
p.user('alice@example.cn'); p.pass_(sys.argv[2]); p.quit()`, [String(t.config.ports.pop3s), PASSWORD]);
    assert.equal(pop.code, 0, pop.out);

    const row = (await t.rt.store.read(async (tx) => tx.users.get((await t.rt.users.byAddress('alice@example.cn'))!.id)))!;
    const secrets = [PASSWORD, POP_PASSWORD, RELAY_PASSWORD, row.passwordHash, row.cramSecret, row.apopSecret, 'PRIVATE KEY', '$aesgcm$', '$scrypt$']
      .filter((s) => s !== '');
    assert.ok(row.cramSecret !== '' && row.apopSecret !== '', 'the secrets the test looks for exist');

    const outputs: Array<[string, string]> = [];
    for (const args of [
      ['user', 'show', 'alice@example.cn'], ['user', 'list'], ['admin', 'list'], ['domain', 'show', 'example.cn'], ['domain', 'list'],
      ['pop-account', 'list'], ['pop-account', 'show', '1'], ['settings', 'list'], ['settings', 'get', 'delivery.smartHost'],
      ['settings', 'get', 'delivery'], ['settings', 'get', 'delivery.smartHost.password'], ['dkim', 'show', 'example.cn'],
    ]) {
      for (const json of [[], ['--json']]) {
        const r = run(...args, ...json);
        assert.equal(r.code, 0, `${args.join(' ')}: ${r.stderr}`);
        outputs.push([`youju ${[...args, ...json].join(' ')}`, r.stdout + r.stderr]);
      }
    }
    await t.server.stop(); // flushes the session logs
    t.server = await (await import('../../../src/main.ts')).startServer(t.rt);
    for (const f of await readdir(`${t.dir}/logs`)) outputs.push([`log ${f}`, await readFile(`${t.dir}/logs/${f}`, 'utf8')]);

    for (const [where, text] of outputs) {
      for (const s of secrets) assert.ok(!text.includes(s), `${where} shows a secret (${s.slice(0, 12)}…)`);
    }
    // And the listings still say what a person needs.
    assert.match(outputs.find(([w]) => w === 'youju user show alice@example.cn --json')![1], /"address": "alice@example.cn"/);
    assert.match(outputs.find(([w]) => w === 'youju dkim show example.cn')![1], /v=DKIM1/);
  });

  it('keeps the smart host password sealed in the store, open in the running server, and seals a plain one left from before', async () => {
    const stored = async () => (await t.rt.store.read((tx) => tx.settings.get('', 'delivery.smartHost'))) as { password: string };
    assert.match((await stored()).password, /^\$aesgcm\$1\$/);
    await t.rt.settings.reload();
    assert.equal(t.rt.settings.current().delivery.smartHost?.password, RELAY_PASSWORD, 'remote delivery gets the password itself');
    // A value written in plain text (as versions before sealing did) is sealed at the next start of any youju command.
    await t.rt.store.tx((tx) => tx.settings.set('', 'delivery.smartHost', { host: '127.0.0.1', port: 2525, user: 'relay', password: 'Old-Plain-pw-1', tls: 'none' }));
    assert.equal(run('settings', 'get', 'delivery.smartHost').code, 0);
    assert.match((await stored()).password, /^\$aesgcm\$1\$/);
    await t.rt.settings.reload();
    assert.equal(t.rt.settings.current().delivery.smartHost?.password, 'Old-Plain-pw-1');
  });
});
