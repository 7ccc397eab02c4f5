// DNS-BL end to end (issue #13 item 3, FEATURES S13): swaks → Youju, the lists answered by a DNS
// server on a loopback port. A listed client is refused at RCPT with the list's message ($IP$
// filled in); the lists are asked in parallel, one that never answers costs at most
// dnsbl.timeoutMs; answers are cached; whitelisted and authenticated clients are not looked up;
// action "score" lets the mail in and records the listing for scoring; links to domains on a URI
// block list refuse the message at the end of DATA (or score it).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { swaks } from '../../helpers/peers.ts';
import { eventually, mailboxMessages, PASSWORD, sessionLogText, startTestServer, type TestServer } from '../../helpers/server.ts';

const LISTS = [
  { host: 'silent.test', message: '$IP$ listed at silent' },
  { host: 'nx.test', message: '$IP$ listed at nx' },
  { host: 'bl.test', message: '$IP$ listed at bl.test, see http://bl.test/' },
];

describe('DNS-BL (loopback DNS server)', () => {
  let t: TestServer;
  before(async () => {
    t = await startTestServer({
      settings: { 'security.allowPlaintextAuth': true, 'dnsbl.enabled': true, 'dnsbl.lists': LISTS, 'dnsbl.timeoutMs': 800, 'senderAuth.spfEnabled': false },
      dnsRecords: { '1.0.0.127.bl.test': { A: ['127.0.0.2'] } },
    });
    t.dns.setRecords({ '1.0.0.127.bl.test': { A: ['127.0.0.2'] }, 'spam-shop.com.cn.uri.test': { A: ['127.0.0.4'] } }, { silent: ['1.0.0.127.silent.test'] });
    await t.addUser('alice@example.cn');
  });
  after(() => t?.close());

  it('refuses a listed client at RCPT with the list\'s message, asking the lists in parallel within the timeout', async () => {
    const started = Date.now();
    const r = await swaks(t.ports.smtp, ['--to', 'alice@example.cn', '--from', 'x@remote.test', '--quit-after', 'RCPT']);
    const took = Date.now() - started;
    assert.match(r.out, /<\*\*\s+554 5\.7\.1 127\.0\.0\.1 listed at bl\.test, see http:\/\/bl\.test\//, r.out);
    assert.ok(took < 2400, `a silent list costs at most the timeout once, not per list (${took} ms)`);
    for (const q of ['A 1.0.0.127.silent.test', 'A 1.0.0.127.nx.test', 'A 1.0.0.127.bl.test']) assert.ok(t.dns.queries.includes(q), q);
    await sessionLogText(t.dir, 'dnsbl', /Performing DNS-BL lookup \(127\.0\.0\.1 - connecting IP\)/, /silent\.test - no answer within 800 ms/,
      /nx\.test - not listed/, /bl\.test - listed \(127\.0\.0\.2\)/);
  });

  it('caches answers: a second session asks the lists that answered no more', async () => {
    const asked = () => t.dns.queries.filter((q) => q === 'A 1.0.0.127.bl.test' || q === 'A 1.0.0.127.nx.test').length;
    const before = asked();
    const r = await swaks(t.ports.smtp, ['--to', 'alice@example.cn', '--from', 'x@remote.test', '--quit-after', 'RCPT']);
    assert.match(r.out, /554 5\.7\.1 127\.0\.0\.1 listed at bl\.test/);
    assert.equal(asked(), before);
  });

  it('does not look up whitelisted or authenticated clients', async () => {
    await t.addUser('bob@example.cn');
    const auth = await swaks(t.ports.submission, ['--to', 'alice@example.cn', '--from', 'bob@example.cn', '--auth', 'PLAIN',
      '--auth-user', 'bob@example.cn', '--auth-password', PASSWORD, '--quit-after', 'RCPT']);
    assert.match(auth.out, /<-\s+250 /, auth.out);
    assert.doesNotMatch(auth.out, /listed at/);
    await t.rt.settings.set('dnsbl.whitelist', ['127.0.0.0/8']);
    const white = await swaks(t.ports.smtp, ['--to', 'alice@example.cn', '--from', 'x@remote.test', '--quit-after', 'RCPT']);
    assert.doesNotMatch(white.out, /listed at/, white.out);
    assert.match(white.out, /<-\s+250 2\.1\.5/, white.out);
    await t.rt.settings.set('dnsbl.whitelist', []);
  });

  it('with action "score", a listed client\'s mail is accepted and the listing scored', async () => {
    await t.rt.settings.set('dnsbl.action', 'score');
    await t.rt.settings.set('dnsbl.uriLists', []);
    const r = await swaks(t.ports.smtp, ['--to', 'alice@example.cn', '--from', 'x@remote.test', '--header', 'Subject: scored']);
    assert.match(r.out, /250 2\.0\.0 Ok: queued/, r.out);
    const raw = await eventually(async () => (await mailboxMessages(t.rt, 'alice@example.cn')).find((m) => m.subject === 'scored')?.raw);
    assert.match(raw, /^X-Spam-Status: .*tests=[^\r]*RCVD_IN_DNSBL/m);
    assert.match(raw, /\* 3\.0 RCVD_IN_DNSBL 127\.0\.0\.1 listed in bl\.test \(127\.0\.0\.2\)/);
    await t.rt.pipeline.counters.flush();
    const today = Object.values(await t.rt.pipeline.counters.read('2000-01-01', '2999-12-31')).at(-1)!;
    assert.ok((today['dnsbl.listed'] ?? 0) >= 1);
  });

  it('refuses a message linking to a domain on a URI block list at the end of DATA, or scores it', async () => {
    await t.rt.settings.set('dnsbl.whitelist', ['127.0.0.0/8']); // the client itself is not the point here
    await t.rt.settings.set('dnsbl.uriLists', [{ host: 'uri.test', message: 'Message refused: $DOMAIN$ is listed at uri.test' }]);
    const html = (subject: string, href: string) => ['From: <x@remote.test>', 'To: <alice@example.cn>', `Subject: ${subject}`,
      'Content-Type: text/html; charset=utf-8', '', `<p>Great deals: <a href="${href}">here</a></p>`, ''].join('\r\n');
    const listed = await swaks(t.ports.smtp, ['--to', 'alice@example.cn', '--from', 'x@remote.test', '--data', '-'], html('deal', 'https://www.spam-shop.com.cn/buy'));
    assert.match(listed.out, /<\*\*\s+554 5\.7\.1 Message refused: spam-shop\.com\.cn is listed at uri\.test/, listed.out);
    assert.ok(t.dns.queries.includes('A spam-shop.com.cn.uri.test'));
    const clean = await swaks(t.ports.smtp, ['--to', 'alice@example.cn', '--from', 'x@remote.test', '--data', '-'], html('fine link', 'https://shop.example.org/'));
    assert.match(clean.out, /250 2\.0\.0 Ok: queued/, clean.out);
    await t.rt.settings.set('dnsbl.uriAction', 'score');
    const scored = await swaks(t.ports.smtp, ['--to', 'alice@example.cn', '--from', 'x@remote.test', '--data', '-'], html('scored deal', 'http://cdn.spam-shop.com.cn/x'));
    assert.match(scored.out, /250 2\.0\.0 Ok: queued/, scored.out);
    const raw = await eventually(async () => (await mailboxMessages(t.rt, 'alice@example.cn')).find((m) => m.subject === 'scored deal')?.raw);
    assert.match(raw, /\* 3\.0 URIBL_LISTED spam-shop\.com\.cn listed in uri\.test/);
  });
});
