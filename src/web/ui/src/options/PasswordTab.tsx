/**
 * 密码 (manual part 2 §1.17.2): change the password (the old one is needed; the server applies the
 * domain's rule) and the security question that lets the login page reset a forgotten password.
 * Setting the question asks for the current password too; the answer is never shown again.
 */
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { App as AntApp, Button, Divider, Form, Input, Popconfirm, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { optionError } from './option-error.ts';
import { markField, optionKeys, optionsApi } from './options-api.ts';

interface PasswordValues { oldPassword: string; newPassword: string; again: string }
interface QuestionValues { question: string; answer: string; password: string }

export function PasswordTab() {
  const { t } = useTranslation();
  const { message } = AntApp.useApp();
  const queryClient = useQueryClient();
  const [pwForm] = Form.useForm<PasswordValues>();
  const [qForm] = Form.useForm<QuestionValues>();
  const [busy, setBusy] = useState<'' | 'password' | 'question'>('');
  const question = useQuery({ queryKey: optionKeys.question, queryFn: optionsApi.question });
  const required = [{ required: true, message: t('options.required') }];

  const changePassword = async (v: PasswordValues) => {
    setBusy('password');
    try {
      await optionsApi.changePassword(v.oldPassword, v.newPassword);
      pwForm.resetFields();
      void message.success(t('options.password.changed'));
    } catch (err) {
      if (!markField(pwForm, err)) void message.error(optionError(t, err));
    } finally {
      setBusy('');
    }
  };

  const setQuestion = async (v: QuestionValues) => {
    setBusy('question');
    try {
      const r = await optionsApi.setQuestion(v);
      queryClient.setQueryData(optionKeys.question, r);
      qForm.resetFields();
      void message.success(t('options.saved'));
    } catch (err) {
      if (!markField(qForm, err)) void message.error(optionError(t, err));
    } finally {
      setBusy('');
    }
  };

  const clearQuestion = async () => {
    try {
      await optionsApi.clearQuestion();
      queryClient.setQueryData(optionKeys.question, { question: null });
      void message.success(t('options.question.removed'));
    } catch (err) {
      void message.error(optionError(t, err));
    }
  };

  return (
    <>
      <Typography.Title level={5}>{t('options.password.heading')}</Typography.Title>
      <Form form={pwForm} labelCol={{ span: 5 }} wrapperCol={{ span: 12 }} onFinish={(v) => void changePassword(v)}>
        <Form.Item name="oldPassword" label={t('options.password.old')} rules={required}><Input.Password autoComplete="current-password" /></Form.Item>
        <Form.Item name="newPassword" label={t('options.password.new')} rules={required} extra={t('options.password.hint')}>
          <Input.Password autoComplete="new-password" />
        </Form.Item>
        <Form.Item name="again" label={t('options.password.again')} dependencies={['newPassword']}
          rules={[...required, ({ getFieldValue }) => ({
            validator: (_r, v) => (v === getFieldValue('newPassword') ? Promise.resolve() : Promise.reject(new Error(t('options.password.mismatch')))),
          })]}>
          <Input.Password autoComplete="new-password" />
        </Form.Item>
        <Form.Item wrapperCol={{ offset: 5 }}><Button type="primary" htmlType="submit" loading={busy === 'password'}>{t('options.password.submit')}</Button></Form.Item>
      </Form>
      <Divider />
      <Typography.Title level={5}>{t('options.question.heading')}</Typography.Title>
      <Typography.Paragraph type="secondary">{t('options.question.help')}</Typography.Paragraph>
      <Typography.Paragraph>
        {question.data?.question ? t('options.question.current', { question: question.data.question }) : t('options.question.none')}
        {question.data?.question && (
          <Popconfirm title={t('options.confirmRemove', { name: question.data.question })} onConfirm={() => void clearQuestion()}>
            <Button type="link" danger>{t('options.question.remove')}</Button>
          </Popconfirm>
        )}
      </Typography.Paragraph>
      <Form form={qForm} labelCol={{ span: 5 }} wrapperCol={{ span: 12 }} onFinish={(v) => void setQuestion(v)}>
        <Form.Item name="question" label={t('options.question.question')} rules={required}><Input maxLength={100} /></Form.Item>
        <Form.Item name="answer" label={t('options.question.answer')} rules={required} extra={t('options.question.answerHint')}><Input maxLength={100} /></Form.Item>
        <Form.Item name="password" label={t('options.question.password')} rules={required}><Input.Password autoComplete="current-password" /></Form.Item>
        <Form.Item wrapperCol={{ offset: 5 }}><Button type="primary" htmlType="submit" loading={busy === 'question'}>{t('options.question.set')}</Button></Form.Item>
      </Form>
    </>
  );
}
