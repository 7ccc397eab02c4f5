// Sender authentication end to end (issue #13 item 2; FEATURES S9, P15): swaks → Youju with every
// DNS answer from a DNS server on a loopback port (test/helpers/dns-server.ts), never the
// machine's resolver. SPF fail is refused at MAIL FROM with 550 5.7.23 (and the connection closed
// when asked), whitelisted IPs are not checked; DKIM, ARC and DMARC are verified at the end of
// DATA into one Authentication-Results header; a DMARC p=reject failure is refused when
// senderAuth.dmarcHonourReject; authenticated submission is not checked.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { generateDkimKey, dkimDnsRecord, signDkim, type GeneratedDkimKey } from '../../../src/delivery/rewrite/dkim.ts';
import { swaks } from '../../helpers/peers.ts';
import { eventually, mailboxMessages, PASSWORD, startTestServer, type TestServer } from '../../helpers/server.ts';

const inboxRaw = async (t: TestServer, subject: string) =>
  eventually(async () => (await mailboxMessages(t.rt, 'alice@example.cn')).find((m) => m.subject === subject)?.raw, 10_000, subject);
const arHeaders = (raw: string) => raw.split('\r\n\r\n')[0]!.match(/^Authentication-Results:.*(\r\n[ \t].*)*/gim) ?? [];

function message(from: string, subject: string): string {
  return [`From: <${from}>`, 'To: <alice@example.cn>', `Subject: ${subject}`, 'Date: Fri, 04 Dec 2026 10:00:00 +0800',
    `Message-ID: <${subject.replace(/\W/g, '')}@test>`, 'MIME-Version: 1.0', 'Content-Type: text/plain; charset=utf-8', '', '你好，测试。', ''].join('\r\n');
}

describe('sender authentication (SPF, DKIM, ARC, DMARC over a loopback DNS server)', () => {
  let t: TestServer;
  let key: GeneratedDkimKey;
  before(async () => {
    key = await generateDkimKey('signed.test', 'sel');
    const dkim = dkimDnsRecord('signed.test', key);
    t = await startTestServer({
      settings: { 'security.allowPlaintextAuth': true },
      dnsRecords: {
        'spf-fail.test': { TXT: ['v=spf1 ip4:192.0.2.1 -all'] },
        'spf-soft.test': { TXT: ['v=spf1 ip4:192.0.2.1 ~all'] },
        'spf-pass.test': { TXT: ['v=spf1 ip4:127.0.0.0/8 -all'] },
        'signed.test': { TXT: ['v=spf1 ip4:127.0.0.1 -all'] },
        [dkim.dnsName]: { TXT: [dkim.txt] },
        '_dmarc.signed.test': { TXT: ['v=DMARC1; p=reject'] },
        'strict.test': { TXT: ['v=spf1 -all'] },
        '_dmarc.strict.test': { TXT: ['v=DMARC1; p=reject'] },
        '_dmarc.lenient.test': { TXT: ['v=DMARC1; p=none'] },
      },
    });
    await t.addUser('alice@example.cn');
  });
  after(() => t?.close());

  it('refuses an SPF fail at MAIL FROM with 550 5.7.23; softfail and pass go through with the result in Authentication-Results', async () => {
    const fail = await swaks(t.ports.smtp, ['--to', 'alice@example.cn', '--from', 'x@spf-fail.test', '--quit-after', 'RCPT']);
    assert.match(fail.out, /<\*\*\s+550 5\.7\.23 SPF check failed: 127\.0\.0\.1 is not allowed to send mail for spf-fail\.test/, fail.out);

    const soft = await swaks(t.ports.smtp, ['--to', 'alice@example.cn', '--from', 'x@spf-soft.test', '--header', 'Subject: soft']);
    assert.match(soft.out, /250 2\.0\.0 Ok: queued/, soft.out);
    const softRaw = await inboxRaw(t, 'soft');
    const [ar] = arHeaders(softRaw);
    assert.match(ar!, /^Authentication-Results: mx\.youju\.test;/);
    assert.match(ar!, /spf=softfail/);
    // Unsigned: verified from its header alone, with the verdict mailauth gives any unsigned message.
    assert.match(ar!, /dkim=none \(message not signed\)/);

    const pass = await swaks(t.ports.smtp, ['--to', 'alice@example.cn', '--from', 'x@spf-pass.test', '--header', 'Subject: spf pass']);
    assert.match(pass.out, /250 2\.0\.0 Ok: queued/, pass.out);
    assert.match(arHeaders(await inboxRaw(t, 'spf pass'))[0]!, /spf=pass .*smtp\.mailfrom=(x@)?spf-pass\.test/s);
  });

  it('closes the connection after the 550 when spfCloseOnFail; a whitelisted IP is not checked', async () => {
    await t.rt.settings.set('senderAuth.spfCloseOnFail', true);
    const closed = await swaks(t.ports.smtp, ['--to', 'alice@example.cn', '--from', 'x@spf-fail.test']);
    assert.match(closed.out, /550 5\.7\.23/, closed.out);
    assert.doesNotMatch(closed.out, /~>\s+RCPT TO|->\s+RCPT TO/, 'no RCPT after the 550: the server closed the connection');
    await t.rt.settings.set('senderAuth.spfCloseOnFail', false);

    await t.rt.settings.set('senderAuth.spfWhitelist', ['127.0.0.0/8']);
    const white = await swaks(t.ports.smtp, ['--to', 'alice@example.cn', '--from', 'x@spf-fail.test', '--header', 'Subject: whitelisted']);
    assert.match(white.out, /250 2\.0\.0 Ok: queued/, white.out);
    assert.doesNotMatch(arHeaders(await inboxRaw(t, 'whitelisted'))[0]!, /spf=/);
    await t.rt.settings.set('senderAuth.spfWhitelist', []);
  });

  it('verifies DKIM and DMARC into one Authentication-Results header', async () => {
    const raw = Buffer.from(message('news@signed.test', 'signed'));
    const signed = (await signDkim(raw, { domain: 'signed.test', key })) + raw.toString();
    const r = await swaks(t.ports.smtp, ['--to', 'alice@example.cn', '--from', 'news@signed.test', '--data', '-'], signed);
    assert.match(r.out, /250 2\.0\.0 Ok: queued/, r.out);
    const got = await inboxRaw(t, 'signed');
    const ars = arHeaders(got);
    assert.equal(ars.length, 1, 'one Authentication-Results header');
    assert.match(ars[0]!, /dkim=pass .*header\.d=signed\.test/s);
    assert.match(ars[0]!, /spf=pass/);
    assert.match(ars[0]!, /dmarc=pass .*header\.from=signed\.test/s);

    // A signature broken in transit: dkim=fail, DMARC still passes on aligned SPF.
    const tampered = signed.replace('Subject: signed', 'Subject: signed tampered');
    const t2 = await swaks(t.ports.smtp, ['--to', 'alice@example.cn', '--from', 'news@signed.test', '--data', '-'], tampered);
    assert.match(t2.out, /250 2\.0\.0 Ok: queued/, t2.out);
    const [ar2] = arHeaders(await inboxRaw(t, 'signed tampered'));
    assert.match(ar2!, /dkim=(fail|neutral)/);
    assert.match(ar2!, /dmarc=pass/);
  });

  it('removes a forged Authentication-Results of our own authserv-id and a sender\'s own X-Spam verdict (RFC 8601 §5)', async () => {
    const forged = ['Authentication-Results: mx.youju.test; dkim=pass header.d=bank.test; dmarc=pass', 'Authentication-Results: relay.elsewhere.test; spf=pass',
      'X-Spam-Flag: NO', 'X-Spam-Status: No, score=-10.0', message('x@spf-pass.test', 'forged results')].join('\r\n');
    const r = await swaks(t.ports.smtp, ['--to', 'alice@example.cn', '--from', 'x@spf-pass.test', '--data', '-'], forged);
    assert.match(r.out, /250 2\.0\.0 Ok: queued/, r.out);
    const got = await inboxRaw(t, 'forged results');
    const ars = arHeaders(got);
    assert.equal(ars.filter((h) => /^Authentication-Results: mx\.youju\.test;/i.test(h)).length, 1, 'only ours');
    assert.doesNotMatch(ars.join('\n'), /header\.d=bank\.test/);
    assert.ok(ars.some((h) => /relay\.elsewhere\.test/.test(h)), 'another server\'s results stay');
    const head = got.split('\r\n\r\n')[0]!;
    assert.equal((head.match(/^X-Spam-Flag:/gim) ?? []).length, 1);
    assert.doesNotMatch(head, /score=-10\.0/);
  });

  it('refuses a DMARC failure under p=reject at the end of DATA when dmarcHonourReject; otherwise records dmarc=fail', async () => {
    const forged = message('ceo@strict.test', 'forged ceo');
    const r = await swaks(t.ports.smtp, ['--to', 'alice@example.cn', '--from', 'bounce@spf-pass.test', '--data', '-'], forged);
    assert.match(r.out, /<\*\*\s+550 5\.7\.1 Message refused: the DMARC policy of strict\.test rejects/, r.out);
    await t.rt.settings.set('senderAuth.dmarcHonourReject', false);
    const again = await swaks(t.ports.smtp, ['--to', 'alice@example.cn', '--from', 'bounce@spf-pass.test', '--data', '-'], forged);
    assert.match(again.out, /250 2\.0\.0 Ok: queued/, again.out);
    assert.match(arHeaders(await inboxRaw(t, 'forged ceo'))[0]!, /dmarc=fail/);
    await t.rt.settings.set('senderAuth.dmarcHonourReject', true);
    const lenient = await swaks(t.ports.smtp, ['--to', 'alice@example.cn', '--from', 'bounce@spf-pass.test', '--data', '-'], message('ceo@lenient.test', 'lenient'));
    assert.match(lenient.out, /250 2\.0\.0 Ok: queued/, lenient.out);
    assert.match(arHeaders(await inboxRaw(t, 'lenient'))[0]!, /dmarc=fail/);
  });

  it('an approved sender, once SPF proves it, scores lower; unproven, it does not', async () => {
    await t.rt.settings.set('senderAuth.approvedList', ['*@spf-pass.test', '*@spf-soft.test']);
    const proven = await swaks(t.ports.smtp, ['--to', 'alice@example.cn', '--from', 'news@spf-pass.test', '--header', 'Subject: approved']);
    assert.match(proven.out, /250 2\.0\.0 Ok: queued/, proven.out);
    assert.match(await inboxRaw(t, 'approved'), /^X-Spam-Status: .*tests=[^\r]*APPROVED_SENDER/m);
    const unproven = await swaks(t.ports.smtp, ['--to', 'alice@example.cn', '--from', 'news@spf-soft.test', '--header', 'Subject: not proven']);
    assert.match(unproven.out, /250 2\.0\.0 Ok: queued/, unproven.out);
    assert.doesNotMatch(await inboxRaw(t, 'not proven'), /APPROVED_SENDER/);
    await t.rt.settings.set('senderAuth.approvedList', []);
  });

  it('does not check authenticated submission (its own users), even from a domain whose SPF would fail', async () => {
    await t.addUser('bob@example.cn');
    await t.rt.settings.set('senderAuth.spfWhitelist', []);
    const r = await swaks(t.ports.submission, ['--to', 'alice@example.cn', '--from', 'bob@example.cn', '--auth', 'PLAIN',
      '--auth-user', 'bob@example.cn', '--auth-password', PASSWORD, '--header', 'Subject: from bob']);
    assert.match(r.out, /250 2\.0\.0 Ok: queued/, r.out);
    assert.equal(arHeaders(await inboxRaw(t, 'from bob')).length, 0);
  });
});
