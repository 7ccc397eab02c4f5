/**
 * "Forgot password" on the login page (manual part 2 §1.1 忘记密码): the address, then the security
 * question the user set under 设置 → 密码, then the answer and a new password. Without a session the
 * calls carry the pre-login CSRF token (GET /api/session/csrf); the server throttles wrong answers
 * like failed logins. Loaded with the link, not with the login page.
 */
import { Alert, Button, Form, Input, Modal, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError, preLoginPost as post } from '../api.ts';
import { optionError } from './option-error.ts';

interface Values { address: string; answer: string; newPassword: string; again: string }

export default function ForgotPassword({ onClose }: { onClose: () => void }) {
  const { t } = useTranslation();
  const [form] = Form.useForm<Values>();
  const [question, setQuestion] = useState<string>();
  const [done, setDone] = useState(false);
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const required = [{ required: true, whitespace: true, message: t('options.required') }];

  const next = async () => {
    const v = await form.validateFields();
    setBusy(true);
    setError(undefined);
    try {
      if (question === undefined) {
        setQuestion((await post<{ question: string }>('/api/password-reset/question', { address: v.address.trim() })).question);
      } else {
        await post('/api/password-reset', { address: v.address.trim(), answer: v.answer, newPassword: v.newPassword });
        setDone(true);
      }
    } catch (err) {
      setError(err instanceof ApiError && err.code === 'NOT_FOUND' ? t('options.forgot.noQuestion') : optionError(t, err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Modal open title={t('options.forgot.title')} onCancel={onClose} destroyOnHidden
      footer={done ? <Button type="primary" onClick={onClose}>{t('options.forgot.back')}</Button>
        : <Button type="primary" loading={busy} onClick={() => void next()}>{t(question === undefined ? 'options.forgot.next' : 'options.forgot.reset')}</Button>}>
      {done ? <Alert type="success" showIcon message={t('options.forgot.done')} /> : (
        <Form form={form} name="forgot" layout="vertical" requiredMark={false} onFinish={() => void next()}>
          <Form.Item name="address" label={t('login.address')} rules={required}>
            <Input autoComplete="username" inputMode="email" disabled={question !== undefined} />
          </Form.Item>
          {question !== undefined && (
            <>
              <Typography.Paragraph>{t('options.forgot.question', { question })}</Typography.Paragraph>
              <Form.Item name="answer" label={t('options.question.answer')} rules={required}><Input maxLength={100} /></Form.Item>
              <Form.Item name="newPassword" label={t('options.password.new')} rules={required} extra={t('options.password.hint')}>
                <Input.Password autoComplete="new-password" />
              </Form.Item>
              <Form.Item name="again" label={t('options.password.again')} dependencies={['newPassword']}
                rules={[...required, ({ getFieldValue }) => ({
                  validator: (_r, v) => (v === getFieldValue('newPassword') ? Promise.resolve() : Promise.reject(new Error(t('options.password.mismatch')))),
                })]}>
                <Input.Password autoComplete="new-password" />
              </Form.Item>
            </>
          )}
          {error && <Alert type="error" showIcon role="alert" message={error} />}
        </Form>
      )}
    </Modal>
  );
}
