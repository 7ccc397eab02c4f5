/**
 * 邮箱用户管理 (manual part 3 §1.4.1; FEATURES A3): the users the admin manages in one domain,
 * searched, filtered, sorted and paged by the server (a 50,000-user domain sends one page), with
 * add, change, freeze / unfreeze, delete (with the mail, after a confirmation), export as CSV or
 * text, batch add, and batch modify / delete of the selected users. A department admin sees only their department and the ones below it.
 */
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Button, Input, Popconfirm, Select, Space, Table, Tag, Typography, message } from 'antd';
import type { SorterResult } from 'antd/es/table/interface';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { adminApi, adminKeys, type AdminUser, type UserSort, type UsersQuery } from './api.ts';
import { BatchAdd } from './BatchAdd.tsx';
import { BatchChange } from './BatchChange.tsx';
import { adminErrorText } from './errors.ts';
import { UserForm } from './UserForm.tsx';

const STATUS_COLORS = { active: 'green', frozen: 'blue', pending: 'orange' } as const;

export function UsersPage({ domain }: { domain: string }) {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const [q, setQ] = useState<UsersQuery>({ search: '', sort: 'address', order: 'asc', page: 1, pageSize: 20 });
  const users = useQuery({ queryKey: [...adminKeys.users(domain), q], queryFn: () => adminApi.users(domain, q), placeholderData: keepPreviousData });
  const [editing, setEditing] = useState<AdminUser | 'new' | null>(null);
  const [batch, setBatch] = useState(false);
  const [selected, setSelected] = useState<string[]>([]);
  const [bulk, setBulk] = useState<'update' | 'delete' | null>(null);
  const refresh = () => queryClient.invalidateQueries({ queryKey: adminKeys.users(domain) });
  const act = useMutation({
    mutationFn: ({ kind, u }: { kind: 'approve' | 'freeze' | 'unfreeze' | 'remove'; u: AdminUser }) => adminApi[kind](u.address),
    onSuccess: (_r, v) => { void message.success(t(`admin.users.done.${v.kind}`, { address: v.u.address })); void refresh(); },
    onError: (err) => { void message.error(adminErrorText(t, err)); },
  });
  const sortOf = (key: UserSort) => (q.sort === key ? (q.order === 'asc' ? 'ascend' as const : 'descend' as const) : null);

  return (
    <section aria-label={t('admin.menu.users')}>
      <Space style={{ marginBottom: 16, flexWrap: 'wrap' }}>
        <Input.Search placeholder={t('admin.users.search')} allowClear style={{ width: 260 }} aria-label={t('admin.users.search')}
          onSearch={(search) => setQ({ ...q, search: search.trim(), page: 1 })} />
        <Select style={{ width: 140 }} allowClear placeholder={t('admin.users.allStatuses')} value={q.status} aria-label={t('admin.user.status')}
          onChange={(status) => setQ({ ...q, status, page: 1 })}
          options={(['active', 'frozen', 'pending'] as const).map((s) => ({ value: s, label: t(`admin.status.${s}`) }))} />
        <Button type="primary" onClick={() => setEditing('new')}>{t('admin.users.add')}</Button>
        <Button onClick={() => setBatch(true)}>{t('admin.users.batch')}</Button>
        <Button onClick={() => setBulk('update')}>{t('admin.bulk.update', { count: selected.length })}</Button>
        <Button danger onClick={() => setBulk('delete')}>{t('admin.bulk.deleteButton', { count: selected.length })}</Button>
        <Button href={adminApi.exportUrl(domain)}>{t('admin.users.export')}</Button>
        <Button href={adminApi.exportTxtUrl(domain)}>{t('admin.users.exportTxt')}</Button>
      </Space>
      <Table<AdminUser>
        rowKey="address"
        size="middle"
        loading={users.isFetching}
        rowSelection={{ selectedRowKeys: selected, onChange: (keys) => setSelected(keys as string[]), preserveSelectedRowKeys: true }}
        dataSource={users.data?.users ?? []}
        pagination={{ current: q.page, pageSize: q.pageSize, total: users.data?.total ?? 0, showSizeChanger: true,
          showTotal: (total) => t('admin.users.total', { count: total }) }}
        onChange={(p, _f, sorter) => {
          const s = (Array.isArray(sorter) ? sorter[0] : sorter) as SorterResult<AdminUser> | undefined;
          const sort = (s?.order ? s.columnKey : 'address') as UserSort;
          setQ({ ...q, page: p.current ?? 1, pageSize: p.pageSize ?? q.pageSize, sort, order: s?.order === 'descend' ? 'desc' : 'asc' });
        }}
        columns={[
          { key: 'address', title: t('admin.user.address'), dataIndex: 'address', sorter: true, sortOrder: sortOf('address') },
          { key: 'realName', title: t('admin.user.realName'), dataIndex: 'realName', sorter: true, sortOrder: sortOf('realName') },
          { key: 'department', title: t('admin.user.department'), dataIndex: 'department' },
          { key: 'quotaBytes', title: t('admin.user.quotaMb'), dataIndex: 'quotaMb', sorter: true, sortOrder: sortOf('quotaBytes'),
            render: (mb: number) => (mb === 0 ? t('admin.user.unlimited') : `${mb} MB`) },
          { key: 'status', title: t('admin.user.status'), dataIndex: 'status', sorter: true, sortOrder: sortOf('status'),
            render: (s: AdminUser['status']) => <Tag color={STATUS_COLORS[s]}>{t(`admin.status.${s}`)}</Tag> },
          { key: 'lastLoginAt', title: t('admin.user.lastLoginAt'), dataIndex: 'lastLoginAt', sorter: true, sortOrder: sortOf('lastLoginAt'),
            render: (at: number | null) => (at === null ? '—' : new Date(at).toLocaleString()) },
          { key: 'actions', title: t('admin.users.actions'), render: (_v, u) => (
            <Space size="small">
              <Typography.Link onClick={() => setEditing(u)}>{t('admin.users.edit')}</Typography.Link>
              {u.status === 'pending' && <Typography.Link onClick={() => act.mutate({ kind: 'approve', u })}>{t('admin.users.approve')}</Typography.Link>}
              {u.status === 'frozen'
                ? <Typography.Link onClick={() => act.mutate({ kind: 'unfreeze', u })}>{t('admin.users.unfreeze')}</Typography.Link>
                : <Typography.Link onClick={() => act.mutate({ kind: 'freeze', u })}>{t('admin.users.freeze')}</Typography.Link>}
              <Popconfirm title={t('admin.users.confirmDelete', { address: u.address })} okText={t('admin.users.delete')} okButtonProps={{ danger: true }}
                onConfirm={() => act.mutate({ kind: 'remove', u })}>
                <Typography.Link type="danger">{t('admin.users.delete')}</Typography.Link>
              </Popconfirm>
            </Space>
          ) },
        ]}
      />
      {editing && <UserForm domain={domain} user={editing === 'new' ? null : editing} onClose={(changed) => { setEditing(null); if (changed) void refresh(); }} />}
      {bulk && <BatchChange domain={domain} kind={bulk} selected={selected} onClose={(changed) => { setBulk(null); if (changed) { setSelected([]); void refresh(); } }} />}
      {batch && <BatchAdd domain={domain} onClose={(changed) => { setBatch(false); if (changed) void refresh(); }} />}
    </section>
  );
}
