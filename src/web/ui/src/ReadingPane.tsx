/**
 * The reading pane (FEATURES W5; manual part 2 §1.4.2): header fields, the body and the
 * attachments with download links. Opening a message marks it read once; marking it unread
 * afterwards sticks. The HTML part is never put into this page's DOM: MailFrame shows it in an
 * <iframe sandbox> without scripts or forms, loading the API's …/html route, which the server
 * answers sanitised under its own CSP (remote images only when allowed). The text part is
 * rendered as text. Reply, reply all and forward (inline or as an attachment) open compose.
 */
import { ArrowLeftOutlined, DownOutlined, LeftOutlined, PaperClipOutlined, RightOutlined } from '@ant-design/icons';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { Alert, App, Button, Dropdown, Empty, Modal, Segmented, Space, Spin, Typography } from 'antd';
import { useEffect, useId, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, keys, type Address } from './api.ts';
import { errorText } from './errors.ts';
import { bytes, fullDate } from './format.ts';
import { MailFrame } from './MailFrame.tsx';

/** Attachments the browser can show (the server sends these inline on ?view=inline; never HTML or SVG). */
const PREVIEWABLE = new Set(['image/png', 'image/jpeg', 'image/gif', 'image/webp', 'application/pdf', 'text/plain']);

const person = (a: Address) => (a.name ? `${a.name} <${a.address}>` : a.address);

export type ComposeKind = 'reply' | 'replyAll' | 'forward' | 'forwardAttached';

export function ReadingPane({ folderId, uid, onCompose, onBack, onStep }: {
  folderId: number; uid: number | undefined; onCompose(kind: ComposeKind, uid: number): void;
  /** On a phone the pane covers the list: this goes back to it. */
  onBack?: () => void;
  /** The previous or next message of the list page, when there is one. */
  onStep?: { prev?: () => void; next?: () => void };
}) {
  const { t, i18n } = useTranslation();
  const { message } = App.useApp();
  const [headers, setHeaders] = useState<string>();
  const [preview, setPreview] = useState<{ name: string; url: string }>();
  const queryClient = useQueryClient();
  const [view, setView] = useState<'html' | 'text'>('html');
  const marked = useRef(new Set<string>());
  const subjectId = useId();
  const msg = useQuery({
    queryKey: keys.message(folderId, uid ?? 0),
    queryFn: () => api.message(folderId, uid!),
    enabled: uid !== undefined,
  });

  // Mark read on first open (the API's open does not); only once, so "mark unread" sticks.
  useEffect(() => {
    const m = msg.data;
    if (!m || m.flags.includes('\\Seen')) return;
    const key = `${m.folderId}/${m.uid}`;
    if (marked.current.has(key)) return;
    marked.current.add(key);
    void api.setFlags(m.folderId, [m.uid], { seen: true }).then(() => Promise.all([
      queryClient.invalidateQueries({ queryKey: keys.folders }),
      queryClient.invalidateQueries({ queryKey: keys.messages(m.folderId) }),
      queryClient.invalidateQueries({ queryKey: keys.message(m.folderId, m.uid) }),
    ]));
  }, [msg.data, queryClient]);
  useEffect(() => setView('html'), [uid]);

  if (uid === undefined) return <section className="yj-read yj-center" aria-label={t('read.nothing')}><Empty description={t('read.nothing')} /></section>;
  if (msg.isPending) return <section className="yj-read yj-center"><Spin aria-label={t('shell.loading')} /></section>;
  if (msg.error) return <section className="yj-read"><Alert type="error" showIcon message={errorText(t, msg.error)} /></section>;

  const m = msg.data;
  const c = m.content;
  const subject = c.subject || t('list.noSubject');
  const showHtml = c.hasHtml && view === 'html';
  return (
    <article className="yj-read" aria-labelledby={subjectId}>
      <header className="yj-read-head">
        <Typography.Title level={4} id={subjectId} style={{ margin: 0 }}>{subject}</Typography.Title>
        <Space role="toolbar" aria-label={t('read.toolbar')} wrap>
          {onBack && <Button size="small" icon={<ArrowLeftOutlined />} onClick={onBack}>{t('read.back')}</Button>}
          {(['reply', 'replyAll', 'forward', 'forwardAttached'] as const).map((k) => (
            <Button key={k} size="small" onClick={() => onCompose(k, m.uid)}>{t(`read.${k}`)}</Button>
          ))}
          <Dropdown menu={{
            items: [
              { key: 'headers', label: t('read.fullHeaders') },
              { key: 'source', label: <a href={api.sourceUrl(m.folderId, m.uid, 'text')} target="_blank" rel="noopener noreferrer">{t('read.source')}</a> },
              { key: 'eml', label: <a href={api.sourceUrl(m.folderId, m.uid, 'eml')} download>{t('read.downloadEml')}</a> },
              { key: 'print', label: t('read.print') },
              ...(c.from[0] ? [{ key: 'contact', label: t('read.addSender') }] : []),
            ],
            onClick: ({ key }) => {
              if (key === 'headers') {
                void fetch(api.sourceUrl(m.folderId, m.uid, 'text')).then((r) => r.text())
                  .then((raw) => setHeaders(raw.slice(0, Math.max(0, raw.search(/\r?\n\r?\n/)) || raw.length)), () => message.error(t('errors.NETWORK')));
              } else if (key === 'print') window.print();
              else if (key === 'contact' && c.from[0]) {
                void api.addContacts([{ name: c.from[0].name, email: c.from[0].address }])
                  .then((r) => message.success(r.added > 0 ? t('read.senderAdded') : t('read.senderKnown')), (err) => message.error(errorText(t, err)));
              }
            },
          }}>
            <Button size="small">{t('read.more')} <DownOutlined /></Button>
          </Dropdown>
          {onStep && (
            <Space.Compact size="small">
              <Button size="small" icon={<LeftOutlined />} disabled={!onStep.prev} onClick={onStep.prev} aria-label={t('read.prev')} />
              <Button size="small" icon={<RightOutlined />} disabled={!onStep.next} onClick={onStep.next} aria-label={t('read.next')} />
            </Space.Compact>
          )}
          {c.hasHtml && (
            <Segmented size="small" value={view} onChange={(v) => setView(v as 'html' | 'text')}
              options={[{ value: 'html', label: t('read.showHtml') }, { value: 'text', label: t('read.showText') }]} />
          )}
        </Space>
        <dl className="yj-fields">
          <dt>{t('read.from')}</dt><dd>{c.from.map(person).join(', ')}</dd>
          {c.to.length > 0 && <><dt>{t('read.to')}</dt><dd>{c.to.map(person).join(', ')}</dd></>}
          {c.cc.length > 0 && <><dt>{t('read.cc')}</dt><dd>{c.cc.map(person).join(', ')}</dd></>}
          <dt>{t('read.date')}</dt><dd>{fullDate(c.date ?? m.internalDate, i18n.language)}</dd>
        </dl>
      </header>
      <Modal open={preview !== undefined} onCancel={() => setPreview(undefined)} footer={null} width={720} title={preview?.name} centered>
        {preview && <img src={preview.url} alt={preview.name} style={{ maxWidth: '100%', maxHeight: '75vh', display: 'block', margin: '0 auto' }} />}
      </Modal>
      <Modal open={headers !== undefined} onCancel={() => setHeaders(undefined)} footer={null} width={760} title={t('read.fullHeaders')}>
        <pre className="yj-headers">{headers}</pre>
      </Modal>
      {c.attachments.length > 0 && (
        <section className="yj-attachments" aria-label={t('read.attachments', { count: c.attachments.length })}>
          <Typography.Text strong>{t('read.attachments', { count: c.attachments.length })}</Typography.Text>
          {c.attachments.length > 1 && (
            <>{' '}<a href={`${api.attachmentUrl(m.folderId, m.uid, 0).replace(/\/0$/, '')}.zip`} download rel="noopener noreferrer">{t('read.downloadAll')}</a></>
          )}
          <ul>
            {c.attachments.map((a) => (
              <li key={a.index}>
                <PaperClipOutlined />{' '}
                <a href={api.attachmentUrl(m.folderId, m.uid, a.index)} download={a.fileName} rel="noopener noreferrer"
                  aria-label={t('read.download', { name: a.fileName })}>{a.fileName}</a>{' '}
                <Typography.Text type="secondary">({bytes(a.size, i18n.language)})</Typography.Text>
                {PREVIEWABLE.has(a.contentType) && (
                  <>{' '}<Button type="link" size="small" aria-label={t('read.preview', { name: a.fileName })}
                    onClick={() => (a.contentType.startsWith('image/')
                      ? setPreview({ name: a.fileName, url: api.attachmentUrl(m.folderId, m.uid, a.index) })
                      : window.open(`${api.attachmentUrl(m.folderId, m.uid, a.index)}?view=inline`, '_blank', 'noopener'))}>{t('read.previewShort')}</Button></>
                )}
              </li>
            ))}
          </ul>
        </section>
      )}
      {showHtml
        ? <MailFrame folderId={m.folderId} uid={m.uid} />
        : <pre className="yj-body-text">{c.text || t('read.emptyBody')}</pre>}
    </article>
  );
}
