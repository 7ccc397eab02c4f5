// The domain signature (manual §1.8.2): text and HTML parts of real-world shaped messages signed in
// their own charset and transfer encoding (or UTF-8 base64 when they cannot carry it), attachments
// and everything else byte-identical, signed once only, and no input that makes it throw.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { simpleParser } from 'mailparser';
import { SIGNATURE_MARKER, appendDomainSignature } from './signature.ts';

const SIG = { text: '-- \n示例公司 Example Co.\n电话 010-12345678', html: '<div class="sig">示例公司 <b>Example Co.</b></div>' };
const crlf = (lines: string[]) => lines.join('\r\n');
const PDF = Buffer.from('%PDF-1.4 fake pdf bytes \x00\x01\x02', 'latin1').toString('base64');

const MIXED = Buffer.from(crlf([
  'From: zhangsan@example.cn',
  'To: lisi@example.net',
  'Subject: =?UTF-8?B?5Lya6K6u6YCa55+l?=',
  'MIME-Version: 1.0',
  'Content-Type: multipart/mixed; boundary="mix"',
  '',
  'This is a multi-part message in MIME format.',
  '--mix',
  'Content-Type: multipart/alternative;',
  '\tboundary="alt"',
  '',
  '--alt',
  'Content-Type: text/plain; charset=utf-8',
  'Content-Transfer-Encoding: quoted-printable',
  '',
  '=E4=BD=A0=E5=A5=BD=EF=BC=8C=E6=98=8E=E5=A4=A9=E5=BC=80=E4=BC=9A=E3=80=82',
  '--alt',
  'Content-Type: text/html; charset="UTF-8"',
  'Content-Transfer-Encoding: quoted-printable',
  '',
  '<html><body><p>=E4=BD=A0=E5=A5=BD</p></body></html>',
  '--alt--',
  '--mix',
  'Content-Type: application/pdf; name="report.pdf"',
  'Content-Disposition: attachment; filename="report.pdf"',
  'Content-Transfer-Encoding: base64',
  '',
  PDF,
  '--mix',
  'Content-Type: text/plain; charset=utf-8',
  'Content-Disposition: attachment; filename="notes.txt"',
  '',
  'attached notes stay as they are',
  '--mix--',
  'epilogue',
  '',
]));

describe('appendDomainSignature', () => {
  it('signs the text and HTML alternatives of a multipart/mixed message and leaves attachments alone', async () => {
    const out = appendDomainSignature(MIXED, SIG);
    assert.ok(out.toString('latin1').startsWith(`${SIGNATURE_MARKER}: yes\r\n`));
    const parsed = await simpleParser(out);
    assert.equal(parsed.text, '你好，明天开会。\n\n-- \n示例公司 Example Co.\n电话 010-12345678');
    assert.equal(parsed.html, '<html><body><p>你好</p><div class="sig">示例公司 <b>Example Co.</b></div>\n</body></html>');
    assert.deepEqual(parsed.attachments.map((a) => a.filename), ['report.pdf', 'notes.txt']);
    assert.equal(parsed.attachments[1]?.content.toString(), 'attached notes stay as they are');
    const s = out.toString('latin1');
    assert.ok(s.includes(`Content-Transfer-Encoding: base64\r\n\r\n${PDF}\r\n--mix\r\n`), 'the attachment is byte-identical');
    assert.ok(s.includes('This is a multi-part message in MIME format.\r\n--mix\r\n') && s.endsWith('--mix--\r\nepilogue\r\n'),
      'preamble, delimiters and epilogue are kept');
    assert.match(s, /Content-Type: text\/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n=E4=BD=A0/,
      'the text part stays UTF-8 quoted-printable');
  });

  it('keeps a base64 GBK text part in GBK base64', async () => {
    const gbkText = Buffer.from([0xc4, 0xe3, 0xba, 0xc3, 0x0d, 0x0a]); // 你好\r\n
    const m = Buffer.from(crlf([
      'From: a@example.cn', 'Content-Type: text/plain; charset=GBK', 'Content-Transfer-Encoding: base64', '',
      gbkText.toString('base64'), '',
    ]));
    const out = appendDomainSignature(m, { text: '示例公司', html: '' });
    const s = out.toString('latin1');
    assert.match(s, /Content-Type: text\/plain; charset=GBK\r\nContent-Transfer-Encoding: base64\r\n\r\n/);
    const body = Buffer.from(s.slice(s.indexOf('\r\n\r\n') + 4), 'base64');
    assert.equal(new TextDecoder('gbk').decode(body), '你好\r\n\r\n示例公司\r\n');
    assert.ok(body.includes(Buffer.from([0xca, 0xbe, 0xc0, 0xfd])), '示例 is written in GBK bytes');
    assert.equal((await simpleParser(out)).text, '你好\n\n示例公司\n');
  });

  it('inserts into quoted-printable HTML before </body>, in the same encoding', async () => {
    const m = Buffer.from(crlf([
      'Content-Type: text/html; charset=utf-8', 'Content-Transfer-Encoding: quoted-printable', '',
      '<HTML><BODY style=3D"x">=E4=BD=A0=E5=A5=BD<br>', '</BODY></HTML>', '',
    ]));
    const out = appendDomainSignature(m, SIG);
    assert.match(out.toString('latin1'), /Content-Transfer-Encoding: quoted-printable\r\n\r\n<HTML><BODY style=3D"x">=E4=BD=A0/);
    assert.equal((await simpleParser(out)).html,
      '<HTML><BODY style="x">你好<br>\n<div class="sig">示例公司 <b>Example Co.</b></div>\n</BODY></HTML>\n');
  });

  it('turns a part that cannot carry the signature into UTF-8 base64', async () => {
    const ascii = Buffer.from(crlf(['Subject: hi', 'Content-Type: text/plain', 'Content-Transfer-Encoding: 7bit', '', 'Hello', '']));
    const out = appendDomainSignature(ascii, { text: '示例公司', html: '' });
    assert.match(out.toString(), /Content-Type: text\/plain; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n/);
    assert.equal((await simpleParser(out)).text, 'Hello\n\n示例公司\n');

    const big5 = Buffer.concat([Buffer.from('Content-Type: text/plain; charset=big5\r\nContent-Transfer-Encoding: 8bit\r\n\r\n'),
      Buffer.from([0xb4, 0xfa, 0xb8, 0xd5])]); // 測試
    const traditional = appendDomainSignature(big5, { text: '測試公司', html: '' });
    assert.match(traditional.toString('latin1'), /charset=big5\r\nContent-Transfer-Encoding: 8bit\r\n/, 'Big5 can carry 測試公司');
    assert.equal((await simpleParser(traditional)).text, '測試\n\n測試公司');
    const simplified = appendDomainSignature(big5, { text: '简体公司', html: '' });
    assert.match(simplified.toString(), /charset=utf-8\r\nContent-Transfer-Encoding: base64/, 'Big5 has no 简: UTF-8 it is');
    assert.equal((await simpleParser(simplified)).text, '測試\n\n简体公司');
  });

  it('signs a message with no MIME headers at all, adding them', async () => {
    const out = appendDomainSignature(Buffer.from('From: a@example.cn\r\nSubject: x\r\n\r\nplain body\r\n'), SIG);
    assert.match(out.toString(), /Subject: x\r\nMIME-Version: 1\.0\r\nContent-Type: text\/plain; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n/);
    assert.equal((await simpleParser(out)).text, 'plain body\n\n-- \n示例公司 Example Co.\n电话 010-12345678\n');
    const noBody = appendDomainSignature(Buffer.from('Subject: empty'), { text: 'sig', html: '' });
    assert.equal(noBody.toString(), `${SIGNATURE_MARKER}: yes\r\nSubject: empty\r\n\r\nsig`);
  });

  it('signs once: a marked message comes back unchanged', () => {
    const once = appendDomainSignature(MIXED, SIG);
    assert.equal(appendDomainSignature(once, SIG), once);
  });

  it('leaves signed, encrypted and attachment-only messages and empty signatures alone', () => {
    const signed = Buffer.from(crlf(['Content-Type: multipart/signed; protocol="application/pkcs7-signature"; boundary=s', '',
      '--s', 'Content-Type: text/plain', '', 'signed text', '--s', 'Content-Type: application/pkcs7-signature', '', 'MIAG', '--s--', '']));
    assert.equal(appendDomainSignature(signed, SIG), signed);
    const pdf = Buffer.from(`Content-Type: application/pdf; name=a.pdf\r\nContent-Transfer-Encoding: base64\r\n\r\n${PDF}\r\n`);
    assert.equal(appendDomainSignature(pdf, SIG), pdf);
    assert.equal(appendDomainSignature(MIXED, { text: '', html: '' }), MIXED);
    const weird = Buffer.from('Content-Type: text/plain\r\nContent-Transfer-Encoding: x-uuencode\r\n\r\nbegin 644 a\r\n');
    assert.equal(appendDomainSignature(weird, SIG), weird);
  });

  it('handles LF-only messages and a boundary that prefixes another', async () => {
    const m = Buffer.from([
      'Content-Type: multipart/alternative; boundary=b', '', '--b', 'Content-Type: text/plain', '', 'one',
      '--bb', 'still part one', '--b', 'Content-Type: text/html', '', '<p>two</p>', '--b--', '',
    ].join('\n'));
    const out = appendDomainSignature(m, { text: 'SIG', html: '<i>SIG</i>' });
    assert.ok(out.toString().startsWith(`${SIGNATURE_MARKER}: yes\n`));
    const parsed = await simpleParser(out);
    assert.equal(parsed.text, 'one\n--bb\nstill part one\n\nSIG');
    assert.equal(parsed.html, '<p>two</p>\n\n<i>SIG</i>');
  });

  // Hostile input: the rewriter sits in the delivery path, so it must hand back something for any bytes.
  it('never throws on random bytes, truncations or deep nesting', () => {
    for (let n = 0; n <= MIXED.length; n += 7) appendDomainSignature(MIXED.subarray(0, n), SIG);
    for (let i = 0; i < 500; i++) {
      appendDomainSignature(randomBytes(i), SIG);
      const mutated = Buffer.from(MIXED);
      for (let k = 0; k < 10; k++) mutated[Math.floor(Math.random() * mutated.length)] = Math.floor(Math.random() * 256);
      appendDomainSignature(mutated, SIG);
    }
    let deep = 'Content-Type: text/plain\r\n\r\nx\r\n';
    for (let d = 0; d < 60; d++) deep = `Content-Type: multipart/mixed; boundary=d${d}\r\n\r\n--d${d}\r\n${deep}--d${d}--\r\n`;
    const started = Date.now();
    appendDomainSignature(Buffer.from(deep), SIG);
    appendDomainSignature(Buffer.from(`Content-Type: multipart/mixed; boundary=z\r\n\r\n${'--z\r\n\r\nx\r\n'.repeat(20_000)}`), SIG);
    assert.ok(Date.now() - started < 5000);
  });
});
