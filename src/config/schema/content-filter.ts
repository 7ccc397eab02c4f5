/**
 * Runtime settings of the content filter (FEATURES S6, manual 4.5.1 内容过滤器), the mail monitoring
 * of A7 (邮件监控) and the archiving of S3 (4.4.3 正在归档), which the same engine runs
 * (content-filter/): ordered rules of conditions and ordered actions, the attachment allow / deny
 * lists with their exclusions, monitoring rules that copy matching in/out mail to chosen
 * mailboxes, and the archive copy of all in/out mail. A running server picks changes up.
 */
import { z } from 'zod';

const addr = z.string().trim().toLowerCase().min(3).regex(/^[^@\s]+@[^@\s]+$/, 'an e-mail address');

export const ConditionSchema = z.object({
  /**
   * header: a header field (`header` names it, '*' any); sender / recipient: envelope addresses;
   * size: bytes; attachmentName / attachmentType / attachmentCount; origin: 'local' or 'remote'
   * sender; spamScore: the antispam score; body: the decoded text.
   */
  field: z.enum(['header', 'sender', 'recipient', 'size', 'attachmentName', 'attachmentType', 'attachmentCount', 'origin', 'spamScore', 'body']),
  header: z.string().trim().regex(/^(\*|[!-9;-~]+)$/, 'a header field name or *').optional()
    .describe('For field header: the field name (Subject, To …) or * for any field.'),
  op: z.enum(['contains', 'notContains', 'matches', 'is', 'over', 'under', 'exists']).default('contains')
    .describe('contains / notContains: any value as a case-insensitive substring (wildcards * and ? allowed); matches: any value as a regular expression; is: equal; over / under: numbers; exists: the header is present.'),
  values: z.array(z.string()).default([]).describe('Compared values: the condition holds when any of them does.'),
}).superRefine((c, ctx) => {
  if (c.field === 'header' && !c.header) ctx.addIssue({ code: 'custom', path: ['header'], message: 'field header needs a header name (or *)' });
  if (c.op === 'matches') {
    for (const v of c.values) {
      try { new RegExp(v, 'iu'); } catch { ctx.addIssue({ code: 'custom', path: ['values'], message: `not a regular expression: ${v}` }); }
    }
  }
  if ((c.op === 'over' || c.op === 'under') && !(c.values.length === 1 && Number.isFinite(Number(c.values[0])))) {
    ctx.addIssue({ code: 'custom', path: ['values'], message: `${c.op} needs one number` });
  }
});

export const ActionSchema = z.object({
  /**
   * delete: the message goes nowhere (copies already made stay); copy: a copy to `to` as well;
   * redirect: to `to` instead of its recipients; addHeader / removeHeader: `header` (and `value`);
   * notify: a message from `subject` / `body` (variables $SENDER$ $RECIPIENTS$ $SUBJECT$ $RULE$
   * $ATTACHMENTS$ $SIZE$ $DATE$) to `to`, where 'sender' and 'admin' name the sender and
   * contentFilter.adminAddress; moveToFolder: local recipients file it in `folder`; stop: no later rule runs.
   */
  type: z.enum(['delete', 'copy', 'redirect', 'addHeader', 'removeHeader', 'notify', 'moveToFolder', 'stop']),
  to: z.array(z.union([z.literal('sender'), z.literal('admin'), addr])).default([]),
  header: z.string().trim().regex(/^[!-9;-~]+$/, 'a header field name').optional(),
  value: z.string().regex(/^[^\r\n]*$/, 'one line').optional(),
  folder: z.string().trim().min(1).optional(),
  subject: z.string().regex(/^[^\r\n]*$/, 'one line').optional(),
  body: z.string().optional(),
}).superRefine((a, ctx) => {
  const need = (ok: boolean, path: string, message: string) => { if (!ok) ctx.addIssue({ code: 'custom', path: [path], message }); };
  if (a.type === 'copy' || a.type === 'redirect' || a.type === 'notify') need(a.to.length > 0, 'to', `${a.type} needs at least one address in to`);
  if (a.type === 'copy' || a.type === 'redirect') need(!a.to.includes('sender'), 'to', `${a.type} cannot go to the sender`);
  if (a.type === 'addHeader' || a.type === 'removeHeader') need(!!a.header, 'header', `${a.type} needs a header name`);
  if (a.type === 'addHeader') need(a.value !== undefined, 'value', 'addHeader needs a value');
  if (a.type === 'moveToFolder') need(!!a.folder, 'folder', 'moveToFolder needs a folder');
});

export const RuleSchema = z.object({
  name: z.string().trim().min(1).max(200),
  enabled: z.boolean().default(true),
  /** all: every condition must hold; any: one is enough. No conditions: every message. */
  match: z.enum(['all', 'any']).default('all'),
  conditions: z.array(ConditionSchema).default([]),
  actions: z.array(ActionSchema).min(1),
});

export const MonitorSchema = z.object({
  name: z.string().trim().min(1).max(200),
  enabled: z.boolean().default(true),
  /** 监控范围: mail sent out by local users, mail received, or both. */
  direction: z.enum(['in', 'out', 'both']).default('both'),
  match: z.enum(['all', 'any']).default('all'),
  conditions: z.array(ConditionSchema).default([]),
  copyTo: z.array(addr).min(1).describe('Mailboxes the matching mail is copied to.'),
});

/**
 * A domain's own monitoring rule (邮件监控, manual part 3 §1.7), kept in the domain's settings scope
 * (config/domain-scope.ts MONITORING_SETTING_KEY) and run by the same engine as the global ones.
 * `watch` says whose mail: the whole domain, one user, or a department with those below it. For
 * these, out means mail the watched party sends and in means mail to one of them (internal mail
 * is both), and copyTo must be mailboxes of the domain.
 */
export const DomainMonitorSchema = MonitorSchema.extend({
  id: z.string().regex(/^[a-z0-9]{1,32}$/),
  watch: z.discriminatedUnion('kind', [
    z.object({ kind: z.literal('domain') }),
    z.object({ kind: z.literal('user'), address: addr }),
    z.object({ kind: z.literal('department'), orgUnitId: z.number().int().positive() }),
  ]),
});

export const ContentFilterSettingsSchema = z.object({
  enabled: z.boolean().default(false)
    .describe('Run the content filter rules (启用内容过滤器规则处理引擎); attachments, monitoring and archiving have their own switches.'),
  rules: z.array(RuleSchema).default([])
    .describe('Ordered rules: each whose conditions hold runs its actions in order; delete and moveToFolder end that rule\'s actions, stop ends the rules.'),
  adminAddress: z.string().default('')
    .describe('Where notify actions to "admin" go; empty = postmaster@ the server\'s host name.'),
  attachments: z.object({
    mode: z.enum(['off', 'deny', 'allow']).default('off')
      .describe('deny: refuse files matching deny; allow: refuse files not matching allow (受限的附件).'),
    deny: z.array(z.string()).default(['*.exe', '*.scr', '*.pif', '*.com', '*.bat', '*.cmd', '*.vbs', '*.js', '*.jse', '*.wsf', '*.hta', '*.cpl', '*.msi', '*.lnk'])
      .describe('File name patterns (wildcards * and ?, case-insensitive).'),
    allow: z.array(z.string()).default([]).describe('File name patterns allowed in allow mode.'),
    exempt: z.array(z.string()).default([])
      .describe('Senders or recipients the lists do not apply to (addresses, *@domain or domain).'),
    action: z.enum(['reject', 'delete', 'quarantine']).default('reject')
      .describe('What happens to a message with a refused file: 554 at the end of DATA, dropped, or to the quarantine.'),
  }).prefault({}).describe('Attachment allow / deny lists (受限的附件) with exclusions, and what happens to a refused file.'),
  monitoring: z.array(MonitorSchema).default([])
    .describe('Mail monitoring (邮件监控): copy in/out mail matching the conditions to chosen mailboxes.'),
  archive: z.object({
    enabled: z.boolean().default(false).describe('Archive a copy of all in/out mail (存档所有外送/内送邮件副本).'),
    addresses: z.array(addr).default([]).describe('Archive mailboxes.'),
    direction: z.enum(['in', 'out', 'both']).default('both').describe('Archive mail received (in), sent by local users (out), or both.'),
    includeLists: z.boolean().default(true).describe('Include mail to local mailing lists.'),
    includeMultiPop: z.boolean().default(true).describe('Include mail collected by MultiPOP.'),
    includeSpam: z.boolean().default(true).describe('Include mail marked as spam.'),
    tagSubject: z.boolean().default(false).describe('Tag the archive copy\'s subject with subjectTag.'),
    subjectTag: z.string().regex(/^[^\r\n]*$/, 'one line').default('(存档副本)').describe('The tag put before the subject of archive copies when tagSubject is on.'),
  }).prefault({}).describe('Archiving (正在归档): a copy of all in/out mail to archive addresses, with list, MultiPOP and spam options and a subject tag.'),
});

export type ContentFilterSettings = z.output<typeof ContentFilterSettingsSchema>;
export type Condition = z.output<typeof ConditionSchema>;
export type Action = z.output<typeof ActionSchema>;
export type Rule = z.output<typeof RuleSchema>;
export type Monitor = z.output<typeof MonitorSchema>;
export type DomainMonitor = z.output<typeof DomainMonitorSchema>;
