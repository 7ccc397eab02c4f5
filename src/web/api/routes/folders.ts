/** Folder routes: the logged-in user's folders with their counts (FEATURES W4, W7). */
import { z } from 'zod';
import { defineRoute, type AnyRoute } from '../route.ts';
import type { WebDeps } from '../deps.ts';
import { Folder } from './schemas.ts';

export function folderRoutes(deps: WebDeps): AnyRoute[] {
  return [
    defineRoute({
      method: 'GET', url: '/api/folders', tag: 'folders', auth: true, errors: [],
      summary: 'The folders of the logged-in user with message, unread and byte counts (INBOX first)',
      response: z.object({ folders: z.array(Folder) }),
      handler: async ({ who }) => {
        const me = who();
        return { folders: await deps.userMail.folders(me.actor, me.user.id) };
      },
    }),
  ];
}
