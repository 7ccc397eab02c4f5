// SMTP in, end to end with real clients (issue #3): swaks and Python's smtplib deliver to local
// users through the queue; every relay trick is refused; AUTH (PLAIN, LOGIN, CRAM-MD5) works and
// frozen users cannot log in; limits (size, recipients, quota) answer the right codes; lists and
// aliases fan out with the message stored once; bare LF cannot end DATA (SMTP smuggling).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { eventually, mailboxMessages, PASSWORD, sessionLogText, startTestServer, TEST_ACTOR, type TestServer } from '../../helpers/server.ts';
import { python, swaks } from '../../helpers/peers.ts';

describe('SMTP in', () => {
  let t: TestServer;
  before(async () => {
    t = await startTestServer({ settings: { 'security.allowPlaintextAuth': true, 'smtp.maxRcptPerMessage': 5, 'smtp.maxMessageBytes': 200_000 } });
    for (const u of ['alice', 'bob', 'carol', 'dave']) await t.addUser(`${u}@example.cn`, { realName: u });
    await t.addUser('small@example.cn', { quotaBytes: 1024 });
    await t.rt.aliases.add(TEST_ACTOR, 'sales@example.cn', ['alice@example.cn', 'bob@example.cn']);
    await t.rt.lists.add(TEST_ACTOR, 'team@example.cn', { members: ['alice@example.cn', 'bob@example.cn', 'carol@example.cn'] });
  });
  after(() => t.close());

  it('delivers a message from swaks to a local user with trace headers, and announces it', async () => {
    const alice = (await t.rt.users.byAddress('alice@example.cn'))!;
    const announced = new Promise((resolve) => t.rt.bus.on('mailbox.changed', (e) => { if (e.userId === alice.id) resolve(e); }));
    const r = await swaks(t.ports.smtp, ['--to', 'alice@example.cn', '--from', 'someone@remote.test', '--header', 'Subject: =?UTF-8?B?5rWL6K+V?=', '--body', 'hello alice']);
    assert.equal(r.code, 0, r.out);
    assert.match(r.out, /<-\s+250 2\.0\.0 Ok: queued as \d+/);
    const [m] = await eventually(async () => { const l = await mailboxMessages(t.rt, 'alice@example.cn'); return l.length ? l : undefined; });
    assert.match(m!.raw, /^Return-Path: <someone@remote\.test>\r\nDelivered-To: alice@example\.cn\r\nReceived: from /);
    assert.match(m!.raw, /by mx\.youju\.test \(Youju\) with ESMTP id \S+\r\n\tfor <alice@example\.cn>;/);
    assert.match(m!.raw, /hello alice/);
    assert.equal(m!.subject, '测试');
    const event = await announced as { uidnext: number };
    assert.equal(event.uidnext, 2, 'IDLE sessions hear of the new message');
  });

  it('refuses to relay for unauthenticated clients and every classic trick', async () => {
    const cases: Array<[string, RegExp]> = [
      ['victim@remote.test', /554 5\.7\.1 Relay access denied/],
      ['victim%remote.test@example.cn', /550 5\.7\.1/],
      ['@example.cn:victim@remote.test', /5\d\d 5\.\d\.\d/],
      ['remote.test!victim@example.cn', /550 5\.7\.1/],
      ['"victim@remote.test"@example.cn', /5\d\d 5\.\d\.\d/],
      ['alice@example.cn.', /501 5\.1\.3|5\d\d/],
      ['nobody@example.cn', /550 5\.1\.1/],
    ];
    for (const [rcpt, want] of cases) {
      const r = await swaks(t.ports.smtp, ['--to', rcpt, '--from', 'x@remote.test', '--quit-after', 'RCPT']);
      assert.match(r.out, want, `${rcpt}\n${r.out}`);
      assert.doesNotMatch(r.out, /<-\s+250 2\.1\.5/, rcpt);
    }
  });

  it('authenticates with PLAIN, LOGIN and CRAM-MD5 and then relays; a wrong password gets 535', async () => {
    for (const method of ['PLAIN', 'LOGIN', 'CRAM-MD5']) {
      const r = await swaks(t.ports.submission, ['--to', 'friend@remote.test', '--from', 'bob@example.cn', '--auth', method,
        '--auth-user', 'bob@example.cn', '--auth-password', PASSWORD, '--quit-after', 'RCPT']);
      assert.match(r.out, /235 2\.7\.0 Authentication successful/, `${method}\n${r.out}`);
      assert.match(r.out, /<-\s+250 /, method);
      assert.doesNotMatch(r.out, /Relay access denied/, method);
    }
    const bad = await swaks(t.ports.submission, ['--to', 'friend@remote.test', '--from', 'bob@example.cn', '--auth', 'PLAIN',
      '--auth-user', 'bob@example.cn', '--auth-password', 'wrong-password', '--quit-after', 'AUTH']);
    assert.match(bad.out, /535 5\.7\.8/);
  });

  it('requires AUTH on submission and refuses frozen users', async () => {
    const noAuth = await swaks(t.ports.submission, ['--to', 'alice@example.cn', '--from', 'x@remote.test', '--quit-after', 'MAIL']);
    assert.match(noAuth.out, /530 /);
    await t.rt.users.freeze(TEST_ACTOR, 'dave@example.cn');
    const frozen = await swaks(t.ports.submission, ['--to', 'alice@example.cn', '--from', 'dave@example.cn', '--auth', 'PLAIN',
      '--auth-user', 'dave@example.cn', '--auth-password', PASSWORD, '--quit-after', 'AUTH']);
    assert.match(frozen.out, /535 5\.7\.8/);
    await t.rt.users.unfreeze(TEST_ACTOR, 'dave@example.cn');
  });

  it('makes authenticated senders use their own address, and privileged local senders authenticate', async () => {
    const other = await swaks(t.ports.submission, ['--to', 'alice@example.cn', '--from', 'carol@example.cn', '--auth', 'PLAIN',
      '--auth-user', 'bob@example.cn', '--auth-password', PASSWORD, '--quit-after', 'MAIL']);
    assert.match(other.out, /553 5\.7\.1/);
    const postmaster = await swaks(t.ports.smtp, ['--to', 'alice@example.cn', '--from', 'postmaster@example.cn', '--quit-after', 'MAIL']);
    assert.match(postmaster.out, /550 5\.7\.1/);
  });

  it('refuses look-alike domains even to authenticated users', async () => {
    const r = await swaks(t.ports.submission, ['--to', 'boss@xn--exmple-4nf.cn', '--from', 'bob@example.cn', '--auth', 'PLAIN',
      '--auth-user', 'bob@example.cn', '--auth-password', PASSWORD, '--quit-after', 'RCPT']);
    assert.match(r.out, /550 5\.7\.1 Recipient domain xn--exmple-4nf\.cn imitates the local domain example\.cn/);
  });

  it('enforces the recipient, size and quota limits with the right codes', async () => {
    const many = await swaks(t.ports.smtp, ['--to', 'alice@example.cn,bob@example.cn,carol@example.cn,dave@example.cn,small@example.cn,sales@example.cn',
      '--from', 'x@remote.test', '--quit-after', 'RCPT']);
    assert.match(many.out, /452 4\.5\.3 Too many recipients/);
    const big = await swaks(t.ports.smtp, ['--to', 'alice@example.cn', '--from', 'x@remote.test', '--body', '-'], `${'x'.repeat(999)}\n`.repeat(300));
    assert.match(big.out, /552 5\.3\.4/);
    // A declared SIZE over the quota is refused at RCPT (RFC 1870 lets us know it early).
    const declared = await python(`
import socket, sys
s = socket.create_connection(('127.0.0.1', int(sys.argv[1])), timeout=20); f = s.makefile('rb')
def rd():
    line = f.readline()
    while line[3:4] == b'-': line = f.readline()
    return line.decode().strip()
rd()
for c in ['EHLO x', 'MAIL FROM:<x@remote.test> SIZE=4000', 'RCPT TO:<small@example.cn>']:
    s.sendall(c.encode() + b'\\r\\n'); print(rd())`, [String(t.ports.smtp)]);
    assert.match(declared.out, /552 5\.2\.2 <small@example\.cn>: Mailbox full/, declared.out);

    // Without SIZE it is accepted, refused at delivery, and the sender gets a bounce.
    const undeclared = await swaks(t.ports.smtp, ['--to', 'small@example.cn', '--from', 'x@remote.test', '--body', 'y'.repeat(4000)]);
    assert.equal(undeclared.code, 0, undeclared.out);
    const bounce = await eventually(async () => (await t.rt.queueManager.list()).find((e) => e.sender === '' && e.meta.dsnFor !== undefined), 10_000, 'bounce');
    assert.deepEqual(bounce.recipients.map((r) => r.address), ['x@remote.test']);
    assert.deepEqual(await mailboxMessages(t.rt, 'small@example.cn'), []);

    // A mailbox already over its quota is refused at RCPT even without SIZE.
    await t.rt.users.update(TEST_ACTOR, 'alice@example.cn', { quotaBytes: 100 });
    const full = await swaks(t.ports.smtp, ['--to', 'alice@example.cn', '--from', 'x@remote.test', '--quit-after', 'RCPT']);
    assert.match(full.out, /552 5\.2\.2 <alice@example\.cn>: Mailbox full/);
    await t.rt.users.update(TEST_ACTOR, 'alice@example.cn', { quotaBytes: 0 });
  });

  it('fans out aliases and lists, storing the message once', async () => {
    const r = await swaks(t.ports.smtp, ['--to', 'team@example.cn', '--from', 'x@remote.test', '--header', 'Subject: team news']);
    assert.equal(r.code, 0, r.out);
    for (const u of ['alice', 'bob', 'carol']) {
      await eventually(async () => (await mailboxMessages(t.rt, `${u}@example.cn`)).some((m) => m.subject === 'team news') || undefined, 10_000, u);
    }
    const blobIds = await t.rt.store.read(async (tx) => {
      const ids = new Set<string>();
      for (const u of ['alice', 'bob', 'carol']) {
        const user = (await t.rt.users.byAddress(`${u}@example.cn`))!;
        const box = (await tx.mailboxes.byName(user.id, 'INBOX'))!;
        for (const m of await tx.messages.list(box.id)) if (m.subject === 'team news') ids.add(m.blobId);
      }
      return ids;
    });
    assert.equal(blobIds.size, 1);
    const viaAlias = await swaks(t.ports.smtp, ['--to', 'sales@example.cn', '--from', 'x@remote.test', '--header', 'Subject: for sales']);
    assert.equal(viaAlias.code, 0);
    for (const u of ['alice', 'bob']) {
      const m = await eventually(async () => (await mailboxMessages(t.rt, `${u}@example.cn`)).find((x) => x.subject === 'for sales'), 10_000, u);
      assert.match(m.raw, new RegExp(`Delivered-To: ${u}@example\\.cn`));
    }
  });

  it('sends with Python smtplib over STARTTLS with AUTH', async () => {
    const script = `
import smtplib, ssl, sys
ctx = ssl.create_default_context(); ctx.check_hostname = False; ctx.verify_mode = ssl.CERT_NONE
s = smtplib.SMTP('127.0.0.1', int(sys.argv[1]), timeout=20)
s.ehlo(); s.starttls(context=ctx); s.ehlo()
s.login('carol@example.cn', sys.argv[2])
s.sendmail('carol@example.cn', ['alice@example.cn'], 'Subject: via smtplib\\r\\nFrom: carol@example.cn\\r\\n\\r\\nhi\\r\\n')
s.quit(); print('sent')`;
    const r = await python(script, [String(t.ports.submission), PASSWORD]);
    assert.match(r.out, /sent/, r.out);
    const m = await eventually(async () => (await mailboxMessages(t.rt, 'alice@example.cn')).find((x) => x.subject === 'via smtplib'));
    assert.match(m.raw, /with ESMTPSA id/);
    assert.match(m.raw, /^Date: /m, 'submission adds a missing Date');
    assert.match(m.raw, /^Message-ID: <.+@mx\.youju\.test>/m, 'and a missing Message-ID');
  });

  it('ends DATA only on CRLF.CRLF: a bare-LF dot cannot smuggle a second message', async () => {
    const script = `
import socket, sys, time
s = socket.create_connection(('127.0.0.1', int(sys.argv[1])), timeout=20)
f = s.makefile('rb')
def rd():
    line = f.readline()
    while line[3:4] == b'-': line = f.readline()
    return line
rd()
for c in [b'EHLO x', b'MAIL FROM:<x@remote.test>', b'RCPT TO:<carol@example.cn>', b'DATA']:
    s.sendall(c + b'\\r\\n'); rd()
s.sendall(b'Subject: smuggle\\r\\n\\r\\nline1\\n.\\r\\nMAIL FROM:<evil@remote.test>\\r\\nRCPT TO:<alice@example.cn>\\r\\n.\\r\\n')
print(rd().decode().strip())
s.sendall(b'QUIT\\r\\n'); print(rd().decode().strip())`;
    const r = await python(script, [String(t.ports.smtp)]);
    assert.match(r.out, /^250 2\.0\.0 Ok: queued/m, r.out);
    const m = await eventually(async () => (await mailboxMessages(t.rt, 'carol@example.cn')).find((x) => x.subject === 'smuggle'));
    assert.match(m.raw, /line1\r\n\.\r\nMAIL FROM:<evil@remote\.test>\r\n/, 'the smuggled commands stayed body text, with CRLF');
    assert.equal((await mailboxMessages(t.rt, 'alice@example.cn')).filter((x) => x.raw.includes('evil@remote.test')).length, 0);
  });

  it('indexes delivered mail for full-text search', async () => {
    const alice = (await t.rt.users.byAddress('alice@example.cn'))!;
    const inbox = (await t.rt.mailboxes.get(alice.id, 'INBOX'))!;
    const found = await eventually(async () => {
      const uids = await t.rt.store.read((tx) => tx.fulltext.search(inbox.id, [{ field: 'body', words: ['hello', 'alice'] }]));
      return uids.length > 0 ? uids : undefined;
    }, 10_000, 'index');
    assert.deepEqual(found, [1]);
  });

  it('writes the smtp-in session log without passwords', async () => {
    const text = await sessionLogText(t.dir, 'smtp-in', /<-- EHLO /, /--> 250 /);
    assert.doesNotMatch(text, new RegExp(PASSWORD.replace(/[!]/g, '\\!')));
    assert.doesNotMatch(text, new RegExp(Buffer.from(`\0bob@example.cn\0${PASSWORD}`).toString('base64').slice(0, 20)));
  });
});
