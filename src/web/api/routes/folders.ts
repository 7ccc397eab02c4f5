/**
 * Folder routes (FEATURES W4, W7): the logged-in user's folders with their counts; custom folders
 * created (at the top or inside another), renamed in place and deleted; Trash and Junk emptied.
 * System folders (INBOX, Drafts, Sent, Trash, Junk) cannot be renamed or deleted. Another user's
 * folder id is 404, as everywhere.
 */
import { z } from 'zod';
import type { MailboxId } from '../../../core/ids.ts';
import { defineRoute, type AnyRoute } from '../route.ts';
import type { WebDeps } from '../deps.ts';
import { Folder, FolderId, FolderParams } from './schemas.ts';

const FolderName = z.string().min(1).max(100).describe("One level: no '/'");

export function folderRoutes(deps: WebDeps): AnyRoute[] {
  const m = deps.userMail;
  return [
    defineRoute({
      method: 'GET', url: '/api/folders', tag: 'folders', auth: true, errors: [],
      summary: 'The folders of the logged-in user with message, unread and byte counts (INBOX first)',
      response: z.object({ folders: z.array(Folder) }),
      handler: async ({ who }) => {
        const me = who();
        return { folders: await m.folders(me.actor, me.user.id) };
      },
    }),
    defineRoute({
      method: 'POST', url: '/api/folders', tag: 'folders', auth: true, errors: ['NOT_FOUND', 'ALREADY_EXISTS'],
      summary: 'Creates a custom folder, at the top or inside parentId',
      body: z.strictObject({ name: FolderName, parentId: FolderId.optional() }),
      response: Folder,
      handler: async ({ who, body }) => {
        const me = who();
        return m.createFolder(me.actor, me.user.id, body.name, body.parentId as MailboxId | undefined);
      },
    }),
    defineRoute({
      method: 'POST', url: '/api/folders/:folderId/rename', tag: 'folders', auth: true, errors: ['NOT_FOUND', 'ALREADY_EXISTS', 'FORBIDDEN'],
      summary: 'Renames a custom folder in place (its subfolders follow)',
      params: FolderParams, body: z.strictObject({ name: FolderName }),
      response: z.object({ ok: z.literal(true) }),
      handler: async ({ who, params, body }) => {
        const me = who();
        await m.renameFolder(me.actor, me.user.id, params.folderId as MailboxId, body.name);
        return { ok: true as const };
      },
    }),
    defineRoute({
      method: 'POST', url: '/api/folders/:folderId/delete', tag: 'folders', auth: true, errors: ['NOT_FOUND', 'FORBIDDEN'],
      summary: 'Deletes a custom folder with its messages (not one with subfolders)',
      params: FolderParams, body: z.strictObject({}),
      response: z.object({ ok: z.literal(true) }),
      handler: async ({ who, params }) => {
        const me = who();
        await m.deleteFolder(me.actor, me.user.id, params.folderId as MailboxId);
        return { ok: true as const };
      },
    }),
    defineRoute({
      method: 'POST', url: '/api/folders/:folderId/empty', tag: 'folders', auth: true, errors: ['NOT_FOUND', 'FORBIDDEN'],
      summary: 'Empties Trash or Junk for good',
      params: FolderParams, body: z.strictObject({}),
      response: z.object({ removed: z.number().int() }),
      handler: async ({ who, params }) => {
        const me = who();
        return { removed: await m.emptyFolder(me.actor, me.user.id, params.folderId as MailboxId) };
      },
    }),
  ];
}
