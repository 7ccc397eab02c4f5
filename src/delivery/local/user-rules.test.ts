import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { isMailError } from '../../core/errors.ts';
import type { UserId } from '../../core/ids.ts';
import { openTestStore } from '../../store/testing.ts';
import {
  defaultUserRules, formatPath, loadUserRules, MAX_FILTERS, saveUserRules, userScope, type UserRulesPatch,
} from './user-rules.ts';

async function setup(t: TestContext) {
  const ts = await openTestStore();
  t.after(() => ts.close());
  const userId = await ts.store.tx(async (tx) => {
    const d = await tx.domains.create({ name: 'x.cn' });
    const u = await tx.users.create({ domainId: d.id, localPart: 'bob', passwordHash: 'x' });
    return u.id;
  });
  return { ...ts, userId };
}

const invoiceFilter: NonNullable<UserRulesPatch['filters']>[number] = {
  name: '发票', conditions: [{ field: 'subject', op: 'contains', value: '发票' }],
  actions: [{ kind: 'move', folder: '财务' }, { kind: 'mark-read' }],
};

/** Asserts saveUserRules rejects with INVALID_INPUT whose message names `field`. */
async function rejectsNaming(store: Parameters<typeof saveUserRules>[0], userId: UserId, patch: unknown, field: string, text?: RegExp) {
  await assert.rejects(saveUserRules(store, userId, patch as UserRulesPatch), (err: unknown) => {
    assert.ok(isMailError(err, 'INVALID_INPUT'), String(err));
    assert.ok(err.message.includes(`${field}: `), `"${err.message}" should name ${field}`);
    if (text) assert.match(err.message, text);
    return true;
  });
}

test('a user who set nothing gets the defaults', async (t) => {
  const { store, userId } = await setup(t);
  const rules = await loadUserRules(store, userId);
  assert.deepEqual(rules, defaultUserRules());
  assert.deepEqual(rules.filters, []);
  assert.equal(rules.autoreply.enabled, false);
  assert.equal(rules.autoreply.subject, '自动回复: {subject}');
  assert.equal(rules.autoreply.intervalDays, 1);
  assert.equal(rules.autoreply.onlyToContacts, false);
  assert.deepEqual(rules.forward, { enabled: false, to: [], keepCopy: true });
});

test('saved rules load back with defaults filled in and addresses normalised', async (t) => {
  const { store, userId } = await setup(t);
  const saved = await saveUserRules(store, userId, {
    filters: [invoiceFilter, { name: 'big', match: 'any', enabled: false,
      conditions: [{ field: 'size', op: 'greater-than', value: '10485760' }], actions: [{ kind: 'delete' }] }],
    autoreply: { enabled: true, body: '我在休假。', startsAt: 1000, endsAt: 2000 },
    forward: { enabled: true, to: [' B@例子.中国 '] },
  });
  const loaded = await loadUserRules(store, userId);
  assert.deepEqual(loaded, saved);
  assert.equal(loaded.filters[0]?.enabled, true);
  assert.equal(loaded.filters[0]?.match, 'all');
  assert.equal(loaded.filters[1]?.conditions[0]?.value, 10485760, 'a size given as digits is stored as a number');
  assert.equal(loaded.autoreply.subject, '自动回复: {subject}');
  assert.deepEqual(loaded.forward, { enabled: true, to: ['b@xn--fsqu00a.xn--fiqs8s'], keepCopy: true });
});

test('a patch replaces only the keys it gives', async (t) => {
  const { store, userId } = await setup(t);
  await saveUserRules(store, userId, { filters: [invoiceFilter], forward: { enabled: true, to: ['b@y.cn'] } });
  const after = await saveUserRules(store, userId, { autoreply: { enabled: true, body: 'away' } });
  assert.equal(after.filters.length, 1);
  assert.deepEqual(after.forward.to, ['b@y.cn']);
  assert.equal(after.autoreply.body, 'away');
  await saveUserRules(store, userId, { filters: [] });
  assert.deepEqual((await loadUserRules(store, userId)).filters, []);
});

test('invalid rules are refused naming the field, and nothing is written', async (t) => {
  const { store, userId } = await setup(t);
  const bad = { ...invoiceFilter, conditions: [{ field: 'body', op: 'contains', value: 'x' }] };
  await rejectsNaming(store, userId, { filters: [invoiceFilter, invoiceFilter, bad], forward: { enabled: true, to: ['b@y.cn'] } },
    'filters[2].conditions[0].field');
  assert.deepEqual(await loadUserRules(store, userId), defaultUserRules());

  const err = await saveUserRules(store, userId, { filters: [bad] } as unknown as UserRulesPatch).catch((e: unknown) => e);
  assert.ok(isMailError(err));
  assert.deepEqual((err.details?.issues as Array<{ field: string }>).map((i) => i.field), ['filters[0].conditions[0].field']);
});

test('condition rules: header name, ops per field, values', async (t) => {
  const { store, userId } = await setup(t);
  const cond = (c: object) => ({ filters: [{ ...invoiceFilter, conditions: [c] }] });
  await rejectsNaming(store, userId, cond({ field: 'header', op: 'contains', value: 'x' }), 'filters[0].conditions[0].header');
  await rejectsNaming(store, userId, cond({ field: 'header', header: 'X:Y', op: 'contains', value: 'x' }), 'filters[0].conditions[0].header');
  await rejectsNaming(store, userId, cond({ field: 'subject', header: 'X-A', op: 'contains', value: 'x' }), 'filters[0].conditions[0].header');
  await rejectsNaming(store, userId, cond({ field: 'size', op: 'contains', value: 5 }), 'filters[0].conditions[0].op');
  await rejectsNaming(store, userId, cond({ field: 'size', op: 'less-than', value: -1 }), 'filters[0].conditions[0].value');
  await rejectsNaming(store, userId, cond({ field: 'size', op: 'less-than', value: '1e6' }), 'filters[0].conditions[0].value');
  await rejectsNaming(store, userId, cond({ field: 'subject', op: 'greater-than', value: 'x' }), 'filters[0].conditions[0].op');
  await rejectsNaming(store, userId, cond({ field: 'subject', op: 'contains', value: '  ' }), 'filters[0].conditions[0].value');
  await rejectsNaming(store, userId, cond({ field: 'subject', op: 'regex', value: '.*' }), 'filters[0].conditions[0].op');
});

test('filter shape and limits', async (t) => {
  const { store, userId } = await setup(t);
  await rejectsNaming(store, userId, { filters: [{ ...invoiceFilter, conditions: [] }] }, 'filters[0].conditions');
  await rejectsNaming(store, userId, { filters: [{ ...invoiceFilter, actions: [{ kind: 'move', folder: ' ' }] }] }, 'filters[0].actions[0].folder');
  await rejectsNaming(store, userId, { filters: [{ ...invoiceFilter, actions: [{ kind: 'bounce' }] }] }, 'filters[0].actions[0].kind');
  await rejectsNaming(store, userId, { filters: [{ ...invoiceFilter, actions: [{ kind: 'forward', to: ['not an address'] }] }] },
    'filters[0].actions[0].to[0]', /invalid address/);
  await rejectsNaming(store, userId, { filters: [{ ...invoiceFilter, conditions: Array(21).fill(invoiceFilter.conditions[0]) }] },
    'filters[0].conditions');
  await rejectsNaming(store, userId, { filters: Array(MAX_FILTERS + 1).fill(invoiceFilter) }, 'filters');
  await rejectsNaming(store, userId, { filters: [{ ...invoiceFilter, priority: 1 }] }, 'filters[0]', /priority/);
  await rejectsNaming(store, userId, { sieve: 'keep;' }, '(rules)', /sieve/);
  assert.equal((await saveUserRules(store, userId, { filters: Array(MAX_FILTERS).fill(invoiceFilter) })).filters.length, MAX_FILTERS);
});

test('auto-reply and forward rules', async (t) => {
  const { store, userId } = await setup(t);
  await rejectsNaming(store, userId, { autoreply: { startsAt: 2000, endsAt: 1000 } }, 'autoreply.endsAt');
  await rejectsNaming(store, userId, { autoreply: { intervalDays: 0 } }, 'autoreply.intervalDays');
  await rejectsNaming(store, userId, { autoreply: { subject: 'x'.repeat(201) } }, 'autoreply.subject');
  await rejectsNaming(store, userId, { forward: { enabled: true } }, 'forward.to', /at least one address/);
  await rejectsNaming(store, userId, { forward: { to: ['a@b.cn', 'bad@'] } }, 'forward.to[1]');
  await rejectsNaming(store, userId, { forward: { to: Array.from({ length: 21 }, (_, i) => `u${i}@y.cn`) } }, 'forward.to');
});

test('stored values that are invalid, or not even JSON, fall back to defaults and are reported', async (t) => {
  const { store, userId, location } = await setup(t);
  await saveUserRules(store, userId, { filters: [invoiceFilter], autoreply: { enabled: true, body: 'away' } });
  const scope = userScope(userId);
  await store.tx((tx) => tx.settings.set(scope, 'forward', { enabled: 'yes', to: 'b@y.cn' }));
  // Corrupt text under the settings repo (which JSON-encodes every value it writes).
  const db = new Database(join(location, 'meta.db'));
  db.prepare('UPDATE settings SET value = ? WHERE scope = ? AND key = ?').run('{"name": 发票', scope, 'filters');
  db.close();

  const reported: string[] = [];
  const rules = await loadUserRules(store, userId, { onInvalid: (key, reason) => reported.push(`${key}: ${reason}`) });
  assert.deepEqual(rules.filters, []);
  assert.deepEqual(rules.forward, defaultUserRules().forward);
  assert.equal(rules.autoreply.body, 'away', 'valid keys are still used');
  assert.equal(reported.length, 2);
  assert.match(reported[0]!, /^filters: not valid JSON/);
  assert.match(reported[1]!, /^forward: enabled: /);
  // Without a listener it is just as quiet.
  assert.deepEqual((await loadUserRules(store, userId)).filters, []);
});

test('formatPath writes zod paths the way people read them', () => {
  assert.equal(formatPath(['filters', 2, 'conditions', 0, 'field']), 'filters[2].conditions[0].field');
  assert.equal(formatPath(['forward', 'to', 1]), 'forward.to[1]');
  assert.equal(formatPath([]), '');
});
