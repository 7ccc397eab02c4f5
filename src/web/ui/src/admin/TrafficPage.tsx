/**
 * 邮件收发流量 (manual part 3 §1.9, §2.9.3; FEATURES A9): the domain's mail per day over a chosen
 * range (the last 7 days at first) — messages and bytes received and sent — as a table under a bar
 * chart drawn with plain elements (no chart library), the totals, and the users who moved the most.
 */
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { Alert, Input, Space, Statistic, Table, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { adminErrorText } from './errors.ts';
import { opsApi, opsKeys, type TrafficReport } from './ops-api.ts';

export const formatBytes = (n: number): string =>
  n < 1024 ? `${n} B` : n < 1048576 ? `${(n / 1024).toFixed(1)} KB` : n < 1073741824 ? `${(n / 1048576).toFixed(1)} MB` : `${(n / 1073741824).toFixed(2)} GB`;

type Day = TrafficReport['days'][number];

export function TrafficPage({ domain }: { domain: string }) {
  const { t } = useTranslation();
  const [range, setRange] = useState({ from: '', to: '' });
  const report = useQuery({ queryKey: opsKeys.traffic(domain, range.from, range.to), queryFn: () => opsApi.traffic(domain, range.from, range.to), placeholderData: keepPreviousData });
  const r = report.data;
  const max = Math.max(1, ...(r?.days ?? []).map((d) => Math.max(d.inMessages, d.outMessages)));
  return (
    <section aria-label={t('ops.menu.traffic')}>
      <Space style={{ marginBottom: 16, display: 'flex' }} wrap>
        <Typography.Text>{t('ops.traffic.from')}</Typography.Text>
        <Input type="date" aria-label={t('ops.traffic.from')} value={range.from || r?.from || ''} onChange={(e) => setRange((x) => ({ ...x, from: e.target.value }))} style={{ width: 160 }} />
        <Typography.Text>{t('ops.traffic.to')}</Typography.Text>
        <Input type="date" aria-label={t('ops.traffic.to')} value={range.to || r?.to || ''} onChange={(e) => setRange((x) => ({ ...x, to: e.target.value }))} style={{ width: 160 }} />
      </Space>
      {report.error && <Alert type="error" showIcon message={adminErrorText(t, report.error)} />}
      {r && (
        <>
          <Space size="large" style={{ marginBottom: 16, display: 'flex' }} wrap>
            <Statistic title={t('ops.traffic.inMessages')} value={r.totals.inMessages} />
            <Statistic title={t('ops.traffic.inBytes')} value={formatBytes(r.totals.inBytes)} />
            <Statistic title={t('ops.traffic.outMessages')} value={r.totals.outMessages} />
            <Statistic title={t('ops.traffic.outBytes')} value={formatBytes(r.totals.outBytes)} />
          </Space>
          <div role="img" aria-label={t('ops.traffic.chart')} style={{ display: 'flex', alignItems: 'flex-end', gap: 4, height: 140, padding: '8px 0', borderBottom: '1px solid #ddd', overflowX: 'auto' }}>
            {r.days.map((d) => (
              <div key={d.day} title={`${d.day}: ${t('ops.traffic.in')} ${d.inMessages}, ${t('ops.traffic.out')} ${d.outMessages}`} style={{ display: 'flex', alignItems: 'flex-end', gap: 1, height: '100%', minWidth: 12, flex: 1 }}>
                <div style={{ flex: 1, background: '#1677ff', height: `${(d.inMessages / max) * 100}%` }} />
                <div style={{ flex: 1, background: '#52c41a', height: `${(d.outMessages / max) * 100}%` }} />
              </div>
            ))}
          </div>
          <Typography.Paragraph type="secondary" style={{ marginTop: 4 }}>
            <span style={{ color: '#1677ff' }}>■</span> {t('ops.traffic.in')} <span style={{ color: '#52c41a' }}>■</span> {t('ops.traffic.out')}
          </Typography.Paragraph>
          <Table<Day> rowKey="day" size="small" dataSource={[...r.days].reverse()} pagination={{ pageSize: 31, hideOnSinglePage: true }} aria-label={t('ops.traffic.byDay')}
            columns={[
              { key: 'day', title: t('ops.traffic.day'), dataIndex: 'day' },
              { key: 'inMessages', title: t('ops.traffic.inMessages'), dataIndex: 'inMessages' },
              { key: 'inBytes', title: t('ops.traffic.inBytes'), dataIndex: 'inBytes', render: formatBytes },
              { key: 'outMessages', title: t('ops.traffic.outMessages'), dataIndex: 'outMessages' },
              { key: 'outBytes', title: t('ops.traffic.outBytes'), dataIndex: 'outBytes', render: formatBytes },
            ]} />
          <Typography.Title level={5}>{t('ops.traffic.topUsers')}</Typography.Title>
          <Table rowKey="address" size="small" dataSource={r.topUsers} pagination={false}
            columns={[
              { key: 'address', title: t('admin.user.address'), dataIndex: 'address' },
              { key: 'realName', title: t('admin.user.realName'), dataIndex: 'realName' },
              { key: 'inMessages', title: t('ops.traffic.inMessages'), dataIndex: 'inMessages' },
              { key: 'inBytes', title: t('ops.traffic.inBytes'), dataIndex: 'inBytes', render: formatBytes },
              { key: 'outMessages', title: t('ops.traffic.outMessages'), dataIndex: 'outMessages' },
              { key: 'outBytes', title: t('ops.traffic.outBytes'), dataIndex: 'outBytes', render: formatBytes },
            ]} />
        </>
      )}
    </section>
  );
}
