import { test } from 'node:test';
import assert from 'node:assert/strict';
import { simpleParser } from 'mailparser';
import { buildAutoreply, replySubject, shouldAutoreply, type AutoreplyCheck } from './autoreply.ts';
import { AutoreplySchema, type AutoreplyRules } from './user-rules.ts';

const DAY = 24 * 60 * 60 * 1000;
const T0 = Date.UTC(2026, 0, 1);
const rules = (over: object = {}): AutoreplyRules => AutoreplySchema.parse({ enabled: true, body: '我在休假。', ...over });

/** A check that passes; each test breaks one thing. Headers as [name, value] pairs. */
function check(over: Partial<AutoreplyCheck> = {}, headers: Array<[string, string]> = [['To', '"鲍勃" <bob@x.cn>']]): AutoreplyCheck {
  return {
    rules: rules(),
    now: T0,
    sender: 'alice@example.net',
    recipientAddress: 'bob@x.cn',
    headers: (name) => headers.filter(([n]) => n.toLowerCase() === name).map(([, v]) => v),
    ...over,
  };
}
const sends = (c: AutoreplyCheck) => shouldAutoreply(c).send;

test('an ordinary personal message gets a reply', () => {
  assert.deepEqual(shouldAutoreply(check()), { send: true, reason: 'ok' });
  assert.ok(sends(check({}, [['To', 'someone@else.cn'], ['Cc', 'BOB@X.CN']])), 'Cc counts, case-insensitively');
});

test('off, or outside startsAt / endsAt: no reply', () => {
  assert.equal(shouldAutoreply(check({ rules: rules({ enabled: false }) })).reason, 'auto-reply is off');
  assert.ok(!sends(check({ rules: rules({ startsAt: T0 + 1 }) })));
  assert.ok(sends(check({ rules: rules({ startsAt: T0, endsAt: T0 + DAY }) })), 'startsAt is inclusive');
  assert.ok(!sends(check({ rules: rules({ endsAt: T0 }) })), 'endsAt is exclusive');
});

test('RFC 3834 §2: no reply to the null sender or to robot addresses', () => {
  for (const sender of ['', '<>', 'MAILER-DAEMON@example.net', 'postmaster@example.net', 'owner-staff@lists.example.net',
    'staff-request@lists.example.net', 'noreply@example.net', 'no-reply@example.net', 'do-not-reply@example.net',
    'list-bounces+bob=x.cn@lists.example.net']) {
    assert.ok(!sends(check({ sender })), `sender ${JSON.stringify(sender)}`);
  }
  assert.ok(!sends(check({ sender: 'Bob@x.cn' })), 'never to the user itself');
  assert.ok(sends(check({ sender: 'requester@example.net' })), 'only the listed patterns');
});

test('RFC 3834 §5: Auto-Submitted other than "no" suppresses the reply', () => {
  const to: [string, string] = ['To', 'bob@x.cn'];
  assert.equal(shouldAutoreply(check({}, [to, ['Auto-Submitted', 'auto-replied']])).reason, 'Auto-Submitted: auto-replied');
  assert.ok(!sends(check({}, [to, ['Auto-Submitted', 'auto-generated']])));
  assert.ok(!sends(check({}, [to, ['Auto-Submitted', 'Auto-Notified; owner-email="x@y"']])), 'parameters and case ignored');
  assert.ok(sends(check({}, [to, ['Auto-Submitted', ' No ']])), '"no" means a person sent it');
  assert.ok(!sends(check({}, [to, ['X-Autoreply', 'yes']])));
});

test('bulk and list mail: Precedence bulk/list/junk and List-* headers', () => {
  const to: [string, string] = ['To', 'bob@x.cn'];
  for (const p of ['bulk', 'List', ' junk ']) assert.ok(!sends(check({}, [to, ['Precedence', p]])), `Precedence ${p}`);
  assert.ok(sends(check({}, [to, ['Precedence', 'first-class']])));
  assert.ok(!sends(check({}, [to, ['List-Id', '<staff.x.cn>']])));
  assert.ok(!sends(check({}, [to, ['List-Unsubscribe', '<mailto:leave@x.cn>']])));
  assert.equal(shouldAutoreply(check({}, [to, ['List-Post', '<mailto:staff@x.cn>']])).reason, 'mailing list (list-post)');
});

test('X-Auto-Response-Suppress: All / OOF / AutoReply suppress, DR alone does not', () => {
  const to: [string, string] = ['To', 'bob@x.cn'];
  assert.ok(!sends(check({}, [to, ['X-Auto-Response-Suppress', 'All']])));
  assert.ok(!sends(check({}, [to, ['X-Auto-Response-Suppress', 'DR, OOF']])));
  assert.ok(!sends(check({}, [to, ['X-Auto-Response-Suppress', 'AutoReply']])));
  assert.ok(sends(check({}, [to, ['X-Auto-Response-Suppress', 'DR, RN']])));
});

test('RFC 3834 §2: only when the user is named in To or Cc (not via a list, alias or Bcc)', () => {
  assert.equal(shouldAutoreply(check({}, [['To', 'staff@x.cn']])).reason, 'recipient not in To or Cc');
  assert.ok(!sends(check({}, [])), 'no To at all (Bcc)');
  assert.ok(sends(check({ recipientAddress: ['bob@x.cn', 'sales@x.cn'] }, [['To', '销售部 <sales@x.cn>']])),
    'an alias of the user counts when the caller passes it');
  assert.ok(sends(check({}, [['To', '=?UTF-8?B?6bKN5YuD?= <bob@x.cn>, team: a@x.cn, c@x.cn;']])),
    'encoded names and groups');
});

test('at most once per sender per intervalDays', () => {
  assert.ok(!sends(check({ lastSentAt: T0 - DAY + 1 })));
  assert.ok(sends(check({ lastSentAt: T0 - DAY })));
  const weekly = rules({ intervalDays: 7 });
  assert.match(shouldAutoreply(check({ rules: weekly, lastSentAt: T0 - 6 * DAY })).reason, /within 7 day/);
  assert.ok(sends(check({ rules: weekly, lastSentAt: T0 - 7 * DAY })));
});

test('onlyToContacts: reply only when the caller says the sender is a contact', () => {
  const r = rules({ onlyToContacts: true });
  assert.ok(!sends(check({ rules: r })));
  assert.ok(!sends(check({ rules: r, isContact: false })));
  assert.ok(sends(check({ rules: r, isContact: true })));
});

test('the subject template substitutes {subject} on one line', () => {
  assert.equal(replySubject('自动回复: {subject}', '关于发票的通知'), '自动回复: 关于发票的通知');
  assert.equal(replySubject('Re: {subject} ({subject})', 'a\r\n b'), 'Re: a b (a b)');
  assert.equal(replySubject('Out of office', 'x'), 'Out of office');
});

test('the reply parses back: Chinese subject and body, Auto-Submitted, threading headers', async () => {
  const raw = await buildAutoreply({
    rules: rules(),
    from: { address: 'bob@x.cn', name: '鲍勃' },
    to: 'alice@example.net',
    original: { subject: '关于发票的通知', messageId: '<m1@example.net>' },
    now: T0,
  });
  assert.ok(/^[\x00-\x7f]*$/.test(raw.toString('latin1')), '7-bit clean: headers and body encoded');
  const parsed = await simpleParser(raw);
  assert.equal(parsed.subject, '自动回复: 关于发票的通知');
  assert.equal(parsed.text?.trim(), '我在休假。');
  assert.equal(parsed.html, false);
  assert.equal(parsed.headers.get('auto-submitted'), 'auto-replied');
  assert.equal(parsed.inReplyTo, '<m1@example.net>');
  assert.equal(parsed.references, '<m1@example.net>');
  assert.deepEqual(parsed.from?.value, [{ address: 'bob@x.cn', name: '鲍勃' }]);
  assert.equal(parsed.date?.getTime(), T0);
  assert.match(parsed.messageId ?? '', /@x\.cn>$/);
});

test('the reply carries HTML when given, and drops an unusable Message-ID', async () => {
  const raw = await buildAutoreply({
    rules: rules({ html: '<p>我在<b>休假</b>。</p>', subject: 'Out of office' }),
    from: { address: 'bob@x.cn' },
    to: 'alice@example.net',
    original: { subject: 'hi', messageId: 'bad id\r\nBcc: victim@example.org' },
  });
  const parsed = await simpleParser(raw);
  assert.equal(parsed.subject, 'Out of office');
  assert.equal(parsed.html, '<p>我在<b>休假</b>。</p>');
  assert.equal(parsed.text?.trim(), '我在休假。');
  assert.equal(parsed.inReplyTo, undefined);
  assert.equal(parsed.bcc, undefined, 'no header injection');
});
