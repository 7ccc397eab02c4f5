/**
 * Runtime settings of the antivirus stage (antivirus/, FEATURES S15): where clamd listens, what
 * happens to infected and to unscannable messages, how a held message is retried, and how long
 * the quarantine keeps what it holds. Empty `clamd` turns the stage off.
 */
import { z } from 'zod';

const ACTIONS = ['reject', 'quarantine', 'delete'] as const;

export const AntivirusSettingsSchema = z.object({
  clamd: z.string().regex(/^$|^unix:\/.+$|^[A-Za-z0-9.-]+:\d{1,5}$|^\[[0-9A-Fa-f:.]+\]:\d{1,5}$/, 'unix:/path/to/clamd.ctl or host:port').default('')
    .describe('Where clamd listens: unix:/run/clamav/clamd.ctl or host:3310. Empty = no virus scanning. Once set, mail waits in the holding queue whenever clamd cannot be reached.'),
  action: z.enum(ACTIONS).default('reject')
    .describe('What to do with a message clamd finds a virus in: reject (554 at the end of DATA), quarantine, or delete (accept and drop).'),
  unscannableAction: z.enum(ACTIONS).default('quarantine')
    .describe('What to do with a message clamd cannot scan (size or nesting limits, encrypted archives): never treated as clean.'),
  timeoutMs: z.int().min(100).max(600_000).default(30_000)
    .describe('Longest a scan may take; past it the message is held and scanned again later.'),
  maxScanBytes: z.int().min(1024).default(25 * 1024 * 1024)
    .describe('Largest message sent to clamd; a larger one is unscannable. Keep it at or below clamd\'s StreamMaxLength.'),
  maxArchiveMemberBytes: z.int().min(1024).default(25 * 1024 * 1024)
    .describe('A ZIP attachment with a member that unpacks to more than this is unscannable (ClamAV skips files over its MaxFileSize and calls them clean). Keep it at or below clamd\'s MaxFileSize.'),
  maxArchiveTotalBytes: z.int().min(1024).default(100 * 1024 * 1024)
    .describe('A ZIP attachment whose members unpack to more than this in all is unscannable (a zip bomb). Keep it at or below clamd\'s MaxScanSize.'),
  retrySec: z.int().min(1).max(86_400).default(300)
    .describe('Seconds between scans of a held message while clamd is down.'),
  quarantineDays: z.int().min(1).max(3650).default(30)
    .describe('Days `youju quarantine purge` keeps a quarantined message before removing it.'),
});
