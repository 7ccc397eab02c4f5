/** Named leases over SQL (migration 010): take when free or expired, renew and release by holder only. */
import type { LeaseRepo } from '../store.ts';
import type { RepoCtx } from './ctx.ts';

export function leaseRepo({ db }: RepoCtx): LeaseRepo {
  return {
    async acquire(name, holder, now, ttlMs) {
      await db.run('INSERT INTO leases (name, holder, until_at) VALUES (?, ?, ?) ON CONFLICT (name) DO NOTHING', [name, holder, now + ttlMs]);
      // Taken now, or already ours, or free again because the old holder's lease ran out.
      return (await db.run('UPDATE leases SET holder = ?, until_at = ? WHERE name = ? AND (holder = ? OR until_at < ?)',
        [holder, now + ttlMs, name, holder, now])) > 0;
    },
    async renew(name, holder, now, ttlMs) {
      return (await db.run('UPDATE leases SET until_at = ? WHERE name = ? AND holder = ?', [now + ttlMs, name, holder])) > 0;
    },
    async release(name, holder) {
      await db.run('DELETE FROM leases WHERE name = ? AND holder = ?', [name, holder]);
    },
  };
}
