// Each screening rule alone, over a DNS server on a loopback port (PTR and A records) and the real
// ban list (auth/login-throttle.ts) with a clock the test moves.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createDnsLookup } from '../antispam/dns-lookup.ts';
import { LoginThrottle } from '../auth/login-throttle.ts';
import { settingsFrom, type Settings } from '../config/settings.ts';
import { fixedClock } from '../core/clock.ts';
import type { PipelineMessage, StageContext, Verdict } from '../pipeline/stage.ts';
import { startDnsServer, type TestDnsServer } from '../../test/helpers/dns-server.ts';
import { Batv } from './batv.ts';
import { ScreeningStage } from './screening-stage.ts';

describe('screening stage', () => {
  let dns: TestDnsServer;
  let stage: ScreeningStage;
  let throttle: LoginThrottle;
  const clock = fixedClock(Date.UTC(2026, 11, 4, 10));
  const slept: number[] = [];
  const learned: Array<{ raw: string; scope: string }> = [];
  const batv = new Batv({ key: () => Buffer.alloc(32, 7), maxAgeDays: () => 7, now: () => clock.now() });

  before(async () => {
    dns = await startDnsServer({
      records: {
        // 192.0.2.10: PTR confirmed; .11: PTR that does not resolve back; .12: none at all.
        '10.2.0.192.in-addr.arpa': { PTR: ['mail.good.test'] },
        'mail.good.test': { A: ['192.0.2.10'] },
        '11.2.0.192.in-addr.arpa': { PTR: ['host.dyn.spam.test'] },
        'host.dyn.spam.test': { A: ['198.51.100.1'] },
        '13.2.0.192.in-addr.arpa': { PTR: ['mail.good.test'] },
        '13.2.0.192.bl.test': { A: ['127.0.0.2'] },
      },
    });
    throttle = new LoginThrottle(() => settingsFrom({}).security, () => clock.now());
    stage = new ScreeningStage({
      lookup: createDnsLookup({ servers: [dns.server], timeoutMs: () => 2000, cacheMs: () => 0 }),
      bans: throttle, batv, isLocalDomain: async (d) => d === 'example.cn',
      learnSpam: async (raw, scope) => { learned.push({ raw: raw.toString(), scope }); },
      sleep: async (ms) => { slept.push(ms); },
    });
  });
  after(() => dns.close());

  const settings = (over: Record<string, unknown> = {}): Settings => settingsFrom({ 'screening.lanIps': ['10.0.0.0/8'], ...over });
  function ctx(ip: string, o: { s?: Settings; sender?: string; helo?: string; auth?: string; state?: Map<string, unknown>; results?: Map<string, unknown>; rcpts?: string[] } = {}): StageContext {
    const state = o.state ?? new Map<string, unknown>();
    return {
      client: { ip, helo: o.helo ?? 'h.test', kind: 'mx', trusted: false, authUser: o.auth }, settings: o.s ?? settings(), sender: o.sender,
      recipients: o.rcpts ?? [], results: o.results ?? new Map(), log: () => undefined, count: () => undefined,
      sessionState: <T>(init: () => T) => { if (!state.has('s')) state.set('s', init()); return state.get('s') as T; },
      now: () => clock.now(),
    };
  }
  const said = (v: Verdict) => (v.kind === 'reject' || v.kind === 'tempfail' ? `${v.reply.code} ${v.reply.enhanced}${v.close ? ' close' : ''}` : v.kind);

  it('lets LAN addresses through unscreened, even when listed', async () => {
    const s = settings({ 'screening.blockedIps': ['10.1.2.3'] });
    assert.equal(said(await stage.connect(ctx('10.1.2.3', { s }))), 'continue');
    assert.equal(said(await stage.mail(ctx('10.1.2.3', { s: settings({ 'screening.blockedSenders': ['*@spam.test'] }), sender: 'a@spam.test' }))), 'continue');
  });

  it('refuses blocked IPs at connect with 554 5.7.1 and closes', async () => {
    const s = settings({ 'screening.blockedIps': ['203.0.113.0/24'] });
    assert.equal(said(await stage.connect(ctx('203.0.113.9', { s }))), '554 5.7.1 close');
    assert.equal(said(await stage.connect(ctx('203.0.114.9', { s }))), 'continue');
  });

  it('bans an IP after screening.dynamic.abusiveSessionsBeforeBan refusals, 421 until the ban ends or is lifted; whitelist exempt', async () => {
    const s = settings({ 'screening.blockedIps': ['198.51.100.0/24'], 'screening.dynamic': { abusiveSessionsBeforeBan: 3, banMinutes: 10, whitelist: ['198.51.100.7'] } });
    for (let i = 0; i < 3; i++) assert.equal(said(await stage.connect(ctx('198.51.100.5', { s }))), '554 5.7.1 close');
    assert.equal(said(await stage.connect(ctx('198.51.100.5', { s }))), '421 4.7.0 close');
    assert.equal(throttle.bans().find((b) => b.ip === '198.51.100.5')?.reason, 'abusive SMTP sessions (blocked IP connecting)');
    for (let i = 0; i < 5; i++) await stage.connect(ctx('198.51.100.7', { s }));
    assert.equal(said(await stage.connect(ctx('198.51.100.7', { s }))), '554 5.7.1 close', 'whitelisted: never banned');
    clock.advance(11 * 60_000);
    assert.equal(said(await stage.connect(ctx('198.51.100.5', { s }))), '554 5.7.1 close', 'the ban ended');
    for (let i = 0; i < 3; i++) await stage.connect(ctx('198.51.100.5', { s }));
    assert.equal(throttle.lift('198.51.100.5'), true);
    assert.equal(said(await stage.connect(ctx('198.51.100.5', { s }))), '554 5.7.1 close');
    throttle.lift('198.51.100.5');
  });

  it('limits new connections per IP per minute', async () => {
    const s = settings({ 'screening.maxConnectionsPerIpPerMinute': 2 });
    assert.equal(said(await stage.connect(ctx('192.0.2.50', { s }))), 'continue');
    assert.equal(said(await stage.connect(ctx('192.0.2.50', { s }))), 'continue');
    assert.equal(said(await stage.connect(ctx('192.0.2.50', { s }))), '421 4.7.0 close');
    clock.advance(61_000);
    assert.equal(said(await stage.connect(ctx('192.0.2.50', { s }))), 'continue');
  });

  it('PTR check: 501 5.7.25 for a missing or mismatched PTR per option, whitelist exempt', async () => {
    const both = settings({ 'screening.ptr': { enabled: true, rejectMissing: true, rejectMismatch: true, exemptAuthenticated: false, whitelist: ['192.0.2.99'] } });
    assert.equal(said(await stage.connect(ctx('192.0.2.10', { s: both }))), 'continue');
    assert.equal(said(await stage.connect(ctx('192.0.2.11', { s: both }))), '501 5.7.25 close');
    assert.equal(said(await stage.connect(ctx('192.0.2.12', { s: both }))), '501 5.7.25 close');
    assert.equal(said(await stage.connect(ctx('192.0.2.99', { s: both }))), 'continue');
    const missingOnly = settings({ 'screening.ptr': { enabled: true, rejectMissing: true, exemptAuthenticated: false } });
    assert.equal(said(await stage.connect(ctx('192.0.2.11', { s: missingOnly }))), 'continue');
    const sub = ctx('192.0.2.12', { s: both });
    (sub.client as { kind: string }).kind = 'submission';
    assert.equal(said(await stage.connect(sub)), 'continue', 'never on the submission ports');
    const lookOnly = settings({ 'screening.ptr': { enabled: true, exemptAuthenticated: false } });
    assert.equal(said(await stage.connect(ctx('192.0.2.12', { s: lookOnly }))), 'continue');
  });

  it('PTR check waits for MAIL when authenticated sessions are exempt, and skips them', async () => {
    const s = settings({ 'screening.ptr': { enabled: true, rejectMissing: true, exemptAuthenticated: true } });
    assert.equal(said(await stage.connect(ctx('192.0.2.12', { s }))), 'continue');
    assert.equal(said(await stage.mail(ctx('192.0.2.12', { s, sender: 'u@example.cn', auth: 'u@example.cn' }))), 'continue');
    assert.equal(said(await stage.mail(ctx('192.0.2.12', { s, sender: 'x@remote.test' }))), '501 5.7.25 close');
  });

  it('host screening: PTR name at connect, HELO name at HELO', async () => {
    const s = settings({ 'screening.blockedHosts': ['*.dyn.spam.test', 'bad-helo.test'] });
    assert.equal(said(await stage.connect(ctx('192.0.2.11', { s }))), '554 5.7.1 close');
    assert.equal(said(await stage.connect(ctx('192.0.2.10', { s }))), 'continue');
    assert.equal(said(await stage.helo(ctx('192.0.2.10', { s, helo: 'BAD-HELO.test' }))), '554 5.7.1');
    assert.equal(said(await stage.helo(ctx('192.0.2.10', { s, helo: 'good.test' }))), 'continue');
  });

  it('address blacklist at MAIL, suppression at RCPT', async () => {
    const s = settings({ 'screening.blockedSenders': ['*@spam.test', 'bob@x.test'], 'screening.suppression': [{ sender: 'ann@y.test', recipient: 'boss@example.cn' }] });
    assert.equal(said(await stage.mail(ctx('192.0.2.10', { s, sender: 'a@spam.test' }))), '550 5.7.1');
    assert.equal(said(await stage.mail(ctx('192.0.2.10', { s, sender: 'BOB@x.test' }))), '550 5.7.1');
    assert.equal(said(await stage.mail(ctx('192.0.2.10', { s, sender: 'ann@y.test' }))), 'continue');
    assert.equal(said(await stage.rcpt(ctx('192.0.2.10', { s, sender: 'ann@y.test' }), 'boss@example.cn')), '550 5.7.1');
    assert.equal(said(await stage.rcpt(ctx('192.0.2.10', { s, sender: 'ann@y.test' }), 'staff@example.cn')), 'continue');
  });

  it('IP shield: a shielded domain only from its IPs; authenticated sessions exempt by setting', async () => {
    const s = settings({ 'screening.ipShield': [{ domain: 'example.cn', ips: ['192.0.2.0/28'] }] });
    assert.equal(said(await stage.mail(ctx('192.0.2.10', { s, sender: 'u@example.cn' }))), 'continue');
    assert.equal(said(await stage.mail(ctx('198.51.100.9', { s, sender: 'u@example.cn' }))), '550 5.7.1');
    assert.equal(said(await stage.mail(ctx('198.51.100.9', { s, sender: 'u@other.test' }))), 'continue');
    assert.equal(said(await stage.mail(ctx('198.51.100.9', { s, sender: 'u@example.cn', auth: 'u@example.cn' }))), 'continue');
    const strict = settings({ 'screening.ipShield': [{ domain: 'example.cn', ips: ['192.0.2.0/28'] }], 'screening.ipShieldExemptAuthenticated': false });
    assert.equal(said(await stage.mail(ctx('198.51.100.9', { s: strict, sender: 'u@example.cn', auth: 'u@example.cn' }))), '550 5.7.1');
  });

  it('limits messages per unauthenticated IP per hour; LAN domains and authenticated senders exempt', async () => {
    const s = settings({ 'screening.maxMessagesPerIpPerHour': 2, 'screening.lanDomains': ['lan.test'] });
    assert.equal(said(await stage.mail(ctx('192.0.2.60', { s, sender: 'a@r.test' }))), 'continue');
    assert.equal(said(await stage.mail(ctx('192.0.2.60', { s, sender: 'a@r.test' }))), 'continue');
    assert.equal(said(await stage.mail(ctx('192.0.2.60', { s, sender: 'a@r.test' }))), '451 4.7.0');
    assert.equal(said(await stage.mail(ctx('192.0.2.60', { s, sender: 'a@lan.test' }))), 'continue');
    assert.equal(said(await stage.mail(ctx('192.0.2.60', { s, sender: 'u@example.cn', auth: 'u@example.cn' }))), 'continue');
  });

  it('tarpits RCPT commands past the threshold, growing to the cap; whitelist and authenticated exempt', async () => {
    const s = settings({ 'screening.tarpit': { afterRcpt: 2, delayMs: 100, factor: 2, maxDelayMs: 350, whitelist: ['192.0.2.70'] } });
    slept.length = 0;
    const state = new Map<string, unknown>();
    for (let i = 0; i < 6; i++) assert.equal(said(await stage.rcpt(ctx('192.0.2.10', { s, sender: 'a@r.test', state }), `u${i}@example.cn`)), 'continue');
    assert.deepEqual(slept, [100, 200, 350, 350]);
    slept.length = 0;
    const wl = new Map<string, unknown>();
    for (let i = 0; i < 4; i++) await stage.rcpt(ctx('192.0.2.70', { s, sender: 'a@r.test', state: wl }), `u${i}@example.cn`);
    const au = new Map<string, unknown>();
    for (let i = 0; i < 4; i++) await stage.rcpt(ctx('192.0.2.10', { s, sender: 'u@example.cn', auth: 'u@example.cn', state: au }), `u${i}@x.test`);
    assert.deepEqual(slept, []);
  });

  it('spam trap: accepted, the IP blocked for spamTrapBlockMinutes, other RCPTs refused, the message learned as spam and dropped', async () => {
    const s = settings({ 'screening.spamTraps': ['it@example.cn'], 'screening.spamTrapBlockMinutes': 30 });
    const results = new Map<string, unknown>();
    assert.equal(said(await stage.rcpt(ctx('192.0.2.80', { s, sender: 'spammer@r.test', results }), 'it@example.cn')), 'accept');
    assert.equal(said(await stage.rcpt(ctx('192.0.2.80', { s, sender: 'spammer@r.test', results }), 'boss@example.cn')), '550 5.7.1');
    const raw = Buffer.from('Subject: buy now\r\n\r\ncheap pills\r\n');
    const msg = { raw, header: 'Subject: buy now' } as PipelineMessage;
    const v = await stage.data!(ctx('192.0.2.80', { s, sender: 'spammer@r.test', results, rcpts: ['it@example.cn'] }), msg);
    assert.equal(v.kind, 'discard');
    assert.deepEqual(learned, [{ raw: raw.toString(), scope: '' }]);
    assert.equal(said(await stage.connect(ctx('192.0.2.80', { s }))), '421 4.7.0 close');
    assert.equal(throttle.bans().find((b) => b.ip === '192.0.2.80')?.reason, 'spam trap');
    assert.equal(said(await stage.mail(ctx('192.0.2.82', { s, sender: 'spammer@r.test' }))), '550 5.7.1', 'the sender is blocked from other IPs too');
    clock.advance(31 * 60_000);
    assert.equal(said(await stage.connect(ctx('192.0.2.80', { s }))), 'continue');
    assert.equal(said(await stage.mail(ctx('192.0.2.82', { s, sender: 'spammer@r.test' }))), 'continue', 'and then no more');
    // A message without a trap is left alone.
    assert.equal((await stage.data!(ctx('192.0.2.81', { s }), msg)).kind, 'continue');
  });

  it('spam trap after real recipients: they still get the message, marked as spam; the trap does not', async () => {
    const s = settings({ 'screening.spamTraps': ['it@example.cn'] });
    const results = new Map<string, unknown>();
    assert.equal(said(await stage.rcpt(ctx('192.0.2.83', { s, sender: 'odd@r.test', results }), 'boss@example.cn')), 'continue');
    assert.equal(said(await stage.rcpt(ctx('192.0.2.83', { s, sender: 'odd@r.test', results }), 'it@example.cn')), 'accept');
    const msg = { raw: Buffer.from('Subject: hi\r\n\r\nhello\r\n'), header: 'Subject: hi' } as PipelineMessage;
    const v = await stage.data!(ctx('192.0.2.83', { s, sender: 'odd@r.test', results, rcpts: ['boss@example.cn', 'it@example.cn'] }), msg);
    assert.equal(v.kind, 'continue');
    assert.ok(v.kind === 'continue');
    assert.deepEqual(v.routing?.recipients, ['boss@example.cn']);
    assert.deepEqual(v.score?.map((i) => [i.rule, i.score]), [['SPAM_TRAP', s.antispam.markThreshold]]);
  });

  it('backscatter: bounces to unsigned or forged local addresses refused when on; signed ones pass', async () => {
    const on = settings({ 'backscatter.rejectUnsigned': true });
    const signed = batv.sign('u@example.cn');
    assert.match(signed, /^prvs=0\d{3}[0-9a-f]{6}=u@example\.cn$/);
    assert.equal(said(await stage.rcpt(ctx('192.0.2.10', { s: on, sender: '' }), 'u@example.cn')), '550 5.7.1');
    assert.equal(said(await stage.rcpt(ctx('192.0.2.10', { s: on, sender: '' }), signed)), 'continue');
    assert.equal(said(await stage.rcpt(ctx('192.0.2.10', { s: on, sender: '' }), signed.replace(/=u@/, '=v@'))), '550 5.7.1');
    assert.equal(said(await stage.rcpt(ctx('192.0.2.10', { s: on, sender: 'a@r.test' }), 'u@example.cn')), 'continue', 'not a bounce');
    assert.equal(said(await stage.rcpt(ctx('192.0.2.10', { s: on, sender: '' }), 'x@remote.test')), 'continue', 'not local');
    assert.equal(said(await stage.rcpt(ctx('192.0.2.10', { sender: '' }), 'u@example.cn')), 'continue', 'off by default');
  });

  it('greeting pause: suspicious = no PTR or on a DNS-BL; LAN never; "all" pauses everyone', async () => {
    const s = settings({ 'dnsbl.enabled': true, 'dnsbl.lists': [{ host: 'bl.test' }] });
    assert.equal(await stage.isSuspicious('192.0.2.10', s), false);
    assert.equal(await stage.isSuspicious('192.0.2.12', s), true);
    assert.equal(await stage.isSuspicious('192.0.2.13', s), true);
    assert.equal(await stage.isSuspicious('10.0.0.1', s), false);
    assert.equal(await stage.isSuspicious('192.0.2.10', settings({ 'screening.greetingPauseFor': 'all' })), true);
  });
});

describe('BATV signatures', () => {
  let now = Date.UTC(2026, 11, 4);
  const batv = new Batv({ key: () => Buffer.alloc(32, 1), maxAgeDays: () => 7, now: () => now });

  it('signs, verifies, expires after maxAgeDays, and leaves null, SRS and signed senders alone', () => {
    const s = batv.sign('Ann@Example.cn');
    assert.deepEqual(batv.check(s), { kind: 'valid', address: 'Ann@Example.cn' });
    assert.equal(Batv.strip(s), 'Ann@Example.cn');
    assert.equal(batv.sign(s), s);
    assert.equal(batv.sign(''), '');
    assert.equal(batv.sign('SRS0=abcd=xy=r.test=a@example.cn'), 'SRS0=abcd=xy=r.test=a@example.cn');
    assert.deepEqual(batv.check('ann@example.cn'), { kind: 'unsigned' });
    now += 7 * 86_400_000;
    assert.equal(batv.check(s).kind, 'valid');
    now += 86_400_000;
    assert.deepEqual(batv.check(s), { kind: 'invalid', address: 'Ann@Example.cn', why: 'expired' });
    const other = new Batv({ key: () => Buffer.alloc(32, 2), maxAgeDays: () => 7, now: () => now });
    assert.equal(other.check(batv.sign('a@example.cn')).kind, 'invalid');
  });
});
