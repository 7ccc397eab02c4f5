/**
 * webmail 设置 (manual part 3 §1.8; FEATURES A8): the login page template, the domain signature
 * (text and HTML, added to all mail the domain sends), the custom login field, the announcement on
 * the webmail's home page, the logos (small PNG, JPEG, GIF or WebP images), the welcome letter
 * ("(user)" becomes the new user's name), home-page links, the send charset, the strong-password
 * switch and the SSO login URL. One form per card; each saves only its own fields. The customer
 * address book (客户通讯录, §1.8.4) is the second tab (CustomerBookPanel.tsx).
 */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Alert, Button, Card, Form, Input, Select, Space, Switch, Tabs, Typography, message } from 'antd';
import { CustomerBookPanel } from './CustomerBookPanel.tsx';
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError } from '../api.ts';
import { consoleApi, consoleKeys, LOGIN_TEMPLATES, LOGO_SLOTS, SEND_CHARSETS, type LogoSlot, type WebmailSettings } from './console-api.ts';
import { adminErrorText } from './errors.ts';

type Patch = Partial<Omit<WebmailSettings, 'logos'>>;

export function WebmailSettingsPage({ domain }: { domain: string }) {
  const { t } = useTranslation();
  return (
    <Tabs destroyOnHidden items={[
      { key: 'settings', label: t('console.menu.webmail'), children: <SettingsCards domain={domain} /> },
      { key: 'customers', label: t('customers.title'), children: <CustomerBookPanel domain={domain} /> },
    ]} />
  );
}

function SettingsCards({ domain }: { domain: string }) {
  const { t } = useTranslation();
  const settings = useQuery({ queryKey: consoleKeys.webmail(domain), queryFn: () => consoleApi.webmail(domain) });
  const s = settings.data;
  return (
    <section aria-label={t('console.menu.webmail')}>
      {settings.error && <Alert type="error" showIcon message={adminErrorText(t, settings.error)} />}
      {s && <Space direction="vertical" size="middle" style={{ width: '100%', maxWidth: 820 }}>
        <Part domain={domain} title={t('console.webmail.login')} initial={{ loginTemplate: s.loginTemplate, customLoginField: s.customLoginField, ssoUrl: s.ssoUrl }}>
          <Form.Item name="loginTemplate" label={t('console.webmail.template')}>
            <Select style={{ width: 220 }} options={LOGIN_TEMPLATES.map((v) => ({ value: v, label: t(`console.webmail.templates.${v}`) }))} />
          </Form.Item>
          <Form.Item name={['customLoginField', 'enabled']} label={t('console.webmail.customField')} valuePropName="checked"><Switch /></Form.Item>
          <Form.Item name={['customLoginField', 'label']} label={t('console.webmail.customFieldLabel')} extra={t('console.webmail.customFieldHint')}><Input maxLength={50} style={{ width: 220 }} /></Form.Item>
          <Form.Item name="ssoUrl" label={t('console.webmail.ssoUrl')} extra={t('console.webmail.ssoHint')}><Input maxLength={2000} placeholder="https://" /></Form.Item>
        </Part>
        <Part domain={domain} title={t('console.webmail.announcement')} initial={{ announcement: s.announcement }}>
          <Form.Item name={['announcement', 'enabled']} label={t('console.webmail.show')} valuePropName="checked"><Switch /></Form.Item>
          <Form.Item name={['announcement', 'title']} label={t('console.webmail.title')}><Input maxLength={200} /></Form.Item>
          <Form.Item name={['announcement', 'body']} label={t('console.webmail.body')}><Input.TextArea rows={4} maxLength={20000} /></Form.Item>
        </Part>
        <Part domain={domain} title={t('console.webmail.signature')} initial={{ signature: s.signature }}>
          <Typography.Paragraph type="secondary">{t('console.webmail.signatureHint')}</Typography.Paragraph>
          <Form.Item name={['signature', 'text']} label={t('console.webmail.text')}><Input.TextArea rows={3} /></Form.Item>
          <Form.Item name={['signature', 'html']} label="HTML"><Input.TextArea rows={3} style={{ fontFamily: 'monospace' }} /></Form.Item>
        </Part>
        <Part domain={domain} title={t('console.webmail.welcome')} initial={{ welcome: s.welcome }}>
          <Typography.Paragraph type="secondary">{t('console.webmail.welcomeHint')}</Typography.Paragraph>
          <Form.Item name={['welcome', 'enabled']} label={t('console.webmail.send')} valuePropName="checked"><Switch /></Form.Item>
          <Form.Item name={['welcome', 'subject']} label={t('console.webmail.subject')}><Input maxLength={200} /></Form.Item>
          <Form.Item name={['welcome', 'body']} label={t('console.webmail.body')}><Input.TextArea rows={5} /></Form.Item>
        </Part>
        <Part domain={domain} title={t('console.webmail.links')} initial={{ homeLinks: s.homeLinks }}>
          <Form.List name="homeLinks">
            {(fields, { add, remove }) => <>
              {fields.map((f) => (
                <Space key={f.key} align="baseline">
                  <Form.Item name={[f.name, 'title']} rules={[{ required: true, whitespace: true, message: t('console.webmail.linkTitle') }]}>
                    <Input placeholder={t('console.webmail.linkTitle')} aria-label={t('console.webmail.linkTitle')} maxLength={100} />
                  </Form.Item>
                  <Form.Item name={[f.name, 'url']} rules={[{ required: true, type: 'url', message: t('console.webmail.linkUrl') }]}>
                    <Input placeholder="https://" aria-label={t('console.webmail.linkUrl')} style={{ width: 320 }} />
                  </Form.Item>
                  <Typography.Link type="danger" onClick={() => remove(f.name)}>{t('admin.users.delete')}</Typography.Link>
                </Space>
              ))}
              <Button onClick={() => add({ title: '', url: '' })} style={{ marginBottom: 16 }}>{t('console.webmail.addLink')}</Button>
            </>}
          </Form.List>
        </Part>
        <Part domain={domain} title={t('console.webmail.sending')} initial={{ sendCharset: s.sendCharset, strongPasswords: s.strongPasswords }}>
          <Form.Item name="sendCharset" label={t('console.webmail.charset')} extra={t('console.webmail.charsetHint')}>
            <Select style={{ width: 180 }} options={SEND_CHARSETS.map((v) => ({ value: v, label: v.toUpperCase() }))} />
          </Form.Item>
          <Form.Item name="strongPasswords" label={t('console.webmail.strongPasswords')} extra={t('console.webmail.strongHint')} valuePropName="checked"><Switch /></Form.Item>
        </Part>
        <Card title={t('console.webmail.logos')} size="small">
          <Typography.Paragraph type="secondary">{t('console.webmail.logosHint')}</Typography.Paragraph>
          {LOGO_SLOTS.map((slot) => <LogoRow key={slot} domain={domain} slot={slot} present={s.logos[slot]} />)}
        </Card>
      </Space>}
    </section>
  );
}

function Part({ domain, title, initial, children }: { domain: string; title: string; initial: Patch; children: ReactNode }) {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const [form] = Form.useForm<Patch>();
  const save = useMutation({
    mutationFn: (p: Patch) => consoleApi.updateWebmail(domain, p),
    onSuccess: (s) => { queryClient.setQueryData(consoleKeys.webmail(domain), s); void message.success(t('console.saved')); },
    onError: (err) => {
      if (err instanceof ApiError && err.field && form.getFieldInstance(err.field)) form.setFields([{ name: err.field as keyof Patch, errors: [adminErrorText(t, err)] }]);
      else void message.error(adminErrorText(t, err));
    },
  });
  return (
    <Card title={title} size="small">
      <Form<Patch> form={form} layout="horizontal" labelCol={{ span: 5 }} initialValues={initial} onFinish={(p) => save.mutate(p)} aria-label={title}>
        {children}
        <Button type="primary" htmlType="submit" loading={save.isPending}>{t('console.save')}</Button>
      </Form>
    </Card>
  );
}

function LogoRow({ domain, slot, present }: { domain: string; slot: LogoSlot; present: { type: string; bytes: number; updatedAt: number } | null }) {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const set = useMutation({
    mutationFn: (image: string | null) => consoleApi.setLogo(domain, slot, image),
    onSuccess: (s) => { queryClient.setQueryData(consoleKeys.webmail(domain), s); void message.success(t('console.saved')); },
    onError: (err) => { void message.error(adminErrorText(t, err)); },
  });
  const pick = (file: File | undefined) => {
    if (!file) return;
    const reader = new FileReader();
    reader.onload = () => set.mutate(String(reader.result));
    reader.readAsDataURL(file);
  };
  return (
    <Space style={{ display: 'flex', marginBottom: 12 }} align="center">
      <Typography.Text strong style={{ width: 160, display: 'inline-block' }}>{t(`console.webmail.slots.${slot}`)}</Typography.Text>
      {present
        ? <img src={`${consoleApi.logoUrl(domain, slot)}?v=${present.updatedAt}`} alt={t(`console.webmail.slots.${slot}`)} style={{ maxHeight: 48, maxWidth: 240, border: '1px solid #eee' }} />
        : <Typography.Text type="secondary">{t('console.webmail.noLogo')}</Typography.Text>}
      <input type="file" accept="image/png,image/jpeg,image/gif,image/webp" aria-label={`${t('console.webmail.upload')} ${t(`console.webmail.slots.${slot}`)}`}
        onChange={(e) => pick(e.target.files?.[0])} />
      {present && <Button size="small" onClick={() => set.mutate(null)} loading={set.isPending}>{t('admin.users.delete')}</Button>}
    </Space>
  );
}
