// Link domains for URI block lists: the registered domain of each link, Chinese two-level suffixes
// included, each domain once, at most `max`.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { linkDomains, registeredDomain } from './uribl.ts';

describe('URI block list domains', () => {
  it('reduces host names to their registered domain', () => {
    assert.equal(registeredDomain('mail.shop.example.com'), 'example.com');
    assert.equal(registeredDomain('www.spam-shop.com.cn'), 'spam-shop.com.cn');
    assert.equal(registeredDomain('a.b.example.co.uk.'), 'example.co.uk');
    assert.equal(registeredDomain('com.cn'), undefined);
    assert.equal(registeredDomain('192.0.2.1'), undefined);
    assert.equal(registeredDomain('localhost'), undefined);
  });

  it('finds http(s) and www. links in text, each domain once, at most max', () => {
    const text = 'Buy at https://www.Spam-Shop.com.cn/buy?x=1 or http://cdn.spam-shop.com.cn/a, see www.example.org, mail me@not-a-link.test, http://192.0.2.7/x';
    assert.deepEqual(linkDomains(text, 20), ['spam-shop.com.cn', 'example.org']);
    assert.deepEqual(linkDomains(text, 1), ['spam-shop.com.cn']);
  });
});
