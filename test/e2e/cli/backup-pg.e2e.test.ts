// youju backup / restore across backends (issue #15 §1–2): a server on the embedded store is backed
// up and restored into an empty PostgreSQL database, and a server on PostgreSQL is backed up and
// restored into an embedded store. Users, folders with Chinese names, UIDs, UIDVALIDITY, flags,
// settings (a sealed one too), the DKIM key and a held queue entry come back; an IMAP client sees
// exactly what it synced before; new ids go on past the copied ones; a non-empty database is refused.
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import SMTPConnection from 'nodemailer/lib/smtp-connection/index.js';
import { createTestPgDatabase } from '../../../src/store/testing.ts';
import { youjuAsync } from '../../helpers/cli.ts';
import { imapClient, syncState as sync, type Synced } from '../../helpers/imap.ts';
import { eventually, startTestServer, type TestServer } from '../../helpers/server.ts';


async function syncOf(t: TestServer): Promise<Synced> {
  const c = imapClient(t);
  await c.connect();
  try { return await sync(c); } finally { await c.logout(); }
}

async function send(port: number, to: string, subject: string): Promise<void> {
  const c = new SMTPConnection({ host: '127.0.0.1', port, ignoreTLS: true });
  await new Promise<void>((resolve, reject) => { c.once('error', reject); c.connect(() => resolve()); });
  const body = `From: <sender@remote.test>\r\nTo: <${to}>\r\nSubject: ${subject}\r\n\r\n${'正文 body line\r\n'.repeat(20)}`;
  await new Promise<void>((resolve, reject) => c.send({ from: 'sender@remote.test', to: [to] }, body, (err) => (err ? reject(err) : resolve())));
  c.quit();
}

const inbox = async (t: TestServer, user?: string) => {
  const c = user ? imapClient(t, user) : imapClient(t);
  await c.connect();
  try { return (((await c.status('INBOX', { messages: true })) || { messages: 0 }).messages ?? 0); } finally { await c.logout(); }
};

/** What must survive a move between backends, read from a running server. */
async function state(t: TestServer, cli: { data: string; env: NodeJS.ProcessEnv }) {
  const dkim = await youjuAsync(['--data', cli.data, 'dkim', 'show', 'example.cn', '--json'], cli.env);
  assert.equal(dkim.code, 0, dkim.stderr);
  const held = await t.rt.store.read((tx) => tx.queue.list({ state: 'holding' }));
  const users = (await t.rt.store.read((tx) => tx.users.list({}))).map((u) => `${u.localPart}/${u.realName}/${u.quotaBytes}/${u.status}`).sort();
  return {
    users,
    greetingPauseMs: t.rt.settings.current().smtp.greetingPauseMs,
    smartHostPassword: t.rt.settings.current().delivery.smartHost?.password,
    dkim: JSON.parse(dkim.stdout).txt as string,
    held: await Promise.all(held.map(async (q) => ({ sender: q.sender, leaseOwner: q.leaseOwner, raw: (await t.rt.blobs.read(q.blobId)).toString() }))),
  };
}

describe('youju backup and restore between SQLite and PostgreSQL', () => {
  let src: TestServer;
  let repo: string;
  let synced: Synced;
  let expected: Awaited<ReturnType<typeof state>>;
  const cleanup: Array<() => Promise<void>> = [];

  before(async () => {
    src = await startTestServer({ imap: true });
    repo = await mkdtemp(join(tmpdir(), 'youju-backups-'));
    await src.addUser('alice@example.cn');
    await src.addUser('bob@example.cn');
    for (let i = 0; i < 6; i++) await send(src.ports.smtp, 'alice@example.cn', `message ${i}`);
    await send(src.ports.smtp, 'bob@example.cn', 'for bob');
    const c = imapClient(src);
    await c.connect();
    try {
      await eventually(async () => (((await c.status('INBOX', { messages: true })) || { messages: 0 }).messages ?? 0) >= 6, 10_000, '6 messages in INBOX');
      await c.mailboxCreate('工作/项目');
      await c.mailboxOpen('INBOX');
      await c.messageFlagsAdd('1:2', ['\\Seen']);
      await c.messageFlagsAdd('2', ['\\Flagged', '$Important']);
      await c.messageMove('3', '工作/项目');
      await c.messageDelete('4');
    } finally {
      await c.logout();
    }
    synced = await syncOf(src);
    await src.rt.settings.set('smtp.greetingPauseMs', 1234);
    await src.rt.settings.set('delivery.smartHost', { host: '127.0.0.1', port: 2525, user: 'relay', password: 'Relay-Secret-1', tls: 'none' });
    const dkim = await youjuAsync(['--data', src.dir, 'dkim', 'generate', 'example.cn']);
    assert.equal(dkim.code, 0, dkim.stderr);
    await src.rt.queue.submit({ sender: 'alice@example.cn', recipients: ['x@remote.test'], raw: Buffer.from('Subject: held\r\n\r\nheld 邮件\r\n'), state: 'holding' });
    expected = await state(src, { data: src.dir, env: {} });
  });
  after(async () => {
    for (const f of cleanup.reverse()) await f().catch(() => undefined);
    await src.close();
    await rm(repo, { recursive: true, force: true });
  });

  it('SQLite → backup → PostgreSQL → backup → SQLite keeps every folder, UID, UIDVALIDITY, flag, setting, key and queued message', async () => {
    const b = await youjuAsync(['--data', src.dir, 'backup', '--out', repo, '--json']);
    assert.equal(b.code, 0, b.stderr);
    const full = (JSON.parse(b.stdout) as { dir: string }).dir;

    // Into an empty PostgreSQL database.
    const db = await createTestPgDatabase();
    cleanup.push(() => db.drop());
    const pgEnv = { YOUJU_STORE_URL: db.url };
    const pgData = await mkdtemp(join(tmpdir(), 'youju-restored-pg-'));
    const r = await youjuAsync(['--data', pgData, 'restore', full], pgEnv);
    assert.equal(r.code, 0, r.stderr);
    const again = await youjuAsync(['--data', await mkdtemp(join(tmpdir(), 'youju-restored-pg-')), 'restore', full], pgEnv);
    assert.notEqual(again.code, 0, 'a second restore into the same database is refused');
    assert.match(again.stderr, /already holds a store/);

    const onPg = await startTestServer({ imap: true, dataDir: pgData, sharedPostgres: db.url });
    let pgSynced: Synced;
    let carol = '';
    try {
      assert.equal(onPg.rt.store.kind, 'postgres');
      assert.deepEqual(await syncOf(onPg), synced, 'the IMAP client sees the same UIDVALIDITY, UIDs and flags on PostgreSQL');
      assert.deepEqual(await state(onPg, { data: pgData, env: pgEnv }), expected);
      // New rows go on past the copied ones: a new user, a new folder, a new message with the next UID.
      await onPg.addUser('carol@example.cn');
      const carolUser = (await onPg.rt.store.read((tx) => tx.users.list({}))).find((u) => u.localPart === 'carol')!;
      carol = `${carolUser.realName}/${carolUser.quotaBytes}/${carolUser.status}`;
      assert.ok(!expected.users.some((u) => u.startsWith('carol/')));
      await send(onPg.ports.smtp, 'alice@example.cn', 'after the move');
      await eventually(async () => (await inbox(onPg)) >= 5, 10_000, 'the new message');
      pgSynced = await syncOf(onPg);
      // The full-text index is rebuilt on PostgreSQL (it is not copied between dialects).
      const s = imapClient(onPg);
      await s.connect();
      try {
        await s.mailboxOpen('INBOX');
        await eventually(async () => ((await s.search({ subject: 'message 0' }, { uid: true })) || []).length === 1, 15_000, 'search on PostgreSQL finds restored mail');
      } finally {
        await s.logout();
      }
      const newUid = pgSynced.INBOX!.messages.at(-1)!.uid;
      assert.equal(newUid, synced.INBOX!.uidNext, 'the new message takes the next UID');
      assert.equal(pgSynced.INBOX!.uidValidity, synced.INBOX!.uidValidity);

      // And back: PostgreSQL → backup → SQLite.
      await new Promise((res) => setTimeout(res, 1100)); // one backup a second at most
      const b2 = await youjuAsync(['--data', pgData, 'backup', '--out', repo, '--json'], pgEnv);
      assert.equal(b2.code, 0, b2.stderr);
      const fromPg = (JSON.parse(b2.stdout) as { dir: string; counts: { users: number; messages: number } });
      assert.equal(fromPg.counts.users, 3, JSON.stringify(fromPg.counts)); // alice, bob, carol

      // Incremental and without mail on PostgreSQL too: the incremental carries only the mail since.
      await send(onPg.ports.smtp, 'bob@example.cn', 'incremental on pg');
      await eventually(async () => (await inbox(onPg, 'bob@example.cn')) >= 2, 10_000, 'bob\'s new message');
      await new Promise((res) => setTimeout(res, 1100));
      const inc = await youjuAsync(['--data', pgData, 'backup', '--out', repo, '--incremental', '--json'], pgEnv);
      assert.equal(inc.code, 0, inc.stderr);
      const incr = JSON.parse(inc.stdout) as { dir: string; base: string };
      assert.equal(incr.base, fromPg.dir.split('/').pop());
      const ids = async (dir: string) => (await readFile(join(dir, 'blobs', 'index.jsonl'), 'utf8')).split('\n').filter(Boolean).map((l) => (JSON.parse(l) as { id: string }).id);
      const before = new Set(await ids(fromPg.dir));
      const added = await ids(incr.dir);
      assert.equal(added.length, 1, 'one new blob: bob\'s message');
      assert.ok(!before.has(added[0]!));
      await new Promise((res) => setTimeout(res, 1100));
      const noMail = await youjuAsync(['--data', pgData, 'backup', '--out', await mkdtemp(join(tmpdir(), 'youju-backups-')), '--no-mail', '--json'], pgEnv);
      assert.equal(noMail.code, 0, noMail.stderr);
      const nm = JSON.parse(noMail.stdout) as { mail: boolean; counts: { users: number; blobs: number } };
      assert.equal(nm.mail, false);
      assert.equal(nm.counts.users, 3);
      assert.equal(nm.counts.blobs, 0);
      const incData = await mkdtemp(join(tmpdir(), 'youju-restored-sqlite-'));
      const r3 = await youjuAsync(['--data', incData, 'restore', incr.dir]);
      assert.equal(r3.code, 0, r3.stderr);
      const fromInc = await startTestServer({ imap: true, dataDir: incData });
      try {
        assert.equal(await inbox(fromInc, 'bob@example.cn'), 2, 'the incremental chain restores bob\'s old and new mail');
      } finally {
        await fromInc.close();
      }
      const sqliteData = await mkdtemp(join(tmpdir(), 'youju-restored-sqlite-'));
      const r2 = await youjuAsync(['--data', sqliteData, 'restore', fromPg.dir]);
      assert.equal(r2.code, 0, r2.stderr);
      const back = await startTestServer({ imap: true, dataDir: sqliteData });
      try {
        assert.equal(back.rt.store.kind, 'sqlite');
        assert.deepEqual(await syncOf(back), pgSynced, 'the same UIDVALIDITY, UIDs and flags back on SQLite');
        assert.deepEqual(await state(back, { data: sqliteData, env: {} }), { ...expected, users: [...expected.users, `carol/${carol}`].sort() });
        // The full-text index is rebuilt on the new backend: a search finds the moved mail.
        const c = imapClient(back);
        await c.connect();
        try {
          await c.mailboxOpen('INBOX');
          await eventually(async () => ((await c.search({ subject: 'after the move' }, { uid: true })) || []).length === 1, 15_000, 'search finds the new message');
        } finally {
          await c.logout();
        }
      } finally {
        await back.close();
      }
    } finally {
      await onPg.close();
    }

    // A damaged backup is refused before anything is written to the database.
    const meta = join(full, 'meta.db');
    const bytes = await readFile(meta);
    bytes[bytes.length >> 1]! ^= 0xff;
    await writeFile(meta, bytes);
    const empty = await createTestPgDatabase();
    cleanup.push(() => empty.drop());
    const damaged = await youjuAsync(['--data', await mkdtemp(join(tmpdir(), 'youju-restored-pg-')), 'restore', full], { YOUJU_STORE_URL: empty.url });
    assert.equal(damaged.code, 2, damaged.stderr);
    assert.match(damaged.stderr, /is damaged: meta\.db does not match its checksum/);
    const c = new pg.Client({ connectionString: empty.url });
    await c.connect();
    try {
      assert.equal((await c.query("SELECT count(*)::int AS n FROM information_schema.tables WHERE table_schema = 'public'")).rows[0].n, 0, 'nothing written');
    } finally {
      await c.end();
    }
  });
});
