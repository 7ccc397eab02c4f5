// RFC 3461 DSN requests in the queue runner: NOTIFY=NEVER gets no bounce, default and FAILURE do;
// RET=HDRS quotes headers only, RET=FULL the whole message; ENVID and ORCPT come back; NOTIFY=SUCCESS
// gets "delivered" for local mailboxes, "expanded" for an alias or list of several, "relayed" for a next hop without DSN, nothing when the next
// hop took NOTIFY itself; a delay notice goes only to recipients that asked for DELAY.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { settingsFrom } from '../config/settings.ts';
import { fixedClock } from '../core/clock.ts';
import type { RecipientResult, Transport } from '../delivery/transport.ts';
import { openTestStore } from '../store/testing.ts';
import { QueueService } from './queue.ts';
import { QueueRunner } from './runner.ts';

const transport = (name: 'local' | 'smtp', answer: (rcpt: string) => RecipientResult): Transport =>
  ({ name, deliver: async (job) => job.recipients.map(answer) });
const ok = (rcpt: string, nextHopDsn = false): RecipientResult =>
  ({ rcpt, outcome: 'delivered', reply: { code: 250, enhanced: '2.0.0', text: 'ok', ...(nextHopDsn ? { nextHopDsn } : {}) } });
const fail = (rcpt: string): RecipientResult => ({ rcpt, outcome: 'failed', reply: { code: 550, enhanced: '5.1.1', text: 'no such user' } });
const later = (rcpt: string): RecipientResult => ({ rcpt, outcome: 'deferred', reply: { code: 451, enhanced: '4.4.1', text: 'try later' } });

async function setup(remote: (rcpt: string) => RecipientResult) {
  const clock = fixedClock(Date.UTC(2026, 10, 1));
  const stores = await openTestStore('sqlite', { now: clock.now });
  const queue = new QueueService(stores.store, stores.blobs, clock);
  const settings = settingsFrom({ 'queue.delayWarningHours': [1] });
  const runner = new QueueRunner({
    store: stores.store, blobs: stores.blobs, queue, clock, hostname: 'mx.test', node: 'n1', settings: () => settings,
    isLocalDomain: async (d) => d === 'local.test', remote: transport('smtp', remote),
    local: transport('local', (r) => ({ ...ok(r), ...(r.startsWith('team@') ? { expanded: true } : {}) })),
  });
  /** The notices queued so far: action → raw text. */
  const notices = async () => {
    const out: Record<string, string> = {};
    for (const e of await stores.store.read((tx) => tx.queue.list({}))) {
      if (e.meta.dsnFor !== undefined) out[String(e.meta.action)] = (await stores.blobs.read(e.blobId)).toString('utf8');
    }
    return out;
  };
  return { clock, stores, queue, runner, notices };
}

const BODY = 'Subject: report\r\n\r\nthe secret body\r\n';

describe('QueueRunner and DSN requests (RFC 3461)', () => {
  it('bounces only who asked, with RET=HDRS, ENVID and ORCPT', async () => {
    const s = await setup(fail);
    try {
      await s.queue.submit({ sender: 'a@local.test', recipients: ['x@remote.test', 'y@remote.test'], raw: Buffer.from(BODY), meta: {
        dsn: { ret: 'HDRS', envid: 'env+1', rcpts: { 'x@remote.test': { notify: ['NEVER'] }, 'y@remote.test': { orcpt: 'rfc822;Y+z@orig.test' } } },
      } });
      await s.runner.runOnce();
      const { failed } = await s.notices();
      assert.ok(failed, 'a bounce');
      assert.match(failed, /Original-Envelope-Id: env\+1\r\n/);
      assert.match(failed, /Original-Recipient: rfc822; Y\+z@orig\.test\r\nFinal-Recipient: rfc822; y@remote\.test\r\nAction: failed/);
      assert.doesNotMatch(failed, /x@remote\.test/, 'NOTIFY=NEVER');
      assert.match(failed, /Content-Type: text\/rfc822-headers/);
      assert.doesNotMatch(failed, /the secret body/, 'RET=HDRS');
    } finally { await s.stores.close(); }
  });

  it('NOTIFY=SUCCESS: delivered locally, relayed without next-hop DSN, nothing when the next hop has DSN; RET=FULL', async () => {
    const s = await setup((r) => ok(r, r.startsWith('d@')));
    try {
      const rcpts = { 'b@local.test': { notify: ['SUCCESS'] }, 'team@local.test': { notify: ['SUCCESS'] }, 'c@remote.test': { notify: ['SUCCESS', 'FAILURE'] }, 'd@remote.test': { notify: ['SUCCESS'] }, 'e@remote.test': {} };
      await s.queue.submit({ sender: 'a@local.test', recipients: Object.keys(rcpts), raw: Buffer.from(BODY), meta: { dsn: { ret: 'FULL', rcpts } } });
      await s.runner.runOnce();
      const n = await s.notices();
      assert.deepEqual(Object.keys(n).sort(), ['delivered', 'expanded', 'relayed']);
      assert.match(n.expanded!, /Final-Recipient: rfc822; team@local\.test\r\nAction: expanded/);
      assert.doesNotMatch(n.delivered!, /team@/);
      assert.match(n.delivered!, /Final-Recipient: rfc822; b@local\.test\r\nAction: delivered\r\nStatus: 2\.0\.0/);
      assert.match(n.delivered!, /the secret body/, 'RET=FULL');
      assert.match(n.relayed!, /Final-Recipient: rfc822; c@remote\.test\r\nAction: relayed/);
      assert.doesNotMatch(n.relayed!, /d@remote\.test|e@remote\.test/);
    } finally { await s.stores.close(); }
  });

  it('a delay notice only for recipients with DELAY (the default has it)', async () => {
    const s = await setup(later);
    try {
      await s.queue.submit({ sender: 'a@local.test', recipients: ['f@remote.test', 'g@remote.test'], raw: Buffer.from(BODY),
        meta: { dsn: { rcpts: { 'f@remote.test': { notify: ['FAILURE'] } } } } });
      await s.runner.runOnce();
      s.clock.advance(2 * 3600_000);
      await s.runner.runOnce();
      const { delayed } = await s.notices();
      assert.ok(delayed);
      assert.match(delayed, /Final-Recipient: rfc822; g@remote\.test/);
      assert.doesNotMatch(delayed, /f@remote\.test/);
    } finally { await s.stores.close(); }
  });
});
