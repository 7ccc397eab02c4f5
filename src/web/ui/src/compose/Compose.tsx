/**
 * The compose window (FEATURES W6; manual part 2 §1.5): To, Cc and Bcc, subject, rich text (tiptap)
 * or plain text, attachments picked or dropped with upload progress, urgent and read receipt, save
 * draft and auto-save every minute, send. Its attachments live in its draft (the API's compose
 * routes): the first file saves a draft, each upload replaces it, and sending takes them from it.
 * Saves and uploads run one after another, so two never race for the same draft. A refusal that
 * names a field (an unknown recipient, a bad address, a sender the user does not own) is shown
 * under that field. The templates menu (回复模板, kept in Options) inserts one at the cursor, in the
 * rich editor or the plain text. Its own chunk: tiptap loads only when someone writes.
 */
import { CloseOutlined, DownOutlined, PaperClipOutlined, SaveOutlined, SendOutlined, SnippetsOutlined } from '@ant-design/icons';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import type { Editor } from '@tiptap/react';
import { App as AntApp, Alert, Button, Checkbox, Dropdown, Form, Input, Progress, Segmented, Select, Space, Spin, Typography, Upload } from 'antd';
import type { TextAreaRef } from 'antd/es/input/TextArea';
import { useCallback, useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, ApiError, keys, type ComposeBody, type Me, type MessageRef, type SavedDraft } from '../api.ts';
import { errorText } from '../errors.ts';
import { bytes } from '../format.ts';
import { prefill, type ComposeFields, type ComposeStart } from './prefill.ts';
import { RichEditor } from './RichEditor.tsx';
import { optionKeys, optionsApi, type ReplyTemplate } from '../options/options-api.ts';
import { htmlToText, textToHtml } from '../options/template-text.ts';
import './compose.css';

const AUTOSAVE_MS = 60_000;
/** How long "undo send" holds a message before it goes (W6, beyond the manual). */
const UNDO_SEND_MS = 5_000;
const FIELDS = new Set(['to', 'cc', 'bcc', 'from', 'subject', 'attachments']);

export default function Compose({ me, start, startKey, onClose, onReopen }: {
  me: Me; start: ComposeStart; startKey: string; onClose(): void;
  /** Opens a draft in compose again (undo send, or a send that failed after the countdown). */
  onReopen(draft: MessageRef): void;
}) {
  const { t } = useTranslation();
  // The user's options (default signature, save sent, plain or rich): without them compose still opens.
  const options = useQuery({ queryKey: ['compose-options'], queryFn: () => api.composeOptions().catch(() => undefined), staleTime: 60_000 });
  const fields = useQuery({
    queryKey: ['compose', startKey], enabled: !options.isPending, staleTime: Infinity, gcTime: 0,
    queryFn: () => prefill(start, me.user.address, t, options.data?.signatures.find((s) => s.id === options.data?.defaultId)),
  });
  if (fields.isPending) return <section className="yj-compose yj-center"><Spin aria-label={t('shell.loading')} /></section>;
  if (fields.error) return <section className="yj-compose"><Alert type="error" showIcon message={errorText(t, fields.error)} /></section>;
  return <ComposeForm me={me} initial={fields.data} onClose={onClose} onReopen={onReopen} saveSent={options.data?.preferences.saveSent ?? true}
    plainByDefault={options.data?.preferences.format === 'text'} />;
}

/** Addresses as tags; typing asks the API for personal contacts, colleagues and lists to pick from. */
function RecipientInput({ value, onChange, label }: { value: string[]; onChange(v: string[]): void; label: string }) {
  const { t } = useTranslation();
  const [q, setQ] = useState('');
  const found = useQuery({
    queryKey: ['autocomplete', q.trim()], queryFn: () => api.autocomplete(q.trim()), enabled: q.trim().length > 0, staleTime: 30_000,
  });
  const options = (q.trim() ? found.data ?? [] : []).map((s) => {
    const full = s.name ? `${s.name} <${s.address}>` : s.address;
    return { value: full, label: <span>{full} <Typography.Text type="secondary">· {t(`compose.source.${s.source}`)}</Typography.Text></span> };
  });
  return (
    <Select mode="tags" value={value} onChange={(v) => { onChange(v); setQ(''); }} onSearch={setQ} searchValue={q} options={options}
      filterOption={false} open={options.length > 0} onBlur={() => setQ('')} suffixIcon={null} aria-label={label}
      tokenSeparators={[',', ';', '，', '；']} placeholder={t('compose.recipientsHint')} style={{ width: '100%' }} />
  );
}

function ComposeForm({ me, initial, onClose, onReopen, saveSent, plainByDefault }: {
  me: Me; initial: ComposeFields; onClose(): void; onReopen(draft: MessageRef): void; saveSent: boolean; plainByDefault: boolean;
}) {
  const { t, i18n } = useTranslation();
  const { message, notification } = AntApp.useApp();
  const queryClient = useQueryClient();
  const [to, setTo] = useState(initial.to);
  const [cc, setCc] = useState(initial.cc);
  const [bcc, setBcc] = useState(initial.bcc);
  const [showCc, setShowCc] = useState(initial.cc.length > 0);
  const [showBcc, setShowBcc] = useState(initial.bcc.length > 0);
  const [subject, setSubject] = useState(initial.subject);
  const [mode, setMode] = useState<'rich' | 'plain'>(plainByDefault ? 'plain' : 'rich');
  const [plain, setPlain] = useState(initial.text);
  const body = useRef({ html: initial.html, text: initial.text });
  const [urgent, setUrgent] = useState(false);
  const [receipt, setReceipt] = useState(false);
  const [draft, setDraft] = useState<MessageRef | undefined>(initial.draft);
  const [attachments, setAttachments] = useState(initial.attachments);
  const [uploads, setUploads] = useState<Array<{ id: number; name: string; percent: number }>>([]);
  const [savedAt, setSavedAt] = useState<number>();
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [sending, setSending] = useState(false);
  const dirty = useRef(false);
  const queue = useRef<Promise<unknown>>(Promise.resolve());
  const draftRef = useRef(draft);
  draftRef.current = draft;
  const editor = useRef<Editor>(undefined);
  const plainArea = useRef<TextAreaRef>(null);
  const templates = useQuery({ queryKey: optionKeys.templates, queryFn: optionsApi.templates, staleTime: 60_000 });

  /** Puts a template where the cursor is (or at the end of the plain text when it never had focus). */
  const insertTemplate = (x: ReplyTemplate) => {
    touch();
    if (mode === 'rich') {
      editor.current?.chain().focus().insertContent(x.format === 'html' ? x.body : textToHtml(x.body)).run();
      return;
    }
    const text = x.format === 'html' ? htmlToText(x.body) : x.body;
    const area = plainArea.current?.resizableTextArea?.textArea;
    const focused = area && document.activeElement === area;
    const [from, to] = area && (focused || area.selectionStart > 0) ? [area.selectionStart, area.selectionEnd] : [plain.length, plain.length];
    setPlain(plain.slice(0, from) + text + plain.slice(to));
    requestAnimationFrame(() => { area?.focus(); area?.setSelectionRange(from + text.length, from + text.length); });
  };

  const touch = () => { dirty.current = true; };
  const compose = useCallback((extra: Partial<ComposeBody> = {}): ComposeBody => ({
    to, cc: showCc ? cc : [], bcc: showBcc ? bcc : [], subject,
    ...(mode === 'rich' ? { text: body.current.text, html: body.current.html } : { text: plain }),
    priority: urgent ? 'high' : 'normal', receipt, ...initial.extra,
    ...(draftRef.current ? { draft: draftRef.current } : {}), ...extra,
  }), [to, cc, bcc, showCc, showBcc, subject, mode, plain, urgent, receipt, initial.extra]);

  /** Runs draft changes one at a time, each on the draft the previous one left. */
  const serial = <T,>(job: () => Promise<T>): Promise<T> => {
    const next = queue.current.then(job, job);
    queue.current = next.catch(() => undefined);
    return next;
  };
  const took = (d: SavedDraft) => {
    setDraft({ folderId: d.folderId, uid: d.uid });
    draftRef.current = { folderId: d.folderId, uid: d.uid };
    setAttachments(d.attachments.filter((a) => !a.inline));
    void queryClient.invalidateQueries({ queryKey: keys.folders });
  };
  const fail = (err: unknown) => {
    if (err instanceof ApiError && err.field && FIELDS.has(err.field)) setErrors({ [err.field]: err.message });
    else message.error(errorText(t, err));
  };

  const saveDraft = (quiet = false) => serial(async () => {
    // Forwarding inline: the original's attachments go into the first draft, then live there.
    const d = await api.saveDraft(compose(draftRef.current ? { attachmentsFrom: undefined, forwardAttached: undefined } : {}));
    took(d);
    dirty.current = false;
    setSavedAt(Date.now());
    if (!quiet) message.success(t('compose.savedAt', { time: new Date().toLocaleTimeString(i18n.language) }));
    return d;
  });

  const upload = (file: File) => serial(async () => {
    const id = Math.random();
    setUploads((u) => [...u, { id, name: file.name, percent: 0 }]);
    try {
      const ref: MessageRef = draftRef.current ?? (await api.saveDraft(compose()).then((d) => { took(d); return d; }));
      took(await api.upload(ref, file, (percent) => setUploads((u) => u.map((x) => (x.id === id ? { ...x, percent } : x)))));
      setErrors((e) => ({ ...e, attachments: '' }));
    } catch (err) {
      fail(err);
    } finally {
      setUploads((u) => u.filter((x) => x.id !== id));
    }
  });

  const dropAttachment = (index: number) => serial(async () => {
    took(await api.saveDraft(compose({ draft: { ...draftRef.current!, dropAttachments: [index] } })));
  }).catch(fail);

  /**
   * Undo send: the recipients are checked (a refusal shows here), the message is saved as a draft and
   * compose closes; it goes out when the countdown ends (or at 立即发送), from that draft. 撤销 opens
   * the draft again. A page closed during the countdown leaves the message in Drafts, unsent.
   */
  const send = async () => {
    setErrors({});
    if (to.length + cc.length + bcc.length === 0) { setErrors({ to: t('compose.toRequired') }); return; }
    setSending(true);
    try {
      await api.check(compose());
      const saved = await saveDraft(true);
      const body = { ...compose({ attachmentsFrom: undefined, forwardAttached: undefined }), draft: { folderId: saved.folderId, uid: saved.uid }, saveSent };
      dirty.current = false;
      onClose();
      countdown(body, saved);
    } catch (err) {
      fail(err);
    } finally {
      setSending(false);
    }
  };

  const countdown = (body: ComposeBody, draft: MessageRef) => {
    const key = `send-${draft.uid}`;
    let done = false;
    const go = async () => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      notification.destroy(key);
      try {
        await api.send(body);
        message.success(t('compose.sent'));
      } catch (err) {
        notification.error({
          key, message: errorText(t, err), duration: 0,
          btn: <Button size="small" onClick={() => { notification.destroy(key); onReopen(draft); }}>{t('compose.openDraft')}</Button>,
        });
      }
      await Promise.all([queryClient.invalidateQueries({ queryKey: keys.folders }), queryClient.invalidateQueries({ queryKey: ['messages'] })]);
    };
    const timer = setTimeout(() => void go(), UNDO_SEND_MS);
    notification.info({
      key, message: t('compose.sendingIn', { seconds: UNDO_SEND_MS / 1000 }), duration: 0, closeIcon: false,
      btn: (
        <Space>
          <Button size="small" onClick={() => { done = true; clearTimeout(timer); notification.destroy(key); onReopen(draft); }}>{t('compose.undoSend')}</Button>
          <Button size="small" type="primary" onClick={() => void go()}>{t('compose.sendNow')}</Button>
        </Space>
      ),
    });
  };

  useEffect(() => {
    const timer = setInterval(() => { if (dirty.current) void saveDraft(true).catch(() => undefined); }, AUTOSAVE_MS);
    return () => clearInterval(timer);
  });

  const item = (name: string, label: string, child: React.ReactNode) => (
    <Form.Item label={label} validateStatus={errors[name] ? 'error' : undefined} help={errors[name] || undefined}>{child}</Form.Item>
  );
  return (
    <section className="yj-compose" aria-label={t('compose.title')}>
      <Space className="yj-compose-bar" wrap>
        <Button type="primary" icon={<SendOutlined />} loading={sending} onClick={() => void send()}>{t('compose.send')}</Button>
        <Button icon={<SaveOutlined />} onClick={() => void saveDraft().catch(fail)}>{t('compose.saveDraft')}</Button>
        <Button icon={<CloseOutlined />} onClick={onClose}>{t('compose.cancel')}</Button>
        {savedAt && <Typography.Text type="secondary">{t('compose.savedAt', { time: new Date(savedAt).toLocaleTimeString(i18n.language) })}</Typography.Text>}
      </Space>
      <Form labelCol={{ flex: '72px' }} labelAlign="left" colon={false} className="yj-compose-form">
        <Form.Item label={t('compose.from')}><Typography.Text>{me.user.realName ? `${me.user.realName} <${me.user.address}>` : me.user.address}</Typography.Text></Form.Item>
        {item('to', t('compose.to'), (
          <Space.Compact style={{ width: '100%' }}>
            <RecipientInput value={to} onChange={(v) => { setTo(v); touch(); }} label={t('compose.to')} />
            {!showCc && <Button type="link" onClick={() => setShowCc(true)}>{t('compose.addCc')}</Button>}
            {!showBcc && <Button type="link" onClick={() => setShowBcc(true)}>{t('compose.addBcc')}</Button>}
          </Space.Compact>
        ))}
        {showCc && item('cc', t('compose.cc'), <RecipientInput value={cc} onChange={(v) => { setCc(v); touch(); }} label={t('compose.cc')} />)}
        {showBcc && item('bcc', t('compose.bcc'), <RecipientInput value={bcc} onChange={(v) => { setBcc(v); touch(); }} label={t('compose.bcc')} />)}
        {item('subject', t('compose.subject'), <Input value={subject} aria-label={t('compose.subject')} maxLength={998} onChange={(e) => { setSubject(e.target.value); touch(); }} />)}
        {item('attachments', t('compose.attach'), (
          <div>
            <Upload.Dragger multiple showUploadList={false} customRequest={({ file }) => { void upload(file as File); }} className="yj-drop">
              <PaperClipOutlined /> {t('compose.attach')} · <Typography.Text type="secondary">{t('compose.dropHint')}</Typography.Text>
            </Upload.Dragger>
            <ul className="yj-compose-files" aria-label={t('compose.attach')}>
              {attachments.map((a) => (
                <li key={`${draft?.uid}-${a.index}`}>
                  <PaperClipOutlined /> {a.fileName} <Typography.Text type="secondary">({bytes(a.size, i18n.language)})</Typography.Text>
                  <Button type="text" size="small" icon={<CloseOutlined />} aria-label={t('compose.removeAttachment', { name: a.fileName })} onClick={() => void dropAttachment(a.index)} />
                </li>
              ))}
              {initial.extra.forwardAttached && !draft && <li><PaperClipOutlined /> {t('compose.forwardAttached')}</li>}
              {uploads.map((u) => (
                <li key={u.id} aria-label={t('compose.uploading', { name: u.name })}>
                  {u.name} <Progress percent={u.percent} size="small" style={{ width: 160, display: 'inline-flex' }} />
                </li>
              ))}
            </ul>
          </div>
        ))}
        <Form.Item label={t('compose.body')}>
          <Space style={{ marginBottom: 8 }}>
            <Segmented size="small" value={mode} options={[{ value: 'rich', label: t('compose.rich') }, { value: 'plain', label: t('compose.plain') }]}
              onChange={(v) => { if (v === 'plain') setPlain(body.current.text); setMode(v as 'rich' | 'plain'); touch(); }} />
            <Checkbox checked={urgent} onChange={(e) => { setUrgent(e.target.checked); touch(); }}>{t('compose.urgent')}</Checkbox>
            <Checkbox checked={receipt} onChange={(e) => { setReceipt(e.target.checked); touch(); }}>{t('compose.receipt')}</Checkbox>
            <Dropdown trigger={['click']} menu={{
              items: (templates.data ?? []).length
                ? templates.data!.map((x) => ({ key: String(x.id), label: x.name }))
                : [{ key: 'none', label: t('compose.noTemplates'), disabled: true }],
              onClick: ({ key }) => { const x = templates.data?.find((y) => String(y.id) === key); if (x) insertTemplate(x); },
            }}>
              <Button size="small" icon={<SnippetsOutlined />} aria-label={t('compose.templates')} aria-haspopup="menu"
                onMouseDown={(e) => e.preventDefault()}>{t('compose.templates')} <DownOutlined /></Button>
            </Dropdown>
          </Space>
          {mode === 'rich'
            ? <RichEditor initial={initial.html} onReady={(e) => { editor.current = e; }}
              onChange={(html, text, first) => { if (!first) touch(); body.current = { html, text }; }} />
            : <Input.TextArea ref={plainArea} value={plain} autoSize={{ minRows: 12 }} aria-label={t('compose.editor')} onChange={(e) => { setPlain(e.target.value); touch(); }} />}
        </Form.Item>
      </Form>
    </section>
  );
}
