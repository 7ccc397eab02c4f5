/**
 * 机构管理 (manual part 3 §1.5; FEATURES A4): the department tree (order, then name) with each
 * unit's head count and leader, and the users of the chosen department beside it. Add a
 * department (under the chosen one), change it (name, parent, order, leader), delete it (its users
 * go to the parent department or to none; sub-departments move up). Users move by dragging their
 * rows onto a department, or by selecting them and "移动到". A department admin sees their subtree.
 */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Alert, Button, Card, Form, Input, InputNumber, Modal, Radio, Select, Space, Table, Tree, Typography, message } from 'antd';
import type { DataNode } from 'antd/es/tree';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError } from '../api.ts';
import { adminApi, adminKeys, type AdminUser } from './api.ts';
import { consoleApi, consoleKeys, type OrgUnit, type UnitFields } from './console-api.ts';
import { adminErrorText } from './errors.ts';

/** The tree key of "no department" (users in none); real departments are keyed by id. */
const NONE = 'none';
const DRAG_TYPE = 'application/x-youju-users';

export function OrgPage({ domain, isDepartmentAdmin }: { domain: string; isDepartmentAdmin: boolean }) {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const org = useQuery({ queryKey: consoleKeys.org(domain), queryFn: () => consoleApi.org(domain) });
  const [selected, setSelected] = useState<string | null>(null);
  const [page, setPage] = useState(1);
  const [picked, setPicked] = useState<string[]>([]);
  const [moveTo, setMoveTo] = useState<string | undefined>();
  const [editing, setEditing] = useState<OrgUnit | 'new' | null>(null);
  const [deleting, setDeleting] = useState<OrgUnit | null>(null);
  const units = org.data?.units ?? [];
  const current = selected ?? (units[0] ? String(units.find((u) => u.parentId === null)?.id ?? units[0].id) : null);
  const unit = units.find((u) => String(u.id) === current);
  const department = current === null ? undefined : current === NONE ? 0 : Number(current);
  const users = useQuery({
    queryKey: [...adminKeys.users(domain), 'org', department, page],
    queryFn: () => adminApi.users(domain, { search: '', sort: 'address', order: 'asc', page, pageSize: 20, department }),
    enabled: department !== undefined,
  });
  const refresh = () => Promise.all([queryClient.invalidateQueries({ queryKey: consoleKeys.org(domain) }), queryClient.invalidateQueries({ queryKey: adminKeys.users(domain) }),
    queryClient.invalidateQueries({ queryKey: adminKeys.departments(domain) })]);
  const move = useMutation({
    mutationFn: ({ list, to }: { list: string[]; to: string }) => consoleApi.moveUsers(domain, list, to === NONE ? null : Number(to)),
    onSuccess: (r, v) => {
      const name = v.to === NONE ? t('admin.user.noDepartment') : units.find((u) => String(u.id) === v.to)?.path;
      void message.success(t('console.org.moved', { count: r.moved, department: name }));
      setPicked([]);
      void refresh();
    },
    onError: (err) => { void message.error(adminErrorText(t, err)); },
  });

  const tree = useMemo(() => {
    const byParent = new Map<number | null, OrgUnit[]>();
    for (const u of units) byParent.set(u.parentId, [...(byParent.get(u.parentId) ?? []), u]);
    const build = (parent: number | null): DataNode[] => (byParent.get(parent) ?? [])
      .sort((a, b) => a.sortOrder - b.sortOrder || a.name.localeCompare(b.name, 'zh-Hans-CN'))
      .map((u) => ({ key: String(u.id), title: u.name, children: build(u.id) }));
    return build(null);
  }, [units]);
  const counts = new Map(units.map((u) => [String(u.id), u.users]));
  const dropTitle = (key: string, label: string) => (
    <span data-department={key}
      onDragOver={(e) => { if (e.dataTransfer.types.includes(DRAG_TYPE)) e.preventDefault(); }}
      onDrop={(e) => { e.preventDefault(); const list = JSON.parse(e.dataTransfer.getData(DRAG_TYPE) || '[]') as string[]; if (list.length) move.mutate({ list, to: key }); }}>
      {label} <Typography.Text type="secondary">({key === NONE ? org.data?.noDepartment : counts.get(key)})</Typography.Text>
    </span>
  );
  const withDrop = (nodes: DataNode[]): DataNode[] => nodes.map((n) => ({ ...n, title: dropTitle(String(n.key), String(n.title)), children: withDrop(n.children ?? []) }));
  const treeData = [...withDrop(tree), ...(org.data?.noDepartment === null || org.data === undefined ? [] : [{ key: NONE, title: dropTitle(NONE, t('admin.user.noDepartment')), isLeaf: true }])];
  const targets = [...units.map((u) => ({ value: String(u.id), label: u.path })), ...(isDepartmentAdmin ? [] : [{ value: NONE, label: t('admin.user.noDepartment') }])];
  const ownRoot = isDepartmentAdmin && unit?.parentId === null;

  return (
    <section aria-label={t('console.menu.org')} style={{ display: 'flex', gap: 16, alignItems: 'flex-start' }}>
      <Card title={t('console.org.tree')} style={{ width: 320, flex: 'none' }} size="small"
        extra={<Button size="small" type="primary" onClick={() => setEditing('new')}>{t('console.org.add')}</Button>}>
        {org.error && <Alert type="error" showIcon message={adminErrorText(t, org.error)} />}
        <Tree blockNode defaultExpandAll key={units.length} treeData={treeData} selectedKeys={current ? [current] : []}
          onSelect={(keys) => { if (keys[0] !== undefined) { setSelected(String(keys[0])); setPage(1); setPicked([]); } }} aria-label={t('console.org.tree')} />
      </Card>
      <Card style={{ flex: 1, minWidth: 0 }} size="small"
        title={current === NONE ? t('admin.user.noDepartment') : unit ? unit.path : ''}
        extra={unit && !ownRoot && (
          <Space>
            <Button size="small" onClick={() => setEditing(unit)}>{t('console.org.edit')}</Button>
            <Button size="small" danger onClick={() => setDeleting(unit)}>{t('console.org.delete')}</Button>
          </Space>
        )}>
        {unit && (
          <Typography.Paragraph type="secondary">
            {t('console.org.sortOrder')}: {unit.sortOrder} · {t('console.org.leader')}: {unit.leader ? `${unit.leader.realName || unit.leader.address} <${unit.leader.address}>` : '—'}
          </Typography.Paragraph>
        )}
        <Space style={{ marginBottom: 12 }}>
          <Select style={{ width: 240 }} placeholder={t('console.org.moveTarget')} value={moveTo} onChange={setMoveTo} options={targets} aria-label={t('console.org.moveTarget')} showSearch optionFilterProp="label" />
          <Button disabled={picked.length === 0 || moveTo === undefined} loading={move.isPending} onClick={() => moveTo && move.mutate({ list: picked, to: moveTo })}>
            {t('console.org.moveTo', { count: picked.length })}
          </Button>
          <Typography.Text type="secondary">{t('console.org.dragHint')}</Typography.Text>
        </Space>
        <Table<AdminUser> rowKey="address" size="small" loading={users.isFetching} dataSource={users.data?.users ?? []}
          rowSelection={{ selectedRowKeys: picked, onChange: (keys) => setPicked(keys.map(String)) }}
          pagination={{ current: page, pageSize: 20, total: users.data?.total ?? 0, onChange: setPage, showTotal: (total) => t('admin.users.total', { count: total }) }}
          onRow={(u) => ({
            draggable: true,
            onDragStart: (e) => { e.dataTransfer.setData(DRAG_TYPE, JSON.stringify(picked.includes(u.address) ? picked : [u.address])); e.dataTransfer.effectAllowed = 'move'; },
          })}
          columns={[
            { key: 'address', title: t('admin.user.address'), dataIndex: 'address' },
            { key: 'realName', title: t('admin.user.realName'), dataIndex: 'realName' },
            { key: 'status', title: t('admin.user.status'), dataIndex: 'status', render: (s: AdminUser['status']) => t(`admin.status.${s}`) },
          ]} />
      </Card>
      {editing && <UnitForm domain={domain} unit={editing === 'new' ? null : editing} parent={editing === 'new' ? unit ?? null : null} units={units} isDepartmentAdmin={isDepartmentAdmin}
        onClose={(changed) => { setEditing(null); if (changed) void refresh(); }} />}
      {deleting && <DeleteUnit unit={deleting} keepInside={isDepartmentAdmin} onClose={(changed) => { setDeleting(null); if (changed) { setSelected(null); void refresh(); } }} />}
    </section>
  );
}

interface UnitFormFields { name: string; parentId?: number | null; sortOrder?: number; leader?: string }

function UnitForm({ domain, unit, parent, units, isDepartmentAdmin, onClose }: {
  domain: string; unit: OrgUnit | null; parent: OrgUnit | null; units: OrgUnit[]; isDepartmentAdmin: boolean; onClose: (changed: boolean) => void;
}) {
  const { t } = useTranslation();
  const [form] = Form.useForm<UnitFormFields>();
  const save = useMutation({
    mutationFn: (f: UnitFormFields) => {
      const fields: UnitFields = { name: f.name.trim(), parentId: f.parentId ?? null, sortOrder: f.sortOrder ?? 0, leader: f.leader?.trim() || null };
      if (unit && isDepartmentAdmin && unit.parentId === null) delete fields.parentId;
      return unit ? consoleApi.updateUnit(unit.id, fields) : consoleApi.addUnit(domain, { ...fields, name: fields.name! });
    },
    onSuccess: () => onClose(true),
    onError: (err) => {
      if (err instanceof ApiError && err.field && form.getFieldInstance(err.field)) form.setFields([{ name: err.field as keyof UnitFormFields, errors: [adminErrorText(t, err)] }]);
    },
  });
  // A department cannot go under itself or below it: the server refuses, the list leaves them out.
  const below = new Set<number>();
  if (unit) {
    below.add(unit.id);
    for (let grew = true; grew;) { grew = false; for (const u of units) if (u.parentId !== null && below.has(u.parentId) && !below.has(u.id)) { below.add(u.id); grew = true; } }
  }
  const initial: UnitFormFields = unit
    ? { name: unit.name, parentId: unit.parentId, sortOrder: unit.sortOrder, leader: unit.leader?.address ?? '' }
    : { name: '', parentId: parent?.id ?? null, sortOrder: 0, leader: '' };
  return (
    <Modal open title={unit ? t('console.org.editTitle', { name: unit.name }) : t('console.org.add')} onCancel={() => onClose(false)} onOk={() => form.submit()}
      okText={t('admin.users.submit')} okButtonProps={{ loading: save.isPending }}>
      <Form<UnitFormFields> form={form} layout="horizontal" labelCol={{ span: 6 }} initialValues={initial} onFinish={(f) => save.mutate(f)} aria-label={t('console.org.add')}>
        <Form.Item name="name" label={t('console.org.name')} rules={[{ required: true, whitespace: true, message: t('console.org.nameRequired') }]}><Input maxLength={100} /></Form.Item>
        <Form.Item name="parentId" label={t('console.org.parent')}>
          <Select allowClear placeholder={t('console.org.top')} options={units.filter((u) => !below.has(u.id)).map((u) => ({ value: u.id, label: u.path }))} />
        </Form.Item>
        <Form.Item name="sortOrder" label={t('console.org.sortOrder')} extra={t('console.org.sortHint')}><InputNumber precision={0} /></Form.Item>
        <Form.Item name="leader" label={t('console.org.leader')}><Input placeholder="name@example.cn" maxLength={320} /></Form.Item>
        {save.error && !(save.error instanceof ApiError && save.error.field) && <Alert type="error" showIcon message={adminErrorText(t, save.error)} />}
      </Form>
    </Modal>
  );
}

function DeleteUnit({ unit, keepInside, onClose }: { unit: OrgUnit; keepInside: boolean; onClose: (changed: boolean) => void }) {
  const { t } = useTranslation();
  const [usersTo, setUsersTo] = useState<'parent' | 'none'>(unit.parentId === null ? 'none' : 'parent');
  const remove = useMutation({ mutationFn: () => consoleApi.deleteUnit(unit.id, usersTo), onSuccess: () => onClose(true) });
  return (
    <Modal open title={t('console.org.deleteTitle', { name: unit.path })} onCancel={() => onClose(false)} onOk={() => remove.mutate()}
      okText={t('console.org.delete')} okButtonProps={{ danger: true, loading: remove.isPending }}>
      <Typography.Paragraph>{t('console.org.deleteHint', { count: unit.users })}</Typography.Paragraph>
      <Radio.Group value={usersTo} onChange={(e) => setUsersTo(e.target.value)} options={[
        { value: 'parent', label: t('console.org.usersToParent'), disabled: unit.parentId === null },
        { value: 'none', label: t('console.org.usersToNone'), disabled: keepInside },
      ]} />
      {remove.error && <Alert type="error" showIcon message={adminErrorText(t, remove.error)} style={{ marginTop: 12 }} />}
    </Modal>
  );
}
