// `youju doctor` (issue #15 §4) against a running server and a DNS server on loopback: what is
// published correctly passes, what is missing or wrong fails or warns with the exact record text to
// publish, and a failed check makes the exit code 1.
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { youjuAsync } from '../../helpers/cli.ts';
import { startTestServer, type TestServer } from '../../helpers/server.ts';

interface Check { area: string; name: string; status: string; detail: string; fix?: string }

describe('youju doctor', () => {
  let t: TestServer;
  let cfg: string;
  const doctor = async (...args: string[]) => {
    const r = await youjuAsync(['--data', t.dir, '--config', cfg, 'doctor', '--json', ...args]);
    return { ...r, checks: (JSON.parse(r.stdout) as { checks: Check[] }).checks };
  };
  const find = (checks: Check[], name: string) => {
    const c = checks.find((x) => x.name === name);
    assert.ok(c, `a check named ${name} in ${checks.map((x) => x.name).join(', ')}`);
    return c;
  };

  before(async () => {
    t = await startTestServer({ imap: true });
    // The CLI reads the same boot config the server runs with: its ports and its DNS server.
    cfg = join(t.dir, 'youju.json');
    await writeFile(cfg, JSON.stringify({ hostname: t.config.hostname, listen: '127.0.0.1', ports: t.config.ports, dns: { servers: t.config.dns.servers } }));
    const gen = await youjuAsync(['--data', t.dir, '--config', cfg, 'dkim', 'generate', 'example.cn', '--json']);
    assert.equal(gen.code, 0, gen.stderr);
    const dkim = JSON.parse(gen.stdout) as { dnsName: string; txt: string };
    t.dns.setRecords({
      'mx.youju.test': { A: ['127.0.0.1'] },
      '1.0.0.127.in-addr.arpa': { PTR: ['mx.youju.test'] },
      'example.cn': { MX: [{ exchange: 'mx.youju.test', priority: 10 }], TXT: ['v=spf1 mx -all', 'google-site-verification=x'] },
      [dkim.dnsName]: { TXT: [dkim.txt] },
      '_dmarc.example.cn': { TXT: ['v=DMARC1; p=quarantine'] },
    });
  });
  after(() => t.close());

  it('passes what is published right, with the server up', async () => {
    const r = await doctor();
    assert.equal(r.code, 0, `${r.stderr}\n${JSON.stringify(r.checks.filter((c) => c.status === "fail"))}`);
    for (const name of ['A/AAAA mx.youju.test', 'PTR 127.0.0.1', 'MX example.cn', 'SPF example.cn', 'DKIM example.cn', 'DMARC example.cn']) {
      assert.equal(find(r.checks, name).status, 'ok', name);
    }
    assert.equal(find(r.checks, `smtp 127.0.0.1:${t.ports.smtp}`).status, 'ok');
    assert.equal(find(r.checks, `imap 127.0.0.1:${t.config.ports.imap}`).status, 'ok');
    assert.equal(find(r.checks, 'issuer').status, 'warn', 'the self-signed certificate is pointed out');
    assert.equal(find(r.checks, 'queue').status, 'ok');
    assert.equal(find(r.checks, 'free space').status === 'fail', false);
  });

  it('fails a missing MX, two SPF records and a DKIM record with another key, giving the records to publish', async () => {
    t.dns.setRecords({
      'mx.youju.test': { A: ['127.0.0.1'] },
      'example.cn': { TXT: ['v=spf1 mx -all', 'v=spf1 a ~all'] },
      'youju._domainkey.example.cn': { TXT: ['v=DKIM1; k=rsa; p=MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAwrong'] },
    });
    const r = await doctor();
    assert.equal(r.code, 1);
    assert.match(r.stderr, /youju: \d+ checks? failed/);
    const mx = find(r.checks, 'MX example.cn');
    assert.equal(mx.status, 'fail');
    assert.equal(mx.fix, 'example.cn. IN MX 10 mx.youju.test.');
    const spf = find(r.checks, 'SPF example.cn');
    assert.equal(spf.status, 'fail');
    assert.match(spf.detail, /2 SPF records/);
    const dkim = find(r.checks, 'DKIM example.cn');
    assert.equal(dkim.status, 'fail');
    assert.match(dkim.fix!, /^youju\._domainkey\.example\.cn\. IN TXT "v=DKIM1; k=rsa; p=MII/);
    const dmarc = find(r.checks, 'DMARC example.cn');
    assert.equal(dmarc.status, 'warn');
    assert.equal(dmarc.fix, '_dmarc.example.cn. IN TXT "v=DMARC1; p=quarantine; rua=mailto:postmaster@example.cn"');
    assert.equal(find(r.checks, 'PTR 127.0.0.1').status, 'warn');
  });

  it('checks MTA-STS for the domains that have it on (setting mtaSts.domains), with the record to publish', async () => {
    assert.equal((await doctor()).checks.some((c) => c.name.startsWith('MTA-STS')), false, 'off: no MTA-STS checks');
    await t.rt.settings.set('mtaSts.domains', ['example.cn']);
    await t.rt.settings.set('mtaSts.mode', 'enforce');
    const r = await doctor();
    const record = find(r.checks, 'MTA-STS record example.cn');
    assert.equal(record.status, 'fail');
    assert.match(record.fix!, /^_mta-sts\.example\.cn\. IN TXT "v=STSv1; id=[0-9a-f]{20}"$/);
    const policy = find(r.checks, 'MTA-STS policy example.cn');
    assert.equal(policy.status, 'fail');
    assert.match(policy.fix!, /mta-sts\.txt.*\nversion: STSv1\nmode: enforce\nmx: mx\.youju\.test\nmax_age: 604800$/s);
    await t.rt.settings.set('mtaSts.domains', []);
  });

  it('prints a report for people, and --no-dns asks no DNS question', async () => {
    const before = t.dns.queries.length;
    const r = await youjuAsync(['--data', t.dir, '--config', cfg, 'doctor', '--no-dns']);
    assert.equal(t.dns.queries.length, before);
    assert.match(r.stdout, /^ports$/m);
    assert.match(r.stdout, /✓ smtp 127\.0\.0\.1:\d+: accepting connections/);
    assert.match(r.stdout, /\d+ ok, \d+ warnings, \d+ failed$/m);
  });
});
