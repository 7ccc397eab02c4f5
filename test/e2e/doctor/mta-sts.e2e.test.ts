// `youju doctor`'s MTA-STS checks (issue #15 §4, RFC 8461) against the loopback DNS server and a
// real HTTPS server for mta-sts.example.cn on loopback: a correct record and policy file pass; a
// missing record, a stale id, a policy whose mx lines miss this server, a 404 and an untrusted
// certificate each fail or warn, with the exact record and file to publish.
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { generateSelfSigned } from '../../../src/config/tls.ts';
import type { Check } from '../../../src/doctor/check.ts';
import { dnsChecks } from '../../../src/doctor/dns-checks.ts';
import { policyId, policyText } from '../../../src/doctor/mta-sts.ts';
import { startDnsServer, type DnsRecords, type TestDnsServer } from '../../helpers/dns-server.ts';

const HOST = 'mx.youju.test';
const POLICY = { mode: 'enforce' as const, maxAgeSec: 604800, mx: [HOST] };

describe('doctor: MTA-STS', () => {
  let dns: TestDnsServer;
  let https: Server;
  let ca: string;
  let served: { status: number; body: string } = { status: 200, body: '' };
  let port = 0;

  const base: Record<string, DnsRecords> = {
    [HOST]: { A: ['127.0.0.1'] },
    'example.cn': { MX: [{ exchange: HOST, priority: 10 }], TXT: ['v=spf1 mx -all'] },
    'mta-sts.example.cn': { A: ['127.0.0.1'] },
  };
  const run = async (records: Record<string, DnsRecords>, trust = ca) => {
    dns.setRecords({ ...base, ...records });
    const checks = await dnsChecks({ hostname: HOST, servers: [dns.server], domains: [{ name: 'example.cn', displayName: 'example.cn' }, { name: 'other.cn', displayName: 'other.cn' }],
      mtaSts: { domains: ['example.cn'], mode: POLICY.mode, maxAgeSec: POLICY.maxAgeSec, https: { port, ca: trust } } });
    const get = (name: string) => checks.find((c) => c.name === name) as Check;
    return { checks, record: get('MTA-STS record example.cn'), file: get('MTA-STS policy example.cn') };
  };

  before(async () => {
    dns = await startDnsServer({ records: base });
    const tls = await generateSelfSigned('mta-sts.example.cn');
    ca = tls.cert;
    https = createServer({ key: tls.key, cert: tls.cert }, (req, res) => {
      if (req.url !== '/.well-known/mta-sts.txt' || req.headers.host !== 'mta-sts.example.cn') { res.writeHead(404).end(); return; }
      res.writeHead(served.status, { 'content-type': 'text/plain' }).end(served.body);
    });
    await new Promise<void>((r) => https.listen(0, '127.0.0.1', r));
    port = (https.address() as AddressInfo).port;
  });
  after(async () => {
    await new Promise((r) => https.close(r));
    await dns.close();
  });

  it('the policy text and record are exact', () => {
    assert.equal(policyText(POLICY), 'version: STSv1\r\nmode: enforce\r\nmx: mx.youju.test\r\nmax_age: 604800\r\n');
    assert.match(policyId(POLICY), /^[0-9a-f]{20}$/);
    assert.notEqual(policyId({ ...POLICY, mode: 'testing' }), policyId(POLICY), 'another policy, another id');
  });

  it('passes a published record and policy; domains without MTA-STS get no such checks', async () => {
    served = { status: 200, body: policyText(POLICY) };
    const r = await run({ '_mta-sts.example.cn': { TXT: [`v=STSv1; id=${policyId(POLICY)}`] } });
    assert.equal(r.record.status, 'ok', r.record.detail);
    assert.equal(r.file.status, 'ok', r.file.detail);
    assert.equal(r.checks.some((c) => c.name.includes('MTA-STS') && c.name.includes('other.cn')), false);
    // A wildcard mx line covers the server too.
    served = { status: 200, body: 'version: STSv1\nmode: enforce\nmx: *.youju.test\nmax_age: 604800\n' };
    assert.equal((await run({ '_mta-sts.example.cn': { TXT: [`v=STSv1; id=${policyId(POLICY)}`] } })).file.status, 'ok');
  });

  it('a missing record fails with the exact record to publish; a stale id warns', async () => {
    served = { status: 200, body: policyText(POLICY) };
    const missing = await run({});
    assert.equal(missing.record.status, 'fail');
    assert.equal(missing.record.fix, `_mta-sts.example.cn. IN TXT "v=STSv1; id=${policyId(POLICY)}"`);
    const stale = await run({ '_mta-sts.example.cn': { TXT: ['v=STSv1; id=20240101'] } });
    assert.equal(stale.record.status, 'warn');
    assert.match(stale.record.detail, /id differs/);
    assert.equal(stale.record.fix, missing.record.fix);
    const two = await run({ '_mta-sts.example.cn': { TXT: ['v=STSv1; id=1', 'v=STSv1; id=2'] } });
    assert.equal(two.record.status, 'fail');
  });

  it('a policy that misses this server, a 404, an untrusted certificate and no address each fail with the file to serve', async () => {
    const txt = { '_mta-sts.example.cn': { TXT: [`v=STSv1; id=${policyId(POLICY)}`] } };
    const fix = `Serve https://mta-sts.example.cn/.well-known/mta-sts.txt (HTTPS, a certificate valid for mta-sts.example.cn, Content-Type text/plain) with:\nversion: STSv1\nmode: enforce\nmx: mx.youju.test\nmax_age: 604800`;
    served = { status: 200, body: 'version: STSv1\r\nmode: enforce\r\nmx: mail.elsewhere.test\r\nmax_age: 604800\r\n' };
    const wrongMx = await run(txt);
    assert.equal(wrongMx.file.status, 'fail');
    assert.match(wrongMx.file.detail, /no mx line covers mx\.youju\.test/);
    assert.equal(wrongMx.file.fix, fix);
    served = { status: 200, body: 'version: STSv1\r\nmode: testing\r\nmx: mx.youju.test\r\nmax_age: 86400\r\n' };
    const mode = await run(txt);
    assert.equal(mode.file.status, 'warn');
    assert.match(mode.file.detail, /mode testing, not enforce; max_age 86400, not 604800/);
    served = { status: 404, body: '' };
    const gone = await run(txt);
    assert.equal(gone.file.status, 'fail');
    assert.match(gone.file.detail, /answered HTTP 404/);
    served = { status: 200, body: policyText(POLICY) };
    const other = await generateSelfSigned('mta-sts.example.cn');
    const untrusted = await run(txt, other.cert);
    assert.equal(untrusted.file.status, 'fail', 'RFC 8461 §3.3: the certificate must be valid');
    assert.match(untrusted.file.detail, /certificate|self.signed/i);
    const noAddress = await run({ ...txt, 'mta-sts.example.cn': {} });
    assert.equal(noAddress.file.status, 'fail');
    assert.match(noAddress.file.fix!, /^mta-sts\.example\.cn\. IN A /);
  });
});
