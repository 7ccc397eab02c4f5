/**
 * Contract for the protection pipeline's repositories (migration 011): daily counters summed by
 * upsert, the quarantine with its blob reference, and greylist triples; also the per-domain traffic rows
 * (migration 024) and settings listed by key. Run by both backends.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { makeDomain, makeUser, must, putBlob, refcount, uniq, useStore, type OpenStore } from './fixtures.ts';

export function runProtectionContract(name: string, open: OpenStore): void {
  describe(`${name}: protection pipeline state`, () => {
    const ctx = useStore(open);

    it('keeps the IP bans in force: the later end wins, lifted or ended bans go (migration 026)', async () => {
      const ip = '192.0.2.77';
      await ctx.tx((tx) => tx.ipBans.put({ ip, until: 5_000, failures: 4, reason: 'failed logins' }));
      await ctx.tx((tx) => tx.ipBans.put({ ip, until: 3_000, failures: 1, reason: 'spam trap' }));
      await ctx.tx((tx) => tx.ipBans.put({ ip: '2001:db8::7', until: 2_000, failures: 2, reason: 'abusive SMTP sessions' }));
      const mine = async (now: number) => (await ctx.read((tx) => tx.ipBans.active(now))).filter((b) => b.ip === ip || b.ip === '2001:db8::7');
      assert.deepEqual(await mine(1_000), [
        { ip: '2001:db8::7', until: 2_000, failures: 2, reason: 'abusive SMTP sessions' },
        { ip, until: 5_000, failures: 4, reason: 'failed logins' },
      ], 'a shorter ban does not shorten one in force');
      await ctx.tx((tx) => tx.ipBans.put({ ip, until: 9_000, failures: 6, reason: 'spam trap' }));
      assert.deepEqual((await mine(2_500)).map((b) => [b.ip, b.until, b.reason]), [[ip, 9_000, 'spam trap']], 'ended at 2,000');
      assert.equal(await ctx.tx((tx) => tx.ipBans.remove(ip)), true);
      assert.equal(await ctx.tx((tx) => tx.ipBans.remove(ip)), false);
      assert.ok(await ctx.tx((tx) => tx.ipBans.prune(2_500)) >= 1);
      assert.deepEqual(await mine(0), []);
    });

    it('sums daily counters across calls and lists them by day range', async () => {
      await ctx.tx((tx) => tx.counters.add('2026-11-27', { 'antivirus.infected': 1 }));
      await ctx.tx((tx) => tx.counters.add('2026-11-28', { 'antivirus.infected': 2, 'spf.fail': 1, 'noop': 0 }));
      await ctx.tx((tx) => tx.counters.add('2026-11-28', { 'antivirus.infected': 3 }));
      assert.deepEqual(await ctx.read((tx) => tx.counters.list('2026-11-28', '2026-11-28')), [
        { day: '2026-11-28', name: 'antivirus.infected', count: 5 },
        { day: '2026-11-28', name: 'spf.fail', count: 1 },
      ]);
      assert.equal((await ctx.read((tx) => tx.counters.list('2026-11-01', '2026-11-30'))).length, 3);
    });

    it('sums per-domain traffic by day, direction and user, and ranks the users (migration 024)', async () => {
      const d = await makeDomain(ctx);
      const other = await makeDomain(ctx);
      const [a, b, c] = [await makeUser(ctx, d.id), await makeUser(ctx, d.id), await makeUser(ctx, other.id)];
      const row = (day: string, u: typeof a, domainId: typeof d.id, direction: 'in' | 'out', bytes: number) => ({ day, userId: u.id, domainId, direction, messages: 1, bytes });
      await ctx.tx((tx) => tx.traffic.add([row('2026-11-27', a, d.id, 'in', 100), row('2026-11-28', a, d.id, 'in', 200), row('2026-11-28', a, d.id, 'out', 50)]));
      await ctx.tx((tx) => tx.traffic.add([row('2026-11-28', a, d.id, 'in', 300), row('2026-11-28', b, d.id, 'in', 10), row('2026-11-28', c, other.id, 'in', 999)]));
      assert.deepEqual(await ctx.read((tx) => tx.traffic.days(d.id, '2026-11-28', '2026-11-28')), [
        { day: '2026-11-28', direction: 'in', messages: 3, bytes: 510 },
        { day: '2026-11-28', direction: 'out', messages: 1, bytes: 50 },
      ]);
      assert.equal((await ctx.read((tx) => tx.traffic.days(d.id, '2026-11-01', '2026-11-30'))).length, 3);
      assert.deepEqual(await ctx.read((tx) => tx.traffic.topUsers(d.id, '2026-11-01', '2026-11-30', 10)), [
        { userId: a.id, inMessages: 3, inBytes: 600, outMessages: 1, outBytes: 50 },
        { userId: b.id, inMessages: 1, inBytes: 10, outMessages: 0, outBytes: 0 },
      ]);
      assert.equal((await ctx.read((tx) => tx.traffic.topUsers(d.id, '2026-11-01', '2026-11-30', 1))).length, 1);
    });

    it('lists every scope\'s value of one settings key', async () => {
      const key = uniq('k');
      await ctx.tx(async (tx) => { await tx.settings.set('domain:2', key, [1]); await tx.settings.set('domain:1', key, { a: 1 }); await tx.settings.set('domain:1', 'other', 1); });
      assert.deepEqual(await ctx.read((tx) => tx.settings.byKey(key)), [{ scope: 'domain:1', value: { a: 1 } }, { scope: 'domain:2', value: [1] }]);
    });

    it('remembers delivered Message-IDs per user within a window, and prunes them (migration 022)', async () => {
      const d = await makeDomain(ctx);
      const [a, b] = [await makeUser(ctx, d.id), await makeUser(ctx, d.id)];
      assert.equal(await ctx.tx((tx) => tx.deliveredIds.record(a.id, 'm1@x', 1000, 0)), true, 'new');
      assert.equal(await ctx.tx((tx) => tx.deliveredIds.record(a.id, 'm1@x', 2000, 1000)), false, 'seen at 1000, within the window');
      assert.equal(await ctx.tx((tx) => tx.deliveredIds.record(b.id, 'm1@x', 2000, 1000)), true, 'another user');
      assert.equal(await ctx.tx((tx) => tx.deliveredIds.record(a.id, 'm1@x', 5000, 3000)), true, 'seen before the window: stored again');
      assert.equal(await ctx.tx((tx) => tx.deliveredIds.record(a.id, 'm1@x', 5500, 4000)), false, 'its time moved to 5000');
      assert.equal(await ctx.tx((tx) => tx.deliveredIds.prune(4000)), 1, 'b\'s entry at 2000');
      assert.equal(await ctx.tx((tx) => tx.deliveredIds.record(b.id, 'm1@x', 6000, 0)), true);
    });

    it('quarantines a message holding its blob, lists newest first, and releases the blob on remove', async () => {
      const blob = await putBlob(ctx);
      const sender = `${uniq('s')}@x.test`;
      const a = await ctx.tx((tx) => tx.quarantine.add({
        blobId: blob.id, size: blob.size, sender, recipients: ['a@y.test', 'b@y.test'], stage: 'antivirus',
        reason: 'Eicar-Test-Signature', clientIp: '192.0.2.7', meta: { listener: 'mx' }, createdAt: 1000,
      }));
      const b = await ctx.tx((tx) => tx.quarantine.add({
        blobId: blob.id, size: blob.size, sender, recipients: ['c@y.test'], stage: 'antivirus', reason: 'unscannable', clientIp: '', meta: {}, createdAt: 2000,
      }));
      assert.equal(await refcount(ctx, blob.id), 2);
      const got = must(await ctx.read((tx) => tx.quarantine.get(a)), 'quarantined');
      assert.deepEqual([got.sender, got.recipients, got.reason, got.clientIp, got.meta, got.createdAt],
        [sender, ['a@y.test', 'b@y.test'], 'Eicar-Test-Signature', '192.0.2.7', { listener: 'mx' }, 1000]);
      const ids = (await ctx.read((tx) => tx.quarantine.list())).map((q) => q.id).filter((id) => id === a || id === b);
      assert.deepEqual(ids, [b, a]);
      assert.deepEqual((await ctx.read((tx) => tx.quarantine.list({ before: 2000 }))).map((q) => q.id).filter((id) => id === a || id === b), [a]);
      assert.equal(await ctx.tx((tx) => tx.quarantine.remove(a)), true);
      assert.equal(await ctx.tx((tx) => tx.quarantine.remove(a)), false);
      assert.equal(await refcount(ctx, blob.id), 1);
      assert.equal(await ctx.read((tx) => tx.quarantine.get(a)), undefined);
    });

    it('starts, touches, passes, restarts and prunes greylist triples', async () => {
      const t = { net: '192.0.2.0/24', sender: `${uniq('g')}@x.test`, rcpt: 'u@y.test' };
      assert.equal(await ctx.read((tx) => tx.greylist.get(t)), undefined);
      await ctx.tx((tx) => tx.greylist.start(t, 1000));
      await ctx.tx((tx) => tx.greylist.start(t, 500)); // an older concurrent start does not move it back
      assert.deepEqual(await ctx.read((tx) => tx.greylist.get(t)), { ...t, firstSeen: 1000, lastSeen: 1000, passedAt: null });
      await ctx.tx((tx) => tx.greylist.touch(t, 1100, false));
      assert.equal(await ctx.read((tx) => tx.greylist.knownSender(t.net, t.sender, 0)), false);
      await ctx.tx((tx) => tx.greylist.start(t, 9000)); // window over: the wait starts again
      assert.equal(must(await ctx.read((tx) => tx.greylist.get(t)), 'triple').firstSeen, 9000);
      await ctx.tx((tx) => tx.greylist.touch(t, 9500, true));
      await ctx.tx((tx) => tx.greylist.touch(t, 9900, true)); // passedAt stays the first pass
      assert.deepEqual(await ctx.read((tx) => tx.greylist.get(t)), { ...t, firstSeen: 9000, lastSeen: 9900, passedAt: 9500 });
      await ctx.tx((tx) => tx.greylist.start(t, 20_000)); // a passed triple is never restarted
      assert.equal(must(await ctx.read((tx) => tx.greylist.get(t)), 'triple').passedAt, 9500);
      assert.equal(await ctx.read((tx) => tx.greylist.knownSender(t.net, t.sender, 9000)), true);
      assert.equal(await ctx.read((tx) => tx.greylist.knownSender(t.net, t.sender, 10_000)), false);
      const fresh = { ...t, rcpt: 'v@y.test' };
      await ctx.tx((tx) => tx.greylist.start(fresh, 5000));
      assert.equal(await ctx.tx((tx) => tx.greylist.prune(6000, 9000)), 1, 'only the unpassed old one');
      assert.equal(await ctx.read((tx) => tx.greylist.get(fresh)), undefined);
      assert.equal(await ctx.tx((tx) => tx.greylist.prune(6000, 10_000)), 1);
      assert.equal(await ctx.read((tx) => tx.greylist.get(t)), undefined);
    });
  });
}
