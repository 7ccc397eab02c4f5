/**
 * 客户通讯录 as a webmail user reads it (FEATURES W10, manual part 2 §1.12): the domain's customer
 * categories on the left (all, each category, uncategorised), the entries on the right with search
 * and server paging; write to the selected people or to the whole category. Read-only: the
 * domain's administrators keep the book in the console.
 */
import { MailOutlined } from '@ant-design/icons';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { App as AntApp, Button, Empty, Input, Menu, Table, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { errorText } from '../errors.ts';
import { contactKeys, contactsApi, writeMailTo, type Customer } from './contacts-api.ts';

export function CustomerBook() {
  const { t } = useTranslation();
  const { message } = AntApp.useApp();
  const [q, setQ] = useState<{ search?: string; category?: number; page: number; pageSize: number }>({ page: 1, pageSize: 30 });
  const [selected, setSelected] = useState<string[]>([]);
  const page = useQuery({ queryKey: contactKeys.customers(q), queryFn: () => contactsApi.customers(q), placeholderData: keepPreviousData });
  if (page.isError && !page.data) return <Empty description={errorText(t, page.error)} />;
  const d = page.data;
  const key = q.category === undefined ? 'all' : String(q.category);

  const mailCategory = async () => {
    try {
      const all = await contactsApi.customers({ ...q, page: 1, pageSize: 200 });
      writeMailTo(all.customers.map((c) => c.email));
    } catch (err) { void message.error(errorText(t, err)); }
  };

  return (
    <div className="yj-book">
      <nav className="yj-book-groups" aria-label={t('customers.categories')}>
        <Menu mode="inline" selectedKeys={[key]} onClick={(e) => { setQ({ ...q, category: e.key === 'all' ? undefined : Number(e.key), page: 1 }); setSelected([]); }}
          items={[
            { key: 'all', label: t('customers.all') },
            ...(d?.categories ?? []).map((c) => ({ key: String(c.id), label: `${c.name} (${c.members})` })),
            { key: '0', label: t('customers.uncategorised') },
          ]} />
      </nav>
      <section className="yj-book-main" aria-label={t('customers.title')}>
        <div className="yj-toolbar">
          <Input.Search allowClear placeholder={t('customers.search')} aria-label={t('customers.search')} style={{ width: 260 }}
            onSearch={(search) => setQ({ ...q, search: search.trim() || undefined, page: 1 })} />
          <Button icon={<MailOutlined />} disabled={selected.length === 0} onClick={() => writeMailTo(selected)}>{t('customers.mailSelected')}</Button>
          <Button icon={<MailOutlined />} disabled={!d || d.total === 0} onClick={() => void mailCategory()}>{t('customers.mailCategory')}</Button>
          <Typography.Text type="secondary" className="yj-counts">{t('customers.count', { count: d?.total ?? 0 })}</Typography.Text>
        </div>
        <Table<Customer> rowKey="id" size="small" loading={page.isFetching} dataSource={d?.customers ?? []}
          locale={{ emptyText: t('customers.empty') }}
          pagination={{ current: q.page, pageSize: q.pageSize, total: d?.total ?? 0, showSizeChanger: false, hideOnSinglePage: true }}
          onChange={(p) => setQ({ ...q, page: p.current ?? 1 })}
          rowSelection={{ selectedRowKeys: d?.customers.filter((c) => selected.includes(c.email)).map((c) => c.id) ?? [],
            onChange: (_k, rows) => setSelected(rows.map((r) => r.email)),
            getCheckboxProps: (c) => ({ 'aria-label': t('customers.selectOne', { name: c.name }) } as never) }}
          columns={[
            { title: t('customers.fields.name'), dataIndex: 'name' },
            { title: t('customers.fields.email'), dataIndex: 'email', render: (v: string) => <Button type="link" size="small" style={{ padding: 0 }} onClick={() => writeMailTo([v])}>{v}</Button> },
            { title: t('customers.fields.company'), dataIndex: 'company' },
            { title: t('customers.fields.phone'), dataIndex: 'phone' },
            { title: t('customers.fields.mobile'), dataIndex: 'mobile' },
          ]} />
      </section>
    </div>
  );
}
