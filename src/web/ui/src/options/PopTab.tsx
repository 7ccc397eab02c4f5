/**
 * POP 邮件 (manual part 2 §1.17.5): the user's other POP3 boxes, collected into INBOX by the
 * MultiPOP engine on its schedule. Add (主机地址, 帐户名称, 帐号密码, 是否开启, 删除服务器邮件),
 * test the login, switch on or off, remove. Passwords are write-only: the form never shows one.
 */
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { App as AntApp, Button, Checkbox, Form, Input, InputNumber, Modal, Popconfirm, Select, Space, Switch, Table, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { optionError } from './option-error.ts';
import { markField, optionKeys, optionsApi, type PopAccount, type PopInput, type TlsMode } from './options-api.ts';

interface Values { host: string; port?: number; tls: TlsMode; username: string; password?: string; enabled: boolean; deleteOnServer: boolean }

function PopForm({ account, onClose }: { account?: PopAccount; onClose: (saved: boolean) => void }) {
  const { t } = useTranslation();
  const { message } = AntApp.useApp();
  const [form] = Form.useForm<Values>();
  const [saving, setSaving] = useState(false);
  const required = [{ required: true, whitespace: true, message: t('options.required') }];
  const submit = async () => {
    const v = await form.validateFields();
    const body: PopInput = {
      host: v.host.trim(), tls: v.tls, username: v.username.trim(), enabled: v.enabled, leaveOnServer: !v.deleteOnServer,
      ...(v.port ? { port: v.port } : {}), ...(v.password ? { password: v.password } : {}),
    };
    setSaving(true);
    try {
      if (account) await optionsApi.updatePop(account.id, body); else await optionsApi.addPop(body);
      onClose(true);
    } catch (err) {
      if (!markField(form, err)) void message.error(optionError(t, err));
    } finally {
      setSaving(false);
    }
  };
  return (
    <Modal open title={t(account ? 'options.pop.editTitle' : 'options.pop.addTitle')} onCancel={() => onClose(false)} onOk={() => void submit()}
      okText={t('options.save')} cancelText={t('options.cancel')} confirmLoading={saving} destroyOnHidden>
      <Form form={form} labelCol={{ span: 7 }} wrapperCol={{ span: 16 }}
        initialValues={account ? { ...account, deleteOnServer: !account.leaveOnServer } : { tls: 'tls', enabled: true, deleteOnServer: false }}>
        <Form.Item name="host" label={t('options.pop.host')} rules={required} extra={t('options.pop.hostHint')}><Input maxLength={253} /></Form.Item>
        <Form.Item label={t('options.pop.tls')}>
          <Space>
            <Form.Item name="tls" noStyle>
              <Select style={{ width: 130 }} aria-label={t('options.pop.tls')}
                options={(['tls', 'starttls', 'none'] as const).map((m) => ({ value: m, label: t(`options.pop.tlsModes.${m}`) }))} />
            </Form.Item>
            <Form.Item name="port" noStyle><InputNumber min={1} max={65535} precision={0} placeholder={t('options.pop.port')} aria-label={t('options.pop.port')} /></Form.Item>
          </Space>
        </Form.Item>
        <Form.Item name="username" label={t('options.pop.username')} rules={required}><Input maxLength={320} autoComplete="off" /></Form.Item>
        <Form.Item name="password" label={t('options.pop.password')} rules={account ? [] : required} extra={account ? t('options.pop.passwordKeep') : undefined}>
          <Input.Password autoComplete="new-password" />
        </Form.Item>
        <Form.Item name="enabled" valuePropName="checked" wrapperCol={{ offset: 7 }}><Checkbox>{t('options.pop.enabled')}</Checkbox></Form.Item>
        <Form.Item name="deleteOnServer" valuePropName="checked" wrapperCol={{ offset: 7 }} extra={t('options.pop.deleteHint')}>
          <Checkbox>{t('options.pop.deleteOnServer')}</Checkbox>
        </Form.Item>
      </Form>
    </Modal>
  );
}

export function PopTab() {
  const { t, i18n } = useTranslation();
  const { message } = AntApp.useApp();
  const queryClient = useQueryClient();
  const accounts = useQuery({ queryKey: optionKeys.pop, queryFn: optionsApi.popAccounts });
  const [editing, setEditing] = useState<PopAccount | 'new'>();
  const [testing, setTesting] = useState<number>();
  const refresh = () => void queryClient.invalidateQueries({ queryKey: optionKeys.pop });
  const act = async (run: () => Promise<unknown>) => {
    try { await run(); refresh(); } catch (err) { void message.error(optionError(t, err)); }
  };
  const test = async (a: PopAccount) => {
    setTesting(a.id);
    try {
      const r = await optionsApi.testPop(a.id);
      if (r.ok) void message.success(t('options.pop.testOk', { count: r.messages ?? 0 }));
      else void message.error(t('options.pop.testFailed', { error: r.error ?? '' }));
    } catch (err) {
      void message.error(optionError(t, err));
    } finally {
      setTesting(undefined);
    }
  };
  const status = (a: PopAccount) => {
    if (a.lastError) return <Typography.Text type="danger">{t('options.pop.lastError', { error: a.lastError })}</Typography.Text>;
    if (a.lastSuccessAt === null) return <Typography.Text type="secondary">{t('options.pop.never')}</Typography.Text>;
    return t('options.pop.lastOk', { time: new Date(a.lastSuccessAt).toLocaleString(i18n.language), total: a.totalFetched });
  };
  return (
    <>
      <Space style={{ marginBottom: 12 }}><Button type="primary" onClick={() => setEditing('new')}>{t('options.pop.add')}</Button></Space>
      <Table<PopAccount> rowKey="id" size="small" pagination={false} dataSource={accounts.data ?? []} loading={accounts.isLoading}
        locale={{ emptyText: t('options.pop.empty') }}
        columns={[
          { title: t('options.pop.host'), render: (_v, a) => `${a.host}:${a.port}` },
          { title: t('options.pop.username'), dataIndex: 'username' },
          {
            title: t('options.pop.enabled'),
            render: (_v, a) => <Switch size="small" checked={a.enabled} aria-label={t('options.pop.enabled')} onChange={(on) => void act(() => optionsApi.updatePop(a.id, { enabled: on }))} />,
          },
          { title: t('options.pop.status'), render: (_v, a) => status(a) },
          {
            title: t('options.actions'),
            render: (_v, a) => (
              <Space size={0}>
                <Button type="link" loading={testing === a.id} onClick={() => void test(a)}>{t('options.pop.test')}</Button>
                <Button type="link" onClick={() => setEditing(a)}>{t('options.edit')}</Button>
                <Popconfirm title={t('options.confirmRemove', { name: `${a.username}@${a.host}` })} onConfirm={() => void act(() => optionsApi.removePop(a.id))}>
                  <Button type="link" danger>{t('options.remove')}</Button>
                </Popconfirm>
              </Space>
            ),
          },
        ]} />
      {editing && <PopForm account={editing === 'new' ? undefined : editing} onClose={(saved) => { setEditing(undefined); if (saved) { refresh(); void message.success(t('options.saved')); } }} />}
    </>
  );
}
