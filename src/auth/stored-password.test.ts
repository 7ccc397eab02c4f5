import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hashPassword } from './password.ts';
import { SecretBox } from './secret-box.ts';
import { hashPending, isPendingHash, verifyStoredPassword } from './stored-password.ts';

async function twoBoxes(t: { after: (fn: () => Promise<void>) => void }): Promise<[SecretBox, SecretBox]> {
  const dir = await mkdtemp(join(tmpdir(), 'youju-stored-pw-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return [SecretBox.forDataDir(join(dir, 'a')), SecretBox.forDataDir(join(dir, 'b'))];
}

test('a sealed password matches itself only, and only with the key that sealed it', async (t) => {
  const [box, other] = await twoBoxes(t);
  const sealed = box.encrypt('Youju2026!x');
  assert.equal(isPendingHash(sealed), true);
  assert.equal(await verifyStoredPassword('Youju2026!x', sealed, box), true);
  assert.equal(await verifyStoredPassword('youju2026!x', sealed, box), false);
  assert.equal(await verifyStoredPassword('Youju2026!', sealed, box), false, 'a prefix is not the password');
  assert.equal(await verifyStoredPassword('', sealed, box), false);
  assert.equal(await verifyStoredPassword('Youju2026!x', sealed, other), false, 'another key: false, not a throw');
  assert.equal(await verifyStoredPassword('Youju2026!x', sealed, undefined), false, 'no box: false');
  assert.equal(await verifyStoredPassword('Youju2026!x', `${sealed.slice(0, -4)}AAAA`, box), false, 'damaged');
  assert.equal(await verifyStoredPassword('Youju2026!x', '$aesgcm$1$not$valid', box), false, 'malformed');
});

test('a sealed password compares as scrypt does: NFC, so either Unicode form of it matches', async (t) => {
  const [box] = await twoBoxes(t);
  const composed = 'Caf\u00e9-2026!';
  const decomposed = 'Cafe\u0301-2026!';
  assert.equal(await verifyStoredPassword(decomposed, box.encrypt(composed), box), true);
  const hash = await hashPassword(composed);
  assert.equal(await verifyStoredPassword(decomposed, hash, box), true);
});

test('a scrypt hash is checked as before, with or without a box', async (t) => {
  const [box] = await twoBoxes(t);
  const hash = await hashPassword('邮局密码2026');
  assert.equal(isPendingHash(hash), false);
  assert.equal(await verifyStoredPassword('邮局密码2026', hash, box), true);
  assert.equal(await verifyStoredPassword('邮局密码2026', hash, undefined), true);
  assert.equal(await verifyStoredPassword('邮局密码2025', hash, box), false);
  assert.equal(await verifyStoredPassword('x', 'plain-text', box), false);
});

test('a sealed password takes about as long to check as a scrypt hash (a pending account does not show)', async (t) => {
  const [box] = await twoBoxes(t);
  const sealed = box.encrypt('Youju2026!x');
  const hash = await hashPassword('Youju2026!x');
  await verifyStoredPassword('x', hash, box); // warm up the dummy hash
  const time = async (stored: string) => {
    const t0 = performance.now();
    for (let i = 0; i < 3; i++) await verifyStoredPassword('wrong', stored, box);
    return performance.now() - t0;
  };
  const scryptMs = await time(hash);
  const sealedMs = await time(sealed);
  assert.ok(sealedMs > scryptMs / 3, `sealed ${sealedMs.toFixed(0)} ms vs scrypt ${scryptMs.toFixed(0)} ms`);
});

test('hashPending turns a sealed password into a scrypt hash of it; another key throws', async (t) => {
  const [box, other] = await twoBoxes(t);
  const sealed = box.encrypt('Youju2026!x');
  const hash = await hashPending(sealed, box);
  assert.match(hash, /^\$scrypt\$/);
  assert.equal(await verifyStoredPassword('Youju2026!x', hash, box), true);
  await assert.rejects(hashPending(sealed, other), /cannot be decrypted/);
});
