import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fixedClock } from '../clock.ts';
import { SessionLogs, localDate } from './session-log.ts';

const root = mkdtempSync(join(os.tmpdir(), 'youju-slog-'));
after(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
const newDir = (): string => join(root, `logs${n++}`);
/** Local wall-clock time, so the tests pass in any time zone. */
const local = (y: number, mo: number, d: number, h = 0, mi = 0, s = 0, ms = 0): number => new Date(y, mo - 1, d, h, mi, s, ms).getTime();
const read = (dir: string, name: string): string[] => readFileSync(join(dir, name), 'utf8').split('\n').filter(Boolean);

describe('SessionLogs', () => {
  it('writes the readable transcript format to <protocol>-DATE.log', async () => {
    const dir = newDir();
    const clock = fixedClock(local(2026, 11, 28, 10, 15, 2, 331));
    const logs = new SessionLogs({ dir, clock });
    const s = logs.open('smtp-in', { ip: '1.2.3.4', port: 5555 });
    assert.match(s.id, /^s[0-9a-z]{4,5}$/);
    s.send('220 mail.example.com ESMTP');
    s.recv('EHLO mx.example.com');
    clock.advance(1);
    s.send('250-mail.example.com\r\n250-PIPELINING\r\n250 SIZE 52428800\r\n');
    s.note('relay denied for 1.2.3.4');
    clock.advance(1500);
    await s.close();
    await logs.close();
    assert.deepEqual(readdirSync(dir), ['smtp-in-2026-11-28.log']);
    assert.deepEqual(read(dir, 'smtp-in-2026-11-28.log'), [
      `2026-11-28 10:15:02.331 [${s.id}] Session ${s.id}; connection from 1.2.3.4:5555`,
      `2026-11-28 10:15:02.331 [${s.id}] --> 220 mail.example.com ESMTP`,
      `2026-11-28 10:15:02.331 [${s.id}] <-- EHLO mx.example.com`,
      `2026-11-28 10:15:02.332 [${s.id}] --> 250-mail.example.com`,
      `2026-11-28 10:15:02.332 [${s.id}] --> 250-PIPELINING`,
      `2026-11-28 10:15:02.332 [${s.id}] --> 250 SIZE 52428800`,
      `2026-11-28 10:15:02.332 [${s.id}] *  relay denied for 1.2.3.4`,
      `2026-11-28 10:15:03.832 [${s.id}] Session ${s.id} closed after 1.501 s`,
    ]);
  });

  it('a session\'s close resolves once its closing line is in the file, in one write shared with the other sessions', async () => {
    const dir = newDir();
    const logs = new SessionLogs({ dir, clock: fixedClock(local(2026, 11, 28, 9)) });
    const a = logs.open('pop3', { ip: '192.0.2.1' });
    const b = logs.open('pop3', { ip: '192.0.2.2' });
    await Promise.all([a.close(), b.close()]);
    const lines = read(dir, 'pop3-2026-11-28.log');
    assert.equal(lines.filter((l) => / closed after /.test(l)).length, 2, lines.join('\n'));
    await logs.close();
  });

  it('gives each session its own id and brackets IPv6 peers', async () => {
    const dir = newDir();
    const logs = new SessionLogs({ dir, clock: fixedClock(local(2026, 1, 2, 3, 4, 5, 6)) });
    const a = logs.open('imap', { ip: '::1', port: 143 });
    const b = logs.open('imap', { ip: '10.0.0.1' });
    assert.notEqual(a.id, b.id);
    await logs.close();
    const lines = read(dir, 'imap-2026-01-02.log');
    assert.match(lines[0] ?? '', /connection from \[::1\]:143$/);
    assert.match(lines[1] ?? '', /connection from 10\.0\.0\.1$/);
  });

  it('rotates at local midnight: a line after midnight goes to the next day\'s file', async () => {
    const dir = newDir();
    const clock = fixedClock(local(2026, 12, 31, 23, 59, 59, 900));
    const logs = new SessionLogs({ dir, clock });
    const s = logs.open('pop3', { ip: '5.6.7.8', port: 40000 });
    s.recv('USER bob');
    clock.advance(200); // 2027-01-01 00:00:00.100
    s.send('+OK');
    const other = logs.open('pop3', { ip: '5.6.7.9', port: 40001 });
    await s.close();
    await other.close();
    await logs.flush();
    assert.deepEqual(readdirSync(dir).sort(), ['pop3-2026-12-31.log', 'pop3-2027-01-01.log']);
    const before = read(dir, 'pop3-2026-12-31.log');
    const afterMidnight = read(dir, 'pop3-2027-01-01.log');
    assert.equal(before.length, 2);
    assert.match(before[1] ?? '', /^2026-12-31 23:59:59\.900 \[s\w+\] <-- USER bob$/);
    assert.match(afterMidnight[0] ?? '', /^2027-01-01 00:00:00\.100 \[s\w+\] --> \+OK$/);
    assert.equal(afterMidnight.length, 4);
    await logs.close();
  });

  it('appends to an existing file of the same day', async () => {
    const dir = newDir();
    const clock = fixedClock(local(2026, 5, 5, 12));
    const first = new SessionLogs({ dir, clock });
    first.open('system', { ip: '127.0.0.1' }).note('started');
    await first.close();
    const second = new SessionLogs({ dir, clock });
    second.open('system', { ip: '127.0.0.1' }).note('started again');
    await second.close();
    const lines = read(dir, 'system-2026-05-05.log');
    assert.equal(lines.length, 4);
    assert.match(lines[3] ?? '', /\*  started again$/);
  });

  it('escapes control characters so a peer cannot forge lines', async () => {
    const dir = newDir();
    const logs = new SessionLogs({ dir, clock: fixedClock(local(2026, 3, 3)) });
    const s = logs.open('smtp-in', { ip: '1.1.1.1' });
    s.recv('HELO x\rfake line\x1b[2J');
    s.recv('x'.repeat(5000));
    await logs.close();
    const lines = read(dir, 'smtp-in-2026-03-03.log');
    assert.equal(lines.length, 3);
    assert.match(lines[1] ?? '', /<-- HELO x\\x0dfake line\\x1b\[2J$/);
    assert.match(lines[2] ?? '', /\.\.\. \(5000 chars\)$/);
  });

  it('drops and counts lines instead of buffering without bound when the disk falls behind', async () => {
    const dir = newDir();
    const logs = new SessionLogs({ dir, clock: fixedClock(local(2026, 4, 4)), maxBufferBytes: 0 });
    const s = logs.open('antispam', { ip: '1.2.3.4' }); // in the stream's buffer now
    for (let i = 0; i < 5; i++) s.note(`line ${i}`); // buffer over the limit: dropped
    await logs.flush();
    s.note('after');
    await logs.close();
    const lines = read(dir, 'antispam-2026-04-04.log');
    assert.equal(lines.length, 3);
    assert.match(lines[1] ?? '', /\[-----\] \*  5 line\(s\) dropped: the disk fell behind$/);
    assert.match(lines[2] ?? '', /\*  after$/);
  });

  it('ignores writes after close and never throws when the directory cannot be made', async () => {
    const file = join(root, `not-a-dir-${n++}`);
    writeFileSync(file, '');
    const errors: Error[] = [];
    const logs = new SessionLogs({ dir: join(file, 'logs'), onError: (e) => errors.push(e) });
    const s = logs.open('imap', { ip: '1.2.3.4' });
    s.recv('a LOGIN bob x');
    await s.close();
    await logs.close();
    assert.ok(errors.length > 0);
    s.send('after close');
    await logs.flush();
  });
});

describe('SessionLog masking', () => {
  async function transcript(protocol: 'smtp-in' | 'smtp-out' | 'imap' | 'pop3', steps: Array<[('recv' | 'send'), string]>): Promise<string[]> {
    const dir = newDir();
    const logs = new SessionLogs({ dir, clock: fixedClock(local(2026, 7, 7, 7)) });
    const s = logs.open(protocol, { ip: '1.2.3.4', port: 1 });
    for (const [dir, line] of steps) s[dir](line);
    await logs.close();
    const text = readFileSync(join(dir, `${protocol}-2026-07-07.log`), 'utf8');
    assert.ok(!/hunter2|aHVudGVyMg|Ym9iAGJvYgBodW50ZXIy/.test(text), text);
    return text.split('\n').filter(Boolean).slice(1).map((l) => l.replace(/^.*?\] /, ''));
  }

  it('SMTP AUTH PLAIN with an initial response, and AUTH LOGIN continuations', async () => {
    assert.deepEqual(await transcript('smtp-in', [
      ['recv', 'AUTH PLAIN Ym9iAGJvYgBodW50ZXIy'], ['send', '235 2.7.0 Authentication successful'],
      ['recv', 'AUTH LOGIN'], ['send', '334 VXNlcm5hbWU6'], ['recv', 'Ym9i'], ['send', '334 UGFzc3dvcmQ6'],
      ['recv', 'aHVudGVyMg=='], ['send', '235 2.7.0 Authentication successful'],
      ['recv', 'MAIL FROM:<bob@example.com>'],
    ]), [
      '<-- AUTH PLAIN ****', '--> 235 2.7.0 Authentication successful',
      '<-- AUTH LOGIN', '--> 334 VXNlcm5hbWU6', '<-- ****', '--> 334 UGFzc3dvcmQ6',
      '<-- ****', '--> 235 2.7.0 Authentication successful',
      '<-- MAIL FROM:<bob@example.com>',
    ]);
  });

  it('smtp-out: our own AUTH to a smart host is masked too', async () => {
    assert.deepEqual(await transcript('smtp-out', [
      ['send', 'AUTH LOGIN Ym9i'], ['recv', '334 UGFzc3dvcmQ6'], ['send', 'aHVudGVyMg=='], ['recv', '235 2.7.0 OK'],
      ['send', 'MAIL FROM:<a@b>'],
    ]), ['--> AUTH LOGIN ****', '<-- 334 UGFzc3dvcmQ6', '--> ****', '<-- 235 2.7.0 OK', '--> MAIL FROM:<a@b>']);
  });

  it('POP3 PASS, APOP and AUTH', async () => {
    assert.deepEqual(await transcript('pop3', [
      ['recv', 'USER bob'], ['send', '+OK'], ['recv', 'PASS hunter2 with spaces'], ['send', '+OK maildrop ready'],
      ['recv', 'APOP bob c4c9334bac560ecc979e58001b3e22fb'], ['send', '-ERR'],
      ['recv', 'AUTH PLAIN'], ['send', '+ '], ['recv', 'Ym9iAGJvYgBodW50ZXIy'], ['send', '+OK'], ['recv', 'STAT'],
    ]), [
      '<-- USER bob', '--> +OK', '<-- PASS ****', '--> +OK maildrop ready',
      '<-- APOP bob ****', '--> -ERR',
      '<-- AUTH PLAIN', '--> + ', '<-- ****', '--> +OK', '<-- STAT',
    ]);
  });

  it('IMAP LOGIN with atoms, quoted strings and literals; AUTHENTICATE with SASL-IR and cancel', async () => {
    assert.deepEqual(await transcript('imap', [
      ['recv', 'a1 LOGIN bob hunter2'], ['send', 'a1 NO [AUTHENTICATIONFAILED] Invalid credentials'],
      ['recv', 'a2 login "bob smith" "hunter2 \\"x\\""'], ['send', 'a2 NO'],
      ['recv', 'a3 LOGIN bob {7}'], ['send', '+ Ready for literal data'], ['recv', 'hunter2'], ['send', 'a3 OK LOGIN completed'],
      ['recv', 'a4 AUTHENTICATE PLAIN Ym9iAGJvYgBodW50ZXIy'], ['send', 'a4 OK'],
      ['recv', 'a5 AUTHENTICATE PLAIN'], ['send', '+ '], ['recv', '*'], ['send', 'a5 BAD cancelled'],
      ['recv', 'a6 SELECT INBOX'],
    ]), [
      '<-- a1 LOGIN bob ****', '--> a1 NO [AUTHENTICATIONFAILED] Invalid credentials',
      '<-- a2 login "bob smith" ****', '--> a2 NO',
      '<-- a3 LOGIN bob ****', '--> + Ready for literal data', '<-- ****', '--> a3 OK LOGIN completed',
      '<-- a4 AUTHENTICATE PLAIN ****', '--> a4 OK',
      '<-- a5 AUTHENTICATE PLAIN', '--> + ', '<-- *', '--> a5 BAD cancelled',
      '<-- a6 SELECT INBOX',
    ]);
  });

  it('recvSecret writes only the placeholder', async () => {
    const dir = newDir();
    const logs = new SessionLogs({ dir, clock: fixedClock(local(2026, 7, 7, 7)) });
    const s = logs.open('webmail', { ip: '1.2.3.4' });
    s.recvSecret();
    s.recvSecret('<password>');
    await logs.close();
    const lines = read(dir, 'webmail-2026-07-07.log');
    assert.match(lines[1] ?? '', /\] <-- \*\*\*\*$/);
    assert.match(lines[2] ?? '', /\] <-- <password>$/);
  });
});

describe('SessionLogs.prune', () => {
  it('deletes only session log files older than retainDays', async () => {
    const dir = newDir();
    const now = local(2026, 3, 31, 9);
    const logs = new SessionLogs({ dir, clock: fixedClock(now), retainDays: 30 });
    logs.open('smtp-in', { ip: '1.2.3.4' }).note('today'); // also creates the directory
    await logs.flush();
    const keep = ['smtp-in-2026-03-01.log', 'imap-2026-03-30.log', 'content-filter-2026-03-15.log', 'notes-2020-01-01.log', 'smtp-in-2020-01-01.txt'];
    const drop = ['smtp-in-2026-02-28.log', 'content-filter-2025-12-31.log', 'system-2026-01-01.log'];
    for (const f of [...keep, ...drop]) writeFileSync(join(dir, f), 'x\n');
    assert.equal(localDate(new Date(now)), '2026-03-31');
    const removed = await logs.prune();
    assert.deepEqual(removed.sort(), [...drop].sort());
    assert.deepEqual(readdirSync(dir).sort(), [...keep, 'smtp-in-2026-03-31.log'].sort());
    await logs.close();
  });

  it('defaults to 30 days and copes with a missing directory', async () => {
    assert.deepEqual(await new SessionLogs({ dir: join(root, 'missing') }).prune(), []);
    const dir = newDir();
    const logs = new SessionLogs({ dir, clock: fixedClock(local(2026, 6, 30, 12)) });
    logs.open('system', { ip: '127.0.0.1' });
    await logs.flush();
    writeFileSync(join(dir, 'system-2026-05-31.log'), '');
    writeFileSync(join(dir, 'system-2026-05-30.log'), '');
    assert.deepEqual(await logs.prune(), ['system-2026-05-30.log']);
    await logs.close();
  });
});
