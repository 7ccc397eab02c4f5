// `youju import` (FEATURES A11) against a real dovecot started by the test: every IMAP folder
// arrives once with its flags and internal dates (Sent/Trash onto ours, a Chinese folder name), a
// second run brings nothing new, a POP3 source fills INBOX, an over-quota account and a refused
// login fail alone while the others finish, and a bad list line is named by its number.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadBootConfig } from '../../../src/config/boot.ts';
import { createLogger } from '../../../src/core/log/logger.ts';
import { openRuntime } from '../../../src/main.ts';
import { dovecotMissing, seedImap, startDovecot, type Dovecot } from '../../helpers/dovecot.ts';
import { youjuAsync } from '../../helpers/cli.ts';
import { PASSWORD } from '../../helpers/server.ts';

/** What we put on the old server: folder → messages with flags and internal dates. */
const DAY = 86_400_000;
const T0 = Date.UTC(2019, 4, 17, 8, 30, 0);
const SEED: Record<string, Array<{ subject: string; flags: string[]; at: number }>> = {
  INBOX: [
    { subject: 'hello', flags: ['\\Seen'], at: T0 },
    { subject: 'flagged', flags: ['\\Flagged', '$Label1'], at: T0 + DAY },
    { subject: 'unread', flags: [], at: T0 + 2 * DAY },
  ],
  'Sent Messages': [{ subject: 'sent one', flags: ['\\Seen', '\\Answered'], at: T0 + 3 * DAY }],
  'Deleted Items': [{ subject: 'deleted', flags: ['\\Seen', '\\Deleted'], at: T0 + 4 * DAY }],
  '客户/重要': [
    { subject: '合同', flags: ['\\Seen'], at: T0 + 5 * DAY },
    { subject: '报价', flags: ['\\Draft'], at: T0 + 6 * DAY },
  ],
};
const WHERE: Record<string, string> = { INBOX: 'INBOX', 'Sent Messages': 'Sent', 'Deleted Items': 'Trash', '客户/重要': '客户/重要' };

/** The data dir's view: folder → [subject, flags, internal date] per message. */
async function contents(data: string, address: string): Promise<Record<string, Array<[string, string[], number]>>> {
  const rt = await openRuntime(loadBootConfig({ dataDir: data, env: {} }), { logger: createLogger({ level: 'silent' }) });
  try {
    const user = (await rt.users.byAddress(address))!;
    const out: Record<string, Array<[string, string[], number]>> = {};
    for (const box of await rt.mailboxes.list(user.id)) {
      const msgs = await rt.mailboxes.messages(box.id);
      if (msgs.length > 0) out[box.name] = msgs.map((m) => [m.subject, m.flags, m.internalDate]);
    }
    return out;
  } finally {
    await rt.close();
  }
}

describe('youju import from dovecot', { skip: dovecotMissing }, () => {
  let dovecot: Dovecot;
  let dir: string;
  const data = () => join(dir, 'data');
  const cli = (...args: string[]) => youjuAsync(['--data', data(), ...args]);
  const list = async (name: string, text: string) => { const f = join(dir, name); await writeFile(f, text); return f; };

  before(async () => {
    dovecot = await startDovecot({
      users: ['alice', 'bob', 'carol', 'dan'].map((name) => ({ name, password: PASSWORD })),
      specialUse: { 'Deleted Items': '\\Trash' },
    });
    dir = await mkdtemp(join(tmpdir(), 'youju-import-'));
    assert.equal((await cli('init', '--domain', 'example.cn')).code, 0);
    for (const u of ['alice', 'bob', 'dan']) assert.equal((await cli('user', 'add', `${u}@example.cn`, '--password', PASSWORD)).code, 0);
    assert.equal((await cli('user', 'add', 'carol@example.cn', '--password', PASSWORD, '--quota-mb', '1')).code, 0);
    await seedImap(dovecot.imapPort, PASSWORD, 'alice', SEED);
    await seedImap(dovecot.imapPort, PASSWORD, 'bob', { INBOX: [1, 2, 3].map((i) => ({ subject: `pop ${i}`, flags: [], at: T0 })) });
    const big = 'x'.repeat(76) + '\r\n';
    await seedImap(dovecot.imapPort, PASSWORD, 'carol', { INBOX: [1, 2, 3].map((i) => ({ subject: `big ${i}`, flags: [], at: T0, body: big.repeat(5000) })) });
  });
  after(async () => {
    await dovecot?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('brings every IMAP folder over once, with flags and internal dates, and nothing on a rerun', async () => {
    const file = await list('alice.txt', `# from the old server\n\nimap://127.0.0.1:${dovecot.imapPort} alice ${PASSWORD} alice@example.cn\n`);
    const r = await cli('import', '--file', file);
    assert.equal(r.code, 0, r.stderr + r.stdout);
    assert.match(r.stdout, /line 3: done — 7 new, 7\/7 messages here/);
    const got = await contents(data(), 'alice@example.cn');
    const want: Record<string, Array<[string, string[], number]>> = {};
    for (const [folder, msgs] of Object.entries(SEED)) want[WHERE[folder]!] = msgs.map((m) => [m.subject, [...m.flags].sort(), m.at]);
    assert.deepEqual(got, want);

    const again = await cli('import', '--file', file);
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stdout, /line 3: done — 0 new, 7\/7 messages here/);
    assert.deepEqual(await contents(data(), 'alice@example.cn'), want);

    const status = JSON.parse((await cli('import', 'status', '--json')).stdout);
    assert.equal(status.job.state, 'done');
    assert.deepEqual(status.accounts.map((a: Record<string, unknown>) => [a.line, a.address, a.state, a.foldersDone, a.messagesDone, a.imported]),
      [[3, 'alice@example.cn', 'done', 4, 7, 0]]);
    assert.ok(!JSON.stringify(status).includes(PASSWORD), 'no password in the status');
    const human = (await cli('import', 'status')).stdout;
    assert.match(human, new RegExp(`^3\\s+imap://alice@127\\.0\\.0\\.1:${dovecot.imapPort}\\s+alice@example\\.cn\\s+done\\s+4/4\\s+7/7\\s+0\\s+-$`, 'm'));
  });

  it('imports a POP3 account into INBOX, once', async () => {
    const file = await list('bob.txt', `pop3://127.0.0.1:${dovecot.pop3Port} bob ${PASSWORD} bob@example.cn\n`);
    for (const expectNew of [3, 0]) {
      const r = await cli('import', '--file', file);
      assert.equal(r.code, 0, r.stderr + r.stdout);
      assert.match(r.stdout, new RegExp(`line 1: done — ${expectNew} new, 3/3 messages here`));
    }
    const got = await contents(data(), 'bob@example.cn');
    assert.deepEqual(Object.keys(got), ['INBOX']);
    assert.deepEqual(got.INBOX!.map(([s, f, at]) => [s, f, at]), [1, 2, 3].map((i) => [`pop ${i}`, [], Date.UTC(2019, 4, 17, 8, 0, 0)]));
  });

  it('fails an over-quota account and a refused login alone; the others finish', async () => {
    const file = await list('mixed.txt', [
      `imap://127.0.0.1:${dovecot.imapPort} carol ${PASSWORD} carol@example.cn`,
      `imap://127.0.0.1:${dovecot.imapPort} dan wrong-password dan@example.cn`,
      `pop3://127.0.0.1:${dovecot.pop3Port} alice ${PASSWORD} dan@example.cn`,
    ].join('\n'));
    const r = await cli('import', '--file', file);
    assert.equal(r.code, 1, r.stdout);
    assert.match(r.stderr, /^youju: 2 of 3 accounts failed \(line 1: over quota: the local mailbox is full after 2 new messages \(stopped in folder "INBOX"\)\)/);
    const status = JSON.parse((await cli('import', 'status', '--json')).stdout);
    assert.equal(status.job.state, 'failed');
    const [carol, dan, danFromPop] = status.accounts;
    assert.equal(carol.state, 'failed');
    assert.equal(carol.imported, 2);
    assert.equal(dan.state, 'failed');
    assert.match(dan.error, /127\.0\.0\.1:\d+ refused the login/);
    assert.equal(danFromPop.state, 'done');
    assert.equal(danFromPop.imported, 3, 'alice\'s INBOX over POP3');
    assert.equal((await contents(data(), 'carol@example.cn')).INBOX!.length, 2);
  });

  it('refuses a list with a bad line, naming it, and unknown local accounts', async () => {
    const bad = await cli('import', '--file', await list('bad.txt', `# ok\nimap://127.0.0.1:1 alice pw alice@example.cn\nftp://x alice pw\n`));
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /bad\.txt line 3: unknown scheme "ftp:\/\/"/);
    const unknown = await cli('import', '--file', await list('unknown.txt', `imap://127.0.0.1:1 zed pw zed@example.cn\n`));
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /line 1: no local account zed@example\.cn/);
  });
});
