/**
 * 企业通讯录共享 (manual part 3 §2.5.1; FEATURES A10): every domain with the domains whose
 * enterprise directories its users see (其它域通讯录 in their webmail). Pick a domain and add shared
 * domains (both ways if asked); a tag's close button stops one share. Nothing is shared by default.
 */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Button, Card, Checkbox, Select, Space, Table, Tag, Typography, message } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { adminErrorText } from './errors.ts';
import { superApi, superKeys } from './super-api.ts';

export function SharesPage() {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const shares = useQuery({ queryKey: superKeys.shares, queryFn: superApi.shares });
  const [domain, setDomain] = useState<string>();
  const [shared, setShared] = useState<string[]>([]);
  const [mutual, setMutual] = useState(false);
  const refresh = () => queryClient.invalidateQueries({ queryKey: superKeys.shares });
  const add = useMutation({
    mutationFn: () => superApi.addShares(domain!, shared, mutual),
    onSuccess: (r) => { void message.success(t('shares.added', { count: r.added })); setShared([]); void refresh(); },
    onError: (err) => { void message.error(adminErrorText(t, err)); },
  });
  const remove = useMutation({
    mutationFn: ({ from, to }: { from: string; to: string }) => superApi.removeShare(from, to),
    onSuccess: () => { void message.success(t('shares.removed')); void refresh(); },
    onError: (err) => { void message.error(adminErrorText(t, err)); },
  });
  const names = (shares.data ?? []).map((s) => s.domain);

  return (
    <section aria-label={t('shares.title')}>
      <Card size="small" title={t('shares.title')} style={{ marginBottom: 16, maxWidth: 900 }}>
        <Typography.Paragraph type="secondary">{t('shares.help')}</Typography.Paragraph>
        <Space wrap>
          <Select style={{ width: 220 }} placeholder={t('shares.domain')} aria-label={t('shares.domain')} value={domain} showSearch
            onChange={(v) => { setDomain(v); setShared([]); }} options={names.map((n) => ({ value: n, label: n }))} />
          <Select mode="multiple" style={{ width: 320 }} placeholder={t('shares.choose')} aria-label={t('shares.sees')} value={shared} onChange={setShared}
            options={names.filter((n) => n !== domain).map((n) => ({ value: n, label: n }))} />
          <Checkbox checked={mutual} onChange={(e) => setMutual(e.target.checked)}>{t('shares.mutual')}</Checkbox>
          <Button type="primary" disabled={!domain || shared.length === 0} loading={add.isPending} onClick={() => add.mutate()}>{t('shares.add')}</Button>
        </Space>
      </Card>
      <Table rowKey="domain" size="small" loading={shares.isFetching} dataSource={shares.data ?? []} pagination={{ pageSize: 50, hideOnSinglePage: true }}
        aria-label={t('shares.title')}
        columns={[
          { title: t('shares.domain'), dataIndex: 'domain', width: 260 },
          { title: t('shares.sees'), render: (_v, s) => (s.sees.length === 0 ? <Typography.Text type="secondary">{t('shares.none')}</Typography.Text>
            : s.sees.map((to) => (
              <Tag key={to} closable onClose={(e) => { e.preventDefault(); remove.mutate({ from: s.domain, to }); }}
                closeIcon={<span aria-label={t('shares.remove', { domain: to })}>×</span>}>{to}</Tag>
            ))) },
        ]} />
    </section>
  );
}
