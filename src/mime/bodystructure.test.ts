// BODY and BODYSTRUCTURE strings: RFC 3501's own examples, a real-world shaped Chinese message
// (nested alternative, inline image, RFC 2231 attachment, forwarded message), broken shapes, and
// the cases where we know what Dovecot writes (compared ignoring case: Dovecot lower-cases where
// we follow the RFC's upper case).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { bodyStructure } from './bodystructure.ts';
import { parseMimeTree } from './mime-tree.ts';

const crlf = (...lines: string[]): string => lines.join('\r\n');
const structure = (raw: string | Buffer, extensible: boolean) =>
  bodyStructure(parseMimeTree(typeof raw === 'string' ? Buffer.from(raw, 'utf8') : raw), { extensible });
/** `count` lines of text with CRLF, `size` octets in all. */
function textLines(count: number, size: number): string {
  const chars = size - 2 * count;
  const base = Math.floor(chars / count);
  const longer = chars - base * count;
  return Array.from({ length: count }, (_, i) => `${'x'.repeat(base + (i < longer ? 1 : 0))}\r\n`).join('');
}

const RFC3501_HEADER = crlf(
  'Date: Wed, 17 Jul 1996 02:23:25 -0700 (PDT)',
  'From: Terry Gray <gray@cac.washington.edu>',
  'Subject: IMAP4rev1 WG mtg summary and minutes',
  'To: imap@cac.washington.edu',
  'cc: minutes@CNRI.Reston.VA.US, John Klensin <KLENSIN@MIT.EDU>',
  'Message-Id: <B27397-0100000@cac.washington.edu>',
  'MIME-Version: 1.0',
  'Content-Type: TEXT/PLAIN; CHARSET=US-ASCII',
  '', '',
);
const RFC3501_ENVELOPE = '("Wed, 17 Jul 1996 02:23:25 -0700 (PDT)" "IMAP4rev1 WG mtg summary and minutes" ' +
  '(("Terry Gray" NIL "gray" "cac.washington.edu")) (("Terry Gray" NIL "gray" "cac.washington.edu")) ' +
  '(("Terry Gray" NIL "gray" "cac.washington.edu")) ((NIL NIL "imap" "cac.washington.edu")) ' +
  '((NIL NIL "minutes" "CNRI.Reston.VA.US")("John Klensin" NIL "KLENSIN" "MIT.EDU")) NIL NIL ' +
  '"<B27397-0100000@cac.washington.edu>")';

describe('bodyStructure: RFC 3501 examples', () => {
  it('§8 FETCH FULL: the single text/plain body of 3028 octets and 92 lines', () => {
    const raw = RFC3501_HEADER + textLines(92, 3028);
    assert.equal(structure(raw, false), '("TEXT" "PLAIN" ("CHARSET" "US-ASCII") NIL NIL "7BIT" 3028 92)');
    assert.equal(structure(raw, true), '("TEXT" "PLAIN" ("CHARSET" "US-ASCII") NIL NIL "7BIT" 3028 92 NIL NIL NIL NIL)');
  });

  it('§7.4.2 BODYSTRUCTURE: multipart/mixed with a default-typed part and a named base64 part', () => {
    const raw = crlf('Content-Type: MULTIPART/MIXED; BOUNDARY="x"', '', '--x', '', `${textLines(23, 1152)}\r\n--x`,
      'Content-Type: TEXT/PLAIN; CHARSET=US-ASCII; NAME=cc.diff',
      'Content-ID: <960723163407.20117h@cac.washington.edu>',
      'Content-Description: Compiler diff',
      'Content-Transfer-Encoding: BASE64', '', `${textLines(73, 4554)}\r\n--x--`, '');
    assert.equal(structure(raw, false),
      '(("TEXT" "PLAIN" ("CHARSET" "US-ASCII") NIL NIL "7BIT" 1152 23)("TEXT" "PLAIN" ("CHARSET" "US-ASCII" "NAME" "cc.diff") ' +
      '"<960723163407.20117h@cac.washington.edu>" "Compiler diff" "BASE64" 4554 73) "MIXED")');
  });
});

const gbkPlain = Buffer.from([0xbb, 0xe1, 0xd2, 0xe9, 0xcd, 0xa8, 0xd6, 0xaa]).toString('base64'); // 会议通知
const forwarded = crlf('From: lisi@example.cn', 'Subject: Fwd', 'Date: Mon, 5 May 2025 10:00:00 +0800', '', 'forwarded body');
const messy = crlf(
  'From: =?GBK?B?1cXI/Q==?= <zhangsan@example.cn>',
  'To: =?big5?B?tPq41bZspfM=?= <ceshi@example.com.tw>',
  'Subject: =?GBK?Q?=BB=E1=D2=E9?=',
  'MIME-Version: 1.0',
  'Content-Type: multipart/mixed;',
  '\tboundary="----=_Part_0"',
  '',
  'This is a multi-part message in MIME format.',
  '',
  '------=_Part_0',
  'Content-Type: multipart/alternative; boundary="----=_Part_1"',
  '',
  '------=_Part_1',
  'Content-Type: text/plain; charset="gb2312"',
  'Content-Transfer-Encoding: base64',
  '',
  gbkPlain,
  '------=_Part_1',
  'Content-Type: text/html; charset="gb2312"',
  'Content-Transfer-Encoding: quoted-printable',
  '',
  '<html><body>=BB=E1=D2=E9',
  '<img src=3D"cid:img001"></body></html>',
  '------=_Part_1--',
  '',
  '------=_Part_0',
  'Content-Type: image/png; name="logo.png"',
  'Content-Transfer-Encoding: base64',
  'Content-ID: <img001>',
  'Content-Disposition: inline; filename="logo.png"',
  '',
  'iVBORw0KGgo=',
  '------=_Part_0',
  'Content-Type: application/pdf; name="=?UTF-8?B?5oql5ZGKLnBkZg==?="',
  'Content-Transfer-Encoding: base64',
  "Content-Disposition: attachment; filename*=UTF-8''%E6%8A%A5%E5%91%8A.pdf",
  '',
  'JVBERi0xLjQK',
  '------=_Part_0',
  'Content-Type: message/rfc822',
  '',
  forwarded,
  '------=_Part_0--',
  '',
);

describe('bodyStructure: a real-world shaped message', () => {
  const html = '<html><body>=BB=E1=D2=E9\r\n<img src=3D"cid:img001"></body></html>';
  const alternative = `("TEXT" "PLAIN" ("CHARSET" "gb2312") NIL NIL "BASE64" ${gbkPlain.length} 0 NIL NIL NIL NIL)` +
    `("TEXT" "HTML" ("CHARSET" "gb2312") NIL NIL "QUOTED-PRINTABLE" ${html.length} 1 NIL NIL NIL NIL) "ALTERNATIVE" ("BOUNDARY" "----=_Part_1") NIL NIL NIL`;
  const image = '("IMAGE" "PNG" ("NAME" "logo.png") "<img001>" NIL "BASE64" 12 NIL ("INLINE" ("FILENAME" "logo.png")) NIL NIL)';
  const pdf = '("APPLICATION" "PDF" ("NAME" "=?UTF-8?B?5oql5ZGKLnBkZg==?=") NIL NIL "BASE64" 12 NIL ' +
    '("ATTACHMENT" ("FILENAME*" "UTF-8\'\'%E6%8A%A5%E5%91%8A.pdf")) NIL NIL)';
  const inner = '("Mon, 5 May 2025 10:00:00 +0800" "Fwd" ((NIL NIL "lisi" "example.cn")) ((NIL NIL "lisi" "example.cn")) ' +
    '((NIL NIL "lisi" "example.cn")) NIL NIL NIL NIL NIL) ("TEXT" "PLAIN" ("CHARSET" "US-ASCII") NIL NIL "7BIT" 14 0 NIL NIL NIL NIL) 4';
  const message = `("MESSAGE" "RFC822" NIL NIL NIL "7BIT" ${forwarded.length} ${inner} NIL NIL NIL NIL)`;

  it('writes the whole BODYSTRUCTURE', () => {
    assert.equal(structure(messy, true), `((${alternative})${image}${pdf}${message} "MIXED" ("BOUNDARY" "----=_Part_0") NIL NIL NIL)`);
  });

  it('writes BODY without any extension data', () => {
    assert.equal(structure(messy, false),
      `((("TEXT" "PLAIN" ("CHARSET" "gb2312") NIL NIL "BASE64" ${gbkPlain.length} 0)` +
      `("TEXT" "HTML" ("CHARSET" "gb2312") NIL NIL "QUOTED-PRINTABLE" ${html.length} 1) "ALTERNATIVE")` +
      '("IMAGE" "PNG" ("NAME" "logo.png") "<img001>" NIL "BASE64" 12)' +
      '("APPLICATION" "PDF" ("NAME" "=?UTF-8?B?5oql5ZGKLnBkZg==?=") NIL NIL "BASE64" 12)' +
      `("MESSAGE" "RFC822" NIL NIL NIL "7BIT" ${forwarded.length} ${inner.replace('14 0 NIL NIL NIL NIL)', '14 0)')}) "MIXED")`);
  });

  it('gives the same structure when the message uses bare LF, with LF-counted sizes', () => {
    const bare = structure(messy.replace(/\r\n/g, '\n'), true);
    assert.match(bare, /^\(\(\("TEXT" "PLAIN" .* "MIXED" \("BOUNDARY" "----=_Part_0"\) NIL NIL NIL\)$/);
    assert.ok(bare.includes(`"QUOTED-PRINTABLE" ${html.length - 1} 1 `));
    assert.ok(bare.includes(`"7BIT" ${forwarded.length - 4} (`));
  });
});

describe('bodyStructure: broken and unusual shapes', () => {
  const table: Array<[string, string | Buffer, string]> = [
    ['no Content-Type, bare LF', 'Subject: x\n\nline1\nline2\n', '("TEXT" "PLAIN" ("CHARSET" "US-ASCII") NIL NIL "7BIT" 12 2 NIL NIL NIL NIL)'],
    ['only a header', 'Subject: x', '("TEXT" "PLAIN" ("CHARSET" "US-ASCII") NIL NIL "7BIT" 0 0 NIL NIL NIL NIL)'],
    ['an unterminated boundary', crlf('Content-Type: multipart/mixed; boundary=b', '', '--b', '', 'one', '--b', 'Content-Type: text/html', '', 'two', ''),
      '(("TEXT" "PLAIN" ("CHARSET" "US-ASCII") NIL NIL "7BIT" 3 0 NIL NIL NIL NIL)' +
      '("TEXT" "HTML" ("CHARSET" "US-ASCII") NIL NIL "7BIT" 5 1 NIL NIL NIL NIL) "MIXED" ("BOUNDARY" "b") NIL NIL NIL)'],
    ['bad base64 is sized as stored', crlf('Content-Type: application/octet-stream', 'Content-Transfer-Encoding: base64', '', '!!!not*base64'),
      '("APPLICATION" "OCTET-STREAM" NIL NIL NIL "BASE64" 13 NIL NIL NIL NIL)'],
    ['case as the RFC examples: upper-case names, values as written', crlf('Content-Type: Text/HTML; Charset=utf-8; Format=Flowed', '', 'x'),
      '("TEXT" "HTML" ("CHARSET" "utf-8" "FORMAT" "Flowed") NIL NIL "7BIT" 1 0 NIL NIL NIL NIL)'],
    ['present but empty fields are "", absent ones NIL; language is a list; location and md5',
      crlf('Content-Type: text/plain', 'Content-Description:', 'Content-Language: en, zh-CN', 'Content-Location: http://example.cn/a',
        'Content-MD5: Q2hlY2sgSW50ZWdyaXR5IQ==', '', 'x'),
      '("TEXT" "PLAIN" ("CHARSET" "US-ASCII") NIL "" "7BIT" 1 0 "Q2hlY2sgSW50ZWdyaXR5IQ==" NIL ("en" "zh-CN") "http://example.cn/a")'],
    ['raw 8-bit parameter values go as literals', Buffer.concat([Buffer.from('Content-Type: application/pdf; name="'),
      Buffer.from([0xb1, 0xa8, 0xb8, 0xe6]), Buffer.from('.pdf"\r\n\r\nx')]),
      '("APPLICATION" "PDF" ("NAME" {8}\r\n\xb1\xa8\xb8\xe6.pdf) NIL NIL "7BIT" 1 NIL NIL NIL NIL)'],
    ['quotes and backslashes are escaped', crlf('Content-Type: text/plain; name="a \\"b\\" \\\\c"', '', ''),
      '("TEXT" "PLAIN" ("NAME" "a \\"b\\" \\\\c" "CHARSET" "US-ASCII") NIL NIL "7BIT" 0 0 NIL NIL NIL NIL)'],
    ['RFC 2231 continuations in ASCII become one plain parameter (RFC 9051 §7.5.2)',
      crlf('Content-Type: application/x-stuff; title*0*=us-ascii\'en\'This%20is; title*1=" long"', '', ''),
      '("APPLICATION" "X-STUFF" ("TITLE" "This is long") NIL NIL "7BIT" 0 NIL NIL NIL NIL)'],
    ['a word without "=" is no parameter', crlf('Content-Type: text/plain; Windows-1252; format=flowed', '', 'x'),
      '("TEXT" "PLAIN" ("FORMAT" "flowed" "CHARSET" "US-ASCII") NIL NIL "7BIT" 1 0 NIL NIL NIL NIL)'],
    ['an empty quoted value is still a parameter', crlf('Content-Type: text/plain; charset=""', '', 'x'),
      '("TEXT" "PLAIN" ("CHARSET" "") NIL NIL "7BIT" 1 0 NIL NIL NIL NIL)'],
    ['text after a close delimiter on its line still closes the multipart (as Dovecot and Thunderbird read it)',
      crlf('Content-Type: multipart/alternative; boundary=b', '', '--b', 'Content-Type: text/html', '', '<p>hi</p>', '--b--</BODY></HTML>', 'epilogue', ''),
      '(("TEXT" "HTML" ("CHARSET" "US-ASCII") NIL NIL "7BIT" 9 0 NIL NIL NIL NIL) "ALTERNATIVE" ("BOUNDARY" "b") NIL NIL NIL)'],
    ['a longer boundary that starts with ours is not ours', crlf('Content-Type: multipart/mixed; boundary=b', '', '--b', '', 'one', '--bx', 'two', '--b--', ''),
      '(("TEXT" "PLAIN" ("CHARSET" "US-ASCII") NIL NIL "7BIT" 14 2 NIL NIL NIL NIL) "MIXED" ("BOUNDARY" "b") NIL NIL NIL)'],
    ['a multipart nested beyond the depth limit is one opaque part',
      crlf('Content-Type: message/rfc822', '', 'Content-Type: multipart/mixed; boundary=b', '', '--b', '', 'x', '--b--'),
      '("MESSAGE" "RFC822" NIL NIL NIL "7BIT" 60 (NIL NIL NIL NIL NIL NIL NIL NIL NIL NIL) ' +
      '("APPLICATION" "OCTET-STREAM" NIL NIL NIL "7BIT" 15 NIL NIL NIL NIL) 5 NIL NIL NIL NIL)'],
  ];
  for (const [name, raw, expected] of table) {
    it(name, () => {
      const tree = parseMimeTree(typeof raw === 'string' ? Buffer.from(raw, 'utf8') : raw, name.includes('depth') ? { maxDepth: 1 } : {});
      assert.equal(bodyStructure(tree, { extensible: true }), Buffer.from(expected, 'latin1').toString('latin1'));
    });
  }
});

describe('bodyStructure: what Dovecot writes (ignoring case)', () => {
  const dovecot: Array<[string, string, string]> = [
    ['a message without MIME headers', 'Subject: x\r\n\r\nhello\r\n',
      '("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 7 1 NIL NIL NIL NIL)'],
    ['a multipart without parts gets one empty text/plain part', 'Content-Type: multipart/mixed; boundary=b\r\n\r\nno parts here\r\n',
      '(("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 0 0 NIL NIL NIL NIL) "mixed" ("boundary" "b") NIL NIL NIL)'],
    ['an RFC 2231 file name stays encoded, continuations joined (Dovecot 2.3)',
      "Content-Type: application/pdf\r\nContent-Transfer-Encoding: base64\r\nContent-Disposition: attachment;\r\n filename*0*=UTF-8''%E6%8A%A5;\r\n filename*1*=%E5%91%8A.pdf\r\n\r\nJVBERi0xLjQK",
      '("application" "pdf" NIL NIL NIL "base64" 12 NIL ("attachment" ("filename*" "UTF-8\'\'%E6%8A%A5%E5%91%8A.pdf")) NIL NIL)'],
    ['a forwarded message with its envelope and body',
      'Content-Type: message/rfc822\r\n\r\nFrom: a@b.c\r\nSubject: s\r\n\r\nbody\r\n',
      '("message" "rfc822" NIL NIL NIL "7bit" 33 (NIL "s" ((NIL NIL "a" "b.c")) ((NIL NIL "a" "b.c")) ((NIL NIL "a" "b.c")) NIL NIL NIL NIL NIL) ' +
      '("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 6 1 NIL NIL NIL NIL) 4 NIL NIL NIL NIL)'],
  ];
  for (const [name, raw, expected] of dovecot) {
    it(name, () => assert.equal(structure(raw, true).toLowerCase(), expected.toLowerCase()));
  }
  it('writes the empty part without extension data for BODY', () => {
    assert.equal(structure('Content-Type: multipart/alternative; boundary=b\r\n\r\n', false),
      '(("TEXT" "PLAIN" ("CHARSET" "US-ASCII") NIL NIL "7BIT" 0 0) "ALTERNATIVE")');
  });
});
