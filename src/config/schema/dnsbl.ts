/**
 * Runtime settings of DNS-based block lists (antispam/dnsbl.ts, FEATURES S13; manual §4.6.2):
 * the lists with their reject messages ($IP$ is the client's address), the whitelist, the timeout
 * and the answer cache; and the URI block lists for the domains of links (antispam/uribl.ts).
 */
import { z } from 'zod';

export const DnsblSettingsSchema = z.object({
  enabled: z.boolean().default(false)
    .describe('Look up each inbound client address in the DNS-BL lists below.'),
  lists: z.array(z.object({
    host: z.string().regex(/^[A-Za-z0-9.-]+$/, 'a DNS zone such as zen.spamhaus.org'),
    message: z.string().default('$IP$ is listed at a DNS-BL'),
  })).default([])
    .describe('DNS-BL zones, each with the reply text for a listed client ($IP$ is replaced by its address), e.g. [{"host":"zen.spamhaus.org","message":"$IP$ listed at spamhaus, see https://www.spamhaus.org/"}].'),
  whitelist: z.array(z.string()).default([])
    .describe('IP addresses or CIDRs never looked up.'),
  action: z.enum(['reject', 'score']).default('reject')
    .describe('reject: 554 5.7.1 at RCPT TO for a listed client; score: only add to the spam score.'),
  timeoutMs: z.int().min(100).max(60_000).default(3000)
    .describe('Longest the lookups (made in parallel) may take; a list that has not answered counts as not listing.'),
  uriLists: z.array(z.object({
    host: z.string().regex(/^[A-Za-z0-9.-]+$/, 'a DNS zone such as multi.surbl.org'),
    message: z.string().default('Message refused: it links to $DOMAIN$, on a URI block list'),
  })).default([])
    .describe('URI block list zones (SURBL-style) for the domains of links in a message, each with its reply text ($DOMAIN$ is the listed domain). Empty = off.'),
  uriAction: z.enum(['reject', 'score']).default('reject')
    .describe('reject: 554 5.7.1 at the end of DATA for a message linking to a listed domain; score: only add to the spam score.'),
  uriMaxDomains: z.int().min(1).max(100).default(20)
    .describe('Link domains of one message looked up at most.'),
  cacheSec: z.int().min(0).max(86_400).default(900)
    .describe('Seconds an answer is remembered per address and list; 0 = no cache.'),
});
