/**
 * Runtime settings of the SMTP listeners and session policy (smtp/). Defaults sit beside the keys;
 * each `.describe()` text is what the admin console and generated docs show. Read through the
 * settings snapshot (config/settings.ts), never with a default repeated at the call site.
 * RFC 5321 (limits §4.5.3.1, VRFY/EXPN §3.5, loop detection §6.3), RFC 1870 (SIZE).
 */
import { z } from 'zod';

export const SmtpSettingsSchema = z.object({
  maxMessageBytes: z.int().min(0).default(50 * 1024 * 1024)
    .describe('Largest message accepted, in bytes, announced with EHLO SIZE (RFC 1870). 0 = no limit.'),
  maxRcptPerMessage: z.int().min(1).default(100)
    .describe('Recipients accepted per message; RCPT beyond this gets 452 4.5.3 (RFC 5321 §4.5.3.1.8: at least 100).'),
  maxRset: z.int().min(0).default(20)
    .describe('RSET commands allowed per session before it is closed (slows address harvesting). 0 = no limit.'),
  maxJunkCommands: z.int().min(0).default(100)
    .describe('NOOP, RSET, VRFY, EXPN, HELP and unknown commands allowed per session before it is closed with 421 (as Postfix smtpd_junk_command_limit). 0 = no limit.'),
  softErrorLimit: z.int().min(0).default(3)
    .describe('Unknown recipients in one session after which each further error reply waits errorSleepMs (a tarpit against directory harvesting).'),
  hardErrorLimit: z.int().min(1).default(20)
    .describe('Unknown recipients in one session after which the session is closed with 421.'),
  errorSleepMs: z.int().min(0).max(60_000).default(1000)
    .describe('Delay added to each error reply once softErrorLimit is passed, in milliseconds.'),
  greetingPauseMs: z.int().min(0).max(30_000).default(0)
    .describe('Pause before the 220 greeting on port 25, in milliseconds; a client that talks first is refused (early talker). Never applied on submission, SMTPS, to trusted networks or LAN IPs; screening.greetingPauseFor chooses suspicious clients only (default) or all. 0 = greet at once.'),
  rejectImproperPipelining: z.boolean().default(true)
    .describe('Refuse every message of a session that sent commands ahead of a reply without PIPELINING (after HELO, or before the EHLO reply).'),
  vrfyEnabled: z.boolean().default(false)
    .describe('Answer VRFY with real results; when off, VRFY gets 252 and reveals nothing (RFC 5321 §3.5.3).'),
  expnEnabled: z.boolean().default(false)
    .describe('Answer EXPN with mailing list members; when off, EXPN gets 502.'),
  hopLimit: z.int().min(1).max(100).default(50)
    .describe('Received headers allowed before a message is rejected as looping (RFC 5321 §6.3; 50 as Postfix hopcount_limit).'),
  overQuotaCode: z.literal([552, 452]).default(552)
    .describe('Reply to a recipient whose mailbox is full: 552 (permanent, bounces now) or 452 (temporary, sender retries).'),
  oversizeAction: z.enum(['reject', 'disconnect']).default('reject')
    .describe('What to do with a message over maxMessageBytes: answer 552, or answer 552 and drop the connection.'),
  privilegedSendersMustAuth: z.boolean().default(true)
    .describe('Mail claiming to come from postmaster@, abuse@ or webmaster@ a local domain needs AUTH (manual §4.5.3).'),
  popBeforeSmtpMinutes: z.int().min(0).max(1440).default(0)
    .describe('Minutes a client IP may relay after a POP3/IMAP login (POP-before-SMTP); 0 turns it off.'),
  rejectLookalikeDomains: z.boolean().default(true)
    .describe('Refuse recipient domains that look like a local domain but are not (e.g. Cyrillic "а" for Latin "a").'),
  banner: z.string().max(200).default('')
    .describe('Text appended to the 220 greeting (the manual\'s site policy banner is a separate screening setting).'),
  authMustMatchSender: z.boolean().default(true)
    .describe('Authenticated clients may only use their own address (or its aliases) in MAIL FROM.'),
});

export type SmtpSettings = z.output<typeof SmtpSettingsSchema>;
