/**
 * 签名 (manual part 2 §1.17.3): several signatures, one of them the default compose starts with.
 * A signature is rich text (compose's own editor, so what is written here looks the same there)
 * or plain lines. The list shows each as text only: nothing from a signature's HTML is rendered
 * outside the editor.
 */
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { App as AntApp, Button, Checkbox, Form, Input, List, Modal, Popconfirm, Radio, Space, Spin, Tag } from 'antd';
import { Suspense, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { LazyRichEditor as RichEditor } from '../compose/lazy-rich-editor.ts';
import { ApiError } from '../api.ts';
import { optionError } from './option-error.ts';
import { markField, optionKeys, optionsApi, type Signature, type SignatureList } from './options-api.ts';
import { textToHtml } from './template-text.ts';

/** A signature's words without markup, for the list (DOMParser runs no script and loads nothing). */
const plain = (s: Signature): string => (s.format === 'html' ? new DOMParser().parseFromString(s.content, 'text/html').body.textContent ?? '' : s.content);

interface Values { name: string; format: 'html' | 'text'; isDefault: boolean }

function SignatureForm({ sig, isDefault, onClose }: { sig?: Signature; isDefault: boolean; onClose: (saved?: SignatureList) => void }) {
  const { t } = useTranslation();
  const { message } = AntApp.useApp();
  const [form] = Form.useForm<Values>();
  const format = Form.useWatch('format', form) ?? sig?.format ?? 'html';
  // Both forms of the content, so switching the format keeps what was written.
  const [html, setHtml] = useState(sig?.format === 'html' ? sig.content : textToHtml(sig?.content ?? ''));
  const [text, setText] = useState(sig ? plain(sig) : '');
  const [saving, setSaving] = useState(false);

  const submit = async () => {
    const v = await form.validateFields();
    const body = { name: v.name, format: v.format, content: v.format === 'html' ? html : text, isDefault: v.isDefault };
    setSaving(true);
    try {
      onClose(sig ? await optionsApi.updateSignature(sig.id, body) : await optionsApi.addSignature(body));
    } catch (err) {
      // The content has no form field of its own (the editor is not a form control): say it as a message.
      if (!markField(form, err) || (err instanceof ApiError && err.field === 'content')) void message.error(optionError(t, err));
    } finally {
      setSaving(false);
    }
  };

  return (
    <Modal open title={t(sig ? 'options.signatures.editTitle' : 'options.signatures.addTitle')} width={680} onCancel={() => onClose()}
      onOk={() => void submit()} okText={t('options.save')} cancelText={t('options.cancel')} confirmLoading={saving} destroyOnHidden>
      <Form form={form} layout="vertical" initialValues={{ name: sig?.name ?? '', format: sig?.format ?? 'html', isDefault }}>
        <Form.Item name="name" label={t('options.signatures.name')} rules={[{ required: true, whitespace: true, message: t('options.required') }]}>
          <Input maxLength={60} />
        </Form.Item>
        <Form.Item name="format" label={t('options.signatures.format')}>
          <Radio.Group optionType="button" options={[{ value: 'html', label: t('options.signatures.html') }, { value: 'text', label: t('options.signatures.text') }]}
            onChange={(e) => { if (e.target.value === 'html' && !html.replace(/<[^>]*>/g, '').trim()) setHtml(textToHtml(text)); }} />
        </Form.Item>
        <Form.Item label={t('options.signatures.content')}>
          {format === 'html' ? (
            <Suspense fallback={<Spin />}>
              <RichEditor initial={html} onChange={(h, plainText) => { setHtml(h); setText(plainText); }} />
            </Suspense>
          ) : <Input.TextArea rows={6} value={text} onChange={(e) => setText(e.target.value)} aria-label={t('options.signatures.content')} />}
        </Form.Item>
        <Form.Item name="isDefault" valuePropName="checked"><Checkbox>{t('options.signatures.setDefault')}</Checkbox></Form.Item>
      </Form>
    </Modal>
  );
}

export function SignaturesTab() {
  const { t } = useTranslation();
  const { message } = AntApp.useApp();
  const queryClient = useQueryClient();
  const list = useQuery({ queryKey: optionKeys.signatures, queryFn: optionsApi.signatures });
  const [editing, setEditing] = useState<Signature | 'new'>();
  const done = (r?: SignatureList) => {
    if (r) { queryClient.setQueryData(optionKeys.signatures, r); void message.success(t('options.saved')); }
    setEditing(undefined);
  };
  const act = async (run: () => Promise<SignatureList>) => {
    try { done(await run()); } catch (err) { void message.error(optionError(t, err)); }
  };
  if (!list.data) return <Spin aria-label={t('shell.loading')} />;
  const { signatures, defaultId } = list.data;
  return (
    <>
      <Space style={{ marginBottom: 12 }}><Button type="primary" onClick={() => setEditing('new')}>{t('options.signatures.add')}</Button></Space>
      <List bordered dataSource={signatures} locale={{ emptyText: t('options.signatures.empty') }} rowKey="id"
        renderItem={(s) => (
          <List.Item actions={[
            s.id !== defaultId && <Button key="d" type="link" onClick={() => void act(() => optionsApi.updateSignature(s.id, { isDefault: true }))}>{t('options.signatures.makeDefault')}</Button>,
            <Button key="e" type="link" onClick={() => setEditing(s)}>{t('options.edit')}</Button>,
            <Popconfirm key="r" title={t('options.confirmRemove', { name: s.name })} onConfirm={() => void act(() => optionsApi.removeSignature(s.id))}>
              <Button type="link" danger>{t('options.remove')}</Button>
            </Popconfirm>,
          ].filter(Boolean)}>
            <List.Item.Meta
              title={<Space>{s.name}{s.id === defaultId && <Tag color="blue">{t('options.signatures.isDefault')}</Tag>}<Tag>{t(`options.signatures.${s.format}`)}</Tag></Space>}
              description={<div className="yj-sig-preview">{plain(s)}</div>} />
          </List.Item>
        )} />
      {editing && <SignatureForm sig={editing === 'new' ? undefined : editing} isDefault={editing === 'new' ? signatures.length === 0 : editing.id === defaultId} onClose={done} />}
    </>
  );
}
