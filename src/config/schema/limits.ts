/**
 * Runtime connection limits and idle timeouts shared by the protocol listeners.
 * RFC 9051 §5.4 / RFC 3501 §5.4: an IMAP autologout timer must be at least 30 minutes, so the
 * default is 1800 s. RFC 5321 §4.5.3.2.7: an SMTP server should wait at least 5 minutes for the
 * next command. Values are read per session from the settings snapshot.
 */
import { z } from 'zod';

export const LimitsSettingsSchema = z.object({
  imapIdleTimeoutSec: z.int().min(60).default(1800)
    .describe('Seconds an IMAP connection may stay silent (IDLE included) before it is closed. RFC 9051 asks for at least 1800.'),
  smtpIdleTimeoutSec: z.int().min(10).default(300)
    .describe('Seconds an SMTP client may stay silent between commands before it is closed (RFC 5321: 300).'),
  maxConnectionsPerIp: z.int().min(0).default(100)
    .describe('Simultaneous connections one IP address may hold, per protocol (SMTP, IMAP, POP3). Offices behind one NAT address may need more. 0 = no limit.'),
});

export type LimitsSettings = z.output<typeof LimitsSettingsSchema>;
