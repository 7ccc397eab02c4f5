// ENVELOPE strings (RFC 3501 §7.4.2): the RFC's example, the NIL / "" / default-to-From rules,
// groups, quoting, and Chinese headers as they arrive (encoded words kept, raw 8-bit as literals).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { addressList, envelope, imapNString, imapString } from './envelope.ts';

const header = (...lines: Array<string | Buffer>): Buffer =>
  Buffer.concat([...lines.flatMap((l) => [typeof l === 'string' ? Buffer.from(l, 'utf8') : l, Buffer.from('\r\n')]), Buffer.from('\r\n')]);
const NILS = (n: number) => Array(n).fill('NIL').join(' ');

describe('envelope', () => {
  const table: Array<[string, Buffer, string]> = [
    ['RFC 3501 §8 example', header(
      'Date: Wed, 17 Jul 1996 02:23:25 -0700 (PDT)',
      'From: Terry Gray <gray@cac.washington.edu>',
      'Subject: IMAP4rev1 WG mtg summary and minutes',
      'To: imap@cac.washington.edu',
      'cc: minutes@CNRI.Reston.VA.US, John Klensin <KLENSIN@MIT.EDU>',
      'Message-Id: <B27397-0100000@cac.washington.edu>',
      'MIME-Version: 1.0',
      'Content-Type: TEXT/PLAIN; CHARSET=US-ASCII'),
    '("Wed, 17 Jul 1996 02:23:25 -0700 (PDT)" "IMAP4rev1 WG mtg summary and minutes" ' +
      '(("Terry Gray" NIL "gray" "cac.washington.edu")) (("Terry Gray" NIL "gray" "cac.washington.edu")) ' +
      '(("Terry Gray" NIL "gray" "cac.washington.edu")) ((NIL NIL "imap" "cac.washington.edu")) ' +
      '((NIL NIL "minutes" "CNRI.Reston.VA.US")("John Klensin" NIL "KLENSIN" "MIT.EDU")) NIL NIL ' +
      '"<B27397-0100000@cac.washington.edu>")'],
    ['no header at all: every member NIL', Buffer.from('\r\nbody'), `(${NILS(10)})`],
    ['present but empty text fields are "", empty address fields NIL', header('Subject:', 'Date: ', 'Message-ID:', 'In-Reply-To:', 'To:', 'From: '),
      '("" "" NIL NIL NIL NIL NIL NIL "" "")'],
    ['Sender and Reply-To fall back to From; explicit ones win',
      header('From: a@x.cn', 'Sender: s@x.cn', 'Reply-To:', 'Bcc: b@x.cn', 'In-Reply-To: <p@x.cn>'),
      '(NIL NIL ((NIL NIL "a" "x.cn")) ((NIL NIL "s" "x.cn")) ((NIL NIL "a" "x.cn")) NIL NIL ((NIL NIL "b" "x.cn")) "<p@x.cn>" NIL)'],
    ['groups: start marker, members, end marker; an empty group', header('To: A Group:Ed Jones <c@a.test>,joe@where.test;, undisclosed-recipients:;'),
      `(NIL NIL NIL NIL NIL ((NIL NIL "A Group" NIL)("Ed Jones" NIL "c" "a.test")(NIL NIL "joe" "where.test")(NIL NIL NIL NIL)` +
      '(NIL NIL "undisclosed-recipients" NIL)(NIL NIL NIL NIL)) NIL NIL NIL NIL)'],
    ['encoded words are sent as they are (GBK, Big5, UTF-8)', header(
      'From: =?GBK?B?1cXI/Q==?= <zhangsan@example.cn>', 'To: "=?big5?B?tPq41bZspfM=?=" <ceshi@example.com.tw>',
      'Subject: =?GBK?Q?=BB=E1=D2=E9?=\r\n =?UTF-8?B?6YCa55+l?='),
    '(NIL "=?GBK?Q?=BB=E1=D2=E9?= =?UTF-8?B?6YCa55+l?=" (("=?GBK?B?1cXI/Q==?=" NIL "zhangsan" "example.cn")) ' +
      '(("=?GBK?B?1cXI/Q==?=" NIL "zhangsan" "example.cn")) (("=?GBK?B?1cXI/Q==?=" NIL "zhangsan" "example.cn")) ' +
      '(("=?big5?B?tPq41bZspfM=?=" NIL "ceshi" "example.com.tw")) NIL NIL NIL NIL)'],
    ['raw 8-bit GBK headers are literals with the original bytes', header(
      Buffer.concat([Buffer.from('Subject: '), Buffer.from([0xc4, 0xe3, 0xba, 0xc3])]),
      Buffer.concat([Buffer.from('From: '), Buffer.from([0xd5, 0xc5, 0xc8, 0xfd]), Buffer.from(' <zs@example.cn>')])),
    '(NIL {4}\r\n\xc4\xe3\xba\xc3 (({4}\r\n\xd5\xc5\xc8\xfd NIL "zs" "example.cn")) (({4}\r\n\xd5\xc5\xc8\xfd NIL "zs" "example.cn")) ' +
      '(({4}\r\n\xd5\xc5\xc8\xfd NIL "zs" "example.cn")) NIL NIL NIL NIL NIL)'],
    ['raw UTF-8 headers keep their bytes too (你 ends in 0xA0, which is no space here)', header('Subject: 你好', 'To: 李四 <ls@example.cn>'),
      `(NIL {6}\r\n${Buffer.from('你好').toString('latin1')} NIL NIL NIL (({6}\r\n${Buffer.from('李四').toString('latin1')} NIL "ls" "example.cn")) NIL NIL NIL NIL)`],
    ['quotes, comments and backslashes', header('From: "Joe \\"Q\\" Public" <joe@example.com>', 'To: pete@silly.test (Pete\\\\Smith)', 'Subject: a "b" \\c'),
      '(NIL "a \\"b\\" \\\\c" (("Joe \\"Q\\" Public" NIL "joe" "example.com")) (("Joe \\"Q\\" Public" NIL "joe" "example.com")) ' +
      '(("Joe \\"Q\\" Public" NIL "joe" "example.com")) (("Pete\\\\Smith" NIL "pete" "silly.test")) NIL NIL NIL NIL)'],
    ['addresses without a domain or a mailbox get placeholders, never a NIL host', header('From: root', 'To: Undisclosed recipients, <@only.host>'),
      '(NIL NIL ((NIL NIL "root" "MISSING_DOMAIN")) ((NIL NIL "root" "MISSING_DOMAIN")) ((NIL NIL "root" "MISSING_DOMAIN")) ' +
      '(("Undisclosed recipients" NIL "MISSING_MAILBOX" "MISSING_DOMAIN")(NIL NIL "MISSING_MAILBOX" "only.host")) NIL NIL NIL NIL)'],
    ['the first of repeated fields; folded values unfolded; the body ignored',
      Buffer.from('Subject: one\r\n two\r\nSubject: three\r\nTo: a@b.c,\r\n\td@e.f\r\n\r\nFrom: not@header.cn\r\n'),
      '(NIL "one two" NIL NIL NIL ((NIL NIL "a" "b.c")(NIL NIL "d" "e.f")) NIL NIL NIL NIL)'],
    ['a quoted display name equal to the address is kept (as Dovecot keeps it)', header('From: "a@b.c" <a@b.c>'),
      '(NIL NIL (("a@b.c" NIL "a" "b.c")) (("a@b.c" NIL "a" "b.c")) (("a@b.c" NIL "a" "b.c")) NIL NIL NIL NIL NIL)'],
    ['a comment inside an empty group is not an address', header('To: Undisclosed:(nobody);', 'Cc: list: (c) ;, x@y.z'),
      '(NIL NIL NIL NIL NIL ((NIL NIL "Undisclosed" NIL)(NIL NIL NIL NIL)) ((NIL NIL "list" NIL)(NIL NIL NIL NIL)(NIL NIL "x" "y.z")) NIL NIL NIL)'],
    ['the obsolete source route is the adl (RFC 5322 §4.4)', header('From: Joe <@relay1.test,@relay2.test:joe@example.com>'),
      '(NIL NIL (("Joe" "@relay1.test,@relay2.test" "joe" "example.com")) (("Joe" "@relay1.test,@relay2.test" "joe" "example.com")) ' +
      '(("Joe" "@relay1.test,@relay2.test" "joe" "example.com")) NIL NIL NIL NIL NIL)'],
    ['dots in names and local parts, a domain literal', header('From: J. R. Smith <j.r.smith@[192.0.2.1]>'),
      '(NIL NIL (("J. R. Smith" NIL "j.r.smith" "[192.0.2.1]")) (("J. R. Smith" NIL "j.r.smith" "[192.0.2.1]")) ' +
      '(("J. R. Smith" NIL "j.r.smith" "[192.0.2.1]")) NIL NIL NIL NIL NIL)'],
    ['bare LF line ends', Buffer.from('From: a@b.c\nSubject: lf\n\nbody'),
      '(NIL "lf" ((NIL NIL "a" "b.c")) ((NIL NIL "a" "b.c")) ((NIL NIL "a" "b.c")) NIL NIL NIL NIL NIL)'],
  ];
  for (const [name, raw, expected] of table) it(name, () => assert.equal(envelope(raw), Buffer.from(expected, 'latin1').toString('latin1')));

  it('never throws and stays bounded on garbage', () => {
    const started = performance.now();
    for (let i = 0; i < 2000; i++) assert.match(envelope(randomBytes(i % 500)), /^\(.*\)$/s);
    const many = header(`To: ${Array.from({ length: 10_000 }, (_, i) => `u${i}@example.cn`).join(', ')}`);
    assert.equal(envelope(many).match(/"example\.cn"/g)?.length, 10_000);
    envelope(header(`From: ${'<'.repeat(100_000)}`, `To: ${'"'.repeat(100_001)}`, `Cc: ${'('.repeat(100_000)}`));
    assert.ok(performance.now() - started < 5000, `${performance.now() - started} ms`);
  });
});

describe('IMAP string quoting', () => {
  const table: Array<[string | null, string]> = [
    [null, 'NIL'],
    ['', '""'],
    ['plain', '"plain"'],
    ['say "hi" \\o/', '"say \\"hi\\" \\\\o/"'],
    ['two\r\nlines', '{10}\r\ntwo\r\nlines'],
    ['nul\0dropped', '"nuldropped"'],
    ['\xe4\xbd\xa0', '{3}\r\n\xe4\xbd\xa0'],
    ['你', `{3}\r\n${Buffer.from('你').toString('latin1')}`],
  ];
  for (const [input, expected] of table) it(JSON.stringify(input), () => assert.equal(imapNString(input), expected));
  it('addressList gives NIL for nothing usable', () => {
    for (const v of [undefined, '', '   ', '<>', ',,,']) assert.equal(addressList(v), 'NIL', String(v));
    assert.equal(imapString('x'), '"x"');
  });
});
