import assert from 'node:assert/strict';
import { test } from 'node:test';
import i18next from 'i18next';
import { en } from './en.ts';
import { zhCN } from './zh-CN.ts';

async function translator(lng: string) {
  const i = i18next.createInstance();
  await i.init({ lng, resources: { 'zh-CN': { translation: zhCN }, en: { translation: en } }, interpolation: { escapeValue: false } });
  return i.t.bind(i);
}

test('English counts: one message, two messages; Chinese has one form', async () => {
  const t = await translator('en');
  assert.equal(t('list.messagesInConversation', { count: 1 }), '1 message');
  assert.equal(t('list.messagesInConversation', { count: 2 }), '2 messages');
  assert.equal(t('list.messagesInConversation', { count: 0 }), '0 messages');
  assert.equal(t('console.org.moved', { count: 1, department: 'Sales' }), '1 user moved to Sales');
  assert.equal(t('contacts.confirmDelete', { count: 1 }), 'Delete the selected contact?');
  assert.equal(t('contacts.confirmDelete', { count: 3 }), 'Delete the 3 selected contacts?');
  // Pagination totals too: the count under the users, the audit log and the customer book.
  assert.equal(t('admin.users.total', { count: 1 }), '1 user');
  assert.equal(t('admin.users.total', { count: 12 }), '12 users');
  assert.equal(t('console.audit.total', { count: 1 }), '1 entry');
  assert.equal(t('customers.count', { count: 1 }), '1 customer');
  const zh = await translator('zh-CN');
  assert.equal(zh('list.messagesInConversation', { count: 1 }), zhCN.list.messagesInConversation.replace('{{count}}', '1'));
  assert.equal(zh('admin.users.total', { count: 1 }), '共 1 个用户');
});

test('every singular English text belongs to a text with a {{count}}, and keeps its other placeholders', () => {
  const walk = (o: Record<string, unknown>, path: string): void => {
    for (const [key, value] of Object.entries(o)) {
      if (typeof value !== 'string') { walk(value as Record<string, unknown>, `${path}${key}.`); continue; }
      if (!key.endsWith('_one')) continue;
      const plural = o[key.slice(0, -'_one'.length)];
      assert.equal(typeof plural, 'string', `${path}${key} has no plural text`);
      assert.match(plural as string, /\{\{count\}\}/, `${path}${key}: its plural has no {{count}}`);
      const names = (s: string) => [...s.matchAll(/\{\{(\w+)\}\}/g)].map((m) => m[1]).filter((n) => n !== 'count').sort();
      assert.deepEqual(names(value), names(plural as string), `${path}${key} drops or adds a placeholder`);
    }
  };
  walk(en as unknown as Record<string, unknown>, '');
});
