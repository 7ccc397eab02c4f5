// Writing text in the message's own charset: GBK and Big5 through the inverted WHATWG decoders,
// and undefined whenever a character has no code there.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { encodeText } from './charset-encode.ts';

describe('encodeText', () => {
  it('writes GB2312/GBK/GB18030 and Big5 with the standard codes', () => {
    assert.deepEqual(encodeText('你好 ok', 'GB2312'), Buffer.from([0xc4, 0xe3, 0xba, 0xc3, 0x20, 0x6f, 0x6b]));
    assert.deepEqual(encodeText('中文', 'gbk'), Buffer.from([0xd6, 0xd0, 0xce, 0xc4]));
    assert.deepEqual(encodeText('中文', 'gb18030'), Buffer.from([0xd6, 0xd0, 0xce, 0xc4]));
    assert.deepEqual(encodeText('中文', 'Big5'), Buffer.from([0xa4, 0xa4, 0xa4, 0xe5]));
    assert.deepEqual(encodeText('測試郵件', 'big5'), Buffer.from([0xb4, 0xfa, 0xb8, 0xd5, 0xb6, 0x6c, 0xa5, 0xf3]));
  });

  it('round-trips a page of common characters', () => {
    const text = '各位同事：本周五下午三点在三楼会议室召开季度总结会，请准时参加。联系电话：010-12345678。';
    assert.equal(new TextDecoder('gbk').decode(encodeText(text, 'gbk')!), text);
    const traditional = '各位同事：本週五下午三點在三樓會議室召開季度總結會，請準時參加。';
    assert.equal(new TextDecoder('big5').decode(encodeText(traditional, 'big5')!), traditional);
  });

  it('gives undefined for characters the charset lacks and charsets it cannot write', () => {
    assert.equal(encodeText('简体', 'big5'), undefined);
    assert.equal(encodeText('😀', 'gbk'), undefined);
    assert.equal(encodeText('中', 'us-ascii'), undefined);
    assert.equal(encodeText('é', 'iso-8859-1')?.[0], 0xe9);
    assert.equal(encodeText('x', 'utf-16'), undefined);
    assert.deepEqual(encodeText('中', 'UTF-8'), Buffer.from('中'));
  });
});
