/**
 * The message list (FEATURES W4; manual part 2 §1.4.1): one page of a folder, newest first, 30 a
 * page; read/unread, star, attachment and urgency shown per row; rows selected by checkbox for
 * mark read/unread, star, move and delete, which otherwise act on the open message; refresh.
 *
 * It is an ARIA grid: one row is in the tab order at a time (roving tabindex). Keys on a row:
 * ↑/↓ (or k/j), Home/End move; Enter or o opens; Space or x ticks; s stars; u toggles read;
 * Delete or # deletes; ? lists the keys. The conversation view (ConversationList.tsx) replaces it when
 * the user switches it on. Not yet: sorting by other columns, copy, select-invert.
 */
import {
  ExclamationCircleFilled, MailFilled, PaperClipOutlined, StarFilled, StarOutlined,
} from '@ant-design/icons';
import { keepPreviousData, useQuery, useQueryClient } from '@tanstack/react-query';
import { Alert, Checkbox, Empty, Pagination, Spin, Typography } from 'antd';
import { useState } from 'react';
import { DRAG_TYPE, type DraggedMail } from './drag.ts';
import { useTranslation } from 'react-i18next';
import { api, keys, type Folder, type MessageLine } from './api.ts';
import { optionKeys, optionsApi } from './options/options-api.ts';
import { errorText } from './errors.ts';
import { folderLabel, shortDate } from './format.ts';
import { useMailActions, type MailAction } from './use-mail-actions.ts';
import { ShortcutHelp } from './ShortcutHelp.tsx';
import { useListRows } from './use-list-rows.ts';
import { ConversationToggle } from './ConversationToggle.tsx';
import { ListActions } from './ListActions.tsx';

/** Until the user's preferences arrive (每页显示邮件数, 列表刷新时间 in Options). */
const DEFAULT_PAGE_SIZE = 30;
const DEFAULT_REFRESH_MINUTES = 5;

const isSeen = (m: MessageLine) => m.flags.includes('\\Seen');
const isFlagged = (m: MessageLine) => m.flags.includes('\\Flagged');
/** "王芳 <wangfang@partner.test>" → "王芳"; a bare address stays as it is (the full one is the cell's title). */
const displayName = (s: string) => s.replace(/^"?([^"<]+?)"?\s*<[^>]*>$/, '$1') || s;

interface Props {
  folder: Folder;
  folders: Folder[];
  page: number;
  onPage: (page: number) => void;
  openUid: number | undefined;
  onOpen: (uid: number | undefined) => void;
}

export function MessageList({ folder, folders, page, onPage, openUid, onOpen }: Props) {
  const { t, i18n } = useTranslation();
  const queryClient = useQueryClient();
  const prefs = useQuery({ queryKey: optionKeys.preferences, queryFn: optionsApi.preferences, staleTime: 5 * 60_000 });
  const PAGE_SIZE = prefs.data?.pageSize ?? DEFAULT_PAGE_SIZE;
  // Server push refreshes the list as mail arrives; the user's interval is the fallback when it cannot.
  const list = useQuery({
    queryKey: keys.messagePage(folder.id, page),
    queryFn: () => api.messages(folder.id, page, PAGE_SIZE),
    placeholderData: keepPreviousData,
    refetchInterval: (prefs.data?.refreshMinutes ?? DEFAULT_REFRESH_MINUTES) * 60_000,
  });
  const [help, setHelp] = useState(false);
  const messages = list.data?.folder.id === folder.id ? list.data.messages : [];
  const total = list.data?.folder.id === folder.id ? list.data.total : 0;
  const { checked, setChecked, setFocus, toggleCheck, rowProps } = useListRows<number>(messages.length, [folder.id, page], () => setHelp(true));
  const actions = useMailActions(folder.id, (gone) => {
    setChecked(new Set());
    if (openUid !== undefined && gone.includes(openUid)) onOpen(undefined);
  });

  const targets = checked.size > 0 ? [...checked] : openUid !== undefined ? [openUid] : [];
  const targetLines = messages.filter((m) => targets.includes(m.uid));
  const isSent = folder.specialUse === '\\Sent' || folder.specialUse === '\\Drafts';
  const run = (a: MailAction) => { if (a.uids.length > 0) actions.mutate(a); };
  const rowActions = (m: MessageLine) => ({
    open: () => onOpen(m.uid),
    star: () => run({ kind: 'flags', uids: [m.uid], flagged: !isFlagged(m) }),
    toggleRead: () => run({ kind: 'flags', uids: [m.uid], seen: !isSeen(m) }),
    remove: () => run({ kind: 'delete', uids: [m.uid] }),
  });

  const allChecked = messages.length > 0 && messages.every((m) => checked.has(m.uid));
  const someChecked = checked.size > 0 && !allChecked;
  const folderName = folderLabel(t, folder);

  return (
    <section className="yj-list" aria-label={t('list.label', { folder: folderName })}>
      <div className="yj-toolbar" role="toolbar" aria-label={t('list.label', { folder: folderName })}>
        <Checkbox
          checked={allChecked}
          indeterminate={someChecked}
          onChange={(e) => setChecked(e.target.checked ? new Set(messages.map((m) => m.uid)) : new Set())}
          aria-label={t('list.selectAll')}
        />
        <ListActions folder={folder} folders={folders} targets={targets} run={run}
          allStarred={targetLines.length > 0 && targetLines.every(isFlagged)} refreshing={list.isFetching && !list.isPending}
          onRefresh={() => {
            void queryClient.invalidateQueries({ queryKey: keys.messages(folder.id) });
            void queryClient.invalidateQueries({ queryKey: keys.folders });
          }} />
        <ConversationToggle />
        <Typography.Text type="secondary" className="yj-counts" aria-live="polite">
          {list.data ? t('list.counts', { total: list.data.total, unread: list.data.unread }) : ''}
        </Typography.Text>
      </div>

      {list.error && <Alert type="error" showIcon message={errorText(t, list.error)} />}
      {list.isPending ? <div className="yj-center"><Spin aria-label={t('shell.loading')} /></div>
        : messages.length === 0 ? <Empty className="yj-center" description={t('list.empty')} />
        : (
          <div className="yj-rows">
            <table role="grid" aria-label={t('list.label', { folder: folderName })} aria-rowcount={total} aria-describedby="yj-keys" aria-busy={list.isFetching}>
              <colgroup>
                <col className="yj-col-check" /><col className="yj-col-star" /><col className="yj-col-status" />
                <col className="yj-col-from" /><col /><col className="yj-col-date" />
              </colgroup>
              <thead className="yj-sr-only">
                <tr role="row">
                  <th role="columnheader" scope="col">{t('list.selectAll')}</th>
                  <th role="columnheader" scope="col">{t('list.columns.star')}</th>
                  <th role="columnheader" scope="col">{t('list.columns.status')}</th>
                  <th role="columnheader" scope="col">{isSent ? t('list.columns.to') : t('list.columns.from')}</th>
                  <th role="columnheader" scope="col">{t('list.columns.subject')}</th>
                  <th role="columnheader" scope="col">{t('list.columns.date')}</th>
                </tr>
              </thead>
              <tbody>
                {messages.map((m, i) => {
                  const subject = m.subject || t('list.noSubject');
                  const seen = isSeen(m);
                  const flagged = isFlagged(m);
                  return (
                    <tr
                      key={m.uid}
                      role="row"
                      {...rowProps(i, m.uid, rowActions(m))}
                      aria-rowindex={(page - 1) * PAGE_SIZE + i + 1}
                      aria-selected={m.uid === openUid}
                      data-uid={m.uid}
                      className={[seen ? '' : 'yj-unread', m.uid === openUid ? 'yj-open' : '', checked.has(m.uid) ? 'yj-checked' : ''].join(' ')}
                      onClick={() => { setFocus(i); onOpen(m.uid); }}
                      draggable
                      onDragStart={(e) => {
                        // Dragging a ticked row carries every ticked one; any other row goes alone.
                        const uids = checked.has(m.uid) ? [...checked] : [m.uid];
                        e.dataTransfer.setData(DRAG_TYPE, JSON.stringify({ folderId: folder.id, uids } satisfies DraggedMail));
                        e.dataTransfer.effectAllowed = 'move';
                      }}
                    >
                      <td role="gridcell" className="yj-cell-check" onClick={(e) => e.stopPropagation()}>
                        <Checkbox checked={checked.has(m.uid)} onChange={() => toggleCheck(m.uid)} aria-label={t('list.selectOne', { subject })} tabIndex={-1} />
                      </td>
                      <td role="gridcell" className="yj-cell-star">
                        <button type="button" className="yj-star" aria-pressed={flagged} tabIndex={-1}
                          aria-label={flagged ? t('list.unstar') : t('list.star')}
                          onClick={(e) => { e.stopPropagation(); run({ kind: 'flags', uids: [m.uid], flagged: !flagged }); }}>
                          {flagged ? <StarFilled style={{ color: '#f5a623' }} /> : <StarOutlined />}
                        </button>
                      </td>
                      <td role="gridcell" className="yj-cell-status">
                        {seen ? <span className="yj-sr-only">{t('list.read')}</span>
                          : <MailFilled role="img" aria-label={t('list.unread')} style={{ color: '#1f6feb' }} />}
                        {m.priority === 'high' && <ExclamationCircleFilled role="img" aria-label={t('list.highPriority')} style={{ color: '#d4380d' }} />}
                      </td>
                      <td role="gridcell" className="yj-cell-from" title={isSent ? m.to : m.from}>{displayName(isSent ? m.to : m.from)}</td>
                      <td role="gridcell" className="yj-cell-subject">
                        <span>{subject}</span>
                        {m.hasAttachment && <PaperClipOutlined role="img" aria-label={t('list.attachment')} />}
                      </td>
                      <td role="gridcell" className="yj-cell-date">
                        <time dateTime={new Date(m.sentAt ?? m.internalDate).toISOString()}>{shortDate(m.sentAt ?? m.internalDate, i18n.language)}</time>
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
        )}
      <ShortcutHelp open={help} onClose={() => setHelp(false)} />
      <div className="yj-listfoot">
        <Typography.Text type="secondary" id="yj-keys" className="yj-keys">{t('list.keyboardHelp')}</Typography.Text>
        {total > PAGE_SIZE && <Pagination simple size="small" current={page} pageSize={PAGE_SIZE} total={total} onChange={onPage} />}
      </div>
    </section>
  );
}
