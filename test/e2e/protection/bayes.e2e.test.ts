// The Bayesian classifier end to end (issue #13 item 6): mail arrives over SMTP (swaks), the user
// moves it into Junk and some of it back out with IMAP MOVE (imapflow), the classifier learns
// from those moves, and a new similar message gets a BAYES_xx score item: spam is marked, tagged
// and filed in Junk (antispam.moveSpamToJunk, subjectTag), ham stays in INBOX. Before the minimum
// training there is no BAYES item. `youju antispam learn` and `stats` work on the same store.
// The messages are written here; none comes from the accuracy corpus.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { youjuAsync } from '../../helpers/cli.ts';
import { imapClient } from '../../helpers/imap.ts';
import { swaks } from '../../helpers/peers.ts';
import { eventually, mailboxMessages, startTestServer, type TestServer } from '../../helpers/server.ts';

const header = (raw: string, name: string) => new RegExp(`^${name}:[ \\t]*(.*(?:\\r\\n[ \\t].*)*)`, 'im').exec(raw.split('\r\n\r\n')[0]!)?.[1];
const SPAM = [
  ['Cheap replica watches 特价', '本店特价名表，高仿劳力士，全场三折包邮。Cheap replica watches, luxury brands, order today and save 70 percent.'],
  ['Replica handbags sale 包邮', '高仿名牌包特价包邮，限时三折。Replica luxury handbags, cheap prices, order today and save big.'],
  ['Luxury replica shop 名表', '名表名包高仿特价，全场包邮。Replica watches and handbags at cheap prices, order now.'],
  ['Order replica today 三折', '劳力士高仿三折，限时特价包邮。Order cheap replica luxury watches today.'],
];
const HAM = [
  ['项目周会纪要', '各位好，本周项目进度正常。The integration tests pass; next meeting Monday morning to review the release plan.'],
  ['Release plan review', '大家好，请在周一开会前阅读发布计划。Please review the release plan and the test report before the meeting.'],
  ['测试报告', '附件是本周测试报告，集成测试全部通过。The test report for this week: all integration tests pass.'],
  ['Meeting moved to Tuesday', '周一的会议改到周二上午。The release review meeting moves to Tuesday morning, same room.'],
];
const mail = (subject: string, body: string, from: string) => [
  `From: <${from}>`, 'To: <alice@example.cn>', `Subject: =?UTF-8?B?${Buffer.from(subject).toString('base64')}?=`,
  `Date: ${new Date().toUTCString().replace('GMT', '+0000')}`, `Message-ID: <${Math.random().toString(36).slice(2)}@${from.split('@')[1]}>`,
  'MIME-Version: 1.0', 'Content-Type: text/plain; charset=utf-8', 'Content-Transfer-Encoding: base64', '',
  Buffer.from(body).toString('base64'), ''].join('\r\n');

describe('Bayesian classifier: trained by IMAP moves, used at SMTP', () => {
  let t: TestServer;
  before(async () => {
    t = await startTestServer({
      imap: true,
      settings: { 'security.allowPlaintextAuth': true, 'antispam.bayesMinLearned': 4, 'antispam.moveSpamToJunk': true, 'antispam.subjectTag': '[SPAM]' },
    });
    await t.addUser('alice@example.cn');
  });
  after(() => t?.close());

  const send = async (subject: string, body: string, from: string) => {
    const r = await swaks(t.ports.smtp, ['--to', 'alice@example.cn', '--from', from, '--data', '-'], mail(subject, body, from));
    assert.match(r.out, /250 2\.0\.0 Ok: queued/, r.out);
  };
  const find = (subject: string, folder = 'INBOX') =>
    eventually(async () => (await mailboxMessages(t.rt, 'alice@example.cn', folder)).find((m) => m.subject.includes(subject))?.raw, 10_000, `${subject} in ${folder}`);

  it('gives no BAYES item untrained, learns from moves into and out of Junk, then scores new mail', async () => {
    for (const [s, b] of SPAM) await send(s!, b!, 'shop@replica.test');
    for (const [s, b] of HAM) await send(s!, b!, 'colleague@partner.test');
    const first = await find(SPAM[0]![0]!);
    assert.doesNotMatch(header(first, 'X-Spam-Status')!, /BAYES_/, 'untrained: no verdict');
    for (const [s] of HAM) await find(s!);

    const c = imapClient(t);
    await c.connect();
    try {
      // The user junks all eight, then rescues the four good ones.
      await c.mailboxOpen('INBOX');
      assert.ok(await c.messageMove('1:*', 'Junk'));
      await c.mailboxOpen('Junk');
      const rescued: number[] = [];
      for await (const m of c.fetch('1:*', { envelope: true, uid: true })) {
        if (HAM.some(([s]) => m.envelope?.subject === s)) rescued.push(m.uid);
      }
      assert.equal(rescued.length, 4);
      assert.ok(await c.messageMove(rescued.join(','), 'INBOX', { uid: true }));
    } finally {
      await c.logout();
    }
    await t.rt.bayes.learning.idle();
    assert.deepEqual((await t.rt.bayes.classifier.scopes()).map((s) => [s.scope, s.spam, s.ham]), [['', 4, 4]]);

    await send('Replica watches cheap 包邮', '高仿名表特价三折包邮，replica luxury watches, order today.', 'sales@another-shop.test');
    const spam = await find('Replica watches cheap', 'Junk');
    const status = header(spam, 'X-Spam-Status')!;
    assert.match(status, /^Yes, .*tests=.*BAYES_99/, status);
    assert.match(header(spam, 'Subject')!, /^\[SPAM\] =\?UTF-8\?B\?/);

    await send('下周测试计划', '大家好，下周的集成测试计划见附件，周二开会讨论。The test plan for the release, meeting Tuesday.', 'lead@partner.test');
    const ham = await find('下周测试计划');
    assert.match(header(ham, 'X-Spam-Status')!, /^No, .*tests=.*BAYES_00/);
  });

  it('learns message files with `youju antispam learn` and shows the counts with `stats`', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'youju-learn-'));
    try {
      // An mbox "From " line and LF line ends, as such files usually come.
      await writeFile(join(dir, '1.eml'), `From spammer Mon Jan  1 00:00:00 2024\n${mail('Replica sale 特价', '高仿名表特价包邮 replica watches', 'x@replica.test').replace(/\r\n/g, '\n')}`);
      await writeFile(join(dir, '2.eml'), mail('Another replica offer', '名包高仿三折 replica handbags cheap', 'y@replica.test'));
      const learn = await youjuAsync(['--data', t.dir, 'antispam', 'learn', '--spam', dir, '--json']);
      assert.equal(learn.code, 0, learn.stderr);
      assert.deepEqual(JSON.parse(learn.stdout), { as: 'spam', scope: '', learned: 2, moved: 0, already: 0, failed: 0 });
      const again = await youjuAsync(['--data', t.dir, 'antispam', 'learn', '--ham', join(dir, '2.eml'), '--json']);
      assert.equal(JSON.parse(again.stdout).moved, 1);
      const neither = await youjuAsync(['--data', t.dir, 'antispam', 'learn', dir]);
      assert.notEqual(neither.code, 0);

      await t.rt.pipeline.counters.flush();
      const stats = await youjuAsync(['--data', t.dir, 'antispam', 'stats', '--json']);
      assert.equal(stats.code, 0, stats.stderr);
      const s = JSON.parse(stats.stdout) as { bayes: { scopes: Array<{ scope: string; spam: number; ham: number }> }; days: Array<{ ham: number; spamAccepted: number }> };
      assert.deepEqual(s.bayes.scopes.map((x) => [x.scope, x.spam, x.ham]), [['', 5, 5]]);
      assert.ok(s.days.at(-1)!.ham >= 5 && s.days.at(-1)!.spamAccepted >= 1, JSON.stringify(s.days));
      const human = await youjuAsync(['--data', t.dir, 'antispam', 'stats']);
      assert.match(human.stdout, /\(global\)\s+5\s+5\s+\d+\s+yes/);
      assert.match(human.stdout, /SPAM ACCEPTED/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('learns the learning folders (每晚午夜调度贝叶斯学习) and empties them; the nightly run is due once a day after learnAt', async () => {
    await t.addUser('bayes@example.cn');
    const bayes = (await t.rt.users.byAddress('bayes@example.cn'))!;
    await t.rt.mailboxes.create(bayes.id, 'Bayesian Learning/Spam');
    await t.rt.mailboxes.create(bayes.id, 'Bayesian Learning/Non-Spam');
    for (const [i, [s, b]] of SPAM.entries()) await t.rt.mailboxes.append(bayes.id, 'Bayesian Learning/Spam', { raw: Buffer.from(mail(`${s} #${i} folder`, b!, 'z@replica.test')) });
    for (const [s, b] of HAM.slice(0, 2)) await t.rt.mailboxes.append(bayes.id, 'Bayesian Learning/Non-Spam', { raw: Buffer.from(mail(`${s} folder`, b!, 'team@example.cn')) });
    const before = (await t.rt.bayes.classifier.scopes()).find((x) => x.scope === '')!;
    const unset = await youjuAsync(['--data', t.dir, 'antispam', 'learn-folders', '--json']);
    assert.match(JSON.parse(unset.stdout).skipped, /learnMailbox is not set/);
    await t.rt.settings.set('antispam.learnMailbox', 'bayes@example.cn');
    const r = await youjuAsync(['--data', t.dir, 'antispam', 'learn-folders', '--json']);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout), { spam: 4, ham: 2, missing: [] });
    const after = (await t.rt.bayes.classifier.scopes()).find((x) => x.scope === '')!;
    assert.deepEqual([after.spam - before.spam, after.ham - before.ham], [4, 2]);
    for (const f of ['Bayesian Learning/Spam', 'Bayesian Learning/Non-Spam']) assert.equal((await mailboxMessages(t.rt, 'bayes@example.cn', f)).length, 0, `${f} emptied`);

    const { learningDue } = await import('../../../src/antispam/learning-folders.ts');
    const on = { ...t.rt.settings.current(), antispam: { ...t.rt.settings.current().antispam, learnNightly: true, learnAt: '00:30' } };
    assert.equal(learningDue(on, new Date(2026, 11, 4, 0, 29), undefined, '2026-12-04'), false, 'before learnAt');
    assert.equal(learningDue(on, new Date(2026, 11, 4, 0, 30), undefined, '2026-12-04'), true);
    assert.equal(learningDue(on, new Date(2026, 11, 4, 23, 0), '2026-12-04', '2026-12-04'), false, 'once a day');
    assert.equal(learningDue({ ...on, antispam: { ...on.antispam, learnNightly: false } }, new Date(2026, 11, 4, 1, 0), undefined, '2026-12-04'), false, 'off');
  });
});
