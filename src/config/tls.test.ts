// TLS material: a self-signed certificate for the hostname is generated once into DATA/tls (key
// mode 0600) and reused; configured files win; giving only one of cert/key is a config error.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadBootConfig } from './boot.ts';
import { generateSelfSigned, loadTls } from './tls.ts';

describe('TLS material', () => {
  it('generates a self-signed certificate once and reuses it', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'youju-tls-'));
    try {
      const config = { ...loadBootConfig({ dataDir: dir, env: {} }), hostname: 'mail.example.cn' };
      const first = await loadTls(config);
      assert.equal(first.selfSigned, true);
      const cert = new X509Certificate(first.cert);
      assert.equal(cert.subjectAltName, 'DNS:mail.example.cn');
      assert.equal(cert.checkPrivateKey(createPrivateKey(first.key)), true);
      assert.equal((await stat(join(dir, 'tls', 'self-signed.key'))).mode & 0o777, 0o600);
      const second = await loadTls(config);
      assert.deepEqual(second.cert, first.cert);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('uses configured files, and refuses half a pair', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'youju-tls-'));
    try {
      const g = await generateSelfSigned('given.example.cn');
      await writeFile(join(dir, 'c.pem'), g.cert);
      await writeFile(join(dir, 'k.pem'), g.key);
      const base = loadBootConfig({ dataDir: dir, env: {} });
      const given = await loadTls({ ...base, tls: { cert: join(dir, 'c.pem'), key: join(dir, 'k.pem') } });
      assert.equal(given.selfSigned, false);
      assert.equal(new X509Certificate(given.cert).subject, 'CN=given.example.cn');
      await assert.rejects(loadTls({ ...base, tls: { cert: join(dir, 'c.pem') } }), /give both tls\.cert and tls\.key/);
      await assert.rejects(loadTls({ ...base, tls: { cert: join(dir, 'missing.pem'), key: join(dir, 'k.pem') } }), /cannot read/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
