/**
 * 邮件收发流量 of the domain console (manual part 3 §1.9, §2.9.3; FEATURES A9) for an admin Actor:
 * per local day of a chosen range, the messages and bytes the domain received (stored into its
 * users' mailboxes by local delivery) and sent (submitted by its users over SMTP or the webmail),
 * with the totals and the users who moved the most. The figures are the daily rows local delivery
 * and the queue write in the transaction that stores each message (store TrafficRepo). Domain
 * admins of the domain and the super admin only (admin-reach.ts domainLevel); reading is not audited.
 */
import { MailError } from '../core/errors.ts';
import { localDate } from '../core/log/session-log.ts';
import type { Store } from '../store/store.ts';
import type { Actor } from './actor.ts';
import { reachDomain } from './admin-reach.ts';

/** The longest range one report covers: a year. */
export const MAX_TRAFFIC_DAYS = 366;
/** Users in the top list. */
export const TOP_USERS = 20;

export interface TrafficDay { day: string; inMessages: number; inBytes: number; outMessages: number; outBytes: number }
export interface TrafficReport {
  domain: string;
  from: string;
  to: string;
  days: TrafficDay[];
  totals: Omit<TrafficDay, 'day'>;
  topUsers: Array<Omit<TrafficDay, 'day'> & { address: string; realName: string }>;
}

const DAY = /^\d{4}-\d{2}-\d{2}$/;
const dayMs = (d: string) => Date.parse(`${d}T12:00:00`);

/** The days from `from` to `to` inclusive, as local YYYY-MM-DD. */
function daysBetween(from: string, to: string): string[] {
  const out: string[] = [];
  for (let t = dayMs(from); out.length <= MAX_TRAFFIC_DAYS && localDate(new Date(t)) <= to; t += 86_400_000) out.push(localDate(new Date(t)));
  return out;
}

export class TrafficConsole {
  constructor(private readonly store: Store, private readonly now: () => number = Date.now) {}

  /**
   * The report for [from, to] (YYYY-MM-DD, local days; default the last 7 days, as the manual's
   * 邮件统计报告). Throws INVALID_INPUT naming 'from' or 'to', FORBIDDEN, NOT_FOUND.
   */
  async report(actor: Actor, domainName: string, range: { from?: string; to?: string } = {}): Promise<TrafficReport> {
    const to = range.to ?? localDate(new Date(this.now()));
    const from = range.from ?? localDate(new Date(dayMs(to) - 6 * 86_400_000));
    for (const [field, v] of [['from', from], ['to', to]] as const) {
      if (!DAY.test(v) || Number.isNaN(dayMs(v)) || localDate(new Date(dayMs(v))) !== v) {
        throw new MailError('INVALID_INPUT', `${field}: "${v}" is not a date (YYYY-MM-DD)`, { details: { field } });
      }
    }
    if (from > to) throw new MailError('INVALID_INPUT', `from: ${from} is after ${to}`, { details: { field: 'from' } });
    const days = daysBetween(from, to);
    if (days.length > MAX_TRAFFIC_DAYS) {
      throw new MailError('INVALID_INPUT', `from: at most ${MAX_TRAFFIC_DAYS} days in one report`, { details: { field: 'from' } });
    }
    return this.store.read(async (tx) => {
      const { domain } = await reachDomain(tx, actor, domainName, { domainLevel: true });
      const byDay = new Map<string, TrafficDay>(days.map((d) => [d, { day: d, inMessages: 0, inBytes: 0, outMessages: 0, outBytes: 0 }]));
      for (const r of await tx.traffic.days(domain.id, from, to)) {
        const d = byDay.get(r.day);
        if (!d) continue;
        if (r.direction === 'in') { d.inMessages += r.messages; d.inBytes += r.bytes; } else { d.outMessages += r.messages; d.outBytes += r.bytes; }
      }
      const list = [...byDay.values()];
      const totals = { inMessages: 0, inBytes: 0, outMessages: 0, outBytes: 0 };
      for (const d of list) { totals.inMessages += d.inMessages; totals.inBytes += d.inBytes; totals.outMessages += d.outMessages; totals.outBytes += d.outBytes; }
      const topUsers = [];
      for (const u of await tx.traffic.topUsers(domain.id, from, to, TOP_USERS)) {
        const user = await tx.users.get(u.userId);
        const { userId: _id, ...counts } = u;
        topUsers.push({ address: user ? `${user.localPart}@${domain.name}` : `#${u.userId}`, realName: user?.realName ?? '', ...counts });
      }
      return { domain: domain.name, from, to, days: list, totals, topUsers };
    });
  }
}
