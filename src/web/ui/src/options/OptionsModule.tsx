/**
 * The options module of the webmail (FEATURES W14, manual part 2 §1.17 选项), opened from the
 * shell's nav at #options (#options/filters opens that tab): profile, password and security
 * question, signatures, reply templates, preferences, POP accounts, filters (来信分类), auto-reply and auto-forward,
 * one tab each. Its own chunk, loaded when first opened.
 */
import { Tabs } from 'antd';
import type { Modules } from '../api.ts';
import { useEffect } from 'react';
import { useTranslation } from 'react-i18next';
import { preloadRichEditor } from '../compose/lazy-rich-editor.ts';
import { AutoreplyTab, ForwardTab } from './RulesTabs.tsx';
import { FiltersTab } from './FiltersTab.tsx';
import { PasswordTab } from './PasswordTab.tsx';
import { PopTab } from './PopTab.tsx';
import { PreferencesTab } from './PreferencesTab.tsx';
import { ProfileTab } from './ProfileTab.tsx';
import { SignaturesTab } from './SignaturesTab.tsx';
import { TemplatesTab } from './TemplatesTab.tsx';
import './options.css';

const TABS = {
  profile: ProfileTab, password: PasswordTab, signatures: SignaturesTab, templates: TemplatesTab, preferences: PreferencesTab,
  pop: PopTab, filters: FiltersTab, autoreply: AutoreplyTab, forward: ForwardTab,
} as const;
type TabKey = keyof typeof TABS;

/** The tabs a domain can switch off (前台模块设置), by the module that carries them. */
const MODULE_OF: Partial<Record<TabKey, keyof Modules>> = { password: 'password', pop: 'pop' };

export default function OptionsModule({ modules = {} }: { modules?: Modules }) {
  const { t } = useTranslation();
  const shown = (Object.keys(TABS) as TabKey[]).filter((key) => modules[MODULE_OF[key]!] !== false);
  const asked = location.hash.replace(/^#options\/?/, '');
  const active: TabKey = shown.includes(asked as TabKey) ? (asked as TabKey) : 'profile';
  // Signatures and reply templates edit in compose's editor: fetched now, ready when their dialog opens.
  useEffect(preloadRichEditor, []);
  return (
    <section className="yj-options" aria-label={t('options.label')}>
      <Tabs tabPosition="left" activeKey={active} destroyOnHidden
        onChange={(key) => { location.hash = `#options/${key}`; }}
        items={shown.map((key) => {
          const Tab = TABS[key];
          return { key, label: t(`options.tabs.${key}`), children: <div className="yj-options-pane"><Tab /></div> };
        })} />
    </section>
  );
}
