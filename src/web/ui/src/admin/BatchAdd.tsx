/**
 * 批量添加用户 (manual part 3 §1.4.4): download the sample, fill it in (Excel), paste it or pick
 * the file, add. Good lines are added; the report lists each bad line with its line number, the
 * column and why. The dialog shows how many are done as the server reports it (passwords are
 * sealed at once and hashed by the server in the background, so 10,000 users take seconds).
 */
import { useMutation } from '@tanstack/react-query';
import { Alert, Button, Input, Modal, Progress, Space, Table, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { adminApi, type BatchResult } from './api.ts';
import { adminErrorText } from './errors.ts';

export function BatchAdd({ domain, onClose }: { domain: string; onClose: (changed: boolean) => void }) {
  const { t } = useTranslation();
  const [csv, setCsv] = useState('');
  const [progress, setProgress] = useState<{ done: number; total: number }>();
  /** The text of the last batch sent: sending the same text again would only report its lines as existing. */
  const [sent, setSent] = useState<string>();
  const add = useMutation({
    mutationFn: (text: string) => {
      setProgress(undefined);
      setSent(text);
      return adminApi.batchAddWithProgress(domain, text, (done, total) => setProgress({ done, total }));
    },
  });
  const result: BatchResult | undefined = add.data;
  const unchanged = result !== undefined && csv === sent;

  return (
    <Modal open title={t('admin.batch.title')} width={720} onCancel={() => onClose(result !== undefined && result.added.length > 0)}
      footer={<Space>
        <Button onClick={() => onClose(result !== undefined && result.added.length > 0)}>{t('admin.batch.close')}</Button>
        <Button type="primary" disabled={csv.trim() === '' || unchanged} loading={add.isPending} onClick={() => add.mutate(csv)}>{t('admin.batch.submit')}</Button>
      </Space>}>
      <Typography.Paragraph>
        {t('admin.batch.help')} <a href={adminApi.sampleUrl} download>{t('admin.batch.sample')}</a>
      </Typography.Paragraph>
      <Space direction="vertical" style={{ width: '100%' }}>
        <input type="file" accept=".csv,text/csv,text/plain" aria-label={t('admin.batch.file')}
          onChange={(e) => { const f = e.target.files?.[0]; if (f) void f.text().then(setCsv); }} />
        <Input.TextArea rows={8} value={csv} onChange={(e) => setCsv(e.target.value)} aria-label={t('admin.batch.text')}
          placeholder={'name,password,realName,quotaMb,department\nzhangsan,Zs2026!mail,张三,1024,销售部'} style={{ fontFamily: 'monospace' }} />
        {add.isPending && <Alert type="info" showIcon message={t('admin.batch.working')} />}
        {progress && progress.total > 0 && (add.isPending || result) && (
          <div role="group" aria-label={t('admin.batch.progressLabel')}>
            <Progress percent={Math.floor((progress.done / progress.total) * 100)} status={add.isPending ? 'active' : 'normal'}
              aria-valuenow={progress.done} aria-valuemax={progress.total} />
            <Typography.Text type="secondary">{t('admin.batch.progress', { done: progress.done, total: progress.total })}</Typography.Text>
          </div>
        )}
        {add.error && <Alert type="error" showIcon role="alert" message={adminErrorText(t, add.error)} />}
        {result && (
          <Alert type={result.errors.length ? 'warning' : 'success'} showIcon role="status"
            message={t('admin.batch.result', { added: result.added.length, failed: result.errors.length })} />
        )}
        {result && result.errors.length > 0 && (
          <Table size="small" rowKey={(e) => `${e.line}-${e.field}`} pagination={false} aria-label={t('admin.batch.errors')}
            dataSource={result.errors} columns={[
              { title: t('admin.batch.line'), dataIndex: 'line', width: 80 },
              { title: t('admin.batch.field'), dataIndex: 'field', width: 140, render: (f: string) => t(`admin.user.${f}`, { defaultValue: f }) },
              { title: t('admin.batch.reason'), render: (_v, e) => t(`admin.batch.reasons.${e.reason}`, { defaultValue: e.message }) },
            ]} />
        )}
      </Space>
    </Modal>
  );
}
