/**
 * The address books module of the webmail (FEATURES W8, W9), opened from the shell's nav at
 * #contacts: the personal book and the enterprise directory as two tabs. Its own chunk, loaded
 * when first opened.
 */
import { Tabs } from 'antd';
import { useTranslation } from 'react-i18next';
import { DirectoryBook } from './DirectoryBook.tsx';
import { PersonalBook } from './PersonalBook.tsx';
import './contacts.css';

export default function ContactsModule() {
  const { t } = useTranslation();
  return (
    <Tabs className="yj-contacts" defaultActiveKey="personal" destroyOnHidden
      items={[
        { key: 'personal', label: t('contacts.personal'), children: <PersonalBook /> },
        { key: 'enterprise', label: t('contacts.enterprise'), children: <DirectoryBook /> },
      ]} />
  );
}
