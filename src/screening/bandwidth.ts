/**
 * 带宽限制 (manual part 4 §4.5.4, FEATURES S7): the per-session byte rate of a protocol, from
 * screening.bandwidth; none for LAN clients or when the limit is 0.
 */
import type { Settings } from '../config/settings.ts';
import { ByteRate } from '../core/byte-rate.ts';
import { isLanIp } from './rules.ts';

export type BandwidthService = 'smtpIn' | 'imapOut' | 'pop3Out';

export function sessionByteRate(service: BandwidthService, ip: string, settings: Readonly<Settings>): ByteRate | undefined {
  const kbps = settings.screening.bandwidth[`${service}KBps`];
  if (!settings.screening.enabled || kbps <= 0 || isLanIp(ip, settings)) return undefined;
  return new ByteRate(kbps * 1024);
}
