/**
 * Compose routes (FEATURES W6): send, save a draft, open a draft again, and add an attachment to a
 * draft. Sending goes through the submission service, so the rules of SMTP submission apply (sender
 * ownership, send scopes, recipient limit, unknown or full mailboxes) and a refusal names the field
 * it is about. A compose window's attachments live in its draft: the page saves a draft first,
 * uploads each file into it (its bytes as the body, application/octet-stream), and sends from it.
 */
import { z } from 'zod';
import type { MailboxId } from '../../../core/ids.ts';
import { bareAddress, type ComposeInput } from '../../../submission/submission-service.ts';
import { defineRoute, type AnyRoute } from '../route.ts';
import type { WebDeps } from '../deps.ts';
import { FolderId, MessageParams, Uid } from './schemas.ts';

/** Long HTML and many recipients: more than the app's default JSON body. */
const COMPOSE_BODY_LIMIT = 4 * 1024 * 1024;
/** The upload route's ceiling; the message size limit (smtp.maxMessageBytes) is checked on the draft. */
const UPLOAD_BODY_LIMIT = 100 * 1024 * 1024;

const AddressList = z.array(z.string().min(3).max(400)).max(1000).default([]);
const MessageRef = z.strictObject({ folderId: FolderId, uid: Uid });

export const ComposeBody = z.strictObject({
  from: z.string().max(320).optional().describe('An address the user owns; default their own'),
  to: AddressList, cc: AddressList, bcc: AddressList,
  subject: z.string().max(998).default(''),
  text: z.string().max(COMPOSE_BODY_LIMIT).default(''),
  html: z.string().max(COMPOSE_BODY_LIMIT).optional().describe('The rich-text body; `text` is its plain alternative'),
  priority: z.enum(['high', 'normal', 'low']).default('normal').describe('high = urgent (X-Priority 1, Importance: high)'),
  receipt: z.boolean().default(false).describe('Ask for a read receipt'),
  inReplyTo: z.string().max(998).optional(),
  references: z.array(z.string().max(998)).max(100).optional(),
  draft: MessageRef.extend({ dropAttachments: z.array(z.number().int().min(0).max(10_000)).max(1000).optional() }).optional()
    .describe('The draft this comes from: its attachments are kept (less those dropped) and it is replaced or removed'),
  original: MessageRef.extend({ action: z.enum(['reply', 'forward']) }).optional().describe('Marked \\Answered or $Forwarded once sent'),
  attachmentsFrom: MessageRef.optional().describe('Forward inline: the attachments of this message go along'),
  forwardAttached: z.array(MessageRef).max(20).optional().describe('Messages attached whole (forward as attachment)'),
  saveSent: z.boolean().default(true).describe('File a copy in Sent'),
  charset: z.enum(['utf-8', 'gb2312']).optional().describe('Charset of the subject and text (邮件发送编码); default: the user\'s preference'),
});

const Attachment = z.object({ index: z.number().int(), fileName: z.string(), contentType: z.string(), size: z.number().int(), inline: z.boolean() });
const DraftRef = z.object({ folderId: z.number().int(), uid: z.number().int() }).describe('DraftRef');
const SavedDraft = DraftRef.extend({ attachments: z.array(Attachment) }).describe('SavedDraft');

const input = (b: z.output<typeof ComposeBody>): ComposeInput => ({
  ...b,
  draft: b.draft && { ...b.draft, folderId: b.draft.folderId as MailboxId },
  original: b.original && { ...b.original, folderId: b.original.folderId as MailboxId },
  attachmentsFrom: b.attachmentsFrom && { ...b.attachmentsFrom, folderId: b.attachmentsFrom.folderId as MailboxId },
  forwardAttached: b.forwardAttached?.map((f) => ({ ...f, folderId: f.folderId as MailboxId })),
});

/** `Name <a@b>`, `"Name" <a@b>` or `a@b` as a contact to add: the address as sending read it (bareAddress). */
function person(entry: string): { name: string; email: string } {
  const lt = entry.lastIndexOf('<');
  return { name: lt > 0 ? entry.slice(0, lt).trim().replace(/^"(.*)"$/, '$1') : '', email: bareAddress(entry, 'to') };
}

export function composeRoutes(deps: WebDeps): AnyRoute[] {
  const s = deps.submission;
  if (!s) return [];
  const saved = async (me: { actor: Parameters<typeof s.openDraft>[0]; user: { id: Parameters<typeof s.openDraft>[1] } }, ref: { folderId: MailboxId; uid: number }) =>
    ({ ...ref, attachments: (await s.openDraft(me.actor, me.user.id, ref.folderId, ref.uid)).attachments });
  return [
    defineRoute({
      method: 'POST', url: '/api/compose/send', tag: 'compose', auth: true, bodyLimit: COMPOSE_BODY_LIMIT,
      errors: ['NOT_FOUND', 'FORBIDDEN', 'RCPT_UNKNOWN_USER', 'LIMIT_REACHED', 'QUOTA_EXCEEDED', 'ACCOUNT_DISABLED'],
      summary: 'Sends the message under the submission rules; files the copy in Sent and removes the draft it came from',
      body: ComposeBody,
      response: z.object({ queueId: z.number().int(), sent: DraftRef.optional(), draftRemoved: z.boolean() }),
      handler: async ({ who, body, req }) => {
        const me = who();
        const { saveSent, ...rest } = body;
        const prefs = await deps.options?.user.preferences(me.actor, me.user.id);
        const charset = rest.charset ?? prefs?.charset;
        const sent = await s.send(me.actor, me.user.id, { ...input(rest as typeof body), ...(charset ? { charset } : {}) }, { ip: req.ip, secure: req.protocol === 'https' }, { saveSent });
        // 自动保存收件人到通讯录: the people written to join the personal book (those already in it stay as they are).
        // The mail is sent either way: a full book only means nobody is added.
        if (prefs?.autoSaveRecipients) {
          await deps.contacts.book.addAddresses(me.actor, me.user.id, [...body.to, ...body.cc, ...body.bcc].map(person)).catch(() => undefined);
        }
        return sent;
      },
    }),
    defineRoute({
      method: 'POST', url: '/api/compose/check', tag: 'compose', auth: true, bodyLimit: COMPOSE_BODY_LIMIT,
      errors: ['FORBIDDEN', 'RCPT_UNKNOWN_USER', 'LIMIT_REACHED', 'QUOTA_EXCEEDED', 'ACCOUNT_DISABLED'],
      summary: 'The sender and recipient checks of send, without sending (before an undo-send countdown)',
      body: ComposeBody, response: z.object({ recipients: z.number().int() }),
      handler: async ({ who, body }) => {
        const me = who();
        return s.check(me.actor, me.user.id, body);
      },
    }),
    defineRoute({
      method: 'POST', url: '/api/compose/drafts', tag: 'compose', auth: true, bodyLimit: COMPOSE_BODY_LIMIT,
      errors: ['NOT_FOUND', 'LIMIT_REACHED', 'QUOTA_EXCEEDED'],
      summary: 'Saves the compose window in Drafts, replacing the draft it came from',
      body: ComposeBody, response: SavedDraft,
      handler: async ({ who, body }) => {
        const me = who();
        return saved(me, await s.saveDraft(me.actor, me.user.id, input(body)));
      },
    }),
    defineRoute({
      method: 'GET', url: '/api/compose/drafts/:folderId/:uid', tag: 'compose', auth: true, errors: ['NOT_FOUND'],
      summary: 'A draft as the compose window needs it again (Bcc and HTML included)',
      params: MessageParams,
      response: z.object({
        from: z.string(), to: z.array(z.string()), cc: z.array(z.string()), bcc: z.array(z.string()), subject: z.string(),
        text: z.string(), html: z.string().nullable(), inReplyTo: z.string(), references: z.array(z.string()), attachments: z.array(Attachment),
      }).describe('Draft'),
      handler: async ({ who, params }) => {
        const me = who();
        return s.openDraft(me.actor, me.user.id, params.folderId as MailboxId, params.uid);
      },
    }),
    defineRoute({
      method: 'POST', url: '/api/compose/drafts/:folderId/:uid/attachments', tag: 'compose', auth: true,
      bodyLimit: UPLOAD_BODY_LIMIT, rawBody: true, errors: ['NOT_FOUND', 'LIMIT_REACHED', 'QUOTA_EXCEEDED'],
      summary: "Adds a file to the draft (the body is the file's bytes); answers the new draft that replaces it",
      params: MessageParams,
      query: z.strictObject({
        name: z.string().min(1).max(255).describe('The file name'),
        type: z.string().max(255).regex(/^[\w.+-]+\/[\w.+-]+$/, 'a MIME type like image/png').default('application/octet-stream'),
      }),
      response: SavedDraft,
      handler: async ({ who, params, query, req }) => {
        const me = who();
        const content = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
        const ref = await s.addAttachment(me.actor, me.user.id, { folderId: params.folderId as MailboxId, uid: params.uid },
          { fileName: query.name, contentType: query.type, content });
        return saved(me, ref);
      },
    }),
  ];
}
