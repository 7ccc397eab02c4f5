/**
 * Add / edit a contact (manual part 2 §1.10.1–1.10.2): name and addresses first, then, behind
 * "more details", phones, company, department, title, address, birthday and notes; the groups it
 * belongs to. A field the server refuses (400 naming it) is marked on that field.
 */
import { MinusCircleOutlined, PlusOutlined } from '@ant-design/icons';
import { App as AntApp, Button, Collapse, Form, Input, Modal, Select, Space } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError } from '../api.ts';
import { errorText } from '../errors.ts';
import { contactsApi, PHONE_KINDS, type Contact, type Group, type Phone } from './contacts-api.ts';

interface Values {
  name?: string; emails: string[]; phones: Phone[]; company?: string; department?: string; title?: string;
  address?: string; birthday?: string; notes?: string; groupIds: number[];
}

export function ContactForm(props: { contact?: Contact; groups: Group[]; defaultGroupId?: number; onClose: (saved: boolean) => void }) {
  const { t } = useTranslation();
  const { message } = AntApp.useApp();
  const [form] = Form.useForm<Values>();
  const [saving, setSaving] = useState(false);
  const c = props.contact;
  const initial: Values = c
    ? { ...c, groupIds: c.groupIds }
    : { emails: [''], phones: [], groupIds: props.defaultGroupId ? [props.defaultGroupId] : [] };

  const submit = async () => {
    const v = await form.validateFields();
    const body = {
      name: v.name ?? '', emails: v.emails.filter((e) => e && e.trim()), phones: (v.phones ?? []).filter((p) => p?.number?.trim()),
      company: v.company ?? '', department: v.department ?? '', title: v.title ?? '', address: v.address ?? '',
      birthday: v.birthday ?? '', notes: v.notes ?? '', groupIds: v.groupIds ?? [],
    };
    setSaving(true);
    try {
      if (c) await contactsApi.update(c.id, body); else await contactsApi.create(body);
      void message.success(t('contacts.saved'));
      props.onClose(true);
    } catch (err) {
      if (err instanceof ApiError && err.field) {
        // 'emails.1' → the second address box; 'phones.0.number' → the first phone's number.
        const path = err.field.split('.').map((p) => (/^\d+$/.test(p) ? Number(p) : p));
        form.setFields([{ name: path as never, errors: [err.message] }]);
      } else void message.error(errorText(t, err));
    } finally {
      setSaving(false);
    }
  };

  const details = (
    <>
      <Form.List name="phones">
        {(fields, { add, remove }) => (
          <Form.Item label={t('contacts.fields.phones')}>
            {fields.map((f) => (
              <Space key={f.key} align="baseline" style={{ display: 'flex' }}>
                <Form.Item name={[f.name, 'kind']} initialValue="mobile" noStyle>
                  <Select style={{ width: 96 }} options={PHONE_KINDS.map((k) => ({ value: k, label: t(`contacts.phoneKinds.${k}`) }))} />
                </Form.Item>
                <Form.Item name={[f.name, 'number']} style={{ marginBottom: 8 }}>
                  <Input aria-label={t('contacts.fields.phones')} maxLength={40} />
                </Form.Item>
                <MinusCircleOutlined aria-label={t('contacts.removeItem')} onClick={() => remove(f.name)} />
              </Space>
            ))}
            <Button type="dashed" icon={<PlusOutlined />} onClick={() => add({ kind: 'mobile', number: '' })}>{t('contacts.addPhone')}</Button>
          </Form.Item>
        )}
      </Form.List>
      {(['company', 'department', 'title'] as const).map((k) => (
        <Form.Item key={k} name={k} label={t(`contacts.fields.${k}`)}><Input maxLength={100} /></Form.Item>
      ))}
      <Form.Item name="address" label={t('contacts.fields.address')}><Input.TextArea rows={2} maxLength={300} /></Form.Item>
      <Form.Item name="birthday" label={t('contacts.fields.birthday')}><Input type="date" /></Form.Item>
      <Form.Item name="notes" label={t('contacts.fields.notes')}><Input.TextArea rows={3} maxLength={2000} /></Form.Item>
    </>
  );

  return (
    <Modal open title={c ? t('contacts.edit') : t('contacts.add')} okText={t('contacts.submit')} cancelText={t('contacts.cancel')}
      confirmLoading={saving} onOk={() => void submit()} onCancel={() => props.onClose(false)} destroyOnHidden width={560}>
      <Form form={form} layout="vertical" initialValues={initial} name="contact">
        <Form.Item name="name" label={t('contacts.fields.name')} extra={t('contacts.nameHint')}><Input maxLength={100} /></Form.Item>
        <Form.List name="emails">
          {(fields, { add, remove }) => (
            <Form.Item label={t('contacts.fields.emails')} required>
              {fields.map((f, i) => (
                <Space key={f.key} align="baseline" style={{ display: 'flex' }}>
                  <Form.Item name={f.name} style={{ marginBottom: 8, width: 380 }} rules={i === 0 ? [{ required: true, message: t('contacts.emailRequired') }] : []}>
                    <Input type="email" aria-label={`${t('contacts.fields.emails')} ${i + 1}`} maxLength={254} />
                  </Form.Item>
                  {i > 0 && <MinusCircleOutlined aria-label={t('contacts.removeItem')} onClick={() => remove(f.name)} />}
                </Space>
              ))}
              <Button type="dashed" icon={<PlusOutlined />} onClick={() => add('')}>{t('contacts.addEmail')}</Button>
            </Form.Item>
          )}
        </Form.List>
        <Form.Item name="groupIds" label={t('contacts.fields.groups')}>
          <Select mode="multiple" allowClear options={props.groups.map((g) => ({ value: g.id, label: g.name }))} />
        </Form.Item>
        <Collapse ghost defaultActiveKey={c && (c.phones.length || c.company || c.notes) ? ['more'] : []}
          items={[{ key: 'more', label: t('contacts.more'), forceRender: true, children: details }]} />
      </Form>
    </Modal>
  );
}
