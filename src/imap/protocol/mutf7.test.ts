/**
 * Modified UTF-7 round trips and rejections, from RFC 3501 §5.1.3 and names Chinese users create.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { MailboxNameError, decodeMailboxName, encodeMailboxName } from './mutf7.ts';

// Expected wire forms were computed independently: UTF-16BE → base64, "/" → ",", padding dropped.
const ROUND_TRIP: Array<[unicode: string, wire: string]> = [
  ['INBOX', 'INBOX'],
  ['', ''],
  ['客户/重要', '&W6JiNw-/&kc2JgQ-'],
  ['~peter/mail/台北/日本語', '~peter/mail/&U,BTFw-/&ZeVnLIqe-'], // RFC 3501 §5.1.3
  ['台北日本語', '&U,BTF2XlZyyKng-'], // RFC 3501 §5.1.3: the canonical, merged form
  ['☺!', '&Jjo-!'],
  ['收件箱', '&ZTZO9nux-'],
  ['草稿箱', '&g0l6P3ux-'],
  ['已发送', '&XfJT0ZAB-'],
  ['垃圾邮件', '&V4NXPpCuTvY-'],
  ['Tom & Jerry', 'Tom &- Jerry'],
  ['&&', '&-&-'],
  ['😀', '&2D3eAA-'], // astral plane: a surrogate pair inside one run
  ['café', 'caf&AOk-'],
  ['tab\there', 'tab&AAk-here'], // controls are encoded too
  ['a-b_c.d', 'a-b_c.d'],
];

const MALFORMED: Array<[wire: string, why: RegExp]> = [
  ['&Jjo!', /Invalid modified BASE64|Unterminated/], // RFC 3501 §5.1.3: no shift back
  ['&Jjo', /Unterminated/],
  ['abc&', /Unterminated/],
  ['&U,BTFw-&ZeVnLIqe-', /adjacent/], // RFC 3501 §5.1.3: superfluous shift
  ['&AGE-', /Printable ASCII/], // "a" must represent itself
  ['&ACY-', /Printable ASCII/], // "&" must be "&-"
  ['&U/BTFw-', /Invalid modified BASE64/], // "/" instead of ","
  ['&U,BTFw=-', /Invalid modified BASE64/], // padding is not allowed
  ['&A-', /leftover/], // 6 bits: not a whole code unit
  ['&Jjp-', /leftover/], // non-zero padding bits
  ['&W6JiNwA-', /leftover/], // an extra character beyond the last unit
  ['&2D0-', /Unpaired surrogate/], // high surrogate with nothing after it
  ['&3gA-', /Unpaired surrogate/], // low surrogate first
  ['caf\u00e9', /must be encoded/], // raw 8-bit is not modified UTF-7
  ['a\tb', /must be encoded/],
];

describe('modified UTF-7 mailbox names (RFC 3501 §5.1.3)', () => {
  for (const [unicode, wire] of ROUND_TRIP) {
    it(`${JSON.stringify(unicode)} ↔ ${wire}`, () => {
      assert.equal(encodeMailboxName(unicode), wire);
      assert.equal(decodeMailboxName(wire), unicode);
    });
  }

  for (const [wire, why] of MALFORMED) {
    it(`rejects ${JSON.stringify(wire)}`, () => {
      assert.throws(() => decodeMailboxName(wire), (e: unknown) => e instanceof MailboxNameError && why.test(e.message));
    });
  }

  it('"&-" may follow an encoded run (it is not a second run)', () => {
    assert.equal(decodeMailboxName('&W6JiNw-&-'), '客户&');
  });

  it('refuses to encode a lone surrogate', () => {
    assert.throws(() => encodeMailboxName('a\ud800b'), RangeError);
    assert.throws(() => encodeMailboxName('\udc00'), RangeError);
  });

  it('round-trips every BMP character class that is not printable ASCII', () => {
    for (let cp = 0; cp < 0x10000; cp += 97) {
      if (cp >= 0xd800 && cp <= 0xdfff) continue;
      const s = `x${String.fromCharCode(cp)}y`;
      assert.equal(decodeMailboxName(encodeMailboxName(s)), s);
    }
  });
});
