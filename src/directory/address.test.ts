import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isMailError } from '../core/errors.ts';
import { displayDomain, formatAddress, formatMailbox, normaliseDomain, parseAddress } from './address.ts';

test('parseAddress trims, lower-cases and converts IDN domains to punycode', () => {
  assert.deepEqual(parseAddress('  Bob.Smith@Example.COM '), { localPart: 'bob.smith', domain: 'example.com' });
  assert.deepEqual(parseAddress('zhangsan@例子.中国'), { localPart: 'zhangsan', domain: 'xn--fsqu00a.xn--fiqs8s' });
  assert.deepEqual(parseAddress('张三@x.cn'), { localPart: '张三', domain: 'x.cn' });
  assert.deepEqual(parseAddress("o'neil+tag@x.cn"), { localPart: "o'neil+tag", domain: 'x.cn' });
  assert.equal(formatAddress(parseAddress('A@B.CN')), 'a@b.cn');
});

test('parseAddress refuses what the directory cannot key', () => {
  const bad: Array<[string, RegExp]> = [
    ['', /empty/],
    ['bob', /missing @domain/],
    ['@x.cn', /source routes/],
    ['@a.cn:bob@x.cn', /source routes/],
    ['bob@@x.cn', /more than one @/],
    ['bob@x.cn@y.cn', /more than one @/],
    ['"bob smith"@x.cn', /quoted/],
    ['bob%y.cn@x.cn', /"%"/],
    ['y.cn!bob@x.cn', /"!"/],
    ['bob smith@x.cn', /white space/],
    ['bob\u0000@x.cn', /control/],
    ['bob\r\n@x.cn', /control/],
    ['bob@', /domain is empty/],
    ['bob@x.cn.', /ends with a dot/],
    ['bob@x..cn', /empty label/],
    ['bob@-x.cn', /label "-x"/],
    ['bob@x_y.cn', /label/],
    ['bob@[127.0.0.1]', /address literal/],
    ['bob@127.0.0.1', /IP address/],
    ['.bob@x.cn', /dots/],
    ['bob.@x.cn', /dots/],
    ['b..ob@x.cn', /dots/],
    ['bob(x)@x.cn', /character "\("/],
    [`${'a'.repeat(65)}@x.cn`, /64 octets/],
    [`${'张'.repeat(22)}@x.cn`, /64 octets/], // 66 octets in UTF-8
    [`bob@${'a'.repeat(64)}.cn`, /63 octets/],
    [`bob@${Array.from({ length: 64 }, () => 'abc').join('.')}`, /253 octets/],
  ];
  for (const [input, reason] of bad) {
    assert.throws(() => parseAddress(input), (err: unknown) => {
      assert.ok(isMailError(err, 'INVALID_INPUT'), `${JSON.stringify(input)} should be INVALID_INPUT`);
      assert.match(err.message, /^invalid address "/);
      assert.match(err.message, reason, `${JSON.stringify(input)}: ${err.message}`);
      return true;
    });
  }
  assert.doesNotThrow(() => parseAddress(`${'a'.repeat(64)}@${'b'.repeat(63)}.cn`));
});

test('normaliseDomain and displayDomain round-trip an IDN', () => {
  assert.equal(normaliseDomain('例子.中国'), 'xn--fsqu00a.xn--fiqs8s');
  assert.equal(normaliseDomain('Example.COM'), 'example.com');
  assert.equal(displayDomain('xn--fsqu00a.xn--fiqs8s'), '例子.中国');
  assert.equal(displayDomain('x.cn'), 'x.cn');
  assert.throws(() => normaliseDomain('xn--zz'), /invalid domain "xn--zz"/);
  assert.throws(() => normaliseDomain('例子。中国。'), /ends with a dot/);
});

test('formatMailbox encodes non-ASCII names (RFC 2047) and quotes specials', () => {
  const zh = formatMailbox('张三', 'zhangsan@x.cn');
  assert.equal(zh, `=?UTF-8?B?${Buffer.from('张三').toString('base64')}?= <zhangsan@x.cn>`);
  assert.equal(formatMailbox('Bob Smith', 'bob@x.cn'), 'Bob Smith <bob@x.cn>');
  assert.equal(formatMailbox('Smith, Bob', 'bob@x.cn'), '"Smith, Bob" <bob@x.cn>');
  assert.equal(formatMailbox('Say "hi" \\o/', 'bob@x.cn'), '"Say \\"hi\\" \\\\o/" <bob@x.cn>');
  assert.equal(formatMailbox('', 'bob@x.cn'), 'bob@x.cn');
  assert.equal(formatMailbox('Bob', { localPart: 'bob', domain: 'x.cn' }), 'Bob <bob@x.cn>');

  // A long name splits into encoded words of at most 75 characters, on character boundaries.
  const long = '中华人民共和国国家邮政局邮件管理中心系统管理员办公室';
  const header = formatMailbox(long, 'admin@x.cn');
  const words = header.replace(/ <admin@x\.cn>$/, '').split(' ');
  assert.ok(words.length > 1);
  let decoded = '';
  for (const w of words) {
    assert.ok(w.length <= 75, w);
    const m = /^=\?UTF-8\?B\?([A-Za-z0-9+/=]+)\?=$/.exec(w);
    assert.ok(m);
    decoded += Buffer.from(m[1]!, 'base64').toString('utf8');
  }
  assert.equal(decoded, long);
});
