// `youju dkim generate|show` end to end: a key is created once per domain (replaced only with
// --force), the printed TXT record verifies mail signed with the stored key, the private key is
// never printed, every creation is audited, and errors exit 1 (runtime) or 2 (usage).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dkimVerify } from 'mailauth/lib/dkim/verify.js';
import { loadBootConfig } from '../../../src/config/boot.ts';
import { createLogger } from '../../../src/core/log/logger.ts';
import { loadDkimKey, signDkim } from '../../../src/delivery/rewrite/dkim.ts';
import { openRuntime } from '../../../src/main.ts';
import { youju } from '../../helpers/cli.ts';

interface Printed { domain: string; selector: string; dnsName: string; txt: string; zone: string }

describe('youju dkim', () => {
  let dir: string;
  let run: (...args: string[]) => ReturnType<typeof youju>;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'youju-dkim-'));
    run = (...args) => youju(['--data', join(dir, 'data'), ...args]);
    const init = run('init', '--domain', 'example.cn');
    assert.equal(init.code, 0, init.stderr);
    assert.equal(run('domain', 'add', '例子.中国').code, 0);
  });
  after(() => rm(dir, { recursive: true, force: true }));

  let first: Printed;

  it('generate prints the DNS record to publish, and never the private key', () => {
    const r = run('dkim', 'generate', 'example.cn');
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /DKIM key for example\.cn created \(selector youju\)/);
    assert.match(r.stdout, /^name\s+youju\._domainkey\.example\.cn$/m);
    assert.match(r.stdout, /^value\s+v=DKIM1; k=rsa; p=[A-Za-z0-9+/=]{300,}$/m);
    assert.match(r.stdout, /^youju\._domainkey\.example\.cn\. IN TXT \( "v=DKIM1; k=rsa; p=[^"]+" "[^"]+" \)$/m);
    assert.doesNotMatch(r.stdout, /PRIVATE KEY/);
    const shown = run('dkim', 'show', 'example.cn', '--json');
    assert.equal(shown.code, 0, shown.stderr);
    first = JSON.parse(shown.stdout) as Printed;
    assert.equal(first.dnsName, 'youju._domainkey.example.cn');
    assert.ok(r.stdout.includes(first.txt), 'show prints the same record again');
  });

  it('refuses to replace a key without --force, and replaces it with --force', () => {
    const again = run('dkim', 'generate', 'EXAMPLE.cn');
    assert.equal(again.code, 1);
    assert.match(again.stderr, /^youju: domain example\.cn already has a DKIM key \(selector youju\); add --force/);
    assert.equal(JSON.parse(run('dkim', 'show', 'example.cn', '--json').stdout).txt, first.txt, 'the old key is kept');

    const forced = run('dkim', 'generate', 'example.cn', '--selector', 's2026', '--force', '--json');
    assert.equal(forced.code, 0, forced.stderr);
    const replaced = JSON.parse(forced.stdout) as Printed;
    assert.equal(replaced.selector, 's2026');
    assert.equal(replaced.dnsName, 's2026._domainkey.example.cn');
    assert.notEqual(replaced.txt, first.txt);
    assert.deepEqual(JSON.parse(run('dkim', 'show', 'example.cn', '--json').stdout), replaced);
    first = replaced;
  });

  it('works for IDN domains, shown in Unicode and published in ASCII', () => {
    const r = run('dkim', 'generate', '例子.中国');
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /DKIM key for 例子\.中国 created/);
    assert.match(r.stdout, /^name\s+youju\._domainkey\.xn--fsqu00a\.xn--fiqs8s$/m);
  });

  it('exits 1 for unknown domains or a missing key, 2 for bad usage', () => {
    const unknown = run('dkim', 'generate', 'nowhere.cn');
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /domain nowhere\.cn does not exist/);
    assert.equal(run('domain', 'add', 'nokey.cn').code, 0);
    const missing = run('dkim', 'show', 'nokey.cn');
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /nokey\.cn has no DKIM key: run `youju dkim generate nokey\.cn`/);
    const badSelector = run('dkim', 'generate', 'nokey.cn', '--selector', 'no spaces');
    assert.equal(badSelector.code, 2);
    assert.match(badSelector.stderr, /DKIM selector "no spaces"/);
    assert.equal(run('dkim', 'generate').code, 2, 'DOMAIN is required');
    assert.equal(run('dkim', 'show', 'nokey.cn').code, 1, 'a refused selector stored nothing');
  });

  it('the stored key signs mail that verifies against the printed record, and each creation is audited', async () => {
    const rt = await openRuntime(loadBootConfig({ dataDir: join(dir, 'data'), env: {} }), { logger: createLogger({ level: 'silent' }) });
    try {
      const domain = await rt.domains.resolveDomain('example.cn');
      const key = await loadDkimKey(rt.store, domain!.id);
      assert.equal(key?.selector, 's2026');
      const message = Buffer.from('From: a@example.cn\r\nTo: b@example.net\r\nSubject: hi\r\n\r\nHello\r\n');
      const signed = Buffer.concat([Buffer.from(await signDkim(message, { domain: 'example.cn', key: key! })), message]);
      const resolver = async (name: string) => {
        if (name !== first.dnsName) throw Object.assign(new Error('ENOTFOUND'), { code: 'ENOTFOUND' });
        return [first.txt.match(/.{1,255}/g)!];
      };
      const result = await dkimVerify(signed, { resolver });
      assert.equal(result.results[0]?.status.result, 'pass');

      const audit = await rt.store.read((tx) => tx.audit.list({ action: 'dkim.generate' }));
      assert.deepEqual(audit.map((e) => e.target).sort(), ['example.cn', 'example.cn', 'xn--fsqu00a.xn--fiqs8s']);
      assert.ok(audit.every((e) => e.source === 'cli' && e.actor.startsWith('cli:')));
      assert.ok(audit.some((e) => e.details.selector === 's2026' && e.details.replacedSelector === 'youju'));
      assert.ok(audit.every((e) => !JSON.stringify(e.details).includes('PRIVATE')), 'no key material in the audit log');
    } finally {
      await rt.close();
    }
  });
});
