/**
 * 个人资料 (manual part 2 §1.17.1): the address, department and quota as the administrators set
 * them (read-only), and the name, phones, title and postal address the user keeps.
 */
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { App as AntApp, Button, Descriptions, Form, Input, Spin } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { keys } from '../api.ts';
import { bytes } from '../format.ts';
import { optionError } from './option-error.ts';
import { markField, optionKeys, optionsApi, type ProfilePatch } from './options-api.ts';

export function ProfileTab() {
  const { t, i18n } = useTranslation();
  const { message } = AntApp.useApp();
  const queryClient = useQueryClient();
  const profile = useQuery({ queryKey: optionKeys.profile, queryFn: optionsApi.profile });
  const [form] = Form.useForm<ProfilePatch>();
  const [saving, setSaving] = useState(false);
  if (!profile.data) return <Spin aria-label={t('shell.loading')} />;
  const p = profile.data;
  const when = (ms: number | null) => (ms === null ? t('options.profile.never') : new Date(ms).toLocaleString(i18n.language));

  const save = async (v: ProfilePatch) => {
    setSaving(true);
    try {
      queryClient.setQueryData(optionKeys.profile, await optionsApi.setProfile(v));
      void queryClient.invalidateQueries({ queryKey: keys.me });
      void message.success(t('options.saved'));
    } catch (err) {
      if (!markField(form, err)) void message.error(optionError(t, err));
    } finally {
      setSaving(false);
    }
  };

  return (
    <>
      <Descriptions column={1} size="small" style={{ marginBottom: 16 }}>
        <Descriptions.Item label={t('options.profile.address')}>{p.address}</Descriptions.Item>
        <Descriptions.Item label={t('options.profile.department')}>{p.department || t('options.profile.noDepartment')}</Descriptions.Item>
        <Descriptions.Item label={t('options.profile.quota')}>{p.quotaBytes > 0 ? bytes(p.quotaBytes, i18n.language) : t('options.profile.unlimited')}</Descriptions.Item>
        <Descriptions.Item label={t('options.profile.createdAt')}>{when(p.createdAt)}</Descriptions.Item>
        <Descriptions.Item label={t('options.profile.lastLoginAt')}>{when(p.lastLoginAt)}</Descriptions.Item>
      </Descriptions>
      <Form form={form} layout="horizontal" labelCol={{ span: 5 }} wrapperCol={{ span: 14 }} initialValues={p} onFinish={(v) => void save(v)}>
        {(['realName', 'mobile', 'phone', 'title', 'postalAddress'] as const).map((k) => (
          <Form.Item key={k} name={k} label={t(`options.profile.${k}`)}>
            <Input maxLength={k === 'postalAddress' ? 300 : k === 'title' ? 100 : k === 'realName' ? 64 : 40} />
          </Form.Item>
        ))}
        <Form.Item wrapperCol={{ offset: 5 }}><Button type="primary" htmlType="submit" loading={saving}>{t('options.save')}</Button></Form.Item>
      </Form>
    </>
  );
}
