/**
 * Per-domain mail traffic over SQL (migration 024; FEATURES A9): daily rows upserted in the caller's
 * transaction (nodes add into the same rows), the domain's days and its users by volume. Which
 * messages count and as what is decided by local delivery and the queue, not here.
 */
import type { DomainId, UserId } from '../../core/ids.ts';
import type { TrafficRepo } from '../store.ts';
import type { Row } from './conn.ts';
import type { RepoCtx } from './ctx.ts';
import { num, str } from './rows.ts';

export function trafficRepo({ db }: RepoCtx): TrafficRepo {
  return {
    async add(counts) {
      for (const c of counts) {
        if (c.messages === 0 && c.bytes === 0) continue;
        await db.run(`INSERT INTO traffic_daily (day, user_id, direction, domain_id, messages, bytes) VALUES (?, ?, ?, ?, ?, ?)
          ON CONFLICT (day, user_id, direction) DO UPDATE SET messages = traffic_daily.messages + excluded.messages,
          bytes = traffic_daily.bytes + excluded.bytes`, [c.day, c.userId, c.direction, c.domainId, c.messages, c.bytes]);
      }
    },
    async days(domainId: DomainId, fromDay, toDay) {
      const rows = await db.all<Row>(`SELECT day, direction, SUM(messages) AS messages, SUM(bytes) AS bytes FROM traffic_daily
        WHERE domain_id = ? AND day >= ? AND day <= ? GROUP BY day, direction ORDER BY day, direction`, [domainId, fromDay, toDay]);
      return rows.map((r) => ({ day: str(r.day), direction: str(r.direction) as 'in' | 'out', messages: num(r.messages), bytes: num(r.bytes) }));
    },
    async topUsers(domainId: DomainId, fromDay, toDay, limit) {
      const rows = await db.all<Row>(`SELECT user_id,
          SUM(CASE WHEN direction = 'in' THEN messages ELSE 0 END) AS in_messages,
          SUM(CASE WHEN direction = 'in' THEN bytes ELSE 0 END) AS in_bytes,
          SUM(CASE WHEN direction = 'out' THEN messages ELSE 0 END) AS out_messages,
          SUM(CASE WHEN direction = 'out' THEN bytes ELSE 0 END) AS out_bytes
        FROM traffic_daily WHERE domain_id = ? AND day >= ? AND day <= ?
        GROUP BY user_id ORDER BY SUM(bytes) DESC, user_id LIMIT ?`, [domainId, fromDay, toDay, limit]);
      return rows.map((r) => ({
        userId: num(r.user_id) as UserId, inMessages: num(r.in_messages), inBytes: num(r.in_bytes),
        outMessages: num(r.out_messages), outBytes: num(r.out_bytes),
      }));
    },
  };
}
