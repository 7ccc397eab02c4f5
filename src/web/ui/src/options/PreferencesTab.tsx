/**
 * 参数设置 (manual part 2 §1.17.4): default display format, send charset, list refresh, mails per
 * page (at most 50), save sent mail, auto-save recipients; and where an opened mail shows (阅读窗格). Compose and the list read them from
 * GET /api/options/compose and /api/options/preferences.
 */
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { App as AntApp, Button, Form, InputNumber, Radio, Spin, Switch } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { optionError } from './option-error.ts';
import { markField, optionKeys, optionsApi, type Preferences } from './options-api.ts';

export function PreferencesTab() {
  const { t } = useTranslation();
  const { message } = AntApp.useApp();
  const queryClient = useQueryClient();
  const prefs = useQuery({ queryKey: optionKeys.preferences, queryFn: optionsApi.preferences });
  const [form] = Form.useForm<Preferences>();
  const [saving, setSaving] = useState(false);
  if (!prefs.data) return <Spin aria-label={t('shell.loading')} />;

  const save = async (v: Preferences) => {
    setSaving(true);
    try {
      queryClient.setQueryData(optionKeys.preferences, await optionsApi.setPreferences(v));
      // The lists take the new page size, and compose the new format, charset and save-sent choice.
      void queryClient.invalidateQueries({ queryKey: ['messages'] });
      void queryClient.invalidateQueries({ queryKey: ['compose-options'] });
      void message.success(t('options.saved'));
    } catch (err) {
      if (!markField(form, err)) void message.error(optionError(t, err));
    } finally {
      setSaving(false);
    }
  };

  return (
    <Form form={form} labelCol={{ span: 8 }} wrapperCol={{ span: 14 }} initialValues={prefs.data} onFinish={(v) => void save(v)}>
      <Form.Item name="format" label={t('options.preferences.format')}>
        <Radio.Group options={[{ value: 'html', label: t('options.preferences.html') }, { value: 'text', label: t('options.preferences.text') }]} />
      </Form.Item>
      <Form.Item name="charset" label={t('options.preferences.charset')}>
        <Radio.Group options={[{ value: 'utf-8', label: 'UTF-8' }, { value: 'gb2312', label: 'GB 2312' }]} />
      </Form.Item>
      <Form.Item name="readingPane" label={t('options.preferences.readingPane')}>
        <Radio.Group options={(['right', 'below', 'off'] as const).map((v) => ({ value: v, label: t(`options.preferences.pane.${v}`) }))} />
      </Form.Item>
      <Form.Item name="conversationView" label={t('options.preferences.conversationView')} extra={t('options.preferences.conversationViewHint')} valuePropName="checked">
        <Switch checkedChildren={t('options.yes')} unCheckedChildren={t('options.no')} />
      </Form.Item>
      <Form.Item name="refreshMinutes" label={t('options.preferences.refresh')}><InputNumber min={1} max={120} precision={0} /></Form.Item>
      <Form.Item name="pageSize" label={t('options.preferences.pageSize')} extra={t('options.preferences.pageSizeHint')}>
        <InputNumber min={5} max={50} precision={0} />
      </Form.Item>
      <Form.Item name="saveSent" label={t('options.preferences.saveSent')} valuePropName="checked">
        <Switch checkedChildren={t('options.yes')} unCheckedChildren={t('options.no')} />
      </Form.Item>
      <Form.Item name="autoSaveRecipients" label={t('options.preferences.autoSave')} valuePropName="checked">
        <Switch checkedChildren={t('options.yes')} unCheckedChildren={t('options.no')} />
      </Form.Item>
      <Form.Item wrapperCol={{ offset: 8 }}><Button type="primary" htmlType="submit" loading={saving}>{t('options.save')}</Button></Form.Item>
    </Form>
  );
}
