/**
 * 批量修改用户 / 批量删除用户 (manual part 3 §1.4.5–§1.4.6; FEATURES A3): the users selected in the
 * list, or names pasted one a line; a change sets the same quota, status or department on each; a
 * delete removes each with their mail after a confirmation. The report lists each user that
 * failed and why (a domain limit by its name).
 */
import { useMutation, useQuery } from '@tanstack/react-query';
import { Alert, Button, Checkbox, Input, InputNumber, Modal, Select, Space, Table, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { adminApi, adminKeys, type BatchChangeResult } from './api.ts';
import { adminErrorText } from './errors.ts';

export function BatchChange({ domain, kind, selected, onClose }: { domain: string; kind: 'update' | 'delete'; selected: string[]; onClose: (changed: boolean) => void }) {
  const { t } = useTranslation();
  const [text, setText] = useState(selected.join('\n'));
  const [quota, setQuota] = useState<number | null>(null);
  const [status, setStatus] = useState<'active' | 'frozen' | undefined>();
  const [moveTo, setMoveTo] = useState<number | 'none' | undefined>();
  const [sure, setSure] = useState(false);
  const departments = useQuery({ queryKey: adminKeys.departments(domain), queryFn: () => adminApi.departments(domain), enabled: kind === 'update' });
  const users = text.split(/[\s,;，；]+/).map((s) => s.trim()).filter(Boolean);
  const run = useMutation({
    mutationFn: () => (kind === 'delete' ? adminApi.batchDelete(domain, users) : adminApi.batchUpdate(domain, users, {
      ...(quota !== null ? { quotaMb: quota } : {}), ...(status ? { status } : {}),
      ...(moveTo !== undefined ? { orgUnitId: moveTo === 'none' ? null : moveTo } : {}),
    })),
  });
  const result: BatchChangeResult | undefined = run.data;
  const changed = result !== undefined && result.updated.length > 0;
  const nothing = kind === 'update' && quota === null && !status && moveTo === undefined;
  const title = kind === 'delete' ? t('admin.bulk.deleteTitle') : t('admin.bulk.updateTitle');
  return (
    <Modal open width={640} title={title} onCancel={() => onClose(changed)}
      footer={<Space>
        <Button onClick={() => onClose(changed)}>{t('admin.batch.close')}</Button>
        <Button type="primary" danger={kind === 'delete'} disabled={users.length === 0 || nothing || (kind === 'delete' && !sure) || result !== undefined}
          loading={run.isPending} onClick={() => run.mutate()}>{kind === 'delete' ? t('admin.bulk.delete', { count: users.length }) : t('admin.bulk.apply', { count: users.length })}</Button>
      </Space>}>
      <Typography.Paragraph type="secondary">{t('admin.bulk.help')}</Typography.Paragraph>
      <Space direction="vertical" style={{ width: '100%' }}>
        <Input.TextArea rows={6} value={text} onChange={(e) => setText(e.target.value)} aria-label={t('admin.bulk.users')} style={{ fontFamily: 'monospace' }} />
        {kind === 'update' && <>
          <Space wrap>
            <span>{t('admin.user.quotaMb')}</span>
            <InputNumber min={0} precision={0} value={quota} onChange={(v) => setQuota(v)} aria-label={t('admin.user.quotaMb')} placeholder={t('admin.bulk.unchanged')} />
            <span>{t('admin.user.status')}</span>
            <Select style={{ width: 140 }} allowClear placeholder={t('admin.bulk.unchanged')} value={status} onChange={setStatus} aria-label={t('admin.user.status')}
              options={(['active', 'frozen'] as const).map((s) => ({ value: s, label: t(`admin.status.${s}`) }))} />
          </Space>
          <Space wrap>
            <span>{t('admin.user.department')}</span>
            <Select style={{ width: 280 }} allowClear showSearch optionFilterProp="label" placeholder={t('admin.bulk.unchanged')} value={moveTo} onChange={setMoveTo}
              aria-label={t('admin.user.department')}
              options={[{ value: 'none' as const, label: t('admin.bulk.noDepartment') }, ...(departments.data ?? []).map((d) => ({ value: d.id, label: d.path }))]} />
          </Space>
        </>}
        {kind === 'delete' && <Checkbox checked={sure} onChange={(e) => setSure(e.target.checked)}>{t('admin.bulk.confirmDelete', { count: users.length })}</Checkbox>}
        {run.error && <Alert type="error" showIcon role="alert" message={adminErrorText(t, run.error)} />}
        {result && <Alert type={result.errors.length ? 'warning' : 'success'} showIcon role="status"
          message={t(kind === 'delete' ? 'admin.bulk.deleted' : 'admin.bulk.updated', { done: result.updated.length, failed: result.errors.length })} />}
        {result && result.errors.length > 0 && (
          <Table size="small" rowKey="user" pagination={false} aria-label={t('admin.batch.errors')} dataSource={result.errors}
            columns={[
              { title: t('admin.user.address'), dataIndex: 'user' },
              { title: t('admin.batch.reason'), render: (_v, e) => (e.reason === 'LIMIT_REACHED' ? t(`admin.errors.limit.${e.field}`, { defaultValue: e.message }) : e.message) },
            ]} />
        )}
      </Space>
    </Modal>
  );
}
