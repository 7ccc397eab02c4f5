// The POP3 maildrop lock across a cluster (issue #10 §4): two nodes on one PostgreSQL; while a
// session on node A holds alice's maildrop, a login on node B gets -ERR [IN-USE]; once A's session
// ends, B gets in. The lock is a lease in the store (RFC 1939 §3 exclusive access).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { RawClient } from '../../helpers/raw-client.ts';
import { eventually, PASSWORD, startTestServer, type TestServer } from '../../helpers/server.ts';

describe('POP3 maildrop lock in a cluster', () => {
  let a: TestServer;
  let b: TestServer;
  before(async () => {
    a = await startTestServer({ store: 'postgres', pop3: true, settings: { 'security.allowPlaintextAuth': true } });
    const config = a.config.store;
    assert.equal(config.kind, 'postgres');
    b = await startTestServer({ sharedPostgres: config.url, pop3: true });
    await a.addUser('alice@example.cn');
  });
  after(async () => {
    await b?.close();
    await a?.close();
  });

  const login = async (t: TestServer) => {
    const c = new RawClient(t.config.ports.pop3);
    await c.line(/^\+OK/);
    c.send(`USER alice@example.cn\r\nPASS ${PASSWORD}\r\n`);
    await c.line(/^[+-]/);
    return { c, reply: await c.line(/^[+-]/) };
  };

  it('lets one node\'s session hold the maildrop and the other node in once it is let go', async () => {
    const first = await login(a);
    assert.match(first.reply, /^\+OK maildrop/);
    const second = await login(b);
    assert.match(second.reply, /^-ERR \[IN-USE\]/, 'node B sees node A\'s lock');
    second.c.close();
    first.c.send('QUIT\r\n');
    await first.c.line(/^\+OK/);
    const third = await eventually(async () => {
      const r = await login(b);
      r.c.close();
      return r.reply.startsWith('+OK') ? r.reply : undefined;
    }, 5000, 'the maildrop let go');
    assert.match(third, /^\+OK maildrop/);
  });
});
