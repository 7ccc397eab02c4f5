import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { LoginCache } from './login-cache.ts';

describe('LoginCache', () => {
  it('remembers a verified password for its time-to-live, for that stored hash only', () => {
    let now = 1000;
    let ttl = 60_000;
    const c = new LoginCache({ now: () => now }, () => ttl);
    assert.equal(c.has('$scrypt$a', 'pw'), false);
    c.add('$scrypt$a', 'pw');
    assert.equal(c.has('$scrypt$a', 'pw'), true);
    assert.equal(c.has('$scrypt$a', 'pw2'), false, 'another password');
    assert.equal(c.has('$scrypt$b', 'pw'), false, 'the password was changed: a new stored hash');
    now += 60_001;
    assert.equal(c.has('$scrypt$a', 'pw'), false, 'expired');
    c.add('$scrypt$a', 'pw');
    ttl = 0;
    assert.equal(c.has('$scrypt$a', 'pw'), false, 'switched off');
  });

  it('keeps at most maxEntries, dropping the oldest', () => {
    const c = new LoginCache({ now: () => 0 }, () => 1000, 3);
    for (const p of ['a', 'b', 'c', 'd']) c.add('h', p);
    assert.deepEqual(['a', 'b', 'c', 'd'].map((p) => c.has('h', p)), [false, true, true, true]);
  });
});
