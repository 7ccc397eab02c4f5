/**
 * 语言文字模块 (manual part 3 §2.8.1; FEATURES A10): the super admin renames any text of the webmail
 * and the consoles per language — the product name, "企业通讯录" to "政府通讯录", a menu item — and
 * resets one or all to the default. Every text is listed with its default, searchable by key or
 * text; a saved change applies here at once and everywhere at the next page load.
 */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Alert, Button, Input, Popconfirm, Select, Space, Table, Typography, message } from 'antd';
import i18next from 'i18next';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { LANGUAGES, mergeLabels } from '../i18n.ts';
import { en } from '../locales/en.ts';
import { zhCN } from '../locales/zh-CN.ts';
import { zhTW } from '../locales/zh-TW.ts';
import { adminErrorText } from './errors.ts';
import { opsApi, opsKeys, type Labels } from './ops-api.ts';

interface Row { key: string; text: string; override?: string }

export function LabelsPage() {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const labels = useQuery({ queryKey: opsKeys.labels, queryFn: opsApi.labels });
  const [language, setLanguage] = useState<string>(i18next.language);
  const [search, setSearch] = useState('');
  const [drafts, setDrafts] = useState<Record<string, string>>({});
  const applied = (overrides: Labels) => {
    mergeLabels(overrides);
    // A reset text goes back to the built-in one on the next load; show it now too.
    void queryClient.invalidateQueries({ queryKey: opsKeys.labels });
    void i18next.changeLanguage(i18next.language);
  };
  const save = useMutation({
    mutationFn: ({ key, value }: { key: string; value: string }) => opsApi.setLabel(language, key, value),
    onSuccess: (o, v) => { setDrafts((d) => { const { [v.key]: _x, ...rest } = d; return rest; }); applied(o); void message.success(t('ops.labels.saved')); },
    onError: (err) => { void message.error(adminErrorText(t, err)); },
  });
  const reset = useMutation({
    mutationFn: (key?: string) => opsApi.resetLabel(language, key),
    onSuccess: () => { void message.success(t('ops.labels.resetDone')); void queryClient.invalidateQueries({ queryKey: opsKeys.labels }); },
    onError: (err) => { void message.error(adminErrorText(t, err)); },
  });
  const rows = useMemo<Row[]>(() => {
    const o = labels.data?.overrides[language] ?? {};
    const needle = search.trim().toLowerCase();
    return (labels.data?.keys ?? []).map((k) => ({ ...k, text: defaultText(language, k.key, k.text), override: o[k.key] }))
      .filter((r) => !needle || r.key.toLowerCase().includes(needle) || r.text.toLowerCase().includes(needle) || (r.override ?? '').toLowerCase().includes(needle));
  }, [labels.data, language, search]);
  return (
    <section aria-label={t('ops.menu.labels')}>
      <Space style={{ marginBottom: 16 }} wrap>
        <Select value={language} onChange={setLanguage} aria-label={t('language.label')} style={{ width: 140 }} options={LANGUAGES.map((l) => ({ value: l, label: t(`language.${l}`) }))} />
        <Input.Search allowClear placeholder={t('ops.labels.search')} aria-label={t('ops.labels.search')} onSearch={setSearch} onChange={(e) => { if (!e.target.value) setSearch(''); }} style={{ width: 280 }} />
        <Popconfirm title={t('ops.labels.confirmResetAll', { language: t(`language.${language}`) })} onConfirm={() => reset.mutate(undefined)}>
          <Button danger>{t('ops.labels.resetAll')}</Button>
        </Popconfirm>
        <Typography.Text type="secondary">{t('ops.labels.hint')}</Typography.Text>
      </Space>
      {labels.error && <Alert type="error" showIcon message={adminErrorText(t, labels.error)} />}
      <Table<Row> rowKey="key" size="small" loading={labels.isFetching} dataSource={rows} pagination={{ pageSize: 20, showSizeChanger: false }}
        columns={[
          { key: 'key', title: t('ops.labels.key'), dataIndex: 'key', width: 240, render: (k: string) => <Typography.Text code>{k}</Typography.Text> },
          { key: 'text', title: t('ops.labels.default'), dataIndex: 'text' },
          { key: 'override', title: t('ops.labels.override'), render: (_v, r) => (
            <Space.Compact style={{ width: '100%' }}>
              <Input maxLength={200} aria-label={t('ops.labels.overrideOf', { key: r.key })} value={drafts[r.key] ?? r.override ?? ''} placeholder={r.text}
                onChange={(e) => setDrafts((d) => ({ ...d, [r.key]: e.target.value }))} onPressEnter={() => save.mutate({ key: r.key, value: drafts[r.key] ?? '' })} />
              <Button type="primary" disabled={drafts[r.key] === undefined || drafts[r.key]!.trim() === ''} onClick={() => save.mutate({ key: r.key, value: drafts[r.key] ?? '' })}>{t('ops.labels.save')}</Button>
              <Button disabled={r.override === undefined} onClick={() => reset.mutate(r.key)}>{t('ops.labels.reset')}</Button>
            </Space.Compact>
          ) },
        ]} />
    </section>
  );
}

/** The built-in text of a key in a language (the zh-CN default when the language has none). */
function defaultText(language: string, key: string, fallback: string): string {
  const builtIn = BUILT_IN[language];
  const v = key.split('.').reduce<unknown>((o, k) => (o && typeof o === 'object' ? (o as Record<string, unknown>)[k] : undefined), builtIn);
  return typeof v === 'string' ? v : fallback;
}
const BUILT_IN: Record<string, unknown> = { 'zh-CN': zhCN, 'zh-TW': zhTW, en };
