// Screening end to end (issue #13 items 1, 7, 8; FEATURES S7, S8, S10, S14): a server on loopback
// with PTR records on a loopback DNS server; each client IP is another 127.0.0.x address (raw SMTP
// client or swaks --local-interface). 127.0.0.1 is the LAN here, so it is never screened. The exact
// replies are asserted: blocked IP, site-policy banner, PTR check, address blacklist, tarpit,
// connection rate, dynamic ban after abusive sessions (listed and lifted with `youju security`),
// greeting pause for suspicious clients only, spam trap, and unsigned bounces refused.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { youjuAsync } from '../../helpers/cli.ts';
import { swaks } from '../../helpers/peers.ts';
import { RawClient } from '../../helpers/raw-client.ts';
import { startDnsServer, type TestDnsServer } from '../../helpers/dns-server.ts';
import { eventually, freePort, mailboxMessages, PASSWORD, sessionLogText, startTestServer, type TestServer } from '../../helpers/server.ts';

describe('screening (S7, S8, S10, S14)', () => {
  let t: TestServer;
  before(async () => {
    t = await startTestServer({
      settings: { 'screening.lanIps': ['127.0.0.1'], 'senderAuth.spfEnabled': false, 'smtp.rejectImproperPipelining': false },
      dnsRecords: {
        '4.0.0.127.in-addr.arpa': { PTR: ['mail.ok.test'] },
        'mail.ok.test': { A: ['127.0.0.4'] },
        '14.0.0.127.in-addr.arpa': { PTR: ['dial-up.pool.test'] },
        'dial-up.pool.test': { A: ['192.0.2.1'] },
      },
    });
    for (const u of ['alice', 'bob']) await t.addUser(`${u}@example.cn`);
  });
  after(async () => { await t?.close(); });

  const set = (k: string, v: unknown) => t.rt.settings.set(k, v);
  /** A raw session from `ip`: the greeting (all its lines). */
  async function open(ip: string): Promise<{ c: RawClient; greeting: string }> {
    const c = new RawClient(t.ports.smtp, ip);
    const greeting = await c.until(/^\d{3} /).catch(() => 'EOF');
    return { c, greeting };
  }
  async function cmd(c: RawClient, line: string): Promise<string> {
    c.send(`${line}\r\n`);
    return c.line();
  }

  it('refuses a blocked IP at connect with 554 5.7.1 and closes; the LAN address is not screened', async () => {
    await set('screening.blockedIps', ['127.0.0.2', '127.0.0.1']);
    const blocked = await open('127.0.0.2');
    assert.equal(blocked.greeting, '554 5.7.1 Connections from 127.0.0.2 are not accepted here');
    assert.equal(await blocked.c.line(), 'EOF');
    const lan = await open('127.0.0.1');
    assert.match(lan.greeting, /^220 /);
    lan.c.close();
    await set('screening.blockedIps', []);
  });

  it('sends the site-policy banner before the greeting on port 25', async () => {
    await set('screening.sitePolicy', 'No unsolicited commercial mail.\nAbuse: abuse@example.cn');
    const { c, greeting } = await open('127.0.0.3');
    const lines = greeting.split('\r\n');
    assert.deepEqual(lines.slice(0, 2), ['220-No unsolicited commercial mail.', '220-Abuse: abuse@example.cn']);
    assert.match(lines[2]!, /^220 \S+ ESMTP/);
    c.close();
    await set('screening.sitePolicy', '');
  });

  it('reverse PTR: 501 5.7.25 and close without a PTR record or with one that does not match; a confirmed PTR passes', async () => {
    await set('screening.ptr', { enabled: true, rejectMissing: true, rejectMismatch: true, exemptAuthenticated: false, whitelist: ['127.0.0.15'] });
    const none = await open('127.0.0.5');
    assert.equal(none.greeting, '501 5.7.25 127.0.0.5 has no PTR record (reverse DNS); connection refused');
    assert.equal(await none.c.line(), 'EOF');
    const mismatch = await open('127.0.0.14');
    assert.equal(mismatch.greeting, '501 5.7.25 The PTR record of 127.0.0.14 does not match; connection refused');
    const ok = await open('127.0.0.4');
    assert.match(ok.greeting, /^220 /);
    ok.c.close();
    const wl = await open('127.0.0.15');
    assert.match(wl.greeting, /^220 /, 'whitelisted');
    wl.c.close();
    // Exempting authenticated sessions moves the check to MAIL FROM.
    await set('screening.ptr', { enabled: true, rejectMissing: true, exemptAuthenticated: true });
    const later = await open('127.0.0.5');
    assert.match(later.greeting, /^220 /);
    assert.match(await cmd(later.c, 'EHLO client.test'), /^250 /);
    assert.equal(await cmd(later.c, 'MAIL FROM:<x@remote.test>'), '501 5.7.25 127.0.0.5 has no PTR record (reverse DNS); connection refused');
    later.c.close();
    await set('screening.ptr', { enabled: false });
  });

  it('address blacklist at MAIL FROM, host screening of the HELO name, suppression at RCPT TO', async () => {
    await set('screening.blockedSenders', ['*@spam.test']);
    await set('screening.blockedHosts', ['*.bad-helo.test']);
    await set('screening.suppression', [{ sender: 'ex@partner.test', recipient: 'bob@example.cn' }]);
    const { c } = await open('127.0.0.6');
    assert.match(await cmd(c, 'EHLO x.bad-helo.test'), /^250 /);
    assert.equal(await cmd(c, 'MAIL FROM:<a@remote.test>'), '554 5.7.1 Host x.bad-helo.test is not accepted here');
    assert.match(await cmd(c, 'EHLO good.test'), /^250 /);
    assert.equal(await cmd(c, 'MAIL FROM:<promo@spam.test>'), '550 5.7.1 Mail from <promo@spam.test> is not accepted here');
    assert.match(await cmd(c, 'MAIL FROM:<ex@partner.test>'), /^250 /);
    assert.equal(await cmd(c, 'RCPT TO:<bob@example.cn>'), '550 5.7.1 Mail from <ex@partner.test> to <bob@example.cn> is not accepted');
    assert.match(await cmd(c, 'RCPT TO:<alice@example.cn>'), /^250 /);
    c.close();
    await set('screening.blockedSenders', []);
    await set('screening.blockedHosts', []);
    await set('screening.suppression', []);
  });

  it('IP shield: a shielded sender domain is refused from other IPs', async () => {
    await set('screening.ipShield', [{ domain: 'partner.test', ips: ['127.0.0.4'] }]);
    const r = await swaks(t.ports.smtp, ['--local-interface', '127.0.0.7', '--to', 'alice@example.cn', '--from', 'ceo@partner.test']);
    assert.match(r.out, /<\*\* +550 5\.7\.1 127\.0\.0\.7 is not allowed to send mail from partner\.test/, r.out);
    const ok = await swaks(t.ports.smtp, ['--local-interface', '127.0.0.4', '--to', 'alice@example.cn', '--from', 'ceo@partner.test']);
    assert.match(ok.out, /250 2\.0\.0 Ok: queued/, ok.out);
    await set('screening.ipShield', []);
  });

  it('tarpits RCPT commands past screening.tarpit.afterRcpt', async () => {
    await set('screening.tarpit', { afterRcpt: 1, delayMs: 800, factor: 1, maxDelayMs: 800 });
    const { c } = await open('127.0.0.8');
    await cmd(c, 'EHLO t.test');
    await cmd(c, 'MAIL FROM:<a@remote.test>');
    let at = Date.now();
    assert.match(await cmd(c, 'RCPT TO:<alice@example.cn>'), /^250 /);
    assert.ok(Date.now() - at < 600, 'the first RCPT is answered at once');
    at = Date.now();
    assert.match(await cmd(c, 'RCPT TO:<bob@example.cn>'), /^250 /);
    assert.ok(Date.now() - at >= 750, `the second waited ${Date.now() - at} ms`);
    c.close();
    await set('screening.tarpit', { afterRcpt: 0 });
  });

  it('limits new connections per IP per minute with 421 4.7.0', async () => {
    await set('screening.maxConnectionsPerIpPerMinute', 2);
    for (let i = 0; i < 2; i++) {
      const { c, greeting } = await open('127.0.0.9');
      assert.match(greeting, /^220 /);
      c.close();
    }
    const third = await open('127.0.0.9');
    assert.equal(third.greeting, '421 4.7.0 Too many connections from 127.0.0.9; slow down and try again later');
    await set('screening.maxConnectionsPerIpPerMinute', 0);
  });

  it('bans an IP after abusive sessions (directory harvesting); `youju security bans` lists it and `unban` lifts it', async () => {
    await set('smtp.hardErrorLimit', 2);
    await set('screening.dynamic', { abusiveSessionsBeforeBan: 2, banMinutes: 30 });
    for (let i = 0; i < 2; i++) {
      const { c } = await open('127.0.0.10');
      await cmd(c, 'EHLO h.test');
      await cmd(c, 'MAIL FROM:<h@remote.test>');
      assert.match(await cmd(c, 'RCPT TO:<nobody1@example.cn>'), /^550 5\.1\.1/);
      assert.equal(await cmd(c, 'RCPT TO:<nobody2@example.cn>'), '421 4.7.0 Too many unknown recipients; closing');
      c.close();
    }
    const banned = await open('127.0.0.10');
    assert.equal(banned.greeting, '421 4.7.0 127.0.0.10 is temporarily blocked; try again later');
    const bans = await youjuAsync(['--data', t.dir, 'security', 'bans', '--json']);
    assert.equal(bans.code, 0, bans.stderr);
    const ban = (JSON.parse(bans.stdout) as Array<{ ip: string; reason: string }>).find((b) => b.ip === '127.0.0.10');
    assert.equal(ban?.reason, 'abusive SMTP sessions (too many unknown recipients)');
    const lifted = await youjuAsync(['--data', t.dir, 'security', 'unban', '127.0.0.10']);
    assert.match(lifted.stdout, /127\.0\.0\.10 unbanned/, lifted.stderr);
    const again = await open('127.0.0.10');
    assert.match(again.greeting, /^220 /);
    again.c.close();
    await set('smtp.hardErrorLimit', 20);
  });

  it('counts sessions closed for junk commands towards a dynamic ban', async () => {
    await set('smtp.maxJunkCommands', 2);
    await set('screening.dynamic', { abusiveSessionsBeforeBan: 2, banMinutes: 30 });
    for (let i = 0; i < 2; i++) {
      const { c } = await open('127.0.0.16');
      await cmd(c, 'NOOP');
      await cmd(c, 'NOOP');
      assert.equal(await cmd(c, 'NOOP'), '421 4.7.0 Too many commands that move no mail (at most 2); closing');
      c.close();
    }
    const banned = await open('127.0.0.16');
    assert.equal(banned.greeting, '421 4.7.0 127.0.0.16 is temporarily blocked; try again later');
    assert.equal(t.rt.throttle.bans().find((b) => b.ip === '127.0.0.16')?.reason, 'abusive SMTP sessions (too many junk commands)');
    await set('smtp.maxJunkCommands', 100);
  });

  it('pauses the greeting only for suspicious clients (no PTR record)', async () => {
    await set('smtp.greetingPauseMs', 1500);
    let at = Date.now();
    const good = await open('127.0.0.4');
    assert.match(good.greeting, /^220 /);
    assert.ok(Date.now() - at < 1000, `a client with a PTR record is greeted at once (${Date.now() - at} ms)`);
    good.c.close();
    at = Date.now();
    const odd = await open('127.0.0.11');
    assert.match(odd.greeting, /^220 /);
    assert.ok(Date.now() - at >= 1400, `a client without PTR waits (${Date.now() - at} ms)`);
    odd.c.close();
    await set('smtp.greetingPauseMs', 0);
  });

  it('spam trap: the message is accepted, learned as spam and not delivered; the client is then blocked', async () => {
    await set('screening.spamTraps', ['it@example.cn']);
    const before = await t.rt.pipeline.counters.read('2000-01-01', '2100-01-01');
    const r = await swaks(t.ports.smtp, ['--local-interface', '127.0.0.12', '--to', 'it@example.cn', '--from', 'deals@spammer.test',
      '--header', 'Subject: cheap watches', '--body', 'Buy cheap watches now, best price, click here']);
    assert.match(r.out, /250 2\.0\.0 Ok/, r.out);
    const next = await open('127.0.0.12');
    assert.equal(next.greeting, '421 4.7.0 127.0.0.12 is temporarily blocked; try again later');
    assert.equal(t.rt.throttle.bans().find((b) => b.ip === '127.0.0.12')?.reason, 'spam trap');
    await t.rt.pipeline.counters.flush();
    const after = await t.rt.pipeline.counters.read('2000-01-01', '2100-01-01');
    const sum = (c: Record<string, Record<string, number>>, name: string) => Object.values(c).reduce((n, d) => n + (d[name] ?? 0), 0);
    assert.equal(sum(after, 'screening.spam-trap') - sum(before, 'screening.spam-trap'), 1);
    assert.equal(sum(after, 'screening.trap-learned') - sum(before, 'screening.trap-learned'), 1);
    // The screening session log tells the story.
    const log = await sessionLogText(t.dir, 'screening', /wrote to spam trap <it@example\.cn>/, /127\.0\.0\.12 is banned/);
    assert.match(log, /spam-trap message learned as spam/);
  });

  it('spam trap after a real recipient: the real recipient gets the message marked as spam, the trap nothing', async () => {
    await set('screening.spamTraps', ['it@example.cn']);
    const r = await swaks(t.ports.smtp, ['--local-interface', '127.0.0.17', '--to', 'bob@example.cn,it@example.cn', '--from', 'odd@sender.test',
      '--header', 'Subject: trap and bob', '--body', 'Hello Bob']);
    assert.match(r.out, /250 2\.0\.0 Ok/, r.out);
    const raw = await eventually(async () => (await mailboxMessages(t.rt, 'bob@example.cn')).find((m) => m.subject === 'trap and bob')?.raw, 10_000, 'bob\'s copy');
    assert.match(raw, /^X-Spam-Flag: YES/m);
    assert.match(raw, /SPAM_TRAP/);
    assert.equal(t.rt.throttle.bans().find((b) => b.ip === '127.0.0.17')?.reason, 'spam trap');
  });

  it('backscatter: a bounce to an unsigned local address gets 550 5.7.1; to a signed return path it is delivered', async () => {
    await set('backscatter.rejectUnsigned', true);
    const { c } = await open('127.0.0.13');
    await cmd(c, 'EHLO mx.remote.test');
    assert.match(await cmd(c, 'MAIL FROM:<>'), /^250 /);
    assert.equal(await cmd(c, 'RCPT TO:<alice@example.cn>'), '550 5.7.1 <alice@example.cn> sent no mail that could bounce (bad or missing return-path signature)');
    const signed = t.rt.screening.batv.sign('alice@example.cn');
    assert.match(await cmd(c, `RCPT TO:<${signed}>`), /^250 /);
    c.close();
    const r = await swaks(t.ports.smtp, ['--local-interface', '127.0.0.13', '--to', signed, '--from', '<>', '--header', 'Subject: Undelivered Mail Returned to Sender']);
    assert.match(r.out, /250 2\.0\.0 Ok: queued/, r.out);
    await set('backscatter.rejectUnsigned', false);
  });
});

describe('bandwidth limits (S7 带宽限制)', () => {
  let t: TestServer;
  // About 100 KiB of body at 32 KiB/s: a second's worth goes at once, the rest takes about two seconds.
  const body = `${'带宽限制 bandwidth test line\r\n'.repeat(3000)}`;
  before(async () => {
    t = await startTestServer({
      imap: true, pop3: true,
      settings: {
        'screening.lanIps': ['127.0.0.1'], 'senderAuth.spfEnabled': false, 'security.allowPlaintextAuth': true,
        'screening.bandwidth': { smtpInKBps: 32, imapOutKBps: 32, pop3OutKBps: 32 },
      },
    });
    await t.addUser('alice@example.cn');
  });
  after(async () => { await t?.close(); });

  async function sendFrom(ip: string): Promise<number> {
    const c = new RawClient(t.ports.smtp, ip);
    await c.until(/^220 /);
    for (const line of ['EHLO t.test', 'MAIL FROM:<a@remote.test>', 'RCPT TO:<alice@example.cn>', 'DATA']) {
      c.send(`${line}\r\n`);
      assert.match(await c.line(), /^(250|354) /);
    }
    const at = Date.now();
    c.send(`Subject: big\r\n\r\n${body}.\r\n`);
    assert.match(await c.line(/^\d{3} /, 20_000), /^250 /);
    const ms = Date.now() - at;
    c.close();
    return ms;
  }

  it('SMTP data from the internet is read at the limit; a LAN client is not limited', async () => {
    const limited = await sendFrom('127.0.0.9');
    assert.ok(limited >= 1900, `96 KiB at 32 KiB/s took ${limited} ms`);
    const lan = await sendFrom('127.0.0.1');
    assert.ok(lan < limited / 2, `from the LAN it took ${lan} ms`);
    await eventually(async () => (await mailboxMessages(t.rt, 'alice@example.cn')).length === 2, 10_000, 'both delivered');
  });

  it('IMAP and POP3 output go at the limit: the command after a big FETCH or RETR waits', async () => {
    const imap = new RawClient(t.config.ports.imap, '127.0.0.9');
    await imap.until(/^\* OK/);
    imap.send(`a LOGIN alice@example.cn "${PASSWORD}"\r\nb SELECT INBOX\r\n`);
    await imap.until(/^b OK/);
    let at = Date.now();
    imap.send('c FETCH 1 BODY.PEEK[]\r\nd NOOP\r\n');
    await imap.until(/^d OK/, 20_000);
    const fetchMs = Date.now() - at;
    imap.close();
    assert.ok(fetchMs >= 1900, `FETCH of 96 KiB then NOOP took ${fetchMs} ms`);

    const pop = new RawClient(t.config.ports.pop3, '127.0.0.9');
    assert.match(await pop.line(/^[+-]/), /^\+OK/);
    pop.send('USER alice@example.cn\r\n');
    assert.match(await pop.line(/^[+-]/), /^\+OK/);
    pop.send(`PASS ${PASSWORD}\r\n`);
    assert.match(await pop.line(/^[+-]/), /^\+OK/);
    at = Date.now();
    pop.send('RETR 1\r\nNOOP\r\n');
    assert.match(await pop.line(/^[+-]/), /^\+OK/);
    await pop.line(/^\.$/, 20_000);
    const next = await pop.line(/^[+-]/, 20_000);
    const retrMs = Date.now() - at;
    pop.close();
    assert.match(next, /^\+OK/);
    assert.ok(retrMs >= 1900, `RETR of 96 KiB then NOOP took ${retrMs} ms`);
  });
});

describe('backscatter protection between two servers (S10)', () => {
  let dns: TestDnsServer;
  let a: TestServer;
  let b: TestServer;
  before(async () => {
    const portsA = { smtp: await freePort(), submission: await freePort(), smtps: await freePort() };
    const portsB = { smtp: await freePort(), submission: await freePort(), smtps: await freePort() };
    dns = await startDnsServer({ records: {
      'example.cn': { MX: [{ exchange: 'mx.example.cn', priority: 10 }] }, 'mx.example.cn': { A: ['127.0.0.1'] },
      'other.test': { MX: [{ exchange: 'mx.other.test', priority: 10 }] }, 'mx.other.test': { A: ['127.0.0.1'] },
    } });
    a = await startTestServer({ domain: 'example.cn', hostname: 'mx.example.cn', ports: portsA, dnsServer: dns,
      settings: { 'backscatter.signOutbound': true, 'backscatter.rejectUnsigned': true, 'screening.lanIps': [], 'senderAuth.spfEnabled': false },
      config: (c) => ({ ...c, ports: { ...c.ports, smtpOutbound: portsB.smtp } }) });
    b = await startTestServer({ domain: 'other.test', hostname: 'mx.other.test', ports: portsB, dnsServer: dns,
      settings: { 'senderAuth.spfEnabled': false },
      config: (c) => ({ ...c, ports: { ...c.ports, smtpOutbound: portsA.smtp } }) });
    await a.addUser('alice@example.cn');
    await b.addUser('bob@other.test');
  });
  after(async () => {
    await a?.close();
    await b?.close();
    await dns?.close();
  });

  it('signs the return path of outbound mail; a bounce to it is delivered, one to the bare address refused', async () => {
    const r = await swaks(a.ports.submission, ['--to', 'bob@other.test', '--from', 'alice@example.cn', '--tls', '--auth', 'PLAIN',
      '--auth-user', 'alice@example.cn', '--auth-password', PASSWORD, '--header', 'Subject: signed path']);
    assert.equal(r.code, 0, r.out);
    const m = await eventually(async () => (await mailboxMessages(b.rt, 'bob@other.test')).find((x) => x.subject === 'signed path'), 15_000, 'delivery to B');
    const path = /^Return-Path: <(prvs=0\d{3}[0-9a-f]{6}=alice@example\.cn)>/m.exec(m.raw)?.[1];
    assert.ok(path, m.raw.slice(0, 300));
    const bounce = await swaks(a.ports.smtp, ['--local-interface', '127.0.0.20', '--to', path, '--from', '<>', '--header', 'Subject: Undelivered Mail Returned to Sender']);
    assert.match(bounce.out, /250 2\.0\.0 Ok: queued/, bounce.out);
    await eventually(async () => (await mailboxMessages(a.rt, 'alice@example.cn')).find((x) => /Undelivered Mail/.test(x.subject)), 15_000, 'bounce to alice');
    const forged = await swaks(a.ports.smtp, ['--local-interface', '127.0.0.20', '--to', 'alice@example.cn', '--from', '<>', '--header', 'Subject: backscatter']);
    assert.match(forged.out, /<\*\* +550 5\.7\.1 <alice@example\.cn> sent no mail that could bounce/, forged.out);
  });
});
