// Greylisting rules over a real store (SQLite) with a clock the test moves: the delay, the retry
// window, the lifetime, already-known senders, the /24 network, the whitelist, and pruning.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { settingsFrom, type Settings } from '../config/settings.ts';
import { fixedClock } from '../core/clock.ts';
import type { StageContext, Verdict } from '../pipeline/stage.ts';
import { openTestStore, type TestStores } from '../store/testing.ts';
import { GreylistStage, greylistNet } from './greylist.ts';

describe('greylisting', () => {
  let db: TestStores;
  let stage: GreylistStage;
  const clock = fixedClock(Date.UTC(2026, 10, 28, 10));
  before(async () => { db = await openTestStore('sqlite'); stage = new GreylistStage(db.store); });
  after(() => db.close());

  const settings = (over: Record<string, unknown> = {}): Settings => settingsFrom({ 'greylist.enabled': true, 'greylist.delaySec': 180, ...over });
  function ctx(ip: string, sender: string, s = settings()): StageContext {
    return {
      client: { ip, helo: 'h', kind: 'mx', trusted: false }, settings: s, sender, recipients: [], results: new Map(),
      log: () => undefined, count: () => undefined, sessionState: <T>(init: () => T) => init(), now: () => clock.now(),
    };
  }
  const code = (v: Verdict) => (v.kind === 'tempfail' ? `451 ${v.reply.enhanced}` : v.kind);

  it('refuses a new triple with 451 4.7.1, again before the delay, and lets a retry after it pass for good', async () => {
    assert.equal(code(await stage.rcpt(ctx('192.0.2.10', 'a@remote.test'), 'u@example.cn')), '451 4.7.1');
    clock.advance(60_000);
    const early = await stage.rcpt(ctx('192.0.2.10', 'a@remote.test'), 'u@example.cn');
    assert.match((early as { reply: { text: string } }).reply.text, /try again in 120 seconds/);
    clock.advance(121_000);
    // Another server of the same /24 retries: the sender's pool counts as one.
    assert.equal(code(await stage.rcpt(ctx('192.0.2.77', 'a@remote.test'), 'u@example.cn')), 'continue');
    clock.advance(30 * 86_400_000);
    assert.equal(code(await stage.rcpt(ctx('192.0.2.10', 'a@remote.test'), 'u@example.cn')), 'continue', 'remembered within the lifetime');
  });

  it('lets an already-known sender reach another recipient at once; another network or sender waits', async () => {
    assert.equal(code(await stage.rcpt(ctx('192.0.2.10', 'a@remote.test'), 'v@example.cn')), 'continue');
    assert.equal(code(await stage.rcpt(ctx('198.51.100.1', 'a@remote.test'), 'v@example.cn')), '451 4.7.1');
    assert.equal(code(await stage.rcpt(ctx('192.0.2.10', 'b@remote.test'), 'v@example.cn')), '451 4.7.1');
  });

  it('starts over when the retry comes after the window', async () => {
    assert.equal(code(await stage.rcpt(ctx('203.0.113.5', 'late@remote.test'), 'u@example.cn')), '451 4.7.1');
    clock.advance(49 * 3600_000);
    assert.equal(code(await stage.rcpt(ctx('203.0.113.5', 'late@remote.test'), 'u@example.cn')), '451 4.7.1');
    clock.advance(181_000);
    assert.equal(code(await stage.rcpt(ctx('203.0.113.5', 'late@remote.test'), 'u@example.cn')), 'continue');
  });

  it('never greylists whitelisted clients, senders or recipients', async () => {
    const s = settings({ 'greylist.whitelist': ['10.9.0.0/16', '*@partner.test', 'boss@example.cn'] });
    assert.equal(code(await stage.rcpt(ctx('10.9.8.7', 'x@any.test', s), 'u@example.cn')), 'continue');
    assert.equal(code(await stage.rcpt(ctx('192.0.2.200', 'sales@partner.test', s), 'u@example.cn')), 'continue');
    assert.equal(code(await stage.rcpt(ctx('192.0.2.200', 'x@any.test', s), 'boss@example.cn')), 'continue');
    assert.equal(code(await stage.rcpt(ctx('192.0.2.200', 'x@any.test', s), 'u@example.cn')), '451 4.7.1');
  });

  it('forgets unretried triples after the window and passed ones after the lifetime', async () => {
    const t = { net: greylistNet('198.51.100.1'), sender: 'a@remote.test', rcpt: 'v@example.cn' };
    assert.ok(await db.store.read((tx) => tx.greylist.get(t)));
    clock.advance(49 * 3600_000);
    await stage.housekeep(settings(), clock.now());
    assert.equal(await db.store.read((tx) => tx.greylist.get(t)), undefined);
    clock.advance(37 * 86_400_000);
    await stage.housekeep(settings(), clock.now());
    assert.equal(await db.store.read((tx) => tx.greylist.get({ net: '192.0.2.0/24', sender: 'a@remote.test', rcpt: 'u@example.cn' })), undefined);
  });

  it('uses the /24 of IPv4 and the /64 of IPv6 clients', () => {
    assert.equal(greylistNet('192.0.2.10'), '192.0.2.0/24');
    assert.equal(greylistNet('::ffff:192.0.2.10'), '192.0.2.0/24');
    assert.equal(greylistNet('2001:db8:1:2:3:4:5:6'), '2001:db8:1:2::/64');
  });
});
