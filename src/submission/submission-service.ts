/**
 * Sending from the webmail (FEATURES W6): a composed message is built (MIME, UTF-8), checked by the
 * same sending rules SMTP submission applies (sending-rules.ts: sender ownership, send scopes, the
 * recipient limit, unknown and full mailboxes), walked through the protection pipeline as an
 * authenticated submission (so the antivirus sees outgoing attachments), stamped with a Received
 * header and queued; then its copy, Bcc kept, is filed in Sent. Drafts are messages in Drafts: a
 * compose window's attachments live in its draft, so a draft survives a reload or another node of a
 * cluster, and sending takes the attachments from it.
 *
 * Only the user acts for themselves here: an admin's role reaches mail folders to manage them, never
 * to write as their owner.
 */
import { randomBytes } from 'node:crypto';
import type { Settings } from '../config/settings.ts';
import { MailError } from '../core/errors.ts';
import type { MailboxId, QueueId, UserId } from '../core/ids.ts';
import type { Actor } from '../directory/actor.ts';
import type { DirectoryUser, UserService } from '../directory/users.ts';
import type { UserMail } from '../mailbox/user-mail.ts';
import { encodeText } from '../mime/charset-encode.ts';
import { rfc5322Date } from '../mime/date.ts';
import { readAttachments, readForDisplay } from '../mime/display.ts';
import type { Pipeline } from '../pipeline/pipeline.ts';
import { routedSubmissions } from '../pipeline/routing.ts';
import type { QueueService } from '../queue/queue.ts';
import { refusal, type SendContext, type SendingRules } from './sending-rules.ts';

export interface ComposeAttachment {
  fileName: string;
  contentType: string;
  content: Buffer;
  cid?: string;
}

/** What the compose window sends. Addresses are bare (`a@b.cn`) or with a name (`张三 <a@b.cn>`). */
export interface ComposeInput {
  /** An address the user owns (their own, an alias); default: their own address. */
  from?: string;
  to: string[];
  cc: string[];
  bcc: string[];
  subject: string;
  /** The plain text; with `html`, the text alternative. */
  text: string;
  html?: string;
  priority: 'high' | 'normal' | 'low';
  /** Ask for a read receipt (Disposition-Notification-To, RFC 8098). */
  receipt: boolean;
  inReplyTo?: string;
  references?: string[];
  /** New attachments (uploaded with this request). */
  attachments?: ComposeAttachment[];
  /** The draft this message comes from: its attachments are kept unless dropped. */
  draft?: { folderId: MailboxId; uid: number; dropAttachments?: number[] };
  /** The message this one answers or forwards: it gets \Answered or $Forwarded once sent. */
  original?: { folderId: MailboxId; uid: number; action: 'reply' | 'forward' };
  /** Forward inline: the attachments of this message go along (the inline images of its HTML too). */
  attachmentsFrom?: { folderId: MailboxId; uid: number };
  /** Forward these messages as message/rfc822 attachments. */
  forwardAttached?: Array<{ folderId: MailboxId; uid: number }>;
  /**
   * The charset of the text (the user's 邮件发送编码): 'gb2312' writes the subject and the text parts
   * in GB2312 (GBK codes) when every character has a code there, and UTF-8 otherwise. Default utf-8.
   */
  charset?: 'utf-8' | 'gb2312';
}

export interface SubmissionDeps {
  rules: SendingRules;
  users: Pick<UserService, 'get'>;
  userMail: UserMail;
  queue: Pick<QueueService, 'submit' | 'submitAll'>;
  pipeline?: Pick<Pipeline, 'open'>;
  settings(): Readonly<Settings>;
  hostname: string;
  now(): number;
}

export interface SendResult {
  queueId: QueueId;
  /** Where the Sent copy went; absent when the user keeps none or filing it failed (the mail is sent). */
  sent?: { folderId: MailboxId; uid: number };
  /** The draft the message came from was removed. */
  draftRemoved: boolean;
}

export class SubmissionService {
  constructor(private readonly deps: SubmissionDeps) {}

  /** Checks, builds, scans and queues the message; files the Sent copy. Nothing is queued on any refusal. */
  async send(actor: Actor, userId: UserId, input: ComposeInput, client: { ip: string; secure: boolean }, opts: { saveSent?: boolean } = {}): Promise<SendResult> {
    const user = await this.actingUser(actor, userId);
    const settings = this.deps.settings();
    const ctx: SendContext = { settings, user, declaredSize: 0, localUsers: [], trusted: false, mayRelay: async () => false };
    const sender = await this.deps.rules.sender(input.from ?? user.address, ctx);
    const recipients = await this.recipients(input, ctx);

    const built = await this.build(actor, user, input, sender.address);
    if (built.forQueue.length > settings.smtp.maxMessageBytes) {
      throw refusal('LIMIT_REACHED', 552, '5.3.4', `Message exceeds the maximum size of ${settings.smtp.maxMessageBytes} bytes`, 'attachments');
    }
    const queueId = await this.scanAndQueue(user, sender.address, recipients, built.forQueue, client, settings);

    let sent: SendResult['sent'];
    if (opts.saveSent !== false) {
      // The mail is on its way: a Sent copy that cannot be filed (a full mailbox) does not undo it.
      sent = await this.deps.userMail.file(actor, userId, '\\Sent', built.forSender, ['\\Seen']).catch(() => undefined);
    }
    if (input.original) {
      const o = input.original;
      await this.deps.userMail.mark(actor, userId, o.folderId, o.uid, o.action === 'reply' ? '\\Answered' : '$Forwarded').catch(() => undefined);
    }
    let draftRemoved = false;
    if (input.draft) draftRemoved = (await this.deps.userMail.remove(actor, userId, input.draft.folderId, [input.draft.uid]).catch(() => 0)) > 0;
    return { queueId, ...(sent ? { sent } : {}), draftRemoved };
  }

  /**
   * The checks `send` makes before building anything (sender, every recipient, the limit), without
   * sending: the webmail asks this before its undo-send countdown, so a refusal shows in compose.
   */
  async check(actor: Actor, userId: UserId, input: Pick<ComposeInput, 'from' | 'to' | 'cc' | 'bcc'>): Promise<{ recipients: number }> {
    const user = await this.actingUser(actor, userId);
    const ctx: SendContext = { settings: this.deps.settings(), user, declaredSize: 0, localUsers: [], trusted: false, mayRelay: async () => false };
    await this.deps.rules.sender(input.from ?? user.address, ctx);
    return { recipients: (await this.recipients(input as ComposeInput, ctx)).length };
  }

  /** Saves the compose window as a draft (\Draft, \Seen in Drafts), replacing the draft it came from. */
  async saveDraft(actor: Actor, userId: UserId, input: ComposeInput): Promise<{ folderId: MailboxId; uid: number }> {
    const user = await this.actingUser(actor, userId);
    const built = await this.build(actor, user, input, input.from ?? user.address);
    const max = this.deps.settings().smtp.maxMessageBytes;
    if (built.forSender.length > max) throw refusal('LIMIT_REACHED', 552, '5.3.4', `Message exceeds the maximum size of ${max} bytes`, 'attachments');
    const saved = await this.deps.userMail.file(actor, userId, '\\Drafts', built.forSender, ['\\Draft', '\\Seen']);
    if (input.draft) await this.deps.userMail.remove(actor, userId, input.draft.folderId, [input.draft.uid]).catch(() => 0);
    return saved;
  }

  /** Adds one file to a draft: the draft is written again with it and replaces the old one. */
  async addAttachment(actor: Actor, userId: UserId, draft: { folderId: MailboxId; uid: number }, file: ComposeAttachment): Promise<{ folderId: MailboxId; uid: number }> {
    const d = await this.openDraft(actor, userId, draft.folderId, draft.uid);
    return this.saveDraft(actor, userId, {
      from: d.from || undefined, to: d.to, cc: d.cc, bcc: d.bcc, subject: d.subject, text: d.text, ...(d.html ? { html: d.html } : {}),
      priority: 'normal', receipt: false, ...(d.inReplyTo ? { inReplyTo: d.inReplyTo } : {}), references: d.references,
      attachments: [file], draft,
    });
  }

  /** A draft as the compose window needs it again (Bcc and HTML included: the user wrote them). */
  async openDraft(actor: Actor, userId: UserId, folderId: MailboxId, uid: number) {
    await this.actingUser(actor, userId);
    const m = await readForDisplay(await this.deps.userMail.raw(actor, userId, folderId, uid));
    const list = (a: Array<{ name: string; address: string }>) => a.map((x) => (x.name ? `${x.name} <${x.address}>` : x.address));
    return {
      from: m.from[0]?.address ?? '', to: list(m.to), cc: list(m.cc), bcc: list(m.bcc), subject: m.subject,
      text: m.text, html: m.html, inReplyTo: m.inReplyTo, references: m.references,
      attachments: m.attachments.filter((a) => !a.inline),
    };
  }

  private async actingUser(actor: Actor, userId: UserId): Promise<DirectoryUser> {
    const role = actor.role;
    if (!(role.kind === 'user' && role.userId === userId) && role.kind !== 'system') {
      throw new MailError('FORBIDDEN', `${actor.who} may not send as user ${userId}`);
    }
    const user = await this.deps.users.get(userId);
    if (!user) throw new MailError('NOT_FOUND', `no user ${userId}`);
    if (user.status !== 'active') throw new MailError('ACCOUNT_DISABLED', `${user.address} is not active`);
    return user;
  }

  /** Every recipient through the rules, each refusal naming its field; duplicates count once. */
  private async recipients(input: ComposeInput, ctx: SendContext): Promise<string[]> {
    const out = new Set<string>();
    for (const field of ['to', 'cc', 'bcc'] as const) {
      for (const entry of input[field]) {
        const address = bareAddress(entry, field);
        const rcpt = await this.deps.rules.recipient(address, ctx, field);
        out.add(rcpt);
        this.deps.rules.recipientCount(out.size, ctx);
      }
    }
    if (out.size === 0) throw new MailError('INVALID_INPUT', 'to: at least one recipient', { details: { field: 'to' } });
    return [...out];
  }

  /** The message twice from one build: without Bcc for the queue, with it for Sent and Drafts. */
  private async build(actor: Actor, user: DirectoryUser, input: ComposeInput, from: string) {
    const attachments: ComposeAttachment[] = [];
    if (input.draft) {
      const drop = new Set(input.draft.dropAttachments ?? []);
      const old = await readAttachments(await this.deps.userMail.raw(actor, user.id, input.draft.folderId, input.draft.uid));
      attachments.push(...old.filter((_, i) => !drop.has(i)));
    }
    if (input.attachmentsFrom) {
      const f = input.attachmentsFrom;
      attachments.push(...await readAttachments(await this.deps.userMail.raw(actor, user.id, f.folderId, f.uid)));
    }
    for (const f of input.forwardAttached ?? []) {
      const raw = await this.deps.userMail.raw(actor, user.id, f.folderId, f.uid);
      const subject = (await readForDisplay(raw)).subject || 'message';
      attachments.push({ fileName: `${subject.replace(/[\\/:*?"<>|\x00-\x1f]/g, '_').slice(0, 100)}.eml`, contentType: 'message/rfc822', content: raw });
    }
    attachments.push(...(input.attachments ?? []));

    const now = this.deps.now();
    const messageId = `<${now.toString(36)}.${randomBytes(8).toString('hex')}@${this.deps.hostname}>`;
    const fromHeader = from === user.address && user.realName ? { name: user.realName, address: from } : from;
    const mail = {
      from: fromHeader, to: input.to, cc: input.cc, bcc: input.bcc,
      ...inCharset(input, attachments.some((a) => a.cid)),
      messageId, date: new Date(now),
      ...(input.inReplyTo ? { inReplyTo: input.inReplyTo } : {}),
      ...(input.references?.length ? { references: input.references } : {}),
      headers: {
        ...PRIORITY_HEADERS[input.priority],
        ...(input.receipt ? { 'Disposition-Notification-To': from } : {}),
      },
      attachments: attachments.map((a) => ({ filename: a.fileName, contentType: a.contentType, content: a.content, ...(a.cid ? { cid: a.cid } : {}) })),
      textEncoding: 'base64' as const,
    };
    // Loaded on first use: every CLI command builds the runtime, few of them compose mail.
    const { default: MailComposer } = await import('nodemailer/lib/mail-composer');
    const compile = async (keepBcc: boolean): Promise<Buffer> => {
      const node = new MailComposer(mail).compile();
      (node as unknown as { keepBcc: boolean }).keepBcc = keepBcc;
      return node.build();
    };
    return { forQueue: await compile(false), forSender: await compile(true) };
  }

  /** The pipeline as for an authenticated submission client, then the queue (DESIGN §4: durable on return). */
  private async scanAndQueue(user: DirectoryUser, sender: string, recipients: string[], raw: Buffer,
    client: { ip: string; secure: boolean }, settings: Readonly<Settings>): Promise<QueueId> {
    const session = this.deps.pipeline?.open({ ip: client.ip, kind: 'submission', trusted: false, settings });
    const meta = { clientIp: client.ip, authUser: user.address, listener: 'webmail' };
    try {
      let verdict: Awaited<ReturnType<NonNullable<typeof session>['data']>> = { kind: 'deliver', raw, headers: [] };
      if (session) {
        refuseOn(await session.connect());
        refuseOn(await session.mail(sender, { helo: 'webmail', authUser: user.address }));
        for (const r of recipients) refuseOn(await session.rcpt(r));
        const end = raw.indexOf('\r\n\r\n');
        verdict = await session.data({ raw, header: raw.subarray(0, end < 0 ? raw.length : end + 2).toString('latin1') });
      }
      if (verdict.kind === 'refuse') throw refusal('FORBIDDEN', verdict.reply.code, verdict.reply.enhanced, verdict.reply.text, 'attachments');
      if (verdict.kind === 'discard' || verdict.kind === 'quarantine') {
        // An outgoing message a stage will not let through is refused, not silently kept or lost.
        throw refusal('FORBIDDEN', 554, '5.7.1', `Message refused: ${verdict.reason}`, 'attachments');
      }
      const stamp = this.received(client, user, recipients);
      const stamped = Buffer.concat([Buffer.from([stamp, ...verdict.headers].join('\r\n') + '\r\n', 'utf8'), verdict.raw]);
      const main = {
        sender, recipients, raw: stamped, priority: 0, sentBy: { userId: user.id, domainId: user.domainId },
        ...(verdict.kind === 'hold' ? { state: 'holding' as const, meta: { ...meta, ...verdict.meta } } : { meta }),
      };
      if (verdict.kind === 'deliver' && verdict.routing) {
        // The content filter's redirect, copies (monitoring, archive) and notifications go with it in one transaction;
        // a message its rules delete is refused like a discarded one, and nothing is queued.
        if (verdict.routing.recipients?.length === 0) throw refusal('FORBIDDEN', 554, '5.7.1', 'Message refused by the content filter', 'attachments');
        return (await this.deps.queue.submitAll(routedSubmissions(main, verdict.routing)))[0]!;
      }
      return await this.deps.queue.submit(main);
    } finally {
      await session?.close();
    }
  }

  /** RFC 5321 §4.4 trace header for mail that came in over HTTP; `for` only with one recipient (Bcc). */
  private received(client: { ip: string; secure: boolean }, user: DirectoryUser, rcpts: string[]): string {
    const ip = client.ip.replace(/^::ffff:/, '');
    const forClause = rcpts.length === 1 ? `\r\n\tfor <${rcpts[0]}>` : '';
    return `Received: from [${ip}] (webmail user ${user.address})\r\n\tby ${this.deps.hostname} (Youju) with ${client.secure ? 'HTTPS' : 'HTTP'}${forClause};\r\n\t${rfc5322Date(this.deps.now())}`;
  }
}

/** Urgent mail as Outlook, Foxmail and Thunderbird mark and read it. */
const PRIORITY_HEADERS: Record<ComposeInput['priority'], Record<string, string>> = {
  high: { 'X-Priority': '1 (Highest)', 'X-MSMail-Priority': 'High', Importance: 'High' },
  normal: {},
  low: { 'X-Priority': '5 (Lowest)', 'X-MSMail-Priority': 'Low', Importance: 'Low' },
};

function refuseOn(out: { kind: 'pass' } | { kind: 'refuse'; reply: { code: number; enhanced: string; text: string } }): void {
  if (out.kind === 'refuse') throw refusal('FORBIDDEN', out.reply.code, out.reply.enhanced, out.reply.text);
}

/** `张三 <a@b.cn>` or `a@b.cn` → `a@b.cn`; anything else is INVALID_INPUT naming the field. */
export function bareAddress(entry: string, field: string): string {
  const m = /<([^<>]*)>\s*$/.exec(entry);
  const address = (m ? m[1]! : entry).trim();
  if (!/^[^\s@<>,;]+@[^\s@<>,;]+$/.test(address)) {
    throw new MailError('INVALID_INPUT', `${field}: not an address: ${entry.slice(0, 100)}`, { details: { field } });
  }
  return address;
}

/**
 * Subject and body parts for MailComposer in the charset asked for. GB2312 text goes in as
 * alternatives (MailComposer labels its own text and html parts UTF-8); an HTML body with inline
 * images stays UTF-8, so that its images stay in the multipart/related part MailComposer builds.
 */
function inCharset(input: ComposeInput, inlineImages: boolean): Record<string, unknown> {
  const plain = { subject: input.subject, text: input.text, ...(input.html ? { html: input.html } : {}) };
  if (input.charset !== 'gb2312' || (input.html && inlineImages)) return plain;
  const text = encodeText(input.text, 'gb2312');
  const html = input.html === undefined ? undefined : encodeText(input.html, 'gb2312');
  const subject = encodedWords(input.subject, 'GB2312');
  if (!text || (input.html !== undefined && !html) || subject === undefined) return plain;
  const part = (content: Buffer, type: string) => ({ content, contentType: `${type}; charset=gb2312`, encoding: 'base64' });
  return { subject, alternatives: [part(text, 'text/plain'), ...(html ? [part(html, 'text/html')] : [])] };
}

/**
 * RFC 2047 B encoded-words for a header text in a double-byte charset, each at most 75 characters
 * and never splitting a character; ASCII text stays as it is. Undefined when a character has no code.
 */
export function encodedWords(text: string, charset: string): string | undefined {
  if (/^[\x20-\x7e]*$/.test(text)) return text;
  const words: string[] = [];
  let chunk = '';
  for (const ch of text) {
    const next = chunk + ch;
    const bytes = encodeText(next, charset);
    if (!bytes) return undefined;
    // 45 bytes are 60 base64 characters: with "=?GB2312?B?" and "?=" the word stays within 75.
    if (bytes.length > 45) {
      words.push(chunk);
      chunk = ch;
    } else chunk = next;
  }
  if (chunk) words.push(chunk);
  return words.map((w) => `=?${charset}?B?${encodeText(w, charset)!.toString('base64')}?=`).join(' ');
}
