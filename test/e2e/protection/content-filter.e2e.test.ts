// The content filter end to end (issue #13 items 10 and 11; FEATURES S6, A7, S3, P16): swaks sends
// real mail over SMTP on loopback, and the mailboxes in the store show what the rules did: delete,
// redirect, copy to a user with a header added, move to a folder, notify the admin from a template,
// a denied attachment refused with 554, the monitoring copy (A7), the archive copy with its subject
// tag (S3), and the same Message-ID delivered twice stored once (P16). Rules are runtime settings
// changed while the server runs; the daily counters and the content-filter session log record it.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { swaks } from '../../helpers/peers.ts';
import { eventually, mailboxMessages, sessionLogText, startTestServer, TEST_ACTOR, type TestServer } from '../../helpers/server.ts';

const header = (raw: string, name: string) => new RegExp(`^${name}:[ \\t]*(.*)`, 'im').exec(raw.split('\r\n\r\n')[0]!)?.[1];
let seq = 0;

function mail(subject: string, o: { to?: string; messageId?: string; attachment?: { name: string; type: string } } = {}): string {
  const head = [`From: <news@remote.test>`, `To: <${o.to ?? 'alice@example.cn'}>`, `Subject: ${subject}`,
    `Date: ${new Date().toUTCString().replace('GMT', '+0000')}`, `Message-ID: <${o.messageId ?? `${Date.now()}.${++seq}@remote.test`}>`, 'MIME-Version: 1.0'];
  if (!o.attachment) return [...head, 'Content-Type: text/plain; charset=utf-8', '', 'Hello, this is an ordinary message.', ''].join('\r\n');
  return [...head, 'Content-Type: multipart/mixed; boundary="b1"', '', '--b1', 'Content-Type: text/plain; charset=utf-8', '', 'See the file.',
    '--b1', `Content-Type: ${o.attachment.type}; name="${o.attachment.name}"`, `Content-Disposition: attachment; filename="${o.attachment.name}"`,
    'Content-Transfer-Encoding: base64', '', Buffer.from('MZ not really a program').toString('base64'), '--b1--', ''].join('\r\n');
}

describe('content filter, monitoring, archive and duplicate removal through SMTP', () => {
  let t: TestServer;
  before(async () => {
    t = await startTestServer({
      settings: {
        'contentFilter.enabled': true,
        'contentFilter.adminAddress': 'boss@example.cn',
        'contentFilter.rules': [
          { name: 'drop', conditions: [{ field: 'header', header: 'Subject', values: ['DROPME'] }], actions: [{ type: 'delete' }] },
          { name: 'redirect', conditions: [{ field: 'header', header: 'Subject', values: ['REDIRECTME'] }], actions: [{ type: 'redirect', to: ['review@example.cn'] }] },
          { name: 'copy', conditions: [{ field: 'header', header: 'Subject', values: ['COPYME'] }],
            actions: [{ type: 'addHeader', header: 'X-Content-Filter', value: 'copied by $RULE$' }, { type: 'copy', to: ['boss@example.cn'] }] },
          { name: 'folder', conditions: [{ field: 'header', header: '*', op: 'matches', values: ['^subject: .*folderme'] }], actions: [{ type: 'moveToFolder', folder: 'Invoices' }] },
          { name: 'alert', conditions: [{ field: 'header', header: 'Subject', values: ['NOTIFYME'] }],
            actions: [{ type: 'notify', to: ['admin'], subject: 'Alert: $SUBJECT$', body: 'From $SENDER$ to $RECIPIENTS$ matched $RULE$' }] },
        ],
        'contentFilter.attachments': { mode: 'deny', deny: ['*.exe', '*.scr'], action: 'reject' },
        'contentFilter.monitoring': [{ name: 'watch bob', conditions: [{ field: 'recipient', values: ['bob@'] }], copyTo: ['watch@example.cn'] }],
        'localDelivery.duplicateWindowMin': 60,
      },
    });
    for (const u of ['alice', 'bob', 'boss', 'review', 'watch', 'archive']) await t.addUser(`${u}@example.cn`);
    const alice = await t.rt.users.byAddress('alice@example.cn');
    await t.rt.mailboxes.create(alice!.id, 'Invoices');
  });
  after(() => t?.close());

  const send = (raw: string, to = 'alice@example.cn') => swaks(t.ports.smtp, ['--to', to, '--from', 'news@remote.test', '--data', '-'], raw);
  const subjects = async (address: string, folder = 'INBOX') => (await mailboxMessages(t.rt, address, folder)).map((m) => m.subject);
  const find = (address: string, subject: string, folder = 'INBOX') =>
    eventually(async () => (await mailboxMessages(t.rt, address, folder)).find((m) => m.subject === subject)?.raw, 10_000, `${subject} for ${address}`);
  const settle = async () => { await eventually(async () => (await t.rt.store.read((tx) => tx.queue.list({}))).length === 0, 10_000, 'queue empty'); };
  const counters = async () => {
    await t.rt.pipeline.counters.flush();
    return Object.values(await t.rt.pipeline.counters.read('2000-01-01', '2999-12-31')).at(-1) ?? {};
  };

  it('delete: accepted with 250, stored nowhere', async () => {
    const r = await send(mail('please DROPME now'));
    assert.match(r.out, /<-\s+250 2\.0\.0 Ok/, r.out);
    await send(mail('ordinary after drop'));
    await find('alice@example.cn', 'ordinary after drop');
    assert.ok(!(await subjects('alice@example.cn')).includes('please DROPME now'));
  });

  it('redirect: to review@ instead of alice', async () => {
    const r = await send(mail('REDIRECTME report'));
    assert.match(r.out, /250 2\.0\.0 Ok: queued as/, r.out);
    await find('review@example.cn', 'REDIRECTME report');
    await settle();
    assert.ok(!(await subjects('alice@example.cn')).includes('REDIRECTME report'));
  });

  it('copy to a user, with a header added: both get it, the header on each', async () => {
    await send(mail('COPYME minutes'));
    const own = await find('alice@example.cn', 'COPYME minutes');
    const copy = await find('boss@example.cn', 'COPYME minutes');
    assert.equal(header(own, 'X-Content-Filter'), 'copied by copy');
    assert.equal(header(copy, 'X-Content-Filter'), 'copied by copy');
    assert.match(copy, /^Return-Path: <>/, 'the copy comes from the null sender');
  });

  it('move to folder: filed in Invoices, not INBOX', async () => {
    await send(mail('Your FOLDERME invoice'));
    await find('alice@example.cn', 'Your FOLDERME invoice', 'Invoices');
    assert.ok(!(await subjects('alice@example.cn')).includes('Your FOLDERME invoice'));
  });

  it('notify the admin from a template', async () => {
    await send(mail('NOTIFYME please'));
    await find('alice@example.cn', 'NOTIFYME please');
    const notice = await find('boss@example.cn', 'Alert: NOTIFYME please');
    const body = Buffer.from(notice.split('\r\n\r\n')[1]!.replace(/\s+/g, ''), 'base64').toString('utf8');
    assert.equal(body, 'From news@remote.test to alice@example.cn matched alert');
  });

  it('attachment deny list: 554 at the end of DATA and nothing stored; an allowed file passes', async () => {
    const r = await send(mail('tool inside', { attachment: { name: 'Setup.EXE', type: 'application/octet-stream' } }));
    assert.match(r.out, /<\*\*\s+554 5\.7\.1 Message refused: attachment type not allowed \(Setup\.EXE\)/, r.out);
    const ok = await send(mail('pdf inside', { attachment: { name: 'report.pdf', type: 'application/pdf' } }));
    assert.match(ok.out, /250 2\.0\.0 Ok: queued/, ok.out);
    await find('alice@example.cn', 'pdf inside');
    assert.ok(!(await subjects('alice@example.cn')).includes('tool inside'));
  });

  it('monitoring: mail to bob is copied to watch@, mail to alice is not', async () => {
    await send(mail('for bob', { to: 'bob@example.cn' }), 'bob@example.cn');
    await find('bob@example.cn', 'for bob');
    await find('watch@example.cn', 'for bob');
    await send(mail('for alice only'));
    await find('alice@example.cn', 'for alice only');
    await settle();
    assert.deepEqual(await subjects('watch@example.cn'), ['for bob']);
  });

  it('archive: every message copied to the archive mailbox with the subject tag, deleted ones too; changes apply while running', async () => {
    await t.rt.settings.set('contentFilter.archive', { enabled: true, addresses: ['archive@example.cn'], tagSubject: true });
    await send(mail('archived one'));
    await find('alice@example.cn', 'archived one');
    await find('archive@example.cn', '(存档副本) archived one');
    await send(mail('archived DROPME'));
    await find('archive@example.cn', '(存档副本) archived DROPME');
    await settle();
    assert.ok(!(await subjects('alice@example.cn')).includes('archived DROPME'));
    await t.rt.settings.set('contentFilter.archive', { enabled: false });
  });

  it('duplicate removal: the same Message-ID twice to one mailbox is stored once; another mailbox still gets it', async () => {
    const id = `dup.${Date.now()}@remote.test`;
    await send(mail('twice', { messageId: id }));
    await find('alice@example.cn', 'twice');
    await send(mail('twice', { messageId: id }));
    await send(mail('twice', { messageId: id, to: 'review@example.cn' }), 'review@example.cn');
    await find('review@example.cn', 'twice');
    await settle();
    assert.equal((await subjects('alice@example.cn')).filter((s) => s === 'twice').length, 1);
    await t.rt.settings.set('localDelivery.duplicateWindowMin', 0);
    await send(mail('twice', { messageId: id }));
    await eventually(async () => (await subjects('alice@example.cn')).filter((s) => s === 'twice').length === 2, 10_000, 'second copy with removal off');
  });

  it('a held message (scanner down) gets the filter\'s routing when it is released from the holding queue', async () => {
    await t.rt.settings.set('antivirus.clamd', '127.0.0.1:9'); // nothing listens: the antivirus stage holds the message
    const r = await send(mail('COPYME while held'));
    assert.match(r.out, /250 2\.0\.0 Ok: queued as/, r.out);
    assert.equal((await t.rt.queueManager.list('holding')).length, 1);
    await t.rt.settings.set('antivirus.clamd', ''); // no scanner any more: scanning resumes after the antivirus stage
    t.rt.pipeline.kickHeld();
    const own = await find('alice@example.cn', 'COPYME while held');
    const copy = await find('boss@example.cn', 'COPYME while held');
    assert.equal(header(own, 'X-Content-Filter'), 'copied by copy');
    assert.equal(header(copy, 'X-Content-Filter'), 'copied by copy');
    assert.equal((await t.rt.queueManager.list('holding')).length, 0);
  });

  it('webmail: outgoing mail goes through the same filter (monitoring copy of mail to bob)', async () => {
    const alice = await t.rt.users.byAddress('alice@example.cn');
    await t.rt.submission.send(TEST_ACTOR, alice!.id, { to: ['bob@example.cn'], cc: [], bcc: [], subject: 'webmail to bob', text: 'hi', priority: 'normal', receipt: false },
      { ip: '127.0.0.1', secure: true }, { saveSent: false });
    await find('bob@example.cn', 'webmail to bob');
    await find('watch@example.cn', 'webmail to bob');
  });

  it('counts its work per day and writes its own session log', async () => {
    const c = await counters();
    for (const name of ['matched', 'deleted', 'redirected', 'copied', 'notified', 'attachment-refused', 'monitored', 'archived']) {
      assert.ok((c[`content-filter.${name}`] ?? 0) >= 1, `content-filter.${name}: ${JSON.stringify(c)}`);
    }
    await sessionLogText(t.dir, 'content-filter', /rule "drop" matched/, /attachment "Setup\.EXE" refused \(deny list\): reject/);
  });
});
