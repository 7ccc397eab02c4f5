// The MIME tree: offsets, part numbers (RFC 3501 §6.4.5), parameters (RFC 2045, RFC 2231, encoded
// words), defaults, and broken real-world shapes; then the limits, against hostile input.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { findPart, parseMimeTree, partCharset, partFilename, type MimePart } from './mime-tree.ts';

const crlf = (...lines: string[]): Buffer => Buffer.from(lines.join('\r\n'), 'utf8');
const lf = (...lines: string[]): Buffer => Buffer.from(lines.join('\n'), 'utf8');
const bodyOf = (raw: Buffer, p: MimePart): string => raw.toString('latin1', p.bodyStart, p.bodyEnd);
const headerOf = (raw: Buffer, p: MimePart): string => raw.toString('latin1', p.headerStart, p.headerEnd);
const shape = (p: MimePart): string =>
  p.type === 'multipart' ? `${p.subtype}(${p.children.map(shape).join(',')})`
  : p.message ? `rfc822[${shape(p.message)}]` : `${p.type}/${p.subtype}`;

const nested = crlf(
  'From: a@example.cn',
  'Content-Type: multipart/mixed; boundary="outer"',
  '',
  'This is a preamble.',
  '--outer',
  'Content-Type: multipart/alternative; boundary=inner',
  '',
  '--inner',
  'Content-Type: text/plain; charset=gbk',
  '',
  'plain text',
  '',
  '--inner',
  'Content-Type: text/html; charset=gbk',
  '',
  '<p>html</p>',
  '--inner--',
  '',
  '--outer',
  'Content-Type: image/png; name=a.png',
  'Content-ID: <img1@example.cn>',
  'Content-Disposition: inline',
  'Content-Transfer-Encoding: base64',
  '',
  'iVBORw0KGgo=',
  '--outer',
  'Content-Type: application/pdf',
  "Content-Disposition: attachment; filename*=UTF-8''%E6%8A%A5%E5%91%8A.pdf",
  'Content-Transfer-Encoding: base64',
  '',
  'JVBERi0xLjQK',
  '--outer',
  'Content-Type: message/rfc822',
  '',
  'Subject: forwarded',
  'Content-Type: multipart/mixed; boundary=fw',
  '',
  '--fw',
  '',
  'inner text',
  '--fw--',
  '',
  '--outer--',
  'epilogue',
  '',
);

describe('parseMimeTree: structure and offsets', () => {
  const tree = parseMimeTree(nested);

  it('finds the nested shape, with part numbers as IMAP counts them', () => {
    assert.equal(shape(tree), 'mixed(alternative(text/plain,text/html),image/png,application/pdf,rfc822[mixed(text/plain)])');
    const numbers: string[] = [];
    const walk = (p: MimePart) => { numbers.push(p.part); p.children.forEach(walk); if (p.message) walk(p.message); };
    walk(tree);
    assert.deepEqual(numbers, ['', '1', '1.1', '1.2', '2', '3', '4', '4', '4.1']);
  });

  it('cuts bodies before the line break of each delimiter, and skips preamble and epilogue', () => {
    assert.equal(headerOf(nested, tree), 'From: a@example.cn\r\nContent-Type: multipart/mixed; boundary="outer"\r\n\r\n');
    assert.equal(bodyOf(nested, findPart(tree, '1.1')!), 'plain text\r\n');
    assert.equal(findPart(tree, '1.1')!.lines, 1);
    assert.equal(bodyOf(nested, findPart(tree, '1.2')!), '<p>html</p>');
    assert.equal(findPart(tree, '1.2')!.lines, 0);
    assert.equal(bodyOf(nested, findPart(tree, '2')!), 'iVBORw0KGgo=');
    assert.equal(headerOf(nested, findPart(tree, '1')!), 'Content-Type: multipart/alternative; boundary=inner\r\n\r\n');
    assert.ok(bodyOf(nested, findPart(tree, '1')!).endsWith('--inner--\r\n'));
    assert.equal(tree.bodyEnd, nested.length);
  });

  it('reads the MIME fields', () => {
    const img = findPart(tree, '2')!;
    assert.equal(img.id, '<img1@example.cn>');
    assert.equal(img.encoding, 'base64');
    assert.deepEqual(img.disposition, { type: 'inline', params: [] });
    assert.equal(partFilename(img), 'a.png');
    assert.equal(partCharset(findPart(tree, '1.1')!), 'gbk');
    const pdf = findPart(tree, '3')!;
    assert.equal(partFilename(pdf), '报告.pdf');
    assert.deepEqual(pdf.disposition?.params, [{ name: 'filename', value: '报告.pdf', raw: "UTF-8''%E6%8A%A5%E5%91%8A.pdf", extended: true }]);
  });

  it('numbers through message/rfc822: 4 is the message, 4.1 its first part, a headerless part defaults to text/plain', () => {
    const fw = findPart(tree, '4')!;
    assert.equal(fw.message?.part, '4');
    assert.ok(fw.message?.envelope?.includes('"forwarded"'));
    assert.equal(fw.lines, 7);
    const inner = findPart(tree, '4.1')!;
    assert.equal(inner.part, '4.1');
    assert.equal(bodyOf(nested, inner), 'inner text');
    assert.equal(`${inner.type}/${inner.subtype}`, 'text/plain');
    assert.equal(findPart(tree, ''), tree);
    for (const missing of ['0', '5', '1.3', '2.1', '4.2', '1.1.1', 'x', '1..2', '01']) assert.equal(findPart(tree, missing), undefined, missing);
  });
});

describe('parseMimeTree: part number rules for single parts (RFC 3501 §6.4.5)', () => {
  const cases: Array<[string, Buffer, Record<string, string | undefined>]> = [
    ['a single-part message is its own part 1', crlf('Subject: x', '', 'hello'), { '1': 'hello', '2': undefined, '1.1': undefined }],
    ['a message that is message/rfc822: 1 is the inner message, 1.1 its body',
      crlf('Content-Type: message/rfc822', '', 'Subject: in', '', 'inner'), { '1': 'Subject: in\r\n\r\ninner', '1.1': 'inner', '1.2': undefined }],
    ['an rfc822 part holding an rfc822 message: 1.1 is the middle one, 1.1.1 the innermost body',
      crlf('Content-Type: multipart/mixed; boundary=b', '', '--b', 'Content-Type: message/rfc822', '',
        'Content-Type: message/rfc822', '', 'Subject: deep', '', 'deepest', '--b--'),
      { '1': 'Content-Type: message/rfc822\r\n\r\nSubject: deep\r\n\r\ndeepest', '1.1': 'Subject: deep\r\n\r\ndeepest', '1.1.1': 'deepest' }],
  ];
  for (const [name, raw, expect] of cases) {
    it(name, () => {
      const tree = parseMimeTree(raw);
      for (const [path, body] of Object.entries(expect)) {
        const p = findPart(tree, path);
        assert.equal(p === undefined ? undefined : bodyOf(raw, p), body, path);
      }
    });
  }
});

const GBK_WORD = `=?GBK?B?${Buffer.from([0xb1, 0xa8, 0xb8, 0xe6, 0x2e, 0x70, 0x64, 0x66]).toString('base64')}?=`;

describe('parseMimeTree: parameters', () => {
  const params = (contentType: string) => parseMimeTree(crlf(`Content-Type: ${contentType}`, '', 'x')).params;
  const table: Array<[string, string, Array<{ name: string; value: string; raw: string; extended: boolean }>]> = [
    ['quoted and plain values', 'text/plain; charset="GB2312"; format=flowed',
      [{ name: 'charset', value: 'GB2312', raw: 'GB2312', extended: false }, { name: 'format', value: 'flowed', raw: 'flowed', extended: false }]],
    ['RFC 2231 continuations join into one ASCII value', 'application/x-stuff; title*0="very long "; title*1=name.txt',
      [{ name: 'title', value: 'very long name.txt', raw: 'very long name.txt', extended: false }]],
    ['RFC 2231 charset GBK, split over continuations', "application/octet-stream; name*0*=GBK''%B1%A8; name*1*=%B8%E6.doc",
      [{ name: 'name', value: '报告.doc', raw: "UTF-8''%E6%8A%A5%E5%91%8A.doc", extended: true }]],
    ['an encoded word in a quoted name (Foxmail, Outlook) is kept raw and decoded in value', `application/pdf; name="${GBK_WORD}"`,
      [{ name: 'name', value: '报告.pdf', raw: GBK_WORD, extended: false }]],
    ['comments are not part of the value', 'text/plain (a comment); charset=utf-8 (utf)',
      [{ name: 'charset', value: 'utf-8', raw: 'utf-8', extended: false }]],
  ];
  for (const [name, header, expected] of table) it(name, () => assert.deepEqual(params(header), expected));

  it('reads raw 8-bit names as UTF-8, else GB18030, and keeps the bytes in raw', () => {
    const gbk = Buffer.concat([Buffer.from('Content-Type: application/pdf; name="'), Buffer.from([0xb1, 0xa8, 0xb8, 0xe6]), Buffer.from('.pdf"\r\n\r\nx')]);
    const [p] = parseMimeTree(gbk).params;
    assert.equal(p?.value, '报告.pdf');
    assert.equal(Buffer.from(p!.raw, 'latin1').toString('hex'), Buffer.from([0xb1, 0xa8, 0xb8, 0xe6, 0x2e, 0x70, 0x64, 0x66]).toString('hex'));
  });
});

describe('parseMimeTree: defaults and broken messages', () => {
  it('defaults a missing or unreadable Content-Type to text/plain, and digest parts to message/rfc822', () => {
    assert.equal(shape(parseMimeTree(crlf('Subject: x', '', 'body'))), 'text/plain');
    assert.equal(shape(parseMimeTree(crlf('Content-Type: garbage', '', 'body'))), 'text/plain');
    const digest = parseMimeTree(crlf('Content-Type: multipart/digest; boundary=d', '', '--d', '', 'Subject: one', '', 'a', '--d',
      'Content-Type: text/plain', '', 'b', '--d--'));
    assert.equal(shape(digest), 'digest(rfc822[text/plain],text/plain)');
  });

  it('lets an unterminated boundary run its last part to the end, and an outer boundary close an inner multipart', () => {
    const raw = crlf('Content-Type: multipart/mixed; boundary=o', '', '--o', 'Content-Type: multipart/alternative; boundary=i', '',
      '--i', '', 'first', '--o', '', 'second, never closed', '');
    const tree = parseMimeTree(raw);
    assert.equal(shape(tree), 'mixed(alternative(text/plain),text/plain)');
    assert.equal(bodyOf(raw, findPart(tree, '1.1')!), 'first');
    assert.equal(bodyOf(raw, findPart(tree, '2')!), 'second, never closed\r\n');
  });

  it('gives a multipart whose boundary never appears no parts, and one without a boundary becomes text', () => {
    const missing = parseMimeTree(crlf('Content-Type: multipart/mixed; boundary=nowhere', '', 'just text', '--elsewhere', 'x'));
    assert.equal(shape(missing), 'mixed()');
    assert.equal(shape(parseMimeTree(crlf('Content-Type: multipart/mixed', '', 'text'))), 'text/plain');
    assert.equal(shape(parseMimeTree(crlf('Content-Type: multipart/mixed; boundary=b', '', '--b--', ''))), 'mixed()');
  });

  it('parses bare-LF messages with the same structure', () => {
    const raw = lf('Content-Type: multipart/mixed; boundary=b', '', '--b', 'Content-Type: text/plain', '', 'one', 'two', '',
      '--b', '', 'x', '--b--', '');
    const tree = parseMimeTree(raw);
    assert.equal(shape(tree), 'mixed(text/plain,text/plain)');
    assert.equal(bodyOf(raw, findPart(tree, '1')!), 'one\ntwo\n');
    assert.equal(findPart(tree, '1')!.lines, 2);
    assert.equal(headerOf(raw, findPart(tree, '1')!), 'Content-Type: text/plain\n\n');
  });

  it('does not take a boundary for a prefix of another, and accepts transport padding after a delimiter', () => {
    const raw = crlf('Content-Type: multipart/mixed; boundary=ab', '', '--ab  ', '', 'one', '--abc', 'still one', '--ab--  ', '');
    const tree = parseMimeTree(raw);
    assert.equal(tree.children.length, 1);
    assert.equal(bodyOf(raw, tree.children[0]!), 'one\r\n--abc\r\nstill one');
  });

  it('reads a part header that runs into the next delimiter, and a message that is only a header', () => {
    const raw = crlf('Content-Type: multipart/mixed; boundary=b', '', '--b', 'Content-Type: text/html', '--b', '', 'x', '--b--');
    const tree = parseMimeTree(raw);
    assert.equal(shape(tree), 'mixed(text/html,text/plain)');
    assert.equal(tree.children[0]!.bodyStart, tree.children[0]!.bodyEnd);
    const headerOnly = parseMimeTree(Buffer.from('Subject: no body'));
    assert.deepEqual([headerOnly.headerEnd, headerOnly.bodyStart, headerOnly.bodyEnd], [16, 16, 16]);
  });
});

// Hostile input. Every case here finishes in well under 100 ms on these machines; the limits are
// set far above that and far below a stall, and the output is bounded by the part budget.
describe('parseMimeTree: hostile input', () => {
  const count = (p: MimePart): number => 1 + p.children.reduce((n, c) => n + count(c), 0) + (p.message ? count(p.message) : 0);
  const depth = (p: MimePart): number => Math.max(p.depth, ...p.children.map(depth), p.message ? depth(p.message) : 0);

  it('never throws on random bytes or mutations of a real message', () => {
    for (let i = 0; i < 1500; i++) {
      parseMimeTree(randomBytes(i % 700));
      const mutated = Buffer.from(nested);
      for (let k = 0; k < 10; k++) mutated[Math.floor(Math.random() * mutated.length)] = Math.floor(Math.random() * 256);
      const tree = parseMimeTree(mutated);
      assert.ok(tree.bodyEnd <= mutated.length);
    }
    for (let n = 0; n <= nested.length; n += 3) parseMimeTree(nested.subarray(0, n));
  });

  it('stops at the depth limit on 10,000 nested multiparts, and at the part budget on 100,000 parts', () => {
    const levels = 10_000;
    const pieces: string[] = [];
    for (let i = 0; i < levels; i++) pieces.push(`Content-Type: multipart/mixed; boundary=b${i}\r\n\r\n--b${i}\r\n`);
    pieces.push('\r\ncore\r\n');
    for (let i = levels - 1; i >= 0; i--) pieces.push(`--b${i}--\r\n`);
    const deep = Buffer.from(pieces.join(''));
    let started = performance.now();
    const tree = parseMimeTree(deep);
    assert.ok(performance.now() - started < 2000, `deep: ${performance.now() - started} ms`);
    assert.equal(depth(tree), 50);
    assert.equal(count(tree), 51);

    const wide = Buffer.from(`Content-Type: multipart/mixed; boundary=w\r\n\r\n${'--w\r\n\r\nx\r\n'.repeat(100_000)}--w--\r\n`);
    started = performance.now();
    const flat = parseMimeTree(wide);
    assert.ok(performance.now() - started < 2000, `wide: ${performance.now() - started} ms`);
    assert.equal(flat.children.length, 2000);
    assert.equal(flat.children.at(-1)!.opaque, true);
    assert.equal(flat.children.at(-1)!.bodyEnd, flat.bodyEnd);
    assert.equal(parseMimeTree(wide, { maxParts: 10 }).children.length, 10);
  });

  it('stops at the depth limit on 10,000 nested message/rfc822 parts', () => {
    const deep = Buffer.from(`${'Content-Type: message/rfc822\r\n\r\n'.repeat(10_000)}end`);
    const started = performance.now();
    const tree = parseMimeTree(deep);
    assert.ok(performance.now() - started < 2000, `${performance.now() - started} ms`);
    assert.equal(depth(tree), 50);
  });

  it('stays linear on many delimiter-like lines and on one huge line', () => {
    const noise = Buffer.from(`Content-Type: multipart/mixed; boundary=b\r\n\r\n${'--bx\r\n--\r\n-- \r\n'.repeat(200_000)}`);
    const started = performance.now();
    assert.equal(parseMimeTree(noise).children.length, 0);
    const longLine = Buffer.concat([Buffer.from('Content-Type: multipart/mixed; boundary=b\r\n\r\n--b'), Buffer.alloc(8_000_000, 0x20), Buffer.from('\r\nx')]);
    assert.equal(parseMimeTree(longLine).children.length, 1);
    assert.ok(performance.now() - started < 3000, `${performance.now() - started} ms`);
  });
});
