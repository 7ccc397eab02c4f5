// MailboxService: folder rules (system folders fixed, parents created, children renamed, names
// checked), APPEND under the quota with the summary filled in, flags/copy/move/expunge, the bytes
// with the header prefix, and a bus event for every change (what IDLE will listen to).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Bus, type BusEvents } from '../core/bus.ts';
import { systemClock } from '../core/clock.ts';
import { isMailError } from '../core/errors.ts';
import { UserService } from '../directory/users.ts';
import { DomainService } from '../directory/domains.ts';
import { openTestStore } from '../store/testing.ts';
import { summarise } from '../mime/summary.ts';
import { MailboxService, canonicalName, checkName } from './mailbox-service.ts';
import type { Actor } from '../directory/actor.ts';

const actor: Actor = { who: 'test', from: 'test', role: { kind: 'system' } };
const ALL = [{ from: 1, to: Number.MAX_SAFE_INTEGER }];

async function setup() {
  const t = await openTestStore();
  await new DomainService(t.store).add(actor, 'example.cn');
  const user = await new UserService(t.store).add(actor, 'alice@example.cn', { password: 'Youju2026!x', quotaBytes: 10_000 });
  const bus = new Bus();
  const events: Array<BusEvents['mailbox.changed']> = [];
  bus.on('mailbox.changed', (e) => events.push(e));
  return { t, user, bus, events, svc: new MailboxService(t.store, t.blobs, systemClock, bus) };
}

describe('MailboxService', () => {
  it('checks and canonicalises folder names', () => {
    assert.equal(canonicalName('inbox'), 'INBOX');
    assert.equal(canonicalName('Inbox/Sub'), 'INBOX/Sub');
    assert.equal(checkName('客户/重要/'), '客户/重要');
    for (const bad of ['', 'a//b', 'a\u0001b', 'x*', 'y%']) {
      assert.throws(() => checkName(bad), (e: unknown) => isMailError(e, 'INVALID_INPUT'), bad);
    }
  });

  it('creates with parents, renames with children, and keeps system folders fixed', async () => {
    const { t, user, svc } = await setup();
    try {
      await svc.create(user.id, '客户/重要');
      assert.ok(await svc.get(user.id, '客户'), 'parent created');
      await assert.rejects(svc.create(user.id, '客户/重要'), (e: unknown) => isMailError(e, 'ALREADY_EXISTS'));
      await svc.rename(user.id, '客户', '客户存档');
      assert.deepEqual((await svc.list(user.id)).map((m) => m.name).filter((n) => n.startsWith('客户')).sort(), ['客户存档', '客户存档/重要']);
      // Renamed under names that do not exist yet: they are created (RFC 9051 §6.3.6).
      await svc.create(user.id, '项目');
      await svc.rename(user.id, '项目', '归档/2026/项目');
      assert.deepEqual((await svc.list(user.id)).map((m) => m.name).filter((n) => n.startsWith('归档')).sort(), ['归档', '归档/2026', '归档/2026/项目']);
      for (const system of ['INBOX', 'Sent', 'Trash', 'Drafts', 'Junk']) {
        await assert.rejects(svc.delete(user.id, system), (e: unknown) => isMailError(e, 'FORBIDDEN'), system);
        await assert.rejects(svc.rename(user.id, system, `${system}2`), (e: unknown) => isMailError(e, 'FORBIDDEN'), system);
      }
      await assert.rejects(svc.delete(user.id, '客户存档'), /subfolders/);
      await svc.delete(user.id, '客户存档/重要');
      await svc.delete(user.id, '客户存档');
      await assert.rejects(svc.delete(user.id, 'nothing'), (e: unknown) => isMailError(e, 'NOT_FOUND'));
      await assert.rejects(svc.create(user.id, 'Other Trash', '\\Trash'), (e: unknown) => isMailError(e, 'ALREADY_EXISTS'));
    } finally {
      await t.close();
    }
  });

  it('appends under the quota, changes flags, copies, moves and expunges, announcing each change', async () => {
    const { t, user, svc, events } = await setup();
    try {
      const raw = Buffer.from('Subject: =?UTF-8?B?5rWL6K+V?=\r\nFrom: a@b.c\r\n\r\nhello\r\n');
      const r = await svc.append(user.id, 'inbox', { raw, flags: ['\\Seen'] });
      assert.equal(r.uid, 1);
      assert.equal(events.at(-1)?.mailboxId, r.mailbox.id);
      const [m] = await svc.messages(r.mailbox.id);
      assert.equal(m?.subject, '测试');
      assert.deepEqual(await svc.readMessage(m!), raw);
      await assert.rejects(svc.append(user.id, 'INBOX', { raw: Buffer.alloc(20_000, 65) }), (e: unknown) => isMailError(e, 'QUOTA_EXCEEDED'));

      const changes = events.length;
      await svc.setFlags(r.mailbox.id, ALL, 'add', ['\\Flagged']);
      assert.equal(events.length, changes + 1);
      const trash = (await svc.get(user.id, 'Trash'))!;
      assert.deepEqual(await svc.copy(user.id, r.mailbox.id, ALL, trash.id), [{ from: 1, to: 1 }]);
      assert.deepEqual(await svc.move(r.mailbox.id, ALL, trash.id), [{ from: 1, to: 2 }]);
      assert.deepEqual(await svc.messages(r.mailbox.id), []);
      assert.deepEqual(await svc.expunge(trash.id, [{ from: 1, to: 1 }]), [1]);
      assert.deepEqual((await svc.changesSince(r.mailbox.id, 0)).map((c) => [c.uid, c.flags]), [[1, null]]);
      assert.ok(events.some((e) => e.mailboxId === trash.id));
    } finally {
      await t.close();
    }
  });

  it('ingestTx is the one append path: folder or INBOX fallback, quota refused or passed, announced after commit', async () => {
    const { t, user, svc, events } = await setup();
    try {
      const raw = Buffer.from('Subject: in\r\n\r\nbody\r\n');
      const blob = await t.blobs.put(raw);
      const copy = (size: number) => ({ blobId: blob.id, size, internalDate: Date.now(), summary: summarise(raw), headerPrefix: 'Delivered-To: alice@example.cn\r\n' });
      await assert.rejects(t.store.tx((tx) => svc.ingestTx(tx, user.id, 'Nowhere', copy(100))), (e: unknown) => isMailError(e, 'NOT_FOUND'));
      const fallback = await t.store.tx((tx) => svc.ingestTx(tx, user.id, 'Nowhere', copy(100), { fallbackToInbox: true }));
      assert.ok(fallback.ok);
      assert.equal(fallback.ok && fallback.mailbox.name, 'INBOX');
      assert.equal(fallback.ok && fallback.quota?.quotaBytes, 10_000);
      const before = events.length;
      const refused = await t.store.tx((tx) => svc.ingestTx(tx, user.id, 'INBOX', copy(20_000)));
      assert.equal(refused.ok, false, 'over the quota');
      const passed = await t.store.tx((tx) => svc.ingestTx(tx, user.id, 'INBOX', copy(20_000), { ignoreQuota: true }));
      assert.ok(passed.ok, 'a quota warning passes a full mailbox');
      assert.equal(events.length, before, 'nothing announced inside the transaction');
      if (passed.ok) svc.announce(passed.mailbox);
      assert.equal(events.at(-1)?.uidnext, 3);
    } finally {
      await t.close();
    }
  });
});

describe('MailboxService: moves into and out of Junk', () => {
  it('tells the junk listener after a copy or move into Junk (spam) and out of it (ham), but not into Trash or between other folders', async () => {
    const { t, user, svc } = await setup();
    try {
      const heard: Array<{ as: string; n: number; blob: string }> = [];
      svc.onJunk((e) => heard.push({ as: e.as, n: e.messages.length, blob: e.messages[0]!.blobId }));
      const raw = Buffer.from('From: a@b.test\r\nSubject: cheap pills\r\n\r\nbuy now\r\n');
      await svc.append(user.id, 'INBOX', { raw });
      await svc.create(user.id, 'Work');
      const [inbox, junk, trash, work] = [await svc.require(user.id, 'INBOX'), await svc.require(user.id, 'Junk'), await svc.require(user.id, 'Trash'), await svc.require(user.id, 'Work')];
      assert.equal(junk.specialUse, '\\Junk');
      await svc.copy(user.id, inbox.id, ALL, work.id); // neither side is Junk
      assert.equal(heard.length, 0);
      await svc.move(inbox.id, ALL, junk.id);
      assert.deepEqual(heard.map((h) => [h.as, h.n]), [['spam', 1]]);
      assert.equal((await svc.messages(junk.id))[0]!.blobId, heard[0]!.blob);
      await svc.copy(user.id, junk.id, ALL, work.id);
      await svc.move(junk.id, ALL, trash.id); // deleting spam is not "not spam"
      assert.deepEqual(heard.map((h) => h.as), ['spam', 'ham']);
      await svc.copy(user.id, work.id, ALL, junk.id);
      assert.deepEqual(heard.map((h) => [h.as, h.n]), [['spam', 1], ['ham', 1], ['spam', 2]], 'both copies in Work');
      await svc.move(inbox.id, ALL, junk.id); // nothing left in INBOX: nothing to learn
      assert.equal(heard.length, 3);
    } finally {
      await t.close();
    }
  });
});
