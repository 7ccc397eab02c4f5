/**
 * The admin consoles at /webmail/admin/ (manual part 3 §1.1, §2.1, §3.2; FEATURES A1): while
 * /api/admin/session/me is asked, a spinner; without an admin session the admin login (account
 * `admin@domain`, a department admin's `name@domain`, or `administrator`); with one the console.
 * The webmail's session is separate: one browser may be logged in to both.
 */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Alert, Button, Card, Form, Input, Select, Spin, Typography } from 'antd';
import { lazy, Suspense } from 'react';
import { useTranslation } from 'react-i18next';
import { chooseLanguage, LANGUAGES, type Language } from '../i18n.ts';
import { adminApi, adminKeys } from './api.ts';
import { adminErrorText } from './errors.ts';

const AdminShell = lazy(() => import('./AdminShell.tsx'));

function Loading() {
  const { t } = useTranslation();
  return <div style={{ display: 'grid', placeItems: 'center', height: '100vh' }}><Spin aria-label={t('shell.loading')} /></div>;
}

export default function AdminApp() {
  const me = useQuery({ queryKey: adminKeys.me, queryFn: adminApi.me, staleTime: Infinity });
  if (me.isPending) return <Loading />;
  if (!me.data) return <AdminLogin />;
  return <Suspense fallback={<Loading />}><AdminShell me={me.data} /></Suspense>;
}

interface Fields { account: string; password: string }

function AdminLogin() {
  const { t, i18n } = useTranslation();
  const queryClient = useQueryClient();
  const login = useMutation({
    mutationFn: (f: Fields) => adminApi.login(f.account.trim(), f.password),
    onSuccess: (me) => queryClient.setQueryData(adminKeys.me, me),
  });
  return (
    <main style={{ minHeight: '100vh', display: 'grid', placeItems: 'center', background: '#eef1f6' }}>
      <Card style={{ width: 400, maxWidth: '92vw' }}>
        <Typography.Title level={3} style={{ marginTop: 0 }}>{t('admin.login.heading')}</Typography.Title>
        <Typography.Paragraph type="secondary">{t('admin.login.hint')}</Typography.Paragraph>
        <Form<Fields> layout="vertical" requiredMark={false} onFinish={(f) => login.mutate(f)} aria-label={t('admin.login.heading')}>
          <Form.Item name="account" label={t('admin.login.account')} rules={[{ required: true, whitespace: true, message: t('admin.login.accountRequired') }]}>
            <Input autoComplete="username" placeholder="admin@example.cn" autoFocus />
          </Form.Item>
          <Form.Item name="password" label={t('login.password')} rules={[{ required: true, message: t('login.passwordRequired') }]}>
            <Input.Password autoComplete="current-password" />
          </Form.Item>
          <Form.Item label={t('language.label')} htmlFor="admin-language">
            <Select<Language> id="admin-language" value={i18n.language as Language} onChange={(lng) => void chooseLanguage(lng)}
              options={LANGUAGES.map((l) => ({ value: l, label: t(`language.${l}`) }))} aria-label={t('language.label')} />
          </Form.Item>
          {login.error && <Alert type="error" showIcon role="alert" message={adminErrorText(t, login.error)} style={{ marginBottom: 16 }} />}
          <Button type="primary" htmlType="submit" block loading={login.isPending}>{t('login.submit')}</Button>
        </Form>
        <Typography.Paragraph style={{ marginTop: 16, marginBottom: 0 }}><a href="/webmail/">{t('admin.login.toWebmail')}</a></Typography.Paragraph>
      </Card>
    </main>
  );
}
