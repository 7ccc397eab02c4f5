/**
 * Import contacts (manual part 2 §1.10.5 "导入联系人到此组"): a CSV or vCard file (read here as
 * UTF-8, or GBK when it is not UTF-8), the group to import into, and what to do with an address
 * already in the book (ignore or overwrite). Afterwards the report: counts, and each line that was
 * not imported with the field at fault.
 */
import { Alert, Form, Modal, Radio, Select, Table, Typography, Upload } from 'antd';
import { InboxOutlined } from '@ant-design/icons';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { errorText } from '../errors.ts';
import { contactsApi, readFileText, type Group, type ImportReport } from './contacts-api.ts';

/** The field's label: 'emails.0' → 邮箱地址, 'phones.1.number' → 电话. */
export function fieldLabel(t: (k: string) => string, field: string): string {
  const head = field.split('.')[0]!;
  const known = ['name', 'emails', 'phones', 'company', 'department', 'title', 'address', 'birthday', 'notes', 'groups', 'line', 'csv', 'text'];
  return known.includes(head) ? t(`contacts.fields.${head}`) : field;
}

export function ImportDialog(props: { groups: Group[]; defaultGroupId?: number; onClose: (imported: boolean) => void }) {
  const { t } = useTranslation();
  const [file, setFile] = useState<File>();
  const [groupId, setGroupId] = useState<number | undefined>(props.defaultGroupId);
  const [duplicates, setDuplicates] = useState<'ignore' | 'overwrite'>('ignore');
  const [busy, setBusy] = useState(false);
  const [report, setReport] = useState<ImportReport>();
  const [failure, setFailure] = useState<string>();

  const submit = async () => {
    if (!file) { setFailure(t('contacts.chooseFile')); return; }
    setBusy(true);
    setFailure(undefined);
    try {
      const text = await readFileText(file);
      const format = /\.vcf$|\.vcard$/i.test(file.name) || /^\s*BEGIN:VCARD/i.test(text) ? 'vcard' : 'csv';
      setReport(await contactsApi.importText({ format, text, duplicates, ...(groupId ? { groupId } : {}) }));
    } catch (err) {
      setFailure(errorText(t, err));
    } finally {
      setBusy(false);
    }
  };

  if (report) {
    return (
      <Modal open title={t('contacts.importTitle')} okText={t('contacts.close')} onOk={() => props.onClose(true)} onCancel={() => props.onClose(true)}
        cancelButtonProps={{ style: { display: 'none' } }} width={640}>
        <div className="yj-import-report" role="status">
          <Alert type={report.errors.length ? 'warning' : 'success'} showIcon message={t('contacts.importDone', { created: report.created, updated: report.updated, skipped: report.skipped })} />
          {report.ignoredColumns.length > 0 && (
            <Typography.Paragraph type="secondary" style={{ marginTop: 8 }}>{t('contacts.ignoredColumns', { columns: report.ignoredColumns.join(', ') })}</Typography.Paragraph>
          )}
          {report.errors.length > 0 && (
            <>
              <Typography.Paragraph style={{ marginTop: 12 }}>{t('contacts.importErrors', { count: report.errors.length })}</Typography.Paragraph>
              <Table size="small" rowKey={(e) => `${e.line}:${e.field}`} pagination={report.errors.length > 10 ? { pageSize: 10 } : false}
                dataSource={report.errors} className="yj-import-errors"
                columns={[
                  { title: t('contacts.lineCol'), dataIndex: 'line', width: 64 },
                  { title: t('contacts.fieldCol'), dataIndex: 'field', width: 120, render: (f: string) => fieldLabel(t, f) },
                  { title: t('contacts.problemCol'), dataIndex: 'message' },
                ]} />
            </>
          )}
        </div>
      </Modal>
    );
  }

  return (
    <Modal open title={t('contacts.importTitle')} okText={t('contacts.submit')} cancelText={t('contacts.cancel')} confirmLoading={busy}
      onOk={() => void submit()} onCancel={() => props.onClose(false)} width={560}>
      <Form layout="vertical">
        <Form.Item label={t('contacts.importFile')} extra={t('contacts.importHelp')}>
          <Upload.Dragger accept=".csv,.vcf,.vcard,text/csv,text/vcard" maxCount={1} multiple={false}
            beforeUpload={(f) => { setFile(f); setFailure(undefined); return false; }} onRemove={() => setFile(undefined)}
            fileList={file ? [{ uid: '1', name: file.name, status: 'done' }] : []}>
            <p className="ant-upload-drag-icon"><InboxOutlined /></p>
            <p>{t('contacts.importFile')}</p>
          </Upload.Dragger>
        </Form.Item>
        <Form.Item label={t('contacts.importGroup')}>
          <Select value={groupId ?? 0} onChange={(v) => setGroupId(v || undefined)}
            options={[{ value: 0, label: t('contacts.noGroup') }, ...props.groups.map((g) => ({ value: g.id, label: g.name }))]} />
        </Form.Item>
        <Form.Item label={t('contacts.duplicates')}>
          <Radio.Group value={duplicates} onChange={(e) => setDuplicates(e.target.value)}>
            <Radio value="ignore">{t('contacts.ignore')}</Radio>
            <Radio value="overwrite">{t('contacts.overwrite')}</Radio>
          </Radio.Group>
        </Form.Item>
        {failure && <Alert type="error" showIcon message={failure} onClose={() => setFailure(undefined)} />}
      </Form>
      {busy && <span className="yj-sr-only">{t('shell.loading')}</span>}
    </Modal>
  );
}
