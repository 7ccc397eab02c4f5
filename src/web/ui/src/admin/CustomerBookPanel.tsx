/**
 * 客户通讯录 in the domain console's webmail settings (manual part 3 §1.8.4; FEATURES A8): the
 * categories on the left (add, rename, delete keeping their customers), the customers on the right
 * with search and server paging; add and edit in a form, delete the selected, batch import from
 * pasted text or a CSV file (with the sample to download and a per-line report), export as CSV.
 */
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Alert, Button, Form, Input, Menu, Modal, Popconfirm, Select, Space, Table, Typography, message } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError } from '../api.ts';
import { consoleApi, consoleKeys, type Customer, type CustomerCategory, type CustomerFields, type CustomerQuery } from './console-api.ts';
import { adminErrorText } from './errors.ts';

const FIELDS = ['name', 'email', 'company', 'phone', 'mobile', 'address', 'notes'] as const;

export function CustomerBookPanel({ domain }: { domain: string }) {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const [q, setQ] = useState<CustomerQuery>({ page: 1, pageSize: 20 });
  const page = useQuery({ queryKey: [...consoleKeys.customers(domain), q], queryFn: () => consoleApi.customers(domain, q), placeholderData: keepPreviousData });
  const [selected, setSelected] = useState<number[]>([]);
  const [editing, setEditing] = useState<Customer | 'new' | null>(null);
  const [importing, setImporting] = useState(false);
  const [naming, setNaming] = useState<CustomerCategory | 'new' | null>(null);
  const refresh = () => queryClient.invalidateQueries({ queryKey: consoleKeys.customers(domain) });
  const fail = (err: unknown) => { void message.error(adminErrorText(t, err)); };
  const remove = useMutation({
    mutationFn: () => consoleApi.deleteCustomers(domain, selected),
    onSuccess: (r) => { void message.success(t('customers.deleted', { count: r.deleted })); setSelected([]); void refresh(); },
    onError: fail,
  });
  const dropCategory = useMutation({
    mutationFn: (id: number) => consoleApi.deleteCategory(domain, id),
    onSuccess: () => { setQ({ ...q, category: undefined, page: 1 }); void refresh(); },
    onError: fail,
  });
  const d = page.data;
  const categories = d?.categories ?? [];
  const current = categories.find((c) => c.id === q.category);
  const categoryName = (id: number | null) => (id === null ? t('customers.uncategorised') : categories.find((c) => c.id === id)?.name ?? '');

  return (
    <div style={{ display: 'flex', gap: 16, alignItems: 'flex-start' }}>
      <nav style={{ width: 220, flex: 'none' }} aria-label={t('customers.categories')}>
        <Menu mode="inline" selectedKeys={[q.category === undefined ? 'all' : String(q.category)]}
          onClick={(e) => { setQ({ ...q, category: e.key === 'all' ? undefined : Number(e.key), page: 1 }); setSelected([]); }}
          items={[{ key: 'all', label: t('customers.all') }, ...categories.map((c) => ({ key: String(c.id), label: `${c.name} (${c.members})` })),
            { key: '0', label: t('customers.uncategorised') }]} />
        <Space wrap style={{ marginTop: 8 }}>
          <Button size="small" onClick={() => setNaming('new')}>{t('customers.newCategory')}</Button>
          {current && <Button size="small" onClick={() => setNaming(current)}>{t('customers.rename')}</Button>}
          {current && (
            <Popconfirm title={t('customers.confirmDeleteCategory', { name: current.name })} onConfirm={() => dropCategory.mutate(current.id)}>
              <Button size="small" danger>{t('customers.deleteCategory')}</Button>
            </Popconfirm>
          )}
        </Space>
      </nav>
      <section style={{ flex: 1, minWidth: 0 }} aria-label={t('customers.title')}>
        <Space wrap style={{ marginBottom: 12 }}>
          <Input.Search allowClear placeholder={t('customers.search')} aria-label={t('customers.search')} style={{ width: 260 }}
            onSearch={(search) => setQ({ ...q, search: search.trim() || undefined, page: 1 })} />
          <Button type="primary" onClick={() => setEditing('new')}>{t('customers.add')}</Button>
          <Button onClick={() => setImporting(true)}>{t('customers.import')}</Button>
          <Popconfirm title={t('customers.confirmDelete', { count: selected.length })} onConfirm={() => remove.mutate()} disabled={selected.length === 0}>
            <Button danger disabled={selected.length === 0}>{t('customers.delete')}</Button>
          </Popconfirm>
          <Button href={consoleApi.customersExportUrl(domain)}>{t('customers.export')}</Button>
          <Typography.Text type="secondary">{t('customers.count', { count: d?.total ?? 0 })}</Typography.Text>
        </Space>
        <Table<Customer> rowKey="id" size="small" loading={page.isFetching} dataSource={d?.customers ?? []} locale={{ emptyText: t('customers.empty') }}
          rowSelection={{ selectedRowKeys: selected, onChange: (k) => setSelected(k as number[]), preserveSelectedRowKeys: true,
            getCheckboxProps: (c) => ({ 'aria-label': t('customers.selectOne', { name: c.name }) } as never) }}
          pagination={{ current: q.page, pageSize: q.pageSize, total: d?.total ?? 0, showSizeChanger: true }}
          onChange={(p) => setQ({ ...q, page: p.current ?? 1, pageSize: p.pageSize ?? 20 })}
          columns={[
            { title: t('customers.fields.name'), dataIndex: 'name', render: (v: string, c) => <Button type="link" size="small" style={{ padding: 0 }} onClick={() => setEditing(c)}>{v}</Button> },
            { title: t('customers.fields.email'), dataIndex: 'email' },
            { title: t('customers.fields.company'), dataIndex: 'company' },
            { title: t('customers.fields.phone'), dataIndex: 'phone' },
            { title: t('customers.fields.mobile'), dataIndex: 'mobile' },
            { title: t('customers.fields.category'), dataIndex: 'categoryId', render: (v: number | null) => categoryName(v) },
          ]} />
      </section>
      {editing && <CustomerForm domain={domain} customer={editing === 'new' ? null : editing} categories={categories} defaultCategory={q.category || null}
        onClose={(changed) => { setEditing(null); if (changed) void refresh(); }} />}
      {importing && <CustomerImport domain={domain} categories={categories} onClose={(changed) => { setImporting(false); if (changed) void refresh(); }} />}
      {naming && <CategoryName domain={domain} category={naming === 'new' ? null : naming} onClose={(changed) => { setNaming(null); if (changed) void refresh(); }} />}
    </div>
  );
}

function CustomerForm({ domain, customer, categories, defaultCategory, onClose }: {
  domain: string; customer: Customer | null; categories: CustomerCategory[]; defaultCategory: number | null; onClose: (changed: boolean) => void;
}) {
  const { t } = useTranslation();
  const [form] = Form.useForm<CustomerFields>();
  const save = useMutation({
    mutationFn: (f: CustomerFields) => {
      const body = { ...f, categoryId: f.categoryId ?? null };
      return customer ? consoleApi.updateCustomer(domain, customer.id, body) : consoleApi.addCustomer(domain, body);
    },
    onSuccess: () => { void message.success(t('customers.saved')); onClose(true); },
    onError: (err) => {
      if (err instanceof ApiError && err.field && form.getFieldInstance(err.field)) {
        const text = err.code === 'INVALID_INPUT' ? t('admin.errors.field', { field: t(`customers.fields.${err.field}`, { defaultValue: err.field }), message: err.message })
          : adminErrorText(t, err);
        form.setFields([{ name: err.field as keyof CustomerFields, errors: [text] }]);
      }
    },
  });
  const title = customer ? t('customers.edit') : t('customers.add');
  return (
    <Modal open title={title} onCancel={() => onClose(false)} onOk={() => form.submit()} okText={t('customers.submit')} okButtonProps={{ loading: save.isPending }}>
      <Form<CustomerFields> form={form} layout="horizontal" labelCol={{ span: 5 }} aria-label={title} onFinish={(f) => save.mutate(f)}
        initialValues={customer ?? { categoryId: defaultCategory }}>
        {FIELDS.map((f) => (
          <Form.Item key={f} name={f} label={t(`customers.fields.${f}`)}
            rules={f === 'email' ? [{ required: true, whitespace: true, message: t('customers.required', { field: t('customers.fields.email') }) }] : []}>
            {f === 'notes' || f === 'address' ? <Input.TextArea rows={2} /> : <Input />}
          </Form.Item>
        ))}
        <Form.Item name="categoryId" label={t('customers.fields.category')}>
          <Select allowClear placeholder={t('customers.uncategorised')} options={categories.map((c) => ({ value: c.id, label: c.name }))} />
        </Form.Item>
        {save.error && !(save.error instanceof ApiError && save.error.field && form.getFieldInstance(save.error.field)) && (
          <Alert type="error" showIcon role="alert" message={adminErrorText(t, save.error)} />
        )}
      </Form>
    </Modal>
  );
}

function CategoryName({ domain, category, onClose }: { domain: string; category: CustomerCategory | null; onClose: (changed: boolean) => void }) {
  const { t } = useTranslation();
  const [name, setName] = useState(category?.name ?? '');
  const save = useMutation({
    mutationFn: () => (category ? consoleApi.renameCategory(domain, category.id, name) : consoleApi.addCategory(domain, name)),
    onSuccess: () => onClose(true),
  });
  const title = category ? t('customers.rename') : t('customers.newCategory');
  return (
    <Modal open title={title} onCancel={() => onClose(false)} onOk={() => save.mutate()} okText={t('customers.submit')} okButtonProps={{ loading: save.isPending, disabled: name.trim() === '' }}>
      <Input value={name} onChange={(e) => setName(e.target.value)} aria-label={t('customers.categoryName')} placeholder={t('customers.categoryName')} maxLength={50} />
      {save.error && <Alert style={{ marginTop: 12 }} type="error" showIcon role="alert" message={adminErrorText(t, save.error)} />}
    </Modal>
  );
}

function CustomerImport({ domain, categories, onClose }: { domain: string; categories: CustomerCategory[]; onClose: (changed: boolean) => void }) {
  const { t } = useTranslation();
  const [csv, setCsv] = useState('');
  const [categoryId, setCategoryId] = useState<number>();
  const run = useMutation({ mutationFn: () => consoleApi.importCustomers(domain, csv, categoryId) });
  const r = run.data;
  const changed = (r?.added ?? 0) > 0;
  return (
    <Modal open title={t('customers.import')} width={720} onCancel={() => onClose(changed)}
      footer={<Space>
        <Button onClick={() => onClose(changed)}>{t('customers.close')}</Button>
        <Button type="primary" disabled={csv.trim() === ''} loading={run.isPending} onClick={() => run.mutate()}>{t('customers.importSubmit')}</Button>
      </Space>}>
      <Typography.Paragraph>{t('customers.importHelp')} <a href={consoleApi.customersSampleUrl(domain)} download>{t('customers.sample')}</a></Typography.Paragraph>
      <Space direction="vertical" style={{ width: '100%' }}>
        <input type="file" accept=".csv,text/csv,text/plain" aria-label={t('customers.importFile')}
          onChange={(e) => { const f = e.target.files?.[0]; if (f) void f.text().then(setCsv); }} />
        <Input.TextArea rows={8} value={csv} onChange={(e) => setCsv(e.target.value)} aria-label={t('customers.importText')} style={{ fontFamily: 'monospace' }}
          placeholder={'name,email,company,phone,mobile,address,notes,category\n王经理,wang@client.example.com,华南贸易,,13800000001,,,华南客户'} />
        <Space>
          <Typography.Text>{t('customers.importCategory')}</Typography.Text>
          <Select allowClear style={{ width: 200 }} value={categoryId} onChange={setCategoryId} placeholder={t('customers.uncategorised')} aria-label={t('customers.importCategory')}
            options={categories.map((c) => ({ value: c.id, label: c.name }))} />
        </Space>
        {run.error && <Alert type="error" showIcon role="alert" message={adminErrorText(t, run.error)} />}
        {r && <Alert type={r.errors.length ? 'warning' : 'success'} showIcon role="status" message={t('customers.importDone', { added: r.added, failed: r.errors.length })} />}
        {r && r.errors.length > 0 && (
          <Table size="small" rowKey={(e) => `${e.line}-${e.field}`} pagination={false} aria-label={t('customers.problem')} dataSource={r.errors}
            columns={[
              { title: t('customers.line'), dataIndex: 'line', width: 70 },
              { title: t('customers.field'), dataIndex: 'field', width: 110, render: (f: string) => t(`customers.fields.${f}`, { defaultValue: f }) },
              { title: t('customers.problem'), dataIndex: 'message' },
            ]} />
        )}
      </Space>
    </Modal>
  );
}
