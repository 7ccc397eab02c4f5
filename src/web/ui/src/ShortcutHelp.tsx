/**
 * The keyboard shortcut list the message list and the conversation list show on `?` (issue #12:
 * "a shortcut list on ?"). In the conversation view the same keys act on a whole conversation.
 */
import { Modal } from 'antd';
import { Fragment } from 'react';
import { useTranslation } from 'react-i18next';

const KEYS = ['move', 'open', 'tick', 'star', 'read', 'delete', 'help'] as const;

export function ShortcutHelp({ open, onClose, conversations = false }: { open: boolean; onClose(): void; conversations?: boolean }) {
  const { t } = useTranslation();
  return (
    <Modal open={open} onCancel={onClose} footer={null} title={t('list.shortcuts')}>
      <dl className="yj-shortcuts">
        {KEYS.map((k) => (
          <Fragment key={k}><dt><kbd>{t(`list.keys.${k}.key`)}</kbd></dt><dd>{t(`list.keys.${k}.what`)}</dd></Fragment>
        ))}
        <dt><kbd>{t('list.keys.conversation.key')}</kbd></dt><dd>{t('list.keys.conversation.what')}</dd>
        <dt><kbd>{t('list.keys.expand.key')}</kbd></dt><dd>{t('list.keys.expand.what')}</dd>
        <dt><kbd>{t('list.keys.template.key')}</kbd></dt><dd>{t('list.keys.template.what')}</dd>
      </dl>
      {conversations && <p className="yj-shortcuts-note">{t('list.keys.inConversations')}</p>}
    </Modal>
  );
}
