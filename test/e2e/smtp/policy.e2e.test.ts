// SMTP session policy end to end (FEATURES P2, P3, P4, P17) with swaks and Python sockets: VRFY/EXPN
// switches, the RSET limit, hop-count loop detection, dropping the connection on an oversize message,
// 452 for a full mailbox, relay rights (never by default; trusted networks; a POP-before-SMTP window),
// AUTH only over TLS (STARTTLS or implicit TLS on smtps), per-user send/receive scopes, and a
// smtp-in session log that never holds a password or an AUTH exchange, whatever the mechanism.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { smtpDialog, swaks } from '../../helpers/peers.ts';
import { eventually, mailboxMessages, PASSWORD, sessionLogText, startTestServer, TEST_ACTOR, type TestServer } from '../../helpers/server.ts';

const auth = (user: string, method = 'PLAIN') => ['--auth', method, '--auth-user', user, '--auth-password', PASSWORD];
const message = (headers: string[], body = 'hello') => `${[...headers, '', body].join('\r\n')}\r\n.`;
const received = (i: number) => `Received: from hop${i}.remote.test ([127.0.0.${i}])\r\n\tby hop${i + 1}.remote.test; Thu, 1 Jan 2026 00:00:00 +0000`;

describe('SMTP policy with default settings', () => {
  let t: TestServer;
  before(async () => {
    t = await startTestServer();
    for (const u of ['alice', 'bob', 'inner', 'guarded']) await t.addUser(`${u}@example.cn`);
    await t.rt.users.update(TEST_ACTOR, 'inner@example.cn', { sendScope: 'internal' });
    await t.rt.users.update(TEST_ACTOR, 'guarded@example.cn', { receiveScope: 'internal' });
  });
  after(() => t?.close());

  it('answers VRFY with 252 and EXPN with 502', async () => {
    const r = await smtpDialog(t.ports.smtp, ['EHLO client.test', 'VRFY alice@example.cn', 'VRFY nobody@example.cn', 'EXPN alice@example.cn', 'QUIT']);
    assert.match(r[2]!, /^252 2\.5\.0 /, r.join('\n'));
    assert.match(r[3]!, /^252 2\.5\.0 /, 'an unknown user looks the same');
    assert.match(r[4]!, /^502 5\.5\.1 /);
  });

  it('never relays for an unauthenticated client, even after a POP3 login while the window is off', async () => {
    const r = await swaks(t.ports.smtp, ['--to', 'friend@remote.test', '--from', 'x@remote.test', '--quit-after', 'RCPT']);
    assert.match(r.out, /<\*\*\s+554 5\.7\.1 Relay access denied/, r.out);
    await t.rt.authWindows.open('127.0.0.1'); // smtp.popBeforeSmtpMinutes is 0: opens nothing
    const again = await swaks(t.ports.smtp, ['--to', 'friend@remote.test', '--from', 'x@remote.test', '--quit-after', 'RCPT']);
    assert.match(again.out, /554 5\.7\.1 Relay access denied/, again.out);
  });

  it('offers and takes AUTH only after STARTTLS', async () => {
    const plain = Buffer.from(`\0alice@example.cn\0${PASSWORD}`).toString('base64');
    const r = await smtpDialog(t.ports.submission, ['EHLO client.test', `AUTH PLAIN ${plain}`, 'QUIT']);
    assert.match(r[2]!, /^5\d\d /, r.join('\n'));
    const ehlo = await swaks(t.ports.submission, ['--quit-after', 'EHLO']);
    assert.match(ehlo.out, /250-STARTTLS/);
    assert.doesNotMatch(ehlo.out, /AUTH/, 'EHLO before TLS does not offer AUTH');
    const tls = await swaks(t.ports.submission, ['--tls', ...auth('alice@example.cn'), '--from', 'alice@example.cn', '--to', 'bob@example.cn', '--quit-after', 'AUTH']);
    assert.match(tls.out, /<~\s+235 2\.7\.0 Authentication successful/, tls.out);
  });

  it('takes AUTH and mail on the smtps port over implicit TLS, stamped ESMTPSA', async () => {
    const r = await swaks(t.ports.smtps, ['--tlsc', ...auth('alice@example.cn'), '--from', 'alice@example.cn', '--to', 'bob@example.cn',
      '--header', 'Subject: over smtps']);
    assert.equal(r.code, 0, r.out);
    assert.match(r.out, /<~\s+235 2\.7\.0/);
    assert.match(r.out, /<~\s+250 2\.0\.0 Ok: queued as/);
    const m = await eventually(async () => (await mailboxMessages(t.rt, 'bob@example.cn')).find((x) => x.subject === 'over smtps'), 10_000, 'smtps delivery');
    assert.match(m.raw, /by mx\.youju\.test \(Youju\) with ESMTPSA id /);
  });

  it('keeps an internal-only sender inside (P17)', async () => {
    const out = await swaks(t.ports.submission, ['--tls', ...auth('inner@example.cn'), '--from', 'inner@example.cn', '--to', 'friend@remote.test', '--quit-after', 'RCPT']);
    assert.match(out.out, /<~\*\s+550 5\.7\.1 inner@example\.cn may only send to local addresses/, out.out);
    const inside = await swaks(t.ports.submission, ['--tls', ...auth('inner@example.cn'), '--from', 'inner@example.cn', '--to', 'bob@example.cn',
      '--header', 'Subject: from inside']);
    assert.equal(inside.code, 0, inside.out);
    await eventually(async () => (await mailboxMessages(t.rt, 'bob@example.cn')).find((x) => x.subject === 'from inside'), 10_000, 'internal mail');
  });

  it('lets an internal-only recipient hear only from authenticated local users (P17)', async () => {
    const outside = await swaks(t.ports.smtp, ['--from', 'x@remote.test', '--to', 'guarded@example.cn', '--quit-after', 'RCPT']);
    assert.match(outside.out, /<\*\*\s+550 5\.7\.1 <guarded@example\.cn> accepts only internal mail/, outside.out);
    // A local address without AUTH may be forged: it is outside mail too.
    const forged = await swaks(t.ports.smtp, ['--from', 'alice@example.cn', '--to', 'guarded@example.cn', '--quit-after', 'RCPT']);
    assert.match(forged.out, /550 5\.7\.1/, forged.out);
    const inside = await swaks(t.ports.submission, ['--tls', ...auth('alice@example.cn'), '--from', 'alice@example.cn', '--to', 'guarded@example.cn',
      '--header', 'Subject: colleague']);
    assert.equal(inside.code, 0, inside.out);
    await eventually(async () => (await mailboxMessages(t.rt, 'guarded@example.cn')).find((x) => x.subject === 'colleague'), 10_000, 'internal delivery');
  });

  it('writes the smtp-in session log without passwords for PLAIN, LOGIN and CRAM-MD5', async () => {
    const sent: string[] = [];
    for (const method of ['PLAIN', 'LOGIN', 'CRAM-MD5']) {
      const r = await swaks(t.ports.submission, ['--tls', ...auth('bob@example.cn', method), '--from', 'bob@example.cn', '--to', 'alice@example.cn', '--quit-after', 'AUTH']);
      assert.match(r.out, /235 2\.7\.0/, `${method}\n${r.out}`);
      // Every line the client sent inside the AUTH exchange (initial response, LOGIN user and password, CRAM digest).
      const lines = r.out.split('\n');
      const start = lines.findIndex((l) => /^\s*~>\s+AUTH /.test(l));
      const end = lines.findIndex((l) => /^\s*<~\s+235 /.test(l));
      for (const l of lines.slice(start, end)) {
        const m = /^\s*~>\s+(.*)$/.exec(l);
        if (m) sent.push(m[1]!.replace(/^AUTH \S+ ?/, '').trim());
      }
    }
    const secrets = sent.filter((s) => s.length >= 8);
    assert.ok(secrets.length >= 4, `AUTH exchanges seen: ${sent.join(' | ')}`);
    const text = await sessionLogText(t.dir, 'smtp-in', /authenticated as bob@example\.cn \(CRAM-MD5\)[\s\S]*closed after/);
    assert.match(text, /<-- EHLO /);
    assert.match(text, /--> 235 2\.7\.0/);
    assert.match(text, /authenticated as bob@example\.cn \(LOGIN\)/);
    assert.match(text, /<-- AUTH LOGIN\n.*--> 334 VXNlcm5hbWU6\n.*<-- \*\*\*\*\n/, 'continuation lines are masked');
    assert.doesNotMatch(text, new RegExp(PASSWORD.replace(/[!]/g, '\\!')));
    for (const s of [...secrets, Buffer.from(PASSWORD).toString('base64')]) assert.ok(!text.includes(s), `log holds ${s}`);
  });
});

describe('SMTP policy with tuned limits', () => {
  let t: TestServer;
  before(async () => {
    t = await startTestServer({ settings: {
      'smtp.maxRset': 3, 'smtp.vrfyEnabled': true, 'smtp.expnEnabled': true, 'smtp.hopLimit': 5, 'smtp.maxMessageBytes': 20_000,
      'smtp.oversizeAction': 'disconnect', 'smtp.overQuotaCode': 452, 'smtp.popBeforeSmtpMinutes': 10,
    } });
    for (const u of ['alice', 'full']) await t.addUser(`${u}@example.cn`);
    await t.rt.lists.add(TEST_ACTOR, 'team@example.cn', { members: ['alice@example.cn', 'full@example.cn'] });
  });
  after(() => t?.close());

  it('closes the session with 421 4.7.0 on the RSET after the limit', async () => {
    const r = await smtpDialog(t.ports.smtp, ['EHLO client.test', 'RSET', 'RSET', 'RSET', 'RSET', 'NOOP']);
    assert.deepEqual(r.slice(2, 5).map((l) => l.slice(0, 3)), ['250', '250', '250'], r.join('\n'));
    assert.match(r[5]!, /^421 4\.7\.0 Too many RSET commands/);
    assert.match(r[6] ?? 'EOF', /^(EOF|CLOSED)/, 'the connection is closed');
  });

  it('answers VRFY and EXPN when enabled: 250 for a user or list, 550 5.1.1 for an unknown one', async () => {
    const r = await smtpDialog(t.ports.smtp, ['EHLO client.test', 'VRFY alice@example.cn', 'VRFY <nobody@example.cn>', 'EXPN team@example.cn', 'EXPN nolist@example.cn', 'QUIT']);
    assert.match(r[2]!, /^250 2\.1\.5 <alice@example\.cn>/, r.join('\n'));
    assert.match(r[3]!, /^550 5\.1\.1 <nobody@example\.cn>/);
    assert.match(r[4]!, /^250 2\.\d\.\d <full@example\.cn>/, 'last line of the member list');
    assert.match(r[5]!, /^550 5\.1\.1 /);
  });

  it('refuses a message with hopLimit Received headers as a loop (554 5.4.6), and takes one with fewer', async () => {
    const send = (hops: number, subject: string) => smtpDialog(t.ports.smtp, ['EHLO client.test', 'MAIL FROM:<x@remote.test>', 'RCPT TO:<alice@example.cn>', 'DATA',
      message([...Array.from({ length: hops }, (_, i) => received(i + 1)), `Subject: ${subject}`]), 'QUIT']);
    const looped = await send(5, 'looped');
    assert.match(looped[5]!, /^554 5\.4\.6 Too many hops \(5 Received headers\)/, looped.join('\n'));
    const fine = await send(4, 'four hops');
    assert.match(fine[5]!, /^250 2\.0\.0 Ok: queued/, fine.join('\n'));
    await eventually(async () => (await mailboxMessages(t.rt, 'alice@example.cn')).find((x) => x.subject === 'four hops'), 10_000, 'four-hop message');
  });

  it('drops the connection after 552 5.3.4 when oversizeAction is disconnect', async () => {
    const r = await smtpDialog(t.ports.smtp, ['EHLO client.test', 'MAIL FROM:<x@remote.test>', 'RCPT TO:<alice@example.cn>', 'DATA',
      message(['Subject: too big'], `${'x'.repeat(99)}\r\n`.repeat(300)), 'NOOP', 'QUIT']);
    assert.match(r[5]!, /^552 5\.3\.4 Message exceeds the maximum size of 20000 bytes/, r.join('\n'));
    assert.match(r[6] ?? 'EOF', /^(EOF|CLOSED)/, `the connection is closed:\n${r.join('\n')}`);
  });

  it('answers 452 4.2.2 at RCPT for a full mailbox when overQuotaCode is 452', async () => {
    const r = await swaks(t.ports.smtp, ['--to', 'full@example.cn', '--from', 'x@remote.test', '--header', 'Subject: fills it']);
    assert.equal(r.code, 0, r.out);
    await eventually(async () => (await mailboxMessages(t.rt, 'full@example.cn')).length > 0, 10_000, 'first message');
    await t.rt.users.update(TEST_ACTOR, 'full@example.cn', { quotaBytes: 100 });
    const full = await swaks(t.ports.smtp, ['--to', 'full@example.cn', '--from', 'x@remote.test', '--quit-after', 'RCPT']);
    assert.match(full.out, /<\*\*\s+452 4\.2\.2 <full@example\.cn>: Mailbox full/, full.out);
  });

  // Last in this server: the open window lets 127.0.0.1 relay from now on.
  it('lets a client relay without AUTH only inside a POP-before-SMTP window', async () => {
    const before = await swaks(t.ports.smtp, ['--to', 'friend@remote.test', '--from', 'x@remote.test', '--quit-after', 'RCPT']);
    assert.match(before.out, /554 5\.7\.1 Relay access denied/, before.out);
    await t.rt.authWindows.open('127.0.0.1');
    const inside = await swaks(t.ports.smtp, ['--to', 'friend@remote.test', '--from', 'x@remote.test', '--quit-after', 'RCPT']);
    assert.match(inside.out, /<-\s+250 2\.1\.5/, inside.out);
    assert.doesNotMatch(inside.out, /Relay access denied/);
  });
});

describe('SMTP policy with a trusted network', () => {
  let t: TestServer;
  before(async () => {
    t = await startTestServer({ config: (c) => ({ ...c, trustedNetworks: ['127.0.0.0/8'] }) });
  });
  after(() => t?.close());

  it('lets a client in trustedNetworks relay without AUTH', async () => {
    const r = await swaks(t.ports.smtp, ['--to', 'friend@remote.test', '--from', 'app@example.cn', '--quit-after', 'RCPT']);
    assert.match(r.out, /<-\s+250 2\.1\.5/, r.out);
    assert.doesNotMatch(r.out, /Relay access denied/);
  });
});
