import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DomainpopSettingsSchema } from '../config/schema/domainpop.ts';
import { extractAddresses, rewriteAddress, routeMessage, type RouteLookups } from './domainpop-route.ts';

const settings = (o: Record<string, unknown> = {}) => DomainpopSettingsSchema.parse(o);
const msg = (head: string) => Buffer.from(`${head.trim().split('\n').join('\r\n')}\r\n\r\nbody\r\n`);

const users: Record<string, string> = { 'bob@example.cn': 'Bob Smith', 'carol@example.cn': '王小丽' };
const lookups: RouteLookups = {
  async localAddress(a) { return a in users || a === 'sales@example.cn' ? a : undefined; },
  async matchName(local, name) {
    return Object.entries(users).find(([a, n]) => a.startsWith(`${local}@`) || (name !== '' && n === name))?.[0];
  },
  async postmaster() { return 'postmaster@example.cn'; },
};

describe('DomainPOP routing', () => {
  it('takes To, Cc and Received "for" addresses, skipping the first N Received headers', () => {
    const raw = msg(`
Received: from pop-host by isp.test for <box@isp.test>; Mon, 1 Jan 2026 00:00:00 +0000
Received: from a by b with ESMTP id 1
 for <carol@example.cn>; Mon, 1 Jan 2026 00:00:00 +0000
To: "Bob Smith" <Bob@Example.cn>, x@other.test
Cc: =?UTF-8?B?546L5bCP5Li9?= <carol@example.cn>
Subject: hi`);
    assert.deepEqual(extractAddresses(raw, settings()).map((c) => c.address), ['bob@example.cn', 'x@other.test', 'carol@example.cn', 'box@isp.test']);
    assert.deepEqual(extractAddresses(raw, settings({ skipReceived: 1 })).map((c) => c.address), ['bob@example.cn', 'x@other.test', 'carol@example.cn']);
    assert.deepEqual(extractAddresses(raw, settings({ headers: ['X-None'], skipReceived: 1 })).map((c) => c.address), ['carol@example.cn']);
    assert.equal(extractAddresses(raw, settings()).find((c) => c.address === 'carol@example.cn')?.name, '王小丽');
    assert.deepEqual(extractAddresses(raw, settings({ headers: [], parseReceived: true, stopReceivedIfFromLocal: true }), true), []);
  });

  it('reads "(address)" in the Subject only when asked', () => {
    const raw = msg('To: box@isp.test\nSubject: fwd (Bob@example.cn) report');
    assert.deepEqual(extractAddresses(raw, settings()).map((c) => c.address), ['box@isp.test']);
    assert.deepEqual(extractAddresses(raw, settings({ parseSubject: true })).map((c) => c.address), ['box@isp.test', 'bob@example.cn']);
  });

  it('filters text, replaces the domain and applies rules in order', () => {
    const s = settings({ removeText: ['.old'], replaceDomain: 'example.cn', rules: [
      { match: 'equals', text: 'noreply@example.cn', action: 'skip' },
      { match: 'contains', text: 'sales', action: 'redirect', to: 'bob@example.cn' }] });
    assert.equal(rewriteAddress('bob.old@isp.test', s), 'bob@example.cn');
    assert.equal(rewriteAddress('noreply@isp.test', s), undefined);
    assert.equal(rewriteAddress('sales-east@isp.test', s), 'bob@example.cn');
  });

  it('routes to local recipients, by name when asked, and unknown mail to the postmaster', async () => {
    const raw = msg('Message-ID: <m1@x>\nTo: "Bob Smith" <bsmith@isp.test>, carol@example.cn, nobody@example.cn');
    assert.deepEqual(await routeMessage(raw, settings(), lookups), { recipients: ['carol@example.cn'], messageId: 'm1@x', unknown: false });
    assert.deepEqual((await routeMessage(raw, settings({ nameMatching: true }), lookups)).recipients, ['bob@example.cn', 'carol@example.cn']);
    const stranger = msg('To: who@isp.test');
    assert.deepEqual(await routeMessage(stranger, settings(), lookups), { recipients: ['postmaster@example.cn'], messageId: '', unknown: true });
    assert.deepEqual((await routeMessage(stranger, settings({ unknownRecipients: 'discard' }), lookups)).recipients, []);
    assert.deepEqual((await routeMessage(stranger, settings({ unknownRecipients: 'address', unknownTo: 'Sales@example.cn' }), lookups)).recipients, ['sales@example.cn']);
  });

  it('never throws on garbage headers', async () => {
    const raw = Buffer.from('To: <<<@@@>>>, "unterminated\r\nReceived: for\r\n\r\n');
    assert.deepEqual((await routeMessage(raw, settings(), lookups)).unknown, true);
  });
});
