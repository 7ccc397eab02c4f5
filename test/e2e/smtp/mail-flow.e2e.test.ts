// Mail flow gaps of issue #10 §3, driven by swaks over port 25: postmaster@ and abuse@ are always
// accepted and reach the domain's role mailbox (RFC 5321 §4.5.1), never the bad queue; user+tag@
// reaches user and the user's filter can file by tag; the delimiter setting turns it off at RCPT;
// Python smtplib asks for DSN (RFC 3461: NOTIFY=SUCCESS, ORCPT, RET, ENVID) and a "delivered" notice comes back;
// a bounce to one of our SRS addresses is accepted and routed to the original sender, a forged one refused.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { saveUserRules } from '../../../src/delivery/local/user-rules.ts';
import { youjuAsync } from '../../helpers/cli.ts';
import { python, swaks } from '../../helpers/peers.ts';
import { eventually, mailboxMessages, startTestServer, type TestServer } from '../../helpers/server.ts';

describe('mail flow: role accounts and sub-addressing', () => {
  let t: TestServer;

  before(async () => {
    t = await startTestServer();
    await t.addUser('boss@example.cn');
    await t.addUser('bob@example.cn');
  });
  after(() => t?.close());

  const send = async (to: string, subject: string) => {
    const r = await swaks(t.ports.smtp, ['--to', to, '--from', 'x@remote.test', '--header', `Subject: ${subject}`]);
    return r;
  };
  const arrives = (address: string, subject: string, folder = 'INBOX') =>
    eventually(async () => (await mailboxMessages(t.rt, address, folder)).find((m) => m.subject === subject), 10_000, `${subject} for ${address}`);

  it('postmaster@ and abuse@ reach the oldest user by default, then the configured mailbox; youju domain show says where', async () => {
    assert.equal((await send('postmaster@example.cn', 'pm default')).code, 0);
    await arrives('boss@example.cn', 'pm default');
    assert.equal((await send('Abuse@example.cn', 'abuse default')).code, 0);
    await arrives('boss@example.cn', 'abuse default');

    const set = await youjuAsync(['domain', 'set', 'example.cn', '--postmaster', 'bob@example.cn', '--data', t.dir]);
    assert.equal(set.code, 0, set.stderr);
    const show = await youjuAsync(['domain', 'show', 'example.cn', '--data', t.dir]);
    assert.match(show.stdout, /postmaster@\s+bob@example\.cn\n/);
    assert.match(show.stdout, /abuse@\s+bob@example\.cn \(default\)/);
    assert.equal((await send('postmaster@example.cn', 'pm configured')).code, 0);
    await arrives('bob@example.cn', 'pm configured');
    assert.deepEqual((await t.rt.queueManager.list('bad')).length, 0, 'nothing in the bad queue');
  });

  it('user+tag@ reaches user and a filter on the tag files it; an empty delimiter refuses it at RCPT', async () => {
    const bob = (await t.rt.users.byAddress('bob@example.cn'))!;
    await t.rt.store.tx((tx) => tx.mailboxes.create(bob.id, 'News'));
    await saveUserRules(t.rt.store, bob.id, { filters: [
      { name: 'news', conditions: [{ field: 'tag', op: 'equals', value: 'news' }], actions: [{ kind: 'move', folder: 'News' }] },
    ] });
    assert.equal((await send('bob+news@example.cn', 'tagged')).code, 0);
    await arrives('bob@example.cn', 'tagged', 'News');
    assert.equal((await send('bob+other@example.cn', 'other tag')).code, 0);
    await arrives('bob@example.cn', 'other tag');

    await t.rt.settings.set('delivery.recipientDelimiter', '');
    const refused = await send('bob+news@example.cn', 'refused');
    assert.notEqual(refused.code, 0);
    assert.match(refused.out, /<\*\* 550 5\.1\.1 <bob\+news@example\.cn>/);
    await t.rt.settings.set('delivery.recipientDelimiter', '+');
  });

  it('NOTIFY=SUCCESS from smtplib: a "delivered" DSN with ENVID and ORCPT goes back to the sender', async () => {
    const r = await python(`
import smtplib, sys
s = smtplib.SMTP('127.0.0.1', int(sys.argv[1]), timeout=20)
s.sendmail('x@remote.test', ['boss@example.cn'], 'Subject: dsn please\\r\\n\\r\\nbody text\\r\\n',
  mail_options=['RET=HDRS', 'ENVID=e2e-1'], rcpt_options=['NOTIFY=SUCCESS,FAILURE', 'ORCPT=rfc822;old+2Bboss@example.cn'])
s.quit()`, [String(t.ports.smtp)]);
    assert.equal(r.code, 0, r.out);
    await arrives('boss@example.cn', 'dsn please');
    const notice = await eventually(async () => (await t.rt.queueManager.list()).find((e) => e.meta.action === 'delivered'), 10_000, 'success DSN');
    assert.equal(notice.sender, '');
    assert.deepEqual(notice.recipients.map((x) => x.address), ['x@remote.test']);
    const text = (await t.rt.blobs.read(notice.blobId)).toString('utf8');
    assert.match(text, /Original-Envelope-Id: e2e-1\r\n/);
    assert.match(text, /Original-Recipient: rfc822; old\+boss@example\.cn\r\nFinal-Recipient: rfc822; boss@example\.cn\r\nAction: delivered/);
    assert.doesNotMatch(text, /body text/, 'RET=HDRS');
  });

  it('a bounce to our SRS address goes back to the original sender; forged SRS addresses are refused at RCPT', async () => {
    const srs = t.rt.srs.forward('client@remote.test', 'example.cn');
    assert.match(srs, /^SRS0=[a-z2-7]{6}=[a-z2-7]{2}=remote\.test=client@example\.cn$/);
    const ok = await swaks(t.ports.smtp, ['--to', srs, '--from', '<>', '--header', 'Subject: bounce back']);
    assert.equal(ok.code, 0, ok.out);
    const back = await eventually(async () => (await t.rt.queueManager.list())
      .find((e) => e.recipients.some((r) => r.address === 'client@remote.test')), 10_000, 'the bounce on its way back');
    assert.equal(back.sender, '');
    const forged = srs.replace(/^SRS0=[a-z2-7]{6}/, 'SRS0=aaaaaa');
    const refused = await swaks(t.ports.smtp, ['--to', forged, '--from', '<>', '--header', 'Subject: forged']);
    assert.match(refused.out, /<\*\* 550 5\.1\.1/);
  });
});
