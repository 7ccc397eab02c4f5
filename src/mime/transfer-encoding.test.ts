// Content-Transfer-Encoding round trips and the quoted-printable corner cases of RFC 2045 §6.7.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { decodeQuotedPrintable, decodeTransfer, encodeTransfer, parseTransferEncoding } from './transfer-encoding.ts';

describe('transfer encodings', () => {
  it('names the known encodings, defaults to 7bit, and reports unknown ones', () => {
    assert.equal(parseTransferEncoding(undefined), '7bit');
    assert.equal(parseTransferEncoding(' Base64 '), 'base64');
    assert.equal(parseTransferEncoding('quoted-printable (comment)'), 'quoted-printable');
    assert.equal(parseTransferEncoding('x-uuencode'), undefined);
  });

  it('decodes quoted-printable: octets, soft breaks, transport padding, malformed escapes', () => {
    const qp = Buffer.from('=E4=BD=A0=\r\n=E5=A5=BD  \r\na=3Db =ZZ =4\r\nend=');
    assert.equal(decodeQuotedPrintable(qp).toString('utf8'), '你好\r\na=b =ZZ =4\r\nend');
    assert.equal(decodeQuotedPrintable(Buffer.from('x=\ny\n')).toString(), 'xy\n');
  });

  it('round-trips random bytes through base64 and quoted-printable with short lines', () => {
    for (const encoding of ['base64', 'quoted-printable'] as const) {
      for (let i = 0; i < 50; i++) {
        const content = randomBytes(i * 37);
        const encoded = encodeTransfer(content, encoding);
        assert.ok(encoded.toString('latin1').split('\r\n').every((l) => l.length <= 76 && !/[\r\n]/.test(l)), `${encoding} lines ≤ 76, no bare CR or LF`);
        // Quoted-printable is for text: a bare LF is a line break and comes back as CRLF.
        const expected = encoding === 'base64' ? content : Buffer.from(content.toString('latin1').replace(/(?<!\r)\n/g, '\r\n'), 'latin1');
        assert.deepEqual(decodeTransfer(encoded, encoding), expected);
      }
    }
    assert.equal(encodeTransfer(Buffer.from('a\rb \r\n\tc\t'), 'quoted-printable').toString(), 'a=0Db=20\r\n\tc=09');
    const lf = encodeTransfer(Buffer.from('é'.repeat(100)), 'quoted-printable', '\n').toString();
    assert.ok(!lf.includes('\r'));
  });
});
