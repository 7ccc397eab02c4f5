// Two Youju instances on loopback delivering to each other (issue #3): A's users send through
// submission to B's domain, A finds B through a real DNS server on a loopback port (MX → A record),
// signs with DKIM and adds the domain signature; a recipient B refuses comes back to the sender as
// an RFC 3464 bounce; a peer that is down leaves the message in `retry` with the reason.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { dkimVerify } from 'mailauth/lib/dkim/verify.js';
import { simpleParser } from 'mailparser';
import { generateDkimKey, saveDkimKey } from '../../../src/delivery/rewrite/dkim.ts';
import { SIGNATURE_SETTING_KEY } from '../../../src/delivery/rewrite/outbound.ts';
import { startDnsServer, type TestDnsServer } from '../../helpers/dns-server.ts';
import { swaks } from '../../helpers/peers.ts';
import { eventually, freePort, mailboxMessages, PASSWORD, startTestServer, TEST_ACTOR, type TestServer } from '../../helpers/server.ts';

describe('SMTP between two Youju instances', () => {
  let dns: TestDnsServer;
  let a: TestServer;
  let b: TestServer;
  let dkimTxt: string;

  before(async () => {
    dns = await startDnsServer({ records: {
      'example.cn': { MX: [{ exchange: 'mx.example.cn', priority: 10 }] },
      'mx.example.cn': { A: ['127.0.0.1'] },
      'other.test': { MX: [{ exchange: 'mx.other.test', priority: 10 }] },
      'mx.other.test': { A: ['127.0.0.1'] },
    } });
    // Each instance's outbound port is the other's MTA port: that is how two servers share 127.0.0.1.
    // The ports are fixed before either starts, so a port another test took meanwhile means a new pair.
    for (let attempt = 1; ; attempt++) {
      const portsA = { smtp: await freePort(), submission: await freePort(), smtps: await freePort() };
      const portsB = { smtp: await freePort(), submission: await freePort(), smtps: await freePort() };
      let first: TestServer | undefined;
      try {
        first = await startTestServer({ domain: 'example.cn', hostname: 'mx.example.cn', ports: portsA, dnsServer: dns,
          config: (c) => ({ ...c, ports: { ...c.ports, smtpOutbound: portsB.smtp } }) });
        b = await startTestServer({ domain: 'other.test', hostname: 'mx.other.test', ports: portsB, dnsServer: dns,
          config: (c) => ({ ...c, ports: { ...c.ports, smtpOutbound: portsA.smtp } }) });
        a = first;
        break;
      } catch (err) {
        await first?.close();
        if (attempt >= 5 || !/EADDRINUSE/.test(String((err as Error).message))) throw err;
      }
    }
    await a.addUser('alice@example.cn');
    await b.addUser('bob@other.test');
    const domainA = (await a.rt.domains.resolveDomain('example.cn'))!;
    const key = await generateDkimKey('example.cn');
    await saveDkimKey(a.rt.store, domainA.id, key);
    dkimTxt = key.txt;
    await a.rt.store.tx((tx) => tx.settings.set(`domain:${domainA.id}`, SIGNATURE_SETTING_KEY, { text: '-- \n示例公司 Example Co.', html: '' }));
  });
  after(async () => {
    await a?.close();
    await b?.close();
    await dns?.close();
  });

  const send = (to: string, subject: string, extra: string[] = []) => swaks(a.ports.submission, ['--to', to, '--from', 'alice@example.cn',
    '--tls', '--auth', 'PLAIN', '--auth-user', 'alice@example.cn', '--auth-password', PASSWORD, '--header', `Subject: ${subject}`, '--body', 'hello from A', ...extra]);

  it('delivers A → B by MX, DKIM-signed and with the domain signature', async () => {
    const r = await send('bob@other.test', 'cross-server');
    assert.equal(r.code, 0, r.out);
    const m = await eventually(async () => (await mailboxMessages(b.rt, 'bob@other.test')).find((x) => x.subject === 'cross-server'), 15_000, 'delivery to B');
    assert.match(m.raw, /Received: from mx\.example\.cn .*\r\n\tby mx\.other\.test \(Youju\)/);
    assert.match((await simpleParser(m.raw)).text ?? '', /hello from A\s+-- \n示例公司 Example Co\./);
    const signed = Buffer.from(m.raw.slice(m.raw.indexOf('DKIM-Signature:')), 'utf8');
    const result = await dkimVerify(signed, {
      resolver: async (name: string, type: string) => {
        if (type === 'TXT' && name === 'youju._domainkey.example.cn') return [dkimTxt.match(/.{1,255}/g)!];
        throw Object.assign(new Error('ENOTFOUND'), { code: 'ENOTFOUND' });
      },
    });
    assert.equal(result.results[0]?.status.result, 'pass', JSON.stringify(result.results[0]?.status));
    assert.equal(await eventually(async () => (await a.rt.queueManager.list()).length === 0 || undefined), true);
  });

  it('bounces a recipient B refuses back to the sender with a DSN', async () => {
    const r = await send('nobody@other.test', 'will bounce');
    assert.equal(r.code, 0, r.out);
    const dsn = await eventually(async () => (await mailboxMessages(a.rt, 'alice@example.cn')).find((x) => /Undelivered Mail/.test(x.subject)), 15_000, 'bounce');
    assert.match(dsn.raw, /^Return-Path: <>/);
    assert.match(dsn.raw, /Content-Type: multipart\/report; report-type=delivery-status/);
    assert.match(dsn.raw, /Final-Recipient: rfc822; nobody@other\.test\r\nAction: failed\r\nStatus: 5\.1\.1\r\nRemote-MTA: dns; /);
    assert.match(dsn.raw, /Subject: will bounce/, 'quotes the original');
  });

  it('keeps a message for retry while the peer is down, with the reason', async () => {
    await b.server.stop();
    try {
      const r = await send('bob@other.test', 'while down');
      assert.equal(r.code, 0, r.out);
      const e = await eventually(async () => (await a.rt.queueManager.list('retry'))[0], 15_000, 'retry entry');
      assert.equal(e.recipients[0]?.state, 'deferred');
      assert.match(e.lastError, /^4\d\d /);
      assert.ok(e.nextAttemptAt > Date.now() + 10 * 60_000, 'next try follows the schedule (15 min)');
      await a.rt.queueManager.delete(TEST_ACTOR, e.id);
    } finally {
      b.server = await (await import('../../../src/main.ts')).startServer(b.rt);
    }
  });
});
