// SMTP and IMAP against hostile clients (issue #10 §2), over raw sockets so the test controls what
// goes out in one write: improper pipelining (RFC 2920 §3.1) refuses every message of the session,
// the RCPT limit counts every RCPT, commands that move no mail share a budget, unknown recipients
// slow the replies and then close the session, a NUL or control character in the header section is
// refused at end of DATA and at APPEND, X-Youju-* fields never come in from outside, the greeting
// pause and the per-IP connection limit, the hop limit's default of 50, and IMAP's bounds on the
// literals of one command.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { swaks } from '../../helpers/peers.ts';
import { RawClient as Raw } from '../../helpers/raw-client.ts';
import { eventually, mailboxMessages, PASSWORD, startTestServer, type TestServer } from '../../helpers/server.ts';

const body = (subject: string, extra = '') => `Subject: ${subject}\r\nFrom: x@remote.test\r\n${extra}\r\nhello\r\n.\r\n`;

describe('SMTP against hostile clients', () => {
  let t: TestServer;
  before(async () => {
    t = await startTestServer({
      imap: true,
      settings: {
        'smtp.maxRcptPerMessage': 3, 'smtp.maxJunkCommands': 5, 'smtp.softErrorLimit': 1, 'smtp.hardErrorLimit': 4,
        'smtp.errorSleepMs': 400, 'limits.maxConnectionsPerIp': 3, 'imap.maxLiteralsPerCommand': 16, 'imap.maxCommandBytes': 65_536, 'security.allowPlaintextAuth': true,
      },
    });
    await t.addUser('alice@example.cn');
  });
  after(() => t?.close());

  it('refuses every message of a session that pipelines after HELO', async () => {
    const c = new Raw(t.ports.smtp);
    assert.match(await c.line(), /^220 /);
    c.send(`HELO client.test\r\nMAIL FROM:<x@remote.test>\r\nRCPT TO:<alice@example.cn>\r\nDATA\r\n`);
    const r = await c.replies(4);
    assert.match(r[0]!, /^250 /, r.join('\n'));
    assert.match(r[1]!, /^550 5\.5\.1 Protocol error: commands sent ahead of replies/, r.join('\n'));
    assert.match(r[2]!, /^5\d\d /, 'RCPT without a MAIL');
    assert.match(r[3]!, /^5\d\d /, 'DATA without recipients');
    // Even when it then waits for each reply, the session stays refused.
    c.send('MAIL FROM:<x@remote.test>\r\n');
    assert.match(await c.line(), /^550 5\.5\.1 /);
    c.close();
  });

  it('refuses a session that sends commands behind EHLO before its reply, and takes one that waits and pipelines after it', async () => {
    const early = new Raw(t.ports.smtp);
    await early.line();
    early.send('EHLO client.test\r\nMAIL FROM:<x@remote.test>\r\n');
    assert.match(await early.line(), /^250 /);
    assert.match(await early.line(), /^550 5\.5\.1 /);
    early.close();

    const polite = new Raw(t.ports.smtp);
    await polite.line();
    polite.send('EHLO client.test\r\n');
    assert.match(await polite.line(), /^250 /);
    polite.send(`MAIL FROM:<x@remote.test>\r\nRCPT TO:<alice@example.cn>\r\nDATA\r\n`); // RFC 2920: allowed after EHLO
    const r = await polite.replies(3);
    assert.deepEqual(r.map((l) => l.slice(0, 3)), ['250', '250', '354'], r.join('\n'));
    polite.send(body('pipelined politely'));
    assert.match(await polite.line(), /^250 2\.0\.0 Ok: queued/);
    polite.close();
    await eventually(async () => (await mailboxMessages(t.rt, 'alice@example.cn')).find((m) => m.subject === 'pipelined politely'), 10_000, 'delivery');
  });

  it('counts every RCPT against the limit, repeats of one address too', async () => {
    const c = new Raw(t.ports.smtp);
    await c.line();
    for (const cmd of ['EHLO client.test', 'MAIL FROM:<x@remote.test>']) { c.send(`${cmd}\r\n`); await c.line(); }
    const codes: string[] = [];
    for (let i = 0; i < 4; i++) {
      c.send('RCPT TO:<alice@example.cn>\r\n');
      codes.push((await c.line()).slice(0, 9));
    }
    assert.deepEqual(codes, ['250 2.1.5', '250 2.1.5', '250 2.1.5', '452 4.5.3']);
    c.close();
  });

  it('closes a session that spends its budget of commands that move no mail', async () => {
    const c = new Raw(t.ports.smtp);
    await c.line();
    c.send('EHLO client.test\r\n');
    await c.line();
    const r: string[] = [];
    for (const cmd of ['NOOP', 'HELP', 'FOO', 'VRFY alice@example.cn', 'NOOP', 'NOOP']) {
      c.send(`${cmd}\r\n`);
      r.push(await c.line());
    }
    assert.match(r[5]!, /^421 4\.7\.0 Too many commands that move no mail/, r.join('\n'));
    assert.equal(await c.line(), 'EOF');
  });

  it('slows the replies to unknown recipients and then closes the session (directory harvesting)', async () => {
    const c = new Raw(t.ports.smtp);
    await c.line();
    for (const cmd of ['EHLO client.test', 'MAIL FROM:<x@remote.test>']) { c.send(`${cmd}\r\n`); await c.line(); }
    const timed: Array<[string, number]> = [];
    for (const who of ['nobody1', 'nobody2', 'nobody3', 'nobody4']) {
      if (who === 'nobody4') { // past smtp.maxRcptPerMessage: a new transaction, the same session
        for (const cmd of ['RSET', 'MAIL FROM:<x@remote.test>']) { c.send(`${cmd}\r\n`); await c.line(); }
      }
      const start = Date.now();
      c.send(`RCPT TO:<${who}@example.cn>\r\n`);
      timed.push([(await c.line()).slice(0, 9), Date.now() - start]);
    }
    assert.deepEqual(timed.map(([code]) => code), ['550 5.1.1', '550 5.1.1', '550 5.1.1', '421 4.7.0']);
    assert.ok(timed[0]![1] < 300, `first refusal is quick (${timed[0]![1]} ms)`);
    assert.ok(timed[1]![1] >= 380 && timed[2]![1] >= 380, `later refusals wait: ${timed.map(([, ms]) => ms).join(', ')} ms`);
    assert.equal(await c.line(), 'EOF');
  });

  it('refuses a NUL or a control character in the header section at end of DATA, and stores neither', async () => {
    for (const [extra, subject] of [['X-Bad: a\0b\r\n', 'nul header'], ['X-\x01Evil: yes\r\n', 'control name']] as const) {
      const c = new Raw(t.ports.smtp);
      await c.line();
      for (const cmd of ['EHLO client.test', 'MAIL FROM:<x@remote.test>', 'RCPT TO:<alice@example.cn>', 'DATA']) { c.send(`${cmd}\r\n`); await c.line(); }
      c.send(body(subject, extra));
      assert.match(await c.line(), /^554 5\.6\.0 Message refused: /);
      c.close();
    }
    const ok = await swaks(t.ports.smtp, ['--to', 'alice@example.cn', '--from', 'x@remote.test', '--header', 'Subject: after the bad ones', '--body', 'a NUL in the body is the body\'s business']);
    assert.equal(ok.code, 0, ok.out);
    const boxed = await eventually(async () => {
      const all = await mailboxMessages(t.rt, 'alice@example.cn');
      return all.some((m) => m.subject === 'after the bad ones') ? all : undefined;
    }, 10_000, 'the good message');
    assert.ok(!boxed.some((m) => m.subject === 'nul header' || m.subject === 'control name'));
  });

  it('strips X-Youju-* fields from mail that comes in', async () => {
    const r = await swaks(t.ports.smtp, ['--to', 'alice@example.cn', '--from', 'x@remote.test', '--header', 'Subject: spoofed state',
      '--add-header', 'X-Youju-Forwarded: alice@example.cn', '--add-header', 'X-Youju-Signature: yes']);
    assert.equal(r.code, 0, r.out);
    const m = await eventually(async () => (await mailboxMessages(t.rt, 'alice@example.cn')).find((x) => x.subject === 'spoofed state'), 10_000, 'delivery');
    assert.doesNotMatch(m.raw, /X-Youju-/i);
  });

  it('refuses more simultaneous connections from one IP than limits.maxConnectionsPerIp', async () => {
    const open = [new Raw(t.ports.smtp), new Raw(t.ports.smtp), new Raw(t.ports.smtp)];
    for (const c of open) assert.match(await c.line(), /^220 /);
    const fourth = new Raw(t.ports.smtp);
    assert.match(await fourth.line(), /^421 4\.7\.0 Too many connections from 127\.0\.0\.1/);
    for (const c of open) c.close();
    const later = await eventually(async () => {
      const c = new Raw(t.ports.smtp);
      const l = await c.line();
      c.close();
      return l.startsWith('220') ? l : undefined;
    }, 5000, 'a slot after the others closed');
    assert.match(later, /^220 /);
  });

  it('applies the per-IP connection limit to IMAP too', async () => {
    const open = [new Raw(t.config.ports.imap), new Raw(t.config.ports.imap), new Raw(t.config.ports.imap)];
    for (const c of open) assert.match(await c.line(/^\* /), /^\* OK/);
    const fourth = new Raw(t.config.ports.imap);
    assert.match(await fourth.line(/^\* /), /^\* BYE Too many connections/);
    for (const c of open) c.close();
    await eventually(async () => {
      const c = new Raw(t.config.ports.imap);
      const l = await c.line(/^\* /);
      c.close();
      return l.startsWith('* OK');
    }, 5000, 'an IMAP slot after the others closed');
  });

  it('defaults the hop limit to 50 Received headers: 50 is a loop, 49 goes through', async () => {
    assert.equal(t.rt.settings.current().smtp.hopLimit, 50);
    const send = async (hops: number) => {
      const c = new Raw(t.ports.smtp);
      await c.line();
      for (const cmd of ['EHLO client.test', 'MAIL FROM:<x@remote.test>', 'RCPT TO:<alice@example.cn>', 'DATA']) { c.send(`${cmd}\r\n`); await c.line(); }
      const trace = Array.from({ length: hops }, (_, i) => `Received: from hop${i}.remote.test by hop${i + 1}.remote.test; Thu, 1 Jan 2026 00:00:00 +0000\r\n`).join('');
      c.send(trace + body(`${hops} hops`));
      const r = await c.line();
      c.close();
      return r;
    };
    assert.match(await send(50), /^554 5\.4\.6 Too many hops \(50 Received headers\)/);
    assert.match(await send(49), /^250 2\.0\.0/);
  });

  it('refuses an APPEND whose header holds a NUL, and bounds the literals and size of one command', async () => {
    const c = new Raw(t.config.ports.imap);
    await c.line(/^\* OK/);
    c.send(`a1 LOGIN alice@example.cn "${PASSWORD}"\r\n`);
    assert.match(await c.line(/^a1 /), /^a1 OK/);
    const bad = Buffer.from('Subject: x\0y\r\n\r\nbody\r\n', 'latin1');
    c.send(`a2 APPEND INBOX {${bad.length}+}\r\n`);
    c.send(Buffer.concat([bad, Buffer.from('\r\n')]));
    assert.match(await c.line(/^a2 /), /^a2 NO \[PARSE\] Message refused: the header section holds a NUL byte/);
    const many = Array.from({ length: 17 }, () => '{1+}\r\nx').join(' ');
    c.send(`a3 SEARCH OR ${many}\r\n`);
    assert.match(await c.line(/^a3 /), /^a3 BAD .*Too many literals/);
    c.send(`a4 SEARCH SUBJECT {70000+}\r\n${'y'.repeat(70_000)}\r\n`);
    assert.match(await c.line(/^a4 /), /^a4 BAD .*Command too long/);
    c.send('a5 NOOP\r\n');
    assert.match(await c.line(/^a5 /), /^a5 OK/, 'the session goes on');
    c.close();
  });
});

describe('SMTP greeting pause', () => {
  let t: TestServer;
  before(async () => {
    // Every client waits here (screening.greetingPauseFor 'all'; by default only suspicious ones do, and 127.0.0.1 is a LAN address).
    t = await startTestServer({ settings: { 'smtp.greetingPauseMs': 600, 'screening.greetingPauseFor': 'all', 'screening.lanIps': [] } });
  });
  after(() => t?.close());

  it('greets port 25 after the pause and refuses a client that talks first', async () => {
    const waits = new Raw(t.ports.smtp);
    const greeting = await waits.line();
    assert.match(greeting, /^220 /);
    assert.ok(Date.now() - waits.opened >= 550, `greeted after ${Date.now() - waits.opened} ms`);
    waits.close();

    const talker = new Raw(t.ports.smtp);
    talker.send('EHLO spam.test\r\n');
    assert.match(await talker.line(), /^421 .*talk too soon/);
  });

  it('never pauses on submission', async () => {
    const c = new Raw(t.ports.submission);
    assert.match(await c.line(), /^220 /);
    assert.ok(Date.now() - c.opened < 400, `greeted after ${Date.now() - c.opened} ms`);
    c.close();
  });
});
