/**
 * CRAM-MD5 (RFC 2195) without keeping passwords: we store the two MD5 states HMAC-MD5 reaches after
 * absorbing (key ⊕ ipad) and (key ⊕ opad) — 32 bytes, as Dovecot's CRAM-MD5 scheme does — and finish
 * the HMAC over each challenge from them (RFC 2104). The states let someone log in with CRAM-MD5 but
 * do not give back the password. node:crypto cannot resume an MD5 from a state, hence the compression
 * function here (RFC 1321 §3.4).
 */
import { createHash, timingSafeEqual } from 'node:crypto';

const S = [7, 12, 17, 22, 5, 9, 14, 20, 4, 11, 16, 23, 6, 10, 15, 21];
const K = Array.from({ length: 64 }, (_, i) => Math.floor(Math.abs(Math.sin(i + 1)) * 2 ** 32) >>> 0);
const INIT = [0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476];

/** One MD5 compression of a 64-byte block into state (4 little-endian words). */
function compress(state: number[], block: Buffer, offset: number): void {
  let [a, b, c, d] = state as [number, number, number, number];
  for (let i = 0; i < 64; i++) {
    let f: number;
    let g: number;
    if (i < 16) { f = (b & c) | (~b & d); g = i; }
    else if (i < 32) { f = (d & b) | (~d & c); g = (5 * i + 1) % 16; }
    else if (i < 48) { f = b ^ c ^ d; g = (3 * i + 5) % 16; }
    else { f = c ^ (b | ~d); g = (7 * i) % 16; }
    const shift = S[(i >> 4) * 4 + (i % 4)]!;
    const sum = (a + f + K[i]! + block.readUInt32LE(offset + g * 4)) >>> 0;
    a = d; d = c; c = b;
    b = (b + ((sum << shift) | (sum >>> (32 - shift)))) >>> 0;
  }
  state[0] = (state[0]! + a) >>> 0;
  state[1] = (state[1]! + b) >>> 0;
  state[2] = (state[2]! + c) >>> 0;
  state[3] = (state[3]! + d) >>> 0;
}

/** Finishes an MD5 that has absorbed `prefixBytes` bytes (whole blocks) into `state`, over `data`. */
function finish(state: readonly number[], prefixBytes: number, data: Buffer): Buffer {
  const s = [...state];
  const total = prefixBytes + data.length;
  const padLen = ((data.length + 8) >> 6 << 6) + 64;
  const buf = Buffer.alloc(padLen);
  data.copy(buf);
  buf[data.length] = 0x80;
  buf.writeUInt32LE((total * 8) >>> 0, padLen - 8);
  buf.writeUInt32LE(Math.floor((total * 8) / 2 ** 32), padLen - 4);
  for (let off = 0; off < padLen; off += 64) compress(s, buf, off);
  const out = Buffer.alloc(16);
  s.forEach((w, i) => out.writeUInt32LE(w, i * 4));
  return out;
}

function padState(key: Buffer, pad: number): number[] {
  const block = Buffer.alloc(64, pad);
  for (let i = 0; i < key.length; i++) block[i] = key[i]! ^ pad;
  const s = [...INIT];
  compress(s, block, 0);
  return s;
}

/** The stored secret: `$cram-md5$` + hex of the inner and outer states. */
export function cramMd5Secret(password: string): string {
  let key = Buffer.from(password, 'utf8');
  if (key.length > 64) key = createHash('md5').update(key).digest();
  const words = [...padState(key, 0x36), ...padState(key, 0x5c)];
  const buf = Buffer.alloc(32);
  words.forEach((w, i) => buf.writeUInt32LE(w, i * 4));
  return `$cram-md5$${buf.toString('hex')}`;
}

/** HMAC-MD5(password, challenge) in hex, computed from the stored secret. */
export function cramMd5Response(secret: string, challenge: string): string | null {
  const m = /^\$cram-md5\$([0-9a-f]{64})$/.exec(secret);
  if (!m) return null;
  const buf = Buffer.from(m[1]!, 'hex');
  const words = Array.from({ length: 8 }, (_, i) => buf.readUInt32LE(i * 4));
  const inner = finish(words.slice(0, 4), 64, Buffer.from(challenge, 'utf8'));
  return finish(words.slice(4), 64, inner).toString('hex');
}

/** Checks a client's CRAM-MD5 response in constant time. False for a missing or malformed secret. */
export function verifyCramMd5(secret: string, challenge: string, response: string): boolean {
  const expected = cramMd5Response(secret, challenge);
  if (expected === null) return false;
  const a = Buffer.from(expected);
  const b = Buffer.from(response.toLowerCase());
  return a.length === b.length && timingSafeEqual(a, b);
}
