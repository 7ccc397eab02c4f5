/**
 * The personal address book (FEATURES W8, manual part 2 §1.10): groups on the left ("all" first,
 * each with edit and delete), the contacts of the chosen group on the right, searched and paged,
 * with add, edit (click a name), delete, add to group, write mail to the selected people or the
 * whole group (compose opens at #compose?to=…), import and export (CSV, vCard 3.0/4.0).
 */
import { DeleteOutlined, DownloadOutlined, EditOutlined, MailOutlined, PlusOutlined, TeamOutlined, UploadOutlined, UserAddOutlined } from '@ant-design/icons';
import { keepPreviousData, useQuery, useQueryClient } from '@tanstack/react-query';
import { App as AntApp, Button, Dropdown, Input, Menu, Modal, Form, Space, Table, Tag, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { errorText } from '../errors.ts';
import { ContactForm } from './ContactForm.tsx';
import { contactKeys, contactsApi, writeMailTo, type Contact, type Group } from './contacts-api.ts';
import { ImportDialog } from './ImportDialog.tsx';

const PAGE_SIZE = 30;

function GroupNameDialog(props: { group?: Group; onClose: () => void; onSaved: () => void }) {
  const { t } = useTranslation();
  const { message } = AntApp.useApp();
  const [form] = Form.useForm<{ name: string }>();
  const save = async () => {
    const { name } = await form.validateFields();
    try {
      if (props.group) await contactsApi.renameGroup(props.group.id, name); else await contactsApi.createGroup(name);
      props.onSaved();
      props.onClose();
    } catch (err) {
      form.setFields([{ name: 'name', errors: [errorText(t, err)] }]);
      void message.error(errorText(t, err));
    }
  };
  return (
    <Modal open title={props.group ? t('contacts.editGroup') : t('contacts.newGroup')} okText={t('contacts.submit')} cancelText={t('contacts.cancel')}
      onOk={() => void save()} onCancel={props.onClose} destroyOnHidden>
      <Form form={form} layout="vertical" initialValues={{ name: props.group?.name ?? '' }} onFinish={() => void save()}>
        <Form.Item name="name" label={t('contacts.groupName')} rules={[{ required: true, whitespace: true, message: t('contacts.groupNameRequired') }]}>
          <Input maxLength={50} autoFocus />
        </Form.Item>
      </Form>
    </Modal>
  );
}

export function PersonalBook() {
  const { t } = useTranslation();
  const { message, modal } = AntApp.useApp();
  const queryClient = useQueryClient();
  const [groupId, setGroupId] = useState<number>();
  const [search, setSearch] = useState('');
  const [page, setPage] = useState(1);
  const [selected, setSelected] = useState<number[]>([]);
  const [editing, setEditing] = useState<Contact | 'new'>();
  const [groupDialog, setGroupDialog] = useState<Group | 'new'>();
  const [importing, setImporting] = useState(false);

  const groups = useQuery({ queryKey: contactKeys.groups, queryFn: contactsApi.groups });
  const q = { search, groupId, page, pageSize: PAGE_SIZE };
  const list = useQuery({ queryKey: contactKeys.list(q), queryFn: () => contactsApi.list(q), placeholderData: keepPreviousData });
  const refresh = () => void queryClient.invalidateQueries({ queryKey: contactKeys.all });
  const groupName = new Map((groups.data ?? []).map((g) => [g.id, g.name]));
  const group = groups.data?.find((g) => g.id === groupId);
  const chosen = (list.data?.contacts ?? []).filter((c) => selected.includes(c.id));

  const fail = (err: unknown) => void message.error(errorText(t, err));
  const chooseGroup = (id: number | undefined) => { setGroupId(id); setPage(1); setSelected([]); };

  const removeSelected = () => modal.confirm({
    title: t('contacts.confirmDelete', { count: selected.length }), okButtonProps: { danger: true },
    onOk: async () => {
      try {
        const r = await contactsApi.remove(selected);
        void message.success(t('contacts.deleted', { count: r.deleted }));
        setSelected([]);
        refresh();
      } catch (err) { fail(err); }
    },
  });
  const removeGroup = (g: Group) => modal.confirm({
    title: t('contacts.confirmDeleteGroup', { name: g.name }), okButtonProps: { danger: true },
    onOk: async () => {
      try {
        await contactsApi.deleteGroup(g.id);
        if (groupId === g.id) chooseGroup(undefined);
        refresh();
      } catch (err) { fail(err); }
    },
  });
  const addToGroup = async (id: number) => {
    try {
      const r = await contactsApi.addMembers(id, selected);
      void message.success(t('contacts.addedToGroup', { count: r.added }));
      refresh();
    } catch (err) { fail(err); }
  };
  const mailGroup = async () => {
    if (!groupId) return;
    try { writeMailTo((await contactsApi.recipients(groupId)).map((r) => r.address)); } catch (err) { fail(err); }
  };

  const exportItems = (['csv', 'vcard3', 'vcard4'] as const).map((f) => ({
    key: f,
    label: <a href={contactsApi.exportUrl(f, groupId)} download>{t(`contacts.export${f === 'csv' ? 'Csv' : f === 'vcard3' ? 'Vcard3' : 'Vcard4'}`)}</a>,
  }));

  return (
    <div className="yj-book">
      <nav className="yj-book-groups" aria-label={t('contacts.groups')}>
        <Menu mode="inline" selectedKeys={[String(groupId ?? 'all')]} onClick={(e) => chooseGroup(e.key === 'all' ? undefined : Number(e.key))}
          items={[
            { key: 'all', icon: <TeamOutlined />, label: t('contacts.all') },
            { type: 'group', label: t('contacts.groups'), children: (groups.data ?? []).map((g) => ({
              key: String(g.id),
              label: (
                <span className="yj-group-row">
                  <span>{g.name} <Typography.Text type="secondary">({g.members})</Typography.Text></span>
                  <span className="yj-group-actions">
                    <Button size="small" type="text" icon={<EditOutlined />} aria-label={`${t('contacts.editGroup')} ${g.name}`}
                      onClick={(e) => { e.stopPropagation(); setGroupDialog(g); }} />
                    <Button size="small" type="text" icon={<DeleteOutlined />} aria-label={`${t('contacts.deleteGroup')} ${g.name}`}
                      onClick={(e) => { e.stopPropagation(); removeGroup(g); }} />
                  </span>
                </span>
              ),
            })) },
          ]} />
        <Button type="dashed" block icon={<PlusOutlined />} onClick={() => setGroupDialog('new')} style={{ margin: '8px 0' }}>{t('contacts.newGroup')}</Button>
      </nav>
      <section className="yj-book-main" aria-label={group?.name ?? t('contacts.all')}>
        <div className="yj-toolbar">
          <Input.Search allowClear placeholder={t('contacts.search')} aria-label={t('contacts.search')} style={{ width: 260 }}
            onSearch={(v) => { setSearch(v.trim()); setPage(1); }} />
          <Button type="primary" icon={<UserAddOutlined />} onClick={() => setEditing('new')}>{t('contacts.add')}</Button>
          <Button icon={<DeleteOutlined />} disabled={selected.length === 0} onClick={removeSelected}>{t('contacts.delete')}</Button>
          <Button icon={<MailOutlined />} disabled={chosen.length === 0} onClick={() => writeMailTo(chosen.map((c) => c.emails[0]!))}>{t('contacts.mailSelected')}</Button>
          {groupId !== undefined && <Button icon={<MailOutlined />} onClick={() => void mailGroup()}>{t('contacts.mailGroup')}</Button>}
          <Dropdown disabled={selected.length === 0 || !groups.data?.length}
            menu={{ items: (groups.data ?? []).map((g) => ({ key: String(g.id), label: g.name })), onClick: (e) => void addToGroup(Number(e.key)) }}>
            <Button icon={<TeamOutlined />}>{t('contacts.addToGroup')}</Button>
          </Dropdown>
          <Button icon={<UploadOutlined />} onClick={() => setImporting(true)}>{t('contacts.import')}</Button>
          <Dropdown menu={{ items: exportItems }}><Button icon={<DownloadOutlined />}>{t('contacts.export')}</Button></Dropdown>
          <Typography.Text type="secondary" className="yj-counts">{t('contacts.count', { total: list.data?.total ?? 0 })}</Typography.Text>
        </div>
        <Table<Contact> className="yj-contacts-table" rowKey="id" size="small" loading={list.isFetching && !list.data}
          dataSource={list.data?.contacts ?? []} locale={{ emptyText: t('contacts.empty') }}
          rowSelection={{ selectedRowKeys: selected, onChange: (keys) => setSelected(keys as number[]),
            getCheckboxProps: (c) => ({ 'aria-label': t('contacts.selectOne', { name: c.name }) } as never) }}
          pagination={{ current: page, pageSize: PAGE_SIZE, total: list.data?.total ?? 0, showSizeChanger: false, onChange: (p) => { setPage(p); setSelected([]); } }}
          columns={[
            { title: t('contacts.fields.name'), dataIndex: 'name', render: (_: string, c) => <a onClick={() => setEditing(c)}>{c.name}</a> },
            { title: t('contacts.fields.emails'), dataIndex: 'emails', render: (e: string[]) => e.join(', ') },
            { title: t('contacts.fields.phones'), dataIndex: 'phones', responsive: ['lg'], render: (p: Contact['phones']) => p.map((x) => x.number).join(', ') },
            { title: t('contacts.fields.company'), dataIndex: 'company', responsive: ['lg'] },
            { title: t('contacts.fields.groups'), dataIndex: 'groupIds', responsive: ['md'],
              render: (ids: number[]) => <Space size={2} wrap>{ids.map((id) => <Tag key={id}>{groupName.get(id)}</Tag>)}</Space> },
          ]} />
      </section>
      {editing && (
        <ContactForm contact={editing === 'new' ? undefined : editing} groups={groups.data ?? []} defaultGroupId={groupId}
          onClose={(saved) => { setEditing(undefined); if (saved) refresh(); }} />
      )}
      {groupDialog && <GroupNameDialog group={groupDialog === 'new' ? undefined : groupDialog} onClose={() => setGroupDialog(undefined)} onSaved={refresh} />}
      {importing && <ImportDialog groups={groups.data ?? []} defaultGroupId={groupId} onClose={(done) => { setImporting(false); if (done) refresh(); }} />}
    </div>
  );
}
