/**
 * The actions of the message list's toolbar, shared by the plain list and the conversation list:
 * refresh, read / unread, star, move, spam / not spam (the moves train the classifier) and delete,
 * each on `targets` (the checked rows' uids, or the open one's).
 */
import { DeleteOutlined, DownOutlined, ReloadOutlined, StarFilled, StarOutlined } from '@ant-design/icons';
import { Button, Dropdown, Space, Tooltip } from 'antd';
import { useTranslation } from 'react-i18next';
import type { Folder } from './api.ts';
import { folderLabel } from './format.ts';
import type { MailAction } from './use-mail-actions.ts';

export interface ListActionsProps {
  folder: Folder;
  folders: readonly Folder[];
  targets: number[];
  /** Every target row is starred: the star button unstars. */
  allStarred: boolean;
  refreshing: boolean;
  onRefresh: () => void;
  run: (a: MailAction) => void;
}

export function ListActions({ folder, folders, targets, allStarred, refreshing, onRefresh, run }: ListActionsProps) {
  const { t } = useTranslation();
  const none = targets.length === 0;
  const moveTargets = folders.filter((f) => f.id !== folder.id);
  // Reporting spam moves to Junk, "not spam" back to the inbox: the moves train the classifier.
  const spamTarget = folder.specialUse === '\\Junk'
    ? folders.find((f) => f.specialUse === '\\Inbox')
    : folder.specialUse === '\\Sent' || folder.specialUse === '\\Drafts' ? undefined : folders.find((f) => f.specialUse === '\\Junk');
  return (
    <>
      <Tooltip title={t('list.refresh')}>
        <Button size="small" icon={<ReloadOutlined />} aria-label={t('list.refresh')} loading={refreshing} onClick={onRefresh} />
      </Tooltip>
      <Space.Compact size="small">
        <Button size="small" disabled={none} onClick={() => run({ kind: 'flags', uids: targets, seen: true })}>{t('list.markRead')}</Button>
        <Button size="small" disabled={none} onClick={() => run({ kind: 'flags', uids: targets, seen: false })}>{t('list.markUnread')}</Button>
      </Space.Compact>
      <Button size="small" disabled={none} icon={allStarred ? <StarOutlined /> : <StarFilled />}
        onClick={() => run({ kind: 'flags', uids: targets, flagged: !allStarred })}>
        {allStarred ? t('list.unstar') : t('list.star')}
      </Button>
      <Dropdown disabled={none || moveTargets.length === 0} menu={{
        items: moveTargets.map((f) => ({ key: String(f.id), label: folderLabel(t, f) })),
        onClick: ({ key }) => { const to = folders.find((f) => String(f.id) === key); if (to) run({ kind: 'move', uids: targets, to }); },
      }}>
        <Button size="small">{t('list.moveTo')} <DownOutlined /></Button>
      </Dropdown>
      {spamTarget && (
        <Button size="small" disabled={none} onClick={() => run({ kind: 'move', uids: targets, to: spamTarget })}>
          {folder.specialUse === '\\Junk' ? t('list.notSpam') : t('list.spam')}
        </Button>
      )}
      <Button size="small" danger disabled={none} icon={<DeleteOutlined />} onClick={() => run({ kind: 'delete', uids: targets })}>
        {folder.specialUse === '\\Trash' ? t('list.deleteForever') : t('list.delete')}
      </Button>
    </>
  );
}
