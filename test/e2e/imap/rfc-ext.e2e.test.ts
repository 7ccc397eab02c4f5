// The rest of IMAP4rev2 (RFC 9051) beyond what extensions.e2e.test.ts covers: DELETE of a folder
// with subfolders (NO [HASCHILDREN]), RENAME INBOX (its messages move, INBOX stays), and
// UNAUTHENTICATE (RFC 8437), over a raw connection and with Python imaplib.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { python } from '../../helpers/peers.ts';
import { RawClient } from '../../helpers/raw-client.ts';
import { eventually, PASSWORD, startTestServer, type TestServer } from '../../helpers/server.ts';

let tags = 0;
/** Sends one command and returns its untagged lines and the tagged completion. */
async function cmd(c: RawClient, text: string): Promise<{ untagged: string[]; done: string; tag: string }> {
  const tag = `r${++tags}`;
  c.send(`${tag} ${text}\r\n`);
  const lines = (await c.until(new RegExp(`^${tag} `))).split('\r\n');
  return { untagged: lines.slice(0, -1), done: lines.at(-1)!, tag };
}

async function connect(t: TestServer): Promise<RawClient> {
  const c = new RawClient(t.config.ports.imap);
  await c.line(/^\* OK/);
  return c;
}

/** Logs in; the server allows one session per user here, so the previous test's LOGOUT may still be closing. */
async function login(t: TestServer, user = 'alice@example.cn'): Promise<RawClient> {
  const c = await connect(t);
  await eventually(async () => {
    const done = (await cmd(c, `LOGIN ${user} "${PASSWORD}"`)).done;
    if (!/NO \[LIMIT\]/.test(done)) assert.match(done, / OK /);
    return / OK /.test(done);
  }, 5000, `login as ${user}`);
  return c;
}

async function append(c: RawClient, mailbox: string, subject: string): Promise<void> {
  const body = `Subject: ${subject}\r\n\r\nx\r\n`;
  assert.match((await cmd(c, `APPEND ${mailbox} {${body.length}+}\r\n${body}`)).done, / OK /);
}

const only = (r: { untagged: string[] }, prefix: string) => r.untagged.filter((l) => l.startsWith(prefix));

describe('IMAP4rev2 base commands and UNAUTHENTICATE (issue #11 §3)', () => {
  let t: TestServer;
  const open: RawClient[] = [];
  before(async () => {
    // One session per user, so UNAUTHENTICATE must give the user's place back.
    t = await startTestServer({ imap: true, settings: { 'security.allowPlaintextAuth': true, 'imap.maxConnectionsPerUser': 1 } });
    await t.addUser('alice@example.cn');
    await t.addUser('bob@example.cn');
    await t.addUser('carol@example.cn');
  });
  after(async () => {
    for (const c of open) c.close();
    await t?.close();
  });

  it('DELETE of a folder with subfolders is NO [HASCHILDREN]; nothing is deleted (RFC 9051 §6.3.4, §7.1)', async () => {
    const c = await login(t);
    open.push(c);
    await cmd(c, 'ENABLE IMAP4rev2');
    await cmd(c, 'CREATE Parent/Child');
    await append(c, 'Parent', 'kept');
    const r = await cmd(c, 'DELETE Parent');
    assert.match(r.done, /^r\d+ NO \[HASCHILDREN\] /);
    assert.deepEqual(only(await cmd(c, 'LIST "" "Parent*"'), '* LIST'), ['* LIST (\\HasChildren) "/" Parent', '* LIST (\\HasNoChildren) "/" Parent/Child']);
    assert.match(only(await cmd(c, 'STATUS Parent (MESSAGES)'), '* STATUS')[0]!, /MESSAGES 1\)$/);
    // A system folder stays one whether or not it has subfolders: NO [NOPERM].
    await cmd(c, 'CREATE INBOX/Kept');
    assert.match((await cmd(c, 'DELETE INBOX')).done, /NO \[NOPERM\]/);
    await cmd(c, 'DELETE INBOX/Kept');
    // The leaf first, then the parent: both go.
    assert.match((await cmd(c, 'DELETE Parent/Child')).done, /OK/);
    assert.match((await cmd(c, 'DELETE Parent')).done, /OK/);
    assert.deepEqual(only(await cmd(c, 'LIST "" "Parent*"'), '* LIST'), []);
    await cmd(c, 'LOGOUT');
  });

  it('RENAME to a name under folders that do not exist creates them (RFC 9051 §6.3.6, RFC 3501 §6.3.5)', async () => {
    const c = await login(t);
    open.push(c);
    await cmd(c, 'CREATE Report');
    await append(c, 'Report', 'moved along');
    assert.match((await cmd(c, 'RENAME Report Years/2026/Report')).done, /OK/);
    assert.deepEqual(only(await cmd(c, 'LIST "" "Years*"'), '* LIST'), [
      '* LIST (\\HasChildren) "/" Years', '* LIST (\\HasChildren) "/" Years/2026', '* LIST (\\HasNoChildren) "/" Years/2026/Report',
    ]);
    assert.match(only(await cmd(c, 'STATUS Years/2026/Report (MESSAGES)'), '* STATUS')[0]!, /MESSAGES 1\)$/);
    await cmd(c, 'LOGOUT');
  });

  it('RENAME INBOX moves its messages to a new folder; INBOX stays, empty, with its subfolders (RFC 9051 §6.3.6, RFC 3501 §6.3.5)', async () => {
    const c = await login(t, 'bob@example.cn');
    open.push(c);
    await cmd(c, 'CREATE INBOX/Sub');
    await append(c, 'INBOX', 'one');
    await append(c, 'INBOX', 'two');
    const sel = await cmd(c, 'SELECT INBOX');
    assert.ok(sel.untagged.includes('* 2 EXISTS'));
    const before = only(await cmd(c, 'STATUS INBOX (UIDNEXT UIDVALIDITY)'), '* STATUS')[0]!;
    const r = await cmd(c, 'RENAME INBOX "Old Mail"');
    assert.match(r.done, /OK/);
    // The selected INBOX lost both messages: the client is told (at the latest on NOOP).
    const expunges = [...r.untagged, ...(await cmd(c, 'NOOP')).untagged].filter((l) => / EXPUNGE$/.test(l));
    assert.equal(expunges.length, 2, expunges.join('\n'));
    // INBOX keeps its UIDVALIDITY and UIDNEXT (it is the same mailbox, emptied).
    assert.equal(only(await cmd(c, 'STATUS INBOX (UIDNEXT UIDVALIDITY)'), '* STATUS')[0], before);
    assert.match(only(await cmd(c, 'STATUS INBOX (MESSAGES)'), '* STATUS')[0]!, /MESSAGES 0\)$/);
    await cmd(c, 'SELECT "Old Mail"');
    const subjects = only(await cmd(c, 'FETCH 1:* (BODY.PEEK[HEADER.FIELDS (SUBJECT)])'), '* ');
    assert.equal(subjects.length, 2);
    const names = only(await cmd(c, 'LIST "" "*"'), '* LIST').map((l) => l.replace(/^.*"\/" /, ''));
    assert.ok(names.includes('INBOX') && names.includes('INBOX/Sub') && names.includes('"Old Mail"'), names.join(' '));
    assert.ok(!names.some((n) => n.includes('Old Mail/')), names.join(' '));
    // A name that exists: NO [ALREADYEXISTS], nothing moves.
    await append(c, 'INBOX', 'three');
    assert.match((await cmd(c, 'RENAME INBOX "Old Mail"')).done, /NO \[ALREADYEXISTS\]/);
    assert.match(only(await cmd(c, 'STATUS INBOX (MESSAGES)'), '* STATUS')[0]!, /MESSAGES 1\)$/);
    await cmd(c, 'LOGOUT');
  });

  it('UNAUTHENTICATE: advertised, back to not authenticated, ENABLE forgotten, the user\'s session place freed (RFC 8437 §3)', async () => {
    const c = await login(t, 'carol@example.cn');
    open.push(c);
    const caps = only(await cmd(c, 'CAPABILITY'), '* CAPABILITY')[0]!.split(' ');
    assert.ok(caps.includes('UNAUTHENTICATE'), caps.join(' '));
    // Only one session per user: a second login is refused while this one is logged in.
    const other = await connect(t);
    open.push(other);
    assert.match((await cmd(other, `LOGIN carol@example.cn "${PASSWORD}"`)).done, /NO \[LIMIT\]/);
    await cmd(c, 'ENABLE IMAP4rev2');
    await append(c, 'INBOX', 'hello');
    assert.match((await cmd(c, 'SELECT INBOX')).done, /OK \[READ-WRITE\]/);
    await cmd(c, 'STORE 1 +FLAGS.SILENT (\\Deleted)');
    const u = await cmd(c, 'UNAUTHENTICATE');
    assert.match(u.done, /^r\d+ OK /);
    assert.deepEqual(u.untagged, []);
    // Not authenticated: commands of the authenticated state are refused, the pre-login capabilities are shown.
    assert.match((await cmd(c, 'SELECT INBOX')).done, /BAD/);
    const pre = only(await cmd(c, 'CAPABILITY'), '* CAPABILITY')[0]!.split(' ');
    assert.ok(pre.includes('AUTH=PLAIN') && !pre.includes('UNAUTHENTICATE'), pre.join(' '));
    // The place is free: the other connection logs in now.
    assert.match((await cmd(other, `LOGIN carol@example.cn "${PASSWORD}"`)).done, /OK/);
    await cmd(other, 'LOGOUT');
    // UNAUTHENTICATE did not expunge (it is not CLOSE), and after a new login the session is IMAP4rev1 again.
    await eventually(async () => (await cmd(c, `LOGIN carol@example.cn "${PASSWORD}"`)).done.includes(' OK '), 5000, 'login again');
    const sel = await cmd(c, 'SELECT INBOX');
    assert.ok(sel.untagged.includes('* 1 EXISTS'), sel.untagged.join('\n'));
    assert.ok(sel.untagged.some((l) => / RECENT$/.test(l)), 'RECENT again: IMAP4rev2 is no longer enabled');
    assert.deepEqual(only(await cmd(c, 'SEARCH DELETED'), '* SEARCH'), ['* SEARCH 1']);
    // Before login it is unknown to the state: BAD.
    await cmd(c, 'UNAUTHENTICATE');
    assert.match((await cmd(c, 'UNAUTHENTICATE')).done, /BAD/);
    await cmd(c, 'LOGOUT');
  });

  it('with Python imaplib: rename INBOX, then UNAUTHENTICATE and log in as another user on the same connection', async () => {
    const script = `
import imaplib, sys, json
imaplib.Commands['UNAUTHENTICATE'] = ('AUTH', 'SELECTED')  # imaplib only sends the commands it knows
M = imaplib.IMAP4('127.0.0.1', int(sys.argv[1]), timeout=20)
M.login('alice@example.cn', sys.argv[2])
out = {'caps': [c.upper() for c in M.capabilities]}
M.append('INBOX', None, None, b'Subject: from imaplib\\r\\n\\r\\nx\\r\\n')
out['rename'] = M.rename('INBOX', 'Archive2026')[0]
out['moved'] = M.status('Archive2026', '(MESSAGES)')[1][0].decode()
out['inbox'] = M.status('INBOX', '(MESSAGES)')[1][0].decode()
typ, dat = M._simple_command('UNAUTHENTICATE')
out['unauth'] = typ
M.state = 'NONAUTH'
typ, dat = M.login('bob@example.cn', sys.argv[2])
out['relogin'] = typ
out['bob'] = [l.decode() for l in M.list()[1]]
M.logout()
print(json.dumps(out))
`;
    const r = await python(script, [String(t.config.ports.imap), PASSWORD]);
    const last = r.out.trim().split('\n').at(-1) ?? '';
    assert.ok(last.startsWith('{'), r.out);
    const out = JSON.parse(last) as { caps: string[]; rename: string; moved: string; inbox: string; unauth: string; relogin: string; bob: string[] };
    assert.ok(out.caps.includes('IMAP4REV2'), out.caps.join(' '));
    assert.equal(out.rename, 'OK');
    assert.equal(out.moved, 'Archive2026 (MESSAGES 1)');
    assert.equal(out.inbox, 'INBOX (MESSAGES 0)');
    assert.equal(out.unauth, 'OK');
    assert.equal(out.relogin, 'OK');
    // Bob's folders, not Alice's: the new login is Bob's.
    assert.ok(out.bob.some((l) => l.endsWith('"Old Mail"')), out.bob.join('\n'));
    assert.ok(!out.bob.some((l) => l.includes('Archive2026')), out.bob.join('\n'));
  });

  it('a keyword with %, * or ] is NO [CANNOT] (the session goes on); SEARCH KEYWORD takes it leniently (issue #11 §1.9, as Dovecot)', async () => {
    const c = await login(t, 'carol@example.cn');
    open.push(c);
    assert.match((await cmd(c, 'CREATE Kw')).done, / OK /);
    await append(c, 'Kw', 'keywords');
    assert.match((await cmd(c, 'SELECT Kw')).done, / OK /);
    for (const bad of ['a*b', 'a%b', 'a]b']) {
      assert.match((await cmd(c, `STORE 1 +FLAGS (${bad})`)).done, / NO \[CANNOT\] Invalid characters in keyword/);
    }
    const body = 'Subject: k\r\n\r\nx\r\n';
    assert.match((await cmd(c, `APPEND Kw (x]y) {${body.length}+}\r\n${body}`)).done, / NO \[CANNOT\]/);
    assert.match((await cmd(c, 'STORE 1 +FLAGS ($Good)')).done, / OK /);
    assert.deepEqual(only(await cmd(c, 'SEARCH KEYWORD "$Good"'), '* SEARCH'), ['* SEARCH 1']);
    assert.deepEqual(only(await cmd(c, 'SEARCH KEYWORD a]b'), '* SEARCH'), ['* SEARCH']);
    assert.deepEqual(only(await cmd(c, 'SEARCH UNKEYWORD \\Seen'), '* SEARCH'), ['* SEARCH 1']);
    assert.match((await cmd(c, 'LOGOUT')).done, / OK /);
  });
});
