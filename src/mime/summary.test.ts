// Message summaries from real-world shaped Chinese mail (GB2312/GBK/Big5 encoded words, raw 8-bit
// headers, folding), the date and priority rules, the attachment heuristic, threads, and a fuzz of
// random bytes and truncations that must never throw.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { headerValue, parseHeaders, parseMailDate, summarise, threadIdFor } from './summary.ts';

const msg = (...parts: Array<string | Buffer>): Buffer =>
  Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'utf8') : p)));
const gbk = (...bytes: number[]) => Buffer.from(bytes);

describe('summarise: Chinese headers', () => {
  it('decodes GB2312 B-encoded From and Subject (Foxmail style)', () => {
    const s = summarise(msg(
      'From: =?GB2312?B?1cXI/Q==?= <zhangsan@example.cn>\r\n',
      'To: "=?GB2312?B?xOO6ww==?=" <nihao@example.cn>, lisi@example.cn\r\n',
      'Subject: =?GB2312?B?xOO6ww==?=\r\n',
      'Date: Mon, 5 May 2025 10:00:00 +0800\r\n',
      'Message-ID: <20250505100000.1@example.cn>\r\n',
      '\r\nbody\r\n',
    ));
    assert.equal(s.from, '张三 <zhangsan@example.cn>');
    assert.equal(s.to, '你好 <nihao@example.cn>, lisi@example.cn');
    assert.equal(s.subject, '你好');
    assert.equal(s.sentAt, Date.UTC(2025, 4, 5, 2, 0, 0));
    assert.equal(s.messageIdHeader, '20250505100000.1@example.cn');
    assert.equal(s.threadId, threadIdFor('20250505100000.1@example.cn'));
    assert.equal(s.priority, 'normal');
    assert.equal(s.hasAttachment, false);
  });

  it('decodes GBK Q-encoding and Big5 B-encoding, joining adjacent words across folds', () => {
    const s = summarise(msg(
      'Subject: =?GBK?Q?=BB=E1=D2=E9?=\r\n',
      '\t=?GBK?Q?=CD=A8=D6=AA?=\r\n',
      'From: =?big5?B?tPq41bZspfM=?= <ceshi@example.com.tw>\r\n',
      '\r\n',
    ));
    assert.equal(s.subject, '会议通知');
    assert.equal(s.from, '測試郵件 <ceshi@example.com.tw>');
  });

  it('reads raw 8-bit headers: valid UTF-8 as UTF-8, anything else as GB18030', () => {
    const utf8 = summarise(msg('Subject: 你好世界\r\nFrom: 王五 <wangwu@example.cn>\r\n\r\n'));
    assert.equal(utf8.subject, '你好世界');
    assert.equal(utf8.from, '王五 <wangwu@example.cn>');
    const raw = summarise(msg('Subject: ', gbk(0xC4, 0xE3, 0xBA, 0xC3), '\r\nFrom: ', gbk(0xD5, 0xC5, 0xC8, 0xFD),
      ' <zs@example.cn>\r\n\r\n'));
    assert.equal(raw.subject, '你好');
    assert.equal(raw.from, '张三 <zs@example.cn>');
  });

  it('unfolds long folded headers and keeps plain text as is', () => {
    const s = summarise(msg(
      'To: a@example.cn,\r\n b@example.cn,\r\n\t"Carol C" <c@example.cn>\r\n',
      'Subject: A long\r\n subject line\r\n\r\n',
    ));
    assert.equal(s.to, 'a@example.cn, b@example.cn, Carol C <c@example.cn>');
    assert.equal(s.subject, 'A long subject line');
  });

  it('gives empty values for missing headers, with a thread of its own', () => {
    const a = summarise(msg('X-Nothing: here\r\n\r\nbody'));
    assert.deepEqual({ ...a, threadId: '' }, {
      from: '', to: '', subject: '', sentAt: null, hasAttachment: false, priority: 'normal', messageIdHeader: '', threadId: '',
    });
    assert.equal(a.threadId.length, 16);
    assert.equal(summarise(Buffer.alloc(0)).subject, '');
    assert.equal(summarise(msg('Subject: only a header, no body')).subject, 'only a header, no body');
  });

  it('accepts LF-only messages and skips an mbox From line', () => {
    const s = summarise(msg('From sender@example.cn Mon May  5 10:00:00 2025\nFrom: x@example.cn\nSubject: hi\n\nbody\n'));
    assert.equal(s.from, 'x@example.cn');
    assert.equal(s.subject, 'hi');
  });
});

describe('parseHeaders / headerValue', () => {
  it('lists fields in order, lower-case keys, unfolded raw lines, and the body offset', () => {
    const raw = msg('Received: from a\r\n\tby b\r\nSubject: =?utf-8?B?5L2g5aW9?=\r\nsubject: second\r\n\r\nBODY');
    const { headers, bodyOffset } = parseHeaders(raw);
    assert.deepEqual(headers, [
      { key: 'received', line: 'Received: from a\tby b' },
      { key: 'subject', line: 'Subject: =?utf-8?B?5L2g5aW9?=' },
      { key: 'subject', line: 'subject: second' },
    ]);
    assert.equal(raw.subarray(bodyOffset).toString(), 'BODY');
    assert.equal(headerValue(headers, 'SUBJECT'), '=?utf-8?B?5L2g5aW9?=');
    assert.equal(headerValue(headers, 'to'), undefined);
  });
});

describe('parseMailDate', () => {
  const cases: Array<[string, number | null]> = [
    ['Mon, 5 May 2025 10:00:00 +0800', Date.UTC(2025, 4, 5, 2)],
    ['5 May 2025 10:00 +0800 (CST)', Date.UTC(2025, 4, 5, 2)],
    ['Mon, 05 May 2025 10:00:00 GMT', Date.UTC(2025, 4, 5, 10)],
    ['Mon, 5 May 25 10:00:00 EST', Date.UTC(2025, 4, 5, 15)],
    ['Sun, 1 Jan 99 00:00:00 -0000', Date.UTC(1999, 0, 1)],
    ['2025-05-05 10:00:00', Date.UTC(2025, 4, 5, 10)],
    ['2025-05-05T10:00:00+08:00', Date.UTC(2025, 4, 5, 2)],
    ['foo 1', null],
    ['', null],
    ['Mon, 32 May 2025 10:00:00 +0800', null],
    ['Mon, 5 Foo 2025 10:00:00 +0800', null],
  ];
  for (const [input, expected] of cases) {
    it(`${JSON.stringify(input)} → ${expected === null ? 'null' : new Date(expected).toISOString()}`, () => {
      assert.equal(parseMailDate(input), expected);
    });
  }
});

describe('summarise: priority, attachments, threads', () => {
  const withHeader = (h: string) => summarise(msg(`${h}\r\n\r\n`)).priority;
  it('maps X-Priority, Importance, Priority and X-MSMail-Priority', () => {
    assert.equal(withHeader('X-Priority: 1 (Highest)'), 'high');
    assert.equal(withHeader('X-Priority: 2'), 'high');
    assert.equal(withHeader('X-Priority: 3 (Normal)'), 'normal');
    assert.equal(withHeader('X-Priority: 5 (Lowest)'), 'low');
    assert.equal(withHeader('Importance: High'), 'high');
    assert.equal(withHeader('Importance: low'), 'low');
    assert.equal(withHeader('Priority: urgent'), 'high');
    assert.equal(withHeader('Priority: non-urgent'), 'low');
    assert.equal(withHeader('X-MSMail-Priority: High'), 'high');
    assert.equal(withHeader('X-Priority: banana\r\nImportance: low'), 'low', 'an unreadable X-Priority defers to the next header');
  });

  it('flags attachments: multipart/mixed, a disposition or a name= in a part header', () => {
    const mixed = msg('Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n\r\ntext\r\n--b--\r\n');
    assert.equal(summarise(mixed).hasAttachment, true);
    const related = msg(
      'Content-Type: multipart/related; boundary="b"\r\n\r\n',
      '--b\r\nContent-Type: text/html\r\n\r\n<p>hi</p>\r\n',
      '--b\r\nContent-Type: image/png;\r\n\tname="=?GBK?B?1cXI/Q==?=.png"\r\nContent-ID: <x>\r\n\r\niVBOR\r\n--b--\r\n',
    );
    assert.equal(summarise(related).hasAttachment, true);
    const alt = msg(
      'Content-Type: multipart/alternative; boundary="b"\r\n\r\n',
      '--b\r\nContent-Type: text/plain\r\n\r\nsee <input name="x"> and filename=foo\r\n',
      '--b\r\nContent-Type: text/html\r\n\r\n<meta name="viewport">\r\n--b--\r\n',
    );
    assert.equal(summarise(alt).hasAttachment, false, 'name= in body text is not a part header');
    const single = msg('Content-Type: application/pdf; name="a.pdf"\r\nContent-Transfer-Encoding: base64\r\n\r\nJVBE\r\n');
    assert.equal(summarise(single).hasAttachment, true);
    const quoted = msg('Content-Type: text/plain\r\n\r\nContent-Disposition: attachment\r\n');
    assert.equal(summarise(quoted).hasAttachment, false, 'a single text part is not scanned');
  });

  it('threads a reply with its original through References, then In-Reply-To', () => {
    const original = summarise(msg('Message-ID: <root@example.cn>\r\n\r\n'));
    const reply = summarise(msg('Message-ID: <r1@example.cn>\r\nIn-Reply-To: <root@example.cn>\r\n\r\n'));
    const second = summarise(msg('Message-ID: <r2@example.cn>\r\nIn-Reply-To: <r1@example.cn>\r\n',
      'References: <root@example.cn>\r\n <r1@example.cn>\r\n\r\n'));
    assert.equal(reply.threadId, original.threadId);
    assert.equal(second.threadId, original.threadId);
    assert.equal(second.messageIdHeader, 'r2@example.cn');
    assert.match(original.threadId, /^[A-Za-z0-9_-]{16}$/);
  });
});

// Hostile input: nothing may throw, and nothing may take long. Limits sit far above the ~50 ms a
// run takes here, far below a stall.
describe('summarise: garbage never throws', () => {
  const sample = msg(
    'From: =?GB2312?B?1cXI/Q==?= <zhangsan@example.cn>\r\nSubject: =?GBK?Q?=BB=E1=D2=E9?=\r\n',
    'Date: Mon, 5 May 2025 10:00:00 +0800\r\nReferences: <a@b>\r\n',
    'Content-Type: multipart/mixed; boundary="b"\r\n\r\n--b\r\nContent-Disposition: attachment; filename=x\r\n\r\nx\r\n--b--\r\n',
  );

  it('survives every truncation of a real message', () => {
    for (let n = 0; n <= sample.length; n++) summarise(sample.subarray(0, n));
  });

  it('survives random bytes and random mutations', () => {
    for (let i = 0; i < 2000; i++) {
      summarise(randomBytes(i % 600));
      const mutated = Buffer.from(sample);
      for (let k = 0; k < 8; k++) mutated[Math.floor(Math.random() * mutated.length)] = Math.floor(Math.random() * 256);
      summarise(mutated);
    }
  });

  it('stops at 256 KiB of header and stays fast on pathological shapes', () => {
    const started = Date.now();
    const huge = Buffer.alloc(4 * 1024 * 1024, 'X-A: ' + 'a'.repeat(70) + '\r\n');
    assert.equal(summarise(huge).subject, '');
    const colons = Buffer.alloc(1024 * 1024, ':');
    summarise(colons);
    const folds = msg('Subject: x\r\n', ' '.repeat(300_000), '\r\n\r\n');
    summarise(folds);
    const manyTo = msg('To: ', Array.from({ length: 5000 }, (_, i) => `u${i}@example.cn`).join(', '), '\r\n\r\n');
    assert.ok(summarise(manyTo).to.length <= 2001);
    const partHeaders = msg('Content-Type: multipart/alternative; boundary=b\r\n\r\n', 'Content-Type: x\n \n'.repeat(100_000));
    summarise(partHeaders);
    assert.ok(Date.now() - started < 5000, `took ${Date.now() - started} ms`);
  });
});
