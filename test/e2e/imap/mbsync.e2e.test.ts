// isync (mbsync, Debian) against our IMAP over STARTTLS: a first sync pulls every folder into a local
// Maildir, changes on both sides then travel both ways, and a further sync finds nothing to do.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdir, readdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { imapClient } from '../../helpers/imap.ts';
import { mailboxMessages, PASSWORD, startTestServer, type TestServer } from '../../helpers/server.ts';

const run = promisify(execFile);
const haveMbsync = await run('mbsync', ['--version']).then(() => true, () => false);

async function mbsync(configPath: string): Promise<string> {
  const { stdout, stderr } = await run('mbsync', ['-c', configPath, '-a', '-V'], { timeout: 60_000 });
  return `${stdout}${stderr}`;
}

async function files(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const sub of ['cur', 'new']) out.push(...(await readdir(join(dir, sub)).catch(() => [])).map((f) => join(dir, sub, f)));
  return out;
}

describe('IMAP with mbsync', { skip: haveMbsync ? false : 'mbsync (isync) is not installed' }, () => {
  let t: TestServer;
  let config: string;
  let local: string;
  before(async () => {
    t = await startTestServer({ imap: true });
    await t.addUser('alice@example.cn');
    const c = imapClient(t);
    await c.connect();
    await c.mailboxCreate('Projects');
    for (let i = 1; i <= 5; i++) await c.append('INBOX', Buffer.from(`From: bob@remote.test\r\nSubject: inbox ${i}\r\nMessage-ID: <i${i}@remote.test>\r\n\r\nbody ${i}\r\n`), i === 1 ? ['\\Seen'] : []);
    await c.append('Projects', Buffer.from('From: bob@remote.test\r\nSubject: project plan\r\n\r\nplan\r\n'));
    await c.logout();

    local = join(t.dir, 'maildir');
    await mkdir(local, { recursive: true });
    config = join(t.dir, 'mbsyncrc');
    await writeFile(config, [
      'IMAPAccount youju',
      'Host 127.0.0.1',
      `Port ${t.config.ports.imap}`,
      'User alice@example.cn',
      `Pass ${PASSWORD}`,
      'SSLType STARTTLS',
      `CertificateFile ${join(t.config.dataDir, 'tls', 'self-signed.crt')}`,
      '',
      'IMAPStore remote',
      'Account youju',
      '',
      'MaildirStore local',
      `Path ${local}/`,
      `Inbox ${local}/INBOX`,
      'SubFolders Verbatim',
      '',
      'Channel all',
      'Far :remote:',
      'Near :local:',
      'Patterns *',
      'Create Both',
      'Expunge Both',
      'SyncState *',
      '',
    ].join('\n'));
  });
  after(() => t.close());

  /** Local file names (flags included) and, per server folder, uidnext/highestmodseq/messages. */
  async function snapshot(): Promise<{ local: string[]; server: string[] }> {
    const localFiles: string[] = [];
    for (const box of await readdir(local)) localFiles.push(...(await files(join(local, box))).map((f) => f.slice(local.length).replace(/^\/[^/]+\/(new|cur)\//, `${box}/`)));
    const user = (await t.rt.users.byAddress('alice@example.cn'))!;
    const server = (await t.rt.mailboxes.list(user.id)).map((m) => `${m.name} ${m.uidnext} ${m.highestmodseq} ${m.messages}`);
    return { local: localFiles.sort(), server: server.sort() };
  }

  it('pulls everything, pushes and pulls changes, and a sync with no changes changes nothing', async () => {
    await mbsync(config);
    assert.equal((await files(join(local, 'INBOX'))).length, 5);
    assert.equal((await files(join(local, 'Projects'))).length, 1);
    assert.equal((await files(join(local, 'Sent'))).length, 0);
    assert.equal((await files(join(local, 'INBOX'))).filter((f) => /:2,S$/.test(f)).length, 1, 'the \\Seen flag came along');
    const afterFirst = await snapshot();
    await mbsync(config);
    assert.deepEqual(await snapshot(), afterFirst, 'the second sync found nothing to do');

    // Local changes: a new message, a flag; remote change: a new message.
    await writeFile(join(local, 'INBOX', 'new', `${Date.now()}.local.youju`), 'From: alice@example.cn\r\nSubject: written offline\r\n\r\nlocal\r\n');
    const target = (await files(join(local, 'INBOX'))).find((f) => !/:2,S$/.test(f))!;
    await rename(target, target.replace('/new/', '/cur/').replace(/(:2,[A-Z]*)?$/, ':2,F'));
    const c = imapClient(t);
    await c.connect();
    await c.append('Projects', Buffer.from('From: carol@remote.test\r\nSubject: project update\r\n\r\nupdate\r\n'));
    await c.logout();

    await mbsync(config);
    const server = await mailboxMessages(t.rt, 'alice@example.cn');
    assert.ok(server.some((m) => m.subject === 'written offline'), 'the local message went up');
    assert.equal(server.filter((m) => m.flags.includes('\\Flagged')).length, 1, 'the local flag went up');
    assert.equal((await files(join(local, 'Projects'))).length, 2, 'the remote message came down');
    const afterChanges = await snapshot();
    await mbsync(config);
    assert.deepEqual(await snapshot(), afterChanges, 'and again nothing to do');
  });
});
