// UserMail.search (mail-search.ts): before the indexer has run, messages are found by subject and
// address from their summaries but not by body; once indexed, a Chinese word in the body is found.
// A user searches only their own mail (FORBIDDEN for another owner, NOT_FOUND for another user's
// folder id); an admin never reads contents; a bad query is INVALID_INPUT naming the field.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Bus } from '../core/bus.ts';
import { systemClock } from '../core/clock.ts';
import { isMailError, type ErrorCode } from '../core/errors.ts';
import type { MailboxId } from '../core/ids.ts';
import { SYSTEM_ACTOR, userActor, type Actor } from '../directory/actor.ts';
import { DomainService } from '../directory/domains.ts';
import { UserService, type DirectoryUser } from '../directory/users.ts';
import { Indexer } from '../fulltext/indexer.ts';
import { openTestStore, type TestStores } from '../store/testing.ts';
import { MailboxService } from './mailbox-service.ts';
import { phrasesOf } from './mail-search.ts';
import { UserMail } from './user-mail.ts';

const raw = (from: string, subject: string, body: string) => Buffer.from(
  `From: ${from}\r\nTo: alice@example.cn\r\nSubject: =?UTF-8?B?${Buffer.from(subject).toString('base64')}?=\r\n` +
  `MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n${body}\r\n`);
const rejects = (code: ErrorCode, field?: string) => (e: unknown) =>
  isMailError(e, code) && (field === undefined || (e.details as { field?: string } | undefined)?.field === field);

describe('UserMail.search', () => {
  let t: TestStores;
  let svc: UserMail;
  let alice: DirectoryUser;
  let bob: DirectoryUser;
  let me: Actor;
  let bobInbox: MailboxId;

  before(async () => {
    t = await openTestStore();
    const cn = await new DomainService(t.store).add(SYSTEM_ACTOR, 'example.cn');
    const users = new UserService(t.store);
    alice = await users.add(SYSTEM_ACTOR, 'alice@example.cn', { password: 'Youju2026!x' });
    bob = await users.add(SYSTEM_ACTOR, 'bob@example.cn', { password: 'Youju2026!x' });
    const mailboxes = new MailboxService(t.store, t.blobs, systemClock, new Bus());
    svc = new UserMail(t.store, mailboxes);
    me = userActor(alice, '127.0.0.1');
    await mailboxes.append(alice.id, 'INBOX', { raw: raw('王芳 <wangfang@partner.test>', '周报', '附件是第三季度报告。'), internalDate: 1000 });
    await mailboxes.append(alice.id, 'INBOX', { raw: raw('Bob <bob@example.cn>', 'Weekly report', 'see attached'), internalDate: 2000 });
    bobInbox = (await mailboxes.append(bob.id, 'INBOX', { raw: raw('x@y.test', 'Weekly report', '季度报告') })).mailbox.id;
    void cn;
  });
  after(() => t.close());

  const subjects = async (text: string, more: object = {}) =>
    (await svc.search(me, alice.id, { text, ...more })).messages.map((m) => m.subject);

  it('splits a query into phrases of index words', () => {
    assert.deepEqual(phrasesOf(' 季度报告  Quarterly-Report '), [['季度', '报告'], ['quarterly', 'report']]);
    assert.deepEqual(phrasesOf('!!!'), []);
  });

  it('finds messages not indexed yet by subject and address, then by body once indexed', async () => {
    assert.deepEqual(await subjects('report'), ['Weekly report'], 'subject, from the summary');
    assert.deepEqual(await subjects('wangfang'), ['周报'], 'address, from the summary');
    assert.deepEqual(await subjects('周报', { field: 'subject' }), ['周报']);
    assert.deepEqual(await subjects('季度报告'), [], 'the body is not seen before indexing');
    const indexer = new Indexer(t.store, t.blobs);
    while (await indexer.runOnce() > 0);
    assert.deepEqual(await subjects('季度报告'), ['周报']);
    assert.deepEqual(await subjects('季度', { field: 'body' }), ['周报']);
    assert.deepEqual(await subjects('report'), ['Weekly report'], 'Bob’s copy never');
    const r = await svc.search(me, alice.id, { text: 'report', field: 'all' });
    assert.deepEqual([r.total, r.more, r.page, r.pageSize], [1, false, 1, 30]);
  });

  it("searches only the actor's own mail", async () => {
    await assert.rejects(svc.search(me, bob.id, { text: 'report' }), rejects('FORBIDDEN'));
    await assert.rejects(svc.search(me, alice.id, { text: 'report', folderId: bobInbox }), rejects('NOT_FOUND'));
    const admin: Actor = { who: 'admin:administrator', from: 'test', role: { kind: 'super' } };
    await assert.rejects(svc.search(admin, alice.id, { text: 'report' }), rejects('FORBIDDEN'), 'admins never read contents');
  });

  it('refuses a bad query naming the field', async () => {
    await assert.rejects(svc.search(me, alice.id, { text: '' }), rejects('INVALID_INPUT', 'q'));
    await assert.rejects(svc.search(me, alice.id, { text: 'x'.repeat(201) }), rejects('INVALID_INPUT', 'q'));
    await assert.rejects(svc.search(me, alice.id, { text: 'x', field: 'colour' as 'all' }), rejects('INVALID_INPUT', 'field'));
    await assert.rejects(svc.search(me, alice.id, { text: 'x', pageSize: 51 }), rejects('INVALID_INPUT', 'pageSize'));
    await assert.rejects(svc.search(me, alice.id, { text: 'x', since: 5, before: 5 }), rejects('INVALID_INPUT', 'before'));
  });
});
