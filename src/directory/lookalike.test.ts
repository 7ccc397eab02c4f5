import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { domainToASCII } from 'node:url';
import { lookalikeOf, skeleton } from './lookalike.ts';

describe('look-alike domains', () => {
  const local = ['example.cn', 'youju.test'];
  it('finds Cyrillic, Greek and digit imitations of a local domain', () => {
    for (const fake of ['exаmple.cn', 'ехаmple.cn', 'examplе.cn', 'examp1e.cn', 'yοuju.test', 'youju.tеst']) {
      assert.equal(lookalikeOf(domainToASCII(fake) || fake, local), fake.includes('youju') || fake.includes('yοuju') ? 'youju.test' : 'example.cn', fake);
    }
  });
  it('treats full-width forms as the domain itself (IDNA maps them), not as an imitation', () => {
    assert.equal(domainToASCII('ｅｘａｍｐｌｅ.cn'), 'example.cn');
  });
  it('leaves local domains and unrelated domains alone', () => {
    assert.equal(lookalikeOf('example.cn', local), undefined);
    assert.equal(lookalikeOf('example.com', local), undefined);
    assert.equal(lookalikeOf('例子.中国', local), undefined);
    assert.equal(skeleton('xn--fsqu00a.xn--fiqs8s'), '例子.中国');
  });
});
