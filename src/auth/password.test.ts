import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hashPassword, verifyPassword } from './password.ts';

test('hashPassword encodes scrypt parameters, salt and key', async () => {
  const h = await hashPassword('Youju2026!');
  assert.match(h, /^\$scrypt\$N=16384,r=8,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$/);
  assert.notEqual(await hashPassword('Youju2026!'), h, 'a fresh salt every time');
  assert.equal(await verifyPassword('Youju2026!', h), true);
  assert.equal(await verifyPassword('youju2026!', h), false);
  assert.equal(await verifyPassword('', h), false);
});

test('verifyPassword handles Unicode passwords', async () => {
  const h = await hashPassword('邮局密码2026');
  assert.equal(await verifyPassword('邮局密码2026', h), true);
  assert.equal(await verifyPassword('邮局密码2025', h), false);
});

test('verifyPassword is false for malformed or hostile encodings', async () => {
  const h = await hashPassword('secret-Pass1');
  const [, , params, salt, key] = h.split('$');
  const cases = [
    '',
    'plain-text',
    `$bcrypt$${params}$${salt}$${key}`,
    `$scrypt$${params}$${salt}`,
    `$scrypt$N=16384,r=8,p=1$${salt}$!!!!${key}`,
    `$scrypt$N=16383,r=8,p=1$${salt}$${key}`, // not a power of two
    `$scrypt$N=1073741824,r=8,p=1$${salt}$${key}`, // 2^30: would need 1 TiB
    `$scrypt$N=16384,r=999,p=1$${salt}$${key}`,
    `$scrypt$N=16384,r=8,p=1$${salt}$${key!.slice(0, 10)}`,
    `${h}\n`,
  ];
  for (const enc of cases) assert.equal(await verifyPassword('secret-Pass1', enc), false, JSON.stringify(enc));
});
