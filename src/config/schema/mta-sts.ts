/**
 * MTA-STS (RFC 8461, FEATURES B4) as published for the mail domains: which domains have it on,
 * the policy mode and lifetime. `youju doctor` checks the `_mta-sts` TXT record and the policy file
 * at https://mta-sts.<domain>/.well-known/mta-sts.txt of each such domain against these, and prints
 * the exact record and file to publish.
 */
import { z } from 'zod';

export const MtaStsSettingsSchema = z.object({
  domains: z.array(z.string().min(1).max(253).toLowerCase()).default([])
    .describe('Mail domains that publish an MTA-STS policy (their ASCII names, e.g. example.cn); empty: none.'),
  mode: z.enum(['enforce', 'testing', 'none']).default('testing')
    .describe('Policy mode: testing (senders report, still deliver), enforce (senders refuse to deliver without valid TLS to the listed MX), none (withdraw the policy).'),
  maxAgeSec: z.int().min(86_400).max(31_557_600).default(604_800)
    .describe('max_age of the policy in seconds: how long senders cache it (one day to one year; RFC 8461 recommends weeks).'),
});

export type MtaStsSettings = z.output<typeof MtaStsSettingsSchema>;
