import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { MailError } from '../core/errors.ts';
import { BootConfigSchema, PORT_NAMES, isCidr, loadBootConfig, portEnvName, withHighPorts } from './boot.ts';

const dir = mkdtempSync(join(os.tmpdir(), 'youju-boot-'));
let n = 0;
const file = (ext: string, text: string): string => {
  const p = join(dir, `c${n++}${ext}`);
  writeFileSync(p, text);
  return p;
};
const NO_ENV = {};
after(() => rmSync(dir, { recursive: true, force: true }));

/** Runs fn and returns the CONFIG_INVALID message it throws. */
function configError(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof MailError, `expected MailError, got ${String(err)}`);
    assert.equal(err.code, 'CONFIG_INVALID');
    assert.ok(!err.message.includes('\n'), `message must be one line: ${err.message}`);
    return err.message;
  }
  assert.fail('expected CONFIG_INVALID');
}

describe('loadBootConfig', () => {
  it('gives every default with no file and no environment', () => {
    const c = loadBootConfig({ env: NO_ENV });
    assert.equal(c.hostname, os.hostname());
    assert.equal(c.listen, '0.0.0.0');
    assert.equal(c.dataDir, './data');
    assert.deepEqual(c.store, { kind: 'sqlite' });
    assert.deepEqual(c.ports, {
      smtp: 25, submission: 587, smtps: 465, imap: 143, imaps: 993, pop3: 110, pop3s: 995,
      http: 80, https: 443, admin: 10000, smtpOutbound: 25,
    });
    assert.deepEqual(c.dns, { servers: [], hosts: {} });
    assert.deepEqual(c.trustedNetworks, []);
    assert.deepEqual(c.tls, {});
    assert.equal(c.log.level, 'info');
  });

  it('reads the DESIGN §6 JSON example, keeping defaults for keys it leaves out', () => {
    const p = file('.json', JSON.stringify({
      hostname: 'mx.example.com', listen: '127.0.0.1',
      ports: { smtp: 2525, submission: 0, smtps: 0, imap: 1143, imaps: 0, pop3: 1110, pop3s: 0, http: 8080, admin: 0, smtpOutbound: 2526 },
      dns: { servers: ['127.0.0.1:5353'], hosts: { 'example.net': '127.0.0.1' } },
      trustedNetworks: [],
    }));
    const c = loadBootConfig({ file: p, env: NO_ENV });
    assert.equal(c.hostname, 'mx.example.com');
    assert.equal(c.ports.smtp, 2525);
    assert.equal(c.ports.submission, 0);
    assert.equal(c.ports.https, 443);
    assert.equal(c.ports.smtpOutbound, 2526);
    assert.deepEqual(c.dns.servers, ['127.0.0.1:5353']);
    assert.deepEqual(c.dns.hosts, { 'example.net': '127.0.0.1' });
  });

  it('reads YAML by extension, and guesses JSON-then-YAML without one', () => {
    const yaml = 'hostname: mail.example.org\nports:\n  imap: 1143\ntrustedNetworks:\n  - 10.0.0.0/8\n  - "2001:db8::/32"\n';
    for (const p of [file('.yaml', yaml), file('.yml', yaml), file('', yaml)]) {
      const c = loadBootConfig({ file: p, env: NO_ENV });
      assert.equal(c.hostname, 'mail.example.org');
      assert.equal(c.ports.imap, 1143);
      assert.deepEqual(c.trustedNetworks, ['10.0.0.0/8', '2001:db8::/32']);
    }
    assert.equal(loadBootConfig({ file: file('.conf', '{"listen": "::"}'), env: NO_ENV }).listen, '::');
  });

  it('treats an empty file as all defaults', () => {
    assert.equal(loadBootConfig({ file: file('.yaml', ''), env: NO_ENV }).ports.smtp, 25);
  });

  it('names the file and the field in a one-line error', () => {
    const p = file('.json', '{"ports": {"smtp": "abc"}}');
    assert.equal(configError(() => loadBootConfig({ file: p, env: NO_ENV })),
      `config file ${p}: ports.smtp: must be an integer between 0 and 65535 (got "abc")`);
    const q = file('.json', '{"ports": {"imap": 70000}}');
    assert.match(configError(() => loadBootConfig({ file: q, env: NO_ENV })), /ports\.imap: must be an integer between 0 and 65535 \(got 70000\)$/);
    const r = file('.json', '{"ports": {"imap": 14.5}}');
    assert.match(configError(() => loadBootConfig({ file: r, env: NO_ENV })), /ports\.imap: .* \(got 14\.5\)$/);
  });

  it('rejects unknown keys at the top level and inside sections', () => {
    const p = file('.json', '{"hostnmae": "x", "ports": {"smtpp": 25}}');
    const msg = configError(() => loadBootConfig({ file: p, env: NO_ENV }));
    assert.match(msg, /ports\.smtpp: unknown key/);
    assert.match(msg, /hostnmae: unknown key/);
  });

  it('validates enums, CIDRs, DNS servers, host addresses and nested types', () => {
    const cases: Array<[unknown, RegExp]> = [
      [{ store: { kind: 'mysql' } }, /store\.kind: must be one of "sqlite", "postgres" \(got "mysql"\)/],
      [{ trustedNetworks: ['10.0.0.0'] }, /trustedNetworks\[0\]: must be a CIDR such as 192\.168\.0\.0\/16 \(got "10\.0\.0\.0"\)/],
      [{ trustedNetworks: ['10.0.0.0/33'] }, /trustedNetworks\[0\]: must be a CIDR/],
      [{ trustedNetworks: '10.0.0.0/8' }, /trustedNetworks: must be an array/],
      [{ dns: { servers: ['dns.example:53'] } }, /dns\.servers\[0\]: must be an IP address with an optional :port/],
      [{ dns: { hosts: { 'a.example': 'nope' } } }, /dns\.hosts\["a\.example"\]: must be an IP address \(got "nope"\)/],
      [{ log: { level: 'verbose' } }, /log\.level: must be one of "fatal", /],
      [{ listen: 'eth0' }, /listen: must be an IP address/],
      [{ hostname: 'bad host' }, /hostname: must be a host name/],
      [{ ports: 25 }, /ports: must be an object \(got 25\)/],
      [{ ports: { imap: 25 } }, /ports\.imap: port already used by ports\.smtp \(got 25\)/],
    ];
    for (const [input, re] of cases) {
      assert.match(configError(() => loadBootConfig({ file: file('.json', JSON.stringify(input)), env: NO_ENV })), re);
    }
  });

  it('requires store.url for postgres, and never echoes the URL', () => {
    const p = file('.json', '{"store": {"kind": "postgres"}}');
    assert.match(configError(() => loadBootConfig({ file: p, env: NO_ENV })), /store\.url: is required when store\.kind is "postgres"/);
    const q = file('.json', '{"store": {"kind": "postgres", "url": "mysql://u:hunter2@db/x"}}');
    const msg = configError(() => loadBootConfig({ file: q, env: NO_ENV }));
    assert.match(msg, /store\.url: must be a postgres:\/\//);
    assert.ok(!msg.includes('hunter2'));
  });

  it('reports a missing file and parse errors with the file name', () => {
    const missing = join(dir, 'nope.json');
    assert.equal(configError(() => loadBootConfig({ file: missing, env: NO_ENV })), `config file ${missing}: not found`);
    const bad = file('.json', '{"ports": {');
    assert.match(configError(() => loadBootConfig({ file: bad, env: NO_ENV })), new RegExp(`^config file ${bad}: invalid JSON: `));
    const badYaml = file('.yaml', 'ports:\n  smtp: [1,\n');
    assert.match(configError(() => loadBootConfig({ file: badYaml, env: NO_ENV })), new RegExp(`^config file ${badYaml}: invalid YAML: `));
    const list = file('.json', '[1, 2]');
    assert.match(configError(() => loadBootConfig({ file: list, env: NO_ENV })), /must contain an object/);
  });

  it('lets the environment override the file, validated the same way', () => {
    const p = file('.json', '{"hostname": "a.example", "listen": "127.0.0.1", "ports": {"smtp": 2525, "http": 8080}}');
    const c = loadBootConfig({
      file: p,
      env: {
        YOUJU_HOSTNAME: 'b.example', YOUJU_LISTEN: '::1', YOUJU_DATA: '/srv/youju',
        YOUJU_PORT_SMTP: '3525', YOUJU_PORT_SMTP_OUTBOUND: '2500', YOUJU_PORT_HTTPS: '0', YOUJU_PORT_HTTP: '',
        YOUJU_STORE_URL: 'postgres://youju:pw@db.example/youju',
      },
    });
    assert.equal(c.hostname, 'b.example');
    assert.equal(c.listen, '::1');
    assert.equal(c.dataDir, '/srv/youju');
    assert.equal(c.ports.smtp, 3525);
    assert.equal(c.ports.smtpOutbound, 2500);
    assert.equal(c.ports.https, 0);
    assert.equal(c.ports.http, 8080, 'an empty variable counts as unset');
    assert.deepEqual(c.store, { kind: 'postgres', url: 'postgres://youju:pw@db.example/youju' });

    assert.deepEqual(loadBootConfig({ env: { YOUJU_PORT_SMTP: '0', YOUJU_PORT_IMAP: '0' } }).ports.smtp, 0, 'several ports may be 0');
    assert.equal(configError(() => loadBootConfig({ env: { YOUJU_PORT_SMTP: 'abc' } })),
      'environment YOUJU_PORT_SMTP: ports.smtp: must be an integer between 0 and 65535 (got "abc")');
    assert.match(configError(() => loadBootConfig({ env: { YOUJU_PORT_IMAPS: '99999' } })), /^environment YOUJU_PORT_IMAPS: ports\.imaps: .*\(got 99999\)$/);
    assert.match(configError(() => loadBootConfig({ env: { YOUJU_LISTEN: 'all' } })), /^environment YOUJU_LISTEN: listen: must be an IP address/);
    const url = configError(() => loadBootConfig({ env: { YOUJU_STORE_URL: 'http://u:hunter2@x' } }));
    assert.match(url, /^environment YOUJU_STORE_URL: store\.url: must be/);
    assert.ok(!url.includes('hunter2'));
  });

  it('takes dataDir from opts first, then YOUJU_DATA, then the file', () => {
    const p = file('.json', '{"dataDir": "/from/file"}');
    assert.equal(loadBootConfig({ file: p, env: NO_ENV }).dataDir, '/from/file');
    assert.equal(loadBootConfig({ file: p, env: { YOUJU_DATA: '/from/env' } }).dataDir, '/from/env');
    assert.equal(loadBootConfig({ file: p, dataDir: '/from/flag', env: { YOUJU_DATA: '/from/env' } }).dataDir, '/from/flag');
    assert.equal(loadBootConfig({ env: { YOUJU_DATA: '/from/env' } }).dataDir, '/from/env');
  });
});

describe('withHighPorts', () => {
  it('moves privileged listener ports up by 10000, keeps 0 and smtpOutbound', () => {
    const base = loadBootConfig({ env: { YOUJU_PORT_POP3: '0', YOUJU_PORT_IMAP: '1143', YOUJU_PORT_SMTPS: '0' } });
    const c = withHighPorts(base);
    assert.equal(c.ports.smtp, 10025);
    assert.equal(c.ports.http, 10080);
    assert.equal(c.ports.https, 10443);
    assert.equal(c.ports.imaps, 10993);
    assert.equal(c.ports.pop3, 0);
    assert.equal(c.ports.smtps, 0);
    assert.equal(c.ports.imap, 1143);
    assert.equal(c.ports.admin, 10000);
    assert.equal(c.ports.smtpOutbound, 25);
    assert.equal(base.ports.smtp, 25, 'the input is not modified');
  });
});

describe('schema', () => {
  it('lists every port with an environment name, and documents every key', () => {
    assert.deepEqual(Object.keys(BootConfigSchema.shape.ports.unwrap().shape).sort(), [...PORT_NAMES].sort());
    assert.equal(portEnvName('smtpOutbound'), 'YOUJU_PORT_SMTP_OUTBOUND');
    assert.equal(portEnvName('pop3s'), 'YOUJU_PORT_POP3S');
    for (const [key, s] of Object.entries(BootConfigSchema.shape)) {
      assert.ok(s.description, `${key} has a description`);
    }
    for (const [key, s] of Object.entries(BootConfigSchema.shape.ports.unwrap().shape)) {
      assert.ok(s.description, `ports.${key} has a description`);
    }
  });

  it('validates CIDRs of both families', () => {
    for (const ok of ['0.0.0.0/0', '192.168.1.0/24', '::/0', 'fe80::/10', '2001:db8::1/128']) assert.ok(isCidr(ok), ok);
    for (const bad of ['192.168.1.0', '192.168.1.0/', '300.1.1.1/8', '10.0.0.0/40', '::1/129', 'abc/8']) assert.ok(!isCidr(bad), bad);
  });
});
