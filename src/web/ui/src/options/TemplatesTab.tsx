/**
 * 回复模板 (issue #12, beyond the manual): the user's templates for frequent replies, each a name and
 * a body in rich text (compose's own editor) or plain lines. Compose's templates menu inserts one
 * at the cursor. The list shows each as text only: nothing from a template's HTML is rendered
 * outside the editor.
 */
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { App as AntApp, Button, Form, Input, List, Modal, Popconfirm, Radio, Space, Spin, Tag } from 'antd';
import { Suspense, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { LazyRichEditor as RichEditor } from '../compose/lazy-rich-editor.ts';
import { ApiError } from '../api.ts';
import { optionError } from './option-error.ts';
import { markField, optionKeys, optionsApi, type ReplyTemplate } from './options-api.ts';
import { htmlToText, textToHtml } from './template-text.ts';

const plain = (x: ReplyTemplate): string => (x.format === 'html' ? htmlToText(x.body) : x.body);

interface Values { name: string; format: 'html' | 'text' }

function TemplateForm({ tpl, onClose }: { tpl?: ReplyTemplate; onClose(saved?: boolean): void }) {
  const { t } = useTranslation();
  const { message } = AntApp.useApp();
  const [form] = Form.useForm<Values>();
  const format = Form.useWatch('format', form) ?? tpl?.format ?? 'html';
  const [html, setHtml] = useState(tpl?.format === 'html' ? tpl.body : textToHtml(tpl?.body ?? ''));
  const [text, setText] = useState(tpl ? plain(tpl) : '');
  const [saving, setSaving] = useState(false);

  const submit = async () => {
    const v = await form.validateFields();
    const body = { name: v.name, format: v.format, body: v.format === 'html' ? html : text };
    setSaving(true);
    try {
      if (tpl) await optionsApi.updateTemplate(tpl.id, body);
      else await optionsApi.addTemplate(body);
      onClose(true);
    } catch (err) {
      if (!markField(form, err) || (err instanceof ApiError && err.field === 'body')) void message.error(optionError(t, err));
    } finally {
      setSaving(false);
    }
  };

  return (
    <Modal open title={t(tpl ? 'options.templates.editTitle' : 'options.templates.addTitle')} width={680} onCancel={() => onClose()}
      onOk={() => void submit()} okText={t('options.save')} cancelText={t('options.cancel')} confirmLoading={saving} destroyOnHidden>
      <Form form={form} layout="vertical" initialValues={{ name: tpl?.name ?? '', format: tpl?.format ?? 'html' }}>
        <Form.Item name="name" label={t('options.templates.name')} rules={[{ required: true, whitespace: true, message: t('options.required') }]}>
          <Input maxLength={60} />
        </Form.Item>
        <Form.Item name="format" label={t('options.signatures.format')}>
          <Radio.Group optionType="button" options={[{ value: 'html', label: t('options.signatures.html') }, { value: 'text', label: t('options.signatures.text') }]}
            onChange={(e) => { if (e.target.value === 'html' && !htmlToText(html).trim()) setHtml(textToHtml(text)); }} />
        </Form.Item>
        <Form.Item label={t('options.templates.body')}>
          {format === 'html' ? (
            <Suspense fallback={<Spin />}>
              <RichEditor initial={html} onChange={(h, plainText) => { setHtml(h); setText(plainText); }} />
            </Suspense>
          ) : <Input.TextArea rows={8} value={text} onChange={(e) => setText(e.target.value)} aria-label={t('options.templates.body')} />}
        </Form.Item>
      </Form>
    </Modal>
  );
}

export function TemplatesTab() {
  const { t } = useTranslation();
  const { message } = AntApp.useApp();
  const queryClient = useQueryClient();
  const list = useQuery({ queryKey: optionKeys.templates, queryFn: optionsApi.templates });
  const [editing, setEditing] = useState<ReplyTemplate | 'new'>();
  const refresh = () => queryClient.invalidateQueries({ queryKey: optionKeys.templates });
  const done = (saved?: boolean) => {
    if (saved) { void refresh(); void message.success(t('options.saved')); }
    setEditing(undefined);
  };
  const remove = async (id: number) => {
    try { await optionsApi.removeTemplate(id); await refresh(); } catch (err) { void message.error(optionError(t, err)); }
  };
  if (!list.data) return <Spin aria-label={t('shell.loading')} />;
  return (
    <>
      <Space style={{ marginBottom: 12 }}>
        <Button type="primary" onClick={() => setEditing('new')}>{t('options.templates.add')}</Button>
      </Space>
      <List bordered dataSource={list.data} locale={{ emptyText: t('options.templates.empty') }} rowKey="id" aria-label={t('options.tabs.templates')}
        renderItem={(x) => (
          <List.Item actions={[
            <Button key="e" type="link" onClick={() => setEditing(x)}>{t('options.edit')}</Button>,
            <Popconfirm key="r" title={t('options.confirmRemove', { name: x.name })} onConfirm={() => void remove(x.id)}>
              <Button type="link" danger>{t('options.remove')}</Button>
            </Popconfirm>,
          ]}>
            <List.Item.Meta title={<Space>{x.name}<Tag>{t(`options.signatures.${x.format}`)}</Tag></Space>}
              description={<div className="yj-sig-preview">{plain(x)}</div>} />
          </List.Item>
        )} />
      {editing && <TemplateForm tpl={editing === 'new' ? undefined : editing} onClose={done} />}
    </>
  );
}
