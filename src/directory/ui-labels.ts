/**
 * 语言文字模块 of the super-domain console (manual part 3 §2.8.1; FEATURES A10): the super admin
 * renames any text of the webmail and the admin consoles per language (zh-CN, zh-TW, en) — "企业
 * 通讯录" to "政府通讯录", the product name, a menu label — and resets one or all of them to the
 * default. Overrides live in the settings store (scope 'ui', key 'labels') and the browser app
 * loads them at start-up (GET /api/ui/labels) and merges them over its built-in texts, so a change
 * needs no rebuild. Keys must be texts the app has (the key list comes from the app's own zh-CN
 * texts, given by main.ts); values are plain text: one line, at most MAX_LABEL_CHARS, no markup
 * characters. Super admin only; every change is audited.
 */
import { MailError } from '../core/errors.ts';
import type { Store, StoreTx } from '../store/store.ts';
import { recordAudit, type Actor } from './actor.ts';
import { requireSuper } from './super-admin.ts';

export const LABEL_LANGUAGES = ['zh-CN', 'zh-TW', 'en'] as const;
export type LabelLanguage = (typeof LABEL_LANGUAGES)[number];
export type LabelOverrides = Record<LabelLanguage, Record<string, string>>;
/** A label is a short text: a product name, a menu item, a heading. */
export const MAX_LABEL_CHARS = 200;
const SCOPE = 'ui';
const KEY = 'labels';

/** The dotted keys of a nested texts object ('app.name', 'nav.contacts'), with their default text. */
export function flattenTexts(texts: object, prefix = ''): Map<string, string> {
  const out = new Map<string, string>();
  for (const [k, v] of Object.entries(texts)) {
    const key = prefix ? `${prefix}.${k}` : k;
    if (typeof v === 'string') out.set(key, v);
    else if (v && typeof v === 'object') for (const [kk, vv] of flattenTexts(v as object, key)) out.set(kk, vv);
  }
  return out;
}

const empty = (): LabelOverrides => ({ 'zh-CN': {}, 'zh-TW': {}, en: {} });

async function readOverrides(tx: StoreTx): Promise<LabelOverrides> {
  const raw = (await tx.settings.get(SCOPE, KEY)) as Partial<LabelOverrides> | undefined;
  const out = empty();
  for (const lang of LABEL_LANGUAGES) {
    for (const [k, v] of Object.entries(raw?.[lang] ?? {})) if (typeof v === 'string') out[lang][k] = v;
  }
  return out;
}

export class UiLabelService {
  /** `defaults`: every key the app has, with its zh-CN text. */
  constructor(private readonly store: Store, private readonly defaults: ReadonlyMap<string, string>) {}

  /** What the browser app merges over its texts: no session needed, nothing secret. */
  publicLabels(): Promise<LabelOverrides> {
    return this.store.read(readOverrides);
  }

  /** The overrides and every key the app has with its default (zh-CN) text, for the editor. */
  async list(actor: Actor): Promise<{ overrides: LabelOverrides; keys: Array<{ key: string; text: string }> }> {
    requireSuper(actor);
    const overrides = await this.store.read(readOverrides);
    return { overrides, keys: [...this.defaults].map(([key, text]) => ({ key, text })) };
  }

  /** Overrides one text. Throws INVALID_INPUT naming 'language', 'key' or 'value'; FORBIDDEN for anyone but the super admin. */
  async set(actor: Actor, language: string, key: string, value: string): Promise<LabelOverrides> {
    requireSuper(actor);
    const lang = this.language(language);
    if (!this.defaults.has(key)) throw new MailError('INVALID_INPUT', `key: the app has no text "${key.slice(0, 100)}"`, { details: { field: 'key' } });
    const text = value.trim();
    const bad = (message: string) => new MailError('INVALID_INPUT', `value: ${message}`, { details: { field: 'value' } });
    if (text === '') throw bad('empty (reset the text to go back to the default)');
    if ([...text].length > MAX_LABEL_CHARS) throw bad(`at most ${MAX_LABEL_CHARS} characters`);
    if (/[\u0000-\u001f\u007f<>]/.test(text)) throw bad('plain text on one line, without < or >');
    return this.store.tx(async (tx) => {
      const all = await readOverrides(tx);
      all[lang][key] = text;
      await tx.settings.set(SCOPE, KEY, all);
      await recordAudit(tx, actor, 'ui.label', `label:${lang}:${key}`, { value: text });
      return all;
    });
  }

  /** Back to the default: one key, or (without a key) every override of the language. */
  async reset(actor: Actor, language: string, key?: string): Promise<LabelOverrides> {
    requireSuper(actor);
    const lang = this.language(language);
    return this.store.tx(async (tx) => {
      const all = await readOverrides(tx);
      if (key === undefined) all[lang] = {};
      else if (key in all[lang]) delete all[lang][key];
      else throw new MailError('NOT_FOUND', `key: "${key.slice(0, 100)}" has no ${lang} override`, { details: { field: 'key' } });
      await tx.settings.set(SCOPE, KEY, all);
      await recordAudit(tx, actor, 'ui.label-reset', `label:${lang}:${key ?? '*'}`);
      return all;
    });
  }

  private language(language: string): LabelLanguage {
    if (!LABEL_LANGUAGES.includes(language as LabelLanguage)) {
      throw new MailError('INVALID_INPUT', `language: one of ${LABEL_LANGUAGES.join(', ')}`, { details: { field: 'language' } });
    }
    return language as LabelLanguage;
  }
}
