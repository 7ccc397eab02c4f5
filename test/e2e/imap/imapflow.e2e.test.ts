// IMAP end to end with imapflow (the client most Node mail software uses): STARTTLS, COMPRESS=DEFLATE,
// CONDSTORE/QRESYNC, LIST-STATUS, APPEND/FETCH/SEARCH/STORE/COPY/MOVE/EXPUNGE, QUOTA, and IDLE
// hearing of an SMTP delivery within a second.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { swaks } from '../../helpers/peers.ts';
import { heardWhileIdling, imapClient as client, withInbox } from '../../helpers/imap.ts';
import { startTestServer, type TestServer } from '../../helpers/server.ts';

const message = (subject: string, body = 'hello') =>
  Buffer.from(`From: Bob <bob@remote.test>\r\nTo: alice@example.cn\r\nSubject: ${subject}\r\nDate: Tue, 03 Nov 2026 10:00:00 +0000\r\nMessage-ID: <${subject.replace(/\W/g, '')}@remote.test>\r\n\r\n${body}\r\n`);

describe('IMAP with imapflow', () => {
  let t: TestServer;
  before(async () => {
    t = await startTestServer({ imap: true });
    await t.addUser('alice@example.cn', { quotaBytes: 10 * 1024 * 1024 });
  });
  after(() => t.close());

  it('works through a whole mailbox session, compressed', async () => {
    const c = client(t);
    await c.connect();
    try {
      assert.ok(c.capabilities.has('IDLE'));
      assert.ok((c as unknown as { _deflate?: unknown })._deflate, 'COMPRESS=DEFLATE negotiated');
      const folders = await c.list({ statusQuery: { messages: true, unseen: true } });
      assert.deepEqual(folders.map((f) => f.path).sort(), ['Drafts', 'INBOX', 'Junk', 'Sent', 'Trash']);
      assert.equal(folders.find((f) => f.path === 'Sent')?.specialUse, '\\Sent');
      assert.equal(folders.find((f) => f.path === 'INBOX')?.status?.messages, 0);

      for (let i = 1; i <= 5; i++) await c.append('INBOX', message(`note ${i}`, `body ${i} 会议纪要`), i % 2 ? [] : ['\\Seen']);
      await c.mailboxCreate('归档/2026');
      const lock = await c.getMailboxLock('INBOX');
      try {
        const box = c.mailbox as { exists: number; uidValidity: bigint; highestModseq?: bigint };
        assert.equal(box.exists, 5);
        assert.ok(box.highestModseq !== undefined && box.highestModseq > 0n);
        const msgs = [];
        for await (const m of c.fetch('1:*', { uid: true, flags: true, envelope: true, bodyStructure: true, size: true, internalDate: true })) msgs.push(m);
        assert.deepEqual(msgs.map((m) => m.envelope?.subject), ['note 1', 'note 2', 'note 3', 'note 4', 'note 5']);
        assert.equal(msgs[0]!.envelope?.from?.[0]?.address, 'bob@remote.test');
        assert.equal(msgs[0]!.bodyStructure?.type, 'text/plain');
        const one = await c.fetchOne('3', { source: true });
        assert.match(one ? one.source!.toString() : '', /body 3 会议纪要/);

        assert.deepEqual(await c.search({ seen: false }), [1, 3, 5]);
        assert.deepEqual(await c.search({ body: '纪要' }, { uid: true }), [1, 2, 3, 4, 5]);
        assert.deepEqual(await c.search({ subject: 'note 4' }), [4]);

        await c.messageFlagsAdd('1:2', ['\\Flagged', '$Work']);
        assert.deepEqual(await c.search({ flagged: true }), [1, 2]);
        const copied = await c.messageCopy('1', '归档/2026');
        assert.equal(copied && copied.uidMap?.get(1), 1);
        const moved = await c.messageMove('2', 'Trash');
        assert.equal(moved && moved.uidMap?.get(2), 1);
        assert.equal((c.mailbox as { exists: number }).exists, 4);
        await c.messageDelete('1');
        assert.equal((c.mailbox as { exists: number }).exists, 3);
      } finally {
        lock.release();
      }
      const st = await c.status('Trash', { messages: true, uidNext: true, highestModseq: true });
      assert.equal(st && st.messages, 1);
      const quota = await c.getQuota('INBOX');
      assert.ok(quota && quota.storage && quota.storage.limit === 10 * 1024 * 1024);
      assert.ok(quota.storage.usage! > 0);
    } finally {
      await c.logout();
    }
  });

  it('IDLE hears of a delivery within a second', async () => {
    const c = client(t);
    await withInbox(c, async () => {
    const before = (c.mailbox as { exists: number }).exists;
    const { data, ms } = await heardWhileIdling<{ count: number }>(c, 'exists', async () => {
      const r = await swaks(t.ports.smtp, ['--to', 'alice@example.cn', '--from', 'x@remote.test', '--header', 'Subject: ping']);
      assert.equal(r.code, 0, r.out); // swaks has had the 250
    });
    assert.equal(data.count, before + 1);
    assert.ok(ms < 1000, `IDLE reported the delivery ${ms} ms after the 250`);
    console.log(`IDLE: EXISTS ${ms} ms after the SMTP 250`);
    });
  });

  it('resynchronises with QRESYNC after changes made elsewhere', async () => {
    const a = client(t, 'alice@example.cn', { qresync: true });
    await a.connect();
    const lockA = await a.getMailboxLock('INBOX');
    const box = a.mailbox as { highestModseq: bigint; uidValidity: bigint; exists: number };
    const modseq = box.highestModseq;
    lockA.release();
    await a.logout();

    const b = client(t);
    await b.connect();
    const lockB = await b.getMailboxLock('INBOX');
    await b.messageFlagsAdd('1', ['\\Answered']);
    await b.messageDelete('2');
    lockB.release();
    await b.logout();

    const c = client(t, 'alice@example.cn', { qresync: true });
    await c.connect();
    try {
      await c.mailboxOpen('INBOX');
      const changes = [];
      for await (const m of c.fetch('1:*', { uid: true, flags: true }, { changedSince: modseq })) changes.push(m);
      assert.deepEqual(changes.map((m) => [...(m.flags ?? [])].includes('\\Answered')), [true], 'only the message changed since');
    } finally {
      await c.logout();
    }
  });
});
