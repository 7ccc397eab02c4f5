import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { addressKey, baseSubjectOf, compareCasemap, displayKey } from './sort-keys.ts';

describe('base subject (RFC 5256 §2.1)', () => {
  const table: Array<[string, string, boolean]> = [
    ['Hello', 'Hello', false],
    ['Re: Hello', 'Hello', true],
    ['RE:  re: Fwd: Hello', 'Hello', true],
    ['Fw: Hello (fwd)', 'Hello', true],
    ['Hello (fwd) (FWD)  ', 'Hello', true],
    ['[list] Re: Hello', 'Hello', true],
    ['Re [list]: Hello', 'Hello', true],
    ['[blob]', '[blob]', false], // removing the blob would leave nothing: it stays
    ['[a] [b]', '[b]', false],
    ['[a] Hello', 'Hello', false],
    ['[fwd: Re: Hello]', 'Hello', true],
    ['[Fwd: [fwd: Hello]]', 'Hello', true],
    ['[fwd: [list] Re: Hello (fwd)]', 'Hello', true],
    ['回复：会议通知', '会议通知', true],
    ['Re:', '', true],
    ['\tHello\r\n  world', 'Hello world', false],
  ];
  for (const [input, base, reply] of table) {
    it(JSON.stringify(input), () => assert.deepEqual(baseSubjectOf(input), { base, reply }));
  }
});

describe('address keys (RFC 5256 §3, RFC 5957)', () => {
  it('takes the first real address, not a group name', () => {
    assert.equal(addressKey('Team: zed@x.example, amy@x.example;, bob@y.example'), 'zed');
    assert.equal(addressKey('"Doe, Jane" <jane@x.example>'), 'jane');
    assert.equal(addressKey('Undisclosed recipients:;'), '');
    assert.equal(addressKey(''), '');
    assert.equal(displayKey('"Doe, Jane" <jane@x.example>'), 'Doe, Jane');
    assert.equal(displayKey('jane@x.example'), 'jane@x.example');
    assert.equal(displayKey('Group: <a@b.example>;'), 'a@b.example');
  });
});

describe('i;ascii-casemap', () => {
  it('folds ASCII letters only', () => {
    assert.equal(compareCasemap('abc', 'ABC'), 0);
    assert.equal(compareCasemap('a', 'B'), -1);
    assert.notEqual(compareCasemap('é', 'É'), 0);
  });
});
