/** When to try a deferred recipient again: the configured intervals, the last one repeating. */
import type { QueueSettings } from '../config/schema/queue.ts';

/** The next attempt after `attempts` tries (1 = the first try just failed). */
export function nextAttemptAt(now: number, attempts: number, s: Pick<QueueSettings, 'retryScheduleMin'>): number {
  const list = s.retryScheduleMin;
  const minutes = list[Math.min(Math.max(attempts, 1), list.length) - 1]!;
  return now + minutes * 60_000;
}

/** Whether a message queued at createdAt has been deferred for too long and should bounce. */
export const isExpired = (now: number, createdAt: number, s: Pick<QueueSettings, 'maxAgeHours'>): boolean =>
  now - createdAt >= s.maxAgeHours * 3600_000;
