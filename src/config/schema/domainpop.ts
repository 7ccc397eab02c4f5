/**
 * Runtime settings of DomainPOP (FEATURES S5, manual §4.4.9): how mail collected from the one
 * domain-wide POP box is routed to local users by its headers. The box itself (host, login, sealed
 * password, leave on server N days) is a POP account of kind 'domain' (`youju domainpop set`).
 * collect/domainpop-route.ts applies these; collect/collector.ts runs the box.
 */
import { z } from 'zod';

const oneLine = z.string().regex(/^[^\r\n]*$/, 'a single line');

export const DomainpopRuleSchema = z.object({
  match: z.enum(['equals', 'contains']).default('equals').describe('How `text` is compared with a parsed address (case-insensitive).'),
  text: oneLine.min(1).describe('The text compared with each parsed address.'),
  action: z.enum(['skip', 'redirect']).default('skip').describe('skip: do not deliver to that address; redirect: deliver to `to` instead.'),
  to: oneLine.default('').describe('With redirect: the local address that gets the mail.'),
});

export type DomainpopRule = z.output<typeof DomainpopRuleSchema>;

export const DomainpopSettingsSchema = z.object({
  headers: z.array(z.string().regex(/^[!-9;-~]+$/, 'a header name')).default(['To', 'Cc', 'X-Envelope-To', 'Envelope-To', 'X-Original-To', 'Apparently-To'])
    .describe('Headers whose addresses are parsed as recipients (manual: 为 E-mail 地址解析的邮件头).'),
  parseReceived: z.boolean().default(true)
    .describe('Also take the "for <address>" of Received headers.'),
  skipReceived: z.int().min(0).max(100).default(0)
    .describe('Received headers to skip from the top before parsing them (those the DomainPOP host itself added).'),
  stopReceivedIfFromLocal: z.boolean().default(false)
    .describe('Do not parse Received headers when the From address is a local account.'),
  parseSubject: z.boolean().default(false)
    .describe('Also take addresses written in parentheses in the Subject, e.g. "report (bob@example.cn)".'),
  dedupeMessageId: z.boolean().default(true)
    .describe('Deliver a Message-ID only once (the same message collected again, or once per recipient).'),
  messageIdDays: z.int().min(1).max(3650).default(30)
    .describe('Days a Message-ID is remembered for the duplicate check.'),
  replaceDomain: oneLine.default('')
    .describe('When set, the domain of every parsed address becomes this one (manual: 域名替换引擎).'),
  nameMatching: z.boolean().default(false)
    .describe('Match an address that is not local to a user of the default domain: by its local part, or its display name against real names.'),
  removeText: z.array(oneLine.min(1)).default([])
    .describe('Text removed from every parsed address before it is looked up (manual: 地址过滤).'),
  rules: z.array(DomainpopRuleSchema).default([])
    .describe('Routing rules applied to each parsed address in order: [{ match, text, action: skip|redirect, to }].'),
  maxMessageBytes: z.int().min(0).default(0)
    .describe('Messages larger than this are not downloaded; 0 = no limit.'),
  deleteLarge: z.boolean().default(false)
    .describe('Delete messages over maxMessageBytes from the DomainPOP host.'),
  warnPostmasterLarge: z.boolean().default(true)
    .describe('Tell the postmaster about each message over maxMessageBytes (once).'),
  smallFirst: z.boolean().default(false)
    .describe('Download smaller messages before larger ones (manual: 在下载大邮件之前先下载小邮件).'),
  archiveDir: oneLine.default('')
    .describe('When set, a directory (absolute, or under the data directory) that keeps a copy of every downloaded DomainPOP message, as DIR/YYYY-MM-DD/<time>-<id>.eml (manual: 归档).'),
  unknownRecipients: z.enum(['postmaster', 'address', 'discard']).default('postmaster')
    .describe('Mail with no local recipient goes to postmaster@ the default domain, to unknownTo, or is dropped.'),
  unknownTo: oneLine.default('')
    .describe('With unknownRecipients = address: where such mail goes.'),
});

export type DomainpopSettings = z.output<typeof DomainpopSettingsSchema>;
