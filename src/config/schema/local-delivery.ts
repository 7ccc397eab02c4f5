/**
 * Runtime settings of local delivery (delivery/local/): the quota warning, and switches for the
 * per-user rules (filters, auto-reply, auto-forward) users set in webmail (FEATURES P13, W14).
 */
import { z } from 'zod';

export const LocalDeliverySettingsSchema = z.object({
  quotaWarnPercent: z.int().min(0).max(100).default(90)
    .describe('Send the user a warning when a delivery takes their mailbox past this percentage of its quota; 0 = never.'),
  userRulesEnabled: z.boolean().default(true)
    .describe('Apply users\' own filters, auto-reply and auto-forward at delivery.'),
  maxHeaderScanBytes: z.int().min(4096).default(256 * 1024)
    .describe('How much of a message local delivery reads to evaluate filters and build the list-view summary.'),
  duplicateWindowMin: z.int().min(0).max(525_600).default(0)
    .describe('Duplicate removal (使用 Message-ID 检测重复邮件): a message whose Message-ID a mailbox already received within this many minutes is stored once; 0 = off.'),
});

export type LocalDeliverySettings = z.output<typeof LocalDeliverySettingsSchema>;
