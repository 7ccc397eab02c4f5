/**
 * 邮件监控管理 (manual part 3 §1.7; FEATURES A7): the domain's monitoring rules — list with on/off,
 * change and delete (列出邮件监控), and the form of 添加邮件监控: rule name, whose mail (the whole
 * domain, one user, a department), the direction (监控范围), the conditions (满足条件, several, all or
 * any), the mailboxes of this domain that get a copy, and whether it is on (监控是否生效).
 */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Alert, Button, Form, Input, Modal, Popconfirm, Radio, Select, Space, Switch, Table, Tag, Typography, message } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError } from '../api.ts';
import { adminApi, adminKeys } from './api.ts';
import { adminErrorText } from './errors.ts';
import { opsApi, opsKeys, type MonitorFields, type MonitorRule } from './ops-api.ts';

const FIELDS = ['recipient', 'sender', 'subject', 'body', 'attachmentName', 'size'] as const;
const OPS = ['contains', 'notContains', 'is', 'over', 'under'] as const;
interface Row { field: (typeof FIELDS)[number]; op: (typeof OPS)[number]; value: string }
interface Fields { name: string; enabled: boolean; direction: MonitorFields['direction']; match: 'all' | 'any'; kind: 'domain' | 'user' | 'department'; user?: string; orgUnitId?: number; conditions: Row[]; copyTo: string[] }

const toRows = (r: MonitorRule): Row[] => r.conditions.map((c) => ({
  field: c.field === 'header' && c.header?.toLowerCase() === 'subject' ? 'subject' : (c.field as Row['field']), op: c.op as Row['op'], value: c.values.join(', '),
}));
const toFields = (f: Fields, domain: string): MonitorFields => ({
  name: f.name.trim(), enabled: f.enabled, direction: f.direction, match: f.match,
  watch: f.kind === 'user' ? { kind: 'user', address: (f.user ?? '').includes('@') ? f.user!.trim().toLowerCase() : `${(f.user ?? '').trim().toLowerCase()}@${domain}` }
    : f.kind === 'department' ? { kind: 'department', orgUnitId: f.orgUnitId ?? 0 } : { kind: 'domain' },
  conditions: (f.conditions ?? []).filter((c) => c.value?.trim()).map((c) => ({
    ...(c.field === 'subject' ? { field: 'header', header: 'Subject' } : { field: c.field }), op: c.op,
    values: c.op === 'over' || c.op === 'under' ? [c.value.trim()] : c.value.split(/[,，]/).map((v) => v.trim()).filter(Boolean),
  })),
  copyTo: f.copyTo.map((a) => (a.includes('@') ? a.trim().toLowerCase() : `${a.trim().toLowerCase()}@${domain}`)),
});

export function MonitorsPage({ domain }: { domain: string }) {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const rules = useQuery({ queryKey: opsKeys.monitors(domain), queryFn: () => opsApi.monitors(domain) });
  const [editing, setEditing] = useState<MonitorRule | 'new' | null>(null);
  const refresh = () => queryClient.invalidateQueries({ queryKey: opsKeys.monitors(domain) });
  const fail = (err: unknown) => { void message.error(adminErrorText(t, err)); };
  const remove = useMutation({ mutationFn: (r: MonitorRule) => opsApi.deleteMonitor(domain, r.id), onSuccess: () => void refresh(), onError: fail });
  const toggle = useMutation({
    mutationFn: (r: MonitorRule) => { const { id, departmentPath: _p, ...f } = r; return opsApi.updateMonitor(domain, id, { ...f, enabled: !r.enabled }); },
    onSuccess: () => void refresh(), onError: fail,
  });
  const watchText = (r: MonitorRule) => (r.watch.kind === 'user' ? r.watch.address : r.watch.kind === 'department' ? r.departmentPath ?? `#${r.watch.orgUnitId}` : t('ops.monitors.wholeDomain'));
  return (
    <section aria-label={t('ops.menu.monitors')}>
      <Space style={{ marginBottom: 16 }}>
        <Button type="primary" onClick={() => setEditing('new')}>{t('ops.monitors.add')}</Button>
        <Typography.Text type="secondary">{t('ops.monitors.hint')}</Typography.Text>
      </Space>
      {rules.error && <Alert type="error" showIcon message={adminErrorText(t, rules.error)} />}
      <Table<MonitorRule> rowKey="id" size="middle" loading={rules.isFetching} dataSource={rules.data ?? []} pagination={false}
        columns={[
          { key: 'name', title: t('ops.monitors.name'), dataIndex: 'name' },
          { key: 'watch', title: t('ops.monitors.watch'), render: (_v, r) => watchText(r) },
          { key: 'direction', title: t('ops.monitors.direction'), render: (_v, r) => t(`ops.monitors.dir.${r.direction}`) },
          { key: 'conditions', title: t('ops.monitors.conditions'), render: (_v, r) => (r.conditions.length === 0 ? t('ops.monitors.everything')
            : toRows(r).map((c, i) => <Tag key={i}>{`${t(`ops.monitors.field.${c.field}`)} ${t(`ops.monitors.op.${c.op}`)} ${c.value}`}</Tag>)) },
          { key: 'copyTo', title: t('ops.monitors.copyTo'), render: (_v, r) => r.copyTo.join(', ') },
          { key: 'enabled', title: t('ops.monitors.enabled'), render: (_v, r) => <Switch size="small" checked={r.enabled} aria-label={t('ops.monitors.enabled')} onChange={() => toggle.mutate(r)} /> },
          { key: 'actions', title: t('admin.users.actions'), render: (_v, r) => (
            <Space size="small">
              <Typography.Link onClick={() => setEditing(r)}>{t('admin.users.edit')}</Typography.Link>
              <Popconfirm title={t('ops.monitors.confirmDelete', { name: r.name })} okText={t('admin.users.delete')} okButtonProps={{ danger: true }} onConfirm={() => remove.mutate(r)}>
                <Typography.Link type="danger">{t('admin.users.delete')}</Typography.Link>
              </Popconfirm>
            </Space>
          ) },
        ]} />
      {editing && <MonitorForm domain={domain} rule={editing === 'new' ? null : editing} onClose={(changed) => { setEditing(null); if (changed) void refresh(); }} />}
    </section>
  );
}

function MonitorForm({ domain, rule, onClose }: { domain: string; rule: MonitorRule | null; onClose: (changed: boolean) => void }) {
  const { t } = useTranslation();
  const [form] = Form.useForm<Fields>();
  const kind = Form.useWatch('kind', form);
  const departments = useQuery({ queryKey: adminKeys.departments(domain), queryFn: () => adminApi.departments(domain) });
  const initial: Partial<Fields> = rule
    ? { name: rule.name, enabled: rule.enabled, direction: rule.direction, match: rule.match, kind: rule.watch.kind, conditions: toRows(rule), copyTo: rule.copyTo,
      ...(rule.watch.kind === 'user' ? { user: rule.watch.address } : rule.watch.kind === 'department' ? { orgUnitId: rule.watch.orgUnitId } : {}) }
    : { enabled: true, direction: 'out', match: 'all', kind: 'domain', conditions: [{ field: 'recipient', op: 'contains', value: '' }], copyTo: [] };
  const save = useMutation({
    mutationFn: (f: Fields) => (rule ? opsApi.updateMonitor(domain, rule.id, toFields(f, domain)) : opsApi.addMonitor(domain, toFields(f, domain))),
    onSuccess: () => onClose(true),
  });
  const fieldOf = (err: unknown) => (err instanceof ApiError && err.field ? ({ 'watch.address': 'user', 'watch.orgUnitId': 'orgUnitId' } as Record<string, string>)[err.field] ?? err.field.split('.')[0] : undefined);
  const errField = fieldOf(save.error);
  return (
    <Modal open width={760} title={rule ? t('ops.monitors.editTitle', { name: rule.name }) : t('ops.monitors.add')} onCancel={() => onClose(false)}
      onOk={() => form.submit()} okText={t('admin.users.submit')} okButtonProps={{ loading: save.isPending }}>
      <Form<Fields> form={form} layout="horizontal" labelCol={{ span: 5 }} initialValues={initial} onFinish={(f) => save.mutate(f)} aria-label={t('ops.monitors.add')}>
        <Form.Item name="name" label={t('ops.monitors.name')} rules={[{ required: true, whitespace: true, message: t('ops.monitors.nameRequired') }]}><Input maxLength={200} /></Form.Item>
        <Form.Item name="kind" label={t('ops.monitors.watch')}>
          <Radio.Group options={(['domain', 'user', 'department'] as const).map((k) => ({ value: k, label: t(`ops.monitors.kind.${k}`) }))} />
        </Form.Item>
        {kind === 'user' && <Form.Item name="user" label={t('ops.monitors.user')} rules={[{ required: true, whitespace: true, message: t('admin.user.nameRequired') }]}><Input addonAfter={`@${domain}`} /></Form.Item>}
        {kind === 'department' && (
          <Form.Item name="orgUnitId" label={t('admin.user.department')} rules={[{ required: true, message: t('console.deptAdmins.departmentRequired') }]}>
            <Select loading={departments.isPending} options={(departments.data ?? []).map((d) => ({ value: d.id, label: d.path }))} showSearch optionFilterProp="label" />
          </Form.Item>
        )}
        <Form.Item name="direction" label={t('ops.monitors.direction')}>
          <Radio.Group options={(['out', 'in', 'both'] as const).map((k) => ({ value: k, label: t(`ops.monitors.dir.${k}`) }))} />
        </Form.Item>
        <Form.Item name="match" label={t('ops.monitors.match')}>
          <Radio.Group options={(['all', 'any'] as const).map((k) => ({ value: k, label: t(`ops.monitors.matchKind.${k}`) }))} />
        </Form.Item>
        <Form.Item label={t('ops.monitors.conditions')} extra={t('ops.monitors.conditionsHint')}>
          <Form.List name="conditions">
            {(items, { add, remove }) => (
              <>
                {items.map((item) => (
                  <Space key={item.key} align="baseline" style={{ display: 'flex' }}>
                    <Form.Item name={[item.name, 'field']} noStyle><Select style={{ width: 130 }} aria-label={t('ops.monitors.conditionField')} options={FIELDS.map((f) => ({ value: f, label: t(`ops.monitors.field.${f}`) }))} /></Form.Item>
                    <Form.Item name={[item.name, 'op']} noStyle><Select style={{ width: 110 }} aria-label={t('ops.monitors.conditionOp')} options={OPS.map((o) => ({ value: o, label: t(`ops.monitors.op.${o}`) }))} /></Form.Item>
                    <Form.Item name={[item.name, 'value']} noStyle><Input style={{ width: 260 }} aria-label={t('ops.monitors.conditionValue')} placeholder="@qq.com" /></Form.Item>
                    <Typography.Link onClick={() => remove(item.name)}>{t('admin.users.delete')}</Typography.Link>
                  </Space>
                ))}
                <Button size="small" onClick={() => add({ field: 'recipient', op: 'contains', value: '' })}>{t('ops.monitors.addCondition')}</Button>
              </>
            )}
          </Form.List>
        </Form.Item>
        <Form.Item name="copyTo" label={t('ops.monitors.copyTo')} extra={t('ops.monitors.copyToHint', { domain })}
          rules={[{ required: true, message: t('ops.monitors.copyToRequired') }]}>
          <Select mode="tags" tokenSeparators={[',', ' ', '，']} aria-label={t('ops.monitors.copyTo')} open={false} />
        </Form.Item>
        <Form.Item name="enabled" label={t('ops.monitors.enabled')} valuePropName="checked"><Switch /></Form.Item>
        {save.error && <Alert type="error" showIcon message={errField ? `${t(`ops.monitors.fieldName.${errField}`, { defaultValue: errField })}: ${(save.error as Error).message}` : adminErrorText(t, save.error)} />}
      </Form>
    </Modal>
  );
}
