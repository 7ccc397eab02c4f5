/**
 * Runtime settings of remote delivery (delivery/remote/): direct to MX, all through a smart host,
 * or direct with the smart host as fallback (manual part 3 §4.4.1), outbound connection limits,
 * SMTP client timeouts (RFC 5321 §4.5.3.2), DNS patience and the IP cache (§4.4.6).
 * Also recipientDelimiter (sub-addressing) and srs* (Sender Rewriting Scheme: directory/srs.ts, local delivery).
 * DNS servers and the hosts table are boot config (config/boot.ts `dns`), not settings.
 * Defaults sit beside the keys; nothing else repeats them.
 */
import { z } from 'zod';

export const SmartHostSchema = z.object({
  host: z.string().min(1).describe('Smart host name or IP address.'),
  port: z.int().min(1).max(65535).default(25).describe('Smart host port (25, 587, or 465 with tls "implicit").'),
  user: z.string().default('').describe('AUTH user at the smart host; empty = no AUTH.'),
  password: z.string().default('').describe('AUTH password at the smart host (never logged).'),
  tls: z.enum(['starttls', 'implicit', 'none']).default('starttls')
    .describe('"starttls": upgrade before AUTH and MAIL (required); "implicit": TLS from the first byte (port 465); "none": plain text.'),
});

export type SmartHost = z.output<typeof SmartHostSchema>;

export const DeliverySettingsSchema = z.object({
  srsEnabled: z.boolean().default(true)
    .describe('Rewrite the envelope sender (SRS) of mail that aliases and forwards send on to other domains, so SPF passes there; bounces to those addresses come back to the original sender.'),
  srsMaxAgeDays: z.int().min(1).max(1000).default(21)
    .describe('How long an SRS address we made is honoured (days); bounces to older or forged ones are refused.'),
  recipientDelimiter: z.string().max(8).regex(/^[^@\s"]*$/).default('+')
    .describe('Sub-addressing: user+tag@domain reaches user when no user, alias or list is called user+tag. Each character separates (e.g. "+-"); "" turns it off.'),
  mode: z.enum(['direct', 'smarthost', 'direct-then-smarthost']).default('direct')
    .describe('Where outbound mail goes: "direct" to each domain\'s MX; "smarthost" all through smartHost; "direct-then-smarthost" direct, and what is deferred goes through smartHost.'),
  smartHost: SmartHostSchema.nullable().default(null)
    .describe('The relay for modes "smarthost" and "direct-then-smarthost" ({host, port, user, password, tls}); null = none.'),
  maxConcurrentConnections: z.int().min(1).max(10_000).default(20)
    .describe('Outbound SMTP connections open at the same time on this node.'),
  maxConnectionsPerDomain: z.int().min(1).max(1000).default(5)
    .describe('Outbound SMTP connections open at the same time to one recipient domain.'),
  maxRecipientsPerConnection: z.int().min(1).max(10_000).default(100)
    .describe('Recipients of one domain sent in one SMTP transaction (RFC 5321 §4.5.3.1.8: servers take at least 100).'),
  connectionIdleSec: z.int().min(0).max(300).default(5)
    .describe('Keep an outbound SMTP connection open this long after a message, for the next one to the same server (RSET between messages); 0 = a new connection per message.'),
  maxMxPerAttempt: z.int().min(1).max(100).default(5)
    .describe('MX hosts tried per delivery attempt, best preference first; the rest wait for the next attempt (a domain with dozens of MX cannot hold a slot for long).'),
  connectTimeoutSec: z.int().min(1).max(600).default(30)
    .describe('Seconds to wait for a TCP connection to a remote server.'),
  greetingTimeoutSec: z.int().min(1).max(3600).default(300)
    .describe('Seconds to wait for the 220 greeting and for replies to commands (RFC 5321 §4.5.3.2.1: 5 minutes).'),
  dataTimeoutSec: z.int().min(1).max(3600).default(600)
    .describe('Seconds to wait for the reply after the message data (RFC 5321 §4.5.3.2.6: 10 minutes).'),
  dnsTimeoutSec: z.int().min(1).max(120).default(10)
    .describe('Seconds to wait for one DNS answer (MX, A, AAAA) before asking again.'),
  dnsRetries: z.int().min(0).max(10).default(2)
    .describe('How many times an unanswered DNS query is sent again before the lookup counts as a temporary failure.'),
  ipCacheMaxEntries: z.int().min(0).max(1_000_000).default(1000)
    .describe('Names whose MX and addresses are kept in the IP cache (least recently used go first); 0 turns the cache off.'),
  ipCacheTtlSec: z.int().min(1).max(7 * 86_400).default(3600)
    .describe('Longest time a cached DNS answer is reused; also the lifetime of answers that carry no TTL (MX, hosts table).'),
  // dnsTimeoutSec, dnsRetries and ipCache* are read at every lookup: changes apply without a restart.
  requireTls: z.boolean().default(false)
    .describe('Send only over STARTTLS with a verified certificate; off: STARTTLS when offered, certificates not checked (opportunistic, RFC 3207).'),
});

export type DeliverySettings = z.output<typeof DeliverySettingsSchema>;
