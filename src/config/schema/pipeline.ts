/**
 * Runtime settings of the protection pipeline runner (pipeline/): the safety timeout around every
 * stage (a stage that overruns it is a tempfail, never a pass: STYLE §1.3), how often held messages
 * are looked at again, and how often the daily counters are written to the store.
 */
import { z } from 'zod';

export const PipelineSettingsSchema = z.object({
  stageTimeoutMs: z.int().min(100).max(600_000).default(60_000)
    .describe('Longest one stage may take at one SMTP step before the step is answered with 451 4.3.0 (try again later).'),
  heldPollSec: z.int().min(1).max(3600).default(30)
    .describe('How often held messages (a scanner was down) are looked for, in seconds.'),
  counterFlushSec: z.int().min(1).max(3600).default(10)
    .describe('How often the daily counters gathered in memory are added to the store, in seconds.'),
});
