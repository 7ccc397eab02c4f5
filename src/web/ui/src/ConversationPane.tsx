/**
 * A conversation opened from the conversation view (FEATURES W4): its messages in this folder,
 * oldest first, each a collapsible panel (a button in the tab order, Enter or Space toggles it)
 * holding the reading pane of that message. The newest message and the unread ones start open;
 * a message is marked read when its panel opens (ReadingPane does that).
 */
import { useQuery } from '@tanstack/react-query';
import { Alert, Collapse, Empty, Spin, Typography } from 'antd';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, keys } from './api.ts';
import { errorText } from './errors.ts';
import { shortDate } from './format.ts';
import { ReadingPane, type ComposeKind } from './ReadingPane.tsx';

const displayName = (s: string) => s.replace(/^"?([^"<]+?)"?\s*<[^>]*>$/, '$1') || s;

export function ConversationPane({ folderId, conversationKey, onCompose, onBack }: {
  folderId: number; conversationKey: string | undefined; onCompose(kind: ComposeKind, uid: number): void; onBack?: () => void;
}) {
  const { t, i18n } = useTranslation();
  const lines = useQuery({
    queryKey: keys.conversation(folderId, conversationKey ?? ''), queryFn: () => api.conversation(folderId, conversationKey!),
    enabled: conversationKey !== undefined,
  });
  const [open, setOpen] = useState<string[]>([]);
  useEffect(() => {
    const m = lines.data;
    if (!m || m.length === 0) return;
    setOpen((was) => (was.length > 0 ? was : [...new Set([String(m.at(-1)!.uid), ...m.filter((x) => !x.flags.includes('\\Seen')).map((x) => String(x.uid))])]));
  }, [lines.data]);
  useEffect(() => setOpen([]), [conversationKey]);

  if (conversationKey === undefined) return <section className="yj-read yj-center" aria-label={t('read.nothing')}><Empty description={t('read.nothing')} /></section>;
  if (lines.isPending) return <section className="yj-read yj-center"><Spin aria-label={t('shell.loading')} /></section>;
  if (lines.error) return <section className="yj-read"><Alert type="error" showIcon message={errorText(t, lines.error)} /></section>;
  const messages = lines.data;
  const subject = messages[0]?.subject || t('list.noSubject');
  return (
    <section className="yj-read yj-conversation" aria-label={t('read.conversation', { subject, count: messages.length })}>
      <header className="yj-read-head">
        {onBack && <a href="#mail" onClick={(e) => { e.preventDefault(); onBack(); }}>{t('read.back')}</a>}
        <Typography.Title level={4} style={{ margin: 0 }}>{subject}</Typography.Title>
        <Typography.Text type="secondary">{t('list.messagesInConversation', { count: messages.length })}</Typography.Text>
      </header>
      <Collapse activeKey={open} onChange={(k) => setOpen(Array.isArray(k) ? k : [k])}
        items={messages.map((m) => ({
          key: String(m.uid),
          label: (
            <span className={m.flags.includes('\\Seen') ? '' : 'yj-unread'}>
              <strong>{displayName(m.from)}</strong>{' · '}{m.subject || t('list.noSubject')}{' · '}
              <time dateTime={new Date(m.internalDate).toISOString()}>{shortDate(m.internalDate, i18n.language)}</time>
            </span>
          ),
          children: <ReadingPane folderId={folderId} uid={m.uid} onCompose={onCompose} />,
        }))} />
    </section>
  );
}
