/**
 * 来信分类 (manual part 2 §1.17.6): the filters in the order delivery runs them, each switched on
 * or off, moved up or down, edited (FilterForm.tsx) or deleted. Every change sends the whole list.
 */
import { ArrowDownOutlined, ArrowUpOutlined } from '@ant-design/icons';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { App as AntApp, Button, List, Popconfirm, Space, Switch, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { FilterForm } from './FilterForm.tsx';
import { optionError } from './option-error.ts';
import { optionKeys, optionsApi, type Filter } from './options-api.ts';

export function FiltersTab() {
  const { t } = useTranslation();
  const { message } = AntApp.useApp();
  const queryClient = useQueryClient();
  const filters = useQuery({ queryKey: optionKeys.filters, queryFn: optionsApi.filters });
  const [editing, setEditing] = useState<number | 'new'>();
  const list = filters.data ?? [];

  /** Saves the whole list; throws for the form to show (it marks the field named). */
  const store = async (next: Filter[]) => {
    queryClient.setQueryData(optionKeys.filters, await optionsApi.setFilters(next));
    void message.success(t('options.saved'));
  };
  const change = async (next: Filter[]) => {
    try { await store(next); } catch (err) { void message.error(optionError(t, err)); }
  };
  const swap = (i: number, j: number) => {
    const next = [...list];
    [next[i], next[j]] = [next[j]!, next[i]!];
    void change(next);
  };

  return (
    <>
      <Space style={{ marginBottom: 12 }}>
        <Button type="primary" onClick={() => setEditing('new')}>{t('options.filters.add')}</Button>
        <Typography.Text type="secondary">{t('options.filters.order')}</Typography.Text>
      </Space>
      <List bordered loading={filters.isLoading} dataSource={list} locale={{ emptyText: t('options.filters.empty') }}
        renderItem={(f, i) => (
          <List.Item actions={[
            <Button key="u" type="text" icon={<ArrowUpOutlined />} disabled={i === 0} aria-label={t('options.filters.moveUp')} onClick={() => swap(i, i - 1)} />,
            <Button key="d" type="text" icon={<ArrowDownOutlined />} disabled={i === list.length - 1} aria-label={t('options.filters.moveDown')} onClick={() => swap(i, i + 1)} />,
            <Button key="e" type="link" onClick={() => setEditing(i)}>{t('options.edit')}</Button>,
            <Popconfirm key="r" title={t('options.confirmRemove', { name: f.name })} onConfirm={() => void change(list.filter((_x, j) => j !== i))}>
              <Button type="link" danger>{t('options.remove')}</Button>
            </Popconfirm>,
          ]}>
            <List.Item.Meta
              avatar={<Switch size="small" checked={f.enabled} aria-label={`${t('options.filters.enabled')}: ${f.name}`}
                onChange={(on) => void change(list.map((x, j) => (j === i ? { ...x, enabled: on } : x)))} />}
              title={f.name}
              description={t('options.filters.summary', { conditions: f.conditions.length, actions: f.actions.length })} />
          </List.Item>
        )} />
      {editing !== undefined && (
        <FilterForm filter={editing === 'new' ? undefined : list[editing]} onClose={() => setEditing(undefined)}
          save={async (f) => {
            await store(editing === 'new' ? [...list, f] : list.map((x, j) => (j === editing ? f : x)));
            setEditing(undefined);
          }} />
      )}
    </>
  );
}
