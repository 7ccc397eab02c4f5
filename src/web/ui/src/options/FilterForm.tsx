/**
 * One filter of 来信分类 (manual part 2 §1.17.6) as the delivery engine runs it
 * (src/delivery/local/filters.ts): a name, all/any of its conditions (from, to, cc, subject, size,
 * any header, the sub-address tag; text tests or size comparisons), and actions in order (move to a
 * folder, mark read, star, delete, forward, stop). A field the server refuses is marked on it.
 */
import { MinusCircleOutlined, PlusOutlined } from '@ant-design/icons';
import { useQuery } from '@tanstack/react-query';
import { App as AntApp, Button, Checkbox, Form, Input, Modal, Radio, Select, Space } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, keys } from '../api.ts';
import { folderLabel } from '../format.ts';
import { optionError } from './option-error.ts';
import {
  ACTION_KINDS, CONDITION_FIELDS, markField, SIZE_OPS, TEXT_OPS, type Action, type Condition, type ConditionField, type Filter,
} from './options-api.ts';

interface ConditionValues { field: ConditionField; header?: string; op: Condition['op']; value: string }
interface ActionValues { kind: Action['kind']; folder?: string; to?: string[] }
interface Values { name: string; enabled: boolean; match: 'all' | 'any'; conditions: ConditionValues[]; actions: ActionValues[] }

const toValues = (f: Filter): Values => ({
  name: f.name, enabled: f.enabled, match: f.match,
  conditions: f.conditions.map((c) => ({ ...c, value: String(c.value) })),
  actions: f.actions.map((a) => ({ ...a })),
});

function toFilter(v: Values): Filter {
  return {
    name: v.name.trim(), enabled: v.enabled, match: v.match,
    conditions: (v.conditions ?? []).map((c) => ({
      field: c.field, op: c.op, value: c.field === 'size' ? Number(c.value) : c.value ?? '',
      ...(c.field === 'header' ? { header: (c.header ?? '').trim() } : {}),
    })),
    actions: (v.actions ?? []).map((a): Action => (a.kind === 'move' ? { kind: 'move', folder: a.folder ?? '' }
      : a.kind === 'forward' ? { kind: 'forward', to: a.to ?? [] } : { kind: a.kind })),
  };
}

export function FilterForm(props: { filter?: Filter; save: (f: Filter) => Promise<void>; onClose: () => void }) {
  const { t } = useTranslation();
  const { message } = AntApp.useApp();
  const [form] = Form.useForm<Values>();
  const [saving, setSaving] = useState(false);
  const folders = useQuery({ queryKey: keys.folders, queryFn: api.folders });
  const conditions = Form.useWatch('conditions', form) ?? [];
  const actions = Form.useWatch('actions', form) ?? [];
  const required = [{ required: true, message: t('options.required') }];
  const initial: Values = props.filter ? toValues(props.filter)
    : { name: '', enabled: true, match: 'all', conditions: [{ field: 'subject', op: 'contains', value: '' }], actions: [{ kind: 'move' }] };

  const submit = async () => {
    const v = await form.validateFields();
    setSaving(true);
    try {
      await props.save(toFilter(v));
    } catch (err) {
      // 'filters.3.conditions.0.value' → this form's 'conditions.0.value'.
      if (!markField(form, err, 2, 3)) void message.error(optionError(t, err));
    } finally {
      setSaving(false);
    }
  };

  const opsFor = (field: ConditionField | undefined) => (field === 'size' ? SIZE_OPS : TEXT_OPS);
  return (
    <Modal open width={760} title={t(props.filter ? 'options.filters.editTitle' : 'options.filters.addTitle')} onCancel={props.onClose}
      onOk={() => void submit()} okText={t('options.save')} cancelText={t('options.cancel')} confirmLoading={saving} destroyOnHidden>
      <Form form={form} layout="vertical" initialValues={initial}>
        <Space align="start" wrap>
          <Form.Item name="name" label={t('options.filters.name')} rules={[{ required: true, whitespace: true, message: t('options.required') }]}>
            <Input maxLength={100} style={{ width: 260 }} />
          </Form.Item>
          <Form.Item name="enabled" valuePropName="checked" label=" "><Checkbox>{t('options.filters.enabled')}</Checkbox></Form.Item>
        </Space>
        <Form.Item name="match" label={t('options.filters.match')}>
          <Radio.Group options={[{ value: 'all', label: t('options.filters.all') }, { value: 'any', label: t('options.filters.any') }]} />
        </Form.Item>
        <Form.List name="conditions">
          {(fields, { add, remove }) => (
            <fieldset className="yj-options-box" aria-label={t('options.filters.conditions')}>
              <legend>{t('options.filters.conditions')}</legend>
              {fields.map((f) => {
                const field = conditions[f.name]?.field;
                return (
                  <Space key={f.key} align="baseline" wrap>
                    <Form.Item name={[f.name, 'field']} rules={required}>
                      <Select style={{ width: 150 }} aria-label={t('options.filters.conditions')}
                        options={CONDITION_FIELDS.map((k) => ({ value: k, label: t(`options.filters.fields.${k}`) }))}
                        onChange={(k: ConditionField) => form.setFieldValue(['conditions', f.name, 'op'], opsFor(k)[0])} />
                    </Form.Item>
                    {field === 'header' && (
                      <Form.Item name={[f.name, 'header']} rules={required}><Input placeholder={t('options.filters.headerName')} aria-label={t('options.filters.headerName')} style={{ width: 130 }} /></Form.Item>
                    )}
                    <Form.Item name={[f.name, 'op']} rules={required}>
                      <Select style={{ width: 140 }} aria-label={t('options.filters.match')}
                        options={opsFor(field).map((op) => ({ value: op, label: t(`options.filters.ops.${op}`) }))} />
                    </Form.Item>
                    <Form.Item name={[f.name, 'value']} rules={[{ required: true, whitespace: true, message: t('options.required') }]}>
                      <Input placeholder={t('options.filters.value')} aria-label={t('options.filters.value')} style={{ width: 200 }} inputMode={field === 'size' ? 'numeric' : undefined} />
                    </Form.Item>
                    {fields.length > 1 && <Button type="text" icon={<MinusCircleOutlined />} aria-label={t('options.filters.removeItem')} onClick={() => remove(f.name)} />}
                  </Space>
                );
              })}
              <Form.Item><Button type="dashed" icon={<PlusOutlined />} onClick={() => add({ field: 'subject', op: 'contains', value: '' })}>{t('options.filters.addCondition')}</Button></Form.Item>
            </fieldset>
          )}
        </Form.List>
        <Form.List name="actions">
          {(fields, { add, remove }) => (
            <fieldset className="yj-options-box" aria-label={t('options.filters.actions')}>
              <legend>{t('options.filters.actions')}</legend>
              {fields.map((f) => {
                const kind = actions[f.name]?.kind;
                return (
                  <Space key={f.key} align="baseline" wrap>
                    <Form.Item name={[f.name, 'kind']} rules={required}>
                      <Select style={{ width: 200 }} aria-label={t('options.filters.actions')}
                        options={ACTION_KINDS.map((k) => ({ value: k, label: t(`options.filters.kinds.${k}`) }))} />
                    </Form.Item>
                    {kind === 'move' && (
                      <Form.Item name={[f.name, 'folder']} rules={required}>
                        <Select style={{ width: 200 }} aria-label={t('options.filters.folder')} placeholder={t('options.filters.folder')}
                          options={(folders.data ?? []).map((fo) => ({ value: fo.name, label: folderLabel(t, fo) }))} />
                      </Form.Item>
                    )}
                    {kind === 'forward' && (
                      <Form.Item name={[f.name, 'to']} rules={required} extra={t('options.filters.forwardHint')}>
                        <Select mode="tags" open={false} style={{ width: 300 }} aria-label={t('options.filters.forwardTo')} tokenSeparators={[',', ';', ' ']} />
                      </Form.Item>
                    )}
                    {fields.length > 1 && <Button type="text" icon={<MinusCircleOutlined />} aria-label={t('options.filters.removeItem')} onClick={() => remove(f.name)} />}
                  </Space>
                );
              })}
              <Form.Item><Button type="dashed" icon={<PlusOutlined />} onClick={() => add({ kind: 'mark-read' })}>{t('options.filters.addAction')}</Button></Form.Item>
            </fieldset>
          )}
        </Form.List>
      </Form>
    </Modal>
  );
}
