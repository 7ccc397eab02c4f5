/** The list toolbar's switch between the message list and the conversation view (the conversationView preference). */
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { App, Switch } from 'antd';
import { useTranslation } from 'react-i18next';
import { errorText } from './errors.ts';
import { optionKeys, optionsApi } from './options/options-api.ts';

export function ConversationToggle() {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const queryClient = useQueryClient();
  const prefs = useQuery({ queryKey: optionKeys.preferences, queryFn: optionsApi.preferences, staleTime: 5 * 60_000 });
  const on = prefs.data?.conversationView ?? false;
  return (
    <label className="yj-conv-toggle">
      <Switch size="small" checked={on} disabled={!prefs.data} aria-label={t('list.conversationView')}
        onChange={(v) => void optionsApi.setPreferences({ conversationView: v })
          .then((p) => queryClient.setQueryData(optionKeys.preferences, p), (err) => message.error(errorText(t, err)))} />
      <span aria-hidden="true">{t('list.conversationView')}</span>
    </label>
  );
}
