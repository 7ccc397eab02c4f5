/**
 * Runtime settings of the web listeners (webmail, REST API): how long a web session lives.
 * Read by auth/web-sessions.ts at every request, so a change applies to sessions already open.
 */
import { z } from 'zod';

export const WebSettingsSchema = z.object({
  sessionIdleMinutes: z.int().min(1).max(10_080).default(30)
    .describe('A web session ends after this many minutes without a request (the user logs in again).'),
  sessionMaxHours: z.int().min(1).max(720).default(12)
    .describe('A web session ends this many hours after login, however busy.'),
});

export type WebSettings = z.output<typeof WebSettingsSchema>;
