/**
 * The TLS certificate for STARTTLS and the implicit-TLS ports. From the boot config's tls.cert /
 * tls.key when given; otherwise a self-signed RSA-2048 certificate for the hostname, generated on
 * first start into DATA/tls/ (key file mode 0600) and reused afterwards.
 */
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import { webcrypto } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { MailError } from '../core/errors.ts';
import type { BootConfig } from './boot.ts';

export interface TlsMaterial {
  key: Buffer;
  cert: Buffer;
  selfSigned: boolean;
}

x509.cryptoProvider.set(webcrypto as unknown as Crypto);

export async function generateSelfSigned(hostname: string, days = 3650): Promise<{ key: string; cert: string }> {
  const alg = { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256', publicExponent: new Uint8Array([1, 0, 1]), modulusLength: 2048 };
  const keys = await webcrypto.subtle.generateKey(alg, true, ['sign', 'verify']) as CryptoKeyPair;
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: Buffer.from(webcrypto.getRandomValues(new Uint8Array(8))).toString('hex').replace(/^[89a-f]/, '1'),
    name: `CN=${hostname}`,
    notBefore: new Date(Date.now() - 3600_000),
    notAfter: new Date(Date.now() + days * 86400_000),
    keys,
    signingAlgorithm: alg,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment, true),
      new x509.SubjectAlternativeNameExtension([{ type: 'dns', value: hostname }]),
    ],
  });
  const pkcs8 = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', keys.privateKey)).toString('base64');
  const key = `-----BEGIN PRIVATE KEY-----\n${pkcs8.match(/.{1,64}/g)!.join('\n')}\n-----END PRIVATE KEY-----\n`;
  return { key, cert: cert.toString('pem') + '\n' };
}

export async function loadTls(config: BootConfig): Promise<TlsMaterial> {
  if (config.tls.cert || config.tls.key) {
    if (!config.tls.cert || !config.tls.key) throw new MailError('CONFIG_INVALID', 'tls: give both tls.cert and tls.key, or neither');
    try {
      return { cert: await readFile(config.tls.cert), key: await readFile(config.tls.key), selfSigned: false };
    } catch (err) {
      throw new MailError('CONFIG_INVALID', `tls: cannot read ${String((err as NodeJS.ErrnoException).path ?? '')}: ${(err as Error).message}`);
    }
  }
  const dir = join(config.dataDir, 'tls');
  const keyPath = join(dir, 'self-signed.key');
  const certPath = join(dir, 'self-signed.crt');
  if (!existsSync(keyPath) || !existsSync(certPath)) {
    await mkdir(dir, { recursive: true });
    const g = await generateSelfSigned(config.hostname);
    await writeFile(keyPath, g.key, { mode: 0o600 });
    await chmod(keyPath, 0o600);
    await writeFile(certPath, g.cert);
  }
  return { key: await readFile(keyPath), cert: await readFile(certPath), selfSigned: true };
}
