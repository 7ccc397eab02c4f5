/**
 * Runtime settings of screening (screening/, FEATURES S7, S8, S10, S14; manual part 4 §4.5.2 反向查询,
 * §4.5.4 屏蔽, §4.5.5 反向散射保护 / 缓送, §4.6.3 垃圾邮件陷阱): who may connect, which HELO names,
 * senders and recipients are refused, the PTR check, dynamic bans, tarpitting, per-IP rates, the
 * site-policy banner, spam traps and signed return paths (BATV). LAN IPs, LAN domains, trusted
 * networks and (where the manual says so) authenticated sessions are exempt.
 */
import { z } from 'zod';

const IpShieldEntrySchema = z.object({
  domain: z.string().min(1).describe('A sender domain (example.com or *.example.com).'),
  ips: z.array(z.string()).min(1).describe('IPs or CIDRs that may send mail claiming this domain.'),
});

export const ScreeningSettingsSchema = z.object({
  enabled: z.boolean().default(true)
    .describe('Run the screening stage (every list below is empty by default, so it refuses nothing until configured).'),
  lanIps: z.array(z.string()).default(['127.0.0.0/8', '::1/128', '10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16'])
    .describe('IPs or CIDRs of the local network: never screened.'),
  lanDomains: z.array(z.string()).default([])
    .describe('Sender domains of the local network: a session whose MAIL FROM is in one skips the PTR check, tarpitting and rate limits.'),
  blockedIps: z.array(z.string()).default([])
    .describe('IP 屏蔽: IPs or CIDRs refused at connect (554 5.7.1, connection closed).'),
  ipShield: z.array(IpShieldEntrySchema).default([])
    .describe('IP shield: a sender domain and the only IPs allowed to send mail claiming it; others get 550 5.7.1 at MAIL FROM.'),
  ipShieldExemptAuthenticated: z.boolean().default(true)
    .describe('不对已验证的会话应用 IP 屏蔽: the IP shield is not applied to authenticated sessions.'),
  blockedHosts: z.array(z.string()).default([])
    .describe('主机屏蔽: host names or patterns (mail.spam.example, *.dyn.example) refused when the client\'s PTR name or HELO name matches (554 5.7.1).'),
  blockedSenders: z.array(z.string()).default([])
    .describe('地址黑名单: sender addresses, domains or patterns (bob@x.com, x.com, *@x.com) refused at MAIL FROM (550 5.7.1).'),
  suppression: z.array(z.object({
    sender: z.string().min(1).describe('Sender address, domain or pattern.'),
    recipient: z.string().default('*').describe('Local recipient address, domain or pattern it may not write to (* = any).'),
  })).default([])
    .describe('Address suppression: senders refused at RCPT TO for the given recipients (550 5.7.1).'),
  ptr: z.object({
    enabled: z.boolean().default(false).describe('在输入 SMTP 连接执行反向 PTR 记录查找: look up the PTR record of every client on port 25 (never on the submission ports).'),
    rejectMissing: z.boolean().default(false).describe('如果不存在 PTR 记录则发送 501 并关闭连接: no PTR record → 501 5.7.25 and close.'),
    rejectMismatch: z.boolean().default(false).describe('如果没有匹配 PTR 记录则发送 501 并关闭连接: no PTR name that resolves back to the client IP → 501 5.7.25 and close.'),
    exemptAuthenticated: z.boolean().default(true).describe('免除已验证的会话: the check waits until MAIL FROM and authenticated sessions skip it.'),
    whitelist: z.array(z.string()).default([]).describe('IPs or CIDRs never checked.'),
  }).prefault({}).describe('反向查询: reverse PTR checks of inbound SMTP clients (the manual\'s three options and a whitelist).'),
  dynamic: z.object({
    enabled: z.boolean().default(true).describe('动态屏蔽: ban IPs that open abusive SMTP sessions (the failed-login bans of security.* apply across protocols anyway).'),
    abusiveSessionsBeforeBan: z.int().min(1).default(5).describe('Abusive SMTP sessions (a blocked IP, host or sender refused, too many unknown recipients, too many RSET or junk commands) within windowMin before the IP is banned. A spam-trap hit bans at once (spamTrapBlockMinutes).'),
    windowMin: z.int().min(1).max(1440).default(15).describe('Minutes over which abusive sessions are counted.'),
    banMinutes: z.int().min(1).max(10_080).default(60).describe('How long a dynamically banned IP is refused (421 4.7.0 at connect, and no logins on any protocol).'),
    whitelist: z.array(z.string()).default([]).describe('IPs or CIDRs never banned dynamically.'),
  }).prefault({}).describe('动态屏蔽: temporary bans of IPs that open abusive SMTP sessions; `youju security bans|unban` lists and lifts them.'),
  tarpit: z.object({
    afterRcpt: z.int().min(0).default(0).describe('缓送: RCPT commands in a session after which each further one is answered slowly. 0 = off.'),
    delayMs: z.int().min(0).max(60_000).default(2000).describe('Delay of the first tarpitted RCPT, in milliseconds.'),
    factor: z.number().min(1).max(10).default(1.5).describe('Each further RCPT waits this many times longer than the one before.'),
    maxDelayMs: z.int().min(0).max(300_000).default(30_000).describe('The longest a tarpitted RCPT waits, in milliseconds.'),
    whitelist: z.array(z.string()).default([]).describe('IPs or CIDRs never tarpitted.'),
  }).prefault({}).describe('缓送 (tarpitting): unauthenticated sessions sending many RCPT commands are answered ever more slowly.'),
  bandwidth: z.object({
    smtpInKBps: z.int().min(0).max(10_000_000).default(0).describe('SMTP: message data an unauthenticated session (mail from the internet) may send us, in KiB per second. 0 = no limit.'),
    imapOutKBps: z.int().min(0).max(10_000_000).default(0).describe('IMAP: what a session is sent (FETCH and the rest), in KiB per second. 0 = no limit.'),
    pop3OutKBps: z.int().min(0).max(10_000_000).default(0).describe('POP3: what a session is sent (RETR, TOP and the rest), in KiB per second. 0 = no limit.'),
  }).prefault({}).describe('带宽限制: per-session bandwidth limits of each protocol (off by default, as the manual advises); a second\'s worth may go at once. Clients on screening.lanIps are never limited.'),
  maxConnectionsPerIpPerMinute: z.int().min(0).default(0)
    .describe('New SMTP connections one IP may open per minute; more get 421 4.7.0. 0 = no limit (simultaneous connections: limits.maxConnectionsPerIp).'),
  maxMessagesPerIpPerHour: z.int().min(0).default(0)
    .describe('Messages (MAIL FROM commands) one unauthenticated IP may start per hour; more get 451 4.7.0. 0 = no limit.'),
  greetingPauseFor: z.enum(['suspicious', 'all']).default('suspicious')
    .describe('Who waits smtp.greetingPauseMs before the 220 greeting: suspicious clients only (no PTR record, or listed on a dnsbl.lists zone) or every port-25 client.'),
  sitePolicy: z.string().max(2000).default('')
    .describe('Site-policy banner: lines sent before the 220 greeting on port 25 (e.g. "No unsolicited commercial mail accepted").'),
  spamTraps: z.array(z.string()).default([])
    .describe('垃圾邮件陷阱: local addresses that belong to nobody. Mail to them is accepted, trains the Bayes classifier as spam and is dropped; its client IP (on every protocol) and its envelope sender are blocked for spamTrapBlockMinutes.'),
  spamTrapBlockMinutes: z.int().min(1).max(43_200).default(1440)
    .describe('How long a client that wrote to a spam trap is refused.'),
});

export const BackscatterSettingsSchema = z.object({
  signOutbound: z.boolean().default(false)
    .describe('反向散射保护: sign the return path of outbound mail from local senders (BATV prvs=tag=user@domain).'),
  rejectUnsigned: z.boolean().default(false)
    .describe('Refuse bounces (null sender) to local addresses without a valid signature (550 5.7.1). Turn on once signing has run for maxAgeDays.'),
  maxAgeDays: z.int().min(1).max(30).default(7)
    .describe('Days a signature stays valid (bounces can arrive days after the mail they answer).'),
});

export type ScreeningSettings = z.output<typeof ScreeningSettingsSchema>;
export type BackscatterSettings = z.output<typeof BackscatterSettingsSchema>;
