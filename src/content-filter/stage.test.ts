import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { SettingsSchema } from '../config/schema/index.ts';
import { parseMimeTree } from '../mime/mime-tree.ts';
import type { PipelineMessage, StageContext } from '../pipeline/stage.ts';
import { ContentFilterStage, headerFields } from './stage.ts';

const raw = Buffer.from([
  'From: a@remote.test', 'Subject: =?UTF-8?B?5Luj5byA5Y+R56Wo?= now', 'X-Mailer: Bulk', 'Content-Type: multipart/mixed; boundary="b"', '',
  '--b', 'Content-Type: text/plain', '', 'hi', '--b', 'Content-Type: application/octet-stream; name="a.exe"', '', 'MZ', '--b--', '',
].join('\r\n'));
const msg: PipelineMessage = { raw, header: raw.subarray(0, raw.indexOf('\r\n\r\n') + 2).toString('latin1'), tree: () => parseMimeTree(raw), text: () => ({ headers: '', body: 'hi' }) };

function ctx(contentFilter: Record<string, unknown>, o: { authUser?: string; sender?: string } = {}) {
  const logs: string[] = [];
  const counts: Record<string, number> = {};
  const c: StageContext = {
    client: { ip: '192.0.2.1', helo: 'x', kind: 'mx', trusted: false, ...(o.authUser ? { authUser: o.authUser } : {}) },
    settings: SettingsSchema.parse({ contentFilter }),
    sender: o.sender ?? 'a@remote.test', recipients: ['alice@example.cn'], results: new Map(),
    log: (t) => logs.push(t), count: (n, k = 1) => { counts[n] = (counts[n] ?? 0) + k; }, sessionState: (init) => init(), now: () => 0,
  };
  return { c, logs, counts };
}
const stage = new ContentFilterStage({ hostname: 'mx.example.cn', isLocalDomain: async (d) => d === 'example.cn' });

describe('content filter stage', () => {
  it('is off by default', () => {
    assert.equal(stage.isEnabled(SettingsSchema.parse({})), false);
  });

  it('decodes header values for conditions', () => {
    assert.deepEqual(headerFields(msg.header)[1], { name: 'Subject', value: '代开发票 now' });
  });

  it('a denied attachment: reject with 554 5.7.1, or discard, or quarantine', async () => {
    const { c, counts } = ctx({ attachments: { mode: 'deny' } });
    const v = await stage.data(c, msg);
    assert.equal(v.kind, 'reject');
    assert.equal(v.kind === 'reject' && v.reply.code, 554);
    assert.equal(counts['attachment-refused'], 1);
    assert.equal((await stage.data(ctx({ attachments: { mode: 'deny', action: 'delete' } }).c, msg)).kind, 'discard');
    assert.equal((await stage.data(ctx({ attachments: { mode: 'deny', action: 'quarantine' } }).c, msg)).kind, 'quarantine');
  });

  it('delete alone is a discard; delete with an archive copy leaves the copy only', async () => {
    const rules = [{ name: 'd', conditions: [{ field: 'header', header: 'Subject', values: ['发票'] }], actions: [{ type: 'delete' }] }];
    assert.equal((await stage.data(ctx({ enabled: true, rules }).c, msg)).kind, 'discard');
    const v = await stage.data(ctx({ enabled: true, rules, archive: { enabled: true, addresses: ['ar@example.cn'] } }).c, msg);
    assert.equal(v.kind, 'continue');
    assert.deepEqual(v.kind === 'continue' && v.routing, { recipients: [], copies: [{ to: ['ar@example.cn'], reason: 'archive' }], messages: [] });
  });

  it('header changes become the verdict\'s headers and strip; notify builds a message from the admin address', async () => {
    const { c, counts } = ctx({ enabled: true, rules: [{ name: 'h', actions: [
      { type: 'addHeader', header: 'X-Filtered', value: 'yes' }, { type: 'removeHeader', header: 'X-Mailer' },
      { type: 'notify', to: ['admin'], subject: '注意 $SUBJECT$', body: '$SENDER$' },
    ] }] });
    const v = await stage.data(c, msg);
    assert.equal(v.kind, 'continue');
    if (v.kind !== 'continue') return;
    assert.deepEqual(v.headers, ['X-Filtered: yes']);
    assert.deepEqual(v.strip, [{ name: 'X-Mailer' }]);
    const notice = v.routing!.messages[0]!;
    assert.deepEqual(notice.to, ['postmaster@mx.example.cn']);
    assert.match(notice.raw.toString(), /^From: postmaster@mx\.example\.cn\r\n/);
    assert.match(notice.raw.toString(), /^Subject: =\?UTF-8\?B\?/m);
    assert.equal(counts.notified, 1);
  });

  it('origin: authenticated or a local sender domain is local (monitoring direction out)', async () => {
    const monitoring = [{ name: 'out', direction: 'out', copyTo: ['w@example.cn'] }];
    const remote = await stage.data(ctx({ monitoring }).c, msg);
    assert.equal(remote.kind === 'continue' && remote.routing, undefined);
    const local = await stage.data(ctx({ monitoring }, { sender: 'bob@example.cn' }).c, msg);
    assert.equal(local.kind === 'continue' && local.routing?.copies.length, 1);
    const auth = await stage.data(ctx({ monitoring }, { authUser: 'x@y.test', sender: 'x@y.test' }).c, msg);
    assert.equal(auth.kind === 'continue' && auth.routing?.copies.length, 1);
  });
});
