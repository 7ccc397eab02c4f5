// UserMail: the permission rule on entry (user: own mail only; admins: folder lists in scope, never
// contents; system: all), folder ids of other users as NOT_FOUND, delete to Trash, move, bad uids.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Bus } from '../core/bus.ts';
import { systemClock } from '../core/clock.ts';
import { isMailError, type ErrorCode } from '../core/errors.ts';
import type { MailboxId } from '../core/ids.ts';
import { SYSTEM_ACTOR, userActor, type Actor } from '../directory/actor.ts';
import { DomainService } from '../directory/domains.ts';
import { OrgService } from '../directory/orgs.ts';
import { UserService, type DirectoryUser } from '../directory/users.ts';
import { openTestStore, type TestStores } from '../store/testing.ts';
import { MailboxService } from './mailbox-service.ts';
import { UserMail, toUidSet } from './user-mail.ts';

const PASSWORD = 'Youju2026!x';
const raw = (subject: string) => Buffer.from(
  `From: Bob <bob@example.cn>\r\nTo: alice@example.cn\r\nSubject: ${subject}\r\nDate: Thu, 01 Jan 2026 08:00:00 +0800\r\n` +
  'MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n你好\r\n' +
  '--b\r\nContent-Type: application/pdf\r\nContent-Disposition: attachment; filename="../报告.pdf"\r\n\r\n%PDF\r\n--b--\r\n');
const rejects = (code: ErrorCode) => (e: unknown) => isMailError(e, code);

describe('UserMail', () => {
  let t: TestStores;
  let svc: UserMail;
  let mailboxes: MailboxService;
  let alice: DirectoryUser;
  let bob: DirectoryUser;
  let carol: DirectoryUser;
  let aliceInbox: MailboxId;
  let bobInbox: MailboxId;
  const admins: Record<string, Actor> = {};

  before(async () => {
    t = await openTestStore();
    const domains = new DomainService(t.store);
    const orgs = new OrgService(t.store);
    const users = new UserService(t.store);
    const cn = await domains.add(SYSTEM_ACTOR, 'example.cn');
    const other = await domains.add(SYSTEM_ACTOR, 'other.cn');
    const sales = await orgs.add(SYSTEM_ACTOR, 'example.cn', { name: '销售部' });
    const north = await orgs.add(SYSTEM_ACTOR, 'example.cn', { name: '北区', parentId: sales.id });
    const it = await orgs.add(SYSTEM_ACTOR, 'example.cn', { name: 'IT' });
    alice = await users.add(SYSTEM_ACTOR, 'alice@example.cn', { password: PASSWORD, orgUnitId: north.id });
    bob = await users.add(SYSTEM_ACTOR, 'bob@example.cn', { password: PASSWORD, orgUnitId: it.id });
    carol = await users.add(SYSTEM_ACTOR, 'carol@other.cn', { password: PASSWORD });
    mailboxes = new MailboxService(t.store, t.blobs, systemClock, new Bus());
    svc = new UserMail(t.store, mailboxes);
    aliceInbox = (await mailboxes.append(alice.id, 'INBOX', { raw: raw('one') })).mailbox.id;
    await mailboxes.append(alice.id, 'INBOX', { raw: raw('two') });
    bobInbox = (await mailboxes.append(bob.id, 'INBOX', { raw: raw('bob') })).mailbox.id;
    admins.domain = { who: 'admin:admin@example.cn', from: 'test', role: { kind: 'domain', domainId: cn.id } };
    admins.otherDomain = { who: 'admin:admin@other.cn', from: 'test', role: { kind: 'domain', domainId: other.id } };
    admins.sales = { who: 'admin:sales', from: 'test', role: { kind: 'department', domainId: cn.id, orgUnitId: sales.id } };
    admins.it = { who: 'admin:it', from: 'test', role: { kind: 'department', domainId: cn.id, orgUnitId: it.id } };
    admins.super = { who: 'admin:administrator', from: 'test', role: { kind: 'super' } };
    void carol;
  });
  after(() => t.close());

  it('a user reaches their own mail', async () => {
    const a = userActor(alice, '127.0.0.1');
    const folders = await svc.folders(a, alice.id);
    assert.deepEqual(folders.map((f) => f.name), ['INBOX', 'Drafts', 'Junk', 'Sent', 'Trash']);
    assert.equal(folders[0]!.messages, 2);
    assert.equal(folders[0]!.unseen, 2);
    const m = await svc.open(a, alice.id, aliceInbox, 1);
    assert.equal(m.subject, 'one');
    assert.equal(m.content.text.trim(), '你好');
    assert.deepEqual(m.content.attachments.map((x) => x.fileName), ['报告.pdf']);
    assert.equal(m.flags.includes('\\Seen'), false, 'opening does not mark it read');
    assert.equal((await svc.attachment(a, alice.id, aliceInbox, 1, 0)).content.toString(), '%PDF');
    await assert.rejects(svc.attachment(a, alice.id, aliceInbox, 1, 1), rejects('NOT_FOUND'));
  });

  it("a user never reaches another user's mail: FORBIDDEN by owner, NOT_FOUND by folder id", async () => {
    const a = userActor(alice, '127.0.0.1');
    const calls: Array<[string, () => Promise<unknown>]> = [
      ['folders', () => svc.folders(a, bob.id)],
      ['list', () => svc.list(a, bob.id, bobInbox)],
      ['open', () => svc.open(a, bob.id, bobInbox, 1)],
      ['attachment', () => svc.attachment(a, bob.id, bobInbox, 1, 0)],
      ['setFlags', () => svc.setFlags(a, bob.id, bobInbox, [1], { seen: true })],
      ['move', () => svc.move(a, bob.id, bobInbox, [1], bobInbox)],
      ['delete', () => svc.delete(a, bob.id, bobInbox, [1])],
    ];
    for (const [name, call] of calls) await assert.rejects(call(), rejects('FORBIDDEN'), name);
    // Her own id as owner, his folder id: as if it did not exist.
    const byId: Array<[string, () => Promise<unknown>]> = [
      ['list', () => svc.list(a, alice.id, bobInbox)],
      ['open', () => svc.open(a, alice.id, bobInbox, 1)],
      ['attachment', () => svc.attachment(a, alice.id, bobInbox, 1, 0)],
      ['setFlags', () => svc.setFlags(a, alice.id, bobInbox, [1], { seen: true })],
      ['move from', () => svc.move(a, alice.id, bobInbox, [1], aliceInbox)],
      ['move to', () => svc.move(a, alice.id, aliceInbox, [1], bobInbox)],
      ['delete', () => svc.delete(a, alice.id, bobInbox, [1])],
    ];
    for (const [name, call] of byId) await assert.rejects(call(), rejects('NOT_FOUND'), name);
    const bobs = await mailboxes.messages(bobInbox);
    assert.equal(bobs.length, 1);
    assert.deepEqual(bobs[0]!.flags, [], "bob's message is untouched");
    assert.equal((await mailboxes.messages(aliceInbox)).length, 2, "alice's messages stayed where they were");
  });

  it('admins list folders within their scope and never open mail; the system reaches all', async () => {
    assert.equal((await svc.folders(admins.domain!, alice.id)).length, 5);
    assert.equal((await svc.folders(admins.super!, carol.id)).length, 5);
    assert.equal((await svc.folders(admins.sales!, alice.id)).length, 5, 'alice is in a unit below sales');
    await assert.rejects(svc.folders(admins.it!, alice.id), rejects('FORBIDDEN'));
    await assert.rejects(svc.folders(admins.otherDomain!, alice.id), rejects('FORBIDDEN'));
    for (const admin of Object.values(admins)) {
      await assert.rejects(svc.open(admin, alice.id, aliceInbox, 1), rejects('FORBIDDEN'), admin.who);
      await assert.rejects(svc.list(admin, alice.id, aliceInbox), rejects('FORBIDDEN'), admin.who);
      await assert.rejects(svc.delete(admin, alice.id, aliceInbox, [1]), rejects('FORBIDDEN'), admin.who);
    }
    assert.equal((await svc.open(SYSTEM_ACTOR, bob.id, bobInbox, 1)).subject, 'bob');
  });

  it('lists a folder sorted and paged from the summaries, with its counts', async () => {
    const a = userActor(alice, '127.0.0.1');
    const p = await svc.list(a, alice.id, aliceInbox);
    assert.equal(p.total, 2);
    assert.equal(p.unread, 2);
    assert.equal(p.pageSize, 30);
    assert.deepEqual(p.messages.map((m) => m.subject), ['two', 'one'], 'newest first');
    assert.equal(p.messages[0]!.hasAttachment, true);
    assert.equal('blobId' in p.messages[0]!, false, 'a public view');
    assert.deepEqual((await svc.list(a, alice.id, aliceInbox, { sort: 'subject' })).messages.map((m) => m.subject), ['one', 'two']);
    assert.deepEqual((await svc.list(a, alice.id, aliceInbox, { pageSize: 1, page: 2 })).messages.map((m) => m.subject), ['one']);
    for (const [q, field] of [[{ pageSize: 51 }, 'pageSize'], [{ pageSize: 0 }, 'pageSize'], [{ page: 0 }, 'page'], [{ sort: 'x' }, 'sort']] as const) {
      await assert.rejects(svc.list(a, alice.id, aliceInbox, q as never), (e: unknown) => isMailError(e, 'INVALID_INPUT') && e.details?.field === field, field);
    }
  });

  it('sets and clears \\Seen and \\Flagged, moves, and deletes to Trash then for good', async () => {
    const a = userActor(alice, '127.0.0.1');
    assert.equal(await svc.setFlags(a, alice.id, aliceInbox, [1, 2], { seen: true, flagged: true }), 2);
    assert.deepEqual((await mailboxes.messages(aliceInbox)).map((m) => m.flags), [['\\Flagged', '\\Seen'], ['\\Flagged', '\\Seen']]);
    await svc.setFlags(a, alice.id, aliceInbox, [2], { seen: false });
    assert.deepEqual((await mailboxes.messages(aliceInbox)).map((m) => m.flags), [['\\Flagged', '\\Seen'], ['\\Flagged']]);
    const folders = await svc.folders(a, alice.id);
    const id = (name: string) => folders.find((f) => f.name === name)!.id;
    await assert.rejects(svc.move(a, alice.id, aliceInbox, [1], aliceInbox), rejects('INVALID_INPUT'));
    assert.deepEqual(await svc.move(a, alice.id, aliceInbox, [1], id('Junk')), [{ from: 1, to: 1 }]);
    assert.deepEqual(await svc.delete(a, alice.id, aliceInbox, [2]), { movedToTrash: 1, removed: 0 });
    assert.deepEqual(await svc.delete(a, alice.id, id('Trash'), [1]), { movedToTrash: 0, removed: 1 });
    assert.equal((await mailboxes.messages(aliceInbox)).length, 0);
    for (const bad of [[], [0], [1.5], Array.from({ length: 1001 }, (_, i) => i + 1)]) {
      await assert.rejects(svc.setFlags(a, alice.id, aliceInbox, bad, { seen: true }), rejects('INVALID_INPUT'), JSON.stringify(bad).slice(0, 20));
    }
  });

  it('turns uid lists into ranges', () => {
    assert.deepEqual(toUidSet([5, 1, 2, 3, 3, 9]), [{ from: 1, to: 3 }, { from: 5, to: 5 }, { from: 9, to: 9 }]);
  });
});
