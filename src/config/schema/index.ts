/**
 * All runtime settings: one zod object per concern (schema/<concern>.ts), combined here.
 * `SETTINGS_SECTIONS` is the table config/settings.ts walks to validate one dotted key at a time
 * ('smtp.maxRcptPerMessage'); `SettingsSchema.parse({})` gives every default.
 * To add a concern: write schema/<concern>.ts and add it to SETTINGS_SECTIONS.
 */
import { z } from 'zod';
import { AntispamSettingsSchema } from './antispam.ts';
import { AntivirusSettingsSchema } from './antivirus.ts';
import { DnsblSettingsSchema } from './dnsbl.ts';
import { GreylistSettingsSchema } from './greylist.ts';
import { PipelineSettingsSchema } from './pipeline.ts';
import { SenderAuthSettingsSchema } from './sender-auth.ts';
import { CollectSettingsSchema } from './collect.ts';
import { DeliverySettingsSchema } from './delivery.ts';
import { DomainpopSettingsSchema } from './domainpop.ts';
import { ImapSettingsSchema } from './imap.ts';
import { LimitsSettingsSchema } from './limits.ts';
import { LocalDeliverySettingsSchema } from './local-delivery.ts';
import { QueueSettingsSchema } from './queue.ts';
import { RewriteSettingsSchema } from './rewrite.ts';
import { SecuritySettingsSchema } from './security.ts';
import { SmtpSettingsSchema } from './smtp.ts';
import { WebSettingsSchema } from './web.ts';
import { BackupSettingsSchema } from './backup.ts';
import { MtaStsSettingsSchema } from './mta-sts.ts';
import { ContentFilterSettingsSchema } from './content-filter.ts';
import { HashcashSettingsSchema } from './hashcash.ts';
import { BackscatterSettingsSchema, ScreeningSettingsSchema } from './screening.ts';

export const SETTINGS_SECTIONS = {
  smtp: SmtpSettingsSchema,
  security: SecuritySettingsSchema,
  limits: LimitsSettingsSchema,
  queue: QueueSettingsSchema,
  localDelivery: LocalDeliverySettingsSchema,
  delivery: DeliverySettingsSchema,
  rewrite: RewriteSettingsSchema,
  collect: CollectSettingsSchema,
  domainpop: DomainpopSettingsSchema,
  imap: ImapSettingsSchema,
  pipeline: PipelineSettingsSchema,
  antivirus: AntivirusSettingsSchema,
  senderAuth: SenderAuthSettingsSchema,
  dnsbl: DnsblSettingsSchema,
  greylist: GreylistSettingsSchema,
  antispam: AntispamSettingsSchema,
  contentFilter: ContentFilterSettingsSchema,
  hashcash: HashcashSettingsSchema,
  web: WebSettingsSchema,
  backup: BackupSettingsSchema,
  mtaSts: MtaStsSettingsSchema,
  screening: ScreeningSettingsSchema,
  backscatter: BackscatterSettingsSchema,
} as const;

export const SettingsSchema = z.object({
  smtp: SmtpSettingsSchema.prefault({}).describe('SMTP listeners and session policy'),
  security: SecuritySettingsSchema.prefault({}).describe('Passwords, login slow-down, challenge-response mechanisms'),
  limits: LimitsSettingsSchema.prefault({}).describe('Connection limits and idle timeouts'),
  queue: QueueSettingsSchema.prefault({}).describe('Queue retry schedule, bounces and the runner'),
  localDelivery: LocalDeliverySettingsSchema.prefault({}).describe('Local delivery: quota warnings and users\' own rules'),
  delivery: DeliverySettingsSchema.prefault({}).describe('Remote delivery: MX or smart host, outbound limits, timeouts, DNS'),
  rewrite: RewriteSettingsSchema.prefault({}).describe('Outbound rewriting: header translation and DKIM signing'),
  collect: CollectSettingsSchema.prefault({}).describe('Collecting mail from other POP3 servers (MultiPOP, DomainPOP): schedule and limits'),
  domainpop: DomainpopSettingsSchema.prefault({}).describe('DomainPOP: routing mail of one domain-wide POP box to local users by its headers'),
  imap: ImapSettingsSchema.prefault({}).describe('IMAP: APPEND size limit, line length, optional extensions'),
  pipeline: PipelineSettingsSchema.prefault({}).describe('Protection pipeline: stage timeout, held messages, daily counters'),
  antivirus: AntivirusSettingsSchema.prefault({}).describe('Antivirus: clamd, actions for infected and unscannable mail, quarantine'),
  senderAuth: SenderAuthSettingsSchema.prefault({}).describe('Sender authentication: SPF, DKIM, ARC, DMARC'),
  dnsbl: DnsblSettingsSchema.prefault({}).describe('DNS-based block lists'),
  greylist: GreylistSettingsSchema.prefault({}).describe('Greylisting of unknown senders'),
  antispam: AntispamSettingsSchema.prefault({}).describe('Spam scoring: heuristic rules, thresholds, X-Spam headers'),
  contentFilter: ContentFilterSettingsSchema.prefault({}).describe('Content filter rules, attachment lists, mail monitoring and archiving'),
  hashcash: HashcashSettingsSchema.prefault({}).describe('HashCash stamps: minted on outgoing mail, verified on incoming mail'),
  web: WebSettingsSchema.prefault({}).describe('Webmail and REST API: web session lifetime'),
  backup: BackupSettingsSchema.prefault({}).describe('Scheduled backup: repository, time of day, full every N days, copies kept'),
  mtaSts: MtaStsSettingsSchema.prefault({}).describe('MTA-STS: domains that publish a policy, its mode and max_age (checked by youju doctor)'),
  screening: ScreeningSettingsSchema.prefault({}).describe('Screening: blocked IPs, hosts and senders, IP shield, PTR checks, dynamic bans, tarpitting, rates, spam traps'),
  backscatter: BackscatterSettingsSchema.prefault({}).describe('Backscatter protection: signed return paths (BATV) and refusal of unsigned bounces'),
});

export type Settings = z.output<typeof SettingsSchema>;
export type SettingsSection = keyof Settings;
