// Antivirus end to end (issue #13 item 9, FEATURES S15): swaks → Youju → a real clamd on our own
// signature database (test/helpers/clamd.ts). A virus is refused at the end of DATA, or
// quarantined, or dropped, per antivirus.action, changed while the server runs; an encrypted
// archive is unscannable and never delivered; with clamd down mail is accepted into the holding
// queue and delivered (or quarantined) only once clamd is back; the quarantine is listed, released
// and purged with `youju quarantine`; the daily counters and the antivirus session log record it.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { youjuAsync } from '../../helpers/cli.ts';
import { EICAR, OWN_SIGNATURE_TEXT, encryptedZip, messageWithAttachment, startClamd, zipArchive, type TestClamd } from '../../helpers/clamd.ts';
import { swaks } from '../../helpers/peers.ts';
import { eventually, mailboxMessages, sessionLogText, startTestServer, TEST_ACTOR, type TestServer } from '../../helpers/server.ts';
import { localDate } from '../../../src/core/log/session-log.ts';

const send = (t: TestServer, subject: string, body: string) =>
  swaks(t.ports.smtp, ['--to', 'alice@example.cn', '--from', 'sender@remote.test', '--header', `Subject: ${subject}`, '--body', body]);
const sendRaw = (t: TestServer, raw: string) => swaks(t.ports.smtp, ['--to', 'alice@example.cn', '--from', 'sender@remote.test', '--data', '-'], raw);
const inbox = async (t: TestServer) => (await mailboxMessages(t.rt, 'alice@example.cn')).map((m) => m.subject);
const today = () => localDate(new Date());
async function counters(t: TestServer): Promise<Record<string, number>> {
  await t.rt.pipeline.counters.flush();
  return (await t.rt.pipeline.counters.read(today(), today()))[today()] ?? {};
}

describe('antivirus (real clamd)', () => {
  let clamd: TestClamd;
  let t: TestServer;
  before(async () => {
    clamd = await startClamd();
    t = await startTestServer({ settings: { 'antivirus.clamd': clamd.address, 'antivirus.retrySec': 1, 'pipeline.heldPollSec': 1, 'senderAuth.spfEnabled': false } });
    await t.addUser('alice@example.cn');
  });
  after(async () => {
    await t?.close();
    await clamd?.close();
  });

  it('delivers clean mail and refuses a virus with 554 5.7.0 at the end of DATA (antivirus.action reject)', async () => {
    const before = await counters(t);
    const clean = await send(t, 'clean one', 'Hello Alice, 你好');
    assert.match(clean.out, /<-\s+250 2\.0\.0 Ok: queued as \d+/, clean.out);
    const virus = await send(t, 'eicar one', EICAR);
    assert.match(virus.out, /<\*\*\s+554 5\.7\.0 Message refused: virus found \(Eicar-Test-Signature/, virus.out);
    await eventually(async () => (await inbox(t)).includes('clean one'));
    assert.deepEqual(await inbox(t), ['clean one'], 'the virus was not stored');
    const after = await counters(t);
    assert.equal((after['antivirus.infected'] ?? 0) - (before['antivirus.infected'] ?? 0), 1);
    assert.equal((after['antivirus.clean'] ?? 0) - (before['antivirus.clean'] ?? 0), 1);
    assert.equal((after['antivirus.reject'] ?? 0) - (before['antivirus.reject'] ?? 0), 1);
    await sessionLogText(t.dir, 'antivirus', /Virus found: Eicar-Test-Signature\S*; action: reject/, /Message is clean \(no viruses found\)/);
  });

  it('quarantines (then lists, releases and purges with the CLI) or drops, as the setting changed at run time says', async () => {
    await t.rt.settings.set('antivirus.action', 'quarantine');
    const q1 = await send(t, 'quarantined one', EICAR);
    const id1 = /250 2\.0\.0 Ok: held for review as Q(\d+)/.exec(q1.out)?.[1];
    assert.ok(id1, q1.out);
    const own = await sendRaw(t, messageWithAttachment({ from: 'sender@remote.test', to: 'alice@example.cn', subject: 'own signature', filename: 'tool.bin', content: Buffer.from(`..${OWN_SIGNATURE_TEXT}..`) }));
    const id2 = /held for review as Q(\d+)/.exec(own.out)?.[1];
    assert.ok(id2, own.out);

    const list = await youjuAsync(['--data', t.dir, '--json', 'quarantine', 'list']);
    assert.equal(list.code, 0, list.stderr);
    const messages = (JSON.parse(list.stdout) as { messages: Array<{ id: number; reason: string; recipients: string[] }> }).messages;
    assert.deepEqual(messages.map((m) => m.id).sort(), [Number(id1), Number(id2)].sort());
    assert.match(messages.find((m) => m.id === Number(id2))!.reason, /virus Youju-Test-Sig/);
    assert.deepEqual(messages[0]!.recipients, ['alice@example.cn']);

    const released = await youjuAsync(['--data', t.dir, 'quarantine', 'release', `Q${id1}`]);
    assert.equal(released.code, 0, released.stderr);
    await eventually(async () => (await inbox(t)).includes('quarantined one'), 10_000, 'the released message in the inbox');
    const purged = await youjuAsync(['--data', t.dir, 'quarantine', 'purge', id2!]);
    assert.match(purged.stdout, /1 message removed/);
    assert.equal((await t.rt.pipeline.quarantine.list()).length, 0);
    const audit = await t.rt.store.read((tx) => tx.audit.list({ action: 'quarantine.release' }));
    assert.equal(audit.length, 1);

    await t.rt.settings.set('antivirus.action', 'delete');
    const dropped = await send(t, 'dropped one', EICAR);
    assert.match(dropped.out, /<-\s+250 2\.0\.0 Ok\r?\n/, dropped.out);
    assert.equal((await t.rt.pipeline.quarantine.list()).length, 0);
    assert.ok(!(await inbox(t)).includes('dropped one'));
    await t.rt.settings.set('antivirus.action', 'reject');
  });

  it('an encrypted archive is unscannable: quarantined by default, refused when unscannableAction is reject, never delivered', async () => {
    const zip = messageWithAttachment({ from: 'sender@remote.test', to: 'alice@example.cn', subject: 'encrypted zip', filename: 'a.zip', type: 'application/zip', content: encryptedZip() });
    const r = await sendRaw(t, zip);
    const id = /held for review as Q(\d+)/.exec(r.out)?.[1];
    assert.ok(id, r.out);
    const q = (await t.rt.pipeline.quarantine.list()).find((m) => m.id === Number(id))!;
    assert.match(q.reason, /unscannable: Heuristics\.Encrypted\.Zip/);
    await t.rt.settings.set('antivirus.unscannableAction', 'reject');
    const refused = await sendRaw(t, zip);
    assert.match(refused.out, /554 5\.7\.0 Message refused: it cannot be scanned/, refused.out);
    assert.ok(!(await inbox(t)).includes('encrypted zip'));
    // A member that unpacks past the limit: clamd would skip it and say clean; it is unscannable.
    const bomb = messageWithAttachment({ from: 'sender@remote.test', to: 'alice@example.cn', subject: 'zip bomb', filename: 'b.zip', type: 'application/zip',
      content: zipArchive([{ name: 'payload.bin', content: Buffer.from('tiny'), declaredSize: 30 * 1024 * 1024 }]) });
    const bombReply = await sendRaw(t, bomb);
    assert.match(bombReply.out, /554 5\.7\.0 Message refused: it cannot be scanned/, bombReply.out);
    await t.rt.settings.set('antivirus.unscannableAction', 'quarantine');
    await t.rt.pipeline.quarantine.purge(TEST_ACTOR, { id: Number(id) as never });
  });

  it('with clamd down, mail waits in the holding queue and is scanned once clamd is back: never delivered unscanned, never lost', async () => {
    await clamd.stop();
    const clean = await send(t, 'held clean', 'scan me later');
    assert.match(clean.out, /<-\s+250 2\.0\.0 Ok: queued as \d+/, clean.out);
    const virus = await send(t, 'held virus', EICAR);
    assert.match(virus.out, /<-\s+250 2\.0\.0 Ok: queued as \d+/, virus.out);
    const held = await t.rt.queueManager.list('holding');
    assert.equal(held.length, 2);
    assert.equal((held[0]!.meta.pipeline as { held: string }).held, 'antivirus');
    // Several retry rounds pass while clamd is down: still held, nothing delivered.
    await new Promise((r) => setTimeout(r, 2500));
    assert.equal((await t.rt.queueManager.list('holding')).length, 2);
    assert.ok(!(await inbox(t)).includes('held clean'));
    assert.ok(((await t.rt.queueManager.list('holding'))[0]!.meta.pipeline as { attempts: number }).attempts >= 1);

    await clamd.start();
    t.rt.pipeline.kickHeld();
    await eventually(async () => (await inbox(t)).includes('held clean'), 15_000, 'the held clean message delivered');
    await eventually(async () => (await t.rt.pipeline.quarantine.list()).some((m) => /Eicar/.test(m.reason)), 15_000, 'the held virus quarantined');
    assert.equal((await t.rt.queueManager.list('holding')).length, 0);
    assert.ok(!(await inbox(t)).includes('held virus'));
    assert.ok(((await counters(t))['antivirus.unavailable'] ?? 0) >= 2);
  });
});
