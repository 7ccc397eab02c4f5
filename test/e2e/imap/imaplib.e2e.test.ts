// IMAP end to end with Python's imaplib (FEATURES P9): STARTTLS and IMAPS, LOGIN and AUTHENTICATE,
// folders with Chinese names through modified UTF-7, system folders that cannot be deleted or
// renamed, APPEND with flags and dates, every FETCH item, STORE, COPY, MOVE, EXPUNGE, SEARCH (full
// text in Chinese too, CHARSET UTF-8), SORT, THREAD, STATUS, QUOTA, NAMESPACE, ID, ENABLE, UIDPLUS.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { python, swaks } from '../../helpers/peers.ts';
import { eventually, mailboxMessages, PASSWORD, startTestServer, type TestServer } from '../../helpers/server.ts';

const PRELUDE = `
import imaplib, ssl, sys, json, base64, re
ctx = ssl.create_default_context(); ctx.check_hostname = False; ctx.verify_mode = ssl.CERT_NONE
PORT = int(sys.argv[1]); PORTS = int(sys.argv[2]); PW = sys.argv[3]
def connect(user='alice@example.cn'):
    M = imaplib.IMAP4('127.0.0.1', PORT, timeout=20)
    M.starttls(ssl_context=ctx)
    M.login(user, PW)
    return M
def d(x):
    if isinstance(x, bytes): return x.decode('utf-8', 'replace')
    if isinstance(x, (list, tuple)): return [d(y) for y in x]
    return x
out = {}
`;

const MIXED = [
  'From: =?GBK?B?1cXI/Q==?= <zhangsan@remote.test>',
  'To: Alice <alice@example.cn>',
  'Cc: Carol <carol@remote.test>',
  'Subject: =?UTF-8?B?6aG555uu6L+b5bqm5oql5ZGK?=',
  'Date: Mon, 02 Nov 2026 09:30:00 +0800',
  'Message-ID: <p1@remote.test>',
  'MIME-Version: 1.0',
  'Content-Type: multipart/mixed; boundary="b1"',
  '',
  '--b1',
  'Content-Type: text/plain; charset=UTF-8',
  'Content-Transfer-Encoding: base64',
  '',
  Buffer.from('本季度的邮箱地址迁移已经完成。\r\nquarterly report attached\r\n').toString('base64'),
  '--b1',
  'Content-Type: application/octet-stream; name="data.bin"',
  'Content-Disposition: attachment; filename="data.bin"',
  'Content-Transfer-Encoding: base64',
  '',
  Buffer.from([0, 1, 2, 3, 255]).toString('base64'),
  '--b1--',
  '',
].join('\r\n');

async function run(t: TestServer, script: string): Promise<Record<string, unknown>> {
  const r = await python(PRELUDE + script + '\nprint(json.dumps(out))', [String(t.config.ports.imap), String(t.config.ports.imaps), PASSWORD]);
  const last = r.out.trim().split('\n').at(-1) ?? '';
  assert.ok(last.startsWith('{'), r.out);
  return JSON.parse(last) as Record<string, unknown>;
}

describe('IMAP with imaplib', () => {
  let t: TestServer;
  before(async () => {
    // SEARCH LARGER counts bytes: no Authentication-Results or X-Spam-* headers (issue #13) on this mail.
    t = await startTestServer({ imap: true, settings: {
      'antispam.enabled': false, 'senderAuth.spfEnabled': false, 'senderAuth.dkimEnabled': false, 'senderAuth.dmarcEnabled': false,
    } });
    await t.addUser('alice@example.cn');
    await t.addUser('bob@example.cn');
    await t.addUser('carol@example.cn');
    const r = await swaks(t.ports.smtp, ['--to', 'alice@example.cn', '--from', 'zhangsan@remote.test', '--data', '-'], `${MIXED}\r\n.\r\n`);
    assert.equal(r.code, 0, r.out);
    for (const [i, subject] of ['Lunch plan', 'Re: Lunch plan', 'Budget 2027'].entries()) {
      const s = await swaks(t.ports.smtp, ['--to', 'alice@example.cn', '--from', `p${i}@remote.test`, '--header', `Subject: ${subject}`,
        '--header', `Message-ID: <m${i}@remote.test>`, ...(i === 1 ? ['--header', 'In-Reply-To: <m0@remote.test>', '--header', 'References: <m0@remote.test>'] : []),
        '--body', `message number ${i} about things`]);
      assert.equal(s.code, 0, s.out);
    }
    await eventually(async () => (await mailboxMessages(t.rt, 'alice@example.cn')).length === 4 || undefined);
  });
  after(() => t.close());

  it('announces capabilities, refuses LOGIN before TLS, logs in over STARTTLS and IMAPS, and with AUTHENTICATE PLAIN', async () => {
    const out = await run(t, `
M = imaplib.IMAP4('127.0.0.1', PORT, timeout=20)
out['pre'] = list(M.capabilities)
try:
    M.login('alice@example.cn', PW); out['plain_login'] = 'ok'
except imaplib.IMAP4.error as e:
    out['plain_login'] = str(e)
M.starttls(ssl_context=ctx)
out['tls_caps'] = list(M.capabilities)
typ, data = M.authenticate('PLAIN', lambda _: ('\\0alice@example.cn\\0' + PW).encode())
out['auth'] = typ
out['post'] = d(M.capability()[1][0]).split()
try:
    M2 = imaplib.IMAP4('127.0.0.1', PORT, timeout=20); M2.starttls(ssl_context=ctx); M2.login('alice@example.cn', 'wrong')
except imaplib.IMAP4.error as e:
    out['bad_pw'] = str(e)
S = imaplib.IMAP4_SSL('127.0.0.1', PORTS, ssl_context=ctx, timeout=20)
out['imaps'] = S.login('alice@example.cn', PW)[0]
out['id'] = d(S.xatom('ID', '("name" "imaplib")')[0])
out['id_data'] = d(S.untagged_responses.get('ID', [b''])[0])
out['namespace'] = d(S.namespace()[1][0])
S.logout(); M.logout()
`);
    assert.ok((out.pre as string[]).includes('STARTTLS') && (out.pre as string[]).includes('LOGINDISABLED'));
    assert.match(String(out.plain_login), /PRIVACYREQUIRED|STARTTLS/);
    assert.ok((out.tls_caps as string[]).includes('AUTH=PLAIN'));
    assert.equal(out.auth, 'OK');
    for (const cap of ['IDLE', 'UIDPLUS', 'MOVE', 'CONDSTORE', 'QRESYNC', 'SPECIAL-USE', 'ESEARCH', 'SORT', 'THREAD=REFERENCES', 'QUOTA', 'LITERAL+', 'COMPRESS=DEFLATE']) {
      assert.ok((out.post as string[]).includes(cap), cap);
    }
    assert.match(String(out.bad_pw), /AUTHENTICATIONFAILED/);
    assert.equal(out.imaps, 'OK');
    assert.match(String(out.id_data), /Youju/);
    assert.equal(out.namespace, '(("" "/")) NIL NIL');
  });

  it('lists special-use folders, round-trips Chinese folder names, and protects system folders', async () => {
    const out = await run(t, `
M = connect()
name = '项目/二〇二六年'
enc = imaplib.IMAP4._quote if False else None
def mutf7(s):
    res = []; buf = []
    def flush():
        if buf:
            b = base64.b64encode(''.join(buf).encode('utf-16-be')).decode().rstrip('=').replace('/', ',')
            res.append('&' + b + '-'); buf.clear()
    for ch in s:
        if 0x20 <= ord(ch) <= 0x7e:
            flush(); res.append('&-' if ch == '&' else ch)
        else: buf.append(ch)
    flush(); return ''.join(res)
out['mutf7'] = mutf7(name); out['enc_parent'] = mutf7('项目'); out['enc_archive'] = mutf7('项目/归档')
out['create'] = M.create(mutf7(name))[0]
out['list'] = d(M.list('""', '*')[1])
out['xlist'] = d(M.list('""', '%')[1])
out['special'] = d(M._simple_command('LIST', '(SPECIAL-USE)', '""', '*'))
out['special_data'] = d(M.untagged_responses.pop('LIST', []))
out['del_inbox'] = d(M.delete('INBOX'))
out['del_trash'] = d(M.delete('Trash'))
out['ren_sent'] = d(M.rename('Sent', 'Sent2'))
out['ren'] = M.rename(mutf7(name), mutf7('项目/归档'))[0]
out['after'] = d(M.list('""', mutf7('项目') + '/*')[1])
out['status'] = d(M.status(mutf7('项目/归档'), '(MESSAGES UIDNEXT UIDVALIDITY UNSEEN HIGHESTMODSEQ)')[1])
out['sub'] = M.subscribe(mutf7('项目/归档'))[0]
out['lsub'] = d(M.lsub('""', '*')[1])
out['delp'] = d(M.delete(mutf7('项目')))
out['delc'] = M.delete(mutf7('项目/归档'))[0]
out['create_use'] = d(M._simple_command('CREATE', 'Archive', '(USE (\\\\Archive))'))
out['listed_archive'] = d(M.list('""', 'Archive')[1])
M.logout()
`);
    // Python's own modified UTF-7 encoder (RFC 3501 §5.1.3) against our decoder and encoder.
    assert.equal(out.mutf7, '&mHl27g-/&TowwB06MUW1edA-');
    assert.equal(out.create, 'OK');
    const list = (out.list as string[]).join('\n');
    const parent = String(out.enc_parent);
    const archive = String(out.enc_archive);
    assert.match(list, /\\Drafts\) "\/" Drafts/);
    assert.match(list, /\\Sent\) "\/" Sent/);
    assert.match(list, /\\Trash\) "\/" Trash/);
    assert.match(list, /\\Junk\) "\/" Junk/);
    assert.ok(list.includes(`(\\HasChildren) "/" ${parent}`), list);
    assert.ok(list.includes(`"/" ${String(out.mutf7)}`), list);
    assert.ok(!(out.xlist as string[]).some((l) => l.includes(`${parent}/`)), '% does not descend');
    assert.equal((out.special_data as string[]).length, 4);
    assert.equal((out.del_inbox as string[])[0], 'NO');
    assert.match(String((out.del_trash as string[])[1]), /system folder/);
    assert.equal((out.ren_sent as string[])[0], 'NO');
    assert.equal(out.ren, 'OK');
    assert.ok((out.after as string[]).join().includes(archive));
    assert.match((out.status as string[])[0]!, /MESSAGES 0 UIDNEXT 1 UIDVALIDITY \d+ UNSEEN 0 HIGHESTMODSEQ \d+/);
    assert.ok((out.lsub as string[]).some((l) => l.includes(archive)));
    assert.equal((out.delp as string[])[0], 'NO', 'a folder with children is not deleted');
    assert.equal(out.delc, 'OK');
    assert.equal((out.create_use as string[])[0], 'OK');
    assert.match((out.listed_archive as string[])[0]!, /\\Archive/);
  });

  it('fetches every item: ENVELOPE with GBK names, BODYSTRUCTURE, sections, partials, BINARY, and sets \\Seen only without PEEK', async () => {
    const out = await run(t, `
M = connect()
M.select('INBOX')
typ, data = M.fetch('1', '(UID FLAGS INTERNALDATE RFC822.SIZE ENVELOPE BODYSTRUCTURE BODY)')
out['meta'] = d(data[0])
typ, data = M.fetch('1', '(BODY.PEEK[HEADER.FIELDS (From Subject)] BODY.PEEK[1] BODY.PEEK[1.MIME] BODY.PEEK[TEXT]<0.10> BINARY.PEEK[2] BINARY.SIZE[2] RFC822.HEADER)')
out['parts'] = [d(x) if not isinstance(x, tuple) else [d(x[0]), base64.b64encode(x[1]).decode()] for x in data]
out['flags_peek'] = d(M.fetch('1', '(FLAGS)')[1][0])
typ, data = M.fetch('1', '(BODY[1])')
out['body1'] = d(data[0][0])
out['flags_after'] = d(M.fetch('1', '(FLAGS)')[1][0])
out['examine'] = M.select('INBOX', readonly=True)[0]
M.fetch('2', '(BODY[])')
out['flags_examine'] = d(M.fetch('2', '(FLAGS)')[1][0])
out['store_ro'] = d(M.store('2', '+FLAGS', '(\\\\Flagged)'))
M.logout()
`);
    const meta = String(out.meta);
    assert.match(meta, /ENVELOPE \("Mon, 02 Nov 2026 09:30:00 \+0800" "=\?UTF-8\?B\?6aG555uu6L\+b5bqm5oql5ZGK\?=" \(\("=\?GBK\?B\?1cXI\/Q==\?=" NIL "zhangsan" "remote.test"\)\)/);
    assert.match(meta, /BODYSTRUCTURE \(\("TEXT" "PLAIN" \("CHARSET" "UTF-8"\) NIL NIL "BASE64" \d+ \d+ NIL NIL NIL NIL\)\("APPLICATION" "OCTET-STREAM" \("NAME" "data.bin"\) NIL NIL "BASE64" 8 NIL \("ATTACHMENT" \("FILENAME" "data.bin"\)\) NIL NIL\) "MIXED" \("BOUNDARY" "b1"\) NIL NIL NIL\)/);
    assert.match(meta, / BODY \(\("TEXT" "PLAIN"/);
    assert.match(meta, /INTERNALDATE "\d\d-[A-Z][a-z]{2}-\d{4} \d\d:\d\d:\d\d [+-]\d{4}"/);
    const parts = out.parts as Array<[string, string] | string>;
    const item = (re: RegExp) => parts.find((p) => Array.isArray(p) && re.test(p[0])) as [string, string] | undefined;
    assert.equal(Buffer.from(item(/HEADER\.FIELDS/)![1], 'base64').toString(),
      `From: =?GBK?B?1cXI/Q==?= <zhangsan@remote.test>\r\nSubject: =?UTF-8?B?6aG555uu6L+b5bqm5oql5ZGK?=\r\n\r\n`);
    assert.equal(Buffer.from(Buffer.from(item(/BODY\[1\] /)![1], 'base64').toString(), 'base64').toString(), '本季度的邮箱地址迁移已经完成。\r\nquarterly report attached\r\n');
    assert.match(Buffer.from(item(/BODY\[1\.MIME\]/)![1], 'base64').toString(), /^Content-Type: text\/plain; charset=UTF-8\r\nContent-Transfer-Encoding: base64\r\n\r\n$/);
    assert.match(item(/BODY\[TEXT\]<0>/)![0], /\{10\}$/);
    assert.deepEqual([...Buffer.from(item(/BINARY\[2\]/)![1], 'base64')], [0, 1, 2, 3, 255]);
    assert.match(parts.map((p) => (Array.isArray(p) ? p[0] : p)).join(' '), /BINARY\.SIZE\[2\] 5/);
    assert.doesNotMatch(String(out.flags_peek), /\\Seen/);
    assert.match(String(out.body1), /FLAGS \(\\Seen\)|BODY\[1\]/);
    assert.match(String(out.flags_after), /\\Seen/);
    assert.equal(out.examine, 'OK');
    assert.doesNotMatch(String(out.flags_examine), /\\Seen/, 'EXAMINE never sets \\Seen');
    assert.equal((out.store_ro as string[])[0], 'NO');
  });

  it('serves messy MIME: nested message/rfc822, Big5 and raw GBK headers, a broken base64 part', async () => {
    const out = await run(t, `
M = connect('carol@example.cn')
inner = ('From: =?Big5?B?pP2kQA==?= <wang@remote.tw>\\r\\nSubject: =?Big5?B?t3yEs6 2sLw==?=\\r\\n'
         'Content-Type: multipart/alternative; boundary="in"\\r\\n\\r\\n--in\\r\\nContent-Type: text/plain\\r\\n\\r\\nplain\\r\\n'
         '--in\\r\\nContent-Type: text/html\\r\\n\\r\\n<p>html</p>\\r\\n--in--\\r\\n')
raw = (b'From: ' + '李四'.encode('gbk') + b' <lisi@remote.test>\\r\\nSubject: fwd\\r\\nContent-Type: multipart/mixed; boundary="out"\\r\\n\\r\\n'
       b'--out\\r\\nContent-Type: text/plain\\r\\nContent-Transfer-Encoding: base64\\r\\n\\r\\n!!!not base64***\\r\\n'
       b'--out\\r\\nContent-Type: message/rfc822\\r\\n\\r\\n' + inner.encode() + b'\\r\\n--out--\\r\\n')
M.append('INBOX', None, None, raw)
M.select('INBOX')
n = M.select('INBOX')[1][0].decode()
typ, data = M.fetch(n, '(ENVELOPE BODYSTRUCTURE BODY.PEEK[2.HEADER] BODY.PEEK[2.2] BODY.PEEK[2.1.2] BINARY.PEEK[1])')
out['items'] = [d(x) if not isinstance(x, tuple) else [d(x[0]), base64.b64encode(x[1]).decode()] for x in data]
out['from'] = d(M.search('UTF-8', 'FROM', '"lisi"')[1][0])
M.logout()
`);
    const items = out.items as Array<[string, string] | string>;
    const head = items.map((x) => (Array.isArray(x) ? x[0] : x)).join(' ');
    assert.match(head, /BODYSTRUCTURE \(\("TEXT" "PLAIN" \("CHARSET" "US-ASCII"\) NIL NIL "BASE64" \d+ \d+ NIL NIL NIL NIL\)\("MESSAGE" "RFC822" NIL NIL NIL "7BIT" \d+ \(NIL "=\?Big5\?B\?/);
    assert.match(head, /\("TEXT" "HTML" \("CHARSET" "US-ASCII"\) NIL NIL "7BIT" \d+ \d+ NIL NIL NIL NIL\) "ALTERNATIVE"/);
    assert.match(head, /ENVELOPE \(NIL "fwd" \(\(/, 'raw 8-bit GBK From is still an address list');
    const part = (re: RegExp) => Buffer.from((items.find((x) => Array.isArray(x) && re.test(x[0])) as [string, string])[1], 'base64').toString('latin1');
    assert.match(part(/BODY\[2\.HEADER\]/), /^From: =\?Big5\?B\?pP2kQA==\?= <wang@remote.tw>\r\n/);
    assert.equal(part(/BODY\[2\.2\]/), '<p>html</p>', 'parts of an encapsulated multipart are 2.1, 2.2 (RFC 3501 §6.4.5)');
    assert.match(head, /BODY\[2\.1\.2\] ""/, 'a part that does not exist is empty');
    assert.ok(items.some((x) => Array.isArray(x) && /BINARY\[1\]/.test(x[0])), 'broken base64 decodes leniently');
    assert.match(String(out.from), /\d+/);
  });

  it('searches by every kind of key, in Chinese too, with CHARSET UTF-8, ESEARCH and SORT/THREAD', async () => {
    const out = await run(t, `
M = connect()
M.select('INBOX')
def s(*args):
    typ, data = M.search(*args); return d(data[0]) if typ == 'OK' else 'NO'
def lit(charset, key, value):
    M.literal = value.encode(); return s(charset, key)
out['all'] = s(None, 'ALL')
out['subject'] = s(None, 'SUBJECT', 'lunch')
out['from'] = s(None, 'FROM', 'p2@remote')
out['cc'] = s(None, 'CC', 'carol')
out['body'] = s(None, 'BODY', 'things')
out['text_cn'] = lit('UTF-8', 'TEXT', '邮箱')
out['subject_cn'] = lit('UTF-8', 'SUBJECT', '进度')
out['from_cn'] = lit('UTF-8', 'FROM', '张三')
out['not_or'] = s(None, 'NOT', 'OR', 'SUBJECT', 'lunch', 'SUBJECT', 'budget')
out['larger'] = s(None, 'LARGER', '700')
out['since'] = s(None, 'SENTBEFORE', '03-Nov-2026')
out['header'] = s(None, 'HEADER', 'In-Reply-To', 'm0@remote')
out['uid'] = d(M.uid('SEARCH', 'UID', '2:3')[1][0])
out['seqset'] = s(None, '2,4')
out['badcs'] = d(M._simple_command('SEARCH', 'CHARSET', 'X-UNKNOWN', 'ALL'))
out['esearch'] = d(M._simple_command('SEARCH', 'RETURN', '(MIN MAX COUNT)', 'ALL'))
out['esearch_data'] = d(M.untagged_responses.pop('ESEARCH', []))
out['sort'] = d(M.sort('(REVERSE ARRIVAL)', 'UTF-8', 'ALL')[1][0])
out['sort_subj'] = d(M.sort('(SUBJECT)', 'UTF-8', 'ALL')[1][0])
out['thread'] = d(M.thread('REFERENCES', 'UTF-8', 'ALL')[1][0])
out['thread_os'] = d(M.thread('ORDEREDSUBJECT', 'UTF-8', 'ALL')[1][0])
M.logout()
`);
    assert.equal(out.all, '1 2 3 4');
    assert.equal(out.subject, '2 3');
    assert.equal(out.from, '4');
    assert.equal(out.cc, '1');
    assert.equal(out.body, '2 3 4');
    assert.equal(out.text_cn, '1');
    assert.equal(out.subject_cn, '1');
    assert.equal(out.from_cn, '1');
    assert.equal(out.not_or, '1');
    assert.equal(out.larger, '1');
    assert.equal(out.since, '1');
    assert.equal(out.header, '3');
    assert.equal(out.uid, '2 3');
    assert.equal(out.seqset, '2 4');
    assert.equal((out.badcs as string[])[0], 'NO');
    assert.match((out.esearch_data as string[])[0]!, /MIN 1 MAX 4 COUNT 4/);
    assert.equal(out.sort, '4 3 2 1');
    assert.equal(out.sort_subj, '4 2 3 1');
    assert.equal(out.thread, '(1)(2 3)(4)');
    assert.equal(out.thread_os, '(1)(2 3)(4)');
  });

  it('appends with flags and date, copies, moves and expunges with UIDPLUS codes, and reports quota', async () => {
    const out = await run(t, `
M = connect('bob@example.cn')
msg = b'From: a@b.cn\\r\\nSubject: draft one\\r\\n\\r\\nhello\\r\\n'
out['append'] = d(M.append('Drafts', '(\\\\Draft $Important)', '"01-Jan-2026 10:00:00 +0800"', msg))
out['append_missing'] = d(M.append('Nope', None, None, msg))
M.append('INBOX', None, None, msg); M.append('INBOX', None, None, msg); M.append('INBOX', None, None, msg)
M.select('Drafts')
out['draft'] = d(M.fetch('1', '(FLAGS INTERNALDATE)')[1][0])
M.select('INBOX')
out['copy'] = d(M.copy('1:2', 'Trash'))
out['move'] = d(M._simple_command('MOVE', '1', 'Junk'))
out['move_data'] = d(M.untagged_responses.pop('EXPUNGE', []))
out['exists'] = d(M.select('INBOX')[1][0])
M.store('1', '+FLAGS', '(\\\\Deleted)')
out['uid_expunge'] = d(M.uid('EXPUNGE', '999'))
out['still'] = d(M.select('INBOX')[1][0])
out['expunge'] = d(M.expunge())
out['quota'] = d(M.getquotaroot('INBOX')[1])
out['close'] = M.close()[0]
M.logout()
`);
    assert.match((out.append as string[])[1]![0]!, /APPENDUID \d+ 1/);
    assert.match((out.append_missing as [string, string[]])[1][0]!, /TRYCREATE/);
    // Appended before this session selected the folder: recent here, the first session to see it (RFC 3501 §2.3.2).
    assert.match(String(out.draft), /FLAGS \(\$Important \\Draft \\Recent\) INTERNALDATE "01-Jan-2026 02:00:00 \+0000"/);
    assert.match((out.copy as [string, string[]])[1][0]!, /COPYUID \d+ 1:2 1:2/);
    assert.deepEqual(out.move_data, ['1']);
    assert.equal(out.exists, '2');
    assert.equal(out.still, '2', 'UID EXPUNGE of another uid leaves \\Deleted messages');
    assert.deepEqual((out.expunge as [string, string[]])[1], ['1']);
    assert.match(JSON.stringify(out.quota), /QUOTA|""/);
    assert.equal(out.close, 'OK');
  });

  it('answers the rest of the commands: NOOP, CHECK, EXAMINE, UNSELECT, UNSUBSCRIBE, GETQUOTA, ID, ENABLE, CREATE-SPECIAL-USE, LIST-STATUS, CONDSTORE', async () => {
    await t.addUser('dave@example.cn');
    const out = await run(t, `
M = connect('dave@example.cn')
M.append('INBOX', '(\\\\Seen)', None, b'Subject: one\\r\\n\\r\\nfirst\\r\\n')
M.append('INBOX', None, None, b'Subject: two\\r\\n\\r\\nsecond\\r\\n')
out['noop'] = M.noop()[0]
out['id'] = d(M.xatom('ID', '("name" "imaplib-test")')[0]); out['id_data'] = d(M.untagged_responses.pop('ID', []))
out['enable'] = d(M._simple_command('ENABLE', 'CONDSTORE')); out['enabled'] = d(M.untagged_responses.pop('ENABLED', []))
out['examine'] = d(M.select('INBOX', readonly=True))
out['examine_code'] = d(M.untagged_responses.pop('READ-ONLY', []))
out['store_ro'] = d(M._simple_command('STORE', '1', '+FLAGS', '(\\\\Flagged)'))[0]
out['check'] = M.check()[0]
out['unselect'] = M.unselect()[0]
try:
    out['after_unselect'] = M.xatom('FETCH', '1 FLAGS')[0]
except imaplib.IMAP4.error as e:
    out['after_unselect'] = 'BAD'
M.select('INBOX')
out['hms'] = d(M.untagged_responses.get('HIGHESTMODSEQ', [b'0']))
out['fetch_modseq'] = d(M.fetch('1:*', '(UID FLAGS MODSEQ)')[1])
M._simple_command('STORE', '2', '+FLAGS.SILENT', '(\\\\Flagged)')
typ, data = M._simple_command('FETCH', '1:*', '(FLAGS) (CHANGEDSINCE 2)'); out['changed'] = d(M.untagged_responses.pop('FETCH', []))
ms1 = re.search(r'MODSEQ \\((\\d+)\\)', out['fetch_modseq'][0]).group(1)
typ, data = M._simple_command('STORE', '1,2', '(UNCHANGEDSINCE %s)' % ms1, '+FLAGS', '(\\\\Answered)'); out['unchanged'] = d(data)
M.untagged_responses.pop('FETCH', None)
out['create_use'] = d(M._simple_command('CREATE', 'Archive', '(USE (\\\\Archive))'))[0]
M.subscribe('Archive')
typ, data = M._simple_command('LIST', '""', '"*"', 'RETURN', '(SUBSCRIBED SPECIAL-USE STATUS (MESSAGES UNSEEN))'); out['list_ext'] = d(M.untagged_responses.pop('LIST', []))
out['list_status'] = d(M.untagged_responses.pop('STATUS', []))
out['unsubscribe'] = M.unsubscribe('Archive')[0]
out['lsub'] = d(M.lsub()[1])
out['status'] = d(M.status('INBOX', '(MESSAGES RECENT UIDNEXT UIDVALIDITY UNSEEN HIGHESTMODSEQ SIZE)')[1])
out['getquota'], out['getquota_data'] = d(M.getquota('""'))
out['logout'] = M.logout()[0]
`);
    assert.equal(out.noop, 'OK');
    assert.equal(out.id, 'OK');
    assert.match(String(out.id_data), /"name" "Youju"/);
    assert.deepEqual(out.enabled, ['CONDSTORE']);
    assert.equal((out.examine as string[])[0], 'OK');
    assert.equal(out.store_ro, 'NO', 'STORE refused in a mailbox opened with EXAMINE');
    assert.equal(out.check, 'OK');
    assert.equal(out.unselect, 'OK');
    assert.notEqual(out.after_unselect, 'OK', 'after UNSELECT no mailbox is selected');
    assert.equal((out.fetch_modseq as string[]).length, 2);
    assert.match((out.fetch_modseq as string[])[0]!, /UID 1 FLAGS \(\\Seen( \\Recent)?\) MODSEQ \(\d+\)/);
    assert.equal((out.changed as string[]).length, 1, 'only the message flagged since');
    assert.match((out.changed as string[])[0]!, /^2 \(.*\\Flagged/);
    assert.match(JSON.stringify(out.unchanged), /\[MODIFIED 2\]/, 'the message flagged since the FETCH is reported MODIFIED, the other stored');
    assert.equal(out.create_use, 'OK');
    assert.ok((out.list_ext as string[]).some((l) => /\\Archive/.test(l) && /\\Subscribed/.test(l) && /Archive/.test(l)), JSON.stringify(out.list_ext));
    assert.ok((out.list_status as string[]).some((l) => /INBOX \(MESSAGES 2 UNSEEN 1\)/.test(l)), JSON.stringify(out.list_status));
    assert.equal(out.unsubscribe, 'OK');
    assert.ok(!JSON.stringify(out.lsub).includes('Archive'));
    assert.match((out.status as string[])[0]!, /MESSAGES 2 RECENT \d+ UIDNEXT 3 UIDVALIDITY \d+ UNSEEN 1 HIGHESTMODSEQ \d+ SIZE \d+/);
    assert.equal(out.getquota, 'OK');
    assert.match(String(out.getquota_data), /^"" \((STORAGE \d+ \d+)?\)$/, 'the one quota root of the user (dave has no limit)');
    assert.equal(out.logout, 'BYE');
  });
});
