// Header translation (manual §4.4.7): internal host names rewritten in outbound headers, with
// exceptions, the body untouched byte for byte, field structure never broken.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { translateHeaders } from './header-translation.ts';

const raw = (header: string, body: Buffer | string = 'Body mentions mail.corp.lan too.\r\n') =>
  Buffer.concat([Buffer.from(header, 'utf8'), Buffer.from('\r\n'), typeof body === 'string' ? Buffer.from(body) : body]);

const MESSAGE = raw([
  'Received: from pc12.corp.lan (pc12.corp.lan [10.0.0.12])',
  '\tby mail.corp.lan (Youju) with ESMTPSA id 1',
  'Message-ID: <123@mail.corp.lan>',
  'X-Mailer-Host: mail.corp.lan',
  'Subject: =?UTF-8?B?5Lya6K6u6YCa55+l?=',
  '',
].join('\r\n'));

const RULES = [{ find: 'mail.corp.lan', replace: 'mail.example.cn' }, { find: 'corp.lan', replace: 'example.cn' }];

describe('translateHeaders', () => {
  it('replaces every occurrence in header values, in rule order, and keeps the body byte-identical', () => {
    const out = translateHeaders(MESSAGE, { rules: RULES });
    const text = out.toString('utf8');
    assert.match(text, /^Received: from pc12\.example\.cn \(pc12\.example\.cn \[10\.0\.0\.12\]\)\r\n\tby mail\.example\.cn \(Youju\)/);
    assert.match(text, /Message-ID: <123@mail\.example\.cn>\r\n/);
    assert.match(text, /X-Mailer-Host: mail\.example\.cn\r\n/);
    assert.ok(!text.slice(0, text.indexOf('\r\n\r\n')).includes('corp.lan'));
    const bodyAt = (b: Buffer) => b.indexOf('\r\n\r\n') + 4;
    assert.deepEqual(out.subarray(bodyAt(out)), MESSAGE.subarray(bodyAt(MESSAGE)));
  });

  it('leaves excepted headers alone (any case) and never rewrites field names', () => {
    const out = translateHeaders(MESSAGE, { rules: RULES, exceptHeaders: ['message-id', 'RECEIVED'] }).toString();
    assert.match(out, /Message-ID: <123@mail\.corp\.lan>/);
    assert.match(out, /by mail\.corp\.lan/);
    assert.match(out, /X-Mailer-Host: mail\.example\.cn/);
    const names = translateHeaders(raw('X-Host: a\r\n'), { rules: [{ find: 'X-Host', replace: 'Y' }] }).toString();
    assert.match(names, /^X-Host: a/);
  });

  it('returns the same buffer when nothing matches or there are no usable rules', () => {
    assert.equal(translateHeaders(MESSAGE, { rules: [] }), MESSAGE);
    assert.equal(translateHeaders(MESSAGE, { rules: [{ find: 'nowhere.lan', replace: 'x' }] }), MESSAGE);
    assert.equal(translateHeaders(MESSAGE, { rules: [{ find: '', replace: 'x' }] }), MESSAGE);
    assert.equal(translateHeaders(MESSAGE, { rules: [{ find: 'corp.lan', replace: 'x\r\nBcc: evil@x' }] }), MESSAGE,
      'a rule with a line break is ignored');
  });

  it('keeps folding intact even when a rule removes whitespace', () => {
    const out = translateHeaders(MESSAGE, { rules: [{ find: ' ', replace: '' }] }).toString();
    assert.match(out, /^Received:from/);
    assert.match(out, /\r\n\tbymail\.corp\.lan\(Youju\)withESMTPSAid1\r\nMessage-ID:/);
  });

  it('matches Chinese text in raw UTF-8 headers and leaves 8-bit GBK headers and bodies alone', () => {
    const gbkBody = Buffer.from([0xc4, 0xe3, 0xba, 0xc3, 0x0d, 0x0a]);
    const m = Buffer.concat([Buffer.from('Organization: 内部网络 corp.lan\r\nX-GBK: '), Buffer.from([0xc4, 0xe3]),
      Buffer.from(' corp.lan\r\n\r\n'), gbkBody]);
    const out = translateHeaders(m, { rules: [{ find: '内部网络', replace: '示例公司' }, ...RULES] });
    assert.match(out.toString('utf8'), /^Organization: 示例公司 example\.cn\r\n/);
    const gbkHeader = Buffer.concat([Buffer.from('X-GBK: '), Buffer.from([0xc4, 0xe3]), Buffer.from(' example.cn\r\n')]);
    assert.ok(out.includes(gbkHeader), 'GBK bytes kept, ASCII rule applied');
    assert.deepEqual(out.subarray(out.length - gbkBody.length), gbkBody);
  });

  it('handles LF-only messages and messages without a body', () => {
    assert.equal(translateHeaders(Buffer.from('Received: by mail.corp.lan\n\nbody corp.lan\n'), { rules: RULES }).toString(),
      'Received: by mail.example.cn\n\nbody corp.lan\n');
    assert.equal(translateHeaders(Buffer.from('Received: by mail.corp.lan'), { rules: RULES }).toString(),
      'Received: by mail.example.cn');
  });
});
