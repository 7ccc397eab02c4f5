/**
 * A message's HTML in the reading pane (issue #12): an <iframe sandbox> loading the API's …/html
 * route, which answers the mail sanitised (DOMPurify on the server) under a CSP of its own. The
 * sandbox has no allow-scripts and no allow-forms; it keeps allow-same-origin (see the server's
 * security-headers.ts mailHtmlCsp for why that is safe with no scripts) so that this page can read
 * the document's <meta> and size the frame to its content with no script inside it. Popups may
 * open (links: target=_blank rel=noopener noreferrer) outside the sandbox.
 *
 * Remote images are blocked by the server unless shown: the bar says how many and offers "show
 * once" (…/html?images=show) and "always for this sender" (the user's image-senders list).
 */
import { Alert, Button, Space } from 'antd';
import { useCallback, useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from './api.ts';
import { errorText } from './errors.ts';

interface FrameInfo { remote: number; shown: 'no' | 'once' | 'sender'; sender: string; fallback: boolean }

const SANDBOX = 'allow-same-origin allow-popups allow-popups-to-escape-sandbox';
/** Never taller than this: a pathological mail must not make a frame of millions of pixels. */
const MAX_HEIGHT = 200_000;

function readInfo(doc: Document): FrameInfo {
  const meta = (name: string) => doc.querySelector(`head > meta[name="${name}"]`)?.getAttribute('content') ?? '';
  const shown = meta('youju-images-shown');
  return {
    remote: Number(meta('youju-remote-images')) || 0,
    shown: shown === 'once' || shown === 'sender' ? shown : 'no',
    sender: meta('youju-sender'),
    fallback: meta('youju-html-fallback') === '1',
  };
}

export function MailFrame({ folderId, uid }: { folderId: number; uid: number }) {
  const { t } = useTranslation();
  const frame = useRef<HTMLIFrameElement>(null);
  const [showOnce, setShowOnce] = useState(false);
  const [reloads, setReloads] = useState(0);
  const [info, setInfo] = useState<FrameInfo | undefined>();
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);

  useEffect(() => { setShowOnce(false); setInfo(undefined); setError(undefined); }, [folderId, uid]);

  // The document's own height: the frame grows to it, so the pane scrolls and the frame never does.
  const fit = useCallback(() => {
    const f = frame.current;
    const doc = f?.contentDocument;
    if (!f || !doc?.documentElement) return;
    const h = Math.ceil(doc.documentElement.getBoundingClientRect().height);
    if (h > 0) f.style.height = `${Math.min(h, MAX_HEIGHT)}px`;
  }, []);

  useEffect(() => {
    const f = frame.current;
    if (!f || typeof ResizeObserver === 'undefined') return;
    let width = f.clientWidth;
    const ro = new ResizeObserver(() => { if (f.clientWidth !== width) { width = f.clientWidth; fit(); } });
    ro.observe(f);
    return () => ro.disconnect();
  }, [fit, folderId, uid]);

  const onLoad = () => {
    const doc = frame.current?.contentDocument;
    if (!doc) return;
    setInfo(readInfo(doc));
    fit();
  };

  const setSender = async (allow: boolean) => {
    if (!info?.sender) return;
    setBusy(true);
    try {
      await api.setImageSender(info.sender, allow);
      setShowOnce(false);
      setReloads((n) => n + 1);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  const src = api.htmlUrl(folderId, uid) + (showOnce ? '?images=show' : '');
  return (
    <>
      {info?.fallback && <Alert className="yj-frame-bar" type="warning" showIcon message={t('read.htmlFallback')} />}
      {info && info.remote > 0 && info.shown === 'no' && (
        <Alert className="yj-frame-bar" type="info" showIcon role="region" aria-label={t('read.imagesBlocked', { count: info.remote })}
          message={t('read.imagesBlocked', { count: info.remote })}
          action={(
            <Space wrap>
              <Button size="small" onClick={() => setShowOnce(true)}>{t('read.showImagesOnce')}</Button>
              {info.sender && (
                <Button size="small" loading={busy} onClick={() => void setSender(true)}>
                  {t('read.showImagesAlways', { sender: info.sender })}
                </Button>
              )}
            </Space>
          )} />
      )}
      {info?.shown === 'sender' && info.remote > 0 && (
        <Alert className="yj-frame-bar" type="info" role="region" aria-label={t('read.imagesAlwaysShown', { sender: info.sender })}
          message={t('read.imagesAlwaysShown', { sender: info.sender })}
          action={<Button size="small" loading={busy} onClick={() => void setSender(false)}>{t('read.stopShowingImages')}</Button>} />
      )}
      {error !== undefined && <Alert className="yj-frame-bar" type="error" showIcon message={errorText(t, error)} />}
      <iframe key={`${folderId}/${uid}/${showOnce}/${reloads}`} ref={frame} className="yj-body-html" sandbox={SANDBOX}
        referrerPolicy="no-referrer" src={src} title={t('read.htmlFrame')} onLoad={onLoad} />
    </>
  );
}
