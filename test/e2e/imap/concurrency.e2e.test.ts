// Twenty imapflow sessions append, flag, move and expunge in one mailbox at once while another
// session IDLEs; afterwards every session — the idler included — sees exactly what the store holds
// (FEATURES P9: untagged EXISTS/EXPUNGE/FETCH keep every view right).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { ImapFlow } from 'imapflow';
import { startTestServer, type TestServer } from '../../helpers/server.ts';
import { imapClient as client } from '../../helpers/imap.ts';

const SESSIONS = 20;
const ROUNDS = 6;

async function view(c: ImapFlow): Promise<Array<[number, string[]]>> {
  const out: Array<[number, string[]]> = [];
  if ((c.mailbox as { exists: number }).exists === 0) return out;
  for await (const m of c.fetch('1:*', { uid: true, flags: true })) {
    out.push([m.uid, [...(m.flags ?? [])].filter((f) => f !== '\\Recent').sort()]);
  }
  return out;
}

describe('IMAP concurrency', () => {
  let t: TestServer;
  before(async () => {
    t = await startTestServer({ imap: true, settings: { 'imap.maxConnectionsPerUser': 0 } });
    await t.addUser('alice@example.cn');
  });
  after(() => t.close());

  it(`${SESSIONS} sessions changing one mailbox while one IDLEs end with one consistent view`, async () => {
    const idler = client(t);
    await idler.connect();
    await idler.mailboxOpen('INBOX');
    let idleEvents = 0;
    idler.on('exists', () => idleEvents++);
    idler.on('expunge', () => idleEvents++);
    const idling = idler.idle();

    const workers = await Promise.all(Array.from({ length: SESSIONS }, async () => {
      const c = client(t);
      await c.connect();
      const lock = await c.getMailboxLock('INBOX');
      return { c, lock };
    }));
    await Promise.all(workers.map(async ({ c }, w) => {
      for (let r = 0; r < ROUNDS; r++) {
        const appended = await c.append('INBOX', Buffer.from(`Subject: w${w} r${r}\r\n\r\nbody\r\n`));
        const uid = (appended as { uid?: number }).uid!;
        assert.ok(uid > 0);
        await c.messageFlagsAdd(String(uid), ['\\Flagged', `$w${w}`], { uid: true });
        if (r % 3 === 0) await c.messageMove(String(uid), 'Trash', { uid: true });
        else if (r % 3 === 1) await c.messageDelete(String(uid), { uid: true });
        else await c.messageFlagsRemove('1', ['\\Flagged']); // someone else's message, by sequence number
      }
    }));

    const index = await t.rt.mailboxes.index((await t.rt.mailboxes.require((await t.rt.users.byAddress('alice@example.cn'))!.id, 'INBOX')).id);
    const truth = index.uids.map((uid, i) => [uid, index.flags[i]!.split(' ').filter(Boolean).sort()] as [number, string[]]);
    assert.equal(truth.length, SESSIONS * ROUNDS / 3);
    for (const { c } of workers) {
      await c.noop();
      assert.deepEqual(await view(c), truth);
    }
    await new Promise((r) => setTimeout(r, 300));
    assert.ok(idleEvents > 0, 'the idler was told while idling');
    await idler.noop(); // ends IDLE
    await idling;
    assert.equal((idler.mailbox as { exists: number }).exists, truth.length);
    assert.deepEqual(await view(idler), truth);

    for (const { c, lock } of workers) {
      lock.release();
      await c.logout();
    }
    await idler.logout();
  });

  it('a listing FETCH of a large folder answers the same when read from the node\'s memory, also for a message another session expunged', async () => {
    const user = (await t.rt.users.byAddress('alice@example.cn'))!;
    const N = 1_200; // above the size at which a listing reads the summary cache
    await t.rt.mailboxes.create(user.id, 'Big');
    await t.rt.mailboxes.appendMany(user.id, 'Big', Array.from({ length: N }, (_, i) => ({
      raw: Buffer.from(`From: "Sender ${i}" <s${i}@remote.test>\r\nTo: alice@example.cn\r\nSubject: listing ${i}\r\n` +
        `Message-ID: <m${i}@remote.test>\r\nDate: Mon, 02 Nov 2026 10:00:00 +0800\r\n\r\nbody ${i}\r\n`),
    })));
    const a = client(t);
    const b = client(t);
    await a.connect();
    await b.connect();
    await a.mailboxOpen('Big');
    await b.mailboxOpen('Big');
    const listing = async () => {
      const out: string[] = [];
      for await (const m of a.fetch('1:*', { uid: true, size: true, envelope: true, bodyStructure: true })) {
        out.push(JSON.stringify([m.seq, m.uid, m.size, m.envelope?.subject, m.envelope?.from?.[0]?.address, m.bodyStructure?.type]));
      }
      return out;
    };
    const first = await listing(); // from the store (metadata computed and remembered)
    assert.equal(first.length, N);
    assert.equal(JSON.parse(first[7]!)[3], 'listing 7');
    assert.equal(JSON.parse(first[7]!)[4], 's7@remote.test');
    // The second listing reads no row of the folder from the store.
    const metaRange = t.rt.mailboxes.metaRange.bind(t.rt.mailboxes);
    let rangeReads = 0;
    t.rt.mailboxes.metaRange = (...args) => { rangeReads++; return metaRange(...args); };
    try {
      assert.deepEqual(await listing(), first, 'the second listing, from memory, is the same');
      assert.equal(rangeReads, 0, 'no row read');
    } finally {
      t.rt.mailboxes.metaRange = metaRange;
    }
    // b expunges a message a still sees: a gets its data from memory (RFC 2180 §4.1 allows it) and no error.
    await b.messageDelete('8', { uid: true });
    assert.deepEqual(await listing(), first);
    await a.noop();
    const after = await listing();
    assert.equal(after.length, N - 1);
    assert.ok(!after.some((l) => JSON.parse(l)[3] === 'listing 7'));
    await a.logout();
    await b.logout();
  });
});

