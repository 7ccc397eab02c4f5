// The IMAP extensions issue #11 §3 adds (IMAP4rev2, ESORT and CONTEXT, SORT=DISPLAY, MULTIAPPEND,
// CATENATE, NOTIFY), over a raw connection so each response is checked as its RFC section writes it,
// and with imapflow where a real client uses the extension.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { imapClient } from '../../helpers/imap.ts';
import { python } from '../../helpers/peers.ts';
import { RawClient } from '../../helpers/raw-client.ts';
import { PASSWORD, startTestServer, type TestServer } from '../../helpers/server.ts';

let tags = 0;
/** Sends one command and returns its untagged lines and the tagged completion. */
async function cmd(c: RawClient, text: string | Buffer): Promise<{ untagged: string[]; done: string; tag: string }> {
  const tag = `t${++tags}`;
  c.send(Buffer.concat([Buffer.from(`${tag} `), Buffer.from(text), Buffer.from('\r\n')]));
  const lines = (await c.until(new RegExp(`^${tag} `))).split('\r\n');
  return { untagged: lines.slice(0, -1), done: lines.at(-1)!, tag };
}

/** A message with CRLF line ends from \n-separated text. */
const crlf = (text: string) => Buffer.from(text.replace(/\n/g, '\r\n'));

/** `{n+}\r\n` and the bytes: a non-synchronising literal (LITERAL+). */
const lit = (bytes: Buffer) => Buffer.concat([Buffer.from(`{${bytes.length}+}\r\n`), bytes]);

async function append(c: RawClient, mailbox: string, message: string, flags = ''): Promise<string> {
  const r = await cmd(c, Buffer.concat([Buffer.from(`APPEND ${mailbox} ${flags ? `(${flags}) ` : ''}`), lit(crlf(message))]));
  assert.match(r.done, / OK /);
  return r.done;
}

async function login(t: TestServer): Promise<RawClient> {
  const c = new RawClient(t.config.ports.imap);
  await c.line(/^\* OK/);
  assert.match((await cmd(c, `LOGIN alice@example.cn "${PASSWORD}"`)).done, /OK/);
  return c;
}

const only = (r: { untagged: string[] }, prefix: string) => r.untagged.filter((l) => l.startsWith(prefix));

describe('IMAP extensions (issue #11 §3)', () => {
  let t: TestServer;
  let c: RawClient;
  before(async () => {
    t = await startTestServer({ imap: true, settings: { 'security.allowPlaintextAuth': true } });
    await t.addUser('alice@example.cn');
    c = await login(t);
    await cmd(c, 'CREATE Sorted');
    await append(c, 'Sorted', 'From: "Zed Last" <aaa@example.cn>\nTo: bob@example.cn\nSubject: one\nDate: Mon, 2 Nov 2026 10:00:00 +0000\n\nx\n');
    await append(c, 'Sorted', 'From: carol@example.cn\nTo: "Alice A" <zzz@example.cn>\nSubject: two\nDate: Mon, 2 Nov 2026 09:00:00 +0000\n\nx\n', '\\Seen');
    await append(c, 'Sorted', 'From: =?UTF-8?B?5byg5LiJ?= <bbb@example.cn>\nTo: "Mike" <m@example.cn>\nSubject: three\nDate: Mon, 2 Nov 2026 11:00:00 +0000\n\nx\n');
    await append(c, 'Sorted', 'From: "Adam" <zzz@example.cn>\nSubject: four\nDate: Mon, 2 Nov 2026 08:00:00 +0000\n\nx\n', '\\Seen');
  });
  after(async () => {
    c?.close();
    await t?.close();
  });

  describe('IMAP4rev2 (RFC 9051)', () => {
    it('is advertised beside IMAP4rev1 before and after login (RFC 9051 §7.2.2, Appendix E)', async () => {
      const fresh = new RawClient(t.config.ports.imap);
      try {
        assert.match(await fresh.line(/^\* OK/), /CAPABILITY IMAP4rev1 IMAP4rev2 /);
      } finally {
        fresh.close();
      }
      const caps = only(await cmd(c, 'CAPABILITY'), '* CAPABILITY')[0]!.split(' ');
      for (const cap of ['IMAP4rev1', 'IMAP4rev2', 'MULTIAPPEND', 'CATENATE', 'NOTIFY', 'UNAUTHENTICATE', 'ESORT', 'CONTEXT=SEARCH', 'CONTEXT=SORT', 'SORT=DISPLAY', 'ESEARCH', 'SEARCHRES',
        'UNSELECT', 'NAMESPACE', 'MOVE', 'ID', 'SPECIAL-USE', 'SASL-IR', 'BINARY', 'STATUS=SIZE', 'LIST-STATUS', 'LIST-EXTENDED', 'ENABLE', 'IDLE', 'LITERAL+']) {
        assert.ok(caps.includes(cap), `${cap} in ${caps.join(' ')}`);
      }
    });

    it('ENABLE IMAP4rev2: SELECT has no RECENT or UNSEEN but a LIST; SEARCH answers ESEARCH; no \\Recent (§6.3.1, §6.3.2, §6.4.4)', async () => {
      const v2 = await login(t);
      try {
        // Before ENABLE the session is IMAP4rev1.
        const rev1 = await cmd(v2, 'EXAMINE Sorted');
        assert.equal(only(rev1, '* 0 RECENT').length + only(rev1, '* 4 RECENT').length, 1);
        assert.deepEqual(only(await cmd(v2, 'SEARCH SEEN'), '* SEARCH'), ['* SEARCH 2 4']);
        await cmd(v2, 'UNSELECT');
        const enabled = await cmd(v2, 'ENABLE IMAP4rev2');
        assert.deepEqual(enabled.untagged, ['* ENABLED IMAP4rev2']);
        await append(c, 'Sorted', 'Subject: fresh\n\nx\n');
        const sel = await cmd(v2, 'SELECT Sorted');
        assert.match(sel.done, /OK \[READ-WRITE\]/);
        assert.deepEqual(sel.untagged.filter((l) => /RECENT|UNSEEN/.test(l)), []);
        assert.ok(sel.untagged.includes('* 5 EXISTS'));
        assert.ok(sel.untagged.includes('* LIST (\\HasNoChildren) "/" Sorted'), sel.untagged.join('\n'));
        const s = await cmd(v2, 'SEARCH SEEN');
        assert.deepEqual(s.untagged, [`* ESEARCH (TAG "${s.tag}") ALL 2,4`]);
        const u = await cmd(v2, 'UID SEARCH SUBJECT nothing-matches');
        assert.deepEqual(u.untagged, [`* ESEARCH (TAG "${u.tag}") UID`]);
        const f = await cmd(v2, 'FETCH 5 FLAGS');
        assert.deepEqual(f.untagged, ['* 5 FETCH (FLAGS ())']);
        // New mail while selected: EXISTS without RECENT.
        await append(c, 'Sorted', 'Subject: fresher\n\nx\n');
        const n = await cmd(v2, 'NOOP');
        assert.deepEqual(n.untagged, ['* 6 EXISTS']);
        // Mailbox names are UTF-8 on the wire (§5.1).
        await cmd(v2, 'CREATE "报告"');
        const listed = only(await cmd(v2, 'LIST "" "报告"'), '* LIST');
        assert.deepEqual(listed.map((l) => Buffer.from(l, 'latin1').toString('utf8')), ['* LIST (\\HasNoChildren) "/" "报告"']);
        await cmd(v2, 'DELETE "报告"');
        // STATUS DELETED and SIZE (§6.3.11).
        await cmd(v2, 'STORE 5:6 +FLAGS.SILENT (\\Deleted)');
        assert.match(only(await cmd(v2, 'STATUS Sorted (MESSAGES DELETED SIZE)'), '* STATUS')[0]!, /^\* STATUS Sorted \(MESSAGES 6 DELETED 2 SIZE \d+\)$/);
        assert.deepEqual((await cmd(v2, 'UID EXPUNGE 5:6')).untagged, ['* 6 EXPUNGE', '* 5 EXPUNGE']);
      } finally {
        v2.close();
      }
    });

    it('imapflow enables IMAP4rev2 and still searches, fetches and lists', async () => {
      const client = imapClient(t);
      await client.connect();
      try {
        assert.ok(client.enabled.has('IMAP4rev2') || client.enabled.has('IMAP4REV2'), [...client.enabled].join(' '));
        const lock = await client.getMailboxLock('Sorted');
        try {
          assert.deepEqual(await client.search({ seen: true }, { uid: true }), [2, 4]);
          const msgs = [];
          for await (const m of client.fetch('1:*', { envelope: true, flags: true })) msgs.push(m);
          assert.equal(msgs.length, 4);
          assert.ok(msgs.every((m) => !m.flags?.has('\\Recent')));
        } finally {
          lock.release();
        }
        assert.ok((await client.list()).some((b) => b.path === 'Sorted'));
      } finally {
        await client.logout();
      }
    });
  });

  describe('SORT=DISPLAY (RFC 5957), ESORT and CONTEXT (RFC 5267)', () => {
    const esearch = (r: { untagged: string[] }) => only(r, '* ESEARCH');

    it('DISPLAYFROM/DISPLAYTO sort by display name, else the address (RFC 5957 §2), unlike FROM/TO (RFC 5256 §3)', async () => {
      await cmd(c, 'SELECT Sorted');
      assert.deepEqual(only(await cmd(c, 'SORT (DISPLAYFROM) UTF-8 ALL'), '* SORT'), ['* SORT 4 2 1 3']);
      assert.deepEqual(only(await cmd(c, 'SORT (FROM) UTF-8 ALL'), '* SORT'), ['* SORT 1 3 2 4']);
      assert.deepEqual(only(await cmd(c, 'UID SORT (DISPLAYTO) UTF-8 ALL'), '* SORT'), ['* SORT 4 2 1 3']);
      assert.deepEqual(only(await cmd(c, 'SORT (REVERSE DISPLAYTO) UTF-8 ALL'), '* SORT'), ['* SORT 3 1 2 4']);
      assert.deepEqual(only(await cmd(c, 'SORT (TO) UTF-8 ALL'), '* SORT'), ['* SORT 4 1 3 2']);
    });

    it('SORT RETURN: MIN and MAX are the first and last in sort order, ALL keeps the order (RFC 5267 §3.1, §3.2)', async () => {
      const r = await cmd(c, 'SORT RETURN (MIN MAX ALL COUNT) (DISPLAYFROM) UTF-8 ALL');
      assert.deepEqual(esearch(r), [`* ESEARCH (TAG "${r.tag}") MIN 4 MAX 3 ALL 4,2,1,3 COUNT 4`]);
      const u = await cmd(c, 'UID SORT RETURN (COUNT) (REVERSE DATE) UTF-8 SEEN');
      assert.deepEqual(esearch(u), [`* ESEARCH (TAG "${u.tag}") UID COUNT 2`]);
      const e = await cmd(c, 'SORT RETURN () (DATE) UTF-8 SUBJECT nothing-matches');
      assert.deepEqual(esearch(e), [`* ESEARCH (TAG "${e.tag}")`]);
      const a = await cmd(c, 'SORT RETURN (ALL) (SUBJECT) UTF-8 ALL'); // four one three two
      assert.deepEqual(esearch(a), [`* ESEARCH (TAG "${a.tag}") ALL 4,1,3,2`]);
    });

    it('RETURN (PARTIAL): a window of the result, in result order, NIL past the end (RFC 5267 §4.4, RFC 9394 §3)', async () => {
      const s = await cmd(c, 'SEARCH RETURN (PARTIAL 1:2) ALL');
      assert.deepEqual(esearch(s), [`* ESEARCH (TAG "${s.tag}") PARTIAL (1:2 1:2)`]);
      const o = await cmd(c, 'UID SORT RETURN (PARTIAL 2:3 COUNT) (DATE) UTF-8 ALL');
      assert.deepEqual(esearch(o), [`* ESEARCH (TAG "${o.tag}") UID PARTIAL (2:3 2,1) COUNT 4`]);
      const n = await cmd(c, 'UID SEARCH RETURN (PARTIAL -1:-3) ALL');
      assert.deepEqual(esearch(n), [`* ESEARCH (TAG "${n.tag}") UID PARTIAL (-1:-3 2:4)`]);
      const past = await cmd(c, 'SEARCH RETURN (PARTIAL 5:9) ALL');
      assert.deepEqual(esearch(past), [`* ESEARCH (TAG "${past.tag}") PARTIAL (5:9 NIL)`]);
      assert.match((await cmd(c, 'SEARCH RETURN (PARTIAL 1:2 ALL) ALL')).done, /BAD .*PARTIAL conflicts with ALL/);
      assert.match((await cmd(c, 'SEARCH RETURN (PARTIAL 0:2) ALL')).done, /BAD/);
    });

    it('imapflow pages a search with PARTIAL', async () => {
      const client = imapClient(t);
      await client.connect();
      try {
        const lock = await client.getMailboxLock('Sorted');
        try {
          const r = await client.search({ all: true }, { uid: true, returnOptions: [{ partial: '2:3' }, 'COUNT'] }) as unknown as { partial: { range: string; messages: string }; count: number };
          assert.deepEqual(r.partial, { range: '2:3', messages: '2:3' });
          assert.equal(r.count, 4);
        } finally {
          lock.release();
        }
      } finally {
        await client.logout();
      }
    });

    it('RETURN (UPDATE) keeps SEARCH and SORT contexts live: REMOVEFROM before EXPUNGE, ADDTO, CANCELUPDATE (RFC 5267 §4.3)', async () => {
      await cmd(c, 'CREATE Ctx');
      await append(c, 'Ctx', 'Subject: a\nDate: Mon, 2 Nov 2026 10:00:00 +0000\n\nx\n');
      await append(c, 'Ctx', 'Subject: b\nDate: Mon, 2 Nov 2026 09:00:00 +0000\n\nx\n');
      await append(c, 'Ctx', 'Subject: c\nDate: Mon, 2 Nov 2026 11:00:00 +0000\n\nx\n', '\\Seen');
      await cmd(c, 'SELECT Ctx');
      const a = await cmd(c, 'SEARCH RETURN (UPDATE) UNSEEN');
      assert.deepEqual(esearch(a), [`* ESEARCH (TAG "${a.tag}") ALL 1:2`]);
      const b = await cmd(c, 'UID SORT RETURN (CONTEXT UPDATE) (DATE) UTF-8 UNSEEN');
      assert.deepEqual(esearch(b), [`* ESEARCH (TAG "${b.tag}") UID ALL 2,1`]);

      const o = await login(t);
      try {
        // A flag change elsewhere takes message 1 out of both results.
        await cmd(o, 'SELECT Ctx');
        await cmd(o, 'UID STORE 1 +FLAGS.SILENT (\\Seen)');
        const n1 = await cmd(c, 'NOOP');
        assert.deepEqual(esearch(n1), [`* ESEARCH (TAG "${a.tag}") REMOVEFROM (0 1)`, `* ESEARCH (TAG "${b.tag}") UID REMOVEFROM (2 1)`]);
        // New unseen mail joins both; the sorted one at its place in DATE order (first: the earliest).
        await append(o, 'Ctx', 'Subject: d\nDate: Mon, 2 Nov 2026 08:00:00 +0000\n\nx\n');
        const n2 = await cmd(c, 'NOOP');
        assert.ok(n2.untagged.includes('* 4 EXISTS'));
        assert.deepEqual(esearch(n2), [`* ESEARCH (TAG "${a.tag}") ADDTO (0 4)`, `* ESEARCH (TAG "${b.tag}") UID ADDTO (1 4)`]);
        // An expunge: REMOVEFROM while message 2 still has its number, then EXPUNGE.
        await cmd(o, 'UID STORE 2 +FLAGS.SILENT (\\Deleted)');
        await cmd(o, 'UID EXPUNGE 2');
        const n3 = await cmd(c, 'NOOP');
        const at = (l: string) => n3.untagged.indexOf(l);
        assert.ok(at(`* ESEARCH (TAG "${a.tag}") REMOVEFROM (0 2)`) >= 0, n3.untagged.join('\n'));
        assert.ok(at(`* ESEARCH (TAG "${b.tag}") UID REMOVEFROM (2 2)`) >= 0, n3.untagged.join('\n'));
        assert.ok(at(`* ESEARCH (TAG "${a.tag}") REMOVEFROM (0 2)`) < at('* 2 EXPUNGE'));
        assert.match((await cmd(c, `CANCELUPDATE "${a.tag}" "${b.tag}"`)).done, /OK/);
        assert.match((await cmd(c, `CANCELUPDATE "${a.tag}"`)).done, /NO/);
        await append(o, 'Ctx', 'Subject: e\n\nx\n');
        assert.deepEqual(esearch(await cmd(c, 'NOOP')), []);
      } finally {
        o.close();
      }
    });
  });

  describe('MULTIAPPEND (RFC 3502)', () => {
    const status = async (box: string, cl = c) => only(await cmd(cl, `STATUS ${box} (MESSAGES)`), '* STATUS')[0];

    it('appends several messages in one command with [APPENDUID v uid-set] (§6.3.11, RFC 4315 §3)', async () => {
      await cmd(c, 'CREATE Multi');
      const uidvalidity = /UIDVALIDITY (\d+)/.exec(only(await cmd(c, 'STATUS Multi (UIDVALIDITY)'), '* STATUS')[0]!)![1];
      const r = await cmd(c, Buffer.concat([
        Buffer.from('APPEND Multi (\\Seen) "02-Nov-2026 09:30:00 +0800" '), lit(crlf('Subject: m1\n\none\n')),
        Buffer.from(' '), lit(crlf('Subject: m2\n\ntwo\n')),
        Buffer.from(' (\\Flagged) '), lit(crlf('Subject: m3\n\nthree\n')),
      ]));
      assert.equal(r.done, `${r.tag} OK [APPENDUID ${uidvalidity} 1:3] APPEND completed`);
      await cmd(c, 'EXAMINE Multi');
      const f = await cmd(c, 'FETCH 1:3 (FLAGS INTERNALDATE BODY.PEEK[HEADER.FIELDS (SUBJECT)])');
      assert.match(f.untagged.join('\n'), /\* 1 FETCH \(FLAGS \(\\Seen\) INTERNALDATE "02-Nov-2026 01:30:00 \+0000" BODY\[HEADER\.FIELDS \(SUBJECT\)\] \{15\}\nSubject: m1/);
      assert.match(f.untagged.join('\n'), /\* 2 FETCH \(FLAGS \(\)/);
      assert.match(f.untagged.join('\n'), /\* 3 FETCH \(FLAGS \(\\Flagged\)/);
      await cmd(c, 'UNSELECT');
    });

    it('waits with "+" for each synchronising literal in turn (§6.3.11, RFC 3501 §7.5)', async () => {
      const one = crlf('Subject: s1\n\nx\n');
      const two = crlf('Subject: s2\n\ny\n');
      c.send(`sy1 APPEND Multi {${one.length}}\r\n`);
      await c.until(/^\+ /);
      c.send(Buffer.concat([one, Buffer.from(` {${two.length}}\r\n`)]));
      await c.until(/^\+ /);
      c.send(Buffer.concat([two, Buffer.from('\r\n')]));
      assert.match(await c.until(/^sy1 /), /sy1 OK \[APPENDUID \d+ 4:5\]/);
    });

    it('is atomic: when one message fails, none is stored (§6.3.11)', async () => {
      const before = await status('Multi');
      const bad = Buffer.from('Subject: broken\0header\r\n\r\nx\r\n');
      const r = await cmd(c, Buffer.concat([Buffer.from('APPEND Multi '), lit(crlf('Subject: ok\n\nx\n')), Buffer.from(' '), lit(bad)]));
      assert.match(r.done, /NO \[PARSE\]/);
      assert.equal(await status('Multi'), before);
      const missing = await cmd(c, Buffer.concat([Buffer.from('APPEND Nowhere '), lit(crlf('Subject: a\n\nx\n')), Buffer.from(' '), lit(crlf('Subject: b\n\nx\n'))]));
      assert.match(missing.done, /NO \[TRYCREATE\]/);
    });

    it('is atomic under the quota: the messages must fit together, else NO [OVERQUOTA] and none stored', async () => {
      await t.addUser('bob@example.cn', { quotaBytes: 3000 });
      const b = new RawClient(t.config.ports.imap);
      try {
        await b.line(/^\* OK/);
        await cmd(b, `LOGIN bob@example.cn "${PASSWORD}"`);
        const big = crlf(`Subject: big\n\n${'x'.repeat(1800)}\n`);
        const r = await cmd(b, Buffer.concat([Buffer.from('APPEND INBOX '), lit(big), Buffer.from(' '), lit(big)]));
        assert.match(r.done, /NO \[OVERQUOTA\]/);
        assert.equal(await status('INBOX', b), '* STATUS INBOX (MESSAGES 0)');
        assert.match((await cmd(b, Buffer.concat([Buffer.from('APPEND INBOX '), lit(big)]))).done, /OK \[APPENDUID \d+ 1\]/);
      } finally {
        b.close();
      }
    });
  });

  describe('CATENATE (RFC 4469)', () => {
    const source = crlf([
      'From: Zhang San <zs@example.cn>', 'Subject: source', 'MIME-Version: 1.0', 'Content-Type: multipart/mixed; boundary="b"', '',
      '--b', 'Content-Type: text/plain; charset=UTF-8', '', 'part one text', '--b', 'Content-Type: application/octet-stream',
      'Content-Transfer-Encoding: base64', '', 'AAECAw==', '--b--', '',
    ].join('\n'));
    let uidvalidity = '';
    const fetchNew = async (uid: string) => {
      await cmd(c, 'EXAMINE Drafts');
      const r = await cmd(c, `UID FETCH ${uid} BODY.PEEK[]`);
      await cmd(c, 'UNSELECT');
      const text = r.untagged.join('\r\n');
      const size = Number(/\{(\d+)\}$/m.exec(text)![1]);
      const start = text.indexOf('}\r\n') + 3;
      return Buffer.from(text.slice(start, start + size), 'latin1');
    };
    const header = (b: Buffer) => b.subarray(0, b.indexOf('\r\n\r\n') + 4);

    before(async () => {
      await cmd(c, 'CREATE Src');
      await cmd(c, Buffer.concat([Buffer.from('APPEND Src '), lit(source)]));
      uidvalidity = /UIDVALIDITY (\d+)/.exec(only(await cmd(c, 'STATUS Src (UIDVALIDITY)'), '* STATUS')[0]!)![1]!;
    });

    it('builds a message from a URL to a HEADER section and TEXT literals (§5, the RFC\'s forwarding example)', async () => {
      const body = crlf('\nnew body\n');
      const r = await cmd(c, Buffer.concat([
        Buffer.from(`APPEND Drafts (\\Draft) CATENATE (URL "/Src;UIDVALIDITY=${uidvalidity}/;UID=1/;SECTION=HEADER" TEXT `), lit(body.subarray(2)), Buffer.from(')'),
      ]));
      const m = /OK \[APPENDUID \d+ (\d+)\]/.exec(r.done);
      assert.ok(m, r.done);
      assert.deepEqual(await fetchNew(m[1]!), Buffer.concat([header(source), body.subarray(2)]));
    });

    it('resolves parts, .MIME, PARTIAL, full imap:// URLs of the same user and URLs relative to the selected mailbox (RFC 5092 §6, §7)', async () => {
      await cmd(c, 'SELECT Src');
      const r = await cmd(c, Buffer.concat([
        Buffer.from('APPEND Drafts CATENATE (TEXT '), lit(crlf('Subject: parts\n\n')),
        Buffer.from(` URL ";UID=1/;SECTION=1" URL "imap://alice%40example.cn@mx.youju.test/Src;UIDVALIDITY=${uidvalidity}/;UID=1/;SECTION=2.MIME"`),
        Buffer.from(` URL "/Src/;UID=1/;SECTION=1/;PARTIAL=5.3")`),
      ]));
      await cmd(c, 'UNSELECT');
      const m = /OK \[APPENDUID \d+ (\d+)\]/.exec(r.done);
      assert.ok(m, r.done);
      assert.equal((await fetchNew(m[1]!)).toString('latin1'),
        'Subject: parts\r\n\r\npart one text' + 'Content-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n\r\n' + 'one');
    });

    it('answers NO [BADURL url] for a stale UIDVALIDITY, a missing message or section, another user, URLAUTH (§5, §6)', async () => {
      const bad = [
        `/Src;UIDVALIDITY=${Number(uidvalidity) + 1}/;UID=1`,
        '/Src/;UID=99',
        '/Src/;UID=1/;SECTION=7',
        '/NoSuchBox/;UID=1',
        'imap://bob%40example.cn@localhost/INBOX/;UID=1',
        '/Src/;UID=1;URLAUTH=anonymous',
        ';UID=1',
      ];
      const before = only(await cmd(c, 'STATUS Drafts (MESSAGES)'), '* STATUS')[0];
      for (const url of bad) {
        const r = await cmd(c, Buffer.concat([Buffer.from(`APPEND Drafts CATENATE (TEXT `), lit(crlf('Subject: x\n\n')), Buffer.from(` URL "${url}")`)]));
        assert.match(r.done, new RegExp(`^${r.tag} NO \\[BADURL ${url.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\] `), url);
      }
      assert.equal(only(await cmd(c, 'STATUS Drafts (MESSAGES)'), '* STATUS')[0], before);
    });

    it('with MULTIAPPEND: each message may be catenated, all stored or none (RFC 4469 §5, RFC 3502)', async () => {
      const r = await cmd(c, Buffer.concat([
        Buffer.from(`APPEND Drafts CATENATE (URL "/Src/;UID=1/;SECTION=HEADER" TEXT `), lit(crlf('a\n')),
        Buffer.from(') '), lit(crlf('Subject: plain\n\nb\n')),
        Buffer.from(` CATENATE (URL "/Src/;UID=1")`),
      ]));
      assert.match(r.done, /OK \[APPENDUID \d+ \d+:\d+\]/);
      const before = only(await cmd(c, 'STATUS Drafts (MESSAGES)'), '* STATUS')[0];
      const failed = await cmd(c, Buffer.concat([Buffer.from('APPEND Drafts '), lit(crlf('Subject: ok\n\nb\n')), Buffer.from(' CATENATE (URL "/Src/;UID=42")')]));
      assert.match(failed.done, /NO \[BADURL \/Src\/;UID=42\]/);
      assert.equal(only(await cmd(c, 'STATUS Drafts (MESSAGES)'), '* STATUS')[0], before);
    });
  });

  describe('APPEND limits with CATENATE and MULTIAPPEND (RFC 4469 §5 TOOBIG, RFC 7889)', () => {
    let small: TestServer;
    let s: RawClient;
    before(async () => {
      small = await startTestServer({ imap: true, settings: { 'security.allowPlaintextAuth': true, 'imap.appendLimitBytes': 2048 } });
      await small.addUser('alice@example.cn');
      s = await login(small);
      await cmd(s, Buffer.concat([Buffer.from('APPEND INBOX '), lit(crlf(`Subject: s\n\n${'y'.repeat(1500)}\n`))]));
    });
    after(async () => {
      s?.close();
      await small?.close();
    });

    it('a catenated message over APPENDLIMIT is NO [TOOBIG]', async () => {
      const r = await cmd(s, 'APPEND INBOX CATENATE (URL "/INBOX/;UID=1" URL "/INBOX/;UID=1")');
      assert.match(r.done, /NO \[TOOBIG\]/);
      assert.equal(only(await cmd(s, 'STATUS INBOX (MESSAGES)'), '* STATUS')[0], '* STATUS INBOX (MESSAGES 1)');
    });

    it('the messages of one MULTIAPPEND are bounded together (4 × APPENDLIMIT): NO [TOOBIG] before the literal', async () => {
      const m = crlf(`Subject: m\n\n${'z'.repeat(1900)}\n`);
      const parts: Buffer[] = [Buffer.from('ma1 APPEND INBOX')];
      for (let i = 0; i < 4; i++) parts.push(Buffer.from(' '), lit(m));
      parts.push(Buffer.from(` {${m.length}}\r\n`));
      s.send(Buffer.concat(parts));
      assert.match(await s.until(/^ma1 /), /^ma1 NO \[TOOBIG\]/m);
      assert.equal(only(await cmd(s, 'STATUS INBOX (MESSAGES)'), '* STATUS')[0], '* STATUS INBOX (MESSAGES 1)');
    });
  });

  describe('NOTIFY (RFC 5465)', () => {
    let n: RawClient;
    before(async () => {
      n = await login(t);
      await cmd(c, 'CREATE Live');
      await cmd(c, 'CREATE Watched');
    });
    after(() => n?.close());

    it('NOTIFY SET STATUS: a STATUS for each watched mailbox first (§3)', async () => {
      const r = await cmd(n, 'NOTIFY SET STATUS (selected (MessageNew (UID FLAGS) MessageExpunge FlagChange)) (personal (MessageNew MessageExpunge FlagChange MailboxName SubscriptionChange))');
      assert.match(r.done, /OK/);
      assert.ok(r.untagged.some((l) => /^\* STATUS Watched \(MESSAGES 0 UIDNEXT 1 UIDVALIDITY \d+ UNSEEN 0\)$/.test(l)), r.untagged.join('\n'));
      assert.ok(r.untagged.some((l) => l.startsWith('* STATUS INBOX (')));
    });

    it('new mail and flag changes in other mailboxes come unprompted as STATUS (§5.1–5.3)', async () => {
      await append(c, 'Watched', 'Subject: w\n\nx\n');
      assert.match(await n.until(/^\* STATUS Watched/), /\* STATUS Watched \(MESSAGES 1 UIDNEXT 2 UNSEEN 1\)$/);
      await cmd(c, 'SELECT Watched');
      await cmd(c, 'STORE 1 +FLAGS.SILENT (\\Seen)');
      assert.match(await n.until(/^\* STATUS Watched/), /\* STATUS Watched \(UNSEEN 0\)$/);
      await cmd(c, 'UNSELECT');
    });

    it('MailboxName and SubscriptionChange: LIST for create, rename (OLDNAME), subscribe, delete (\\NonExistent) (§5.4, §5.5)', async () => {
      await cmd(c, 'CREATE Fresh'); // CREATE subscribes here
      assert.equal(await n.line(/^\* LIST .*Fresh/), '* LIST (\\HasNoChildren \\Subscribed) "/" Fresh');
      await cmd(c, 'RENAME Fresh Renamed');
      assert.match(await n.line(/^\* LIST .*Renamed/), /^\* LIST \(\\HasNoChildren( \\Subscribed)?\) "\/" Renamed \("OLDNAME" \(Fresh\)\)$/);
      await cmd(c, 'UNSUBSCRIBE Renamed');
      assert.equal(await n.line(/^\* LIST .*Renamed/), '* LIST (\\HasNoChildren) "/" Renamed');
      await cmd(c, 'SUBSCRIBE Renamed');
      assert.equal(await n.line(/^\* LIST .*Renamed/), '* LIST (\\HasNoChildren \\Subscribed) "/" Renamed');
      await cmd(c, 'DELETE Renamed');
      assert.equal(await n.line(/^\* LIST .*Renamed/), '* LIST (\\NonExistent) "/" Renamed');
    });

    it('SELECTED: EXISTS with the MessageNew FETCH, flags and EXPUNGE arrive between commands, no STATUS for it (§5.2, §6)', async () => {
      assert.match((await cmd(n, 'SELECT Live')).done, /OK/);
      await append(c, 'Live', 'Subject: l1\n\nx\n');
      const got = await n.until(/^\* 1 FETCH/);
      assert.match(got, /\* 1 EXISTS/);
      assert.match(got, /\* 1 FETCH \(UID 1 FLAGS \(\\Recent\)\)$|\* 1 FETCH \(UID 1 FLAGS \(\)\)$/);
      assert.doesNotMatch(got, /STATUS Live/);
      await cmd(c, 'SELECT Live');
      await cmd(c, 'STORE 1 +FLAGS.SILENT (\\Flagged)');
      assert.match(await n.until(/^\* 1 FETCH/), /\* 1 FETCH \(UID 1 FLAGS \(\\Flagged/);
      await cmd(c, 'STORE 1 +FLAGS.SILENT (\\Deleted)');
      await n.until(/^\* 1 FETCH/);
      await cmd(c, 'EXPUNGE');
      assert.match(await n.until(/EXPUNGE$/), /\* 1 EXPUNGE$/);
      await cmd(c, 'UNSELECT');
    });

    it('SELECTED-DELAYED holds expunges back until a command allows them (§6)', async () => {
      assert.match((await cmd(n, 'NOTIFY SET (selected-delayed (MessageNew MessageExpunge FlagChange))')).done, /OK/);
      await append(c, 'Live', 'Subject: l2\n\nx\n');
      assert.match(await n.until(/EXISTS$/), /\* 1 EXISTS$/);
      await cmd(c, 'SELECT Live');
      await cmd(c, 'STORE 1 +FLAGS.SILENT (\\Deleted)');
      await n.until(/^\* 1 FETCH/);
      await cmd(c, 'EXPUNGE');
      await new Promise((r) => setTimeout(r, 300));
      const noop = await cmd(n, 'NOOP');
      assert.ok(noop.untagged.includes('* 1 EXPUNGE'), noop.untagged.join('\n'));
      await cmd(c, 'UNSELECT');
    });

    it('unsupported events are NO [BADEVENT], broken rules BAD; NOTIFY NONE stops (§5, §3)', async () => {
      const b = await cmd(n, 'NOTIFY SET (personal (MessageNew MessageExpunge AnnotationChange))');
      assert.match(b.done, /NO \[BADEVENT \(MessageNew MessageExpunge FlagChange MailboxName SubscriptionChange\)\]/);
      assert.match((await cmd(n, 'NOTIFY SET (personal (MessageNew))')).done, /BAD/);
      assert.match((await cmd(n, 'NOTIFY SET (inboxes (FlagChange))')).done, /BAD/);
      assert.match((await cmd(n, 'NOTIFY SET (selected (MailboxName))')).done, /BAD/);
      assert.match((await cmd(n, 'NOTIFY NONE')).done, /OK/);
      await cmd(n, 'UNSELECT');
      await append(c, 'Watched', 'Subject: quiet\n\nx\n');
      await new Promise((r) => setTimeout(r, 300));
      assert.deepEqual((await cmd(n, 'NOOP')).untagged, []);
    });
  });

  describe('with Python imaplib', () => {
    it('SORT=DISPLAY, ESORT and NOTIFY through imaplib (it sends one literal per command: no MULTIAPPEND or CATENATE)', async () => {
      const script = `
import imaplib, sys, json, time
imaplib.Commands['NOTIFY'] = ('AUTH', 'SELECTED')  # imaplib only sends the commands it knows
def connect():
    M = imaplib.IMAP4('127.0.0.1', int(sys.argv[1]), timeout=20)
    M.login('alice@example.cn', sys.argv[2])
    return M
M = connect(); W = connect()
out = {'caps': M.capability()[1][0].decode().upper().split()}
M.select('Sorted', readonly=True)
out['sort'] = M.sort('(DISPLAYFROM)', 'UTF-8', 'ALL')[1][0].decode()
typ, dat = M._simple_command('SORT', 'RETURN (MIN MAX COUNT)', '(DISPLAYFROM)', 'UTF-8', 'ALL')
out['esort'] = M._untagged_response(typ, dat, 'ESEARCH')[1][0].decode()
M._simple_command('UNSELECT')
typ, dat = M._simple_command('NOTIFY', 'SET', '(personal', '(MessageNew', 'MessageExpunge))')
out['notify'] = typ
W.append('Watched', None, None, b'Subject: from imaplib\\r\\n\\r\\nx\\r\\n')
time.sleep(0.5)
M.noop()
out['status'] = [d.decode() for d in M.untagged_responses.get('STATUS', [])]
print(json.dumps(out))
`;
      const r = await python(script, [String(t.config.ports.imap), PASSWORD]);
      const last = r.out.trim().split('\n').at(-1) ?? '';
      assert.ok(last.startsWith('{'), r.out);
      const out = JSON.parse(last) as { caps: string[]; sort: string; esort: string; notify: string; status: string[] };
      for (const cap of ['IMAP4REV2', 'NOTIFY', 'MULTIAPPEND', 'CATENATE', 'ESORT', 'SORT=DISPLAY']) assert.ok(out.caps.includes(cap), cap);
      assert.equal(out.sort, '4 2 1 3');
      assert.match(out.esort, /^\(TAG "\w+"\) MIN 4 MAX 3 COUNT 4$/);
      assert.equal(out.notify, 'OK');
      assert.ok(out.status.some((l) => /^Watched \(MESSAGES \d+ UIDNEXT \d+ UNSEEN \d+\)$/.test(l)), out.status.join('\n'));
    });
  });
});
