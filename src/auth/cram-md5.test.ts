import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { cramMd5Response, cramMd5Secret, verifyCramMd5 } from './cram-md5.ts';

describe('CRAM-MD5 from stored HMAC states', () => {
  it('matches RFC 2195 §2 example', () => {
    const secret = cramMd5Secret('tanstaaftanstaaf');
    assert.equal(cramMd5Response(secret, '<1896.697170952@postoffice.reston.mci.net>'), 'b913a602c7eda7a495b4e6e7334d3890');
  });

  it('agrees with node:crypto HMAC-MD5 for short, long, Unicode and empty keys and challenges', () => {
    const challenges = ['', 'x', '<abc.123@host>', 'c'.repeat(55), 'c'.repeat(56), 'c'.repeat(64), 'c'.repeat(200), '挑战'];
    for (const pw of ['', 'a', 'Youju2026!', 'p'.repeat(64), 'p'.repeat(65), '密码很长'.repeat(20)]) {
      const secret = cramMd5Secret(pw);
      assert.doesNotMatch(secret, new RegExp(Buffer.from(pw).toString('hex') || '^$'), 'the secret is not the password');
      for (const ch of challenges) {
        assert.equal(cramMd5Response(secret, ch), createHmac('md5', pw).update(ch).digest('hex'), `${pw.length}/${ch.length}`);
      }
    }
  });

  it('verifies in constant time and refuses malformed secrets', () => {
    const secret = cramMd5Secret('Youju2026!');
    const good = createHmac('md5', 'Youju2026!').update('<c@h>').digest('hex');
    assert.equal(verifyCramMd5(secret, '<c@h>', good.toUpperCase()), true);
    assert.equal(verifyCramMd5(secret, '<c@h>', '0'.repeat(32)), false);
    assert.equal(verifyCramMd5('$scrypt$...', '<c@h>', good), false);
    assert.equal(verifyCramMd5(secret, '<c@h>', 'short'), false);
  });
});
