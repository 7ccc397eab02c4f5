/**
 * Runtime settings of spam scoring (antispam/spam-score.ts, FEATURES S12; manual §4.6.1): the
 * heuristic rules and the other stages' contributions (SPF, DKIM, DMARC, DNS-BL) add up to a score;
 * at markThreshold the message is marked as spam (X-Spam-Flag: YES), at rejectThreshold it is
 * refused at the end of DATA. Authenticated and trusted clients are not scored.
 */
import { z } from 'zod';

export const AntispamSettingsSchema = z.object({
  enabled: z.boolean().default(true)
    .describe('Score inbound mail and add the X-Spam-Flag, X-Spam-Score, X-Spam-Status and X-Spam-Report headers.'),
  markThreshold: z.number().min(0).max(1000).default(5)
    .describe('Score at which a message is marked as spam (X-Spam-Flag: YES).'),
  rejectThreshold: z.number().min(0).max(1000).default(12)
    .describe('Score at which a message is refused at the end of DATA (550 5.7.1) and not stored; 0 = never refuse.'),
  maxScanBytes: z.int().min(1024).default(512 * 1024)
    .describe('How much of a message\'s text the rules read.'),
});
