/**
 * The folder tree (FEATURES W3, W7): folders nested by their '/'-separated paths, system folders
 * first and translated, each with its unread count; custom folders created (at the top or inside
 * another), renamed and deleted, Trash and Junk emptied, from each folder's "⋯" menu (or a right
 * click). antd's Tree gives the tree ARIA roles and arrow-key navigation.
 */
import {
  DeleteOutlined, EditOutlined, FolderOutlined, InboxOutlined, InboxOutlined as ArchiveIcon, SendOutlined, StopOutlined,
} from '@ant-design/icons';
import { MoreOutlined, PlusOutlined } from '@ant-design/icons';
import { App, Badge, Button, Dropdown, Input, Modal, Tree } from 'antd';
import { useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import type { DataNode } from 'antd/es/tree';
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { api, keys, type Folder } from './api.ts';
import { errorText } from './errors.ts';
import { DRAG_TYPE, draggedMail, type DraggedMail } from './drag.ts';
import { folderLabel } from './format.ts';

const ICONS: Record<string, ReactNode> = {
  '\\Inbox': <InboxOutlined />, '\\Drafts': <EditOutlined />, '\\Sent': <SendOutlined />,
  '\\Trash': <DeleteOutlined />, '\\Junk': <StopOutlined />, '\\Archive': <ArchiveIcon />,
};

type NameDialog = { kind: 'create'; parent?: Folder } | { kind: 'rename'; folder: Folder };

export function FolderTree(props: { folders: Folder[]; selected: number | undefined; onSelect: (id: number) => void }) {
  const { t } = useTranslation();
  const { modal, message } = App.useApp();
  const queryClient = useQueryClient();
  const [dialog, setDialog] = useState<NameDialog>();
  // Every folder open unless the user closed it, new ones included (defaultExpandAll only knows the first list).
  const [collapsed, setCollapsed] = useState<ReadonlySet<number>>(new Set());
  const [name, setName] = useState('');
  const [error, setError] = useState<string>();
  const refresh = () => queryClient.invalidateQueries({ queryKey: keys.folders });
  const open = (d: NameDialog) => { setDialog(d); setName(d.kind === 'rename' ? d.folder.name.slice(d.folder.name.lastIndexOf('/') + 1) : ''); setError(undefined); };
  const save = async () => {
    try {
      if (dialog?.kind === 'rename') await api.renameFolder(dialog.folder.id, name);
      else await api.createFolder(name, dialog?.parent?.id);
      setDialog(undefined);
      await refresh();
    } catch (err) {
      setError(errorText(t, err));
    }
  };
  const confirm = (f: Folder, kind: 'delete' | 'empty') => modal.confirm({
    title: t(`folders.${kind}Confirm`, { folder: folderLabel(t, f) }), okButtonProps: { danger: true }, okText: t(`folders.${kind}`),
    onOk: async () => {
      try {
        if (kind === 'delete') await api.deleteFolder(f.id); else await api.emptyFolder(f.id);
        await Promise.all([refresh(), queryClient.invalidateQueries({ queryKey: keys.messages(f.id) })]);
      } catch (err) {
        void message.error(errorText(t, err));
      }
    },
  });
  /** Messages dropped from the list move here (dropping on their own folder does nothing). */
  const drop = async (d: DraggedMail, to: Folder) => {
    if (d.folderId === to.id || d.uids.length === 0) return;
    try {
      await api.move(d.folderId, d.uids, to.id);
      void message.success(t('list.movedTo', { count: d.uids.length, folder: folderLabel(t, to) }));
    } catch (err) {
      void message.error(errorText(t, err));
    }
    await Promise.all([refresh(), queryClient.invalidateQueries({ queryKey: keys.messages(d.folderId) }), queryClient.invalidateQueries({ queryKey: keys.messages(to.id) })]);
  };

  const menu = (f: Folder) => {
    const custom = f.specialUse === null;
    const items = [
      ...(custom || f.specialUse === '\\Inbox' ? [{ key: 'sub', label: t('folders.createInside') }] : []),
      ...(custom ? [{ key: 'rename', label: t('folders.rename') }, { key: 'delete', label: t('folders.delete'), danger: true }] : []),
      ...(f.specialUse === '\\Trash' || f.specialUse === '\\Junk' ? [{ key: 'empty', label: t('folders.empty'), danger: true }] : []),
    ];
    const onClick = ({ key }: { key: string }) => {
      if (key === 'sub') open({ kind: 'create', parent: f });
      else if (key === 'rename') open({ kind: 'rename', folder: f });
      else confirm(f, key as 'delete' | 'empty');
    };
    return { items, onClick };
  };
  const byPath = new Map(props.folders.map((f) => [f.name, f]));
  const nodes = new Map<number, DataNode & { children: DataNode[] }>();
  const roots: DataNode[] = [];
  for (const f of props.folders) {
    const label = folderLabel(t, f);
    nodes.set(f.id, {
      key: f.id,
      icon: f.specialUse ? ICONS[f.specialUse] : <FolderOutlined />,
      title: (
        <Dropdown menu={menu(f)} trigger={['contextMenu']}>
          <span className="yj-folder"
            onDragOver={(e) => { if (e.dataTransfer.types.includes(DRAG_TYPE)) { e.preventDefault(); e.dataTransfer.dropEffect = 'move'; } }}
            onDrop={(e) => { const d = draggedMail(e.dataTransfer); if (d) { e.preventDefault(); void drop(d, f); } }}
            aria-label={f.unseen > 0 ? `${label}, ${t('folders.unread', { count: f.unseen })}` : label}>
            <span>{label}</span>
            {f.unseen > 0 && <Badge count={f.unseen} overflowCount={9999} size="small" color="#1f6feb" />}
            {menu(f).items.length > 0 && (
              <Dropdown menu={menu(f)} trigger={['click']}>
                <Button type="text" size="small" className="yj-folder-more" icon={<MoreOutlined />} aria-label={t('folders.actions', { folder: label })}
                  onClick={(e) => e.stopPropagation()} />
              </Dropdown>
            )}
          </span>
        </Dropdown>
      ),
      children: [],
    });
  }
  for (const f of props.folders) {
    const i = f.name.lastIndexOf('/');
    const parent = i > 0 ? byPath.get(f.name.slice(0, i)) : undefined;
    (parent ? nodes.get(parent.id)!.children : roots).push(nodes.get(f.id)!);
  }
  for (const n of nodes.values()) if (n.children.length === 0) (n as DataNode).children = undefined;
  return (
    <nav aria-label={t('shell.folders')}>
      <Modal open={dialog !== undefined} onCancel={() => setDialog(undefined)} onOk={() => void save()} okText={t('folders.save')} destroyOnHidden
        title={dialog?.kind === 'rename' ? t('folders.rename') : dialog?.parent ? t('folders.createIn', { folder: folderLabel(t, dialog.parent) }) : t('folders.create')}>
        <Input autoFocus value={name} maxLength={100} aria-label={t('folders.name')} placeholder={t('folders.name')} status={error ? 'error' : undefined}
          onChange={(e) => setName(e.target.value)} onPressEnter={() => void save()} />
        {error && <div role="alert" className="yj-field-error">{error}</div>}
      </Modal>
      <Tree
        showIcon
        blockNode
        expandedKeys={props.folders.map((f) => f.id).filter((id) => !collapsed.has(id))}
        onExpand={(open) => setCollapsed(new Set(props.folders.map((f) => f.id).filter((id) => !open.includes(id))))}
        treeData={roots}
        selectedKeys={props.selected === undefined ? [] : [props.selected]}
        onSelect={(k) => { if (k[0] !== undefined) props.onSelect(Number(k[0])); }}
      />
      <Button type="link" size="small" icon={<PlusOutlined />} onClick={() => open({ kind: 'create' })}>{t('folders.create')}</Button>
    </nav>
  );
}
