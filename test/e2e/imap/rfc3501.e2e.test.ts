// IMAP conformance corrections found by a compliance suite and real mail (issue #11), each against
// the RFC section it follows, over a raw connection so the exact responses are checked.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { RawClient } from '../../helpers/raw-client.ts';
import { PASSWORD, startTestServer, type TestServer } from '../../helpers/server.ts';

let tags = 0;
/** Sends one command and returns its untagged lines and the tagged completion. */
async function cmd(c: RawClient, text: string): Promise<{ untagged: string[]; done: string }> {
  const tag = `t${++tags}`;
  c.send(`${tag} ${text}\r\n`);
  const lines = (await c.until(new RegExp(`^${tag} `))).split('\r\n');
  return { untagged: lines.slice(0, -1), done: lines.at(-1)! };
}

async function append(c: RawClient, mailbox: string, message: string): Promise<void> {
  const bytes = Buffer.from(message.replace(/\n/g, '\r\n'));
  const tag = `t${++tags}`;
  c.send(`${tag} APPEND ${mailbox} {${bytes.length}+}\r\n`);
  c.send(Buffer.concat([bytes, Buffer.from('\r\n')]));
  assert.match(await c.until(new RegExp(`^${tag} `)), new RegExp(`${tag} OK`));
}

const searchHits = (r: { untagged: string[] }) => (r.untagged.find((l) => l.startsWith('* SEARCH')) ?? '* SEARCH').slice(9).trim();

describe('IMAP per RFC 3501 (issue #11)', () => {
  let t: TestServer;
  let c: RawClient;
  before(async () => {
    t = await startTestServer({ imap: true, settings: { 'security.allowPlaintextAuth': true } });
    await t.addUser('alice@example.cn');
    c = new RawClient(t.config.ports.imap);
    await c.line(/^\* OK/);
    assert.match((await cmd(c, `LOGIN alice@example.cn "${PASSWORD}"`)).done, /OK/);
  });
  after(async () => {
    c?.close();
    await t?.close();
  });

  it('SENTON/SENTBEFORE/SENTSINCE compare the day the Date header names, not the UTC day (§6.4.4)', async () => {
    await cmd(c, 'CREATE Dates');
    await append(c, 'Dates', 'Date: Tue, 1 Dec 2026 23:30:00 -0800\nSubject: late on the first\n\nx\n'); // 2 Dec in UTC
    await append(c, 'Dates', 'Date: Wed, 2 Dec 2026 00:30:00 +0800\nSubject: early on the second\n\nx\n'); // 1 Dec in UTC
    assert.match((await cmd(c, 'SELECT Dates')).done, /OK/);
    assert.equal(searchHits(await cmd(c, 'UID SEARCH SENTON 1-Dec-2026')), '1');
    assert.equal(searchHits(await cmd(c, 'UID SEARCH SENTON 2-Dec-2026')), '2');
    assert.equal(searchHits(await cmd(c, 'UID SEARCH SENTBEFORE 2-Dec-2026')), '1');
    assert.equal(searchHits(await cmd(c, 'UID SEARCH SENTSINCE 2-Dec-2026')), '2');
    // Once FETCH ENVELOPE has cached the envelope, the answer is the same.
    await cmd(c, 'FETCH 1:* ENVELOPE');
    assert.equal(searchHits(await cmd(c, 'UID SEARCH SENTON 1-Dec-2026')), '1');
  });

  it('matches header keys as substrings of the decoded field, before and after indexing (§6.4.4)', async () => {
    await cmd(c, 'CREATE Headers');
    await append(c, 'Headers', 'From: "Zhang San" <zhang.san@example.cn>\nTo: Undisclosed recipients:;\nSubject: =?UTF-8?B?5L2g5aW977yM576O5Li955qE5LiW55WM?= a beautiful world\nX-Mailer: Foxmail 7.2\n\nbody\n');
    await append(c, 'Headers', 'From: other@example.cn\nSubject: nothing here\n\nbody\n');
    assert.match((await cmd(c, 'SELECT Headers')).done, /OK/);
    for (const pass of ['fresh', 'indexed']) {
      assert.equal(searchHits(await cmd(c, 'UID SEARCH SUBJECT "eautiful worl"')), '1', pass);
      assert.equal(searchHits(await cmd(c, 'UID SEARCH CHARSET UTF-8 SUBJECT "美丽"')), '1', pass);
      assert.equal(searchHits(await cmd(c, 'UID SEARCH FROM "ang.sa"')), '1', pass);
      assert.equal(searchHits(await cmd(c, 'UID SEARCH TO "undisclosed"')), '1', pass);
      assert.equal(searchHits(await cmd(c, 'UID SEARCH HEADER X-Mailer "xmail"')), '1', pass);
      assert.equal(searchHits(await cmd(c, 'UID SEARCH HEADER X-Mailer ""')), '1', pass);
      assert.equal(searchHits(await cmd(c, 'UID SEARCH SUBJECT "zhang"')), '', 'SUBJECT does not match From');
      // Wait for the indexer, then ask the same again.
      for (let i = 0; i < 50 && pass === 'fresh'; i++) {
        const r = await t.rt.store.read((tx) => tx.fulltext.pending(10));
        if (r.length === 0) break;
        await new Promise((res) => setTimeout(res, 100));
      }
    }
  });

  it('FETCH (MODSEQ) enables CONDSTORE, and ESEARCH MIN with MODSEQ gives the MIN message\'s modseq (RFC 7162 §3.1, §3.1.10)', async () => {
    await cmd(c, 'CREATE Modseq');
    for (let i = 0; i < 3; i++) await append(c, 'Modseq', `Subject: m${i}\n\nx\n`);
    const login = async () => {
      const s = new RawClient(t.config.ports.imap);
      await s.line(/^\* OK/);
      await cmd(s, `LOGIN alice@example.cn "${PASSWORD}"`);
      assert.match((await cmd(s, 'SELECT Modseq')).done, /OK/);
      return s;
    };
    const [reader, writer] = [await login(), await login()];
    const first = /MODSEQ \((\d+)\)/.exec((await cmd(reader, 'FETCH 1 (MODSEQ)')).untagged.join(' '))?.[1];
    assert.ok(first, 'FETCH 1 (MODSEQ) answered');
    // CONDSTORE is on now for the reader: a flag change by another session arrives with its MODSEQ.
    await cmd(writer, 'STORE 3 +FLAGS (\\Flagged)'); // message 3 now has the highest modseq
    const noop = await cmd(reader, 'NOOP');
    assert.match(noop.untagged.join('\n'), /\* 3 FETCH \(.*MODSEQ \(\d+\)/, noop.untagged.join('\n'));
    const min = await cmd(reader, 'SEARCH RETURN (MIN) MODSEQ 1');
    assert.match(min.untagged.join('\n'), new RegExp(`ESEARCH \\(TAG "t\\d+"\\) MIN 1 MODSEQ ${first}$`), 'MIN\'s own modseq, not the highest');
    reader.close();
    writer.close();
  });

  it('LSUB "" % shows the unsubscribed parent of a subscribed child as \\Noselect (§6.3.9)', async () => {
    await cmd(c, 'CREATE Parent/Child');
    await cmd(c, 'UNSUBSCRIBE Parent');
    await cmd(c, 'SUBSCRIBE Parent/Child');
    const r = await cmd(c, 'LSUB "" %');
    assert.ok(r.untagged.includes('* LSUB (\\Noselect) "/" Parent'), r.untagged.join('\n'));
    assert.ok(!r.untagged.some((l) => l.endsWith('Parent/Child')), 'the child is one level down');
    assert.ok((await cmd(c, 'LSUB "" *')).untagged.includes('* LSUB () "/" Parent/Child'));
  });

  it('sends a new FLAGS response before the first use of a new keyword (§7.2.6)', async () => {
    await cmd(c, 'CREATE Keywords');
    await append(c, 'Keywords', 'Subject: k\n\nx\n');
    const sel = await cmd(c, 'SELECT Keywords');
    assert.ok(!sel.untagged.some((l) => l.includes('$Important')));
    const r = await cmd(c, 'STORE 1 +FLAGS ($Important)');
    const flagsAt = r.untagged.findIndex((l) => l.startsWith('* FLAGS (') && l.includes('$Important'));
    const fetchAt = r.untagged.findIndex((l) => /^\* 1 FETCH \(FLAGS \(.*\$Important/.test(l));
    assert.ok(flagsAt >= 0 && fetchAt > flagsAt, r.untagged.join('\n'));
    assert.ok(r.untagged.some((l) => /^\* OK \[PERMANENTFLAGS \(.*\$Important.*\\\*\)\]/.test(l)), r.untagged.join('\n'));
    const again = await cmd(c, 'STORE 1 -FLAGS ($Important)');
    assert.ok(!again.untagged.some((l) => l.startsWith('* FLAGS')), 'no new keyword, no FLAGS');
  });

  it('THREAD REFERENCES keeps a missing parent as a dummy (RFC 5256 §4); SORT CC skips a group name (§3); SORT SUBJECT keeps a lone [blob] (§2.1)', async () => {
    await cmd(c, 'CREATE Threads');
    await append(c, 'Threads', 'Message-ID: <r1@x>\nReferences: <gone@x>\nSubject: Re: gone\nCc: Zeta Team: zed@x.example;\nDate: Mon, 1 Jun 2026 10:00:00 +0000\n\nx\n');
    await append(c, 'Threads', 'Message-ID: <r2@x>\nReferences: <gone@x>\nSubject: Re: gone\nCc: amy@x.example\nDate: Mon, 1 Jun 2026 11:00:00 +0000\n\nx\n');
    await append(c, 'Threads', 'Message-ID: <b@x>\nSubject: [blob]\nDate: Mon, 1 Jun 2026 12:00:00 +0000\n\nx\n');
    assert.match((await cmd(c, 'SELECT Threads')).done, /OK/);
    const threads = (await cmd(c, 'THREAD REFERENCES UTF-8 ALL')).untagged.find((l) => l.startsWith('* THREAD'));
    assert.equal(threads, '* THREAD ((1)(2))(3)');
    const cc = (await cmd(c, 'SORT (CC) UTF-8 ALL')).untagged.find((l) => l.startsWith('* SORT'));
    assert.equal(cc, '* SORT 3 2 1', 'no Cc first, then amy before zed (not "Zeta Team")');
    const subj = (await cmd(c, 'SORT (SUBJECT) UTF-8 ALL')).untagged.find((l) => l.startsWith('* SORT'));
    // i;ascii-casemap compares upper case: "GONE" (G is 0x47) before "[BLOB]" ([ is 0x5B); in lower case "[" came first.
    assert.equal(subj, '* SORT 1 2 3', '"[blob]" sorts as itself, after "gone" under i;ascii-casemap');
  });

  it('FETCH of a message another session expunged answers the rest and OK (RFC 2180 §4.1.2)', async () => {
    await cmd(c, 'CREATE Busy');
    for (let i = 0; i < 3; i++) await append(c, 'Busy', `Subject: b${i}\n\nx\n`);
    assert.match((await cmd(c, 'SELECT Busy')).done, /OK/);
    const other = new RawClient(t.config.ports.imap);
    await other.line(/^\* OK/);
    await cmd(other, `LOGIN alice@example.cn "${PASSWORD}"`);
    await cmd(other, 'SELECT Busy');
    await cmd(other, 'STORE 2 +FLAGS (\\Deleted)');
    await cmd(other, 'EXPUNGE');
    other.close();
    const r = await cmd(c, 'FETCH 1:3 (BODY.PEEK[HEADER.FIELDS (SUBJECT)])');
    assert.match(r.done, /^t\d+ OK /, r.done);
    assert.equal(r.untagged.filter((l) => /^\* \d+ FETCH/.test(l)).length, 2, r.untagged.join('\n'));
    const after = await cmd(c, 'NOOP');
    assert.ok(after.untagged.includes('* 2 EXPUNGE'), after.untagged.join('\n'));
  });

  it('never sends a NUL in BODY[] (RFC 3501 §4.3); BINARY[] gives the exact octets as literal8 (RFC 3516)', async () => {
    await cmd(c, 'CREATE Nul');
    const head = 'Subject: nul\r\nContent-Type: application/octet-stream\r\nContent-Transfer-Encoding: binary\r\n\r\n';
    const msg = Buffer.concat([Buffer.from(head), Buffer.from([0x61, 0x00, 0x62, 0x0d, 0x0a])]);
    const tag = 'n1';
    c.send(`${tag} APPEND Nul ~{${msg.length}+}\r\n`);
    c.send(Buffer.concat([msg, Buffer.from('\r\n')]));
    assert.match(await c.line(new RegExp(`^${tag} `)), /OK/);
    await cmd(c, 'SELECT Nul');
    const body = await cmd(c, 'FETCH 1 (BODY.PEEK[1])');
    const all = body.untagged.join('\r\n');
    assert.ok(!all.includes('\0'), 'no NUL on the wire');
    assert.match(all, /BODY\[1\] \{5\}\r\na\x80b/);
    const bin = await cmd(c, 'FETCH 1 (BINARY.PEEK[1])');
    assert.match(bin.untagged.join('\r\n'), /BINARY\[1\] ~\{5\}\r\na\0b/);
  });

  it('\\Recent is had by exactly one session: the first to select, or the first to hear of new mail (§2.3.2)', async () => {
    await cmd(c, 'CREATE Recent');
    await append(c, 'Recent', 'Subject: r1\n\nx\n'); // no session has Recent selected
    const open = async () => {
      const s = new RawClient(t.config.ports.imap);
      await s.line(/^\* OK/);
      await cmd(s, `LOGIN alice@example.cn "${PASSWORD}"`);
      return s;
    };
    const [a, b] = [await open(), await open()];
    const recentOf = (r: { untagged: string[] }) => r.untagged.find((l) => / RECENT$/.test(l));
    assert.equal(recentOf(await cmd(b, 'EXAMINE Recent')), '* 1 RECENT', 'EXAMINE counts without taking');
    assert.equal(recentOf(await cmd(a, 'SELECT Recent')), '* 1 RECENT', 'the first SELECT gets it');
    assert.match((await cmd(a, 'FETCH 1 FLAGS')).untagged.join(' '), /\\Recent/);
    assert.equal(recentOf(await cmd(b, 'SELECT Recent')), '* 0 RECENT', 'and nobody else');
    // Mail arriving while both have it selected is recent in one of them only.
    await append(c, 'Recent', 'Subject: r2\n\nx\n');
    const seen = [await cmd(a, 'NOOP'), await cmd(b, 'NOOP')].map((r) => Number(/\d+/.exec(recentOf(r) ?? '')![0]));
    // RECENT counts all of a session's recent messages: a had 1, b had 0; one of them gains the new one.
    assert.equal(seen[0]! - 1 + seen[1]!, 1, `a ${seen[0]}, b ${seen[1]}`);
    a.close();
    b.close();
  });

  it('DELETE keeps the subscription (§6.3.6): LSUB still lists it, LIST (SUBSCRIBED) shows it \\NonExistent, UNSUBSCRIBE removes it', async () => {
    await cmd(c, 'CREATE Fleeting');
    await cmd(c, 'SUBSCRIBE Fleeting');
    assert.match((await cmd(c, 'DELETE Fleeting')).done, /OK/);
    assert.ok((await cmd(c, 'LSUB "" Fleeting')).untagged.includes('* LSUB () "/" Fleeting'));
    const list = await cmd(c, 'LIST (SUBSCRIBED) "" Fleeting');
    assert.ok(list.untagged.includes('* LIST (\\NonExistent \\Subscribed) "/" Fleeting'), list.untagged.join('\n'));
    assert.deepEqual((await cmd(c, 'LIST "" Fleeting')).untagged, [], 'no mailbox of that name');
    assert.match((await cmd(c, 'UNSUBSCRIBE Fleeting')).done, /OK/);
    assert.deepEqual((await cmd(c, 'LSUB "" Fleeting')).untagged, []);
  });
  it('SORT and THREAD answer for the mailbox as it is now: new mail and expunges after a first answer count (the per-node order and forest caches)', async () => {
    await cmd(c, 'CREATE Cached');
    await append(c, 'Cached', 'Message-ID: <a@x>\nDate: Mon, 7 Dec 2026 10:00:00 +0000\nSubject: base\n\nx\n');
    await append(c, 'Cached', 'Message-ID: <b@x>\nDate: Mon, 7 Dec 2026 09:00:00 +0000\nSubject: other\n\nx\n');
    assert.match((await cmd(c, 'SELECT Cached')).done, /OK/);
    const sorted = async (q: string) => (await cmd(c, q)).untagged.find((l) => l.startsWith('* SORT'));
    const threaded = async (q: string) => (await cmd(c, q)).untagged.find((l) => l.startsWith('* THREAD'));
    assert.equal(await sorted('UID SORT (DATE) UTF-8 ALL'), '* SORT 2 1');
    assert.equal(await threaded('UID THREAD REFERENCES UTF-8 ALL'), '* THREAD (2)(1)');
    // A reply to <a@x>, sent earliest of all.
    await append(c, 'Cached', 'Message-ID: <c@x>\nIn-Reply-To: <a@x>\nDate: Mon, 7 Dec 2026 08:00:00 +0000\nSubject: Re: base\n\nx\n');
    await cmd(c, 'NOOP');
    assert.equal(await sorted('UID SORT (DATE) UTF-8 ALL'), '* SORT 3 2 1');
    assert.equal(await sorted('UID SORT (REVERSE DATE) UTF-8 ALL'), '* SORT 1 2 3');
    assert.equal(await threaded('UID THREAD REFERENCES UTF-8 ALL'), '* THREAD (2)(1 3)');
    assert.equal(await threaded('THREAD REFERENCES UTF-8 ALL'), '* THREAD (2)(1 3)');
    // Expunge the first: sequence numbers move, uids stay.
    await cmd(c, 'STORE 1 +FLAGS (\\Deleted)');
    await cmd(c, 'EXPUNGE');
    assert.equal(await sorted('UID SORT (DATE) UTF-8 ALL'), '* SORT 3 2');
    assert.equal(await sorted('SORT (DATE) UTF-8 ALL'), '* SORT 2 1');
    // The reply's parent is missing now: a dummy with one child gives way to it, the earliest root.
    assert.equal(await threaded('UID THREAD REFERENCES UTF-8 ALL'), '* THREAD (3)(2)');
    assert.equal(await threaded('THREAD REFERENCES UTF-8 ALL'), '* THREAD (2)(1)');
    assert.equal(await threaded('THREAD REFERENCES UTF-8 SUBJECT other'), '* THREAD (1)');
  });
});
