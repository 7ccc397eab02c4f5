/**
 * The IP bans in force over SQL (migration 026). A ban already in force with a later end is kept:
 * two processes banning one address at once end with the longer ban. What makes a ban and how long
 * it lasts is auth/login-throttle.ts's business.
 */
import type { IpBanRepo } from '../store.ts';
import type { Row } from './conn.ts';
import type { RepoCtx } from './ctx.ts';
import { num, str } from './rows.ts';

export function ipBanRepo({ db }: RepoCtx): IpBanRepo {
  return {
    async put(ban) {
      await db.run(`INSERT INTO ip_bans (ip, until_at, failures, reason) VALUES (?, ?, ?, ?)
        ON CONFLICT (ip) DO UPDATE SET until_at = excluded.until_at, failures = excluded.failures, reason = excluded.reason
        WHERE excluded.until_at > ip_bans.until_at`, [ban.ip, ban.until, ban.failures, ban.reason]);
    },
    async active(now) {
      const rows = await db.all<Row>('SELECT ip, until_at, failures, reason FROM ip_bans WHERE until_at > ? ORDER BY until_at, ip', [now]);
      return rows.map((r) => ({ ip: str(r.ip), until: num(r.until_at), failures: num(r.failures), reason: str(r.reason) }));
    },
    async remove(ip) {
      return (await db.run('DELETE FROM ip_bans WHERE ip = ?', [ip])) > 0;
    },
    async prune(now) {
      return await db.run('DELETE FROM ip_bans WHERE until_at <= ?', [now]);
    },
  };
}
