import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseAddressList } from './address-list.ts';

test('white space other than SP, HTAB, CR and LF (a vertical tab, a no-break space) separates words and never stalls the tokenizer', () => {
  // A 930-byte message with a vertical tab in a forwarded From: once grew the token list without end (out of memory).
  const parsed = parseAddressList('li\u00abi@examp\u000be.cn');
  assert.equal(parsed.length, 1);
  for (let c = 0; c < 0x3000; c++) {
    const ch = String.fromCharCode(c);
    if (!/\s/.test(ch)) continue;
    assert.ok(parseAddressList(`a${ch}b <x${ch}y@z${ch}w>, "q${ch}" <r@s>`).length >= 1, `U+${c.toString(16)}`);
  }
});
