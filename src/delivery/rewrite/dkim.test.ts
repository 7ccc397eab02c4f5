// DKIM: generated keys sign messages that mailauth verifies against the TXT record served from
// memory (no network); keys round-trip through the store's domain settings.
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { dkimVerify } from 'mailauth/lib/dkim/verify.js';
import { isMailError } from '../../core/errors.ts';
import type { DomainId } from '../../core/ids.ts';
import { openTestStore } from '../../store/testing.ts';
import {
  dkimDnsRecord, generateDkimKey, loadDkimKey, saveDkimKey, signDkim, zoneFileLine, type GeneratedDkimKey,
} from './dkim.ts';

const MESSAGE = Buffer.from([
  'From: =?UTF-8?B?5byg5LiJ?= <zhangsan@example.cn>',
  'To: lisi@example.net',
  'Subject: =?GBK?B?u+HS6c2o1qo=?=',
  'Date: Mon, 5 May 2025 10:00:00 +0800',
  'Message-ID: <dkim-test-1@example.cn>',
  'MIME-Version: 1.0',
  'Content-Type: text/plain; charset=utf-8',
  'Content-Transfer-Encoding: 8bit',
  '',
  '你好，这是一封测试邮件。',
  '',
].join('\r\n'));

/** A resolver answering only the one TXT record, as mailauth's `resolver` option expects. */
function memoryResolver(records: Record<string, string>) {
  return async (name: string, type: string): Promise<string[][]> => {
    const txt = records[name.toLowerCase()];
    if (type !== 'TXT' || txt === undefined) {
      throw Object.assign(new Error(`queryTxt ENOTFOUND ${name}`), { code: 'ENOTFOUND' });
    }
    return [txt.match(/.{1,255}/g)!]; // split into 255-byte strings, as DNS does
  };
}

describe('DKIM signing', () => {
  let key: GeneratedDkimKey;
  before(async () => { key = await generateDkimKey('example.cn'); });

  it('generates an RSA 2048 key and its DNS record', () => {
    assert.equal(key.selector, 'youju');
    assert.equal(key.dnsName, 'youju._domainkey.example.cn');
    assert.match(key.privateKey, /^-----BEGIN PRIVATE KEY-----/);
    assert.match(key.publicKey, /^-----BEGIN PUBLIC KEY-----/);
    assert.match(key.txt, /^v=DKIM1; k=rsa; p=[A-Za-z0-9+/]{300,}={0,2}$/);
    assert.deepEqual(dkimDnsRecord('example.cn', key), { publicKey: key.publicKey, dnsName: key.dnsName, txt: key.txt });
    const zone = zoneFileLine(key);
    assert.match(zone, /^youju\._domainkey\.example\.cn\. IN TXT \( "v=DKIM1; k=rsa; p=[^"]+" "[^"]+" \)$/);
    assert.equal(zone.match(/"([^"]*)"/g)!.map((s) => s.slice(1, -1)).join(''), key.txt);
  });

  it('signs with rsa-sha256, relaxed/relaxed, and mailauth verifies the signature', async () => {
    const header = await signDkim(MESSAGE, { domain: 'example.cn', key, signTime: new Date('2025-05-05T02:00:00Z') });
    assert.match(header, /^DKIM-Signature: /);
    assert.match(header, /a=rsa-sha256/);
    assert.match(header, /c=relaxed\/relaxed/);
    assert.match(header, /d=example\.cn/);
    assert.match(header, /s=youju/);
    assert.ok(header.endsWith('\r\n'));

    const signed = Buffer.concat([Buffer.from(header), MESSAGE]);
    const result = await dkimVerify(signed, { resolver: memoryResolver({ [key.dnsName]: key.txt }) });
    assert.equal(result.results.length, 1);
    assert.equal(result.results[0]?.status.result, 'pass', JSON.stringify(result.results[0]?.status));
    assert.equal(result.results[0]?.signingDomain, 'example.cn');

    const tampered = Buffer.from(signed.toString('utf8').replace('测试邮件', '测试邮件!'));
    const bad = await dkimVerify(tampered, { resolver: memoryResolver({ [key.dnsName]: key.txt }) });
    assert.equal(bad.results[0]?.status.result, 'neutral', 'a changed body fails the body hash');
  });

  it('signs for an IDN domain in its ASCII form', async () => {
    const idn = await generateDkimKey('例子.中国', 's2025');
    assert.equal(idn.dnsName, 's2025._domainkey.xn--fsqu00a.xn--fiqs8s');
    const header = await signDkim(MESSAGE, { domain: '例子.中国', key: idn });
    const result = await dkimVerify(Buffer.concat([Buffer.from(header), MESSAGE]),
      { resolver: memoryResolver({ [idn.dnsName]: idn.txt }) });
    assert.equal(result.results[0]?.status.result, 'pass');
  });

  it('refuses bad selectors and unusable keys with clear errors', async () => {
    await assert.rejects(generateDkimKey('example.cn', 'bad selector'), (e: unknown) => isMailError(e, 'INVALID_INPUT'));
    await assert.rejects(generateDkimKey('example.cn', '-x'), (e: unknown) => isMailError(e, 'INVALID_INPUT'));
    await assert.rejects(signDkim(MESSAGE, { domain: 'example.cn', key: { selector: 'youju', privateKey: 'not a key' } }),
      (e: unknown) => isMailError(e, 'CONFIG_INVALID') && /DKIM signing for example\.cn failed/.test(e.message));
    assert.throws(() => dkimDnsRecord('example.cn', { selector: 'youju', privateKey: 'nope' }),
      (e: unknown) => isMailError(e, 'CONFIG_INVALID'));
  });
});

describe('DKIM keys in the store', () => {
  it('saves and loads { selector, privateKey } under the domain scope', async (t) => {
    const s = await openTestStore();
    t.after(s.close);
    const domain = await s.store.tx((tx) => tx.domains.create({ name: 'example.cn' }));
    const other = await s.store.tx((tx) => tx.domains.create({ name: 'other.cn' }));
    assert.equal(await loadDkimKey(s.store, domain.id), undefined);
    const key = await generateDkimKey('example.cn');
    await saveDkimKey(s.store, domain.id, key);
    assert.deepEqual(await loadDkimKey(s.store, domain.id), { selector: 'youju', privateKey: key.privateKey });
    assert.equal(await loadDkimKey(s.store, other.id), undefined);
    const raw = await s.store.read((tx) => tx.settings.all(`domain:${domain.id}`));
    assert.deepEqual(Object.keys(raw), ['dkim'], 'only the selector and private key are kept');
    assert.deepEqual(Object.keys(raw.dkim as object).sort(), ['privateKey', 'selector']);
    await s.store.tx((tx) => tx.settings.set(`domain:${domain.id}`, 'dkim', 'garbage'));
    assert.equal(await loadDkimKey(s.store, domain.id), undefined, 'an unreadable stored value counts as no key');
    assert.equal(await loadDkimKey(s.store, 999 as DomainId), undefined);
  });
});
