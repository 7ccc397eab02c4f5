/**
 * 管理员操作日志 (manual part 3 §1.9.1; FEATURES A9): the domain's audit entries, newest first,
 * filtered by who (part of the account), what (a kind of action), the object (part of its name)
 * and a date range, paged by the server. Details are shown as the service recorded them.
 */
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { Alert, DatePicker, Input, Select, Space, Table, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { consoleApi, consoleKeys, type AuditEntry, type AuditQuery } from './console-api.ts';
import { adminErrorText } from './errors.ts';

const KINDS = ['user.', 'org.', 'list.', 'admin.', 'domain.'] as const;

export function AuditPage({ domain }: { domain: string }) {
  const { t } = useTranslation();
  const [q, setQ] = useState<AuditQuery>({ page: 1, pageSize: 20 });
  const log = useQuery({ queryKey: [...consoleKeys.audit(domain), q], queryFn: () => consoleApi.audit(domain, q), placeholderData: keepPreviousData });
  return (
    <section aria-label={t('console.menu.audit')}>
      <Space style={{ marginBottom: 16, flexWrap: 'wrap' }}>
        <Input.Search allowClear placeholder={t('console.audit.actor')} aria-label={t('console.audit.actor')} style={{ width: 200 }}
          onSearch={(actor) => setQ({ ...q, actor: actor.trim() || undefined, page: 1 })} />
        <Select allowClear placeholder={t('console.audit.allActions')} aria-label={t('console.audit.action')} style={{ width: 160 }} value={q.action}
          onChange={(action) => setQ({ ...q, action, page: 1 })} options={KINDS.map((k) => ({ value: k, label: t(`console.audit.kinds.${k.slice(0, -1)}`) }))} />
        <Input.Search allowClear placeholder={t('console.audit.target')} aria-label={t('console.audit.target')} style={{ width: 200 }}
          onSearch={(target) => setQ({ ...q, target: target.trim() || undefined, page: 1 })} />
        <DatePicker.RangePicker aria-label={t('console.audit.range')} onChange={(r) => setQ({
          ...q, page: 1, since: r?.[0] ? r[0].startOf('day').valueOf() : undefined, until: r?.[1] ? r[1].endOf('day').valueOf() + 1 : undefined,
        })} />
      </Space>
      {log.error && <Alert type="error" showIcon message={adminErrorText(t, log.error)} />}
      <Table<AuditEntry> rowKey="id" size="small" loading={log.isFetching} dataSource={log.data?.entries ?? []}
        pagination={{ current: q.page, pageSize: q.pageSize, total: log.data?.total ?? 0, showSizeChanger: true, showTotal: (total) => t('console.audit.total', { count: total }),
          onChange: (page, pageSize) => setQ({ ...q, page, pageSize }) }}
        columns={[
          { key: 'at', title: t('console.audit.at'), dataIndex: 'at', width: 180, render: (at: number) => new Date(at).toLocaleString() },
          { key: 'actor', title: t('console.audit.actor'), dataIndex: 'actor' },
          { key: 'action', title: t('console.audit.action'), dataIndex: 'action', render: (a: string) => t(`console.audit.actions.${a.replace(/\./g, '_')}`, { defaultValue: a }) },
          { key: 'target', title: t('console.audit.target'), dataIndex: 'target' },
          { key: 'source', title: t('console.audit.source'), dataIndex: 'source' },
          { key: 'details', title: t('console.audit.details'), dataIndex: 'details',
            render: (d: Record<string, unknown>) => <Typography.Text type="secondary" style={{ fontSize: 12 }} ellipsis={{ tooltip: JSON.stringify(d) }}>{JSON.stringify(d)}</Typography.Text> },
        ]} />
    </section>
  );
}
