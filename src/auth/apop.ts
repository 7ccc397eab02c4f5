/**
 * APOP (RFC 1939 §7): the greeting carries a unique timestamp `<pid.random.time@host>` and the client
 * answers with MD5(timestamp + password) in hex. Verifying needs the password itself (an MD5 cannot
 * be finished from a salted hash or from the CRAM-MD5 HMAC states), so users.apopSecret keeps a copy
 * encrypted with the data dir's key (secret-box.ts), only while security.apopEnabled is on.
 * The client side (MultiPOP's "use APOP") uses apopDigest too.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** A fresh greeting timestamp, angle brackets included (RFC 1939 §7: unique per greeting). */
export function apopTimestamp(hostname: string, now: number = Date.now()): string {
  return `<${process.pid}.${randomBytes(6).toString('hex')}.${Math.floor(now / 1000)}@${hostname}>`;
}

export function apopDigest(timestamp: string, password: string): string {
  return createHash('md5').update(timestamp + password, 'utf8').digest('hex');
}

/** Constant-time check of a client's digest (hex, any case). */
export function verifyApop(timestamp: string, password: string, digest: string): boolean {
  const a = Buffer.from(apopDigest(timestamp, password));
  const b = Buffer.from(digest.toLowerCase());
  return a.length === b.length && timingSafeEqual(a, b);
}
