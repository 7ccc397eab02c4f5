// Spam scoring end to end (issue #13 item 5, FEATURES S12): swaks → Youju. Every message from
// outside gets X-Spam-Flag, X-Spam-Score, X-Spam-Status and X-Spam-Report; one over
// antispam.markThreshold is marked (and still delivered), one over rejectThreshold gets 550 5.7.1
// at the end of DATA and is not stored; the thresholds change while the server runs; SPF results
// add to the score; authenticated submission is not scored; the daily counters count it all.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { gbkEncode } from '../../helpers/gbk.ts';
import { swaks } from '../../helpers/peers.ts';
import { eventually, mailboxMessages, PASSWORD, startTestServer, type TestServer } from '../../helpers/server.ts';

const gbk64 = (s: string) => gbkEncode(s).toString('base64');
const header = (raw: string, name: string) => new RegExp(`^${name}:[ \\t]*(.*(?:\\r\\n[ \\t].*)*)`, 'im').exec(raw.split('\r\n\r\n')[0]!)?.[1];

function mail(subject: string, body: string, extra: string[] = []): string {
  return [`From: <promo@remote.test>`, 'To: <alice@example.cn>', `Subject: ${subject}`, 'Date: ' + new Date().toUTCString().replace('GMT', '+0000'),
    `Message-ID: <${Math.random().toString(36).slice(2)}@remote.test>`, 'MIME-Version: 1.0', ...extra, '', body, ''].join('\r\n');
}

describe('spam scoring', () => {
  let t: TestServer;
  before(async () => {
    t = await startTestServer({
      settings: { 'security.allowPlaintextAuth': true },
      dnsRecords: { 'softfail.test': { TXT: ['v=spf1 ip4:192.0.2.1 ~all'] } },
    });
    await t.addUser('alice@example.cn');
    await t.addUser('bob@example.cn');
  });
  after(() => t?.close());

  const send = (raw: string, from = 'promo@remote.test') => swaks(t.ports.smtp, ['--to', 'alice@example.cn', '--from', from, '--data', '-'], raw);
  const find = (subject: string) => eventually(async () => (await mailboxMessages(t.rt, 'alice@example.cn')).find((m) => m.subject === subject)?.raw, 10_000, subject);
  const counters = async () => {
    await t.rt.pipeline.counters.flush();
    return Object.values(await t.rt.pipeline.counters.read('2000-01-01', '2999-12-31')).at(-1) ?? {};
  };

  it('scores ordinary mail as ham, with the X-Spam headers', async () => {
    const r = await send(mail('Quarterly report', 'Hello Alice, the figures are attached.'));
    assert.match(r.out, /250 2\.0\.0 Ok: queued/, r.out);
    const raw = await find('Quarterly report');
    assert.equal(header(raw, 'X-Spam-Flag'), 'NO');
    assert.match(header(raw, 'X-Spam-Status')!, /^No, score=\d+\.\d required=5\.0 tests=/);
    assert.equal((raw.split('\r\n\r\n')[0]!.match(/^X-Spam-Flag:/gim) ?? []).length, 1);
  });

  it('marks Chinese invoice spam (GBK, base64) from an SPF softfail domain, and still delivers it', async () => {
    const before = await counters();
    const raw = mail(`=?GBK?B?${gbk64('代开发票')}?=`, gbk64('本公司长期低价代开各类发票，详情加微信: fp88888'),
      ['Content-Type: text/plain; charset=GBK', 'Content-Transfer-Encoding: base64']);
    const r = await send(raw, 'promo@softfail.test');
    assert.match(r.out, /250 2\.0\.0 Ok: queued/, r.out);
    const got = await find('代开发票');
    assert.equal(header(got, 'X-Spam-Flag'), 'YES');
    const status = header(got, 'X-Spam-Status')!;
    assert.match(status, /^Yes, score=\d+\.\d required=5\.0 tests=.*CN_INVOICE/);
    assert.match(status, /SPF_SOFTFAIL/);
    assert.match(header(got, 'X-Spam-Report')!, /\* 4\.0 CN_INVOICE/);
    assert.equal(((await counters())['antispam.spam'] ?? 0) - (before['antispam.spam'] ?? 0), 1);
  });

  it('refuses mail over the reject threshold with 550 5.7.1 and stores nothing; a lower threshold set at run time applies at once', async () => {
    const before = await counters();
    const spam = [
      'From: <x@remote.test>', 'To: <alice@example.cn>', 'Subject: WIN BIG AT OUR CASINO NOW', 'Content-Type: text/html; charset=utf-8', '',
      '<p>澳门赌场百家乐，无抵押贷款当天放款，兼职日结。代开发票。<a href="http://192.0.2.5/win">点击</a> <a href="https://bit.ly/abc">more</a></p>', '',
    ].join('\r\n');
    const r = await send(spam);
    assert.match(r.out, /<\*\*\s+550 5\.7\.1 Message refused as spam \(score \d+\.\d\)/, r.out);
    const counts = await counters();
    assert.equal((counts['antispam.reject'] ?? 0) - (before['antispam.reject'] ?? 0), 1);

    await t.rt.settings.set('antispam.rejectThreshold', 1);
    const mild = await send(mail('ALL CAPS SUBJECT HERE', 'hello'));
    assert.match(mild.out, /550 5\.7\.1 Message refused as spam/, mild.out);
    await t.rt.settings.set('antispam.rejectThreshold', 12);
    const subjects = (await mailboxMessages(t.rt, 'alice@example.cn')).map((m) => m.subject);
    assert.ok(!subjects.includes('WIN BIG AT OUR CASINO NOW') && !subjects.includes('ALL CAPS SUBJECT HERE'), subjects.join(' | '));
  });

  it('does not score authenticated submission', async () => {
    const r = await swaks(t.ports.submission, ['--to', 'alice@example.cn', '--from', 'bob@example.cn', '--auth', 'PLAIN',
      '--auth-user', 'bob@example.cn', '--auth-password', PASSWORD, '--header', 'Subject: WEEKLY STATUS REPORT']);
    assert.match(r.out, /250 2\.0\.0 Ok: queued/, r.out);
    assert.equal(header(await find('WEEKLY STATUS REPORT'), 'X-Spam-Flag'), undefined);
  });
});
