/**
 * Message routes of the logged-in user (FEATURES W4, W5): a folder's list sorted and paged, one
 * message opened, the folder's conversations (grouped by thread) and one conversation's lines, its HTML part, an attachment, flags, move, and delete to Trash. Every id in a
 * path is resolved under the session's own user (mailbox/user-mail.ts): another user's folder id
 * answers 404, exactly like one that does not exist.
 *
 * HTML mail: the JSON never carries it. GET …/html serves it sanitised (mailbox/mail-html.ts,
 * mime/safe-html.ts: DOMPurify on the server) as a whole document under a CSP sandbox of its own
 * (security-headers.ts mailHtmlCsp), for the webmail to show in an <iframe sandbox>. The browser
 * then enforces, whatever the markup: no script runs, no form posts, no navigation of the app,
 * nothing fetched from outside except images the user allowed. The sanitiser and the sandbox are
 * two lines: either holds if the other misses something. The image-senders routes keep the list of
 * senders whose remote images always show.
 */
import { uniqueNames, zip } from '../../../core/zip.ts';
import { z } from 'zod';
import { MailError } from '../../../core/errors.ts';
import type { MailboxId } from '../../../core/ids.ts';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, MESSAGE_SORTS } from '../../../mailbox/user-mail.ts';
import { defineRoute, type AnyRoute } from '../route.ts';
import type { WebDeps } from '../deps.ts';
import { mailHtmlCsp, SANDBOX_CSP } from '../security-headers.ts';
import { Folder, FolderId, FolderParams, MessageLine, MessageParams, Uids } from './schemas.ts';


const Address = z.object({ name: z.string(), address: z.string() });
const Attachment = z.object({
  index: z.number().int(), fileName: z.string().describe('Made safe: no path, control or bidi characters'),
  contentType: z.string(), size: z.number().int(), inline: z.boolean(),
});
const OpenedMessage = MessageLine.extend({
  content: z.object({
    from: z.array(Address), to: z.array(Address), cc: z.array(Address), replyTo: z.array(Address),
    subject: z.string(), date: z.number().nullable(), messageId: z.string(),
    inReplyTo: z.string(), references: z.array(z.string()).describe('For a reply: its References are these and messageId'),
    text: z.string().describe('The text part (shown as text, never as HTML)'),
    hasHtml: z.boolean().describe('Whether GET …/html has an HTML part to show in a sandboxed iframe'),
    attachments: z.array(Attachment),
  }),
}).describe('OpenedMessage');

const ListQuery = z.strictObject({
  sort: z.enum(MESSAGE_SORTS as ['date', ...Array<'date'>]).default('date'),
  order: z.enum(['asc', 'desc']).optional().describe('Default: desc for date, asc otherwise'),
  page: z.coerce.number().int().min(1).max(1_000_000).default(1),
  pageSize: z.coerce.number().int().min(1).max(MAX_PAGE_SIZE).default(DEFAULT_PAGE_SIZE),
});
const ConversationKey = z.string().regex(/^(#[0-9]{1,16}|[A-Za-z0-9_-]{1,64})$/, 'a conversation key from GET …/conversations');
const Conversation = z.object({
  key: ConversationKey.describe('The thread id, or #uid for a lone message without one'),
  subject: z.string().describe('Of its first message'), participants: z.array(z.string()).describe('Senders, oldest first, at most 4'),
  messages: z.number().int(), unread: z.number().int(), flagged: z.boolean(), hasAttachment: z.boolean(),
  newestDate: z.number(), size: z.number().int(), uids: z.array(z.number().int()).describe('Every uid of it in this folder: actions take them all'),
  latest: MessageLine,
}).describe('Conversation');

const ImageSenders = z.object({ senders: z.array(z.string()).describe('Lower-case addresses, sorted') });

/** Types a browser may show inline from an attachment link; anything else downloads as bytes. */
const INLINE_TYPES = new Set(['image/png', 'image/jpeg', 'image/gif', 'image/webp', 'application/pdf', 'text/plain']);

/** RFC 6266 / 5987: an ASCII fallback and the UTF-8 name. */
export const contentDisposition = (name: string, inline = false) =>
  `${inline ? 'inline' : 'attachment'}; filename="${name.replace(/[^\x20-\x7e]|["\\]/g, '_')}"; filename*=UTF-8''${encodeURIComponent(name)}`;

/** What a page of the list and of the conversation list say of themselves. */
const PageHead = z.object({
  folder: Folder, total: z.number().int(), unread: z.number().int(), page: z.number().int(), pageSize: z.number().int(),
});

/** The list query as UserMail takes it: order absent means the sort's own default. */
const listOptions = (query: z.infer<typeof ListQuery>) =>
  ({ sort: query.sort, descending: query.order === undefined ? undefined : query.order === 'desc', page: query.page, pageSize: query.pageSize });

export function mailRoutes(deps: WebDeps): AnyRoute[] {
  const m = deps.userMail;
  return [
    defineRoute({
      method: 'GET', url: '/api/folders/:folderId/messages', tag: 'mail', auth: true, errors: ['NOT_FOUND'],
      summary: "A page of a folder's messages, sorted, with the folder's total and unread counts",
      params: FolderParams,
      query: ListQuery,
      response: PageHead.extend({ messages: z.array(MessageLine) }),
      handler: async ({ who, params, query }) => {
        const me = who();
        return m.list(me.actor, me.user.id, params.folderId as MailboxId, listOptions(query));
      },
    }),
    defineRoute({
      method: 'GET', url: '/api/folders/:folderId/conversations', tag: 'mail', auth: true, errors: ['NOT_FOUND'],
      summary: "A page of a folder's conversations (messages grouped by thread), sorted like the list; total counts conversations",
      params: FolderParams, query: ListQuery,
      response: PageHead.extend({ conversations: z.array(Conversation) }),
      handler: async ({ who, params, query }) => {
        const me = who();
        return m.conversations(me.actor, me.user.id, params.folderId as MailboxId, listOptions(query));
      },
    }),
    defineRoute({
      method: 'GET', url: '/api/folders/:folderId/conversations/:key', tag: 'mail', auth: true, errors: ['NOT_FOUND'],
      summary: 'The lines of one conversation of the folder, oldest first (open each with GET …/messages/:uid)',
      params: z.strictObject({ folderId: FolderId, key: ConversationKey }),
      response: z.object({ messages: z.array(MessageLine) }),
      handler: async ({ who, params }) => {
        const me = who();
        return { messages: await m.conversation(me.actor, me.user.id, params.folderId as MailboxId, params.key) };
      },
    }),
    defineRoute({
      method: 'GET', url: '/api/folders/:folderId/messages/:uid', tag: 'mail', auth: true, errors: ['NOT_FOUND'],
      summary: 'One message: header fields, the text part, whether it has HTML, attachments. Does not mark it read',
      params: MessageParams,
      response: OpenedMessage,
      handler: async ({ who, params }) => {
        const me = who();
        const msg = await m.open(me.actor, me.user.id, params.folderId as MailboxId, params.uid);
        const { html, cids, ...content } = msg.content;
        return { ...msg, content: { ...content, hasHtml: html !== null } };
      },
    }),
    defineRoute({
      method: 'GET', url: '/api/folders/:folderId/messages/:uid/html', tag: 'mail', auth: true, errors: ['NOT_FOUND'],
      summary: "The message's HTML part sanitised (DOMPurify), for the webmail's <iframe sandbox>: a whole document under a CSP "
        + 'that lets no script run and fetches no remote image unless shown (images=show, or the sender is on the image-senders list). '
        + 'Its head says <meta name="youju-remote-images"> (how many), "youju-images-shown" (no | once | sender), "youju-sender"',
      params: MessageParams,
      query: z.strictObject({ images: z.enum(['show']).optional().describe('Show remote images this once') }),
      response: 'raw', produces: 'text/html',
      handler: async ({ who, params, query, reply }) => {
        const me = who();
        const r = await deps.mailHtml.render(me.actor, me.user.id, params.folderId as MailboxId, params.uid, {
          showImages: query.images === 'show',
          partUrl: (index) => `/api/folders/${params.folderId}/messages/${params.uid}/attachments/${index}`,
        });
        return reply.header('content-security-policy', mailHtmlCsp(r.imagesShown !== 'no')).header('x-frame-options', 'SAMEORIGIN')
          .header('cache-control', 'no-store').type('text/html; charset=utf-8').send(r.html);
      },
    }),
    defineRoute({
      method: 'GET', url: '/api/options/image-senders', tag: 'mail', auth: true, errors: [],
      summary: 'The senders whose remote images the logged-in user always shows',
      response: ImageSenders,
      handler: async ({ who }) => {
        const me = who();
        return { senders: await deps.mailHtml.imageSenders(me.actor, me.user.id) };
      },
    }),
    defineRoute({
      method: 'POST', url: '/api/options/image-senders', tag: 'mail', auth: true, errors: ['LIMIT_REACHED'],
      summary: 'Adds a sender to the list whose remote images always show (allow: true) or takes it off',
      body: z.strictObject({ address: z.string().min(3).max(320), allow: z.boolean() }),
      response: ImageSenders,
      handler: async ({ who, body }) => {
        const me = who();
        return { senders: await deps.mailHtml.setImageSender(me.actor, me.user.id, body.address, body.allow) };
      },
    }),
    defineRoute({
      method: 'GET', url: '/api/folders/:folderId/messages/:uid/attachments/:index', tag: 'mail', auth: true, errors: ['NOT_FOUND'],
      summary: 'One attachment as a download, under its safe name; view=inline shows an image, PDF or plain text in the browser (other types still download)',
      params: z.strictObject({ folderId: FolderId, uid: MessageParams.shape.uid, index: z.coerce.number().int().min(0).max(10_000) }),
      query: z.strictObject({ view: z.enum(['download', 'inline']).default('download') }),
      response: 'raw', produces: 'application/octet-stream',
      handler: async ({ who, params, query, reply }) => {
        const me = who();
        const a = await m.attachment(me.actor, me.user.id, params.folderId as MailboxId, params.uid, params.index);
        // Only the types a browser shows without running anything of the sender's (never HTML or SVG), under the sandbox CSP.
        const shown = INLINE_TYPES.has(a.contentType);
        return reply.header('content-security-policy', SANDBOX_CSP).header('content-disposition', contentDisposition(a.fileName, shown && query.view === 'inline'))
          .type(shown ? a.contentType : 'application/octet-stream').send(a.content);
      },
    }),
    defineRoute({
      method: 'GET', url: '/api/folders/:folderId/messages/:uid/attachments.zip', tag: 'mail', auth: true, errors: ['NOT_FOUND'],
      summary: 'Every attachment of the message in one zip archive (UTF-8 names, repeated names numbered)',
      params: MessageParams, response: 'raw', produces: 'application/zip',
      handler: async ({ who, params, reply }) => {
        const me = who();
        const all = await m.attachments(me.actor, me.user.id, params.folderId as MailboxId, params.uid);
        if (all.length === 0) throw new MailError('NOT_FOUND', `message ${params.uid} has no attachments`);
        const names = uniqueNames(all.map((a) => a.fileName));
        return reply.header('content-disposition', contentDisposition(`attachments-${params.uid}.zip`)).type('application/zip')
          .send(zip(all.map((a, i) => ({ name: names[i]!, content: a.content }))));
      },
    }),
    defineRoute({
      method: 'GET', url: '/api/folders/:folderId/messages/:uid/source', tag: 'mail', auth: true, errors: ['NOT_FOUND'],
      summary: 'The message as stored (RFC 5322): shown as text (view=text, the default) or downloaded as a .eml file (view=eml)',
      params: MessageParams,
      query: z.strictObject({ view: z.enum(['text', 'eml']).default('text') }),
      response: 'raw', produces: 'text/plain, message/rfc822',
      handler: async ({ who, params, query, reply }) => {
        const me = who();
        const raw = await m.raw(me.actor, me.user.id, params.folderId as MailboxId, params.uid);
        reply.header('content-security-policy', SANDBOX_CSP);
        // As text the bytes are shown, never interpreted: a browser does not render text/plain as HTML.
        if (query.view === 'text') return reply.type('text/plain; charset=utf-8').send(raw);
        return reply.header('content-disposition', contentDisposition(`message-${params.uid}.eml`)).type('message/rfc822').send(raw);
      },
    }),
    defineRoute({
      method: 'POST', url: '/api/folders/:folderId/messages/flags', tag: 'mail', auth: true, errors: ['NOT_FOUND'],
      summary: 'Marks messages read or unread, flagged (starred) or not',
      params: FolderParams,
      body: z.strictObject({ uids: Uids, seen: z.boolean().optional(), flagged: z.boolean().optional() })
        .refine((b) => b.seen !== undefined || b.flagged !== undefined, { message: 'give seen or flagged', path: ['seen'] }),
      response: z.object({ changed: z.number().int() }),
      handler: async ({ who, params, body }) => {
        const me = who();
        return { changed: await m.setFlags(me.actor, me.user.id, params.folderId as MailboxId, body.uids, { seen: body.seen, flagged: body.flagged }) };
      },
    }),
    defineRoute({
      method: 'POST', url: '/api/folders/:folderId/messages/move', tag: 'mail', auth: true, errors: ['NOT_FOUND', 'QUOTA_EXCEEDED'],
      summary: "Moves messages to another of the user's folders, all or none",
      params: FolderParams,
      body: z.strictObject({ uids: Uids, toFolderId: z.number().int().positive().max(Number.MAX_SAFE_INTEGER) }),
      response: z.object({ moved: z.array(z.object({ from: z.number().int(), to: z.number().int() })) }),
      handler: async ({ who, params, body }) => {
        const me = who();
        return { moved: await m.move(me.actor, me.user.id, params.folderId as MailboxId, body.uids, body.toFolderId as MailboxId) };
      },
    }),
    defineRoute({
      method: 'POST', url: '/api/folders/:folderId/messages/delete', tag: 'mail', auth: true, errors: ['NOT_FOUND'],
      summary: 'Deletes messages to Trash; in Trash itself, deletes them for good',
      params: FolderParams,
      body: z.strictObject({ uids: Uids }),
      response: z.object({ movedToTrash: z.number().int(), removed: z.number().int() }),
      handler: async ({ who, params, body }) => {
        const me = who();
        return m.delete(me.actor, me.user.id, params.folderId as MailboxId, body.uids);
      },
    }),
  ];
}
