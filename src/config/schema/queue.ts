/**
 * Runtime settings of the queue (queue/): the retry schedule, how long a message may stay before
 * it bounces, delay warnings, the runner's pace, and the header rule that marks priority mail
 * (FEATURES P5, manual part 4 §1.7.1). Retry intervals after the list runs out repeat its last value.
 */
import { z } from 'zod';

export const QueueSettingsSchema = z.object({
  retryScheduleMin: z.array(z.int().min(1)).min(1).default([15, 30, 60, 120, 240, 480])
    .describe('Minutes to wait before each retry of a deferred recipient; the last value repeats.'),
  maxAgeHours: z.int().min(1).max(24 * 30).default(120)
    .describe('Hours a recipient may stay deferred before the message bounces (default 5 days).'),
  delayWarningHours: z.array(z.int().min(1)).default([4])
    .describe('Hours after which the sender gets a "still trying" notice (RFC 3464 action=delayed); empty = never.'),
  runnerBatch: z.int().min(1).max(1000).default(100)
    .describe('Queue entries one runner pass claims.'),
  runnerConcurrency: z.int().min(1).max(500).default(50)
    .describe('Entries delivered at the same time by one node.'),
  pollMs: z.int().min(50).max(60_000).default(1000)
    .describe('How often the runner looks for due entries when nothing woke it, in milliseconds.'),
  leaseSec: z.int().min(10).max(3600).default(300)
    .describe('How long a node holds a claimed entry before another node may take it over.'),
  priorityHeader: z.string().default('X-Priority')
    .describe('Header whose value marks priority mail, delivered first (empty = no rule).'),
  priorityValues: z.array(z.string()).default(['1', '2', '1 (Highest)', '2 (High)', 'urgent', 'high'])
    .describe('Values of priorityHeader (case-insensitive, compared after trimming) that make a message priority mail.'),
  bounceIncludesBodyBytes: z.int().min(0).default(64 * 1024)
    .describe('How much of the original message a bounce quotes; headers are always included.'),
});

export type QueueSettings = z.output<typeof QueueSettingsSchema>;
