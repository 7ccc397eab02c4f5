import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { apopDigest, apopTimestamp, verifyApop } from './apop.ts';
import { SecretBox } from './secret-box.ts';

describe('APOP', () => {
  it('matches the example of RFC 1939 §7', () => {
    const ts = '<1896.697170952@dbc.mtview.ca.us>';
    assert.equal(apopDigest(ts, 'tanstaaf'), 'c4c9334bac560ecc979e58001b3e22fb');
    assert.ok(verifyApop(ts, 'tanstaaf', 'C4C9334BAC560ECC979E58001B3E22FB'));
    assert.ok(!verifyApop(ts, 'tanstaafl', 'c4c9334bac560ecc979e58001b3e22fb'));
    assert.ok(!verifyApop(ts, 'tanstaaf', 'short'));
  });

  it('makes a different timestamp for every greeting', () => {
    const a = apopTimestamp('mx.test');
    assert.match(a, /^<\d+\.[0-9a-f]{12}\.\d+@mx\.test>$/);
    assert.notEqual(a, apopTimestamp('mx.test'));
  });
});

describe('SecretBox', () => {
  it('round-trips, uses a fresh IV each time, and keeps one key file per data dir', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'youju-box-'));
    try {
      const box = SecretBox.forDataDir(dir);
      const a = box.encrypt('密码 secret');
      assert.ok(SecretBox.isSealed(a));
      assert.notEqual(a, box.encrypt('密码 secret'));
      assert.ok(!a.includes('secret'));
      assert.equal(SecretBox.forDataDir(dir).decrypt(a), '密码 secret', 'a second instance reads the same key');
      assert.equal((await stat(join(dir, 'secret.key'))).mode & 0o777, 0o600);
      assert.equal((await readFile(join(dir, 'secret.key'))).length, 32);
      const other = await mkdtemp(join(tmpdir(), 'youju-box-'));
      assert.throws(() => SecretBox.forDataDir(other).decrypt(a), /cannot be decrypted/);
      await rm(other, { recursive: true, force: true });
      assert.throws(() => box.decrypt('plain'), /expected form/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
