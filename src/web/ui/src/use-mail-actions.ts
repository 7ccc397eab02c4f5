/**
 * The list's actions as one mutation (FEATURES W4): mark read/unread, star, move, delete to Trash
 * (in Trash, for good). Whatever it does, the folder counts, the list and the open message are
 * asked again afterwards, so the screen shows what the server holds.
 */
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { App } from 'antd';
import { useTranslation } from 'react-i18next';
import { api, keys, type Folder } from './api.ts';
import { errorText } from './errors.ts';
import { folderLabel } from './format.ts';

export type MailAction =
  | { kind: 'flags'; uids: number[]; seen?: boolean; flagged?: boolean }
  | { kind: 'move'; uids: number[]; to: Folder }
  | { kind: 'delete'; uids: number[] };

export function useMailActions(folderId: number, onGone: (uids: number[]) => void) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async (a: MailAction) => {
      if (a.kind === 'flags') await api.setFlags(folderId, a.uids, { seen: a.seen, flagged: a.flagged });
      else if (a.kind === 'move') {
        await api.move(folderId, a.uids, a.to.id);
        void message.success(t('list.movedTo', { count: a.uids.length, folder: folderLabel(t, a.to) }));
      } else {
        const r = await api.remove(folderId, a.uids);
        void message.success(r.removed > 0 ? t('list.removed', { count: r.removed }) : t('list.deleted', { count: r.movedToTrash }));
      }
      if (a.kind !== 'flags') onGone(a.uids);
    },
    onError: (err) => void message.error(errorText(t, err)),
    onSettled: async (_r, _e, a) => {
      await Promise.all([
        queryClient.invalidateQueries({ queryKey: keys.folders }),
        queryClient.invalidateQueries({ queryKey: keys.messages(folderId) }),
        ...a.uids.map((uid) => queryClient.invalidateQueries({ queryKey: keys.message(folderId, uid) })),
      ]);
    },
  });
}
