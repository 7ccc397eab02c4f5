import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ConditionSchema, ContentFilterSettingsSchema, DomainMonitorSchema, RuleSchema, type Condition } from '../config/schema/content-filter.ts';
import { applyArchive, applyDomainMonitors, applyMonitors, applyRules, conditionHolds, emptyPlan, fillTemplate, refusedAttachment, wildcard, type MessageFacts } from './engine.ts';

const facts = (over: Partial<MessageFacts> = {}): MessageFacts => ({
  sender: 'promo@remote.test',
  recipients: ['alice@example.cn', 'bob@example.cn'],
  size: 12_000,
  headers: [{ name: 'Subject', value: '代开发票 invoice' }, { name: 'To', value: 'Alice <alice@example.cn>' }, { name: 'X-Mailer', value: 'BulkMailer 3' }],
  attachments: [{ name: 'report.PDF', type: 'application/pdf' }, { name: 'setup.exe', type: 'application/octet-stream' }],
  origin: 'remote',
  spamScore: 6.5,
  spam: true,
  body: () => 'hello 微信 fp888',
  ...over,
});
const cond = (c: Record<string, unknown>): Condition => ConditionSchema.parse(c);
const rule = (r: Record<string, unknown>) => RuleSchema.parse(r);
const opts = { admin: 'postmaster@mail.example.cn', now: Date.UTC(2026, 11, 4) };

describe('content filter conditions', () => {
  it('header contains / notContains / matches / is / exists, one field or any', () => {
    assert.equal(conditionHolds(cond({ field: 'header', header: 'Subject', values: ['发票'] }), facts()), true);
    assert.equal(conditionHolds(cond({ field: 'header', header: 'subject', values: ['INVOICE'] }), facts()), true, 'case-insensitive name and value');
    assert.equal(conditionHolds(cond({ field: 'header', header: 'Subject', values: ['lottery'] }), facts()), false);
    assert.equal(conditionHolds(cond({ field: 'header', header: 'Subject', op: 'notContains', values: ['lottery', 'win'] }), facts()), true);
    assert.equal(conditionHolds(cond({ field: 'header', header: 'Subject', op: 'notContains', values: ['invoice'] }), facts()), false);
    assert.equal(conditionHolds(cond({ field: 'header', header: '*', values: ['x-mailer: bulk*'] }), facts()), true, 'any header, wildcard');
    assert.equal(conditionHolds(cond({ field: 'header', header: 'X-Mailer', op: 'matches', values: ['^Bulk\\w+ \\d$'] }), facts()), true);
    assert.equal(conditionHolds(cond({ field: 'header', header: 'X-Mailer', op: 'is', values: ['bulkmailer 3'] }), facts()), true);
    assert.equal(conditionHolds(cond({ field: 'header', header: 'X-Priority', op: 'exists' }), facts()), false);
    assert.equal(conditionHolds(cond({ field: 'header', header: 'X-Mailer', op: 'exists' }), facts()), true);
  });

  it('sender and recipients', () => {
    assert.equal(conditionHolds(cond({ field: 'sender', values: ['@remote.test'] }), facts()), true);
    assert.equal(conditionHolds(cond({ field: 'recipient', values: ['bob@'] }), facts()), true, 'any recipient');
    assert.equal(conditionHolds(cond({ field: 'recipient', op: 'is', values: ['carol@example.cn'] }), facts()), false);
  });

  it('size, attachment count, spam score: over / under', () => {
    assert.equal(conditionHolds(cond({ field: 'size', op: 'over', values: ['10000'] }), facts()), true);
    assert.equal(conditionHolds(cond({ field: 'size', op: 'under', values: ['10000'] }), facts()), false);
    assert.equal(conditionHolds(cond({ field: 'attachmentCount', op: 'over', values: ['1'] }), facts()), true);
    assert.equal(conditionHolds(cond({ field: 'spamScore', op: 'over', values: ['5'] }), facts()), true);
    assert.equal(conditionHolds(cond({ field: 'spamScore', op: 'over', values: ['5'] }), facts({ spamScore: undefined })), false, 'no score: never over');
  });

  it('attachment name and type', () => {
    assert.equal(conditionHolds(cond({ field: 'attachmentName', values: ['*.exe'] }), facts()), true);
    assert.equal(conditionHolds(cond({ field: 'attachmentName', op: 'matches', values: ['\\.pdf$'] }), facts()), true, 'case-insensitive');
    assert.equal(conditionHolds(cond({ field: 'attachmentType', values: ['application/pdf'] }), facts()), true);
    assert.equal(conditionHolds(cond({ field: 'attachmentName', values: ['*.zip'] }), facts()), false);
  });

  it('local or remote, and the body', () => {
    assert.equal(conditionHolds(cond({ field: 'origin', op: 'is', values: ['remote'] }), facts()), true);
    assert.equal(conditionHolds(cond({ field: 'origin', op: 'is', values: ['local'] }), facts()), false);
    assert.equal(conditionHolds(cond({ field: 'body', values: ['微信'] }), facts()), true);
  });

  it('refuses bad conditions naming the field', () => {
    assert.throws(() => ConditionSchema.parse({ field: 'header', values: ['x'] }), /header name/);
    assert.throws(() => ConditionSchema.parse({ field: 'size', op: 'over', values: ['big'] }), /one number/);
    assert.throws(() => ConditionSchema.parse({ field: 'sender', op: 'matches', values: ['(unclosed'] }), /regular expression/);
    assert.throws(() => RuleSchema.parse({ name: 'x', actions: [{ type: 'copy' }] }), /at least one address/);
    assert.throws(() => RuleSchema.parse({ name: 'x', actions: [{ type: 'addHeader', header: 'X-A' }] }), /value/);
    assert.throws(() => RuleSchema.parse({ name: 'x', actions: [{ type: 'addHeader', header: 'X-A', value: 'a\r\nBcc: evil@x' }] }), /one line/);
  });

  it('wildcards are anchored and escape regular expression characters', () => {
    assert.equal(wildcard('*.exe').test('a.exe'), true);
    assert.equal(wildcard('*.exe').test('a.exe.txt'), false);
    assert.equal(wildcard('a+b?.txt').test('a+bc.txt'), true);
  });
});

describe('content filter actions', () => {
  it('runs actions in order: add / remove header, copy, redirect, notify, folder', () => {
    const plan = applyRules([rule({
      name: 'invoices', match: 'any',
      conditions: [{ field: 'header', header: 'Subject', values: ['发票'] }, { field: 'size', op: 'over', values: ['99999999'] }],
      actions: [
        { type: 'addHeader', header: 'X-Filtered', value: 'rule $RULE$' },
        { type: 'removeHeader', header: 'X-Mailer' },
        { type: 'copy', to: ['boss@example.cn', 'admin'] },
        { type: 'redirect', to: ['review@example.cn'] },
        { type: 'notify', to: ['sender', 'admin'], subject: 'Re: $SUBJECT$', body: 'From $SENDER$ to $RECIPIENTS$, files $ATTACHMENTS$, $SIZE$ bytes' },
        { type: 'moveToFolder', folder: 'Invoices' },
        { type: 'addHeader', header: 'X-Never', value: 'after the move' },
      ],
    })], facts(), opts);
    assert.deepEqual(plan.matched, ['invoices']);
    assert.deepEqual(plan.addHeaders, ['X-Filtered: rule invoices']);
    assert.deepEqual(plan.removeHeaders, ['X-Mailer']);
    assert.deepEqual(plan.copies, [{ to: ['boss@example.cn', 'postmaster@mail.example.cn'], reason: 'rule invoices' }]);
    assert.deepEqual(plan.recipients, ['review@example.cn']);
    assert.equal(plan.notices.length, 1);
    assert.deepEqual(plan.notices[0]!.to, ['promo@remote.test', 'postmaster@mail.example.cn']);
    assert.equal(plan.notices[0]!.subject, 'Re: 代开发票 invoice');
    assert.equal(plan.notices[0]!.body, 'From promo@remote.test to alice@example.cn, bob@example.cn, files report.PDF, setup.exe, 12000 bytes');
    assert.equal(plan.folder, 'Invoices');
    assert.equal(plan.deleted, false);
  });

  it('delete ends the rules; stop ends them too; rules that do not match or are off do nothing', () => {
    const rules = [
      rule({ name: 'off', enabled: false, actions: [{ type: 'copy', to: ['x@example.cn'] }] }),
      rule({ name: 'no match', conditions: [{ field: 'sender', values: ['nobody'] }], actions: [{ type: 'delete' }] }),
      rule({ name: 'copy all', actions: [{ type: 'copy', to: ['audit@example.cn'] }, { type: 'stop' }] }),
      rule({ name: 'after stop', actions: [{ type: 'delete' }] }),
    ];
    const plan = applyRules(rules, facts(), opts);
    assert.deepEqual(plan.matched, ['copy all']);
    assert.equal(plan.deleted, false);
    const del = applyRules([rule({ name: 'd', actions: [{ type: 'delete' }, { type: 'copy', to: ['late@example.cn'] }] }), rule({ name: 'later', actions: [{ type: 'copy', to: ['x@example.cn'] }] })], facts(), opts);
    assert.equal(del.deleted, true);
    assert.deepEqual(del.copies, [], 'nothing after delete');
    assert.deepEqual(del.matched, ['d']);
  });

  it('notify the sender of a null-sender message: nobody to tell', () => {
    const plan = applyRules([rule({ name: 'n', actions: [{ type: 'notify', to: ['sender'] }] })], facts({ sender: '' }), opts);
    assert.deepEqual(plan.notices, []);
  });

  it('templates leave unknown variables as written', () => {
    assert.equal(fillTemplate('$RULE$ $NOPE$ $DATE$', facts(), 'r', opts.now), 'r $NOPE$ 2026-12-04T00:00:00.000Z');
  });
});

describe('attachment lists', () => {
  const att = (o: Record<string, unknown>) => ContentFilterSettingsSchema.parse({ attachments: o }).attachments;
  it('deny list refuses a listed file; off refuses nothing', () => {
    assert.equal(refusedAttachment(att({ mode: 'deny' }), facts()), 'setup.exe');
    assert.equal(refusedAttachment(att({ mode: 'off' }), facts()), undefined);
    assert.equal(refusedAttachment(att({ mode: 'deny', deny: ['*.zip'] }), facts()), undefined);
  });
  it('allow list refuses what is not listed', () => {
    assert.equal(refusedAttachment(att({ mode: 'allow', allow: ['*.pdf'] }), facts()), 'setup.exe');
    assert.equal(refusedAttachment(att({ mode: 'allow', allow: ['*.pdf', '*.exe'] }), facts()), undefined);
  });
  it('exclusions: an exempt sender, or every recipient exempt', () => {
    assert.equal(refusedAttachment(att({ mode: 'deny', exempt: ['remote.test'] }), facts()), undefined);
    assert.equal(refusedAttachment(att({ mode: 'deny', exempt: ['alice@example.cn'] }), facts()), 'setup.exe', 'bob is not exempt');
    assert.equal(refusedAttachment(att({ mode: 'deny', exempt: ['*@example.cn'] }), facts()), undefined);
  });
});

describe('monitoring and archive', () => {
  const s = (o: Record<string, unknown>) => ContentFilterSettingsSchema.parse(o);
  it('monitoring copies matching mail of its direction', () => {
    const { monitoring } = s({ monitoring: [
      { name: 'qq', conditions: [{ field: 'recipient', values: ['@example.cn'] }], copyTo: ['Watch@Example.cn'] },
      { name: 'out only', direction: 'out', copyTo: ['out@example.cn'] },
      { name: 'off', enabled: false, copyTo: ['off@example.cn'] },
    ] });
    const plan = applyMonitors(monitoring, facts(), emptyPlan());
    assert.deepEqual(plan.copies, [{ to: ['watch@example.cn'], reason: 'monitor qq' }]);
    assert.deepEqual(applyMonitors(monitoring, facts({ origin: 'local' }), emptyPlan()).copies.map((c) => c.reason), ['monitor qq', 'monitor out only']);
  });
  it('archive: direction, spam option, subject tag', () => {
    const { archive } = s({ archive: { enabled: true, addresses: ['archive@example.cn'], tagSubject: true } });
    assert.deepEqual(applyArchive(archive, facts(), { toList: false, collected: false }, emptyPlan()).copies,
      [{ to: ['archive@example.cn'], reason: 'archive', subjectTag: '(存档副本)' }]);
    const noSpam = s({ archive: { enabled: true, addresses: ['archive@example.cn'], includeSpam: false, direction: 'in' } }).archive;
    assert.deepEqual(applyArchive(noSpam, facts(), { toList: false, collected: false }, emptyPlan()).copies, []);
    assert.equal(applyArchive(noSpam, facts({ spam: false }), { toList: false, collected: false }, emptyPlan()).copies.length, 1);
    assert.deepEqual(applyArchive(noSpam, facts({ spam: false, origin: 'local' }), { toList: false, collected: false }, emptyPlan()).copies, [], 'outgoing not archived');
    const noLists = s({ archive: { enabled: true, addresses: ['a@example.cn'], includeLists: false } }).archive;
    assert.deepEqual(applyArchive(noLists, facts(), { toList: true, collected: false }, emptyPlan()).copies, []);
  });
});

describe('domain monitoring rules (A7)', () => {
  const m = (over: Record<string, unknown>) => DomainMonitorSchema.parse({ id: 'r1', name: '监控', copyTo: ['boss@example.cn'], watch: { kind: 'domain' }, ...over });
  // example.cn is domain 1: bob in 销售部 (7) under 公司 (3); carol in no department; peer.cn (2) has a user too.
  const parties = new Map([
    ['bob@example.cn', { domainId: 1, user: 'bob@example.cn', units: [7, 3] }],
    ['carol@example.cn', { domainId: 1, user: 'carol@example.cn', units: [] }],
    ['list@example.cn', { domainId: 1, user: '', units: [] }],
    ['dan@peer.cn', { domainId: 2, user: 'dan@peer.cn', units: [] }],
  ]);
  const run = (rule: ReturnType<typeof m>, f: Partial<MessageFacts>) =>
    applyDomainMonitors({ sets: [{ domainId: 1, monitors: [rule] }], parties }, facts(f), emptyPlan()).copies.map((c) => c.reason);

  it('out: mail the watched party sends; in: mail to one of them; both: either', () => {
    const sent = { sender: 'bob@example.cn', recipients: ['x@remote.test'], origin: 'local' as const };
    const received = { sender: 'x@remote.test', recipients: ['bob@example.cn'], origin: 'remote' as const };
    assert.deepEqual(run(m({ direction: 'out' }), sent), ['monitor 监控']);
    assert.deepEqual(run(m({ direction: 'out' }), received), []);
    assert.deepEqual(run(m({ direction: 'in' }), received), ['monitor 监控']);
    assert.deepEqual(run(m({ direction: 'in' }), sent), []);
    assert.deepEqual(run(m({ direction: 'both' }), sent), ['monitor 监控']);
    assert.deepEqual(run(m({ direction: 'out' }), { ...sent, origin: 'remote' }), [], 'a forged local sender from outside is not "sent by" them');
    assert.deepEqual(run(m({ direction: 'in' }), { ...received, recipients: ['dan@peer.cn'] }), [], 'another domain\'s user');
    assert.deepEqual(run(m({ direction: 'in' }), { ...received, recipients: ['list@example.cn'] }), ['monitor 监控'], 'the whole domain covers its lists');
  });

  it('watches one user, or a department with those below it, and applies the conditions and the switch', () => {
    const internal = { sender: 'carol@example.cn', recipients: ['bob@example.cn'], origin: 'local' as const };
    assert.deepEqual(run(m({ direction: 'in', watch: { kind: 'user', address: 'bob@example.cn' } }), internal), ['monitor 监控']);
    assert.deepEqual(run(m({ direction: 'out', watch: { kind: 'user', address: 'bob@example.cn' } }), internal), []);
    assert.deepEqual(run(m({ direction: 'both', watch: { kind: 'department', orgUnitId: 3 } }), internal), ['monitor 监控'], 'bob is below 公司');
    assert.deepEqual(run(m({ direction: 'out', watch: { kind: 'department', orgUnitId: 3 } }), internal), [], 'carol is in no department');
    assert.deepEqual(run(m({ direction: 'in', conditions: [{ field: 'header', header: 'Subject', values: ['报价'] }] }), internal), []);
    assert.deepEqual(run(m({ direction: 'in', conditions: [{ field: 'header', header: 'Subject', values: ['发票'] }] }), internal), ['monitor 监控']);
    assert.deepEqual(run(m({ direction: 'in', enabled: false }), internal), []);
  });
});
