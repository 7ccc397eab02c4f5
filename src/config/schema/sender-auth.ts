/**
 * Runtime settings of sender authentication (antispam/sender-auth.ts, FEATURES S9, P15; manual
 * §4.5.3): SPF at MAIL FROM (550, optionally closing), DKIM, ARC and DMARC at the end of DATA, the
 * SPF whitelist and the approved list. Results go into one Authentication-Results header.
 */
import { z } from 'zod';

export const SenderAuthSettingsSchema = z.object({
  spfEnabled: z.boolean().default(true)
    .describe('Check the SPF record of the envelope sender\'s domain for every inbound host (RFC 7208).'),
  spfRejectFail: z.boolean().default(true)
    .describe('Answer MAIL FROM with 550 5.7.23 when SPF fails (-all). Off: the result only goes into the headers and scoring.'),
  spfCloseOnFail: z.boolean().default(false)
    .describe('After the 550 for an SPF failure, close the connection as well.'),
  spfWhitelist: z.array(z.string()).default([])
    .describe('IP addresses or CIDRs whose SPF is not checked.'),
  approvedList: z.array(z.string()).default([])
    .describe('Sender addresses, domains or *@domain patterns whose mail, once SPF or DKIM proves it, may lower the spam score (the manual\'s "approved list").'),
  dkimEnabled: z.boolean().default(true)
    .describe('Verify DKIM signatures (RFC 6376) and ARC chains (RFC 8617) at the end of DATA.'),
  dmarcEnabled: z.boolean().default(true)
    .describe('Evaluate the From domain\'s DMARC policy (RFC 7489).'),
  dmarcHonourReject: z.boolean().default(true)
    .describe('Refuse (550 5.7.1) a message that fails DMARC when its domain publishes p=reject, unless a trusted ARC chain vouches for it.'),
  dnsTimeoutMs: z.int().min(100).max(60_000).default(5000)
    .describe('Longest one DNS query for SPF, DKIM or DMARC may take.'),
  dnsCacheSec: z.int().min(0).max(86_400).default(300)
    .describe('Seconds an SPF, DKIM or DMARC record (or its absence) is reused before DNS is asked again; 0 = ask every time.'),
});
