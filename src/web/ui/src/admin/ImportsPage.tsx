/**
 * 邮件数据导入 (manual part 3 §2.9.1; FEATURES A11): the super admin starts an import job from
 * another server — its address, port, IMAP or POP3, TLS, and the accounts one a line as
 * "account password [local-account]" (the local accounts must exist) — and follows the jobs the
 * server runs: accounts, folders and messages done, bytes, errors per account, updated every two
 * seconds while one runs; a queued or running job can be cancelled. Passwords are never shown back.
 */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Alert, Button, Card, Checkbox, Form, Input, InputNumber, Popconfirm, Progress, Select, Space, Table, Tag, Typography, message } from 'antd';
import { useTranslation } from 'react-i18next';
import { ApiError } from '../api.ts';
import { adminErrorText } from './errors.ts';
import { opsApi, opsKeys, type ImportFields, type ImportJob } from './ops-api.ts';
import { formatBytes } from './TrafficPage.tsx';

const PORTS: Record<string, number> = { 'imap/tls': 993, 'imap/starttls': 143, 'pop3/tls': 995, 'pop3/starttls': 110 };
const STATE_COLOURS: Record<string, string> = { queued: 'default', running: 'processing', done: 'success', failed: 'error', cancelled: 'warning', pending: 'default' };

export function ImportsPage() {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const [form] = Form.useForm<ImportFields>();
  const jobs = useQuery({
    queryKey: opsKeys.imports, queryFn: opsApi.imports,
    refetchInterval: (q) => ((q.state.data ?? []).some((j) => j.state === 'queued' || j.state === 'running') ? 2000 : false),
  });
  const refresh = () => queryClient.invalidateQueries({ queryKey: opsKeys.imports });
  const start = useMutation({
    mutationFn: opsApi.startImport,
    onSuccess: (j) => { form.setFieldValue('accounts', ''); void message.success(t('ops.imports.started', { id: j.id })); void refresh(); },
    onError: (err) => {
      if (err instanceof ApiError && err.field && form.getFieldInstance(err.field)) form.setFields([{ name: err.field as keyof ImportFields, errors: [err.message] }]);
      else void message.error(adminErrorText(t, err));
    },
  });
  const cancel = useMutation({ mutationFn: opsApi.cancelImport, onSuccess: () => void refresh(), onError: (err) => { void message.error(adminErrorText(t, err)); } });
  const port = () => PORTS[`${form.getFieldValue('protocol')}/${form.getFieldValue('tls')}`];
  return (
    <section aria-label={t('ops.menu.imports')}>
      <Card size="small" title={t('ops.imports.new')} style={{ marginBottom: 16 }}>
        <Form<ImportFields> form={form} layout="vertical" initialValues={{ protocol: 'imap', tls: 'tls', port: 993, verifyTls: true, accounts: '' }}
          onValuesChange={(changed) => { if ('protocol' in changed || 'tls' in changed) form.setFieldValue('port', port()); }}
          onFinish={(f) => start.mutate({ ...f, host: f.host.trim() })} aria-label={t('ops.imports.new')}>
          <Space wrap align="start">
            <Form.Item name="host" label={t('ops.imports.host')} rules={[{ required: true, whitespace: true, message: t('ops.imports.hostRequired') }]}><Input style={{ width: 240 }} placeholder="mail.old.example" /></Form.Item>
            <Form.Item name="protocol" label={t('ops.imports.protocol')}><Select style={{ width: 100 }} options={[{ value: 'imap', label: 'IMAP' }, { value: 'pop3', label: 'POP3' }]} /></Form.Item>
            <Form.Item name="tls" label={t('ops.imports.tls')}><Select style={{ width: 280 }} options={(['tls', 'starttls'] as const).map((v) => ({ value: v, label: t(`ops.imports.tlsKind.${v}`) }))} /></Form.Item>
            <Form.Item name="port" label={t('ops.imports.port')}><InputNumber min={1} max={65535} style={{ width: 100 }} /></Form.Item>
            <Form.Item name="verifyTls" label=" " valuePropName="checked"><Checkbox>{t('ops.imports.verifyTls')}</Checkbox></Form.Item>
          </Space>
          <Form.Item name="accounts" label={t('ops.imports.accounts')} extra={t('ops.imports.accountsHint')} rules={[{ required: true, whitespace: true, message: t('ops.imports.accountsRequired') }]}>
            <Input.TextArea rows={5} placeholder={'zhangsan oldpass zhangsan@example.cn\nlisi "pass word"'} spellCheck={false} />
          </Form.Item>
          <Button type="primary" htmlType="submit" loading={start.isPending}>{t('ops.imports.start')}</Button>
        </Form>
      </Card>
      {jobs.error && <Alert type="error" showIcon message={adminErrorText(t, jobs.error)} />}
      <Table<ImportJob> rowKey="id" size="middle" dataSource={jobs.data ?? []} pagination={false} aria-label={t('ops.imports.jobs')}
        expandable={{ expandedRowRender: (j) => <Accounts job={j} /> }}
        columns={[
          { key: 'id', title: t('ops.imports.job'), dataIndex: 'id' },
          { key: 'state', title: t('ops.imports.state'), render: (_v, j) => <Tag color={STATE_COLOURS[j.state]}>{t(`ops.imports.states.${j.state}`)}</Tag> },
          { key: 'progress', title: t('ops.imports.progress'), render: (_v, j) => (
            <Progress size="small" style={{ width: 160 }} status={j.state === 'failed' ? 'exception' : j.state === 'running' ? 'active' : undefined}
              percent={j.state === 'done' ? 100 : Math.floor((j.totals.messagesDone / Math.max(1, j.totals.messagesTotal)) * 100)} />
          ) },
          { key: 'accounts', title: t('ops.imports.accountsDone'), render: (_v, j) => `${j.totals.done} / ${j.totals.accounts}${j.totals.failed ? ` (${t('ops.imports.failedCount', { count: j.totals.failed })})` : ''}` },
          { key: 'folders', title: t('ops.imports.folders'), render: (_v, j) => `${j.totals.foldersDone} / ${j.totals.foldersTotal}` },
          { key: 'messages', title: t('ops.imports.messages'), render: (_v, j) => `${j.totals.messagesDone} / ${j.totals.messagesTotal}` },
          { key: 'imported', title: t('ops.imports.imported'), render: (_v, j) => `${j.totals.imported} · ${formatBytes(j.totals.bytes)}` },
          { key: 'createdAt', title: t('console.createdAt'), render: (_v, j) => new Date(j.createdAt).toLocaleString() },
          { key: 'actions', title: t('admin.users.actions'), render: (_v, j) => (j.state === 'queued' || j.state === 'running') && (
            <Popconfirm title={t('ops.imports.confirmCancel', { id: j.id })} onConfirm={() => cancel.mutate(j.id)}>
              <Typography.Link type="danger">{t('ops.imports.cancel')}</Typography.Link>
            </Popconfirm>
          ) },
        ]} />
    </section>
  );
}

function Accounts({ job }: { job: ImportJob }) {
  const { t } = useTranslation();
  return (
    <Table rowKey="line" size="small" pagination={false} dataSource={job.accounts}
      columns={[
        { key: 'line', title: t('ops.imports.line'), dataIndex: 'line' },
        { key: 'source', title: t('ops.imports.source'), dataIndex: 'source' },
        { key: 'address', title: t('ops.imports.local'), dataIndex: 'address' },
        { key: 'state', title: t('ops.imports.state'), render: (_v, a) => <Tag color={STATE_COLOURS[a.state]}>{t(`ops.imports.states.${a.state}`)}</Tag> },
        { key: 'messages', title: t('ops.imports.messages'), render: (_v, a) => `${a.messagesDone} / ${a.messagesTotal}` },
        { key: 'imported', title: t('ops.imports.imported'), render: (_v, a) => `${a.imported} · ${formatBytes(a.bytes)}` },
        { key: 'error', title: t('ops.imports.error'), dataIndex: 'error' },
      ]} />
  );
}
