/**
 * 邮件列表管理 (manual part 3 §1.6; FEATURES A6): the domain's lists with their member counts;
 * add one (name, description, public or private, first members pasted), export them all as CSV,
 * delete, and "维护" opens the list (ListMembers) for its properties and members.
 */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Alert, Button, Form, Input, Modal, Popconfirm, Space, Switch, Table, Tag, Typography, message } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError } from '../api.ts';
import { consoleApi, consoleKeys, type MailingList } from './console-api.ts';
import { adminErrorText } from './errors.ts';
import { ListMembers } from './ListMembers.tsx';

export function ListsPage({ domain }: { domain: string }) {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const lists = useQuery({ queryKey: consoleKeys.lists(domain), queryFn: () => consoleApi.lists(domain) });
  const [adding, setAdding] = useState(false);
  const [open, setOpen] = useState<string | null>(null);
  const refresh = () => queryClient.invalidateQueries({ queryKey: consoleKeys.lists(domain) });
  const remove = useMutation({
    mutationFn: (address: string) => consoleApi.deleteList(address),
    onSuccess: (_r, address) => { void message.success(t('console.lists.deleted', { address })); void refresh(); },
    onError: (err) => { void message.error(adminErrorText(t, err)); },
  });
  return (
    <section aria-label={t('console.menu.lists')}>
      <Space style={{ marginBottom: 16 }}>
        <Button type="primary" onClick={() => setAdding(true)}>{t('console.lists.add')}</Button>
        <Button href={consoleApi.listsExportUrl(domain)}>{t('console.lists.export')}</Button>
      </Space>
      {lists.error && <Alert type="error" showIcon message={adminErrorText(t, lists.error)} />}
      <Table<MailingList> rowKey="address" size="middle" loading={lists.isFetching} dataSource={lists.data ?? []} pagination={{ pageSize: 50, hideOnSinglePage: true }}
        columns={[
          { key: 'address', title: t('console.lists.address'), dataIndex: 'address', render: (a: string) => <Typography.Link onClick={() => setOpen(a)}>{a}</Typography.Link> },
          { key: 'description', title: t('console.lists.description'), dataIndex: 'description' },
          { key: 'visibility', title: t('console.lists.visibility'), dataIndex: 'visibility',
            render: (v: MailingList['visibility']) => <Tag color={v === 'private' ? 'purple' : 'blue'}>{t(`console.lists.${v}`)}</Tag> },
          { key: 'members', title: t('console.lists.members'), dataIndex: 'members' },
          { key: 'actions', title: t('admin.users.actions'), render: (_v, l) => (
            <Space size="small">
              <Typography.Link onClick={() => setOpen(l.address)}>{t('console.lists.maintain')}</Typography.Link>
              <Popconfirm title={t('console.lists.confirmDelete', { address: l.address })} okText={t('admin.users.delete')} okButtonProps={{ danger: true }} onConfirm={() => remove.mutate(l.address)}>
                <Typography.Link type="danger">{t('admin.users.delete')}</Typography.Link>
              </Popconfirm>
            </Space>
          ) },
        ]} />
      {adding && <AddList domain={domain} onClose={(address) => { setAdding(false); if (address) { void refresh(); setOpen(address); } }} />}
      {open && <ListMembers address={open} onClose={() => { setOpen(null); void refresh(); }} />}
    </section>
  );
}

interface Fields { name: string; description: string; isPrivate: boolean; members: string }

function AddList({ domain, onClose }: { domain: string; onClose: (address: string | null) => void }) {
  const { t } = useTranslation();
  const [form] = Form.useForm<Fields>();
  const save = useMutation({
    mutationFn: (f: Fields) => consoleApi.addList(domain, {
      name: f.name.trim().toLowerCase(), description: f.description ?? '', visibility: f.isPrivate ? 'private' : 'public',
      members: (f.members ?? '').split(/[\s,;，；]+/).filter((m) => m !== '').map((address) => ({ address, canSend: true, canReceive: true })),
    }),
    onSuccess: (l) => onClose(l.address),
    onError: (err) => {
      if (err instanceof ApiError && err.field && form.getFieldInstance(err.field.split('.')[0]!)) form.setFields([{ name: err.field.split('.')[0] as keyof Fields, errors: [adminErrorText(t, err)] }]);
    },
  });
  return (
    <Modal open title={t('console.lists.add')} onCancel={() => onClose(null)} onOk={() => form.submit()} okText={t('admin.users.submit')} okButtonProps={{ loading: save.isPending }} width={560}>
      <Form<Fields> form={form} layout="horizontal" labelCol={{ span: 6 }} initialValues={{ isPrivate: false, description: '', members: '' }} onFinish={(f) => save.mutate(f)} aria-label={t('console.lists.add')}>
        <Form.Item name="name" label={t('console.lists.name')} rules={[{ required: true, whitespace: true, message: t('console.lists.nameRequired') }]}>
          <Input addonAfter={`@${domain}`} autoComplete="off" />
        </Form.Item>
        <Form.Item name="description" label={t('console.lists.description')}><Input maxLength={500} /></Form.Item>
        <Form.Item name="isPrivate" label={t('console.lists.private')} valuePropName="checked" extra={t('console.lists.privateHint')}><Switch /></Form.Item>
        <Form.Item name="members" label={t('console.lists.members')} extra={t('console.lists.membersHint')}><Input.TextArea rows={5} /></Form.Item>
        {save.error && !(save.error instanceof ApiError && save.error.field) && <Alert type="error" showIcon message={adminErrorText(t, save.error)} />}
      </Form>
    </Modal>
  );
}
