/**
 * Reversible encryption for the few secrets Youju must be able to read back: passwords of external
 * POP3 accounts (MultiPOP, DomainPOP) and, only while security.apopEnabled is on, a copy of each
 * user's password for APOP (auth/apop.ts). AES-256-GCM with a random 96-bit IV per value; the key is
 * 32 random bytes in DATA/secret.key (mode 0600), made on first use. A database dump alone gives
 * nothing back; the dump plus that file does, so back it up apart and keep it off shared disks. In a
 * cluster every node needs the same file. deriveKey() gives other features (SRS) keys of their own. Stored form: `$aesgcm$1$<iv>$<tag>$<ciphertext>` (base64).
 */
import { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'node:crypto';
import { linkSync, mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { MailError } from '../core/errors.ts';

const PREFIX = '$aesgcm$1$';

export class SecretBox {
  private key: Buffer | undefined;

  /** `file`: the key file, e.g. join(dataDir, 'secret.key'). Nothing is read or made until first use. */
  constructor(private readonly file: string) {}

  static forDataDir(dataDir: string): SecretBox {
    return new SecretBox(join(dataDir, 'secret.key'));
  }

  encrypt(plain: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.loadKey(), iv);
    const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return `${PREFIX}${iv.toString('base64')}$${cipher.getAuthTag().toString('base64')}$${body.toString('base64')}`;
  }

  /** Throws CONFIG_INVALID when the value was made with another key or is damaged. */
  decrypt(sealed: string): string {
    const parts = sealed.startsWith(PREFIX) ? sealed.slice(PREFIX.length).split('$') : [];
    if (parts.length !== 3) throw new MailError('CONFIG_INVALID', 'stored secret is not in the expected form');
    const [iv, tag, body] = parts.map((p) => Buffer.from(p, 'base64')) as [Buffer, Buffer, Buffer];
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.loadKey(), iv);
      decipher.setAuthTag(tag);
      return Buffer.concat([decipher.update(body), decipher.final()]).toString('utf8');
    } catch (err) {
      throw new MailError('CONFIG_INVALID', `stored secret cannot be decrypted with ${this.file} (was the key file replaced?)`, { cause: err });
    }
  }

  /** A key of its own for one purpose (e.g. 'srs'), derived from the secret key: HMAC-SHA256(key, purpose). */
  deriveKey(purpose: string): Buffer {
    return createHmac('sha256', this.loadKey()).update(`youju:${purpose}`).digest();
  }

  static isSealed(value: string): boolean {
    return value.startsWith(PREFIX);
  }

  /** Reads the key, or makes it: written to a temp file, then linked into place so two processes agree on one key. */
  private loadKey(): Buffer {
    if (this.key) return this.key;
    try {
      this.key = readKey(this.file);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      mkdirSync(dirname(this.file), { recursive: true });
      const tmp = `${this.file}.${process.pid}.${randomBytes(4).toString('hex')}`;
      writeFileSync(tmp, randomBytes(32), { mode: 0o600 });
      try {
        linkSync(tmp, this.file);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      } finally {
        unlinkSync(tmp);
      }
      this.key = readKey(this.file);
    }
    return this.key;
  }
}

function readKey(file: string): Buffer {
  const key = readFileSync(file);
  if (key.length !== 32) throw new MailError('CONFIG_INVALID', `${file} must hold exactly 32 bytes`);
  return key;
}
