/**
 * parseCommand against the RFC examples of every command, and the errors clients get for bad input.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Command, ParseOptions } from './command.ts';
import { ParseError } from './parse-error.ts';
import { parseAuthenticateResponse, parseCommand, parseIdleDone } from './parser.ts';
import { readSequenceSet, type SequenceSet } from './sequence-set.ts';
import { CommandReader } from './tokenizer.ts';

const set = (text: string): SequenceSet => readSequenceSet(text) as SequenceSet;
const noSelection = { subscribed: false, remote: false, recursiveMatch: false, specialUse: false };
const noReturn = { subscribed: false, children: false, specialUse: false };

// Commands are RFC examples (section noted) unless marked otherwise.
const VALID: Array<[input: string | Buffer, expected: Command, options?: ParseOptions]> = [
  ['abcd CAPABILITY', { tag: 'abcd', name: 'CAPABILITY' }], // 3501 §6.1.1
  ['a002 NOOP', { tag: 'a002', name: 'NOOP' }], // §6.1.2
  ['A023 LOGOUT', { tag: 'A023', name: 'LOGOUT' }], // §6.1.3
  ['a001 starttls', { tag: 'a001', name: 'STARTTLS' }], // §6.2.1, verbs are case-insensitive
  ['A001 AUTHENTICATE GSSAPI', { tag: 'A001', name: 'AUTHENTICATE', mechanism: 'GSSAPI' }], // §6.2.2
  ['a01 AUTHENTICATE PLAIN dGVzdAB0ZXN0AHRlc3Q=', { tag: 'a01', name: 'AUTHENTICATE', mechanism: 'PLAIN', initialResponse: Buffer.from('test\0test\0test') }], // 4959 §3
  ['a02 AUTHENTICATE EXTERNAL =', { tag: 'a02', name: 'AUTHENTICATE', mechanism: 'EXTERNAL', initialResponse: Buffer.alloc(0) }], // 4959 §3
  ['a001 LOGIN SMITH SESAME', { tag: 'a001', name: 'LOGIN', username: 'SMITH', password: 'SESAME' }], // §6.2.3
  ['A001 LOGIN {11}\r\nFRED FOOBAR {7}\r\nfat man', { tag: 'A001', name: 'LOGIN', username: 'FRED FOOBAR', password: 'fat man' }], // §7.5
  ['a1 LOGIN "zhang@example.cn" "p\\"w\\\\d"', { tag: 'a1', name: 'LOGIN', username: 'zhang@example.cn', password: 'p"w\\d' }],
  ['A142 SELECT INBOX', { tag: 'A142', name: 'SELECT', mailbox: 'INBOX', condstore: false }], // §6.3.1
  ['A142 SELECT inbox', { tag: 'A142', name: 'SELECT', mailbox: 'INBOX', condstore: false }], // §5.1: INBOX is case-insensitive
  ['A932 EXAMINE blurdybloop', { tag: 'A932', name: 'EXAMINE', mailbox: 'blurdybloop', condstore: false }], // §6.3.2
  ['a103 SELECT INBOX (CONDSTORE)', { tag: 'a103', name: 'SELECT', mailbox: 'INBOX', condstore: true }], // 7162 §3.1.8
  [
    'A02 SELECT INBOX (QRESYNC (67890007 20050715194045000 41,43:211,214:541))', // 7162 §3.2.5.1
    { tag: 'A02', name: 'SELECT', mailbox: 'INBOX', condstore: false, qresync: { uidvalidity: 67890007, modseq: 20050715194045000n, knownUids: set('41,43:211,214:541') } },
  ],
  [
    'B04 SELECT INBOX (QRESYNC (67890007 90060115194045000 1:29997 (5000,7500,9000,9990:9999 15000,22500,27000,29970,29973,29976,29979,29982,29985,29988,29991,29994,29997)))', // 7162 §3.2.5.2
    {
      tag: 'B04', name: 'SELECT', mailbox: 'INBOX', condstore: false,
      qresync: { uidvalidity: 67890007, modseq: 90060115194045000n, knownUids: set('1:29997'), seqMatch: { sequences: set('5000,7500,9000,9990:9999'), uids: set('15000,22500,27000,29970,29973,29976,29979,29982,29985,29988,29991,29994,29997') } },
    },
  ],
  ['A003 CREATE owatagusiam/', { tag: 'A003', name: 'CREATE', mailbox: 'owatagusiam/', specialUse: [] }], // §6.3.3
  ['t1 CREATE "Everything" (USE (\\All))', { tag: 't1', name: 'CREATE', mailbox: 'Everything', specialUse: ['\\All'] }], // 6154 §5.3
  ['t2 CREATE &g0l6P3ux- (USE (\\drafts))', { tag: 't2', name: 'CREATE', mailbox: '草稿箱', specialUse: ['\\Drafts'] }],
  ['A683 DELETE blurdybloop', { tag: 'A683', name: 'DELETE', mailbox: 'blurdybloop' }], // §6.3.4
  ['A683 RENAME blurdybloop sarasoop', { tag: 'A683', name: 'RENAME', from: 'blurdybloop', to: 'sarasoop' }], // §6.3.5
  ['A002 SUBSCRIBE #news.comp.mail.mime', { tag: 'A002', name: 'SUBSCRIBE', mailbox: '#news.comp.mail.mime' }], // §6.3.6
  ['A002 UNSUBSCRIBE #news.comp.mail.mime', { tag: 'A002', name: 'UNSUBSCRIBE', mailbox: '#news.comp.mail.mime' }], // §6.3.7
  ['A101 LIST "" ""', { tag: 'A101', name: 'LIST', reference: '', patterns: [''], selection: noSelection, returns: noReturn, extended: false }], // §6.3.8
  ['A202 LIST ~/Mail/ %', { tag: 'A202', name: 'LIST', reference: '~/Mail/', patterns: ['%'], selection: noSelection, returns: noReturn, extended: false }],
  ['A102 LIST "" &W6JiNw-/*', { tag: 'A102', name: 'LIST', reference: '', patterns: ['客户/*'], selection: noSelection, returns: noReturn, extended: false }],
  [
    'A02 LIST (SUBSCRIBED) "" "*"', // 5258 §5
    { tag: 'A02', name: 'LIST', reference: '', patterns: ['*'], selection: { ...noSelection, subscribed: true }, returns: { ...noReturn, subscribed: true }, extended: true },
  ],
  ['A03 LIST () "" "%" RETURN (CHILDREN)', { tag: 'A03', name: 'LIST', reference: '', patterns: ['%'], selection: noSelection, returns: { ...noReturn, children: true }, extended: true }], // 5258 §5
  [
    'A05 LIST (REMOTE SUBSCRIBED RECURSIVEMATCH) "/" ("INBOX" "Drafts")', // 5258 §5 style, several patterns
    { tag: 'A05', name: 'LIST', reference: '/', patterns: ['INBOX', 'Drafts'], selection: { subscribed: true, remote: true, recursiveMatch: true, specialUse: false }, returns: { ...noReturn, subscribed: true }, extended: true },
  ],
  ['A01 LIST "" % RETURN (STATUS (MESSAGES UNSEEN))', { tag: 'A01', name: 'LIST', reference: '', patterns: ['%'], selection: noSelection, returns: { ...noReturn, status: ['MESSAGES', 'UNSEEN'] }, extended: true }], // 5819 §5
  ['t3 LIST (SPECIAL-USE) "" "*"', { tag: 't3', name: 'LIST', reference: '', patterns: ['*'], selection: { ...noSelection, specialUse: true }, returns: noReturn, extended: true }], // 6154 §5.1
  ['t4 LIST "" "%" RETURN (SPECIAL-USE)', { tag: 't4', name: 'LIST', reference: '', patterns: ['%'], selection: noSelection, returns: { ...noReturn, specialUse: true }, extended: true }], // 6154 §5.2
  ['A002 LSUB "#news." "comp.mail.*"', { tag: 'A002', name: 'LSUB', reference: '#news.', pattern: 'comp.mail.*' }], // §6.3.9
  ['A042 STATUS blurdybloop (UIDNEXT MESSAGES)', { tag: 'A042', name: 'STATUS', mailbox: 'blurdybloop', items: ['UIDNEXT', 'MESSAGES'] }], // §6.3.10
  ['A043 STATUS INBOX (HIGHESTMODSEQ SIZE)', { tag: 'A043', name: 'STATUS', mailbox: 'INBOX', items: ['HIGHESTMODSEQ', 'SIZE'] }], // 7162, 8438
  [
    'A003 APPEND saved-messages (\\Seen) {18}\r\nSubject: afternoon', // §6.3.11
    { tag: 'A003', name: 'APPEND', mailbox: 'saved-messages', messages: [{ flags: ['\\Seen'], message: Buffer.from('Subject: afternoon'), binary: false, utf8: false }] },
  ],
  [
    'A004 APPEND INBOX () " 7-Feb-1994 21:52:25 -0800" {2+}\r\nhi',
    { tag: 'A004', name: 'APPEND', mailbox: 'INBOX', messages: [{ flags: [], internalDate: new Date('1994-02-08T05:52:25Z'), message: Buffer.from('hi'), binary: false, utf8: false }] },
  ],
  ['A005 APPEND Drafts ~{3}\r\na\0b', { tag: 'A005', name: 'APPEND', mailbox: 'Drafts', messages: [{ flags: [], message: Buffer.from('a\0b'), binary: true, utf8: false }] }], // 3516 §4.2
  ['A006 APPEND INBOX UTF8 (~{2}\r\nhi)', { tag: 'A006', name: 'APPEND', mailbox: 'INBOX', messages: [{ flags: [], message: Buffer.from('hi'), binary: true, utf8: true }] }, { utf8: true }], // 6855 §4
  [
    'A007 APPEND Drafts (\\Draft) {2+}\r\nab (\\Seen) {1+}\r\nc', // MULTIAPPEND, RFC 3502 §6.3.11
    { tag: 'A007', name: 'APPEND', mailbox: 'Drafts', messages: [
      { flags: ['\\Draft'], message: Buffer.from('ab'), binary: false, utf8: false },
      { flags: ['\\Seen'], message: Buffer.from('c'), binary: false, utf8: false },
    ] },
  ],
  [
    'A008 APPEND Drafts CATENATE (URL "/Drafts;UIDVALIDITY=385759045/;UID=20/;section=HEADER" TEXT {4+}\r\n\r\nhi)', // RFC 4469 §5
    { tag: 'A008', name: 'APPEND', mailbox: 'Drafts', messages: [{ flags: [], catenate: [
      { kind: 'url', url: '/Drafts;UIDVALIDITY=385759045/;UID=20/;section=HEADER' }, { kind: 'text', bytes: Buffer.from('\r\nhi') },
    ], binary: false, utf8: false }] },
  ],
  ['FXXZ CHECK', { tag: 'FXXZ', name: 'CHECK' }], // §6.4.1
  ['A341 CLOSE', { tag: 'A341', name: 'CLOSE' }], // §6.4.2
  ['A202 EXPUNGE', { tag: 'A202', name: 'EXPUNGE', uid: false }], // §6.4.3
  ['A003 UID EXPUNGE 3000:3002', { tag: 'A003', name: 'EXPUNGE', uid: true, sequenceSet: set('3000:3002') }], // 4315 §2.1
  [
    'A282 SEARCH FLAGGED SINCE 1-Feb-1994 NOT FROM "Smith"', // §6.4.4
    {
      tag: 'A282', name: 'SEARCH', uid: false,
      criteria: { type: 'and', keys: [{ type: 'flag', flag: '\\Flagged', set: true }, { type: 'internaldate', op: 'since', date: '1994-02-01' }, { type: 'not', key: { type: 'header', field: 'From', value: 'Smith' } }] },
    },
  ],
  ['A284 SEARCH CHARSET UTF-8 TEXT {6}\r\n客户', { tag: 'A284', name: 'SEARCH', uid: false, charset: 'UTF-8', criteria: { type: 'text', value: '客户' } }], // §6.4.4, literal in UTF-8
  [
    Buffer.from('A285 SEARCH CHARSET GB2312 SUBJECT {4}\r\n\xbf\xcd\xbb\xa7', 'latin1'), // the CHARSET decodes the bytes
    { tag: 'A285', name: 'SEARCH', uid: false, charset: 'GB2312', criteria: { type: 'header', field: 'Subject', value: '客户' } },
  ],
  ['A283 SEARCH RETURN () FLAGGED', { tag: 'A283', name: 'SEARCH', uid: false, criteria: { type: 'flag', flag: '\\Flagged', set: true }, returnOptions: ['ALL'] }], // 4731 §3.1
  ['A300 UID SEARCH RETURN (SAVE MIN) UID 1:20', { tag: 'A300', name: 'SEARCH', uid: true, criteria: { type: 'uid', set: set('1:20') }, returnOptions: ['SAVE', 'MIN'] }], // 5182 §2.4
  [
    'A654 FETCH 2:4 (FLAGS BODY[HEADER.FIELDS (DATE FROM)])', // §6.4.5
    { tag: 'A654', name: 'FETCH', uid: false, sequenceSet: set('2:4'), attributes: [{ name: 'FLAGS' }, { name: 'BODY[]', peek: false, section: { part: [], text: 'HEADER.FIELDS', fields: ['DATE', 'FROM'] } }], vanished: false },
  ],
  ['A999 UID FETCH 4827313:4828442 FLAGS', { tag: 'A999', name: 'FETCH', uid: true, sequenceSet: set('4827313:4828442'), attributes: [{ name: 'FLAGS' }], vanished: false }], // §6.4.8
  ['A301 FETCH $ FAST', { tag: 'A301', name: 'FETCH', uid: false, sequenceSet: set('$'), attributes: [{ name: 'FLAGS' }, { name: 'INTERNALDATE' }, { name: 'RFC822.SIZE' }], vanished: false }], // 5182
  [
    's100 UID FETCH 300:500 (FLAGS) (CHANGEDSINCE 12345 VANISHED)', // 7162 §3.2.6
    { tag: 's100', name: 'FETCH', uid: true, sequenceSet: set('300:500'), attributes: [{ name: 'FLAGS' }], changedSince: 12345n, vanished: true },
  ],
  [
    'A003 STORE 2:4 +FLAGS (\\Deleted)', // §6.4.6
    { tag: 'A003', name: 'STORE', uid: false, sequenceSet: set('2:4'), operation: 'add', silent: false, flags: ['\\Deleted'] },
  ],
  [
    'd105 STORE 7,5,9 (UNCHANGEDSINCE 320162338) +FLAGS.SILENT (\\Deleted)', // 7162 §3.1.3
    { tag: 'd105', name: 'STORE', uid: false, sequenceSet: set('7,5,9'), unchangedSince: 320162338n, operation: 'add', silent: true, flags: ['\\Deleted'] },
  ],
  ['a5 UID STORE 1:* -FLAGS \\seen $Forwarded', { tag: 'a5', name: 'STORE', uid: true, sequenceSet: set('1:*'), operation: 'remove', silent: false, flags: ['\\Seen', '$Forwarded'] }],
  ['a6 STORE 1 FLAGS ()', { tag: 'a6', name: 'STORE', uid: false, sequenceSet: set('1'), operation: 'replace', silent: false, flags: [] }],
  ['A003 COPY 2:4 MEETING', { tag: 'A003', name: 'COPY', uid: false, sequenceSet: set('2:4'), mailbox: 'MEETING' }], // §6.4.7
  ['a UID MOVE 42:69 foo', { tag: 'a', name: 'MOVE', uid: true, sequenceSet: set('42:69'), mailbox: 'foo' }], // 6851 §4.1
  ['A002 IDLE', { tag: 'A002', name: 'IDLE' }], // 2177 §3
  ['A001 NAMESPACE', { tag: 'A001', name: 'NAMESPACE' }], // 2342 §5
  ['A341 UNSELECT', { tag: 'A341', name: 'UNSELECT' }], // 3691 §2
  ['t2 ENABLE CONDSTORE X-GOOD-IDEA', { tag: 't2', name: 'ENABLE', capabilities: ['CONDSTORE', 'X-GOOD-IDEA'] }], // 5161 §4
  [
    'a023 ID ("name" "sodr" "version" "19.34" "vendor" "Pink Floyd Music Limited")', // 2971 §3.1
    { tag: 'a023', name: 'ID', params: [{ field: 'name', value: 'sodr' }, { field: 'version', value: '19.34' }, { field: 'vendor', value: 'Pink Floyd Music Limited' }] },
  ],
  ['a024 ID NIL', { tag: 'a024', name: 'ID', params: null }],
  ['G0001 GETQUOTA "!partition/sda4"', { tag: 'G0001', name: 'GETQUOTA', root: '!partition/sda4' }], // 9208 §4.2
  ['A003 GETQUOTAROOT INBOX', { tag: 'A003', name: 'GETQUOTAROOT', mailbox: 'INBOX' }], // 9208 §4.3
  ['S0000 SETQUOTA "#user/alice" (STORAGE 510)', { tag: 'S0000', name: 'SETQUOTA', root: '#user/alice', limits: [{ resource: 'STORAGE', limit: 510 }] }], // 9208 §4.1
  ['a COMPRESS DEFLATE', { tag: 'a', name: 'COMPRESS', mechanism: 'DEFLATE' }], // 4978 §3
  [
    'A283 SORT (SUBJECT REVERSE DATE) UTF-8 ALL', // 5256 §3
    { tag: 'A283', name: 'SORT', uid: false, criteria: [{ key: 'SUBJECT', reverse: false }, { key: 'DATE', reverse: true }], charset: 'UTF-8', search: { type: 'all' } },
  ],
  [
    'A284 UID SORT RETURN (COUNT) (SUBJECT) US-ASCII TEXT "not in mailbox"', // 5267 ESORT
    { tag: 'A284', name: 'SORT', uid: true, criteria: [{ key: 'SUBJECT', reverse: false }], charset: 'US-ASCII', search: { type: 'text', value: 'not in mailbox' }, returnOptions: ['COUNT'] },
  ],
  [
    'A283 THREAD ORDEREDSUBJECT UTF-8 SINCE 5-MAR-2000', // 5256 §3
    { tag: 'A283', name: 'THREAD', uid: false, algorithm: 'ORDEREDSUBJECT', charset: 'UTF-8', search: { type: 'internaldate', op: 'since', date: '2000-03-05' } },
  ],
  ['u1 SELECT "客户/重要"', { tag: 'u1', name: 'SELECT', mailbox: '客户/重要', condstore: false }, { utf8: true }], // 6855 §3
  ['u2 SELECT "&W6JiNw-"', { tag: 'u2', name: 'SELECT', mailbox: '&W6JiNw-', condstore: false }, { utf8: true }],
];

const INVALID: Array<[input: string, tag: string | undefined, status: 'BAD' | 'NO', message: RegExp, options?: ParseOptions]> = [
  ['a1 FOO', 'a1', 'BAD', /Unknown command FOO/],
  ['a1', undefined, 'BAD', /Missing command/],
  ['+x NOOP', undefined, 'BAD', /tag/],
  [' a1 NOOP', undefined, 'BAD', /tag/],
  ['a1 NOOP extra', 'a1', 'BAD', /after the arguments/],
  ['a1 UID LOGIN x y', 'a1', 'BAD', /UID LOGIN is not a command/],
  ['a1 LOGIN onlyuser', 'a1', 'BAD', /Expected a space/],
  ['a1 LOGIN "unterminated', 'a1', 'BAD', /Unterminated quoted string/],
  ['a1 LOGIN "bad\\escape" x', 'a1', 'BAD', /Invalid escape/],
  ['a1 LOGIN {3+}\r\na\0b x', 'a1', 'BAD', /NUL/],
  ['a1 LOGIN {2+}\r\n\xff\xfe x', 'a1', 'BAD', /UTF-8/],
  ['a1 SELECT', 'a1', 'BAD', /Expected a space/],
  ['a1 SELECT &Jjo!', 'a1', 'BAD', /Invalid mailbox name/], // 3501 §5.1.3
  ['a1 SELECT &U,BTFw-&ZeVnLIqe-', 'a1', 'BAD', /adjacent/], // 3501 §5.1.3
  ['a1 SELECT "客户"', 'a1', 'BAD', /8-bit mailbox name without UTF8=ACCEPT/],
  ['a1 SELECT ~{3+}\r\nabc', 'a1', 'BAD', /literal8/],
  ['a1 SELECT INBOX (QRESYNC (0 1))', 'a1', 'BAD', /UIDVALIDITY/],
  ['a1 SELECT INBOX (QRESYNC (1 2 1:*))', 'a1', 'BAD', /sequence set/i],
  ['a1 SELECT INBOX (FOO)', 'a1', 'BAD', /Unknown select parameter/],
  ['a1 CREATE x (USE (\\Bogus))', 'a1', 'NO', /special-use/],
  ['a1 LIST (RECURSIVEMATCH) "" %', 'a1', 'BAD', /RECURSIVEMATCH/], // 5258 §3
  ['a1 LIST (BOGUS) "" %', 'a1', 'BAD', /Unknown selection option/],
  ['a1 LIST "" % RETURN (BOGUS)', 'a1', 'BAD', /Unknown return option/],
  ['a1 STATUS INBOX (MESSAGES BOGUS)', 'a1', 'BAD', /Unknown status item/],
  ['a1 STATUS INBOX ()', 'a1', 'BAD', /status item/],
  ['a1 APPEND INBOX {5+}\r\nhello extra', 'a1', 'BAD', /Expected a literal/], // MULTIAPPEND: another message was expected
  ['a1 APPEND INBOX "hello"', 'a1', 'BAD', /Invalid day/], // a quoted string there can only be a date-time
  ['a1 APPEND INBOX hello', 'a1', 'BAD', /Expected a literal/],
  ['u1 SELECT 客户', 'u1', 'BAD', /Expected a mailbox name/, { utf8: true }], // RFC 6855: UTF-8 only in quoted strings
  ['a1 APPEND INBOX "31-Feb-2020 00:00:00 +0000" {1+}\r\nx', 'a1', 'BAD', /day of month/],
  ['a1 FETCH 0 FLAGS', 'a1', 'BAD', /sequence set/],
  ['a1 FETCH 1 (FLAGS) (VANISHED)', 'a1', 'BAD', /VANISHED/], // 7162 §3.2.6
  ['a1 UID FETCH 1 (FLAGS) (VANISHED)', 'a1', 'BAD', /requires CHANGEDSINCE/],
  ['a1 STORE 1 +FLAGS (\\Recent)', 'a1', 'BAD', /\\Recent cannot be set/],
  ['a1 STORE 1 +FLAGS (\\Foo)', 'a1', 'BAD', /Unknown system flag/],
  ['a1 STORE 1 XFLAGS (\\Seen)', 'a1', 'BAD', /FLAGS/],
  ['a1 STORE 1 (UNCHANGEDSINCE x) FLAGS ()', 'a1', 'BAD', /mod-sequence/],
  ['a1 SEARCH CHARSET KOI8-X TEXT x', 'a1', 'NO', /Unsupported charset/], // 3501 §6.4.4: NO [BADCHARSET]
  ['a1 SEARCH NOT', 'a1', 'BAD', /Expected a space/],
  ['a1 AUTHENTICATE PLAIN !!!', 'a1', 'BAD', /base64/],
  ['a1 AUTHENTICATE PLAIN abc', 'a1', 'BAD', /base64/],
  ['a1 ID ("name")', 'a1', 'BAD', /Expected a space/],
  [`a1 ID (${Array.from({ length: 31 }, (_, i) => `"f${i}" "v"`).join(' ')})`, 'a1', 'BAD', /Too many ID fields/], // 2971 §3.3
  ['a1 ENABLE', 'a1', 'BAD', /Expected a space/],
  ['a1 SETQUOTA "" (STORAGE 99999999999999999999)', 'a1', 'BAD', /mod-sequence|too large|range/],
  ['a1 COPY 1:2', 'a1', 'BAD', /Expected a space/],
];

describe('parseCommand: RFC examples', () => {
  for (const [input, expected, options] of VALID) {
    it(input.toString('latin1').split('\r\n')[0] as string, () => assert.deepEqual(parseCommand(input, options), expected));
  }
});

describe('parseCommand: errors are ParseError with the tag', () => {
  for (const [input, tag, status, message, options] of INVALID) {
    it(JSON.stringify(input.slice(0, 60)), () => {
      assert.throws(
        // \xNN escapes are raw octets; text with CJK characters is UTF-8.
        () => parseCommand(Buffer.from(input, /[^\x00-\xff]/.test(input) ? 'utf8' : 'latin1'), options),
        (e: unknown) => {
          assert.ok(e instanceof ParseError, `got ${String(e)}`);
          assert.equal(e.tag, tag);
          assert.equal(e.status, status);
          assert.match(e.message, message);
          assert.equal(e.cause, undefined, 'not an internal error');
          return true;
        },
      );
    });
  }

  it('an unknown CHARSET carries [BADCHARSET (…)]', () => {
    assert.throws(() => parseCommand('a1 SEARCH CHARSET KOI8-X ALL'), (e: unknown) => e instanceof ParseError && typeof e.code === 'object' && e.code.code === 'BADCHARSET');
  });
});

describe('parseCommand on framed input', () => {
  it('parses what CommandReader frames, literals included', () => {
    const reader = new CommandReader();
    reader.push(Buffer.from('A001 LOGIN {11}\r\nFRED FOOBAR {7}\r\nfat man\r\n'));
    const events = [...reader.events()];
    const last = events[events.length - 1];
    assert.ok(last && last.kind === 'command');
    assert.deepEqual(parseCommand(last.command), { tag: 'A001', name: 'LOGIN', username: 'FRED FOOBAR', password: 'fat man' });
  });
});

describe('continuation lines', () => {
  it('IDLE ends with DONE, in any case (RFC 2177)', () => {
    assert.deepEqual(parseIdleDone(Buffer.from('done')), { name: 'DONE' });
    assert.throws(() => parseIdleDone(Buffer.from('DONE ')), ParseError);
  });
  it('AUTHENTICATE responses are base64 or "*" (RFC 3501 §6.2.2)', () => {
    assert.deepEqual(parseAuthenticateResponse(Buffer.from('*')), { cancelled: true });
    assert.deepEqual(parseAuthenticateResponse(Buffer.from('AGZyZWQAZmF0IG1hbg==')), { cancelled: false, data: Buffer.from('\0fred\0fat man') });
    assert.deepEqual(parseAuthenticateResponse(Buffer.from('')), { cancelled: false, data: Buffer.alloc(0) });
    assert.throws(() => parseAuthenticateResponse(Buffer.from('not base64!')), ParseError);
  });
});
