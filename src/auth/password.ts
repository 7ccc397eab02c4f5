/**
 * Password hashing for users and admins: scrypt (RFC 7914) with N=16384, r=8, p=1, a 16-byte
 * random salt and a 32-byte key, stored as `$scrypt$N=16384,r=8,p=1$<salt>$<hash>` (unpadded
 * base64, as in the PHC string format). Verification reads the parameters from the stored string,
 * so they can be raised later without invalidating old hashes; bounds on them keep a hostile
 * string from costing more than one hash at the highest supported cost.
 * Not here: the password policy (password-policy.ts), SASL mechanisms, sessions, and the reversible
 * secrets CRAM-MD5 (cram-md5.ts) and APOP (apop.ts, sealed with secret-box.ts) need.
 */
import { randomBytes, randomInt, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import { checkPasswordStrength } from './password-policy.ts';

const N = 16384;
const R = 8;
const P = 1;
const SALT_BYTES = 16;
const KEY_BYTES = 32;

const ENCODED = /^\$scrypt\$N=(\d{1,8}),r=(\d{1,3}),p=(\d{1,3})\$([A-Za-z0-9+/]{16,88}={0,2})\$([A-Za-z0-9+/]{16,88}={0,2})$/;

function scryptAsync(plain: string, salt: Buffer, keyLen: number, opts: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(plain.normalize('NFC'), salt, keyLen, opts, (err, key) => (err ? reject(err) : resolve(key)));
  });
}

/** scrypt needs 128·N·r bytes; leave headroom above Node's 32 MiB default for the larger costs we accept. */
const maxmemFor = (n: number, r: number, p: number): number => 128 * n * r * p + 1024 * 1024;

const b64 = (buf: Buffer): string => buf.toString('base64').replace(/=+$/, '');

/** Hashes a password with a fresh salt. The result is safe to store and to log the length of, nothing else. */
export async function hashPassword(plain: string): Promise<string> {
  const salt = randomBytes(SALT_BYTES);
  const key = await scryptAsync(plain, salt, KEY_BYTES, { N, r: R, p: P, maxmem: maxmemFor(N, R, P) });
  return `$scrypt$N=${N},r=${R},p=${P}$${b64(salt)}$${b64(key)}`;
}

/**
 * True when plain matches the encoded hash. Malformed encodings (wrong prefix, parameters out of
 * range, bad base64, wrong key length) give false, never an exception, so a corrupt row can only
 * fail a login.
 */
export async function verifyPassword(plain: string, encoded: string): Promise<boolean> {
  const m = ENCODED.exec(encoded);
  if (!m) return false;
  const n = Number(m[1]);
  const r = Number(m[2]);
  const p = Number(m[3]);
  // N a power of two in [2^10, 2^20]; r, p small: the cost of one verification stays bounded.
  if (n < 1024 || n > 1 << 20 || (n & (n - 1)) !== 0) return false;
  if (r < 1 || r > 32 || p < 1 || p > 16 || n * r * p > (1 << 20) * 8) return false;
  const salt = Buffer.from(m[4]!, 'base64');
  const expected = Buffer.from(m[5]!, 'base64');
  if (salt.length < 8 || expected.length < 16 || expected.length > 64) return false;
  let key: Buffer;
  try {
    key = await scryptAsync(plain, salt, expected.length, { N: n, r, p, maxmem: maxmemFor(n, r, p) });
  } catch {
    return false;
  }
  return timingSafeEqual(key, expected);
}

let dummy: Promise<string> | undefined;

/**
 * A valid hash of a random password, computed once per process. Logins for unknown accounts verify
 * against it so that a miss costs the same time as a wrong password and reveals nothing.
 */
export function dummyHash(): Promise<string> {
  dummy ??= hashPassword(randomBytes(16).toString('base64'));
  return dummy;
}

// No look-alikes: 0/O/o, 1/l/I; symbols that survive shells and URLs unquoted-ish.
const GENERATED_CLASSES = ['ABCDEFGHJKLMNPQRSTUVWXYZ', 'abcdefghijkmnpqrstuvwxyz', '23456789', '#%+-=@_'];
const GENERATED_ALPHABET = GENERATED_CLASSES.join('');

/**
 * A random password of `length` characters (default 16, about 95 bits) from an alphabet without
 * look-alike characters, with every class present and passing the strong-password rule.
 */
export function generatePassword(length = 16): string {
  if (length < GENERATED_CLASSES.length) throw new RangeError('password too short');
  for (;;) {
    let out = '';
    for (let i = 0; i < length; i++) out += GENERATED_ALPHABET[randomInt(GENERATED_ALPHABET.length)];
    if (GENERATED_CLASSES.every((cls) => [...out].some((c) => cls.includes(c))) && checkPasswordStrength(out) === null) {
      return out;
    }
  }
}
