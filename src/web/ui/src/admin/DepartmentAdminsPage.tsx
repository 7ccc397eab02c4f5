/**
 * 部门管理员用户管理 / 添加部门管理员 (manual part 3 §1.3.2–§1.3.3, §3.1; FEATURES A5): the domain's
 * department admins and their departments; add one (a user of the department, with a password of
 * its own: they log in at this address as name@domain), change the department or the password,
 * delete. Moving one to another department ends their open sessions.
 */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Alert, Button, Form, Input, Modal, Popconfirm, Select, Space, Table, Typography, message } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError } from '../api.ts';
import { adminApi, adminKeys } from './api.ts';
import { consoleApi, consoleKeys, type DepartmentAdmin } from './console-api.ts';
import { adminErrorText } from './errors.ts';

export function DepartmentAdminsPage({ domain }: { domain: string }) {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const admins = useQuery({ queryKey: consoleKeys.departmentAdmins(domain), queryFn: () => consoleApi.departmentAdmins(domain) });
  const [editing, setEditing] = useState<DepartmentAdmin | 'new' | null>(null);
  const refresh = () => queryClient.invalidateQueries({ queryKey: consoleKeys.departmentAdmins(domain) });
  const remove = useMutation({
    mutationFn: (a: DepartmentAdmin) => consoleApi.deleteDepartmentAdmin(domain, a.username),
    onSuccess: (_r, a) => { void message.success(t('console.deptAdmins.deleted', { account: a.account })); void refresh(); },
    onError: (err) => { void message.error(adminErrorText(t, err)); },
  });
  return (
    <section aria-label={t('console.menu.deptAdmins')}>
      <Space style={{ marginBottom: 16 }}>
        <Button type="primary" onClick={() => setEditing('new')}>{t('console.deptAdmins.add')}</Button>
        <Typography.Text type="secondary">{t('console.deptAdmins.hint')}</Typography.Text>
      </Space>
      {admins.error && <Alert type="error" showIcon message={adminErrorText(t, admins.error)} />}
      <Table<DepartmentAdmin> rowKey="username" size="middle" loading={admins.isFetching} dataSource={admins.data ?? []} pagination={false}
        columns={[
          { key: 'account', title: t('console.deptAdmins.account'), dataIndex: 'account' },
          { key: 'department', title: t('admin.user.department'), dataIndex: 'department' },
          { key: 'createdAt', title: t('console.createdAt'), dataIndex: 'createdAt', render: (at: number) => new Date(at).toLocaleString() },
          { key: 'actions', title: t('admin.users.actions'), render: (_v, a) => (
            <Space size="small">
              <Typography.Link onClick={() => setEditing(a)}>{t('admin.users.edit')}</Typography.Link>
              <Popconfirm title={t('console.deptAdmins.confirmDelete', { account: a.account })} okText={t('admin.users.delete')} okButtonProps={{ danger: true }} onConfirm={() => remove.mutate(a)}>
                <Typography.Link type="danger">{t('admin.users.delete')}</Typography.Link>
              </Popconfirm>
            </Space>
          ) },
        ]} />
      {editing && <DepartmentAdminForm domain={domain} admin={editing === 'new' ? null : editing} onClose={(changed) => { setEditing(null); if (changed) void refresh(); }} />}
    </section>
  );
}

interface Fields { username: string; orgUnitId: number; password?: string }

function DepartmentAdminForm({ domain, admin, onClose }: { domain: string; admin: DepartmentAdmin | null; onClose: (changed: boolean) => void }) {
  const { t } = useTranslation();
  const [form] = Form.useForm<Fields>();
  const departments = useQuery({ queryKey: adminKeys.departments(domain), queryFn: () => adminApi.departments(domain) });
  const save = useMutation({
    mutationFn: (f: Fields) => (admin
      ? consoleApi.updateDepartmentAdmin(domain, admin.username, { orgUnitId: f.orgUnitId === admin.orgUnitId ? undefined : f.orgUnitId, password: f.password || undefined })
      : consoleApi.addDepartmentAdmin(domain, { username: f.username.trim().toLowerCase(), orgUnitId: f.orgUnitId, password: f.password ?? '' })),
    onSuccess: () => onClose(true),
    onError: (err) => {
      if (err instanceof ApiError && err.field && form.getFieldInstance(err.field)) form.setFields([{ name: err.field as keyof Fields, errors: [adminErrorText(t, err)] }]);
    },
  });
  return (
    <Modal open title={admin ? t('console.deptAdmins.editTitle', { account: admin.account }) : t('console.deptAdmins.add')} onCancel={() => onClose(false)}
      onOk={() => form.submit()} okText={t('admin.users.submit')} okButtonProps={{ loading: save.isPending }}>
      <Form<Fields> form={form} layout="horizontal" labelCol={{ span: 6 }} initialValues={admin ? { username: admin.username, orgUnitId: admin.orgUnitId } : {}}
        onFinish={(f) => save.mutate(f)} aria-label={t('console.deptAdmins.add')}>
        <Form.Item name="orgUnitId" label={t('admin.user.department')} rules={[{ required: true, message: t('console.deptAdmins.departmentRequired') }]}>
          <Select loading={departments.isPending} options={(departments.data ?? []).map((d) => ({ value: d.id, label: d.path }))} showSearch optionFilterProp="label" />
        </Form.Item>
        <Form.Item name="username" label={t('admin.user.name')} extra={t('console.deptAdmins.usernameHint')} rules={[{ required: true, whitespace: true, message: t('admin.user.nameRequired') }]}>
          <Input disabled={admin !== null} addonAfter={`@${domain}`} autoComplete="off" />
        </Form.Item>
        <Form.Item name="password" label={t('admin.user.password')} rules={admin ? [] : [{ required: true, message: t('login.passwordRequired') }]}
          extra={admin ? t('admin.user.passwordKeep') : t('admin.user.passwordHint')}>
          <Input.Password autoComplete="new-password" />
        </Form.Item>
        {save.error && !(save.error instanceof ApiError && save.error.field) && <Alert type="error" showIcon message={adminErrorText(t, save.error)} />}
      </Form>
    </Modal>
  );
}
