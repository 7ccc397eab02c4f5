/**
 * 添加新用户 / 修改邮箱帐号 (manual part 3 §1.4.1–§1.4.2): name (fixed once made), password (the
 * domain's policy; on change, empty keeps it), real name, department, quotas, send and receive
 * scope, hidden from the address book, frozen, and on add whether to send the welcome letter. A field the server refuses is marked on the field.
 * When the domain switched the custom login field on (自定义用户字段, manual §1.8.3), the form has it,
 * named as the domain named it (the public branding says so, for department admins too).
 */
import { useMutation, useQuery } from '@tanstack/react-query';
import { Alert, Form, Input, InputNumber, Modal, Radio, Select, Switch } from 'antd';
import { useTranslation } from 'react-i18next';
import { ApiError } from '../api.ts';
import { adminApi, adminKeys, call, type AdminUser, type UserFields } from './api.ts';
import { adminErrorText } from './errors.ts';

interface Fields extends UserFields { name: string; password?: string; frozen: boolean; sendWelcome?: boolean }

export function UserForm({ domain, user, onClose }: { domain: string; user: AdminUser | null; onClose: (changed: boolean) => void }) {
  const { t } = useTranslation();
  const [form] = Form.useForm<Fields>();
  const departments = useQuery({ queryKey: adminKeys.departments(domain), queryFn: () => adminApi.departments(domain) });
  const branding = useQuery({ queryKey: ['branding', domain], queryFn: () => call<{ customLoginField: string | null }>('GET', `/api/branding/${encodeURIComponent(domain)}`) });
  const customField = branding.data?.customLoginField ?? null;
  const save = useMutation({
    mutationFn: async ({ name, password, frozen, sendWelcome, ...f }: Fields) => {
      const fields: UserFields = { ...f, status: frozen ? 'frozen' : 'active', orgUnitId: f.orgUnitId ?? null };
      if (password) fields.password = password;
      return user ? adminApi.updateUser(user.address, fields) : adminApi.addUser(domain, { ...fields, name: name.trim(), password: password ?? '', sendWelcome: sendWelcome ?? false });
    },
    onSuccess: () => onClose(true),
    onError: (err) => {
      if (err instanceof ApiError && err.field && form.getFieldInstance(err.field)) {
        const text = err.field === 'loginName' && err.code === 'ALREADY_EXISTS'
          ? t('admin.user.loginNameTaken', { field: customField ?? t('admin.user.loginName') }) : adminErrorText(t, err);
        form.setFields([{ name: err.field as keyof Fields, errors: [text] }]);
      }
    },
  });
  const initial: Partial<Fields> = user
    ? { name: user.address.split('@')[0], realName: user.realName, quotaMb: user.quotaMb, diskQuotaMb: user.diskQuotaMb, orgUnitId: user.orgUnitId,
      hidden: user.hidden, sendScope: user.sendScope, receiveScope: user.receiveScope, frozen: user.status === 'frozen', loginName: user.loginName }
    : { sendScope: 'any', receiveScope: 'any', hidden: false, frozen: false };
  const scopes = [{ value: 'any', label: t('admin.scope.any') }, { value: 'internal', label: t('admin.scope.internal') }];

  return (
    <Modal open title={user ? t('admin.users.editTitle', { address: user.address }) : t('admin.users.add')} onCancel={() => onClose(false)}
      onOk={() => form.submit()} okText={t('admin.users.submit')} okButtonProps={{ loading: save.isPending }} width={560}>
      <Form<Fields> form={form} layout="horizontal" labelCol={{ span: 7 }} initialValues={initial} onFinish={(f) => save.mutate(f)} aria-label={t('admin.users.add')}>
        <Form.Item name="name" label={t('admin.user.name')} rules={[{ required: true, whitespace: true, message: t('admin.user.nameRequired') }]}>
          <Input disabled={user !== null} addonAfter={`@${domain}`} autoComplete="off" />
        </Form.Item>
        <Form.Item name="password" label={t('admin.user.password')} rules={user ? [] : [{ required: true, message: t('login.passwordRequired') }]}
          extra={user ? t('admin.user.passwordKeep') : t('admin.user.passwordHint')}>
          <Input.Password autoComplete="new-password" />
        </Form.Item>
        <Form.Item name="realName" label={t('admin.user.realName')}><Input maxLength={100} /></Form.Item>
        {(customField || user?.loginName) && (
          <Form.Item name="loginName" label={customField ?? t('admin.user.loginName')}><Input maxLength={64} autoComplete="off" style={{ width: 220 }} /></Form.Item>
        )}
        <Form.Item name="orgUnitId" label={t('admin.user.department')}>
          <Select allowClear placeholder={t('admin.user.noDepartment')} loading={departments.isPending}
            options={(departments.data ?? []).map((d) => ({ value: d.id, label: d.path }))} />
        </Form.Item>
        <Form.Item name="quotaMb" label={t('admin.user.quotaMb')} extra={t('admin.user.quotaHint')}><InputNumber min={0} precision={0} style={{ width: 160 }} /></Form.Item>
        <Form.Item name="diskQuotaMb" label={t('admin.user.diskQuotaMb')}><InputNumber min={0} precision={0} style={{ width: 160 }} /></Form.Item>
        <Form.Item name="sendScope" label={t('admin.user.sendScope')}><Radio.Group options={scopes} /></Form.Item>
        <Form.Item name="receiveScope" label={t('admin.user.receiveScope')}><Radio.Group options={scopes} /></Form.Item>
        <Form.Item name="hidden" label={t('admin.user.hidden')} valuePropName="checked"><Switch /></Form.Item>
        <Form.Item name="frozen" label={t('admin.user.frozen')} valuePropName="checked"><Switch /></Form.Item>
        {!user && <Form.Item name="sendWelcome" label={t('admin.user.sendWelcome')} extra={t('admin.user.sendWelcomeHint')} valuePropName="checked"><Switch /></Form.Item>}
        {save.error && <Alert type="error" showIcon role="alert" message={adminErrorText(t, save.error)} />}
      </Form>
    </Modal>
  );
}
