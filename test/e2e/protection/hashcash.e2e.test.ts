// HashCash stamps end to end (issue #13 item 12, FEATURES S16): with hashcash.enabled, mail a local
// user sends through submission (AUTH) to a remote recipient gets an X-Hashcash stamp for that
// recipient (seen in the monitoring copy, which is made of the message as queued); a stamp on
// incoming mail for a local recipient counts in the spam score (HASHCASH_VALID), a forged one does
// not; with hashcash off nothing is minted.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { leadingZeroBits, mintStamp } from '../../../src/antispam/hashcash.ts';
import { swaks } from '../../helpers/peers.ts';
import { eventually, mailboxMessages, PASSWORD, startTestServer, type TestServer } from '../../helpers/server.ts';

const header = (raw: string, name: string) => new RegExp(`^${name}:[ \\t]*(.*)`, 'im').exec(raw.split('\r\n\r\n')[0]!)?.[1];

describe('HashCash stamps', () => {
  let t: TestServer;
  before(async () => {
    t = await startTestServer({
      settings: {
        'security.allowPlaintextAuth': true,
        'hashcash.enabled': true, 'hashcash.bits': 12, 'hashcash.minBits': 12,
        'contentFilter.monitoring': [{ name: 'out', direction: 'out', conditions: [{ field: 'recipient', values: ['@remote.test'] }], copyTo: ['watch@example.cn'] }],
      },
    });
    for (const u of ['alice', 'watch']) await t.addUser(`${u}@example.cn`);
  });
  after(() => t?.close());

  const find = (address: string, subject: string) =>
    eventually(async () => (await mailboxMessages(t.rt, address)).find((m) => m.subject === subject)?.raw, 10_000, subject);

  it('mints a stamp for the remote recipient of mail a local user sends', async () => {
    const r = await swaks(t.ports.submission, ['--to', 'bob@remote.test', '--from', 'alice@example.cn', '--auth', 'PLAIN',
      '--auth-user', 'alice@example.cn', '--auth-password', PASSWORD, '--header', 'Subject: stamped out']);
    assert.match(r.out, /250 2\.0\.0 Ok: queued/, r.out);
    const copy = await find('watch@example.cn', 'stamped out');
    const stamp = header(copy, 'X-Hashcash')!;
    assert.match(stamp, /^1:12:\d{6}:bob@remote\.test::/);
    assert.ok(leadingZeroBits(createHash('sha1').update(stamp).digest()) >= 12);
  });

  it('a valid stamp on incoming mail lowers the score; a forged one does not count', async () => {
    const good = await mintStamp('alice@example.cn', 12, Date.now());
    for (const [subject, stamp] of [['with stamp', good], ['forged stamp', '1:20:261204:alice@example.cn::abc:0']] as const) {
      const r = await swaks(t.ports.smtp, ['--to', 'alice@example.cn', '--from', 'news@remote.test', '--header', `Subject: ${subject}`, '--add-header', `X-Hashcash: ${stamp}`]);
      assert.match(r.out, /250 2\.0\.0 Ok: queued/, r.out);
    }
    assert.match(header(await find('alice@example.cn', 'with stamp'), 'X-Spam-Status')!, /HASHCASH_VALID/);
    assert.doesNotMatch(header(await find('alice@example.cn', 'forged stamp'), 'X-Spam-Status')!, /HASHCASH_VALID/);
  });

  it('mints nothing when off', async () => {
    await t.rt.settings.set('hashcash.enabled', false);
    await swaks(t.ports.submission, ['--to', 'bob@remote.test', '--from', 'alice@example.cn', '--auth', 'PLAIN',
      '--auth-user', 'alice@example.cn', '--auth-password', PASSWORD, '--header', 'Subject: not stamped']);
    assert.equal(header(await find('watch@example.cn', 'not stamped'), 'X-Hashcash'), undefined);
  });
});
