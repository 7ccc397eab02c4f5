/**
 * Store contract, part 2: mailboxes, messages and transactions. The IMAP invariants live here:
 * uids 1, 2, 3… that never repeat (RFC 3501 §2.3.1.1), strictly increasing modseqs and
 * UNCHANGEDSINCE (RFC 7162 §3.1), COPYUID mappings (RFC 4315), expunges reported by changesSince
 * (QRESYNC), mailbox counters, blob reference counts, and group commit under concurrent tx() calls.
 * Called from runStoreContract in store.contract.ts; each describe group opens its own store.
 */
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Message, MessageSummary, UidSet } from '../store.ts';
import type { MailboxId, UserId } from '../../core/ids.ts';
import {
  ALL, appendNew, getMailbox, makeMailbox, makeOwner, must, newMessage, type OpenStore, putBlob, refcount,
  rejectsWith, sorted, uniq, useStore,
} from './fixtures.ts';

export function runMessageContract(open: OpenStore): void {
  describeMailboxes(open);
  describeMessages(open);
  describeConcurrency(open);
}

const MAX = Number.MAX_SAFE_INTEGER;
const MISSING_MAILBOX = 987_654_321 as MailboxId;
const byUid = <T extends { uid: number }>(xs: T[]): T[] => [...xs].sort((a, b) => a.uid - b.uid);
const sum = (xs: number[]): number => xs.reduce((a, b) => a + b, 0);

function describeMailboxes(open: OpenStore): void {
  describe('mailboxes', () => {
    const ctx = useStore(open);
    const owner = async (): Promise<UserId> => (await makeOwner(ctx)).user.id;

    it('create starts empty: uidvalidity > 0, uidnext 1, counters 0, special-use kept', async () => {
      const userId = await owner();
      const inbox = await ctx.tx((tx) => tx.mailboxes.create(userId, 'INBOX', { specialUse: '\\Inbox', subscribed: true }));
      assert.equal(typeof inbox.id, 'number');
      assert.equal(inbox.userId, userId);
      assert.equal(inbox.name, 'INBOX');
      assert.equal(inbox.specialUse, '\\Inbox');
      // RFC 3501: uidvalidity is a non-zero 32-bit number.
      assert.ok(Number.isInteger(inbox.uidvalidity) && inbox.uidvalidity > 0 && inbox.uidvalidity <= 0xffff_ffff, `uidvalidity ${inbox.uidvalidity}`);
      assert.equal(inbox.uidnext, 1);
      assert.ok(Number.isInteger(inbox.highestmodseq) && inbox.highestmodseq >= 0, `highestmodseq ${inbox.highestmodseq}`);
      assert.strictEqual(inbox.subscribed, true);
      assert.equal(inbox.messages, 0);
      assert.equal(inbox.unseen, 0);
      assert.equal(inbox.bytes, 0);
      assert.deepEqual(await ctx.read((tx) => tx.mailboxes.get(inbox.id)), inbox);

      const notes = await ctx.tx((tx) => tx.mailboxes.create(userId, 'Notes'));
      assert.equal(notes.specialUse, null);
      const hidden = await ctx.tx((tx) => tx.mailboxes.create(userId, 'Hidden', { subscribed: false }));
      assert.strictEqual(hidden.subscribed, false);
      for (const use of ['\\Drafts', '\\Sent', '\\Trash', '\\Junk', '\\Archive'] as const) {
        const m = await ctx.tx((tx) => tx.mailboxes.create(userId, use.slice(1), { specialUse: use }));
        assert.equal((await ctx.read((tx) => tx.mailboxes.get(m.id)))?.specialUse, use);
      }
      assert.equal(await ctx.read((tx) => tx.mailboxes.get(MISSING_MAILBOX)), undefined);
    });

    it('byName finds Unicode paths; list returns the user\'s mailboxes only', async () => {
      const userId = await owner();
      const otherId = await owner();
      const parent = await ctx.tx((tx) => tx.mailboxes.create(userId, '客户'));
      const child = await ctx.tx((tx) => tx.mailboxes.create(userId, '客户/重要'));
      await ctx.tx((tx) => tx.mailboxes.create(otherId, 'INBOX'));
      await ctx.read(async (tx) => {
        assert.deepEqual(await tx.mailboxes.byName(userId, '客户/重要'), child);
        assert.equal((await tx.mailboxes.byName(userId, '客户'))?.id, parent.id);
        assert.equal(await tx.mailboxes.byName(otherId, '客户/重要'), undefined);
        assert.equal(await tx.mailboxes.byName(userId, '客户/不存在'), undefined);
        assert.deepEqual((await tx.mailboxes.list(userId)).map((m) => m.name).sort(), ['客户', '客户/重要']);
        assert.deepEqual((await tx.mailboxes.list(otherId)).map((m) => m.name), ['INBOX']);
      });
    });

    it('a duplicate name for the same user is ALREADY_EXISTS; another user may use it', async () => {
      const userId = await owner();
      const otherId = await owner();
      const first = await ctx.tx((tx) => tx.mailboxes.create(userId, 'Projects'));
      await rejectsWith(ctx.tx((tx) => tx.mailboxes.create(userId, 'Projects')), 'ALREADY_EXISTS');
      const theirs = await ctx.tx((tx) => tx.mailboxes.create(otherId, 'Projects'));
      assert.notEqual(theirs.id, first.id);
      assert.deepEqual((await ctx.read((tx) => tx.mailboxes.list(userId))).map((m) => m.id), [first.id]);
    });

    it('rename keeps uidvalidity, uidnext and messages; a taken name is ALREADY_EXISTS', async () => {
      const userId = await owner();
      const box = await makeMailbox(ctx, userId, 'Old');
      await ctx.tx((tx) => tx.mailboxes.create(userId, 'INBOX'));
      await appendNew(ctx, box);
      await appendNew(ctx, box);
      const renamed = must(await ctx.tx((tx) => tx.mailboxes.rename(box.id, '归档/2024')), 'renamed mailbox');
      assert.equal(renamed.id, box.id);
      assert.equal(renamed.name, '归档/2024');
      assert.equal(renamed.uidvalidity, box.uidvalidity);
      assert.equal(renamed.uidnext, 3);
      assert.equal(renamed.messages, 2);
      await ctx.read(async (tx) => {
        assert.equal(await tx.mailboxes.byName(userId, 'Old'), undefined);
        assert.equal((await tx.mailboxes.byName(userId, '归档/2024'))?.id, box.id);
        assert.deepEqual((await tx.messages.list(box.id)).map((m) => m.uid), [1, 2]);
      });
      await rejectsWith(ctx.tx((tx) => tx.mailboxes.rename(box.id, 'INBOX')), 'ALREADY_EXISTS');
      assert.equal((await getMailbox(ctx, box)).name, '归档/2024');
      assert.equal(await ctx.tx((tx) => tx.mailboxes.rename(MISSING_MAILBOX, 'x')), undefined);
    });

    it('subscriptions are names of their own: the mailbox shows them, DELETE keeps them, RENAME moves them', async () => {
      const userId = await owner();
      const box = await ctx.tx((tx) => tx.mailboxes.create(userId, 'Lists', { subscribed: true }));
      assert.deepEqual(await ctx.read((tx) => tx.mailboxes.subscriptions(userId)), ['Lists']);
      await ctx.tx((tx) => tx.mailboxes.setSubscription(userId, 'Lists', false));
      assert.strictEqual((await getMailbox(ctx, box)).subscribed, false);
      assert.strictEqual((await ctx.read((tx) => tx.mailboxes.list(userId)))[0]?.subscribed, false);
      await ctx.tx((tx) => tx.mailboxes.setSubscription(userId, 'Lists', true));
      assert.strictEqual((await getMailbox(ctx, box)).subscribed, true);
      await ctx.tx((tx) => tx.mailboxes.rename(box.id, 'Groups'));
      assert.deepEqual(await ctx.read((tx) => tx.mailboxes.subscriptions(userId)), ['Groups']);
      await ctx.tx((tx) => tx.mailboxes.delete(box.id));
      assert.deepEqual(await ctx.read((tx) => tx.mailboxes.subscriptions(userId)), ['Groups'], 'DELETE keeps the subscription');
      const again = await ctx.tx((tx) => tx.mailboxes.create(userId, 'Groups', { subscribed: false }));
      assert.strictEqual(again.subscribed, true, 'a name still subscribed is shown when the mailbox comes back');
      await ctx.tx((tx) => tx.mailboxes.setSubscription(userId, 'Gone', true));
      await ctx.tx((tx) => tx.mailboxes.setSubscription(userId, 'Groups', false));
      assert.deepEqual(await ctx.read((tx) => tx.mailboxes.subscriptions(userId)), ['Gone']);
    });

    it('claimRecent hands each uid range to one caller only (RFC 3501 §2.3.2)', async () => {
      const userId = await owner();
      const box = await ctx.tx((tx) => tx.mailboxes.create(userId, 'Recent'));
      assert.equal(box.firstRecentUid, 1);
      const both = await Promise.all([ctx.tx((tx) => tx.mailboxes.claimRecent(box.id, 5)), ctx.tx((tx) => tx.mailboxes.claimRecent(box.id, 5))]);
      assert.deepEqual(both.sort(), [1, undefined]);
      assert.equal(await ctx.tx((tx) => tx.mailboxes.claimRecent(box.id, 5)), undefined, 'nothing new');
      assert.equal(await ctx.tx((tx) => tx.mailboxes.claimRecent(box.id, 7)), 5);
      assert.equal((await getMailbox(ctx, box)).firstRecentUid, 7);
      assert.equal(await ctx.tx((tx) => tx.mailboxes.claimRecent(MISSING_MAILBOX, 3)), undefined);
    });

    it('delete removes messages, releases blobs; re-creating the name gives a greater uidvalidity', async () => {
      const userId = await owner();
      const box = await makeMailbox(ctx, userId, 'Trash');
      const keep = await makeMailbox(ctx, userId, 'Keep');
      const own = await appendNew(ctx, box);
      const shared = await putBlob(ctx);
      await ctx.tx(async (tx) => {
        await tx.messages.append(box.id, newMessage(shared));
        await tx.messages.append(keep.id, newMessage(shared));
      });
      assert.equal(await refcount(ctx, shared.id), 2);
      assert.equal(await ctx.tx((tx) => tx.mailboxes.delete(box.id)), true);
      await ctx.read(async (tx) => {
        assert.equal(await tx.mailboxes.get(box.id), undefined);
        assert.equal(await tx.mailboxes.byName(userId, 'Trash'), undefined);
        assert.deepEqual(await tx.messages.list(box.id), []);
        assert.equal(await tx.messages.get(box.id, own.uid), undefined);
      });
      assert.equal(await refcount(ctx, own.blob.id), 0);
      assert.equal(await refcount(ctx, shared.id), 1);
      assert.equal(await ctx.tx((tx) => tx.mailboxes.delete(box.id)), false);
      // RFC 3501 §2.3.1.1: a mailbox re-created under an old name restarts at uid 1, so its
      // uidvalidity must be greater than the old one or clients would trust stale uids.
      const again = await makeMailbox(ctx, userId, 'Trash');
      assert.equal(again.uidnext, 1);
      assert.ok(again.uidvalidity > box.uidvalidity, `uidvalidity ${again.uidvalidity} > ${box.uidvalidity}`);
    });
  });
}

function describeMessages(open: OpenStore): void {
  describe('messages', () => {
    const ctx = useStore(open);
    let owner: UserId;
    before(async () => {
      owner = (await makeOwner(ctx)).user.id;
    });
    const freshBox = () => makeMailbox(ctx, owner);
    const flagsOf = async (mailboxId: MailboxId, uid: number): Promise<string[]> =>
      must(await ctx.read((tx) => tx.messages.get(mailboxId, uid)), `message ${uid}`).flags;

    it('append assigns uids 1, 2, 3, strictly increasing modseqs, and keeps the mailbox counters', async () => {
      const box = await freshBox();
      const a = await appendNew(ctx, box);
      const b = await appendNew(ctx, box, { flags: ['\\Seen'] });
      const c = await appendNew(ctx, box, { flags: ['\\Flagged'] });
      assert.deepEqual([a.uid, b.uid, c.uid], [1, 2, 3]);
      for (const m of [a, b, c]) assert.ok(Number.isInteger(m.modseq), `modseq ${String(m.modseq)} is a number`);
      assert.ok(a.modseq > box.highestmodseq && b.modseq > a.modseq && c.modseq > b.modseq);
      let mb = await getMailbox(ctx, box);
      assert.equal(mb.uidnext, 4);
      assert.equal(mb.highestmodseq, c.modseq);
      assert.equal(mb.messages, 3);
      assert.equal(mb.unseen, 2, 'unseen counts messages without \\Seen');
      assert.equal(mb.bytes, a.blob.size + b.blob.size + c.blob.size);
      assert.equal(mb.uidvalidity, box.uidvalidity);

      // Two appends in one transaction.
      const blobs = [await putBlob(ctx), await putBlob(ctx)] as const;
      const [d, e] = await ctx.tx(async (tx) => [
        await tx.messages.append(box.id, newMessage(blobs[0])),
        await tx.messages.append(box.id, newMessage(blobs[1], { flags: ['\\Seen'] })),
      ]);
      assert.deepEqual([d.uid, e.uid], [4, 5]);
      assert.ok(d.modseq > c.modseq && e.modseq > d.modseq);
      assert.notEqual(d.id, e.id);
      mb = await getMailbox(ctx, box);
      assert.equal(mb.uidnext, 6);
      assert.equal(mb.highestmodseq, e.modseq);
      assert.equal(mb.messages, 5);
      assert.equal(mb.unseen, 3);
      assert.equal(mb.bytes, sum([a, b, c].map((m) => m.blob.size)) + blobs[0].size + blobs[1].size);
    });

    it('append takes a blob reference per message', async () => {
      const one = await freshBox();
      const two = await freshBox();
      const blob = await putBlob(ctx);
      assert.equal(await refcount(ctx, blob.id), 0);
      await ctx.tx((tx) => tx.messages.append(one.id, newMessage(blob)));
      assert.equal(await refcount(ctx, blob.id), 1);
      await ctx.tx((tx) => tx.messages.append(two.id, newMessage(blob)));
      await ctx.tx((tx) => tx.messages.append(two.id, newMessage(blob)));
      assert.equal(await refcount(ctx, blob.id), 3);
      assert.equal((await ctx.read((tx) => tx.blobRefs.get(blob.id)))?.size, blob.size);
    });

    it('append to a missing mailbox is NOT_FOUND and takes no reference', async () => {
      const blob = await putBlob(ctx);
      await rejectsWith(ctx.tx((tx) => tx.messages.append(MISSING_MAILBOX, newMessage(blob))), 'NOT_FOUND');
      assert.equal(await refcount(ctx, blob.id), 0);
    });

    it('threads groups by threadId (a message without one alone), sorted and paged; inThreads reads them in date order', async () => {
      const box = await freshBox();
      const at = (threadId: string, day: number, flags: string[] = [], subject = '') =>
        appendNew(ctx, box, { internalDate: day * 86_400_000, flags, summary: { threadId, subject } });
      await at('t-a', 1, ['\\Seen'], 'A');
      await at('t-b', 2, [], 'B');
      await at('t-a', 3, [], 'Re: A');
      const lone = await at('', 4, [], 'lone');
      await at('t-a', 5, ['\\Seen'], 'Re: Re: A');
      const page = await ctx.read((tx) => tx.messages.threads(box.id, { sort: 'date', descending: true, offset: 0, limit: 10 }));
      assert.deepEqual(page.map((x) => [x.key, x.messages, x.unread, x.newestDate / 86_400_000]),
        [['t-a', 3, 1, 5], [`#${lone.uid}`, 1, 1, 4], ['t-b', 1, 1, 2]]);
      assert.deepEqual((await ctx.read((tx) => tx.messages.threads(box.id, { sort: 'date', descending: false, offset: 1, limit: 1 }))).map((x) => x.key), [`#${lone.uid}`]);
      assert.deepEqual((await ctx.read((tx) => tx.messages.threads(box.id, { sort: 'date', descending: true, offset: 1, limit: 5 }))).map((x) => [x.key, x.messages, x.unread]),
        [[`#${lone.uid}`, 1, 1], ['t-b', 1, 1]], 'newest first, paged');
      assert.deepEqual(await ctx.read((tx) => tx.messages.threads(box.id, { sort: 'date', descending: true, offset: 3, limit: 5 })), []);
      assert.deepEqual((await ctx.read((tx) => tx.messages.threads(box.id, { sort: 'subject', descending: false, offset: 0, limit: 10 }))).map((x) => x.key),
        ['t-a', 't-b', `#${lone.uid}`]);
      assert.equal(await ctx.read((tx) => tx.messages.threadCount(box.id)), 3);
      const read = await ctx.read((tx) => tx.messages.inThreads(box.id, ['t-a', `#${lone.uid}`, 'nothing']));
      assert.deepEqual(read.map((m) => m.subject), ['A', 'Re: A', 'lone', 'Re: Re: A']);
      assert.deepEqual(await ctx.read((tx) => tx.messages.inThreads(MISSING_MAILBOX, ['t-a'])), []);
    });

    it('get returns the summary (Chinese included), flags, dates and sizes as appended', async () => {
      const box = await freshBox();
      const blob = await putBlob(ctx);
      const summary: MessageSummary = {
        from: '"张三" <zhangsan@example.cn>', to: 'lisi@example.cn, "王五" <wangwu@example.cn>',
        subject: '季度报告：请查收 ✓', sentAt: 1_717_000_000_000, hasAttachment: true, priority: 'high',
        messageIdHeader: '20240601.abc@example.cn', threadId: 'thread-42',
      };
      const internalDate = 1_717_000_123_000;
      const headerPrefix = 'Return-Path: <a@x.test>\r\nDelivered-To: lisi@example.cn\r\n';
      const r = await ctx.tx((tx) => tx.messages.append(box.id, newMessage(blob, {
        internalDate, flags: ['\\Seen', '$Label1', '\\Flagged'], summary: { ...summary }, headerPrefix,
      })));
      const m = must(await ctx.read((tx) => tx.messages.get(box.id, r.uid)), 'message');
      const want: Message = {
        id: r.id, mailboxId: box.id, uid: r.uid, modseq: r.modseq, flags: sorted(['\\Seen', '$Label1', '\\Flagged']),
        internalDate, size: blob.size, blobId: blob.id, headerPrefix, ...summary,
      };
      for (const k of Object.keys(want) as Array<keyof Message>) assert.deepStrictEqual(m[k], want[k], k);

      // Missing summary fields get neutral defaults.
      const bare = await appendNew(ctx, box);
      const partial = await appendNew(ctx, box, { summary: { subject: 'only a subject', priority: 'low' } });
      const b = must(await ctx.read((tx) => tx.messages.get(box.id, bare.uid)), 'bare message');
      assert.deepEqual([b.from, b.to, b.subject, b.sentAt, b.hasAttachment, b.priority, b.messageIdHeader, b.flags],
        ['', '', '', null, false, 'normal', '', []]);
      assert.equal(typeof b.threadId, 'string');
      const p = must(await ctx.read((tx) => tx.messages.get(box.id, partial.uid)), 'partial message');
      assert.deepEqual([p.from, p.subject, p.sentAt, p.priority], ['', 'only a subject', null, 'low']);

      assert.equal(await ctx.read((tx) => tx.messages.get(box.id, 999)), undefined);
      assert.equal(await ctx.read((tx) => tx.messages.get(MISSING_MAILBOX, 1)), undefined);
    });

    it('list returns uid order and honours uid sets, "*", afterUid and limit', async () => {
      const box = await freshBox();
      const other = await freshBox();
      for (let i = 0; i < 6; i++) await appendNew(ctx, box);
      await appendNew(ctx, other);
      await ctx.tx((tx) => tx.messages.expunge(box.id, [{ from: 3, to: 3 }]));
      const uids = async (opts?: { uids?: UidSet; limit?: number; afterUid?: number }): Promise<number[]> => {
        const list = await ctx.read((tx) => tx.messages.list(box.id, opts));
        assert.ok(list.every((m) => m.mailboxId === box.id));
        return list.map((m) => m.uid);
      };
      const cases: Array<[{ uids?: UidSet; limit?: number; afterUid?: number } | undefined, number[]]> = [
        [undefined, [1, 2, 4, 5, 6]],
        [{ uids: [{ from: 1, to: 2 }, { from: 5, to: MAX }] }, [1, 2, 5, 6]],
        [{ uids: [{ from: 5, to: MAX }, { from: 1, to: 1 }] }, [1, 5, 6]],
        [{ uids: [{ from: 1, to: 4 }, { from: 2, to: 5 }] }, [1, 2, 4, 5]],
        [{ uids: [{ from: 4, to: 4 }] }, [4]],
        [{ uids: [{ from: 3, to: 3 }] }, []],
        [{ uids: [{ from: 7, to: MAX }] }, []],
        [{ afterUid: 4 }, [5, 6]],
        [{ afterUid: 6 }, []],
        [{ limit: 2 }, [1, 2]],
        [{ afterUid: 1, limit: 2 }, [2, 4]],
        [{ uids: [{ from: 2, to: MAX }], limit: 3 }, [2, 4, 5]],
        [{ uids: ALL, afterUid: 2, limit: 2 }, [4, 5]],
      ];
      for (const [opts, want] of cases) assert.deepEqual(await uids(opts), want, JSON.stringify(opts));
    });

    it('flags come back sorted, with keywords and without duplicates', async () => {
      const box = await freshBox();
      const { uid } = await appendNew(ctx, box, { flags: ['\\Seen', 'Work', '$Label1', '\\Answered', '\\Seen'] });
      const want = sorted(['\\Seen', 'Work', '$Label1', '\\Answered']);
      assert.deepEqual(await flagsOf(box.id, uid), want);
      assert.deepEqual((await ctx.read((tx) => tx.messages.list(box.id)))[0]?.flags, want);
    });

    it('setFlags add, remove and set give new modseqs and keep unseen right', async () => {
      const box = await freshBox();
      for (let i = 0; i < 3; i++) await appendNew(ctx, box);
      let mb = await getMailbox(ctx, box);
      assert.equal(mb.unseen, 3);
      const h0 = mb.highestmodseq;

      const add = await ctx.tx((tx) => tx.messages.setFlags(box.id, [{ from: 1, to: 2 }], 'add', ['\\Seen', '$Label1']));
      assert.deepEqual(add.failed, []);
      assert.deepEqual(byUid(add.changed).map((c) => c.uid), [1, 2]);
      for (const c of add.changed) {
        assert.ok(c.modseq > h0, 'a changed message gets a new modseq');
        assert.deepEqual(c.flags, ['$Label1', '\\Seen']);
        const m = must(await ctx.read((tx) => tx.messages.get(box.id, c.uid)), 'message');
        assert.equal(m.modseq, c.modseq);
        assert.deepEqual(m.flags, c.flags);
      }
      mb = await getMailbox(ctx, box);
      assert.equal(mb.unseen, 1);
      assert.equal(mb.highestmodseq, Math.max(...add.changed.map((c) => c.modseq)));

      const h1 = mb.highestmodseq;
      const rm = await ctx.tx((tx) => tx.messages.setFlags(box.id, [{ from: 2, to: 2 }], 'remove', ['\\Seen']));
      assert.equal(rm.changed.length, 1);
      assert.equal(rm.changed[0]?.uid, 2);
      assert.deepEqual(rm.changed[0]?.flags, ['$Label1']);
      assert.ok((rm.changed[0]?.modseq ?? 0) > h1);
      assert.equal((await getMailbox(ctx, box)).unseen, 2);

      const set = await ctx.tx((tx) => tx.messages.setFlags(box.id, [{ from: 1, to: 1 }], 'set', ['\\Flagged', '\\Answered']));
      assert.deepEqual(set.changed.map((c) => [c.uid, c.flags]), [[1, ['\\Answered', '\\Flagged']]]);
      assert.equal((await getMailbox(ctx, box)).unseen, 3, 'set without \\Seen makes the message unseen');

      // Adding a flag a message already has does not duplicate it.
      await ctx.tx((tx) => tx.messages.setFlags(box.id, ALL, 'add', ['\\Flagged']));
      assert.deepEqual(await flagsOf(box.id, 1), ['\\Answered', '\\Flagged']);
      assert.deepEqual(await flagsOf(box.id, 2), sorted(['$Label1', '\\Flagged']));
      assert.deepEqual(await flagsOf(box.id, 3), ['\\Flagged']);

      await ctx.tx((tx) => tx.messages.setFlags(box.id, ALL, 'set', ['\\Seen']));
      for (const uid of [1, 2, 3]) assert.deepEqual(await flagsOf(box.id, uid), ['\\Seen']);
      mb = await getMailbox(ctx, box);
      assert.equal(mb.unseen, 0);
      await ctx.tx((tx) => tx.messages.setFlags(box.id, [{ from: 3, to: 3 }], 'set', []));
      assert.deepEqual(await flagsOf(box.id, 3), []);
      assert.equal((await getMailbox(ctx, box)).unseen, 1);
    });

    it('unchangedSince (CONDSTORE) leaves newer messages alone and reports them in failed', async () => {
      const box = await freshBox();
      await appendNew(ctx, box);
      await appendNew(ctx, box);
      const c = await appendNew(ctx, box);
      const touched = await ctx.tx((tx) => tx.messages.setFlags(box.id, [{ from: 2, to: 2 }], 'add', ['$Work']));
      const m2 = must(touched.changed[0], 'change of uid 2').modseq;
      assert.ok(m2 > c.modseq);

      const r = await ctx.tx((tx) => tx.messages.setFlags(box.id, ALL, 'add', ['\\Seen'], c.modseq));
      assert.deepEqual(r.failed, [2]);
      assert.deepEqual(byUid(r.changed).map((x) => x.uid), [1, 3]);
      const two = must(await ctx.read((tx) => tx.messages.get(box.id, 2)), 'uid 2');
      assert.deepEqual(two.flags, ['$Work']);
      assert.equal(two.modseq, m2, 'a failed message keeps its modseq');
      assert.deepEqual(await flagsOf(box.id, 1), ['\\Seen']);
      assert.deepEqual(await flagsOf(box.id, 3), ['\\Seen']);
      assert.equal((await getMailbox(ctx, box)).unseen, 1);

      // UNCHANGEDSINCE 0 fails every message (each has modseq ≥ 1): 0 is a value, not "absent".
      const none = await ctx.tx((tx) => tx.messages.setFlags(box.id, ALL, 'add', ['\\Deleted'], 0));
      assert.deepEqual(none.changed, []);
      assert.deepEqual([...none.failed].sort((a, b) => a - b), [1, 2, 3]);
      assert.deepEqual(await flagsOf(box.id, 1), ['\\Seen']);
    });

    it('copy maps uids in source order, keeps flags and summary, and takes blob references', async () => {
      const src = await freshBox();
      const dst = await freshBox();
      const flags = [['\\Seen', '$Label1'], ['\\Seen'], [], ['\\Seen'], ['\\Flagged']];
      const msgs: Array<Awaited<ReturnType<typeof appendNew>>> = [];
      for (const [i, f] of flags.entries()) {
        msgs.push(await appendNew(ctx, src, { flags: f, internalDate: 1_700_000_000_000 + i, summary: { subject: `主题 ${i}` } }));
      }
      await ctx.tx((tx) => tx.messages.expunge(src.id, [{ from: 2, to: 2 }, { from: 4, to: 4 }]));
      const pre = await appendNew(ctx, dst);
      const dst0 = await getMailbox(ctx, dst);
      const src0 = await getMailbox(ctx, src);

      const map = await ctx.tx((tx) => tx.messages.copy(src.id, ALL, dst.id));
      assert.deepEqual(map, [{ from: 1, to: 2 }, { from: 3, to: 3 }, { from: 5, to: 4 }]);
      const copied = [msgs[0], msgs[2], msgs[4]].map((m) => must(m, 'source message'));
      const dst1 = await getMailbox(ctx, dst);
      assert.equal(dst1.uidnext, 5);
      assert.equal(dst1.messages, 4);
      assert.equal(dst1.unseen, 3, 'the pre-existing message and copies of uids 3 and 5');
      assert.equal(dst1.bytes, pre.blob.size + sum(copied.map((m) => m.blob.size)));
      assert.ok(dst1.highestmodseq > dst0.highestmodseq);
      for (const { from, to } of map) {
        const s = must(await ctx.read((tx) => tx.messages.get(src.id, from)), `source ${from}`);
        const d = must(await ctx.read((tx) => tx.messages.get(dst.id, to)), `copy ${to}`);
        assert.deepEqual([d.blobId, d.size, d.flags, d.internalDate, d.subject], [s.blobId, s.size, s.flags, s.internalDate, s.subject]);
        assert.ok(d.modseq > dst0.highestmodseq);
        assert.notEqual(d.id, s.id);
        assert.equal(await refcount(ctx, d.blobId), 2);
      }
      assert.deepEqual(await getMailbox(ctx, src), src0, 'the source is untouched');
      assert.equal(await refcount(ctx, must(msgs[1], 'uid 2').blob.id), 0, 'expunged messages are not copied');

      assert.deepEqual(await ctx.tx((tx) => tx.messages.copy(src.id, [{ from: 100, to: 200 }], dst.id)), []);
      assert.equal((await getMailbox(ctx, dst)).uidnext, 5);
    });

    it('move copies then expunges the source, keeping reference counts', async () => {
      const src = await freshBox();
      const dst = await freshBox();
      const a = await appendNew(ctx, src);
      const b = await appendNew(ctx, src, { flags: ['\\Seen'] });
      const c = await appendNew(ctx, src);
      const since = (await getMailbox(ctx, src)).highestmodseq;
      const map = await ctx.tx((tx) => tx.messages.move(src.id, [{ from: 2, to: MAX }], dst.id));
      assert.deepEqual(map, [{ from: 2, to: 1 }, { from: 3, to: 2 }]);
      const s = await getMailbox(ctx, src);
      assert.deepEqual([s.messages, s.unseen, s.bytes, s.uidnext], [1, 1, a.blob.size, 4]);
      const d = await getMailbox(ctx, dst);
      assert.deepEqual([d.messages, d.unseen, d.bytes, d.uidnext], [2, 1, b.blob.size + c.blob.size, 3]);
      assert.deepEqual((await ctx.read((tx) => tx.messages.list(src.id))).map((m) => m.uid), [1]);
      const moved = await ctx.read((tx) => tx.messages.list(dst.id));
      assert.deepEqual(moved.map((m) => [m.uid, m.blobId, m.flags]), [[1, b.blob.id, ['\\Seen']], [2, c.blob.id, []]]);
      for (const m of [a, b, c]) assert.equal(await refcount(ctx, m.blob.id), 1);
      const gone = byUid(await ctx.read((tx) => tx.messages.changesSince(src.id, since)));
      assert.deepEqual(gone.map((x) => [x.uid, x.flags]), [[2, null], [3, null]]);
    });

    it('expunge returns the removed uids, releases blobs, and uids are never reused', async () => {
      const box = await freshBox();
      const a = await appendNew(ctx, box);
      const b = await appendNew(ctx, box, { flags: ['\\Seen'] });
      const c = await appendNew(ctx, box);
      const removed = await ctx.tx((tx) => tx.messages.expunge(box.id, [{ from: 2, to: 3 }, { from: 9, to: 9 }]));
      assert.deepEqual([...removed].sort((x, y) => x - y), [2, 3]);
      const mb = await getMailbox(ctx, box);
      assert.deepEqual([mb.messages, mb.unseen, mb.bytes, mb.uidnext], [1, 1, a.blob.size, 4]);
      assert.ok(mb.highestmodseq >= c.modseq);
      assert.equal(await ctx.read((tx) => tx.messages.get(box.id, 2)), undefined);
      assert.equal(await refcount(ctx, b.blob.id), 0);
      assert.equal(await refcount(ctx, c.blob.id), 0);
      assert.deepEqual(await ctx.tx((tx) => tx.messages.expunge(box.id, [{ from: 2, to: 3 }])), []);

      // Expunging the highest uid must not let it come back (RFC 3501 §2.3.1.1).
      assert.equal((await appendNew(ctx, box)).uid, 4);
      assert.deepEqual([...await ctx.tx((tx) => tx.messages.expunge(box.id, ALL))].sort((x, y) => x - y), [1, 4]);
      assert.equal((await appendNew(ctx, box)).uid, 5);
      const end = await getMailbox(ctx, box);
      assert.deepEqual([end.uidnext, end.messages], [6, 1]);
    });

    it('changesSince reports flag changes and expunges after a modseq, once per uid', async () => {
      const box = await freshBox();
      await appendNew(ctx, box);
      await appendNew(ctx, box);
      const c = await appendNew(ctx, box);
      const since = (await getMailbox(ctx, box)).highestmodseq;
      assert.deepEqual(await ctx.read((tx) => tx.messages.changesSince(box.id, since)), []);
      await ctx.tx((tx) => tx.messages.setFlags(box.id, [{ from: 1, to: 1 }], 'add', ['\\Seen']));
      await ctx.tx((tx) => tx.messages.setFlags(box.id, [{ from: 1, to: 1 }], 'add', ['$Done']));
      await ctx.tx((tx) => tx.messages.expunge(box.id, [{ from: 2, to: 2 }]));

      const changes = byUid(await ctx.read((tx) => tx.messages.changesSince(box.id, since)));
      assert.deepEqual(changes.map((x) => [x.uid, x.flags]), [[1, sorted(['$Done', '\\Seen'])], [2, null]]);
      const mb = await getMailbox(ctx, box);
      for (const x of changes) assert.ok(x.modseq > since && x.modseq <= mb.highestmodseq, `modseq of uid ${x.uid}`);
      assert.equal(changes[0]?.modseq, (await ctx.read((tx) => tx.messages.get(box.id, 1)))?.modseq);
      assert.deepEqual(await ctx.read((tx) => tx.messages.changesSince(box.id, mb.highestmodseq)), []);

      const all = byUid(await ctx.read((tx) => tx.messages.changesSince(box.id, 0)));
      assert.deepEqual(all.map((x) => [x.uid, x.flags]), [[1, sorted(['$Done', '\\Seen'])], [2, null], [3, []]]);
      assert.equal(all[2]?.modseq, c.modseq);
      assert.deepEqual(await ctx.read((tx) => tx.messages.index(box.id)),
        { uids: [1, 3], modseqs: [changes[0]!.modseq, c.modseq], flags: [sorted(['$Done', '\\Seen']).join(' '), ''] });
      const meta = await ctx.read((tx) => tx.messages.metaRange(box.id, 1, 3));
      assert.deepEqual(meta.map((m) => [m.uid, m.envelope, m.bodystructure]), [[1, null, null], [3, null, null]]);
      await ctx.tx((tx) => tx.blobMeta.put(meta[1]!.blobId, { envelope: 'NIL', bodystructure: 'NIL' }));
      assert.equal((await ctx.read((tx) => tx.messages.metaRange(box.id, 3, 3)))[0]?.envelope, 'NIL');
    });
  });
}

function describeConcurrency(open: OpenStore): void {
  describe('transactions', () => {
    const ctx = useStore(open);

    it('50 concurrent appends to one mailbox get uids 1..50, with commits ≤ transactions', async () => {
      const { user } = await makeOwner(ctx);
      const box = await makeMailbox(ctx, user.id);
      const blobs = await Promise.all(Array.from({ length: 50 }, () => putBlob(ctx)));
      const s0 = ctx.store.stats();
      const results = await Promise.all(blobs.map((b) => ctx.tx((tx) => tx.messages.append(box.id, newMessage(b)))));
      const s1 = ctx.store.stats();
      assert.deepEqual(results.map((r) => r.uid).sort((a, b) => a - b), Array.from({ length: 50 }, (_, i) => i + 1));
      assert.equal(new Set(results.map((r) => r.modseq)).size, 50, 'modseqs are distinct');
      assert.equal(new Set(results.map((r) => r.id)).size, 50);
      const mb = await getMailbox(ctx, box);
      assert.deepEqual([mb.uidnext, mb.messages, mb.highestmodseq], [51, 50, Math.max(...results.map((r) => r.modseq))]);
      const listed = new Map((await ctx.read((tx) => tx.messages.list(box.id))).map((m) => [m.uid, m.blobId]));
      results.forEach((r, i) => assert.equal(listed.get(r.uid), blobs[i]?.id, `uid ${r.uid} holds its own blob`));
      const transactions = s1.transactions - s0.transactions;
      const commits = s1.commits - s0.commits;
      assert.ok(transactions >= 50, `transactions ${transactions}`);
      assert.ok(commits >= 1 && commits <= transactions, `commits ${commits} of ${transactions}`);
    });

    it('a failing tx leaves nothing behind and does not break the others in its batch', async () => {
      const { user } = await makeOwner(ctx);
      const box = await makeMailbox(ctx, user.id);
      const blobs = await Promise.all(Array.from({ length: 10 }, () => putBlob(ctx)));
      const poison = uniq('poison');
      const results = await Promise.allSettled(blobs.map((b, i) => ctx.tx(async (tx) => {
        const r = await tx.messages.append(box.id, newMessage(b));
        if (i === 4) {
          await tx.settings.set('contract', poison, true);
          throw new Error('boom');
        }
        return r.uid;
      })));
      results.forEach((r, i) => {
        if (i === 4) assert.ok(r.status === 'rejected' && (r.reason as Error).message === 'boom', 'the failing tx rejects with its error');
        else assert.equal(r.status, 'fulfilled', `tx ${i}: ${r.status === 'rejected' ? String(r.reason) : ''}`);
      });
      const uids = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
      assert.equal(new Set(uids).size, 9);
      const listed = await ctx.read((tx) => tx.messages.list(box.id));
      assert.deepEqual(listed.map((m) => m.uid).sort((a, b) => a - b), [...uids].sort((a, b) => a - b));
      assert.ok(!listed.some((m) => m.blobId === blobs[4]?.id));
      assert.equal((await getMailbox(ctx, box)).messages, 9);
      assert.equal(await refcount(ctx, must(blobs[4], 'blob').id), 0);
      assert.equal(await ctx.read((tx) => tx.settings.get('contract', poison)), undefined);
      // The store still works afterwards, and the next uid is above every committed one.
      const next = await appendNew(ctx, box);
      assert.ok(next.uid > Math.max(...uids));
    });

    it('a constraint failure in one tx does not break concurrent ones', async () => {
      const dup = `${uniq('race')}.example`;
      const names = [dup, ...Array.from({ length: 4 }, () => `${uniq('ok')}.example`), dup];
      const results = await Promise.allSettled(names.map((name) => ctx.tx((tx) => tx.domains.create({ name }))));
      const dupResults = [results[0], results[5]].map((r) => must(r, 'result'));
      assert.equal(dupResults.filter((r) => r.status === 'fulfilled').length, 1);
      const lost = must(dupResults.find((r) => r.status === 'rejected'), 'the losing duplicate') as PromiseRejectedResult;
      await rejectsWith(Promise.reject(lost.reason), 'ALREADY_EXISTS');
      for (const r of results.slice(1, 5)) assert.equal(r.status, 'fulfilled');
      for (const name of names) assert.ok(await ctx.read((tx) => tx.domains.byName(name)), name);
    });

    it('tx returns fn\'s value; read sees committed data and refuses writes', async () => {
      assert.equal(await ctx.tx(async () => 42), 42);
      const key = uniq('k');
      await ctx.tx((tx) => tx.settings.set('contract', key, { v: 1 }));
      assert.deepEqual(await ctx.read((tx) => tx.settings.get('contract', key)), { v: 1 });
      await assert.rejects(ctx.read((tx) => tx.settings.set('contract', key, { v: 2 })));
      assert.deepEqual(await ctx.read((tx) => tx.settings.get('contract', key)), { v: 1 });
      await ctx.tx((tx) => tx.settings.set('contract', key, { v: 3 }));
      assert.deepEqual(await ctx.read((tx) => tx.settings.get('contract', key)), { v: 3 });
    });
  });
}
