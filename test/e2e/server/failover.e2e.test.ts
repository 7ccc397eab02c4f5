// Failover on PostgreSQL (issue #15 §2, FEATURES B8): three nodes on one database. Node A (a real
// `youju start` process) takes mail over SMTP while a client IDLEs on node B; A is stopped cold
// (SIGSTOP, then SIGKILL) with accepted mail still leased to it in the queue; once those leases run
// out, node C's (or B's) queue runner delivers them. Every message A acknowledged arrives exactly
// once, and the client idling on B hears of it.
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import SMTPConnection from 'nodemailer/lib/smtp-connection/index.js';
import { startYoujuProcess } from '../../helpers/cli.ts';
import { imapClient } from '../../helpers/imap.ts';
import { eventually, freePort, mailboxMessages, startTestServer, type TestServer } from '../../helpers/server.ts';

const LEASE_SEC = 10; // the shortest queue.leaseSec allows

describe('failover: three nodes on one PostgreSQL', () => {
  let b: TestServer;
  let c: TestServer;
  let a: ChildProcess | undefined;
  let dirA: string;
  let smtpA: number;

  before(async () => {
    b = await startTestServer({ store: 'postgres', imap: true, hostname: 'node-b.youju.test' });
    await b.addUser('alice@example.cn');
    await b.rt.settings.set('queue.leaseSec', LEASE_SEC);
    await b.rt.settings.set('queue.pollMs', 500);
    // The pipeline's DNS look-ups go to B's loopback DNS server, which knows nothing: quick NXDOMAINs.
    c = await startTestServer({ sharedPostgres: (b.config.store as { url: string }).url, hostname: 'node-c.youju.test', dnsServer: b.dns });
    dirA = await mkdtemp(join(tmpdir(), 'youju-node-a-'));
    smtpA = await freePort();
    const cfg = join(dirA, 'youju.json');
    await writeFile(cfg, JSON.stringify({
      hostname: 'node-a.youju.test', listen: '127.0.0.1', store: { kind: 'postgres', url: (b.config.store as { url: string }).url },
      dns: { servers: [b.dns.server] },
      ports: { smtp: smtpA, submission: 0, smtps: 0, imap: 0, imaps: 0, pop3: 0, pop3s: 0, http: 0, https: 0, admin: 0 },
    }));
    a = await startYoujuProcess(join(dirA, 'data'), cfg);
  });
  after(async () => {
    a?.kill('SIGKILL');
    await c?.close();
    await b?.close();
    await rm(dirA, { recursive: true, force: true });
  });

  it('delivers what the killed node had accepted, once each, and the client idling on another node hears of it', async () => {
    const idler = imapClient(b);
    await idler.connect();
    await idler.mailboxOpen('INBOX');
    let exists = 0;
    idler.on('exists', (e: { count: number }) => { exists = e.count; });
    const idling = idler.idle();

    const acked = new Set<string>();
    let n = 0;
    /** 20 senders at once, each one message per connection, until stop() (or A stops answering). */
    const burst = () => {
      let going = true;
      const senders = Array.from({ length: 20 }, async () => {
        while (going) {
          const subject = `failover ${n++}`;
          const conn = new SMTPConnection({ host: '127.0.0.1', port: smtpA, ignoreTLS: true, connectionTimeout: 2000, socketTimeout: 2000, greetingTimeout: 2000 });
          try {
            await new Promise<void>((resolve, reject) => { conn.once('error', reject); conn.connect(() => resolve()); });
            await new Promise<void>((resolve, reject) => conn.send({ from: 'sender@remote.test', to: ['alice@example.cn'] },
              `From: <sender@remote.test>\r\nTo: <alice@example.cn>\r\nSubject: ${subject}\r\n\r\nbody\r\n`, (err) => (err ? reject(err) : resolve())));
            acked.add(subject);
          } catch {
            return; // A stopped answering
          } finally {
            conn.close();
          }
        }
      });
      return { stop: async () => { going = false; await Promise.all(senders); } };
    };
    const leasedToA = async () => (await b.rt.store.read((tx) => tx.queue.list({}))).filter((e) => e.leaseOwner === 'node-a.youju.test').length;

    // Freeze A in the middle of a burst until the queue holds mail leased to it but not delivered.
    let stranded = 0;
    for (let tries = 0; tries < 20 && stranded === 0; tries++) {
      const load = burst();
      await new Promise((r) => setTimeout(r, 150 + 50 * tries));
      a!.kill('SIGSTOP');
      stranded = await leasedToA();
      if (stranded === 0) a!.kill('SIGCONT');
      await load.stop();
    }
    assert.ok(stranded > 0, 'node A was stopped with accepted mail leased to it');
    a!.kill('SIGKILL');
    await new Promise((r) => a!.once('exit', r));
    a = undefined;

    // Its leases run out; the other nodes' runners take the entries and deliver them.
    await eventually(async () => (await b.rt.store.read((tx) => tx.queue.list({}))).length === 0, (LEASE_SEC + 15) * 1000, 'the queue emptied by nodes B and C');
    const inbox = await mailboxMessages(b.rt, 'alice@example.cn');
    const subjects = inbox.map((m) => m.subject);
    for (const s of acked) assert.equal(subjects.filter((x) => x === s).length, 1, `${s}: delivered exactly once`);
    assert.equal(new Set(subjects).size, subjects.length, 'nothing doubled');
    await eventually(async () => exists === inbox.length, 5000, `IDLE on node B heard of all ${inbox.length} (heard ${exists})`);
    console.log(`failover: ${acked.size} acknowledged by node A, ${stranded} stranded in its queue when it died, all delivered once by the others`);
    await idler.logout().catch(() => undefined);
    await idling.catch(() => undefined);
  });
});
