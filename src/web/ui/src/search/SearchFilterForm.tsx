/**
 * The advanced search filters: where the words are looked for, one folder or all (Trash and Junk
 * only when chosen), an arrival date range (whole local days), with attachments, unread only.
 * Search applies them with the box's words (none needed when a filter is set); Reset clears them.
 */
import { Button, Checkbox, DatePicker, Form, Select, Space } from 'antd';
import type { Dayjs } from 'dayjs';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { Folder } from '../api.ts';
import { folderLabel } from '../format.ts';
import { NO_FILTERS, SEARCH_FIELDS, type SearchFilters } from './search-api.ts';

type Range = [Dayjs | null, Dayjs | null] | null;

interface Props {
  folders: Folder[];
  value: SearchFilters;
  onSubmit(f: SearchFilters): void;
  onReset(): void;
}

export default function SearchFilterForm({ folders, value, onSubmit, onReset }: Props) {
  const { t } = useTranslation();
  const [f, setF] = useState<SearchFilters>(value);
  // The picker's own values, so a range survives closing and reopening the popover.
  const [range, setRange] = useState<Range>(null);
  const set = (patch: Partial<SearchFilters>) => setF((old) => ({ ...old, ...patch }));
  return (
    <Form layout="vertical" size="small" className="yj-search-filters" onFinish={() => onSubmit(f)}>
      <Form.Item label={t('search.field')}>
        <Select value={f.field} onChange={(field) => set({ field })} aria-label={t('search.field')}
          options={SEARCH_FIELDS.map((v) => ({ value: v, label: t(`search.fields.${v}`) }))} />
      </Form.Item>
      <Form.Item label={t('search.folder')}>
        <Select value={f.folderId ?? 0} onChange={(id) => set({ folderId: id === 0 ? undefined : id })} aria-label={t('search.folder')}
          options={[{ value: 0, label: t('search.allFolders') }, ...folders.map((x) => ({ value: x.id, label: folderLabel(t, x) }))]} />
      </Form.Item>
      <Form.Item label={t('search.dates')}>
        <DatePicker.RangePicker value={range} allowEmpty={[true, true]}
          placeholder={[t('search.since'), t('search.until')]}
          onChange={(r) => {
            setRange(r as Range);
            set({ since: r?.[0]?.startOf('day').valueOf(), before: r?.[1]?.add(1, 'day').startOf('day').valueOf() });
          }} />
      </Form.Item>
      <Form.Item>
        <Space direction="vertical" size={4}>
          <Checkbox checked={f.attachment} onChange={(e) => set({ attachment: e.target.checked })}>{t('search.attachment')}</Checkbox>
          <Checkbox checked={f.unread} onChange={(e) => set({ unread: e.target.checked })}>{t('search.unread')}</Checkbox>
        </Space>
      </Form.Item>
      <Space>
        <Button type="primary" htmlType="submit">{t('search.submit')}</Button>
        <Button onClick={() => { setF(NO_FILTERS); setRange(null); onReset(); }}>{t('search.reset')}</Button>
      </Space>
    </Form>
  );
}
