// WebSessions: tokens stored only as hashes, idle and absolute expiry on a moved clock, activity
// written at most once a minute, logout, and the constant-time CSRF comparison.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { fixedClock } from '../core/clock.ts';
import { SYSTEM_ACTOR } from '../directory/actor.ts';
import { DomainService } from '../directory/domains.ts';
import { UserService } from '../directory/users.ts';
import type { UserId } from '../core/ids.ts';
import { openTestStore, type TestStores } from '../store/testing.ts';
import { hashToken, sameToken, WebSessions } from './web-sessions.ts';

describe('WebSessions', () => {
  const clock = fixedClock(Date.UTC(2026, 0, 1));
  const settings = { sessionIdleMinutes: 30, sessionMaxHours: 2 };
  let t: TestStores;
  let sessions: WebSessions;
  let userId: UserId;

  before(async () => {
    t = await openTestStore('sqlite', { now: clock.now });
    await new DomainService(t.store, clock).add(SYSTEM_ACTOR, 'example.cn');
    userId = (await new UserService(t.store, clock).add(SYSTEM_ACTOR, 'alice@example.cn', { password: 'Youju2026!x' })).id;
    sessions = new WebSessions(t.store, clock, () => settings);
  });
  after(() => t.close());

  it('keeps only the token hash and resumes by the token', async () => {
    const { token, csrfToken } = await sessions.open(userId, { ip: '192.0.2.1', userAgent: 'x'.repeat(1000) });
    assert.ok(token.length >= 43 && csrfToken.length >= 43 && token !== csrfToken);
    const row = await t.store.read((tx) => tx.webSessions.get(hashToken(token)));
    assert.equal(row!.userAgent.length, 300);
    assert.equal(await t.store.read((tx) => tx.webSessions.get(token)), undefined, 'the token itself is no key');
    assert.deepEqual(await sessions.resume(token), { userId, csrfToken, createdAt: clock.now() });
    assert.equal(await sessions.resume(`${token}x`), undefined);
    assert.equal(await sessions.resume(''), undefined);
  });

  it('ends after the idle time, and activity keeps it alive until the absolute limit', async () => {
    const { token } = await sessions.open(userId, { ip: '192.0.2.1', userAgent: 'test' });
    const seen = async () => (await t.store.read((tx) => tx.webSessions.get(hashToken(token))))!.lastSeenAt;
    const opened = clock.now();
    clock.advance(30_000);
    assert.ok(await sessions.resume(token));
    assert.equal(await seen(), opened, 'not written within the minute');
    for (let i = 0; i < 4; i++) {
      clock.advance(25 * 60_000);
      assert.ok(await sessions.resume(token), `still alive after ${i + 1} × 25 min of activity`);
    }
    assert.equal(await seen(), clock.now());
    clock.advance(21 * 60_000); // past 2 hours since login
    assert.equal(await sessions.resume(token), undefined);
    assert.equal(await t.store.read((tx) => tx.webSessions.get(hashToken(token))), undefined, 'an expired session is removed');

    const idle = await sessions.open(userId, { ip: '192.0.2.1', userAgent: 'test' });
    clock.advance(30 * 60_000 + 1);
    assert.equal(await sessions.resume(idle.token), undefined);
  });

  it('ends at logout and prunes the expired', async () => {
    const a = await sessions.open(userId, { ip: '192.0.2.1', userAgent: 'test' });
    await sessions.close(a.token);
    assert.equal(await sessions.resume(a.token), undefined);
    await sessions.open(userId, { ip: '192.0.2.1', userAgent: 'test' });
    clock.advance(31 * 60_000);
    assert.ok(await sessions.prune() >= 1);
  });

  it('compares CSRF tokens in constant time, never accepting empty ones', () => {
    assert.equal(sameToken('abc', 'abc'), true);
    assert.equal(sameToken('abc', 'abd'), false);
    assert.equal(sameToken('abc', 'abcd'), false);
    assert.equal(sameToken('', ''), false);
  });
});
