/**
 * 域管理员用户管理 / 添加域管理员 (manual part 3 §2.3.5–§2.3.6) and 邮箱/域别名设置 (§2.4.1) of the
 * super-domain console (FEATURES A10), for the domain chosen in the switcher: its admins (add,
 * change password, delete), its mailbox aliases (virtual → real addresses, both in this domain),
 * and the domain aliases (an old name whose mail reaches a real domain; nobody logs in through it).
 */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Alert, Button, Card, Form, Input, Modal, Popconfirm, Select, Space, Table, Typography, message } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError } from '../api.ts';
import { adminApi, adminKeys } from './api.ts';
import { adminErrorText } from './errors.ts';
import { superApi, superKeys } from './super-api.ts';

export function SuperAdminsPage({ domain }: { domain: string }) {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const admins = useQuery({ queryKey: superKeys.admins(domain), queryFn: () => superApi.admins(domain) });
  const [editing, setEditing] = useState<string | 'new' | null>(null);
  const refresh = () => queryClient.invalidateQueries({ queryKey: superKeys.admins(domain) });
  const remove = useMutation({
    mutationFn: (username: string) => superApi.deleteAdmin(domain, username),
    onSuccess: () => { void refresh(); },
    onError: (err) => { void message.error(adminErrorText(t, err)); },
  });
  return (
    <section aria-label={t('super.menu.admins')}>
      <Space style={{ marginBottom: 16 }}>
        <Button type="primary" onClick={() => setEditing('new')}>{t('super.admins.add')}</Button>
        <Typography.Text type="secondary">{t('super.admins.hint', { domain })}</Typography.Text>
      </Space>
      {admins.error && <Alert type="error" showIcon message={adminErrorText(t, admins.error)} />}
      <Table rowKey="username" size="middle" loading={admins.isFetching} dataSource={admins.data ?? []} pagination={false}
        columns={[
          { key: 'account', title: t('console.deptAdmins.account'), dataIndex: 'account' },
          { key: 'createdAt', title: t('console.createdAt'), dataIndex: 'createdAt', render: (at: number) => new Date(at).toLocaleString() },
          { key: 'actions', title: t('admin.users.actions'), render: (_v, a: { username: string; account: string }) => (
            <Space size="small">
              <Typography.Link onClick={() => setEditing(a.username)}>{t('admin.changePassword')}</Typography.Link>
              <Popconfirm title={t('console.deptAdmins.confirmDelete', { account: a.account })} okText={t('admin.users.delete')} okButtonProps={{ danger: true }} onConfirm={() => remove.mutate(a.username)}>
                <Typography.Link type="danger">{t('admin.users.delete')}</Typography.Link>
              </Popconfirm>
            </Space>
          ) },
        ]} />
      {editing && <AdminForm domain={domain} username={editing === 'new' ? null : editing} onClose={(changed) => { setEditing(null); if (changed) void refresh(); }} />}
    </section>
  );
}

function AdminForm({ domain, username, onClose }: { domain: string; username: string | null; onClose: (changed: boolean) => void }) {
  const { t } = useTranslation();
  const [form] = Form.useForm<{ username: string; password: string }>();
  const save = useMutation({
    mutationFn: (f: { username: string; password: string }) => (username ? superApi.setAdminPassword(domain, username, f.password) : superApi.addAdmin(domain, f.username.trim().toLowerCase(), f.password)),
    onSuccess: () => onClose(true),
    onError: (err) => {
      if (err instanceof ApiError && err.field && form.getFieldInstance(err.field)) form.setFields([{ name: err.field as 'username', errors: [adminErrorText(t, err)] }]);
    },
  });
  return (
    <Modal open title={username ? `${t('admin.changePassword')} · ${username}@${domain}` : t('super.admins.add')} onCancel={() => onClose(false)}
      onOk={() => form.submit()} okText={t('admin.users.submit')} okButtonProps={{ loading: save.isPending }}>
      <Form form={form} layout="horizontal" labelCol={{ span: 6 }} initialValues={{ username: username ?? '' }} onFinish={(f) => save.mutate(f)} aria-label={t('super.admins.add')}>
        <Form.Item name="username" label={t('admin.user.name')} rules={[{ required: true, whitespace: true, message: t('admin.user.nameRequired') }]}>
          <Input disabled={username !== null} addonAfter={`@${domain}`} autoComplete="off" />
        </Form.Item>
        <Form.Item name="password" label={t('admin.user.password')} extra={t('admin.user.passwordHint')} rules={[{ required: true, message: t('login.passwordRequired') }]}>
          <Input.Password autoComplete="new-password" />
        </Form.Item>
        {save.error && !(save.error instanceof ApiError && save.error.field) && <Alert type="error" showIcon message={adminErrorText(t, save.error)} />}
      </Form>
    </Modal>
  );
}

const lines = (text: string) => text.split(/[\s,;，；]+/).map((s) => s.trim()).filter(Boolean);

export function SuperAliasesPage({ domain }: { domain: string }) {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const aliases = useQuery({ queryKey: superKeys.aliases(domain), queryFn: () => superApi.aliases(domain) });
  const domainAliases = useQuery({ queryKey: superKeys.domainAliases, queryFn: superApi.domainAliases });
  const domains = useQuery({ queryKey: adminKeys.domains, queryFn: adminApi.domains });
  const [aliasForm] = Form.useForm<{ alias: string; targets: string }>();
  const [domainForm] = Form.useForm<{ alias: string; domain: string }>();
  const fail = (err: unknown) => { void message.error(adminErrorText(t, err)); };
  const addAlias = useMutation({
    mutationFn: (f: { alias: string; targets: string }) => superApi.setAlias(domain, f.alias.trim(), lines(f.targets), false),
    onSuccess: () => { aliasForm.resetFields(); void queryClient.invalidateQueries({ queryKey: superKeys.aliases(domain) }); },
    onError: (err) => {
      if (err instanceof ApiError && (err.field === 'alias' || err.field === 'targets')) aliasForm.setFields([{ name: err.field, errors: [err.message] }]);
      else fail(err);
    },
  });
  const removeAlias = useMutation({ mutationFn: (a: string) => superApi.deleteAlias(domain, a), onSuccess: () => queryClient.invalidateQueries({ queryKey: superKeys.aliases(domain) }), onError: fail });
  const addDomainAlias = useMutation({
    mutationFn: (f: { alias: string; domain: string }) => superApi.addDomainAlias(f.alias.trim(), f.domain),
    onSuccess: () => { domainForm.resetFields(); void queryClient.invalidateQueries({ queryKey: superKeys.domainAliases }); },
    onError: (err) => {
      if (err instanceof ApiError && err.field === 'alias') domainForm.setFields([{ name: 'alias', errors: [err.message] }]);
      else fail(err);
    },
  });
  const removeDomainAlias = useMutation({ mutationFn: superApi.deleteDomainAlias, onSuccess: () => queryClient.invalidateQueries({ queryKey: superKeys.domainAliases }), onError: fail });
  return (
    <section aria-label={t('super.menu.aliases')}>
      <Card title={t('super.aliases.mailbox')} style={{ marginBottom: 16 }}>
        <Typography.Paragraph type="secondary">{t('super.aliases.mailboxHint')}</Typography.Paragraph>
        <Form form={aliasForm} layout="inline" onFinish={(f) => addAlias.mutate(f)} aria-label={t('super.aliases.addMailbox')} style={{ marginBottom: 16 }}>
          <Form.Item name="alias" label={t('super.aliases.virtual')} rules={[{ required: true, whitespace: true, message: t('admin.user.nameRequired') }]}>
            <Input addonAfter={`@${domain}`} style={{ width: 260 }} />
          </Form.Item>
          <Form.Item name="targets" label={t('super.aliases.real')} rules={[{ required: true, whitespace: true, message: t('super.aliases.realRequired') }]}>
            <Input placeholder={`user@${domain}`} style={{ width: 280 }} />
          </Form.Item>
          <Button type="primary" htmlType="submit" loading={addAlias.isPending}>{t('super.aliases.addMailbox')}</Button>
        </Form>
        <Table<{ address: string; targets: string[] }> rowKey="address" size="small" loading={aliases.isFetching} dataSource={aliases.data ?? []} pagination={false}
          columns={[
            { key: 'address', title: t('super.aliases.virtual'), dataIndex: 'address' },
            { key: 'targets', title: t('super.aliases.real'), render: (_v, a) => a.targets.join(', ') },
            { key: 'actions', title: t('admin.users.actions'), render: (_v, a) => (
              <Popconfirm title={t('super.aliases.confirmDelete', { alias: a.address })} okButtonProps={{ danger: true }} onConfirm={() => removeAlias.mutate(a.address)}>
                <Typography.Link type="danger">{t('admin.users.delete')}</Typography.Link>
              </Popconfirm>
            ) },
          ]} />
      </Card>
      <Card title={t('super.aliases.domain')}>
        <Typography.Paragraph type="secondary">{t('super.aliases.domainHint')}</Typography.Paragraph>
        <Form form={domainForm} layout="inline" initialValues={{ domain }} onFinish={(f) => addDomainAlias.mutate(f)} aria-label={t('super.aliases.addDomain')} style={{ marginBottom: 16 }}>
          <Form.Item name="alias" label={t('super.aliases.virtualDomain')} rules={[{ required: true, whitespace: true, message: t('super.domains.nameRequired') }]}>
            <Input placeholder="old-name.cn" style={{ width: 220 }} />
          </Form.Item>
          <Form.Item name="domain" label={t('super.aliases.realDomain')}>
            <Select style={{ width: 220 }} options={(domains.data ?? []).map((d) => ({ value: d.name, label: d.displayName }))} />
          </Form.Item>
          <Button type="primary" htmlType="submit" loading={addDomainAlias.isPending}>{t('super.aliases.addDomain')}</Button>
        </Form>
        <Table rowKey="alias" size="small" loading={domainAliases.isFetching} dataSource={domainAliases.data ?? []} pagination={false}
          columns={[
            { key: 'alias', title: t('super.aliases.virtualDomain'), dataIndex: 'alias' },
            { key: 'domain', title: t('super.aliases.realDomain'), dataIndex: 'domain' },
            { key: 'actions', title: t('admin.users.actions'), render: (_v, a: { alias: string }) => (
              <Popconfirm title={t('super.aliases.confirmDelete', { alias: a.alias })} okButtonProps={{ danger: true }} onConfirm={() => removeDomainAlias.mutate(a.alias)}>
                <Typography.Link type="danger">{t('admin.users.delete')}</Typography.Link>
              </Popconfirm>
            ) },
          ]} />
      </Card>
    </section>
  );
}
