// Text for the full-text index: Chinese charsets (GB2312/GBK/GB18030/Big5, labelled, unlabelled
// and mislabelled), transfer encodings, HTML, which parts are read, the caps, and word segmentation.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseMimeTree } from './mime-tree.ts';
import { decodeCharset, htmlToText, searchableText, segmentWords } from './search-text.ts';

const msg = (...parts: Array<string | Buffer>): Buffer =>
  Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p.replace(/(?<!\r)\n/g, '\r\n'), 'utf8') : p)));
const text = (raw: Buffer, limits = {}) => searchableText(raw, parseMimeTree(raw), limits);
const GBK_NOTICE = Buffer.from([0xbb, 0xe1, 0xd2, 0xe9, 0xcd, 0xa8, 0xd6, 0xaa]); // 会议通知
const BIG5_TEST = Buffer.from([0xb4, 0xfa, 0xb8, 0xd5, 0xb6, 0x6c, 0xa5, 0xf3]); // 測試郵件
const qp = (b: Buffer) => [...b].map((x) => `=${x.toString(16).toUpperCase()}`).join('');

describe('decodeCharset', () => {
  const table: Array<[string, Buffer, string | undefined, string]> = [
    ['GB2312 label reads GBK', GBK_NOTICE, 'gb2312', '会议通知'],
    ['Big5', BIG5_TEST, 'big5', '測試郵件'],
    ['GB18030 four-byte sequences', Buffer.from([0x95, 0x32, 0x82, 0x36]), 'GB18030', '𠀀'],
    ['unlabelled GBK falls back to GB18030', GBK_NOTICE, undefined, '会议通知'],
    ['GBK mislabelled as UTF-8', GBK_NOTICE, 'utf-8', '会议通知'],
    ['real UTF-8', Buffer.from('会议通知'), 'UTF-8', '会议通知'],
    ['an alias TextDecoder does not know (cp936)', GBK_NOTICE, 'cp936', '会议通知'],
    ['a label only iconv-lite knows (through libmime)', Buffer.from([0x82, 0x41]), 'cp437', 'éA'],
    ['an unknown label reads as UTF-8', Buffer.from('ok'), 'x-no-such-charset', 'ok'],
    ['ISO-8859-1', Buffer.from([0x63, 0x61, 0x66, 0xe9]), 'iso-8859-1', 'café'],
  ];
  for (const [name, bytes, charset, expected] of table) it(name, () => assert.equal(decodeCharset(bytes, charset), expected));
});

describe('htmlToText', () => {
  const table: Array<[string, string]> = [
    ['<p>你<b>好</b></p><p>世界</p>', '你好\n世界'],
    ['<html><head><title>t</title><style>p{color:red}</style></head><body>a<script>var x="<p>";</script>b</body></html>', 'ab'],
    ['a&nbsp;&amp;&lt;b&gt;&#20320;&#x597D;&unknown;', 'a &<b>你好&unknown;'],
    ['<!-- hidden <p>x</p> -->shown<br>next', 'shown\nnext'],
    ['line<div>  spaced   out </div>', 'line\nspaced out'],
    ['unterminated <tag', 'unterminated'],
    ['<script>never closed', 'never closed'],
  ];
  for (const [html, expected] of table) it(JSON.stringify(html), () => assert.equal(htmlToText(html), expected));

  it('stays linear on hostile markup', () => {
    const started = performance.now();
    htmlToText('<script>'.repeat(200_000));
    htmlToText(`${'<'.repeat(300_000)}`);
    htmlToText(`<style>${'<!--'.repeat(100_000)}`);
    assert.ok(performance.now() - started < 3000, `${performance.now() - started} ms`);
  });
});

// 邮箱地址 in GBK, base64: the plain alternative, which the HTML one replaces in the index.
const GBK_PLAIN = (): string => Buffer.from([0xd3, 0xca, 0xcf, 0xe4, 0xb5, 0xd8, 0xd6, 0xb7]).toString('base64');

const mixed = msg(
  'From: =?GBK?B?1cXI/Q==?= <zhangsan@example.cn>\n',
  'Subject: =?GBK?Q?', qp(GBK_NOTICE), '?=\n',
  'Received: from mx.example.cn by x\n',
  'DKIM-Signature: v=1; b=AAAAAAAAAAAAAAAA\n',
  'Content-Type: multipart/mixed; boundary=o\n\n',
  '--o\n',
  'Content-Type: multipart/alternative; boundary=a\n\n',
  '--a\n',
  'Content-Type: text/plain; charset=gb2312\n',
  'Content-Transfer-Encoding: base64\n\n',
  GBK_PLAIN(),
  '\n--a\n',
  'Content-Type: text/html; charset=big5\n',
  'Content-Transfer-Encoding: quoted-printable\n\n',
  '<p>', qp(BIG5_TEST), '</p><p>HTML&nbsp;Only</p>\n',
  '--a--\n',
  '--o\n',
  'Content-Type: application/pdf\n',
  "Content-Disposition: attachment; filename*=UTF-8''%E6%8A%A5%E5%91%8A.pdf\n",
  'Content-Transfer-Encoding: base64\n\n',
  'JVBERi0xLjQK c2VjcmV0IHBkZg==\n',
  '--o\n',
  'Content-Type: text/plain; name=notes.txt\n',
  'Content-Disposition: attachment\n\n',
  'attached notes\n',
  '--o\n',
  'Content-Type: message/rfc822\n\n',
  'From: lisi@example.cn\nSubject: =?UTF-8?B?6L2s5Y+R?=\nX-Other: hidden\n\n',
  'forwarded words\n',
  '--o--\n',
);

describe('searchableText', () => {
  const { headers, body } = text(mixed);

  it('decodes headers, leaves out trace and signature fields, and lists attachment names', () => {
    assert.match(headers, /^From: 张三 <zhangsan@example\.cn>$/m);
    assert.match(headers, /^Subject: 会议通知$/m);
    assert.doesNotMatch(headers, /Received|DKIM/);
    assert.match(headers, /^报告\.pdf$/m);
    assert.match(headers, /^notes\.txt$/m);
  });

  it('reads the HTML alternative, text attachments and forwarded messages, not binary parts', () => {
    assert.equal(body, '測試郵件\nHTML Only\nattached notes\nFrom: lisi@example.cn\nSubject: 转发\nforwarded words');
  });

  it('reads the plain alternative when there is no HTML, and a single GBK part without a charset', () => {
    const plainOnly = msg('Content-Type: multipart/alternative; boundary=a\n\n--a\nContent-Type: text/plain; charset=gbk\n',
      'Content-Transfer-Encoding: base64\n\n', GBK_PLAIN(), '\n--a\nContent-Type: application/ms-tnef\n\nxx\n--a--\n');
    assert.equal(text(plainOnly).body, '邮箱地址');
    const unlabelled = msg('Subject: x\n\n', GBK_NOTICE, '\n');
    assert.equal(text(unlabelled).body, '会议通知\r\n');
  });

  it('cuts at the limits and survives bad base64 and garbage', () => {
    const big = msg('Subject: big\n\n', 'word '.repeat(100_000));
    assert.equal(text(big, { maxBodyChars: 1000 }).body.length, 1000);
    assert.ok(text(msg(`Subject: ${'s'.repeat(5000)}\n\n`), { maxHeaderChars: 100 }).headers.length <= 100);
    const bad = msg('Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: base64\n\n', '5L2g!!!5aW9*\n');
    assert.equal(text(bad).body, '你好');
    for (let i = 0; i < 300; i++) {
      const mutated = Buffer.from(mixed);
      for (let k = 0; k < 10; k++) mutated[Math.floor(Math.random() * mutated.length)] = Math.floor(Math.random() * 256);
      text(mutated);
    }
  });
});

describe('segmentWords', () => {
  const table: Array<[string, string[]]> = [
    ['邮箱地址', ['邮箱', '地址']],
    ['請把報告發到我的郵箱', ['請', '把', '報告', '發到', '我的', '郵箱']],
    ['Hello, World! 你好世界。', ['hello', 'world', '你好', '世界']],
    ['ＡＢＣ　全角１２３', ['abc', '全角', '123']],
    [`x ${'a'.repeat(65)} y`, ['x', 'y']],
    ['', []],
  ];
  for (const [input, expected] of table) it(JSON.stringify(input.slice(0, 20)), () => assert.deepEqual(segmentWords(input), expected));

  it('cuts spaced scripts where Intl.Segmenter does (the regular expression stands in for it)', () => {
    const seg = new Intl.Segmenter('zh', { granularity: 'word' });
    const bySegmenter = (t: string) => [...seg.segment(t.normalize('NFKC'))]
      .filter((s) => s.isWordLike && s.segment.length <= 64).map((s) => s.segment.toLowerCase());
    const samples = ['mailto:bob x', '1,000.5 a,b 10:30', "a_b x.y don't it’s rock'n'roll", 'http://www.example.com/a?b=c&d=1',
      'user@example.com', 'café naïve', '3a.b4 a.1 1.a', 'Hello你好世界abc', 'foo--bar a.b.c. U.S.A.', 'e-mail v1.2.3-beta',
      'ÄÖÜ ß İstanbul', '₂x ①', 'Москва, привет!', 'こんにちは世界', 'สวัสดีครับ', '안녕하세요 세계', "'quoted' $100 50%",
      '__init__ _x', 'Re: [邮局] 发票 #12345 (urgent)', 'Ｒｅ：会议通知 2026-11-28'];
    for (const t of samples) assert.deepEqual(segmentWords(t), bySegmenter(t), t);
  });

  it('feeds the index: a message body yields its Chinese words', () => {
    const words = segmentWords(text(msg('Content-Type: text/plain; charset=gbk\nContent-Transfer-Encoding: base64\n\n', GBK_PLAIN(), '\n')).body);
    assert.deepEqual(words, ['邮箱', '地址']);
  });
});
