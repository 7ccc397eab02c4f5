/**
 * The login page (FEATURES W1; manual part 2 §1.1): address, password, language and "remember my
 * address". The language applies at once and is remembered (i18n.ts); the remembered address is
 * kept in localStorage only when asked. A refused login shows the API's error, translated by code.
 * "Forgot password" opens options/ForgotPassword.tsx (the security question); "register" opens
 * Register.tsx (W2). The domain's login template, logo and background come from its branding
 * (Branding.tsx loginDomain: ?domain= or the host name); 管理员登录 leads to the admin console.
 * When the domain switched the custom login field on (自定义用户字段, manual part 3 §1.8.3), the
 * name field is labelled with that field's name and its value is sent with the page's domain.
 */
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { Alert, Button, Card, Checkbox, Form, Input, Select, Typography } from 'antd';
import { lazy, Suspense, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, keys } from './api.ts';
import { errorText } from './errors.ts';
import { useLoginBranding } from './Branding.tsx';
import { chooseLanguage, LANGUAGES, type Language } from './i18n.ts';

const REMEMBER_KEY = 'youju.address';
const ForgotPassword = lazy(() => import('./options/ForgotPassword.tsx'));
const Register = lazy(() => import('./Register.tsx'));

interface Fields { address: string; password: string; remember: boolean }

const remembered = (): string => {
  try { return localStorage.getItem(REMEMBER_KEY) ?? ''; } catch { return ''; }
};

export function Login() {
  const { t, i18n } = useTranslation();
  const queryClient = useQueryClient();
  const look = useLoginBranding();
  const login = useMutation({
    mutationFn: (f: Fields) => api.login(f.address.trim(), f.password, look.customField ? look.domain : undefined),
    onSuccess: (me, f) => {
      try {
        if (f.remember) localStorage.setItem(REMEMBER_KEY, f.address.trim());
        else localStorage.removeItem(REMEMBER_KEY);
      } catch { /* storage disabled */ }
      queryClient.setQueryData(keys.me, me);
    },
  });
  const initial = remembered();
  const [forgot, setForgot] = useState(false);
  // Back from a single sign-on that was not vouched for (POST /webmail/oauth).
  const [ssoFailed] = useState(() => new URLSearchParams(location.search).get('sso') === 'failed');
  const [registering, setRegistering] = useState(false);
  const [form] = Form.useForm<Fields>();
  const field = look.customField;

  return (
    <main className={`yj-login yj-login-${look.template}`} style={look.background ? { backgroundImage: `url("${look.background}")` } : undefined}>
      <Card className="yj-login-card">
        {look.logo && <img className="yj-login-logo" src={look.logo} alt="" />}
        <Typography.Title level={3} style={{ marginTop: 0 }}>{t('app.name')}</Typography.Title>
        <Typography.Paragraph type="secondary">{t('login.heading')}</Typography.Paragraph>
        <Form<Fields>
          form={form}
          layout="vertical"
          requiredMark={false}
          initialValues={{ address: initial, remember: initial !== '' }}
          onFinish={(f) => login.mutate(f)}
          aria-label={t('login.heading')}
        >
          <Form.Item name="address" label={field ?? t('login.address')} extra={field ? t('login.orAddress') : undefined}
            rules={[{ required: true, whitespace: true, message: field ? t('login.fieldRequired', { field }) : t('login.addressRequired') }]}>
            <Input autoComplete="username" placeholder={field ? undefined : t('login.addressPlaceholder')} autoFocus={initial === ''} inputMode={field ? 'text' : 'email'} />
          </Form.Item>
          <Form.Item name="password" label={t('login.password')} rules={[{ required: true, message: t('login.passwordRequired') }]}>
            <Input.Password autoComplete="current-password" autoFocus={initial !== ''} />
          </Form.Item>
          <Form.Item label={t('language.label')} htmlFor="login-language">
            <Select<Language>
              id="login-language"
              value={i18n.language as Language}
              onChange={(lng) => void chooseLanguage(lng)}
              options={LANGUAGES.map((l) => ({ value: l, label: t(`language.${l}`) }))}
              aria-label={t('language.label')}
            />
          </Form.Item>
          <Form.Item name="remember" valuePropName="checked">
            <Checkbox>{t('login.remember')}</Checkbox>
          </Form.Item>
          {ssoFailed && !login.error && <Alert type="error" showIcon role="alert" message={t('login.ssoFailed')} style={{ marginBottom: 16 }} />}
          {login.error && <Alert type="error" showIcon role="alert" message={errorText(t, login.error)} style={{ marginBottom: 16 }} />}
          <Button type="primary" htmlType="submit" block loading={login.isPending}>{t('login.submit')}</Button>
          <div className="yj-login-links">
            <Button type="link" onClick={() => setForgot(true)}>{t('options.forgot.link')}</Button>
            <Button type="link" onClick={() => setRegistering(true)}>{t('register.link')}</Button>
          </div>
          <div className="yj-login-links"><a href="/webmail/admin/">{t('login.adminLink')}</a></div>
        </Form>
        {/* Outside the login form: a submit in the dialog must not bubble (through the portal) into it. */}
        {forgot && <Suspense fallback={null}><ForgotPassword onClose={() => setForgot(false)} /></Suspense>}
        {registering && (
          <Suspense fallback={null}>
            <Register onClose={() => setRegistering(false)} onRegistered={(address) => form.setFieldsValue({ address, password: '' })} />
          </Suspense>
        )}
      </Card>
    </main>
  );
}
