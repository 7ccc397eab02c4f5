/**
 * Runtime security settings: password policy default, the failed-login throttle (auth/login-throttle.ts), and which
 * challenge-response mechanisms are offered. Used by auth/ and the protocol listeners.
 * CRAM-MD5 (RFC 2195) and APOP (RFC 1939 §7) need a reversible password copy to verify; turning
 * them off removes them from EHLO AUTH / CAPA. Defaults and docs live here only.
 */
import { z } from 'zod';

export const SecuritySettingsSchema = z.object({
  strongPasswordsDefault: z.boolean().default(true)
    .describe('Whether new domains start with the strong-password policy on (each domain can change it).'),
  failedLoginDelayMs: z.int().min(0).max(60_000).default(1000)
    .describe('Delay before answering a failed login, in milliseconds (slows password guessing); it doubles for every failure of the same address or account past the third.'),
  loginMaxDelayMs: z.int().min(0).max(300_000).default(30_000)
    .describe('The longest a failed login is made to wait, in milliseconds.'),
  loginFailuresBeforeBan: z.int().min(0).default(10)
    .describe('Failed logins from one IP address (SMTP, IMAP, POP3, webmail together) within loginFailureWindowMin after which it is banned. 0 = never ban.'),
  loginBanMinutes: z.int().min(1).max(10_080).default(15)
    .describe('How long a banned address is refused before any password is checked.'),
  loginFailureWindowMin: z.int().min(1).max(1440).default(15)
    .describe('Minutes over which failed logins are counted.'),
  loginWhitelist: z.array(z.string()).default([])
    .describe('Addresses or CIDRs whose failed logins are never counted or banned (e.g. an office gateway).'),
  loginCacheSec: z.int().min(0).max(86_400).default(300)
    .describe('Seconds a verified password login is remembered (as a keyed hash, in memory), so repeated logins skip the slow password hash; 0 = check every time.'),
  allowPlaintextAuth: z.boolean().default(false)
    .describe('Let SMTP, IMAP and POP3 clients log in on connections that are not encrypted (no STARTTLS). Off: passwords only travel over TLS.'),
  cramMd5Enabled: z.boolean().default(true)
    .describe('Offer SASL CRAM-MD5 (RFC 2195) on SMTP, IMAP and POP3.'),
  apopEnabled: z.boolean().default(false)
    .describe('Offer POP3 APOP (RFC 1939 §7): adds a timestamp to the greeting.'),
});

export type SecuritySettings = z.output<typeof SecuritySettingsSchema>;
