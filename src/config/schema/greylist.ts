/**
 * Runtime settings of greylisting (antispam/greylist.ts, FEATURES S11; manual §4.5.5, part 5 §7):
 * the first attempt of an unknown (client network, sender, recipient) is refused with 451 4.7.1;
 * a retry after delaySec passes and is remembered. Authenticated and trusted clients are exempt.
 */
import { z } from 'zod';

export const GreylistSettingsSchema = z.object({
  enabled: z.boolean().default(false)
    .describe('Greylist inbound mail from unknown senders.'),
  delaySec: z.int().min(0).max(86_400).default(180)
    .describe('Seconds a new (IP /24, sender, recipient) triple is refused with 451 4.7.1 before a retry is accepted.'),
  retryWindowHours: z.int().min(1).max(720).default(48)
    .describe('Hours after the first attempt within which a retry must come; later, the wait starts again.'),
  lifetimeDays: z.int().min(1).max(3650).default(36)
    .describe('Days a passed triple is remembered since it was last seen; its sender from that network passes at once meanwhile.'),
  whitelist: z.array(z.string()).default([])
    .describe('Entries never greylisted: IPs or CIDRs of clients, sender or recipient addresses, domains or *@domain.'),
});
