// Two Youju nodes on one PostgreSQL (DESIGN §5): an IMAP client idling on node A hears, within a
// second, of a message that node B stored and of flags node B changed — the bus events travel
// through PostgreSQL LISTEN/NOTIFY. Mail submitted over SMTP to node B reaches the idler on A too,
// whichever node's queue runner delivers it.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { heardWhileIdling, imapClient, withInbox } from '../../helpers/imap.ts';
import { swaks } from '../../helpers/peers.ts';
import { startTestServer, type TestServer } from '../../helpers/server.ts';

describe('IMAP in a cluster of two nodes', () => {
  let a: TestServer;
  let b: TestServer;
  before(async () => {
    a = await startTestServer({ store: 'postgres', imap: true });
    const config = a.config.store;
    assert.equal(config.kind, 'postgres');
    b = await startTestServer({ sharedPostgres: config.url });
    await a.addUser('alice@example.cn');
  });
  after(async () => {
    await b?.close();
    await a?.close();
  });

  it('hears of messages and flag changes made on the other node within a second', async () => {
    const c = imapClient(a);
    await withInbox(c, async () => {
    const user = (await b.rt.users.byAddress('alice@example.cn'))!;
    const stored = await heardWhileIdling<{ count: number }>(c, 'exists', () =>
      b.rt.mailboxes.append(user.id, 'INBOX', { raw: Buffer.from('Subject: from node B\r\n\r\nhello\r\n') }));
    assert.equal(stored.data.count, 1);
    assert.ok(stored.ms < 1000, `EXISTS ${stored.ms} ms after node B's commit`);

    const flagged = await heardWhileIdling<{ flags: Set<string> }>(c, 'flags', async () => {
      const box = await b.rt.store.read((tx) => tx.mailboxes.byName(user.id, 'INBOX'));
      await b.rt.mailboxes.setFlags(box!.id, [{ from: 1, to: 1 }], 'add', ['\\Flagged']);
    });
    assert.ok(flagged.data.flags.has('\\Flagged'));
    assert.ok(flagged.ms < 1000, `FETCH FLAGS ${flagged.ms} ms after node B's commit`);

    const smtp = await heardWhileIdling<{ count: number }>(c, 'exists', async () => {
      const r = await swaks(b.ports.smtp, ['--to', 'alice@example.cn', '--from', 'x@remote.test', '--header', 'Subject: via node B']);
      assert.equal(r.code, 0, r.out);
    });
    assert.equal(smtp.data.count, 2);
    console.log(`cluster IDLE: EXISTS ${stored.ms} ms, FLAGS ${flagged.ms} ms after node B's change; ${smtp.ms} ms after node B's SMTP 250`);
    });
  });

  it('resynchronises after its LISTEN connection was cut: a change made meanwhile still reaches an idling client', async () => {
    const c = imapClient(a);
    await withInbox(c, async () => {
    const user = (await b.rt.users.byAddress('alice@example.cn'))!;
    const heard = await heardWhileIdling<{ count: number }>(c, 'exists', async () => {
      // Cut every LISTEN connection to this database (node A's among them), then change the mailbox on
      // node B at once: its NOTIFY reaches nobody on A. Only A's resynchronisation after the reconnect
      // can tell the client.
      const pg = await import('pg');
      const admin = new pg.default.Client({ connectionString: (a.config.store as { url: string }).url });
      await admin.connect();
      try {
        const r = await admin.query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND query LIKE 'LISTEN youju_bus%' AND pid <> pg_backend_pid()");
        assert.ok(r.rowCount! >= 1, 'a LISTEN connection was cut');
      } finally {
        await admin.end();
      }
      await b.rt.mailboxes.append(user.id, 'INBOX', { raw: Buffer.from('Subject: while the relay was down\r\n\r\nx\r\n') });
    }, 10_000);
    assert.equal(heard.data.count, 3);
    console.log(`cluster IDLE after a cut LISTEN connection: EXISTS ${heard.ms} ms after node B's commit`);
    });
  });
});
