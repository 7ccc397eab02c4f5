/**
 * 域名管理 / 添加域名 / 批量添加域名 of the super-domain console (manual part 3 §2.3.2–§2.3.4;
 * FEATURES A10): every domain with its users, size and list usage against the limits, status and
 * expiry; search, export (CSV), add (optionally with its domain admin), batch add with a per-line
 * report, edit the limits, delete (the name typed again), and the 前台模块设置 per domain.
 */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Alert, Button, Checkbox, Form, Input, InputNumber, Modal, Select, Space, Switch, Table, Tag, Typography, message } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError } from '../api.ts';
import { adminKeys } from './api.ts';
import { adminErrorText } from './errors.ts';
import { MODULES, superApi, superKeys, type DomainBatchResult, type DomainFields, type Modules, type SuperDomain } from './super-api.ts';

/** The local calendar day of a time, as an <input type=date> wants it. */
const isoDay = (at: number) => { const d = new Date(at); return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`; };
const STATUS_COLORS = { valid: 'green', invalid: 'red', expired: 'orange' } as const;

export function SuperDomainsPage({ onSwitch }: { onSwitch: (domain: string) => void }) {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const [search, setSearch] = useState('');
  const domains = useQuery({ queryKey: [...superKeys.domains, search], queryFn: () => superApi.domains(search) });
  const [editing, setEditing] = useState<SuperDomain | 'new' | null>(null);
  const [batch, setBatch] = useState(false);
  const [modules, setModules] = useState<string | null>(null);
  const refresh = () => Promise.all([queryClient.invalidateQueries({ queryKey: superKeys.domains }), queryClient.invalidateQueries({ queryKey: adminKeys.domains })]);
  const remove = useMutation({
    mutationFn: (d: SuperDomain) => superApi.deleteDomain(d.name),
    onSuccess: (_r, d) => { void message.success(t('super.domains.deleted', { domain: d.displayName })); void refresh(); },
    onError: (err) => { void message.error(adminErrorText(t, err)); },
  });
  const confirmDelete = (d: SuperDomain) => {
    let typed = '';
    Modal.confirm({
      title: t('super.domains.confirmDelete', { domain: d.displayName }),
      content: <Space direction="vertical" style={{ width: '100%' }}>
        <Typography.Text type="danger">{t('super.domains.deleteWarning', { users: d.users })}</Typography.Text>
        <Input aria-label={t('super.domains.typeName')} placeholder={d.displayName} onChange={(e) => { typed = e.target.value; }} />
      </Space>,
      okText: t('admin.users.delete'), okButtonProps: { danger: true },
      onOk: () => {
        if (typed.trim().toLowerCase() !== d.name && typed.trim() !== d.displayName) { void message.error(t('super.domains.typeName')); return Promise.reject(new Error('name')); }
        return remove.mutateAsync(d);
      },
    });
  };
  const limit = (used: number, max: number, unit = '') => `${used}${unit} / ${max === 0 ? t('admin.user.unlimited') : `${max}${unit}`}`;
  return (
    <section aria-label={t('super.menu.domains')}>
      <Space style={{ marginBottom: 16 }} wrap>
        <Button type="primary" onClick={() => setEditing('new')}>{t('super.domains.add')}</Button>
        <Button onClick={() => setBatch(true)}>{t('super.domains.batch')}</Button>
        <Button href={superApi.exportUrl} download>{t('super.domains.export')}</Button>
        <Input.Search allowClear placeholder={t('super.domains.search')} aria-label={t('super.domains.search')} onSearch={setSearch} style={{ width: 240 }} />
      </Space>
      {domains.error && <Alert type="error" showIcon message={adminErrorText(t, domains.error)} />}
      <Table<SuperDomain> rowKey="name" size="middle" loading={domains.isFetching} dataSource={domains.data ?? []} pagination={{ pageSize: 50 }}
        columns={[
          { key: 'name', title: t('console.info.name'), render: (_v, d) => <Typography.Link onClick={() => onSwitch(d.name)}>{d.displayName}</Typography.Link> },
          { key: 'company', title: t('console.info.companyName'), dataIndex: 'companyName' },
          { key: 'status', title: t('console.info.status'), render: (_v, d) => <Tag color={STATUS_COLORS[d.effectiveStatus]}>{t(`console.info.statuses.${d.effectiveStatus}`)}</Tag> },
          { key: 'users', title: t('console.info.users'), render: (_v, d) => limit(d.users, d.maxUsers) },
          { key: 'size', title: t('console.info.allocated'), render: (_v, d) => limit(d.quotaAllocatedMb, d.maxSizeMb, ' MB') },
          { key: 'lists', title: t('console.info.lists'), render: (_v, d) => limit(d.lists, d.maxLists) },
          { key: 'expires', title: t('console.info.expiresAt'), render: (_v, d) => (d.expiresAt === null ? t('console.info.never') : new Date(d.expiresAt).toLocaleDateString()) },
          { key: 'actions', title: t('admin.users.actions'), render: (_v, d) => (
            <Space size="small">
              <Typography.Link onClick={() => setEditing(d)}>{t('admin.users.edit')}</Typography.Link>
              <Typography.Link onClick={() => setModules(d.name)}>{t('super.modules.title')}</Typography.Link>
              <Typography.Link type="danger" onClick={() => confirmDelete(d)}>{t('admin.users.delete')}</Typography.Link>
            </Space>
          ) },
        ]} />
      {editing && <DomainForm domain={editing === 'new' ? null : editing} onClose={(changed) => { setEditing(null); if (changed) void refresh(); }} />}
      {batch && <DomainBatch onClose={(changed) => { setBatch(false); if (changed) void refresh(); }} />}
      {modules && <ModulesForm domain={modules} onClose={() => setModules(null)} />}
    </section>
  );
}

interface Fields extends Omit<DomainFields, 'expiresAt'> { name: string; expires?: string; withAdmin?: boolean; adminPassword?: string }

function DomainForm({ domain, onClose }: { domain: SuperDomain | null; onClose: (changed: boolean) => void }) {
  const { t } = useTranslation();
  const [form] = Form.useForm<Fields>();
  const withAdmin = Form.useWatch('withAdmin', form);
  const save = useMutation({
    mutationFn: (f: Fields) => {
      const { name, expires, withAdmin: _w, adminPassword, ...rest } = f;
      const fields: DomainFields = { ...rest, expiresAt: expires ? Date.parse(`${expires}T23:59:59`) : null };
      return domain ? superApi.updateDomain(domain.name, fields) : superApi.addDomain({ name: name.trim(), ...fields, ...(f.withAdmin ? { adminPassword } : {}) });
    },
    onSuccess: () => onClose(true),
    onError: (err) => {
      if (err instanceof ApiError && err.field && form.getFieldInstance(err.field)) form.setFields([{ name: err.field as keyof Fields, errors: [adminErrorText(t, err)] }]);
    },
  });
  const initial: Partial<Fields> = domain
    ? { ...domain, expires: domain.expiresAt === null ? '' : isoDay(domain.expiresAt) }
    : { status: 'valid', maxUsers: 0, maxSizeMb: 0, maxLists: 0, defaultQuotaMb: 1024, strongPasswords: true, withAdmin: true };
  return (
    <Modal open width={640} title={domain ? t('super.domains.editTitle', { domain: domain.displayName }) : t('super.domains.add')} onCancel={() => onClose(false)}
      onOk={() => form.submit()} okText={t('admin.users.submit')} okButtonProps={{ loading: save.isPending }}>
      <Form<Fields> form={form} layout="horizontal" labelCol={{ span: 7 }} initialValues={initial} onFinish={(f) => save.mutate(f)} aria-label={t('super.domains.add')}>
        <Form.Item name="name" label={t('console.info.name')} rules={[{ required: true, whitespace: true, message: t('super.domains.nameRequired') }]}>
          <Input disabled={domain !== null} placeholder="example.cn" autoComplete="off" />
        </Form.Item>
        <Form.Item name="companyName" label={t('console.info.companyName')}><Input maxLength={200} /></Form.Item>
        <Form.Item name="status" label={t('console.info.status')}>
          <Select options={(['valid', 'invalid', 'expired'] as const).map((s) => ({ value: s, label: t(`console.info.statuses.${s}`) }))} style={{ width: 160 }} />
        </Form.Item>
        <Form.Item name="maxUsers" label={t('console.info.maxUsers')} extra={t('console.info.zeroUnlimited')}><InputNumber min={0} precision={0} /></Form.Item>
        <Form.Item name="maxSizeMb" label={t('console.info.maxSize')}><InputNumber min={0} precision={0} addonAfter="MB" /></Form.Item>
        <Form.Item name="maxLists" label={t('console.info.maxLists')}><InputNumber min={0} precision={0} /></Form.Item>
        <Form.Item name="defaultQuotaMb" label={t('console.info.defaultQuota')}><InputNumber min={0} precision={0} addonAfter="MB" /></Form.Item>
        <Form.Item name="expires" label={t('console.info.expiresAt')} extra={t('super.domains.expiresHint')}><Input type="date" style={{ width: 180 }} /></Form.Item>
        <Form.Item name="strongPasswords" label={t('super.domains.strongPasswords')} valuePropName="checked"><Switch /></Form.Item>
        {!domain && <>
          <Form.Item name="withAdmin" label={t('super.domains.withAdmin')} valuePropName="checked"><Switch /></Form.Item>
          {withAdmin && (
            <Form.Item name="adminPassword" label={t('super.domains.adminPassword')} extra={t('super.domains.adminHint')} rules={[{ required: true, message: t('login.passwordRequired') }]}>
              <Input.Password autoComplete="new-password" />
            </Form.Item>
          )}
        </>}
        {save.error && !(save.error instanceof ApiError && save.error.field && form.getFieldInstance(save.error.field)) && <Alert type="error" showIcon role="alert" message={adminErrorText(t, save.error)} />}
      </Form>
    </Modal>
  );
}

function DomainBatch({ onClose }: { onClose: (changed: boolean) => void }) {
  const { t } = useTranslation();
  const [text, setText] = useState('');
  const sample = useQuery({ queryKey: ['admin', 'super', 'sample'], queryFn: superApi.sample, staleTime: Infinity });
  const add = useMutation({ mutationFn: () => superApi.batchAdd(text) });
  const result: DomainBatchResult | undefined = add.data;
  const changed = result !== undefined && result.added.length > 0;
  return (
    <Modal open width={720} title={t('super.domains.batch')} onCancel={() => onClose(changed)}
      footer={<Space>
        <Button onClick={() => onClose(changed)}>{t('admin.batch.close')}</Button>
        <Button type="primary" disabled={text.trim() === ''} loading={add.isPending} onClick={() => add.mutate()}>{t('admin.batch.submit')}</Button>
      </Space>}>
      <Typography.Paragraph>{t('super.domains.batchHelp')}</Typography.Paragraph>
      <pre style={{ background: '#f5f5f5', padding: 8 }}>{sample.data}</pre>
      <Space direction="vertical" style={{ width: '100%' }}>
        <Input.TextArea rows={8} value={text} onChange={(e) => setText(e.target.value)} aria-label={t('admin.batch.text')} style={{ fontFamily: 'monospace' }} />
        {add.error && <Alert type="error" showIcon role="alert" message={adminErrorText(t, add.error)} />}
        {result && <Alert type={result.errors.length ? 'warning' : 'success'} showIcon role="status" message={t('admin.batch.result', { added: result.added.length, failed: result.errors.length })} />}
        {result && result.errors.length > 0 && (
          <Table size="small" rowKey={(e) => `${e.line}-${e.field}`} pagination={false} aria-label={t('admin.batch.errors')} dataSource={result.errors}
            columns={[
              { title: t('admin.batch.line'), dataIndex: 'line', width: 80 },
              { title: t('admin.batch.field'), dataIndex: 'field', width: 140 },
              { title: t('admin.batch.reason'), dataIndex: 'message' },
            ]} />
        )}
      </Space>
    </Modal>
  );
}

function ModulesForm({ domain, onClose }: { domain: string; onClose: () => void }) {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const modules = useQuery({ queryKey: superKeys.modules(domain), queryFn: () => superApi.modules(domain) });
  const [value, setValue] = useState<Modules | null>(null);
  const current = value ?? modules.data;
  const save = useMutation({
    mutationFn: (m: Modules) => superApi.setModules(domain, m),
    onSuccess: (m) => { queryClient.setQueryData(superKeys.modules(domain), m); void message.success(t('console.saved')); onClose(); },
  });
  return (
    <Modal open title={`${t('super.modules.title')} · ${domain}`} onCancel={onClose} onOk={() => current && save.mutate(current)} okText={t('admin.users.submit')}
      okButtonProps={{ loading: save.isPending, disabled: !current }}>
      <Typography.Paragraph type="secondary">{t('super.modules.hint')}</Typography.Paragraph>
      {current && (
        <Space direction="vertical">
          {MODULES.map((m) => (
            <Checkbox key={m} checked={current[m]} onChange={(e) => setValue({ ...current, [m]: e.target.checked })}>{t(`super.modules.${m}`)}</Checkbox>
          ))}
        </Space>
      )}
      {save.error && <Alert type="error" showIcon message={adminErrorText(t, save.error)} />}
    </Modal>
  );
}
