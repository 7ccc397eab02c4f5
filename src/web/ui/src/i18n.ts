/**
 * i18next for the webmail: zh-CN (default), zh-TW and en, every string from locales/. The language
 * is chosen on the login page and remembered in localStorage (youju.lang); antd's own locale
 * (dates, pagination) is loaded on demand per language so it stays out of the first chunk.
 */
import i18next from 'i18next';
import { initReactI18next } from 'react-i18next';
import type { Locale } from 'antd/es/locale';
import { en } from './locales/en.ts';
import { zhCN } from './locales/zh-CN.ts';
import { zhTW } from './locales/zh-TW.ts';

export const LANGUAGES = ['zh-CN', 'zh-TW', 'en'] as const;
export type Language = (typeof LANGUAGES)[number];
const STORAGE_KEY = 'youju.lang';

const isLanguage = (s: unknown): s is Language => LANGUAGES.includes(s as Language);

export function storedLanguage(): Language {
  try {
    const s = localStorage.getItem(STORAGE_KEY);
    if (isLanguage(s)) return s;
  } catch { /* storage disabled: the default */ }
  return 'zh-CN';
}

export function initI18n(): typeof i18next {
  void i18next.use(initReactI18next).init({
    lng: storedLanguage(),
    fallbackLng: 'zh-CN',
    resources: { 'zh-CN': { translation: zhCN }, 'zh-TW': { translation: zhTW }, en: { translation: en } },
    interpolation: { escapeValue: false }, // React escapes
  });
  document.documentElement.lang = i18next.language;
  i18next.on('languageChanged', (lng) => {
    document.documentElement.lang = lng;
    document.title = i18next.t('app.title');
  });
  document.title = i18next.t('app.title');
  return i18next;
}

export async function chooseLanguage(lng: Language): Promise<void> {
  try { localStorage.setItem(STORAGE_KEY, lng); } catch { /* not remembered, still applied */ }
  await i18next.changeLanguage(lng);
}

/** antd's locale for a language, as its own chunk. */
export async function loadAntdLocale(lng: string): Promise<Locale> {
  switch (lng) {
    case 'zh-TW': return (await import('antd/es/locale/zh_TW')).default;
    case 'en': return (await import('antd/es/locale/en_US')).default;
    default: return (await import('antd/es/locale/zh_CN')).default;
  }
}

/** Merges overrides (language → key → text) over the built-in texts; the UI re-renders with them. */
export function mergeLabels(overrides: Record<string, Record<string, string>>): void {
  for (const lng of LANGUAGES) {
    for (const [key, text] of Object.entries(overrides[lng] ?? {})) {
      if (typeof text === 'string') i18next.addResource(lng, 'translation', key, text);
    }
  }
  document.title = i18next.t('app.title');
}

/** Loads the super admin's label overrides (a second at most: the built-in texts otherwise). */
export async function applyLabelOverrides(): Promise<void> {
  try {
    const ctl = new AbortController();
    const timer = setTimeout(() => ctl.abort(), 1500);
    const r = await fetch('/api/ui/labels', { signal: ctl.signal, credentials: 'same-origin' });
    clearTimeout(timer);
    if (r.ok) mergeLabels(await r.json() as Record<string, Record<string, string>>);
  } catch { /* built-in texts */ }
}
