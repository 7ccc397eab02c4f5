/**
 * Search results in place of the folder list: one row per message with its folder, newest first,
 * 30 a page, the count ("more than 1000" past the server's counting limit); a click or Enter opens
 * the message in the reading pane (a draft opens in compose). Back returns to the folder. Rows
 * opened here show as read at once (the reading pane marks them read on the server).
 */
import { ArrowLeftOutlined, MailFilled, PaperClipOutlined, ReloadOutlined } from '@ant-design/icons';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { Alert, Button, Empty, Pagination, Spin, Tooltip, Typography } from 'antd';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { Folder, MessageLine } from '../api.ts';
import { errorText } from '../errors.ts';
import { folderLabel, shortDate } from '../format.ts';
import { ReadingPane } from '../ReadingPane.tsx';
import { SEARCH_PAGE_SIZE, searchKey, searchMail, type SearchRequest } from './search-api.ts';
import './search.css';

/** "王芳 <wangfang@partner.test>" → "王芳" (the full one is the cell's title). */
const displayName = (s: string) => s.replace(/^"?([^"<]+?)"?\s*<[^>]*>$/, '$1') || s;
const refOf = (m: MessageLine) => `${m.folderId}/${m.uid}`;

interface Props {
  request: SearchRequest;
  folders: Folder[];
  onClose(): void;
  /** Sets the shell's hash (compose a reply, open a draft). */
  go(hash: string): void;
}

export default function SearchView({ request, folders, onClose, go }: Props) {
  const { t, i18n } = useTranslation();
  const [page, setPage] = useState(1);
  const [open, setOpen] = useState<MessageLine>();
  const [opened, setOpened] = useState<Set<string>>(new Set());
  useEffect(() => { setPage(1); setOpen(undefined); }, [request]);
  const result = useQuery({ queryKey: searchKey(request, page), queryFn: () => searchMail(request, page), placeholderData: keepPreviousData });
  const byId = new Map(folders.map((f) => [f.id, f]));
  const messages = result.data?.messages ?? [];
  const total = result.data?.total ?? 0;

  const openRow = (m: MessageLine) => {
    if (byId.get(m.folderId)?.specialUse === '\\Drafts') return go(`#compose?draft=${m.folderId}/${m.uid}`);
    setOpen(m);
    setOpened((s) => new Set(s).add(refOf(m)));
  };
  const counts = !result.data ? '' : result.data.more ? t('search.countMore', { count: total }) : t('search.count', { count: total });

  return (
    <>
      <section className="yj-list" aria-label={t('search.results', { q: request.q })}>
        <div className="yj-toolbar" role="toolbar" aria-label={t('search.results', { q: request.q })}>
          <Button size="small" icon={<ArrowLeftOutlined />} onClick={onClose}>{t('search.back')}</Button>
          <Tooltip title={t('list.refresh')}>
            <Button size="small" icon={<ReloadOutlined />} aria-label={t('list.refresh')} loading={result.isFetching && !result.isPending}
              onClick={() => void result.refetch()} />
          </Tooltip>
          <Typography.Text type="secondary" className="yj-counts" aria-live="polite">{counts}</Typography.Text>
        </div>
        {result.error && <Alert type="error" showIcon message={errorText(t, result.error)} />}
        {result.isPending ? <div className="yj-center"><Spin aria-label={t('shell.loading')} /></div>
          : messages.length === 0 ? <Empty className="yj-center" description={t('search.none')} />
          : (
            <div className="yj-rows">
              <table role="grid" aria-label={t('search.results', { q: request.q })} aria-busy={result.isFetching}>
                <colgroup>
                  <col className="yj-col-status" /><col className="yj-col-from" /><col /><col className="yj-col-folder" /><col className="yj-col-date" />
                </colgroup>
                <thead className="yj-sr-only">
                  <tr role="row">
                    <th role="columnheader" scope="col">{t('list.columns.status')}</th>
                    <th role="columnheader" scope="col">{t('list.columns.from')}</th>
                    <th role="columnheader" scope="col">{t('list.columns.subject')}</th>
                    <th role="columnheader" scope="col">{t('search.folder')}</th>
                    <th role="columnheader" scope="col">{t('list.columns.date')}</th>
                  </tr>
                </thead>
                <tbody>
                  {messages.map((m) => {
                    const subject = m.subject || t('list.noSubject');
                    const seen = m.flags.includes('\\Seen') || opened.has(refOf(m));
                    const folder = byId.get(m.folderId);
                    const isOpen = open !== undefined && refOf(open) === refOf(m);
                    return (
                      <tr key={refOf(m)} role="row" tabIndex={0} aria-selected={isOpen} data-ref={refOf(m)}
                        className={[seen ? '' : 'yj-unread', isOpen ? 'yj-open' : ''].join(' ')}
                        onClick={() => openRow(m)}
                        onKeyDown={(e) => { if (e.key === 'Enter' && e.target === e.currentTarget) { e.preventDefault(); openRow(m); } }}>
                        <td role="gridcell" className="yj-cell-status">
                          {seen ? <span className="yj-sr-only">{t('list.read')}</span>
                            : <MailFilled role="img" aria-label={t('list.unread')} style={{ color: '#1f6feb' }} />}
                        </td>
                        <td role="gridcell" className="yj-cell-from" title={m.from}>{displayName(m.from)}</td>
                        <td role="gridcell" className="yj-cell-subject">
                          <span>{subject}</span>
                          {m.hasAttachment && <PaperClipOutlined role="img" aria-label={t('list.attachment')} />}
                        </td>
                        <td role="gridcell" className="yj-cell-folder">{folder ? folderLabel(t, folder) : ''}</td>
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
        <div className="yj-listfoot">
          <span />
          {(total > SEARCH_PAGE_SIZE || result.data?.more) && (
            <Pagination simple size="small" current={page} pageSize={SEARCH_PAGE_SIZE}
              total={result.data?.more ? Math.max(total, page * SEARCH_PAGE_SIZE) + SEARCH_PAGE_SIZE : total} onChange={setPage} />
          )}
        </div>
      </section>
      <ReadingPane folderId={open?.folderId ?? 0} uid={open?.uid}
        onCompose={(kind, uid) => open && go(`#compose?${kind}=${open.folderId}/${uid}`)} />
    </>
  );
}
