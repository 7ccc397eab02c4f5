// The `youju` command end to end (issue #2): init, domains, users, aliases, lists, admin password
// reset, human and --json output, exit codes 0/1/2, and `start` initialising an empty data dir,
// running, and stopping cleanly on SIGTERM — on the embedded store and on PostgreSQL.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestPgDatabase } from '../../../src/store/testing.ts';
import { YOUJU_BIN, youju } from '../../helpers/cli.ts';
import { freePort } from '../../helpers/server.ts';

const STRONG = 'Youju2026!x';

describe('youju CLI on the embedded store', () => {
  let dir: string;
  let run: (...args: string[]) => ReturnType<typeof youju>;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'youju-cli-'));
    run = (...args) => youju(['--data', join(dir, 'data'), ...args]);
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it('refuses commands on a data dir that was never initialised', () => {
    const r = run('domain', 'list');
    assert.equal(r.code, 1);
    assert.match(r.stderr, /no Youju data in .*youju init/);
  });

  it('init creates the domain and the three built-in accounts, once', () => {
    const r = run('init', '--domain', 'example.cn', '--password-admin', STRONG, '--json');
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout);
    assert.equal(out.domain, 'example.cn');
    assert.deepEqual(out.accounts.map((a: { username: string }) => a.username).sort(), ['admin', 'administrator', 'system']);
    assert.equal(out.accounts.find((a: { username: string }) => a.username === 'admin').password, STRONG);
    const again = run('init', '--domain', 'example.cn');
    assert.equal(again.code, 1);
    assert.match(again.stderr, /already initialised/);
  });

  it('manages domains, including IDN names and limits', () => {
    assert.equal(run('domain', 'add', '例子.中国', '--max-users', '2').code, 0);
    const list = JSON.parse(run('domain', 'list', '--json').stdout);
    assert.deepEqual(list.map((d: { name: string }) => d.name).sort(), ['example.cn', 'xn--fsqu00a.xn--fiqs8s']);
    const human = run('domain', 'list');
    assert.match(human.stdout, /例子\.中国\s+valid\s+2/);
    const dup = run('domain', 'add', 'EXAMPLE.cn');
    assert.equal(dup.code, 1);
    assert.match(dup.stderr, /already exists/);
  });

  it('adds users under the password policy and the domain user limit', () => {
    const weak = run('user', 'add', 'bob@例子.中国', '--password', '123456');
    assert.equal(weak.code, 1);
    assert.match(weak.stderr, /password/i);
    assert.equal(run('user', 'add', 'bob@例子.中国', '--password', STRONG, '--name', '张三').code, 0);
    assert.equal(run('user', 'add', 'alice@例子.中国', '--password', STRONG, '--quota-mb', '100').code, 0);
    const over = run('user', 'add', 'carol@例子.中国', '--password', STRONG);
    assert.equal(over.code, 1);
    assert.match(over.stderr, /limit of 2 users/);
    const shown = JSON.parse(run('user', 'show', 'BOB@例子.中国', '--json').stdout);
    assert.equal(shown.realName, '张三');
    assert.equal(shown.passwordHash, undefined, 'the hash never leaves the service');
    assert.equal(JSON.parse(run('user', 'show', 'alice@xn--fsqu00a.xn--fiqs8s', '--json').stdout).quotaBytes, 100 * 1024 * 1024);
  });

  it('freezes, unfreezes, changes passwords and deletes users', () => {
    assert.equal(run('user', 'add', 'dave@example.cn', '--password', STRONG).code, 0);
    assert.match(run('user', 'freeze', 'dave@example.cn').stdout, /frozen/);
    assert.equal(JSON.parse(run('user', 'show', 'dave@example.cn', '--json').stdout).status, 'frozen');
    assert.match(run('user', 'unfreeze', 'dave@example.cn').stdout, /active/);
    assert.equal(run('user', 'passwd', 'dave@example.cn', '--password', 'abc').code, 1);
    assert.equal(run('user', 'passwd', 'dave@example.cn', '--password', 'An0ther-Strong').code, 0);
    assert.equal(run('user', 'del', 'dave@example.cn').code, 0);
    assert.equal(run('user', 'show', 'dave@example.cn').code, 1);
  });

  it('manages aliases and mailing lists', () => {
    assert.equal(run('user', 'add', 'erin@example.cn', '--password', STRONG).code, 0);
    assert.equal(run('alias', 'add', 'sales@example.cn', 'erin@example.cn').code, 0);
    const loop = run('alias', 'add', 'erin@example.cn', 'sales@example.cn');
    assert.equal(loop.code, 1);
    assert.deepEqual(JSON.parse(run('alias', 'list', '--json').stdout), [{ address: 'sales@example.cn', targets: ['erin@example.cn'] }]);
    assert.equal(run('list', 'add', 'team@example.cn', '--member', 'erin@example.cn', 'x@remote.test', '--private').code, 0);
    assert.equal(run('list', 'member-add', 'team@example.cn', 'y@remote.test', '--send', 'no').code, 0);
    const shown = JSON.parse(run('list', 'show', 'team@example.cn', '--json').stdout);
    assert.equal(shown.list.visibility, 'private');
    assert.deepEqual(shown.members.map((m: { address: string; canSend: boolean }) => [m.address, m.canSend]),
      [['erin@example.cn', true], ['x@remote.test', true], ['y@remote.test', false]]);
    assert.equal(run('list', 'member-del', 'team@example.cn', 'x@remote.test').code, 0);
    assert.equal(JSON.parse(run('list', 'show', 'team@example.cn', '--json').stdout).members.length, 2);
    assert.equal(run('list', 'del', 'team@example.cn').code, 0);
    assert.equal(run('alias', 'del', 'sales@example.cn').code, 0);
  });

  it('sets and shows the domain signature', () => {
    assert.equal(run('domain', 'signature', 'example.cn', '--text', '-- \\n示例公司', '--html', '<p>示例公司</p>').code, 0);
    assert.deepEqual(JSON.parse(run('domain', 'signature', 'example.cn', '--json').stdout),
      { domain: 'example.cn', text: '-- \n示例公司', html: '<p>示例公司</p>' });
    assert.equal(run('domain', 'signature', 'nowhere.test').code, 1);
  });

  it('resets an administrator password and prints it once', () => {
    const r = run('admin', 'reset-password', 'domain', 'example.cn', '--json');
    assert.equal(r.code, 0, r.stderr);
    assert.match(JSON.parse(r.stdout).password, /^\S{16}$/);
    assert.equal(run('admin', 'reset-password', 'administrator').code, 0);
    assert.equal(run('admin', 'reset-password', 'nobody').code, 2);
  });

  it('answers bad usage with exit code 2', () => {
    assert.equal(run('user', 'add', 'x@example.cn').code, 2, 'missing --password');
    assert.equal(run('domain', 'add', 'x.cn', '--max-users', 'many').code, 2);
    assert.equal(run('frobnicate').code, 2);
    assert.equal(run('user', 'add', 'not-an-address', '--password', STRONG).code, 2);
  });

  it('refuses to delete a domain with users unless forced', () => {
    const r = run('domain', 'del', 'example.cn');
    assert.equal(r.code, 1);
    assert.match(r.stderr, /--force/);
  });

  it('start initialises an empty data dir, runs, and stops on SIGTERM', async () => {
    const data = join(dir, 'fresh');
    const smtpPort = await freePort();
    const cfg = join(dir, 'start.json');
    await writeFile(cfg, JSON.stringify({ listen: '127.0.0.1', hostname: 'mx.first.test', ports: {
      smtp: smtpPort, submission: 0, smtps: 0, imap: 0, imaps: 0, pop3: 0, pop3s: 0, http: 0, https: 0, admin: 0 } }));
    const child = spawn(process.execPath, [YOUJU_BIN, 'start', '--data', data, '--config', cfg, '--domain', 'first.test'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    child.stdout.on('data', (d) => { stdout += d; });
    child.stderr.on('data', (d) => { stdout += d; });
    const deadline = Date.now() + 30_000;
    while (!stdout.includes('running on') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    assert.match(stdout, /First start: initialised .* with domain first\.test/);
    assert.match(stdout, /administrator/);
    assert.match(stdout, new RegExp(`smtp port\\s+127\\.0\\.0\\.1:${smtpPort}`));
    assert.match(stdout, /submission port\s+off/);
    assert.match(stdout, /antivirus\s+off: no scanner \(youju settings set antivirus\.clamd/, 'no clamd configured: the stage is off and the banner says how to turn it on');
    // A command works while the server runs and sees its data.
    assert.match(youju(['--data', data, 'domain', 'list']).stdout, /first\.test/);
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
    child.kill('SIGTERM');
    assert.equal(await exited, 0);
    assert.match(stdout, /stopped/);
    const logs = await readdir(join(data, 'logs'));
    assert.ok(logs.some((f) => /^system-\d{4}-\d{2}-\d{2}\.log$/.test(f)), logs.join(','));
  });
});

describe('youju CLI on PostgreSQL', () => {
  let db: Awaited<ReturnType<typeof createTestPgDatabase>>;
  let dir: string;
  before(async () => {
    db = await createTestPgDatabase();
    dir = await mkdtemp(join(tmpdir(), 'youju-cli-pg-'));
    await writeFile(join(dir, 'youju.yaml'), `store:\n  kind: postgres\n  url: ${db.url}\n`);
  });
  after(async () => {
    await db.drop();
    await rm(dir, { recursive: true, force: true });
  });

  it('initialises and manages users in PostgreSQL', () => {
    const run = (...args: string[]) => youju(['--data', join(dir, 'data'), '--config', join(dir, 'youju.yaml'), ...args]);
    assert.equal(run('init', '--domain', 'pg.test').code, 0);
    assert.equal(run('user', 'add', 'u@pg.test', '--password', STRONG).code, 0);
    assert.equal(JSON.parse(run('user', 'list', '--json').stdout)[0].address, 'u@pg.test');
  });
});

describe('youju CLI config errors', () => {
  it('stops with one line naming the field', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'youju-cfg-'));
    try {
      await writeFile(join(dir, 'bad.json'), JSON.stringify({ ports: { smtp: 'abc' } }));
      const r = youju(['--data', dir, '--config', join(dir, 'bad.json'), 'start']);
      assert.equal(r.code, 1);
      assert.match(r.stderr, /ports\.smtp/);
      assert.equal(r.stderr.trim().split('\n').length, 1);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
