/** "修改密码": the admin's own password, the old one asked again, the new one twice. */
import { useMutation } from '@tanstack/react-query';
import { Alert, Form, Input, Modal, message } from 'antd';
import { useTranslation } from 'react-i18next';
import { adminApi } from './api.ts';
import { adminErrorText } from './errors.ts';

interface Fields { oldPassword: string; newPassword: string; again: string }

export function PasswordDialog({ open, onClose }: { open: boolean; onClose: () => void }) {
  const { t } = useTranslation();
  const [form] = Form.useForm<Fields>();
  const change = useMutation({
    mutationFn: (f: Fields) => adminApi.changePassword(f.oldPassword, f.newPassword),
    onSuccess: () => { void message.success(t('admin.password.done')); form.resetFields(); onClose(); },
  });
  return (
    <Modal open={open} title={t('admin.changePassword')} onCancel={onClose} onOk={() => form.submit()} okButtonProps={{ loading: change.isPending }} destroyOnHidden>
      <Form<Fields> form={form} layout="vertical" onFinish={(f) => change.mutate(f)}>
        <Form.Item name="oldPassword" label={t('admin.password.old')} rules={[{ required: true, message: t('login.passwordRequired') }]}>
          <Input.Password autoComplete="current-password" />
        </Form.Item>
        <Form.Item name="newPassword" label={t('admin.password.new')} rules={[{ required: true, message: t('login.passwordRequired') }]}>
          <Input.Password autoComplete="new-password" />
        </Form.Item>
        <Form.Item name="again" label={t('admin.password.again')} dependencies={['newPassword']} rules={[{ required: true, message: t('login.passwordRequired') },
          ({ getFieldValue }) => ({ validator: (_r, v) => (v === getFieldValue('newPassword') ? Promise.resolve() : Promise.reject(new Error(t('admin.password.mismatch')))) })]}>
          <Input.Password autoComplete="new-password" />
        </Form.Item>
        {change.error && <Alert type="error" showIcon role="alert" message={adminErrorText(t, change.error)} />}
      </Form>
    </Modal>
  );
}
