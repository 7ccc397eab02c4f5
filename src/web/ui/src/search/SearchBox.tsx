/**
 * The shell's search box (FEATURES W3): Enter searches the user's mail; the filter button opens
 * the advanced filters (field, folder, date range, attachment, unread), loaded on first open so
 * the date picker does not weigh on the shell. The filters stay set for the next searches; the
 * button is highlighted while any is set.
 */
import { FilterFilled, FilterOutlined } from '@ant-design/icons';
import { Button, Input, Popover, Space, Spin } from 'antd';
import { lazy, Suspense, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { Folder } from '../api.ts';
import { hasFilter, NO_FILTERS, type SearchFilters, type SearchRequest } from './search-api.ts';

const SearchFilterForm = lazy(() => import('./SearchFilterForm.tsx'));

export function SearchBox({ folders, onSearch }: { folders: Folder[]; onSearch(r: SearchRequest): void }) {
  const { t } = useTranslation();
  const [text, setText] = useState('');
  const [filters, setFilters] = useState<SearchFilters>(NO_FILTERS);
  const [open, setOpen] = useState(false);
  const submit = (q: string, f: SearchFilters) => {
    if (q.trim() === '' && !hasFilter(f)) return;
    setOpen(false);
    onSearch({ ...f, q: q.trim() });
  };
  const filtered = hasFilter(filters);
  return (
    <Space.Compact className="yj-search">
      <Input.Search
        value={text}
        maxLength={200}
        onChange={(e) => setText(e.target.value)}
        onSearch={(v) => submit(v, filters)}
        placeholder={t('search.placeholder')}
        aria-label={t('search.placeholder')}
        allowClear
      />
      <Popover
        trigger="click"
        placement="bottomRight"
        open={open}
        onOpenChange={setOpen}
        title={t('search.advanced')}
        content={(
          <Suspense fallback={<Spin aria-label={t('shell.loading')} />}>
            <SearchFilterForm folders={folders} value={filters}
              onSubmit={(f) => { setFilters(f); submit(text, f); }}
              onReset={() => setFilters(NO_FILTERS)} />
          </Suspense>
        )}
      >
        <Button icon={filtered ? <FilterFilled /> : <FilterOutlined />} type={filtered ? 'primary' : 'default'}
          aria-label={filtered ? t('search.advancedActive') : t('search.advanced')} aria-expanded={open} />
      </Popover>
    </Space.Compact>
  );
}
