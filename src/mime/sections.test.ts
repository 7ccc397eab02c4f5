// BODY[section]<partial> and BINARY[section] (RFC 3501 §6.4.5, RFC 3516): section syntax, each
// section kind on a nested message, header subsets with the trailing blank line, partials, and
// transfer decoding (base64, quoted-printable, bad base64, unknown encodings).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseMimeTree } from './mime-tree.ts';
import { applyPartial, extractBinary, extractSection, parseSection, type Section } from './sections.ts';

const crlf = (...lines: string[]): Buffer => Buffer.from(lines.join('\r\n'), 'utf8');

describe('parseSection', () => {
  const table: Array<[string, Section | undefined]> = [
    ['', { path: [], text: '', fields: [] }],
    ['HEADER', { path: [], text: 'HEADER', fields: [] }],
    ['text', { path: [], text: 'TEXT', fields: [] }],
    ['1.2.3', { path: [1, 2, 3], text: '', fields: [] }],
    ['4.MIME', { path: [4], text: 'MIME', fields: [] }],
    ['4.2.HEADER', { path: [4, 2], text: 'HEADER', fields: [] }],
    ['HEADER.FIELDS (From "To" cc)', { path: [], text: 'HEADER.FIELDS', fields: ['from', 'to', 'cc'] }],
    ['3.header.fields.not (Received)', { path: [3], text: 'HEADER.FIELDS.NOT', fields: ['received'] }],
    ['MIME', undefined],
    ['0', undefined],
    ['1.', undefined],
    ['1..2', undefined],
    ['1HEADER', undefined],
    ['HEADER.FIELDS', undefined],
    ['HEADER.FIELDS ()', undefined],
    ['TEXT (From)', undefined],
    ['HEADERS', undefined],
  ];
  for (const [spec, expected] of table) it(JSON.stringify(spec), () => assert.deepEqual(parseSection(spec), expected));
});

const raw = crlf(
  'From: a@example.cn',
  'Subject: nested',
  '  and folded',
  'Received: from x',
  'Content-Type: multipart/mixed; boundary=b',
  '',
  'preamble',
  '--b',
  'Content-Type: text/plain; charset=utf-8',
  'Content-Transfer-Encoding: quoted-printable',
  '',
  '=E4=BD=A0=E5=A5=BD, soft=',
  ' break',
  '--b',
  'Content-Type: application/octet-stream',
  'Content-Transfer-Encoding: base64',
  '',
  Buffer.from('binary\x00data\xff', 'latin1').toString('base64').replace(/(.{8})/, '$1\r\n'),
  '--b',
  'Content-Type: message/rfc822',
  '',
  'Subject: inner',
  'To: b@example.cn',
  '',
  'inner body',
  '--b',
  'Content-Type: application/x-thing',
  'Content-Transfer-Encoding: x-uuencode',
  '',
  'begin 644 x',
  '--b',
  'Content-Type: image/gif',
  'Content-Transfer-Encoding: base64',
  '',
  'R0lG*ODlh!!',
  '--b--',
  '',
);
const tree = parseMimeTree(raw);
const get = (section: string, partial?: { origin: number; octets?: number }) => extractSection(raw, tree, section, partial)?.toString('latin1');

describe('extractSection', () => {
  const header = 'From: a@example.cn\r\nSubject: nested\r\n  and folded\r\nReceived: from x\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n';
  const table: Array<[string, string | undefined]> = [
    ['', raw.toString('latin1')],
    ['HEADER', header],
    ['TEXT', raw.toString('latin1', header.length)],
    ['HEADER.FIELDS (subject FROM)', 'From: a@example.cn\r\nSubject: nested\r\n  and folded\r\n\r\n'],
    ['HEADER.FIELDS.NOT (Received Content-Type)', 'From: a@example.cn\r\nSubject: nested\r\n  and folded\r\n\r\n'],
    ['HEADER.FIELDS (X-Absent)', '\r\n'],
    ['1', '=E4=BD=A0=E5=A5=BD, soft=\r\n break'],
    ['1.MIME', 'Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n'],
    ['3', 'Subject: inner\r\nTo: b@example.cn\r\n\r\ninner body'],
    ['3.HEADER', 'Subject: inner\r\nTo: b@example.cn\r\n\r\n'],
    ['3.TEXT', 'inner body'],
    ['3.HEADER.FIELDS (To)', 'To: b@example.cn\r\n\r\n'],
    ['3.1', 'inner body'],
    ['3.1.MIME', 'Subject: inner\r\nTo: b@example.cn\r\n\r\n'],
    ['3.MIME', 'Content-Type: message/rfc822\r\n\r\n'],
    ['1.HEADER', undefined],
    ['1.TEXT', undefined],
    ['7', undefined],
    ['3.2', undefined],
    ['MIME', undefined],
  ];
  for (const [section, expected] of table) it(`BODY[${section}]`, () => assert.equal(get(section), expected));

  it('applies <origin.octets> partials, empty past the end', () => {
    assert.equal(get('3.TEXT', { origin: 6, octets: 4 }), 'body');
    assert.equal(get('3.TEXT', { origin: 6, octets: 400 }), 'body');
    assert.equal(get('3.TEXT', { origin: 6 }), 'body');
    assert.equal(get('3.TEXT', { origin: 99, octets: 4 }), '');
    assert.equal(get('HEADER', { origin: 0, octets: 4 }), 'From');
    assert.equal(applyPartial(Buffer.from('abc'), { origin: 1, octets: 0 }).length, 0);
  });

  it('keeps a bare-LF blank line as it is, and adds none when the message has no body', () => {
    const lf = Buffer.from('From: a@b.c\nSubject: s\n\nbody\n');
    assert.equal(extractSection(lf, parseMimeTree(lf), 'HEADER.FIELDS (subject)')?.toString(), 'Subject: s\n\n');
    const headerOnly = Buffer.from('From: a@b.c\r\nSubject: s');
    const t = parseMimeTree(headerOnly);
    assert.equal(extractSection(headerOnly, t, 'HEADER.FIELDS (subject)')?.toString(), 'Subject: s');
    assert.equal(extractSection(headerOnly, t, 'HEADER')?.toString(), 'From: a@b.c\r\nSubject: s');
    assert.equal(extractSection(headerOnly, t, 'TEXT')?.toString(), '');
  });

  it('answers a single-part message: part 1 is its body, 1.MIME its header, 2 nothing', () => {
    const single = crlf('Subject: one', 'Content-Type: text/plain', '', 'the body');
    const t = parseMimeTree(single);
    assert.equal(extractSection(single, t, '1')?.toString(), 'the body');
    assert.equal(extractSection(single, t, '1.MIME')?.toString(), 'Subject: one\r\nContent-Type: text/plain\r\n\r\n');
    assert.equal(extractSection(single, t, '2'), null);
  });
});

describe('extractBinary (RFC 3516)', () => {
  it('decodes quoted-printable and base64, leaves the rest, and honours partials after decoding', () => {
    const qp = extractBinary(raw, tree, '1');
    assert.deepEqual(qp, { ok: true, bytes: Buffer.from('你好, soft break') });
    const b64 = extractBinary(raw, tree, [2]);
    assert.deepEqual(b64, { ok: true, bytes: Buffer.from('binary\x00data\xff', 'latin1') });
    assert.deepEqual(extractBinary(raw, tree, '2', { origin: 7, octets: 4 }), { ok: true, bytes: Buffer.from('data') });
    assert.deepEqual(extractBinary(raw, tree, '3'), { ok: true, bytes: Buffer.from('Subject: inner\r\nTo: b@example.cn\r\n\r\ninner body') });
    assert.deepEqual(extractBinary(raw, tree, '3.1'), { ok: true, bytes: Buffer.from('inner body') });
    assert.deepEqual(extractBinary(raw, tree, ''), { ok: true, bytes: raw });
  });

  it('reports unknown encodings and missing parts', () => {
    assert.deepEqual(extractBinary(raw, tree, '4'), { ok: false, reason: 'unknown-cte' });
    assert.deepEqual(extractBinary(raw, tree, '9'), { ok: false, reason: 'no-such-part' });
    assert.deepEqual(extractBinary(raw, tree, '1.x'), { ok: false, reason: 'no-such-part' });
  });

  it('decodes bad base64 leniently, skipping what is not base64', () => {
    const gif = extractBinary(raw, tree, '5');
    assert.ok(gif.ok);
    assert.deepEqual(gif.bytes, Buffer.from('R0lGODlh', 'base64'));
  });
});
