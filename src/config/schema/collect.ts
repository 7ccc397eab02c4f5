/**
 * Runtime settings of mail collection from other POP3 servers (src/collect/): the schedule and
 * limits shared by MultiPOP (users' own external boxes, FEATURES W14) and DomainPOP (S5, its
 * routing options are in domainpop.ts). Manual §4.4.1 "最大并发 MultiPOP 出站会话数" is maxSessions.
 */
import { z } from 'zod';

export const CollectSettingsSchema = z.object({
  intervalMin: z.int().min(0).max(1440).default(10)
    .describe('Minutes between collection runs of every enabled MultiPOP and DomainPOP account; 0 = only on demand (`youju pop-account collect`).'),
  maxSessions: z.int().min(1).max(200).default(5)
    .describe('Most outbound POP3 sessions collecting at once (manual: 最大并发 MultiPOP 出站会话数).'),
  timeoutSec: z.int().min(5).max(3600).default(60)
    .describe('Seconds to wait for any one reply of the remote POP3 server.'),
  maxMessageBytes: z.int().min(0).default(50 * 1024 * 1024)
    .describe('MultiPOP messages larger than this stay on the remote server, not collected; 0 = no limit.'),
  overQuota: z.enum(['postmaster', 'delete']).default('postmaster')
    .describe('A collected message (MultiPOP, DomainPOP) for a full mailbox: the owner is told, and the message goes to postmaster@ the owner\'s domain, or is deleted (manual: 邮件下载控制).'),
  verifyCertificates: z.boolean().default(true)
    .describe('Check the remote server\'s TLS certificate (turn off only for servers with self-signed certificates).'),
  allowPrivateHosts: z.boolean().default(false)
    .describe('Let MultiPOP, DomainPOP and the POP account "Test" connect to loopback, private (10/8, 172.16/12, 192.168/16, fc00::/7) and link-local addresses. Off: a user cannot make the server reach its own internal network.'),
});

export type CollectSettings = z.output<typeof CollectSettingsSchema>;
