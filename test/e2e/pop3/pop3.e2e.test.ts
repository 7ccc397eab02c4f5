// POP3 end to end with Python's poplib (FEATURES P10): STLS then USER/PASS, STAT/LIST/UIDL/TOP/
// RETR with dot-stuffing, DELE taking effect only at QUIT, stable UIDLs, one session per maildrop
// ([IN-USE]) with the lock gone when the connection dies, POP3S, AUTH refused before TLS, and
// the POP-before-SMTP window opened by a login.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { python, swaks } from '../../helpers/peers.ts';
import { eventually, mailboxMessages, PASSWORD, sessionLogText, startTestServer, type TestServer } from '../../helpers/server.ts';

const POP = `
import poplib, ssl, sys, json
ctx = ssl.create_default_context(); ctx.check_hostname = False; ctx.verify_mode = ssl.CERT_NONE
def connect(port, secure=False):
    if secure: return poplib.POP3_SSL('127.0.0.1', port, context=ctx, timeout=20)
    p = poplib.POP3('127.0.0.1', port, timeout=20); p.stls(context=ctx); return p
`;

describe('POP3', () => {
  let t: TestServer;
  before(async () => {
    t = await startTestServer({ pop3: true, settings: { 'smtp.popBeforeSmtpMinutes': 10 } });
    await t.addUser('alice@example.cn');
    for (const [i, body] of ['first', '.leading dot line\r\nsecond', 'third'].entries()) {
      const r = await swaks(t.ports.smtp, ['--to', 'alice@example.cn', '--from', 'x@remote.test', '--header', `Subject: m${i + 1}`, '--body', body]);
      assert.equal(r.code, 0, r.out);
    }
    await eventually(async () => (await mailboxMessages(t.rt, 'alice@example.cn')).length === 3 || undefined);
  });
  after(() => t.close());

  it('lists, reads and deletes at QUIT only, with stable UIDLs', async () => {
    const port = String(t.config.ports.pop3);
    const r = await python(`${POP}
p = connect(int(sys.argv[1])); p.user('alice@example.cn'); p.pass_(sys.argv[2])
out = {}
out['stat'] = list(p.stat())
out['list'] = [x.decode() for x in p.list()[1]]
out['uidl'] = [x.decode() for x in p.uidl()[1]]
out['retr2'] = b'\\n'.join(p.retr(2)[1]).decode()
out['top1'] = [x.decode() for x in p.top(1, 0)[1]]
p.dele(1); out['stat_after_dele'] = list(p.stat())
p.rset(); out['stat_after_rset'] = list(p.stat())
p.dele(3); p.quit()
p = connect(int(sys.argv[1])); p.user('alice@example.cn'); p.pass_(sys.argv[2])
out['uidl2'] = [x.decode() for x in p.uidl()[1]]
p.quit()
print(json.dumps(out))`, [port, PASSWORD]);
    const out = JSON.parse(r.out.trim().split('\n').at(-1)!);
    assert.equal(out.stat[0], 3);
    assert.equal(out.list.length, 3);
    assert.match(out.retr2, /^\.leading dot line$/m, 'poplib undoes our dot-stuffing');
    assert.match(out.retr2, /Subject: m2/);
    assert.ok(out.top1.some((l: string) => l === 'Subject: m1'));
    assert.ok(!out.top1.some((l: string) => l === 'first'), 'TOP n 0 gives headers only');
    assert.equal(out.stat_after_dele[0], 2);
    assert.equal(out.stat_after_rset[0], 3);
    assert.deepEqual(out.uidl2.map((l: string) => l.split(' ')[1]), [out.uidl[0], out.uidl[1]].map((l: string) => l.split(' ')[1]));
    assert.deepEqual((await mailboxMessages(t.rt, 'alice@example.cn')).map((m) => m.subject), ['m1', 'm2']);
  });

  it('locks the maildrop to one session and frees it when a connection dies', async () => {
    const r = await python(`${POP}
import socket
p = connect(int(sys.argv[1])); p.user('alice@example.cn'); p.pass_(sys.argv[2])
q = connect(int(sys.argv[1])); q.user('alice@example.cn')
try:
    q.pass_(sys.argv[2]); print('second login allowed')
except poplib.error_proto as e:
    print(e.args[0].decode())
p.sock.shutdown(socket.SHUT_RDWR); p.sock.close()
import time; time.sleep(0.3)
q2 = connect(int(sys.argv[1])); q2.user('alice@example.cn'); print(q2.pass_(sys.argv[2]).decode()); q2.quit()`,
    [String(t.config.ports.pop3), PASSWORD]);
    assert.match(r.out, /-ERR \[IN-USE\] maildrop already locked/, r.out);
    assert.match(r.out, /\+OK maildrop has 2 messages/);
  });

  it('works over POP3S, refuses passwords before TLS, and opens the POP-before-SMTP window', async () => {
    const r = await python(`${POP}
p = connect(int(sys.argv[1]), True); p.user('alice@example.cn'); print(p.pass_(sys.argv[2]).decode()); p.quit()
plain = poplib.POP3('127.0.0.1', int(sys.argv[3]), timeout=20)
print(' '.join(plain.capa().keys()))
try:
    plain.user('alice@example.cn')
except poplib.error_proto as e:
    print(e.args[0].decode())
plain.quit()`, [String(t.config.ports.pop3s), PASSWORD, String(t.config.ports.pop3)]);
    assert.match(r.out, /\+OK maildrop has 2 messages/, r.out);
    assert.match(r.out, /STLS/);
    assert.doesNotMatch(r.out.split('\n')[1] ?? '', /USER/);
    assert.match(r.out, /-ERR \[AUTH\] use STLS first/);
    assert.equal(await t.rt.authWindows.isOpen('127.0.0.1'), true);
    const relay = await swaks(t.ports.smtp, ['--to', 'bob@remote.test', '--from', 'alice@example.cn', '--quit-after', 'RCPT']);
    assert.doesNotMatch(relay.out, /Relay access denied/, 'POP-before-SMTP lets this IP relay');
  });

  it('serves fetchmail over STLS, which fetches every message and deletes them', async () => {
    const { mkdtemp, writeFile, readFile, chmod, rm } = await import('node:fs/promises');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const { spawn } = await import('node:child_process');
    await t.addUser('fm@example.cn');
    for (const subject of ['fm one', 'fm two']) {
      assert.equal((await swaks(t.ports.smtp, ['--to', 'fm@example.cn', '--from', 'x@remote.test', '--header', `Subject: ${subject}`])).code, 0);
    }
    await eventually(async () => (await mailboxMessages(t.rt, 'fm@example.cn')).length === 2 || undefined);
    const dir = await mkdtemp(join(tmpdir(), 'youju-fetchmail-'));
    try {
      const rc = join(dir, 'fetchmailrc');
      const out = join(dir, 'mbox');
      await writeFile(rc, `poll 127.0.0.1 service ${t.config.ports.pop3} protocol pop3 auth password timeout 20\n` +
        `  user "fm@example.cn" password "${PASSWORD}" sslproto "TLS1.2+" no sslcertck nokeep\n  mda "cat >> ${out}"\n`);
      await chmod(rc, 0o600);
      // Not spawnSync: the server runs in this process and must keep answering.
      const r = await new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => {
        const child = spawn('fetchmail', ['-f', rc, '--nosyslog', '-v', '--pidfile', join(dir, 'pid')], { env: { ...process.env, HOME: dir, FETCHMAILHOME: dir } });
        let stdout = '';
        let stderr = '';
        child.stdout.on('data', (d) => { stdout += d; });
        child.stderr.on('data', (d) => { stderr += d; });
        child.on('close', (status) => resolve({ status, stdout, stderr }));
      });
      assert.ok(r.status === 0, `${r.status}\n${r.stdout}\n${r.stderr}`);
      const mbox = await readFile(out, 'utf8');
      assert.match(mbox, /Subject: fm one/);
      assert.match(mbox, /Subject: fm two/);
      assert.match(r.stdout + r.stderr, /STLS/);
      assert.deepEqual(await mailboxMessages(t.rt, 'fm@example.cn'), [], 'nokeep: deleted at QUIT');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('refuses a wrong password with [AUTH] and writes a pop3 session log without it', async () => {
    const r = await python(`${POP}
p = connect(int(sys.argv[1])); p.user('alice@example.cn')
try:
    p.pass_('wrong-password-123')
except poplib.error_proto as e:
    print(e.args[0].decode())`, [String(t.config.ports.pop3)]);
    assert.match(r.out, /-ERR \[AUTH\]/);
    const text = await sessionLogText(t.dir, 'pop3', /<-- PASS \*\*\*\*/);
    assert.ok(!text.includes(PASSWORD) && !text.includes('wrong-password-123'));
  });
});
