import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkPasswordStrength } from './password-policy.ts';

test('strong passwords pass', () => {
  for (const p of ['Youju2026!', 'correct horse battery 9', 'mail-Server', 'Zq8vWm3k', '邮局Mail2026']) {
    assert.equal(checkPasswordStrength(p), null, p);
  }
  assert.equal(checkPasswordStrength('Youju2026!', { localPart: 'bob', domain: 'youju.cn' }), null);
});

test('weak passwords are refused with a reason', () => {
  const cases: Array<[string, RegExp]> = [
    ['123456', /too common/],
    ['password', /too common/],
    ['Password1', /too common/],
    ['qwerty', /too common/],
    ['admin123', /too common/],
    ['woaini1314', /too common/],
    ['Ab1!', /at least 8 characters/],
    ['aaaaaaaaaa', /one repeated character/],
    ['abcdefghij', /sequence/],
    ['98765432', /sequence/],
    ['asdfghjk', /sequence/],
    ['lowercaseonly', /at least two of/],
    ['UPPERCASEONLY', /at least two of/],
    ['20262027', /at least two of/],
  ];
  for (const [p, reason] of cases) assert.match(checkPasswordStrength(p) ?? 'accepted', reason, p);
});

test('the account name and domain may not be in the password', () => {
  assert.match(checkPasswordStrength('Zhangsan2026', { localPart: 'zhangsan' }) ?? '', /account name/);
  assert.equal(checkPasswordStrength('Ab2026xyz', { localPart: 'ab' }), null, 'two-letter names are not checked');
  assert.match(checkPasswordStrength('my-x.cn-2026', { domain: 'x.cn' }) ?? '', /domain name/);
});
