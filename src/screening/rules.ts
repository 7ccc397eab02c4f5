/**
 * Screening decisions the SMTP session policy needs outside the pipeline stage: whether an address
 * is a spam trap (the session accepts it although nobody has it), and reporting an abusive session
 * to dynamic screening (LAN IPs and screening.dynamic.whitelist never count).
 */
import type { AbuseRule, LoginThrottle } from '../auth/login-throttle.ts';
import type { Settings } from '../config/settings.ts';
import { cidrMatcher } from '../core/cidr.ts';

/** Whether `address` is one of screening.spamTraps (and screening is on). */
export function isSpamTrap(address: string, settings: Readonly<Settings>): boolean {
  const s = settings.screening;
  if (!s.enabled || s.spamTraps.length === 0) return false;
  const a = address.toLowerCase();
  return s.spamTraps.some((t) => t.trim().toLowerCase() === a);
}

let lan: { list: readonly string[]; match: (ip: string) => boolean } | undefined;

/** Whether `ip` is in screening.lanIps: LAN clients are never screened (other stages keep their own lists). */
export function isLanIp(ip: string, settings: Readonly<Settings>): boolean {
  const list = settings.screening.lanIps;
  if (list.length === 0) return false;
  if (lan?.list !== list) lan = { list, match: cidrMatcher(list) };
  return lan.match(ip);
}

/** One abusive session from `ip`; true when it made a ban. */
export function reportAbuse(bans: Pick<LoginThrottle, 'abused'>, ip: string, settings: Readonly<Settings>, reason: string, weight = 1): boolean {
  const s = settings.screening;
  if (!s.enabled || !s.dynamic.enabled) return false;
  if (isLanIp(ip, settings)) return false;
  const rule: AbuseRule = { threshold: s.dynamic.abusiveSessionsBeforeBan, windowMin: s.dynamic.windowMin, banMinutes: s.dynamic.banMinutes, whitelist: s.dynamic.whitelist };
  return bans.abused(ip, rule, `abusive SMTP sessions (${reason})`, weight);
}
