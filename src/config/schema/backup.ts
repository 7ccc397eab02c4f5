/**
 * Runtime settings of the scheduled backup (issue #15 §1, manual part 4 §1.11): where, when, how
 * often a full one, how many kept. The server runs it (backup/schedule.ts); `youju backup` runs one
 * by hand whatever these say.
 */
import { z } from 'zod';

export const BackupSettingsSchema = z.object({
  dir: z.string().default('')
    .describe('Backup repository of the scheduled backup (an absolute path); empty: no scheduled backup.'),
  time: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, { error: 'must be a time of day HH:MM, e.g. 03:00' }).default('03:00')
    .describe('Local time of day the scheduled backup starts (HH:MM); it runs once a day.'),
  fullEveryDays: z.int().min(1).max(365).default(7)
    .describe('A full backup when the last full one is this many days old; incremental ones in between.'),
  keep: z.int().min(1).max(1000).default(14)
    .describe('Backups kept in dir; older ones go, except those a kept incremental backup builds on.'),
  mail: z.boolean().default(true)
    .describe('Back up mail too; off: accounts, folders and settings only.'),
});

export type BackupSettings = z.output<typeof BackupSettingsSchema>;
