/**
 * Search of the logged-in user's mail (issue #12, the shell's search box): subject, addresses and
 * body from the full-text index, Chinese words included, in one folder or every folder but Trash
 * and Junk, with date range, attachment and unread filters; newest first, paged, with a total
 * counted up to a limit (`more` beyond it). The rules live in mailbox/mail-search.ts; a folder id
 * of another user answers 404 like one that does not exist.
 */
import { z } from 'zod';
import type { MailboxId } from '../../../core/ids.ts';
import { MAX_QUERY_CHARS, SEARCH_COUNT_LIMIT, SEARCH_FIELDS } from '../../../mailbox/mail-search.ts';
import { MAX_PAGE_SIZE, DEFAULT_PAGE_SIZE } from '../../../mailbox/user-mail.ts';
import { defineRoute, type AnyRoute } from '../route.ts';
import type { WebDeps } from '../deps.ts';
import { FolderId, MessageLine } from './schemas.ts';

const Time = z.coerce.number().int().min(0).max(8_640_000_000_000_000);
const Flag = z.enum(['true', 'false']).optional().transform((v) => v === 'true');

export function searchRoutes(deps: WebDeps): AnyRoute[] {
  return [
    defineRoute({
      method: 'GET', url: '/api/search', tag: 'mail', auth: true, errors: ['NOT_FOUND'],
      summary: "Searches the user's mail: words in subject, addresses or body (Chinese included), newest first, paged",
      query: z.strictObject({
        q: z.string().max(MAX_QUERY_CHARS).default('').describe('Words; space-separated parts must all occur. May be empty when a filter is given'),
        field: z.enum(SEARCH_FIELDS as ['all', ...Array<'all'>]).default('all'),
        folderId: FolderId.optional().describe('One folder; default: every folder but Trash and Junk'),
        since: Time.optional().describe('Arrived at or after, ms since the epoch'),
        before: Time.optional().describe('Arrived before, ms since the epoch'),
        attachment: Flag.describe('true: only messages with attachments'),
        unread: Flag.describe('true: only unread messages'),
        page: z.coerce.number().int().min(1).max(1_000_000).default(1),
        pageSize: z.coerce.number().int().min(1).max(MAX_PAGE_SIZE).default(DEFAULT_PAGE_SIZE),
      }),
      response: z.object({
        total: z.number().int().describe(`Matches, counted up to ${SEARCH_COUNT_LIMIT}`),
        more: z.boolean().describe('More than total match'),
        page: z.number().int(), pageSize: z.number().int(),
        messages: z.array(MessageLine),
      }),
      handler: async ({ who, query }) => {
        const me = who();
        return deps.userMail.search(me.actor, me.user.id, {
          text: query.q, field: query.field, folderId: query.folderId as MailboxId | undefined, since: query.since, before: query.before,
          hasAttachment: query.attachment, unreadOnly: query.unread, page: query.page, pageSize: query.pageSize,
        });
      },
    }),
  ];
}
