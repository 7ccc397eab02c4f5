/**
 * 自动回复 and 自动转发 (manual part 2 §1.17.7–1.17.8), the delivery engine's rules: the reply's
 * subject and text with an optional start and end (local time in the browser, ms on the wire), at
 * most one reply per sender per so many days; forwarding to one or more addresses, keeping a copy
 * here (在本站保存) or not.
 */
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { Alert, App as AntApp, Button, Checkbox, Form, Input, InputNumber, Select, Spin } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { optionError } from './option-error.ts';
import { markField, optionKeys, optionsApi, type Autoreply, type Forward } from './options-api.ts';

const pad = (n: number) => String(n).padStart(2, '0');
/** ms → the value of an <input type="datetime-local"> in the browser's time zone. */
const toLocal = (ms?: number): string => {
  if (ms === undefined) return '';
  const d = new Date(ms);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
};
const fromLocal = (s?: string): number | undefined => (s ? new Date(s).getTime() : undefined);

/** Saves with `run`, marking a field the server names or showing the error; returns whether it saved. */
function useSave<T>(key: readonly string[]) {
  const { t } = useTranslation();
  const { message } = AntApp.useApp();
  const queryClient = useQueryClient();
  const [saving, setSaving] = useState(false);
  const save = async (form: Parameters<typeof markField>[0], run: () => Promise<T>, keep?: number) => {
    setSaving(true);
    try {
      queryClient.setQueryData(key, await run());
      void message.success(t('options.saved'));
    } catch (err) {
      if (!markField(form, err, 0, keep)) void message.error(optionError(t, err));
    } finally {
      setSaving(false);
    }
  };
  return { saving, save };
}

type AutoreplyValues = Omit<Autoreply, 'startsAt' | 'endsAt'> & { startsAt?: string; endsAt?: string };

export function AutoreplyTab() {
  const { t } = useTranslation();
  const data = useQuery({ queryKey: optionKeys.autoreply, queryFn: optionsApi.autoreply });
  const [form] = Form.useForm<AutoreplyValues>();
  const { saving, save } = useSave<Autoreply>(optionKeys.autoreply);
  if (!data.data) return <Spin aria-label={t('shell.loading')} />;
  const a = data.data;
  const submit = (v: AutoreplyValues) => {
    const { html: _html, ...rest } = a;
    const body: Autoreply = { ...rest, ...v, startsAt: fromLocal(v.startsAt), endsAt: fromLocal(v.endsAt) };
    if (body.startsAt === undefined) delete body.startsAt;
    if (body.endsAt === undefined) delete body.endsAt;
    void save(form, () => optionsApi.setAutoreply(body));
  };
  return (
    <>
      <Alert style={{ marginBottom: 16 }} type={a.enabled ? 'success' : 'info'} showIcon message={t(`options.autoreply.status.${a.enabled ? 'on' : 'off'}`)} />
      <Form form={form} labelCol={{ span: 6 }} wrapperCol={{ span: 16 }} onFinish={submit}
        initialValues={{ ...a, startsAt: toLocal(a.startsAt), endsAt: toLocal(a.endsAt) }}>
        <Form.Item name="enabled" valuePropName="checked" wrapperCol={{ offset: 6 }}><Checkbox>{t('options.autoreply.enabled')}</Checkbox></Form.Item>
        <Form.Item name="subject" label={t('options.autoreply.subject')} extra={t('options.autoreply.subjectHint')}><Input maxLength={200} /></Form.Item>
        <Form.Item name="body" label={t('options.autoreply.body')}><Input.TextArea rows={6} maxLength={64 * 1024} /></Form.Item>
        <Form.Item name="startsAt" label={t('options.autoreply.startsAt')} extra={t('options.autoreply.datesHint')}><Input type="datetime-local" style={{ width: 240 }} /></Form.Item>
        <Form.Item name="endsAt" label={t('options.autoreply.endsAt')}><Input type="datetime-local" style={{ width: 240 }} /></Form.Item>
        <Form.Item name="intervalDays" label={t('options.autoreply.interval')}><InputNumber min={1} max={365} precision={0} /></Form.Item>
        <Form.Item name="onlyToContacts" valuePropName="checked" wrapperCol={{ offset: 6 }}><Checkbox>{t('options.autoreply.onlyContacts')}</Checkbox></Form.Item>
        <Form.Item wrapperCol={{ offset: 6 }}><Button type="primary" htmlType="submit" loading={saving}>{t('options.save')}</Button></Form.Item>
      </Form>
    </>
  );
}

export function ForwardTab() {
  const { t } = useTranslation();
  const data = useQuery({ queryKey: optionKeys.forward, queryFn: optionsApi.forward });
  const [form] = Form.useForm<Forward>();
  const { saving, save } = useSave<Forward>(optionKeys.forward);
  if (!data.data) return <Spin aria-label={t('shell.loading')} />;
  return (
    <Form form={form} labelCol={{ span: 5 }} wrapperCol={{ span: 16 }} initialValues={data.data}
      onFinish={(v) => void save(form, () => optionsApi.setForward({ ...v, to: v.to ?? [] }), 1)}>
      <Form.Item name="enabled" valuePropName="checked" wrapperCol={{ offset: 5 }}><Checkbox>{t('options.forward.enabled')}</Checkbox></Form.Item>
      <Form.Item name="to" label={t('options.forward.to')} extra={t('options.forward.toHint')}>
        <Select mode="tags" open={false} tokenSeparators={[',', ';', ' ']} aria-label={t('options.forward.to')} />
      </Form.Item>
      <Form.Item name="keepCopy" valuePropName="checked" wrapperCol={{ offset: 5 }} extra={t('options.forward.keepCopyHint')}>
        <Checkbox>{t('options.forward.keepCopy')}</Checkbox>
      </Form.Item>
      <Form.Item wrapperCol={{ offset: 5 }}><Button type="primary" htmlType="submit" loading={saving}>{t('options.save')}</Button></Form.Item>
    </Form>
  );
}
