// `youju pop-account` and `youju domainpop` as an operator runs them (child processes) against a
// running server's data dir, collecting from a second Youju's POP3: passwords never printed nor
// audited, collect queues into the running server, failures exit 1 with one line.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { youjuAsync } from '../../helpers/cli.ts';
import { eventually, mailboxMessages, PASSWORD, startTestServer, type TestServer } from '../../helpers/server.ts';

describe('youju pop-account / domainpop', () => {
  let remote: TestServer;
  let local: TestServer;
  const cli = (...args: string[]) => youjuAsync(['--data', local.dir, ...args]);

  before(async () => {
    remote = await startTestServer({ pop3: true, domain: 'remote.test' });
    local = await startTestServer({ settings: { 'collect.verifyCertificates': false, 'collect.allowPrivateHosts': true } });
    await remote.addUser('box@remote.test');
    await local.addUser('alice@example.cn');
    await remote.rt.queue.submit({ sender: '', recipients: ['box@remote.test'], raw: Buffer.from('Subject: via cli\r\n\r\nhi\r\n') });
    await eventually(async () => (await mailboxMessages(remote.rt, 'box@remote.test')).length === 1);
  });
  after(async () => {
    await local.close();
    await remote.close();
  });

  it('adds, lists, collects, shows, disables and removes an account without ever printing the password', async () => {
    const add = await cli('pop-account', 'add', 'alice@example.cn', '--host', '127.0.0.1', '--port', String(remote.config.ports.pop3),
      '--tls', 'starttls', '--user', 'box@remote.test', '--password', PASSWORD);
    assert.equal(add.code, 0, add.stderr);
    const id = /#(\d+)/.exec(add.stdout)![1]!;
    const list = await cli('--json', 'pop-account', 'list');
    assert.equal(JSON.parse(list.stdout)[0].password, '****');
    const collect = await cli('pop-account', 'collect', id);
    assert.equal(collect.code, 0, collect.stderr);
    assert.match(collect.stdout, new RegExp(`#${id}: 1 collected, 0 deleted on the server`));
    await eventually(async () => (await mailboxMessages(local.rt, 'alice@example.cn')).some((m) => m.subject === 'via cli'), 15_000, 'delivery by the running server');
    const show = await cli('pop-account', 'show', id);
    assert.match(show.stdout, /collected\s+1 last run, 1 in all/);
    assert.equal((await cli('pop-account', 'disable', id)).code, 0);
    assert.match((await cli('pop-account', 'collect')).stdout, /no enabled POP accounts/);
    assert.equal((await cli('pop-account', 'set', id, '--password', 'Wrong-Pass-9')).code, 0);
    const failed = await cli('pop-account', 'collect', id);
    assert.equal(failed.code, 1);
    assert.match(failed.stderr, /1 of 1 collection runs failed/);
    assert.equal((await cli('pop-account', 'remove', id)).code, 0);
    const audit = JSON.stringify(await local.rt.store.read((tx) => tx.audit.list({ limit: 1000 })));
    assert.match(audit, /popaccount\.create/);
    assert.ok(!audit.includes(PASSWORD) && !audit.includes('Wrong-Pass-9'));
    for (const r of [add, list, collect, show]) assert.ok(!r.stdout.includes(PASSWORD));
  });

  it('sets up the DomainPOP box and refuses what is missing', async () => {
    const bad = await cli('domainpop', 'show');
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /no DomainPOP box/);
    const set = await cli('domainpop', 'set', '--host', '127.0.0.1', '--port', String(remote.config.ports.pop3), '--tls', 'starttls', '--user', 'box@remote.test', '--password', PASSWORD, '--keep-days', '7');
    assert.equal(set.code, 0, set.stderr);
    const show = await cli('domainpop', 'show');
    assert.match(show.stdout, /leave on server\s+7 days/);
    assert.ok(!show.stdout.includes(PASSWORD));
    assert.equal((await cli('settings', 'set', 'domainpop.skipReceived', '2')).code, 0);
    assert.equal((await cli('domainpop', 'disable')).code, 0);
    assert.equal((await cli('pop-account', 'add', 'alice@example.cn', '--host', 'bad host!', '--user', 'u', '--password', 'p')).code, 2);
  });
});
