import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { LoginThrottle, type ThrottleSettings } from './login-throttle.ts';

const base: ThrottleSettings = {
  failedLoginDelayMs: 100, loginMaxDelayMs: 1000, loginFailuresBeforeBan: 6, loginBanMinutes: 10, loginFailureWindowMin: 15, loginWhitelist: [],
};

describe('LoginThrottle', () => {
  it('grows the delay past the third failure, up to the maximum, then bans the IP for a while', () => {
    let now = 0;
    const t = new LoginThrottle(() => base, () => now);
    const delays = [1, 2, 3, 4, 5].map(() => t.failed('192.0.2.1', 'alice@example.cn'));
    assert.deepEqual(delays, [100, 100, 100, 200, 400]);
    assert.equal(t.isBanned('192.0.2.1'), false);
    assert.equal(t.failed('192.0.2.1', 'alice@example.cn'), 800);
    assert.equal(t.isBanned('192.0.2.1'), true);
    assert.equal(t.isBanned('::ffff:192.0.2.1'), true, 'one key per address');
    assert.deepEqual(t.bans().map((b) => [b.ip, b.until]), [['192.0.2.1', 10 * 60_000]]);
    now += 10 * 60_000 + 1;
    assert.equal(t.isBanned('192.0.2.1'), false, 'the ban ends');
  });

  it('never slows a correct login from another address, and a success clears its own address', () => {
    const t = new LoginThrottle(() => base);
    for (let i = 0; i < 5; i++) t.failed('198.51.100.7', 'alice@example.cn');
    assert.equal(t.isBanned('203.0.113.9'), false, 'the owner elsewhere is not refused');
    // Failures against the account slow further failures, from anywhere.
    assert.ok(t.failed('203.0.113.9', 'alice@example.cn') > base.failedLoginDelayMs);
    t.succeeded('198.51.100.7');
    assert.equal(t.failed('198.51.100.7', 'bob@example.cn'), base.failedLoginDelayMs);
  });

  it('leaves whitelisted addresses alone, forgets old failures, and lifts a ban on request', () => {
    let now = 0;
    const t = new LoginThrottle(() => ({ ...base, loginWhitelist: ['10.0.0.0/8', '2001:db8::1'] }), () => now);
    for (let i = 0; i < 20; i++) assert.equal(t.failed('10.1.2.3', `u${i}@x`), 100);
    assert.equal(t.isBanned('10.1.2.3'), false);
    for (let i = 0; i < 5; i++) t.failed('192.0.2.8', `v${i}@x`);
    now += 16 * 60_000;
    assert.equal(t.failed('192.0.2.8', 'w@x'), 100, 'failures outside the window are forgotten');
    for (let i = 0; i < 6; i++) t.failed('192.0.2.9', `z${i}@x`);
    assert.equal(t.lift('192.0.2.9'), true);
    assert.equal(t.isBanned('192.0.2.9'), false);
    assert.equal(t.lift('192.0.2.9'), false);
  });

  it('bans for abusive sessions (dynamic screening) at the threshold within the window, and at once for a spam trap; whitelists exempt', () => {
    let now = 0;
    const t = new LoginThrottle(() => ({ ...base, loginWhitelist: ['10.0.0.0/8'] }), () => now);
    const rule = { threshold: 3, windowMin: 5, banMinutes: 20, whitelist: ['192.0.2.99'] };
    assert.equal(t.abused('192.0.2.5', rule, 'harvesting'), false);
    now += 6 * 60_000; // outside the window: counting starts again
    assert.equal(t.abused('192.0.2.5', rule, 'harvesting'), false);
    assert.equal(t.abused('192.0.2.5', rule, 'harvesting'), false);
    assert.equal(t.abused('192.0.2.5', rule, 'harvesting'), true);
    assert.equal(t.isBanned('192.0.2.5'), true);
    assert.deepEqual(t.bans().map((b) => [b.ip, b.reason, b.until - now]), [['192.0.2.5', 'harvesting', 20 * 60_000]]);
    for (let i = 0; i < 5; i++) t.abused('192.0.2.99', rule, 'x');
    for (let i = 0; i < 5; i++) t.abused('10.1.1.1', rule, 'x');
    assert.equal(t.isBanned('192.0.2.99') || t.isBanned('10.1.1.1'), false, 'whitelisted');
    assert.equal(t.ban('198.51.100.3', 60, 'spam trap'), true);
    assert.equal(t.ban('198.51.100.3', 10, 'spam trap'), false, 'a longer ban in force is kept');
    assert.equal(t.bans().find((b) => b.ip === '198.51.100.3')?.until, now + 60 * 60_000);
    assert.equal(t.lift('198.51.100.3'), true);
    assert.equal(t.isBanned('198.51.100.3'), false);
  });

  it('publishes its bans and lifts, and adopts the shared list but for what it did itself in the last seconds', () => {
    let now = 1_000_000;
    const t = new LoginThrottle(() => ({ ...base, loginFailuresBeforeBan: 1 }), () => now);
    const published: string[] = [];
    const lifted: string[] = [];
    t.shareWith({ publish: (b) => published.push(`${b.ip} ${b.reason}`), lift: (ip) => lifted.push(ip) });
    t.failed('192.0.2.1', 'a@x');
    assert.deepEqual(published, ['192.0.2.1 failed logins']);
    // A list read before that ban was written does not drop it; another process's ban comes in.
    t.adopt([{ ip: '198.51.100.2', until: now + 60_000, failures: 3, reason: 'spam trap' }]);
    assert.equal(t.isBanned('192.0.2.1'), true);
    assert.equal(t.isBanned('198.51.100.2'), true);
    // Lifted here: a list that still shows it does not bring it back for a while.
    assert.equal(t.lift('198.51.100.2'), true);
    assert.deepEqual(lifted, ['198.51.100.2']);
    t.adopt([{ ip: '198.51.100.2', until: now + 60_000, failures: 3, reason: 'spam trap' }, { ip: '192.0.2.1', until: now + 600_000, failures: 1, reason: 'failed logins' }]);
    assert.equal(t.isBanned('198.51.100.2'), false);
    // Seconds later the shared list is the truth: lifted elsewhere means lifted here.
    now += 11_000;
    t.adopt([{ ip: '198.51.100.2', until: now + 60_000, failures: 3, reason: 'spam trap' }]);
    assert.deepEqual(t.bans().map((b) => b.ip), ['198.51.100.2']);
    assert.equal(t.isBanned('192.0.2.1'), false);
    t.adopt([{ ip: '203.0.113.5', until: now - 1, failures: 1, reason: 'failed logins' }]);
    assert.deepEqual(t.bans(), [], 'an ended ban is not adopted');
  });
});
