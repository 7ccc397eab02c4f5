/** Schemas the mail and folder routes share: ids in paths, folder and message views. */
import { z } from 'zod';
import { MAX_UIDS } from '../../../mailbox/user-mail.ts';

export const FolderId = z.coerce.number().int().positive().max(Number.MAX_SAFE_INTEGER).describe('A folder id from GET /api/folders');
export const Uid = z.coerce.number().int().positive().max(Number.MAX_SAFE_INTEGER).describe('A message uid within its folder');
export const FolderParams = z.strictObject({ folderId: FolderId });
export const MessageParams = z.strictObject({ folderId: FolderId, uid: Uid });
export const Uids = z.array(z.number().int().positive().max(Number.MAX_SAFE_INTEGER)).min(1).max(MAX_UIDS);

export const Folder = z.object({
  id: z.number().int(),
  name: z.string().describe("Full path, '/'-separated"),
  specialUse: z.enum(['\\Inbox', '\\Drafts', '\\Sent', '\\Trash', '\\Junk', '\\Archive']).nullable(),
  messages: z.number().int(),
  unseen: z.number().int(),
  bytes: z.number().int(),
}).describe('Folder');

export const MessageLine = z.object({
  folderId: z.number().int(),
  uid: z.number().int(),
  flags: z.array(z.string()).describe('IMAP flags: \\Seen, \\Flagged, \\Answered …'),
  from: z.string(),
  to: z.string(),
  subject: z.string(),
  sentAt: z.number().nullable().describe('Date header, ms since the epoch'),
  internalDate: z.number().describe('Arrival, ms since the epoch'),
  size: z.number().int(),
  hasAttachment: z.boolean(),
  priority: z.enum(['high', 'normal', 'low']),
}).describe('MessageLine');
