/**
 * 维护邮件列表 / 属性 (manual part 3 §1.6.1): one list's description and public / private switch,
 * its members with their send and receive rights ("只收、只发或收发都可以", changed in place), remove
 * a member, and batch add of pasted addresses with the rights to give them and a report of the
 * addresses refused.
 */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Alert, Button, Checkbox, Drawer, Form, Input, Popconfirm, Space, Switch, Table, Typography, message } from 'antd';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { consoleApi, consoleKeys, type ListMember } from './console-api.ts';
import { adminErrorText } from './errors.ts';

export function ListMembers({ address, onClose }: { address: string; onClose: () => void }) {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const list = useQuery({ queryKey: consoleKeys.list(address), queryFn: () => consoleApi.list(address) });
  const refresh = () => queryClient.invalidateQueries({ queryKey: consoleKeys.list(address) });
  const [props] = Form.useForm<{ description: string; isPrivate: boolean }>();
  useEffect(() => { if (list.data) props.setFieldsValue({ description: list.data.description, isPrivate: list.data.visibility === 'private' }); }, [list.data, props]);
  const saveProps = useMutation({
    mutationFn: (f: { description: string; isPrivate: boolean }) => consoleApi.updateList(address, { description: f.description, visibility: f.isPrivate ? 'private' : 'public' }),
    onSuccess: () => { void message.success(t('console.saved')); void refresh(); },
    onError: (err) => { void message.error(adminErrorText(t, err)); },
  });
  const [text, setText] = useState('');
  const [rights, setRights] = useState({ canSend: true, canReceive: true });
  const add = useMutation({
    mutationFn: () => consoleApi.addMembers(address, text, rights.canSend, rights.canReceive),
    onSuccess: (r) => { if (r.errors.length === 0) setText(''); void refresh(); },
  });
  const setRight = useMutation({
    mutationFn: (m: ListMember) => consoleApi.addMembers(address, m.address, m.canSend, m.canReceive),
    onSuccess: () => void refresh(),
    onError: (err) => { void message.error(adminErrorText(t, err)); },
  });
  const remove = useMutation({
    mutationFn: (member: string) => consoleApi.removeMember(address, member),
    onSuccess: () => void refresh(),
    onError: (err) => { void message.error(adminErrorText(t, err)); },
  });

  return (
    <Drawer open width={720} title={t('console.lists.maintainTitle', { address })} onClose={onClose}>
      {list.error && <Alert type="error" showIcon message={adminErrorText(t, list.error)} />}
      <Form form={props} layout="inline" onFinish={(f) => saveProps.mutate(f)} style={{ marginBottom: 16 }} aria-label={t('console.lists.properties')}>
        <Form.Item name="description" label={t('console.lists.description')}><Input maxLength={500} style={{ width: 240 }} /></Form.Item>
        <Form.Item name="isPrivate" label={t('console.lists.private')} valuePropName="checked"><Switch /></Form.Item>
        <Button htmlType="submit" loading={saveProps.isPending}>{t('console.save')}</Button>
      </Form>
      <Typography.Title level={5}>{t('console.lists.batchAdd')}</Typography.Title>
      <Input.TextArea rows={4} value={text} onChange={(e) => setText(e.target.value)} placeholder={t('console.lists.membersHint')} aria-label={t('console.lists.batchAdd')} />
      <Space style={{ margin: '8px 0 16px' }}>
        <Checkbox checked={rights.canSend} onChange={(e) => setRights({ ...rights, canSend: e.target.checked })}>{t('console.lists.canSend')}</Checkbox>
        <Checkbox checked={rights.canReceive} onChange={(e) => setRights({ ...rights, canReceive: e.target.checked })}>{t('console.lists.canReceive')}</Checkbox>
        <Button type="primary" disabled={text.trim() === ''} loading={add.isPending} onClick={() => add.mutate()}>{t('console.lists.addMembers')}</Button>
      </Space>
      {add.data && (
        <Alert style={{ marginBottom: 16 }} type={add.data.errors.length ? 'warning' : 'success'} showIcon
          message={t('console.lists.batchResult', { added: add.data.added.length, failed: add.data.errors.length })}
          description={add.data.errors.length > 0 && <ul style={{ margin: 0 }}>{add.data.errors.map((e) => <li key={e.entry}>{e.entry}: {t('console.lists.badEntry')}</li>)}</ul>} />
      )}
      {add.error && <Alert type="error" showIcon message={adminErrorText(t, add.error)} style={{ marginBottom: 16 }} />}
      <Table<ListMember> rowKey="address" size="small" loading={list.isFetching} dataSource={list.data?.members ?? []} pagination={{ pageSize: 50, hideOnSinglePage: true }}
        columns={[
          { key: 'address', title: t('console.lists.member'), dataIndex: 'address' },
          { key: 'canSend', title: t('console.lists.canSend'), render: (_v, m) => (
            <Switch size="small" checked={m.canSend} aria-label={`${t('console.lists.canSend')} ${m.address}`} onChange={(canSend) => setRight.mutate({ ...m, canSend })} />) },
          { key: 'canReceive', title: t('console.lists.canReceive'), render: (_v, m) => (
            <Switch size="small" checked={m.canReceive} aria-label={`${t('console.lists.canReceive')} ${m.address}`} onChange={(canReceive) => setRight.mutate({ ...m, canReceive })} />) },
          { key: 'actions', title: t('admin.users.actions'), render: (_v, m) => (
            <Popconfirm title={t('console.lists.confirmRemove', { address: m.address })} okText={t('console.lists.remove')} okButtonProps={{ danger: true }} onConfirm={() => remove.mutate(m.address)}>
              <Typography.Link type="danger">{t('console.lists.remove')}</Typography.Link>
            </Popconfirm>
          ) },
        ]} />
    </Drawer>
  );
}
