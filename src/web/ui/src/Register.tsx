/**
 * Registration from the login page (FEATURES W2; manual part 2 §1.2 申请邮箱): the address (the
 * domain says whether it takes registrations, and whether an admin approves them first), the name,
 * a password twice, and the terms of service to accept. Errors from the API show on their field.
 * Loaded with the link, not with the login page.
 */
import { Alert, Button, Checkbox, Form, Input, Modal, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, ApiError, preLoginPost } from './api.ts';
import { errorText } from './errors.ts';

interface Values { address: string; realName: string; password: string; again: string; acceptTerms: boolean }

export default function Register({ onClose, onRegistered }: { onClose(): void; onRegistered(address: string): void }) {
  const { t } = useTranslation();
  const [form] = Form.useForm<Values>();
  const [rule, setRule] = useState<'closed' | 'open' | 'approval'>();
  const [done, setDone] = useState<'active' | 'pending'>();
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const required = [{ required: true, whitespace: true, message: t('register.required') }];

  const lookDomain = async () => {
    const domain = (form.getFieldValue('address') as string | undefined)?.split('@')[1]?.trim();
    setRule(domain ? (await api.registrationInfo(domain).catch(() => undefined))?.registration : undefined);
  };
  const submit = async () => {
    const v = await form.validateFields();
    setBusy(true);
    setError(undefined);
    try {
      const r = await preLoginPost<{ status: 'active' | 'pending' }>('/api/register', {
        address: v.address.trim(), realName: v.realName, password: v.password, acceptTerms: v.acceptTerms === true,
      });
      setDone(r.status);
      if (r.status === 'active') onRegistered(v.address.trim());
    } catch (err) {
      if (err instanceof ApiError && err.field && ['address', 'realName', 'password', 'acceptTerms'].includes(err.field)) {
        form.setFields([{ name: err.field as keyof Values, errors: [err.code === 'FORBIDDEN' ? t('register.closed') : errorText(t, err)] }]);
      } else setError(err instanceof ApiError && err.code === 'PASSWORD_WEAK' ? t('register.weak') : errorText(t, err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Modal open title={t('register.title')} onCancel={onClose} destroyOnHidden
      footer={done ? <Button type="primary" onClick={onClose}>{t('register.toLogin')}</Button>
        : <Button type="primary" loading={busy} onClick={() => void submit()}>{t('register.submit')}</Button>}>
      {done ? <Alert type="success" showIcon message={t(done === 'active' ? 'register.doneActive' : 'register.donePending')} /> : (
        <Form form={form} name="register" layout="vertical" requiredMark={false} aria-label={t('register.title')}>
          <Form.Item name="address" label={t('register.address')} rules={required}
            extra={rule === 'closed' ? <Typography.Text type="danger">{t('register.closed')}</Typography.Text>
              : rule === 'approval' ? t('register.approval') : undefined}>
            <Input autoComplete="email" inputMode="email" placeholder="name@example.com" onBlur={() => void lookDomain()} />
          </Form.Item>
          <Form.Item name="realName" label={t('register.realName')} rules={required}><Input autoComplete="name" maxLength={100} /></Form.Item>
          <Form.Item name="password" label={t('register.password')} rules={required} extra={t('register.passwordHint')}>
            <Input.Password autoComplete="new-password" />
          </Form.Item>
          <Form.Item name="again" label={t('register.again')} dependencies={['password']} rules={[...required, ({ getFieldValue }) => ({
            validator: (_r, v) => (v === getFieldValue('password') ? Promise.resolve() : Promise.reject(new Error(t('register.mismatch')))),
          })]}>
            <Input.Password autoComplete="new-password" />
          </Form.Item>
          <Typography.Paragraph type="secondary" className="yj-terms">{t('register.terms')}</Typography.Paragraph>
          <Form.Item name="acceptTerms" valuePropName="checked"
            rules={[{ validator: (_r, v) => (v ? Promise.resolve() : Promise.reject(new Error(t('register.mustAccept')))) }]}>
            <Checkbox>{t('register.accept')}</Checkbox>
          </Form.Item>
          {error && <Alert type="error" showIcon role="alert" message={error} />}
        </Form>
      )}
    </Modal>
  );
}
