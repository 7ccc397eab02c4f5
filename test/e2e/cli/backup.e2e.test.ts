// youju backup / restore (issue #15 §1) on a server that runs and takes mail: users, folders with
// Chinese names, flags and keywords, a runtime setting, a DKIM key and a held queue entry come back
// exactly; an IMAP client that synced before the backup sees the same UIDVALIDITY, UIDs and flags
// after the restore; an incremental backup carries only new blobs; a damaged backup or a data
// directory that has a store already is refused before anything is written.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import SMTPConnection from 'nodemailer/lib/smtp-connection/index.js';
import { youjuAsync } from '../../helpers/cli.ts';
import { imapClient, syncState as sync, type Synced } from '../../helpers/imap.ts';
import { eventually, startTestServer, type TestServer } from '../../helpers/server.ts';


async function send(port: number, to: string, subject: string, conn?: SMTPConnection): Promise<void> {
  const c = conn ?? new SMTPConnection({ host: '127.0.0.1', port, ignoreTLS: true });
  if (!conn) await new Promise<void>((resolve, reject) => { c.once('error', reject); c.connect(() => resolve()); });
  const body = `From: <sender@remote.test>\r\nTo: <${to}>\r\nSubject: ${subject}\r\n\r\n${'正文 body line\r\n'.repeat(40)}`;
  await new Promise<void>((resolve, reject) => c.send({ from: 'sender@remote.test', to: [to] }, body, (err) => (err ? reject(err) : resolve())));
  if (!conn) c.quit();
}

describe('youju backup and restore', () => {
  let t: TestServer;
  let repo: string;
  let before1: Synced;
  let full: string;

  before(async () => {
    t = await startTestServer({ imap: true });
    repo = await mkdtemp(join(tmpdir(), 'youju-backups-'));
    await t.addUser('alice@example.cn');
    await t.addUser('bob@example.cn');
    for (let i = 0; i < 12; i++) await send(t.ports.smtp, 'alice@example.cn', `message ${i}`);
    const c = imapClient(t);
    await c.connect();
    try {
      await eventually(async () => (((await c.status('INBOX', { messages: true })) || { messages: 0 }).messages ?? 0) >= 12, 10_000, '12 messages in INBOX');
      await c.mailboxCreate('工作/项目');
      await c.mailboxOpen('INBOX');
      await c.messageFlagsAdd('1:3', ['\\Seen']);
      await c.messageFlagsAdd('2', ['\\Flagged', '$Important']);
      await c.messageMove('4:5', '工作/项目');
      await c.messageDelete('6'); // an expunge: the UID is gone for good
      before1 = await sync(c);
    } finally {
      await c.logout();
    }
    await t.rt.settings.set('smtp.greetingPauseMs', 1234);
    // A sealed setting: only the server's secret key (DATA/secret.key) opens it again.
    await t.rt.settings.set('delivery.smartHost', { host: '127.0.0.1', port: 2525, user: 'relay', password: 'Relay-Secret-1', tls: 'none' });
    const dkim = await youjuAsync(['--data', t.dir, 'dkim', 'generate', 'example.cn']);
    assert.equal(dkim.code, 0, dkim.stderr);
    await t.rt.queue.submit({ sender: 'alice@example.cn', recipients: ['x@remote.test'], raw: Buffer.from('Subject: held\r\n\r\nheld\r\n'), state: 'holding' });
  });
  after(async () => {
    await t.close();
    await rm(repo, { recursive: true, force: true });
  });

  it('backs up while SMTP load runs, and the restore holds every folder, UID, UIDVALIDITY, flag, setting, key and queued message', async () => {
    // Load: bob gets mail over one connection for as long as the backup runs.
    let loading = true;
    let sent = 0;
    const conn = new SMTPConnection({ host: '127.0.0.1', port: t.ports.smtp, ignoreTLS: true });
    await new Promise<void>((resolve, reject) => { conn.once('error', reject); conn.connect(() => resolve()); });
    const load = (async () => { while (loading) { await send(t.ports.smtp, 'bob@example.cn', `load ${sent}`, conn); sent += 1; } })();
    await eventually(async () => sent >= 5, 10_000, 'load running');
    const b = await youjuAsync(['--data', t.dir, 'backup', '--out', repo, '--json']);
    loading = false;
    await load;
    conn.quit();
    assert.equal(b.code, 0, b.stderr);
    const made = JSON.parse(b.stdout) as { dir: string; counts: { users: number; messages: number; blobs: number }; files: Array<{ path: string }> };
    full = made.dir;
    assert.ok(made.counts.users >= 2 && made.counts.messages >= 11 && made.counts.blobs >= made.counts.messages - sent, JSON.stringify(made.counts));
    assert.ok(made.files.some((f) => f.path === 'data/secret.key'), 'the secret key comes along');

    const target = await mkdtemp(join(tmpdir(), 'youju-restored-'));
    const r = await youjuAsync(['--data', target, 'restore', full]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /restored\s+\S+-full into/);
    const restored = await startTestServer({ imap: true, dataDir: target });
    try {
      const c = imapClient(restored);
      await c.connect();
      try {
        assert.deepEqual(await sync(c), before1, 'alice\'s client sees exactly what it synced before');
      } finally {
        await c.logout();
      }
      // Bob's mail arrived during the backup: the copy holds what was committed when it began.
      const bob = await restored.rt.users.byAddress('bob@example.cn');
      const bobCount = (await restored.rt.store.read((tx) => tx.users.usage(bob!.id))).messages;
      assert.ok(bobCount >= 1 && bobCount <= sent, `bob: ${bobCount} of ${sent} messages sent during the backup`);
      assert.equal(restored.rt.settings.current().smtp.greetingPauseMs, 1234);
      assert.equal(restored.rt.settings.current().delivery.smartHost?.password, 'Relay-Secret-1', 'the sealed password opens with the restored key');
      const show = await youjuAsync(['--data', target, 'dkim', 'show', 'example.cn', '--json']);
      const showLive = await youjuAsync(['--data', t.dir, 'dkim', 'show', 'example.cn', '--json']);
      assert.equal(show.code, 0, show.stderr);
      assert.equal(JSON.parse(show.stdout).txt, JSON.parse(showLive.stdout).txt, 'the same DKIM key');
      const held = await restored.rt.store.read((tx) => tx.queue.list({ state: 'holding' }));
      assert.equal(held.length, 1);
      assert.equal(held[0]!.leaseOwner, null);
      assert.equal((await restored.rt.blobs.read(held[0]!.blobId)).toString(), 'Subject: held\r\n\r\nheld\r\n');
    } finally {
      await restored.close();
    }
  });

  it('an incremental backup carries only the mail added since, and its restore has all of it', async () => {
    for (let i = 0; i < 3; i++) await send(t.ports.smtp, 'alice@example.cn', `after the full backup ${i}`);
    await eventually(async () => {
      const c = imapClient(t);
      await c.connect();
      // 12 delivered, 2 moved out, 1 expunged, 3 new.
      try { return (((await c.status('INBOX', { messages: true })) || { messages: 0 }).messages ?? 0) >= 12; } finally { await c.logout(); }
    });
    await new Promise((r) => setTimeout(r, 1100)); // one backup a second at most
    const b = await youjuAsync(['--data', t.dir, 'backup', '--out', repo, '--incremental', '--json']);
    assert.equal(b.code, 0, b.stderr);
    const incr = JSON.parse(b.stdout) as { dir: string; base: string; counts: { blobs: number } };
    assert.equal(incr.base, full.split('/').pop());
    // The three new messages, and what the load delivered after the full backup listed its blobs; nothing twice.
    const ids = async (dir: string) => (await readFile(join(dir, 'blobs', 'index.jsonl'), 'utf8')).split('\n').filter(Boolean).map((l) => (JSON.parse(l) as { id: string }).id);
    const inFull = new Set(await ids(full));
    const inIncr = await ids(incr.dir);
    assert.equal(inIncr.length, incr.counts.blobs);
    assert.ok(inIncr.length >= 3, `${inIncr.length} blobs`);
    assert.deepEqual(inIncr.filter((id) => inFull.has(id)), [], 'no blob of the full backup again');
    const target = await mkdtemp(join(tmpdir(), 'youju-restored-'));
    const r = await youjuAsync(['--data', target, 'restore', incr.dir, '--json']);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual((JSON.parse(r.stdout) as { chain: string[] }).chain, [incr.dir.split('/').pop(), full.split('/').pop()]);
    const restored = await startTestServer({ imap: true, dataDir: target });
    try {
      const c = imapClient(restored);
      await c.connect();
      try {
        const lock = await c.getMailboxLock('INBOX');
        try {
          const subjects: string[] = [];
          for await (const m of c.fetch('1:*', { envelope: true })) subjects.push(m.envelope?.subject ?? '');
          for (let i = 0; i < 3; i++) assert.ok(subjects.includes(`after the full backup ${i}`), `new message ${i} restored`);
        } finally {
          lock.release();
        }
      } finally {
        await c.logout();
      }
    } finally {
      await restored.close();
    }
  });

  it('--no-mail keeps accounts and folders, without messages, and restores to empty folders', async () => {
    const out = await mkdtemp(join(tmpdir(), 'youju-backups-'));
    const b = await youjuAsync(['--data', t.dir, 'backup', '--out', out, '--no-mail', '--json']);
    assert.equal(b.code, 0, b.stderr);
    const nm = JSON.parse(b.stdout) as { dir: string; mail: boolean; counts: { users: number; messages: number; blobs: number } };
    assert.equal(nm.mail, false);
    assert.deepEqual([nm.counts.messages, nm.counts.blobs], [0, 0]);
    assert.ok(nm.counts.users >= 1);
    const target = await mkdtemp(join(tmpdir(), 'youju-restored-'));
    const r = await youjuAsync(['--data', target, 'restore', nm.dir]);
    assert.equal(r.code, 0, r.stderr);
    const restored = await startTestServer({ imap: true, dataDir: target });
    try {
      const c = imapClient(restored);
      await c.connect();
      try {
        const boxes = (await c.list()).map((b) => b.path);
        assert.ok(boxes.includes('INBOX') && boxes.length > 1, boxes.join(', '));
        assert.equal(((await c.status('INBOX', { messages: true })) || { messages: -1 }).messages, 0);
      } finally {
        await c.logout();
      }
    } finally {
      await restored.close();
      await rm(out, { recursive: true, force: true });
    }
  });

  it('refuses a damaged backup and a data directory that holds a store, before writing anything', async () => {
    const empty = await mkdtemp(join(tmpdir(), 'youju-restored-'));
    const intoLive = await youjuAsync(['--data', t.dir, 'restore', full]);
    assert.equal(intoLive.code, 1);
    assert.match(intoLive.stderr, /already holds a store: restore into an empty data directory/);

    const pack = join(full, 'blobs', (await readdir(join(full, 'blobs'))).find((f) => f.endsWith('.bin'))!);
    const bytes = await readFile(pack);
    bytes[bytes.length >> 1]! ^= 0xff;
    await writeFile(pack, bytes);
    const damaged = await youjuAsync(['--data', empty, 'restore', full]);
    assert.equal(damaged.code, 2);
    assert.match(damaged.stderr, /is damaged: blobs\/pack-0001\.bin does not match its checksum/);
    assert.equal(existsSync(join(empty, 'meta.db')), false, 'nothing written');
    await rm(empty, { recursive: true, force: true });
  });
});
