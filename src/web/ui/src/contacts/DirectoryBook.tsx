/**
 * The enterprise address book (FEATURES W9, manual part 2 §1.11): the domain's org tree on the left
 * (with "no department" and the mailing lists the user may send to), the chosen unit's people on
 * the right with search; write to the selected people, to the whole unit or to a list, and add the
 * selected people to the personal book. Read-only: admins edit the directory. When the super admin
 * shared other domains' directories with the user's (其它域通讯录, W10), a domain chooser reads them.
 */
import { MailOutlined, UserAddOutlined } from '@ant-design/icons';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { App as AntApp, Button, Empty, Input, Select, Spin, Table, Tree, Typography } from 'antd';
import type { DataNode } from 'antd/es/tree';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { errorText } from '../errors.ts';
import { contactKeys, contactsApi, writeMailTo, type DirectoryUnit, type Person } from './contacts-api.ts';

/** The unit's people and those of every unit below it (manual: "本机构人员"). */
function peopleOf(u: DirectoryUnit): Person[] {
  return [...u.users, ...u.children.flatMap(peopleOf)];
}

export function DirectoryBook() {
  const { t } = useTranslation();
  const { message } = AntApp.useApp();
  const queryClient = useQueryClient();
  const [domain, setDomain] = useState<string | undefined>(undefined);
  const domains = useQuery({ queryKey: contactKeys.directoryDomains, queryFn: contactsApi.directoryDomains });
  const tree = useQuery({ queryKey: contactKeys.directoryOf(domain), queryFn: () => contactsApi.directory(domain) });
  const [key, setKey] = useState('all');
  const [search, setSearch] = useState('');
  const [selected, setSelected] = useState<string[]>([]);

  const units = useMemo(() => {
    const byKey = new Map<string, DirectoryUnit>();
    const walk = (list: DirectoryUnit[]) => list.forEach((u) => { byKey.set(`unit:${u.id}`, u); walk(u.children); });
    walk(tree.data?.units ?? []);
    return byKey;
  }, [tree.data]);

  if (!tree.data) return tree.isError ? <Empty description={errorText(t, tree.error)} /> : <Spin aria-label={t('shell.loading')} />;
  const d = tree.data;
  const everyone = [...d.units.flatMap(peopleOf), ...d.unassigned];
  const list = key.startsWith('list:') ? d.lists.find((l) => `list:${l.address}` === key) : undefined;
  const shown: Person[] = key === 'all' ? everyone : key === 'unassigned' ? d.unassigned
    : list ? [{ name: list.description || list.address, address: list.address }] : peopleOf(units.get(key) ?? { id: 0, name: '', users: [], children: [] });
  const q = search.trim().toLowerCase();
  const rows = q ? shown.filter((p) => p.name.toLowerCase().includes(q) || p.address.toLowerCase().includes(q)) : shown;

  const toNode = (u: DirectoryUnit): DataNode => ({ key: `unit:${u.id}`, title: u.name, children: u.children.map(toNode) });
  const treeData: DataNode[] = [
    { key: 'all', title: d.domain, children: [...d.units.map(toNode), ...(d.unassigned.length ? [{ key: 'unassigned', title: t('directory.unassigned') }] : [])] },
    ...(d.lists.length ? [{ key: 'lists', title: t('directory.lists'), selectable: false, children: d.lists.map((l) => ({ key: `list:${l.address}`, title: l.description || l.address })) }] : []),
  ];

  const addToPersonal = async () => {
    try {
      const people = rows.filter((p) => selected.includes(p.address)).map((p) => ({ name: p.name, email: p.address }));
      const r = await contactsApi.addPeople(people);
      void message.success(t('directory.added', { added: r.added, existing: r.existing }));
      setSelected([]);
      void queryClient.invalidateQueries({ queryKey: contactKeys.all });
    } catch (err) { void message.error(errorText(t, err)); }
  };

  return (
    <div className="yj-book">
      <nav className="yj-book-groups" aria-label={t('directory.title')}>
        {(domains.data?.length ?? 0) > 1 && (
          <Select style={{ width: '100%', marginBottom: 8 }} popupMatchSelectWidth={false} aria-label={t('directory.domain')} value={domain ?? domains.data![0]!.name}
            onChange={(v) => { setDomain(domains.data!.find((x) => x.name === v)?.own ? undefined : v); setKey('all'); setSelected([]); }}
            options={domains.data!.map((x) => ({ value: x.name, label: x.own ? x.displayName : `${x.displayName} · ${t('directory.otherDomain')}` }))} />
        )}
        <Tree blockNode defaultExpandAll treeData={treeData} selectedKeys={[key]}
          onSelect={(k) => { if (k[0] !== undefined) { setKey(String(k[0])); setSelected([]); } }} />
      </nav>
      <section className="yj-book-main" aria-label={t('directory.title')}>
        <div className="yj-toolbar">
          <Input.Search allowClear placeholder={t('directory.search')} aria-label={t('directory.search')} style={{ width: 240 }} onSearch={setSearch} />
          <Button icon={<MailOutlined />} disabled={selected.length === 0} onClick={() => writeMailTo(selected)}>{t('contacts.mailSelected')}</Button>
          {list ? <Button icon={<MailOutlined />} onClick={() => writeMailTo([list.address])}>{t('directory.mailList')}</Button>
            : <Button icon={<MailOutlined />} disabled={shown.length === 0} onClick={() => writeMailTo(shown.map((p) => p.address))}>{t('directory.mailUnit')}</Button>}
          <Button icon={<UserAddOutlined />} disabled={selected.length === 0} onClick={() => void addToPersonal()}>{t('directory.addToPersonal')}</Button>
          <Typography.Text type="secondary" className="yj-counts">{t('directory.count', { count: rows.length })}</Typography.Text>
        </div>
        <Table<Person> rowKey="address" size="small" dataSource={rows} pagination={rows.length > 50 ? { pageSize: 50, showSizeChanger: false } : false}
          locale={{ emptyText: t('directory.noPeople') }}
          rowSelection={{ selectedRowKeys: selected, onChange: (k) => setSelected(k as string[]),
            getCheckboxProps: (p) => ({ 'aria-label': t('directory.selectOne', { name: p.name }) } as never) }}
          columns={[{ title: t('directory.name'), dataIndex: 'name' }, { title: t('directory.address'), dataIndex: 'address' }]} />
      </section>
    </div>
  );
}
