/**
 * 邮件域信息 · 域信息管理统计 (manual part 3 §1.3.1; FEATURES A2): the domain's status, limits and
 * usage (users, allocated and used size, lists, opening and expiry), and the settings a domain
 * admin changes (default quotas, self-registration and approval, the admin-login link, feedback
 * address, company name). The limits are the super admin's: editable only in their console.
 */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Alert, Button, Card, Descriptions, Form, Input, InputNumber, Select, Switch, Tag, message } from 'antd';
import { useEffect } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError } from '../api.ts';
import { consoleApi, consoleKeys, type DomainInfo, type DomainInfoPatch } from './console-api.ts';
import { adminErrorText } from './errors.ts';

const STATUS_COLORS = { valid: 'green', invalid: 'red', expired: 'orange' } as const;

export function DomainInfoPage({ domain, isSuper }: { domain: string; isSuper: boolean }) {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const info = useQuery({ queryKey: consoleKeys.info(domain), queryFn: () => consoleApi.info(domain) });
  const [form] = Form.useForm<DomainInfoPatch>();
  useEffect(() => { if (info.data) form.setFieldsValue(info.data); }, [info.data, form]);
  const save = useMutation({
    mutationFn: (f: DomainInfoPatch) => {
      const patch: DomainInfoPatch = { ...f };
      if (!isSuper) for (const k of ['status', 'maxUsers', 'maxSizeMb', 'maxLists'] as const) delete patch[k];
      return consoleApi.updateInfo(domain, patch);
    },
    onSuccess: (d) => { queryClient.setQueryData(consoleKeys.info(domain), d); void message.success(t('console.saved')); },
    onError: (err) => {
      if (err instanceof ApiError && err.field && form.getFieldInstance(err.field)) form.setFields([{ name: err.field as keyof DomainInfoPatch, errors: [adminErrorText(t, err)] }]);
    },
  });
  const d: DomainInfo | undefined = info.data;
  const limit = (n: number, unit = '') => (n === 0 ? t('admin.user.unlimited') : `${n}${unit}`);
  const day = (at: number | null) => (at === null ? t('console.info.never') : new Date(at).toLocaleDateString());

  return (
    <section aria-label={t('console.menu.info')}>
      {info.error && <Alert type="error" showIcon message={adminErrorText(t, info.error)} />}
      {d && (
        <Card title={t('console.info.stats')} style={{ marginBottom: 16 }}>
          <Descriptions bordered size="small" column={2}>
            <Descriptions.Item label={t('console.info.name')}>{d.displayName}</Descriptions.Item>
            <Descriptions.Item label={t('console.info.status')}><Tag color={STATUS_COLORS[d.effectiveStatus]}>{t(`console.info.statuses.${d.effectiveStatus}`)}</Tag></Descriptions.Item>
            <Descriptions.Item label={t('console.info.maxUsers')}>{limit(d.maxUsers)}</Descriptions.Item>
            <Descriptions.Item label={t('console.info.users')}>{d.users}</Descriptions.Item>
            <Descriptions.Item label={t('console.info.maxSize')}>{limit(d.maxSizeMb, ' MB')}</Descriptions.Item>
            <Descriptions.Item label={t('console.info.allocated')}>{d.quotaAllocatedMb} MB</Descriptions.Item>
            <Descriptions.Item label={t('console.info.used')}>{d.usedMb} MB</Descriptions.Item>
            <Descriptions.Item label={t('console.info.lists')}>{d.lists} / {limit(d.maxLists)}</Descriptions.Item>
            <Descriptions.Item label={t('console.info.openedAt')}>{day(d.openedAt)}</Descriptions.Item>
            <Descriptions.Item label={t('console.info.expiresAt')}>{day(d.expiresAt)}</Descriptions.Item>
          </Descriptions>
        </Card>
      )}
      <Card title={t('console.info.settings')}>
        <Form<DomainInfoPatch> form={form} layout="horizontal" labelCol={{ span: 6 }} style={{ maxWidth: 640 }} onFinish={(f) => save.mutate(f)} aria-label={t('console.info.settings')}>
          {isSuper && <>
            <Form.Item name="status" label={t('console.info.status')}>
              <Select options={(['valid', 'invalid', 'expired'] as const).map((s) => ({ value: s, label: t(`console.info.statuses.${s}`) }))} style={{ width: 160 }} />
            </Form.Item>
            <Form.Item name="maxUsers" label={t('console.info.maxUsers')} extra={t('console.info.zeroUnlimited')}><InputNumber min={0} precision={0} /></Form.Item>
            <Form.Item name="maxSizeMb" label={t('console.info.maxSize')} extra={t('console.info.zeroUnlimited')}><InputNumber min={0} precision={0} addonAfter="MB" /></Form.Item>
            <Form.Item name="maxLists" label={t('console.info.maxLists')} extra={t('console.info.zeroUnlimited')}><InputNumber min={0} precision={0} /></Form.Item>
          </>}
          <Form.Item name="defaultQuotaMb" label={t('console.info.defaultQuota')}><InputNumber min={0} precision={0} addonAfter="MB" /></Form.Item>
          <Form.Item name="defaultDiskQuotaMb" label={t('console.info.defaultDiskQuota')}><InputNumber min={0} precision={0} addonAfter="MB" /></Form.Item>
          <Form.Item name="allowRegistration" label={t('console.info.allowRegistration')} valuePropName="checked"><Switch /></Form.Item>
          <Form.Item name="requireApproval" label={t('console.info.requireApproval')} valuePropName="checked"><Switch /></Form.Item>
          <Form.Item name="showAdminLogin" label={t('console.info.showAdminLogin')} valuePropName="checked"><Switch /></Form.Item>
          <Form.Item name="feedbackAddress" label={t('console.info.feedbackAddress')}><Input maxLength={320} /></Form.Item>
          <Form.Item name="companyName" label={t('console.info.companyName')}><Input maxLength={200} /></Form.Item>
          {!isSuper && <Alert type="info" showIcon message={t('console.info.limitsBySuper')} style={{ marginBottom: 16 }} />}
          <Button type="primary" htmlType="submit" loading={save.isPending}>{t('console.save')}</Button>
        </Form>
      </Card>
    </section>
  );
}
