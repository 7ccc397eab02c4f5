/**
 * The conversation view of a folder (FEATURES W4 "conversation view option", switched on in the
 * list toolbar or 参数设置): one row per thread with its senders, subject, message count, newest
 * date and unread state, paged like the list. Every action (read/unread, star, move, delete) takes
 * all the conversation's messages in this folder. An ARIA grid like MessageList.tsx, with the same
 * keys (↑/↓ j/k, Home/End, Enter/o opens, Space/x ticks, s, u, Delete/#, ? lists them); each row's
 * label says what a screen reader user needs: senders, subject, how many messages, how many unread.
 */
import { MailFilled, PaperClipOutlined, StarFilled, StarOutlined } from '@ant-design/icons';
import { keepPreviousData, useQuery, useQueryClient } from '@tanstack/react-query';
import { Alert, Checkbox, Empty, Pagination, Spin, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, keys, type Conversation, type Folder } from './api.ts';
import { ConversationToggle } from './ConversationToggle.tsx';
import { ListActions } from './ListActions.tsx';
import { errorText } from './errors.ts';
import { folderLabel, shortDate } from './format.ts';
import { optionKeys, optionsApi } from './options/options-api.ts';
import { ShortcutHelp } from './ShortcutHelp.tsx';
import { useListRows } from './use-list-rows.ts';
import { useMailActions, type MailAction } from './use-mail-actions.ts';

const displayName = (s: string) => s.replace(/^"?([^"<]+?)"?\s*<[^>]*>$/, '$1') || s;

interface Props {
  folder: Folder;
  folders: Folder[];
  page: number;
  onPage(page: number): void;
  openKey: string | undefined;
  onOpen(c: Conversation | undefined): void;
}

export function ConversationList({ folder, folders, page, onPage, openKey, onOpen }: Props) {
  const { t, i18n } = useTranslation();
  const queryClient = useQueryClient();
  const prefs = useQuery({ queryKey: optionKeys.preferences, queryFn: optionsApi.preferences, staleTime: 5 * 60_000 });
  const pageSize = prefs.data?.pageSize ?? 30;
  const list = useQuery({
    queryKey: keys.conversationPage(folder.id, page), queryFn: () => api.conversations(folder.id, page, pageSize),
    placeholderData: keepPreviousData, refetchInterval: (prefs.data?.refreshMinutes ?? 5) * 60_000,
  });
  const [help, setHelp] = useState(false);
  const lines = list.data?.folder.id === folder.id ? list.data.conversations : [];
  const total = list.data?.folder.id === folder.id ? list.data.total : 0;
  const { checked, setChecked, setFocus, toggleCheck, rowProps } = useListRows<string>(lines.length, [folder.id, page], () => setHelp(true));
  const actions = useMailActions(folder.id, (gone) => {
    setChecked(new Set());
    const open = lines.find((c) => c.key === openKey);
    if (open && open.uids.every((u) => gone.includes(u))) onOpen(undefined);
  });

  const targetLines = lines.filter((c) => (checked.size > 0 ? checked.has(c.key) : c.key === openKey));
  const targets = targetLines.flatMap((c) => c.uids);
  const run = (a: MailAction) => { if (a.uids.length > 0) actions.mutate(a); };
  const allStarred = targetLines.length > 0 && targetLines.every((c) => c.flagged);
  const rowActions = (c: Conversation) => ({
    open: () => onOpen(c),
    star: () => run({ kind: 'flags', uids: c.uids, flagged: !c.flagged }),
    toggleRead: () => run({ kind: 'flags', uids: c.uids, seen: c.unread > 0 }),
    remove: () => run({ kind: 'delete', uids: c.uids }),
  });

  const allChecked = lines.length > 0 && lines.every((c) => checked.has(c.key));
  const folderName = folderLabel(t, folder);
  const label = t('list.conversationsLabel', { folder: folderName });

  return (
    <section className="yj-list" aria-label={label}>
      <div className="yj-toolbar" role="toolbar" aria-label={label}>
        <Checkbox checked={allChecked} indeterminate={checked.size > 0 && !allChecked} aria-label={t('list.selectAll')}
          onChange={(e) => setChecked(e.target.checked ? new Set(lines.map((c) => c.key)) : new Set())} />
        <ListActions folder={folder} folders={folders} targets={targets} run={run} allStarred={allStarred}
          refreshing={list.isFetching && !list.isPending}
          onRefresh={() => { void queryClient.invalidateQueries({ queryKey: keys.messages(folder.id) }); void queryClient.invalidateQueries({ queryKey: keys.folders }); }} />
        <ConversationToggle />
        <Typography.Text type="secondary" className="yj-counts" aria-live="polite">
          {list.data ? t('list.conversationCounts', { total: list.data.total, unread: list.data.unread }) : ''}
        </Typography.Text>
      </div>
      {list.error && <Alert type="error" showIcon message={errorText(t, list.error)} />}
      {list.isPending ? <div className="yj-center"><Spin aria-label={t('shell.loading')} /></div>
        : lines.length === 0 ? <Empty className="yj-center" description={t('list.empty')} />
        : (
          <div className="yj-rows">
            <table role="grid" aria-label={label} aria-rowcount={total} aria-describedby="yj-keys" aria-busy={list.isFetching}>
              <colgroup>
                <col className="yj-col-check" /><col className="yj-col-star" /><col className="yj-col-status" />
                <col className="yj-col-from" /><col /><col className="yj-col-date" />
              </colgroup>
              <thead className="yj-sr-only">
                <tr role="row">
                  <th role="columnheader" scope="col">{t('list.selectAll')}</th>
                  <th role="columnheader" scope="col">{t('list.columns.star')}</th>
                  <th role="columnheader" scope="col">{t('list.columns.status')}</th>
                  <th role="columnheader" scope="col">{t('list.columns.participants')}</th>
                  <th role="columnheader" scope="col">{t('list.columns.subject')}</th>
                  <th role="columnheader" scope="col">{t('list.columns.date')}</th>
                </tr>
              </thead>
              <tbody>
                {lines.map((c, i) => {
                  const subject = c.subject || t('list.noSubject');
                  const people = c.participants.map(displayName).join(', ');
                  return (
                    <tr key={c.key} role="row" {...rowProps(i, c.key, rowActions(c))}
                      aria-rowindex={(page - 1) * pageSize + i + 1} aria-selected={c.key === openKey} data-conversation={c.key}
                      aria-label={t('list.conversationRow', { subject, people, count: c.messages, unread: c.unread })}
                      className={[c.unread > 0 ? 'yj-unread' : '', c.key === openKey ? 'yj-open' : '', checked.has(c.key) ? 'yj-checked' : ''].join(' ')}
                      onClick={() => { setFocus(i); onOpen(c); }}>
                      <td role="gridcell" className="yj-cell-check" onClick={(e) => e.stopPropagation()}>
                        <Checkbox checked={checked.has(c.key)} onChange={() => toggleCheck(c.key)} aria-label={t('list.selectOne', { subject })} tabIndex={-1} />
                      </td>
                      <td role="gridcell" className="yj-cell-star">
                        <button type="button" className="yj-star" aria-pressed={c.flagged} tabIndex={-1} aria-label={c.flagged ? t('list.unstar') : t('list.star')}
                          onClick={(e) => { e.stopPropagation(); run({ kind: 'flags', uids: c.uids, flagged: !c.flagged }); }}>
                          {c.flagged ? <StarFilled style={{ color: '#f5a623' }} /> : <StarOutlined />}
                        </button>
                      </td>
                      <td role="gridcell" className="yj-cell-status">
                        {c.unread > 0 ? <MailFilled role="img" aria-label={t('list.unread')} style={{ color: '#1f6feb' }} /> : <span className="yj-sr-only">{t('list.read')}</span>}
                      </td>
                      <td role="gridcell" className="yj-cell-from" title={c.participants.join(', ')}>{people}</td>
                      <td role="gridcell" className="yj-cell-subject">
                        <span>{subject}</span>
                        {c.messages > 1 && <span className="yj-conv-count" aria-label={t('list.messagesInConversation', { count: c.messages })}>{c.messages}</span>}
                        {c.hasAttachment && <PaperClipOutlined role="img" aria-label={t('list.attachment')} />}
                      </td>
                      <td role="gridcell" className="yj-cell-date">
                        <time dateTime={new Date(c.newestDate).toISOString()}>{shortDate(c.newestDate, i18n.language)}</time>
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
        )}
      <ShortcutHelp open={help} onClose={() => setHelp(false)} conversations />
      <div className="yj-listfoot">
        <Typography.Text type="secondary" id="yj-keys" className="yj-keys">{t('list.keyboardHelp')}</Typography.Text>
        {total > pageSize && <Pagination simple size="small" current={page} pageSize={pageSize} total={total} onChange={onPage} />}
      </div>
    </section>
  );
}
