/**
 * The folder tree (FEATURES W3, W7 read side): folders nested by their '/'-separated paths, system
 * folders first and translated, each with its unread count. antd's Tree gives the tree ARIA roles
 * and arrow-key navigation.
 */
import {
  DeleteOutlined, EditOutlined, FolderOutlined, InboxOutlined, InboxOutlined as ArchiveIcon, SendOutlined, StopOutlined,
} from '@ant-design/icons';
import { Badge, Tree } from 'antd';
import type { DataNode } from 'antd/es/tree';
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import type { Folder } from './api.ts';
import { folderLabel } from './format.ts';

const ICONS: Record<string, ReactNode> = {
  '\\Inbox': <InboxOutlined />, '\\Drafts': <EditOutlined />, '\\Sent': <SendOutlined />,
  '\\Trash': <DeleteOutlined />, '\\Junk': <StopOutlined />, '\\Archive': <ArchiveIcon />,
};

export function FolderTree(props: { folders: Folder[]; selected: number | undefined; onSelect: (id: number) => void }) {
  const { t } = useTranslation();
  const byPath = new Map(props.folders.map((f) => [f.name, f]));
  const nodes = new Map<number, DataNode & { children: DataNode[] }>();
  const roots: DataNode[] = [];
  for (const f of props.folders) {
    const label = folderLabel(t, f);
    nodes.set(f.id, {
      key: f.id,
      icon: f.specialUse ? ICONS[f.specialUse] : <FolderOutlined />,
      title: (
        <span className="yj-folder" aria-label={f.unseen > 0 ? `${label}, ${t('folders.unread', { count: f.unseen })}` : label}>
          <span>{label}</span>
          {f.unseen > 0 && <Badge count={f.unseen} overflowCount={9999} size="small" color="#1f6feb" />}
        </span>
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
      <Tree
        showIcon
        blockNode
        defaultExpandAll
        treeData={roots}
        selectedKeys={props.selected === undefined ? [] : [props.selected]}
        onSelect={(k) => { if (k[0] !== undefined) props.onSelect(Number(k[0])); }}
      />
    </nav>
  );
}
