/**
 * The address books module of the webmail (FEATURES W8, W9), opened from the shell's nav at
 * #contacts: the personal book, the enterprise directory (with other domains' when shared) and the
 * customer book (W10, read-only) as tabs. Its own chunk, loaded
 * when first opened.
 */
import { Tabs } from 'antd';
import type { Modules } from '../api.ts';
import { useTranslation } from 'react-i18next';
import { DirectoryBook } from './DirectoryBook.tsx';
import { CustomerBook } from './CustomerBook.tsx';
import { PersonalBook } from './PersonalBook.tsx';
import './contacts.css';

export default function ContactsModule({ modules = {} }: { modules?: Modules }) {
  const { t } = useTranslation();
  // 前台模块设置: a domain may switch either book off.
  const items = [
    ...(modules.personalContacts !== false ? [{ key: 'personal', label: t('contacts.personal'), children: <PersonalBook /> }] : []),
    ...(modules.enterpriseDirectory !== false ? [{ key: 'enterprise', label: t('contacts.enterprise'), children: <DirectoryBook /> }] : []),
    ...(modules.customerContacts !== false ? [{ key: 'customers', label: t('customers.title'), children: <CustomerBook /> }] : []),
  ];
  return (
    <Tabs className="yj-contacts" defaultActiveKey={items[0]?.key} destroyOnHidden items={items} />
  );
}
