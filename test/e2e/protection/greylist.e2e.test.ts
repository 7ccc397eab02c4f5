// Greylisting end to end across a cluster (issue #13 item 4, FEATURES S11): two nodes on one
// PostgreSQL, swaks as the sending server. The first attempt on node A gets 451 4.7.1, a retry
// before the delay too; the retry after it, on node B, passes (the triples are in the store, so
// the nodes share them); the sender then passes at once for another recipient; authenticated
// clients are never greylisted.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { swaks } from '../../helpers/peers.ts';
import { PASSWORD, startTestServer, type TestServer } from '../../helpers/server.ts';

describe('greylisting shared by two nodes (PostgreSQL)', () => {
  let a: TestServer;
  let b: TestServer;
  before(async () => {
    a = await startTestServer({
      store: 'postgres',
      settings: { 'security.allowPlaintextAuth': true, 'greylist.enabled': true, 'greylist.delaySec': 2, 'senderAuth.spfEnabled': false },
    });
    const config = a.config.store;
    assert.equal(config.kind, 'postgres');
    b = await startTestServer({ sharedPostgres: config.url });
    for (const u of ['alice', 'bob', 'carol']) await a.addUser(`${u}@example.cn`);
  });
  after(async () => {
    await b?.close();
    await a?.close();
  });

  const attempt = (t: TestServer, from: string, to: string) =>
    swaks(t.ports.smtp, ['--to', to, '--from', from, '--header', `Subject: to ${to}`]);

  it('defers a new triple, defers an early retry, passes the retry after the delay on the other node', async () => {
    const first = await attempt(a, 'news@remote.test', 'alice@example.cn');
    assert.match(first.out, /<\*\*\s+451 4\.7\.1 Greylisted: please try again in 2 seconds/, first.out);
    const early = await attempt(b, 'news@remote.test', 'alice@example.cn');
    assert.match(early.out, /451 4\.7\.1 Greylisted/, early.out);
    await new Promise((r) => setTimeout(r, 2200));
    const retry = await attempt(b, 'news@remote.test', 'alice@example.cn');
    assert.match(retry.out, /250 2\.0\.0 Ok: queued/, retry.out);
    const again = await attempt(a, 'news@remote.test', 'alice@example.cn');
    assert.match(again.out, /250 2\.0\.0 Ok: queued/, again.out);
  });

  it('lets the known sender reach another recipient at once; a new sender waits', async () => {
    const known = await attempt(a, 'news@remote.test', 'bob@example.cn');
    assert.match(known.out, /250 2\.0\.0 Ok: queued/, known.out);
    const stranger = await attempt(a, 'promo@elsewhere.test', 'bob@example.cn');
    assert.match(stranger.out, /451 4\.7\.1/, stranger.out);
  });

  it('never greylists an authenticated client', async () => {
    const r = await swaks(a.ports.submission, ['--to', 'carol@example.cn', '--from', 'bob@example.cn', '--auth', 'PLAIN',
      '--auth-user', 'bob@example.cn', '--auth-password', PASSWORD, '--header', 'Subject: internal']);
    assert.match(r.out, /250 2\.0\.0 Ok: queued/, r.out);
  });
});
