import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isMailError } from '../core/errors.ts';
import type { Actor } from '../directory/actor.ts';
import { userActor } from '../directory/actor.ts';
import { DirectoryShares } from '../directory/directory-shares.ts';
import { GOOD, ROOT, openDirectory } from '../directory/test-fixture.ts';
import { CustomerBook } from './customers.ts';
import { EnterpriseDirectory } from './enterprise.ts';

const code = (c: string, field?: string) => (e: unknown) => isMailError(e, c as 'NOT_FOUND') && (field === undefined || e.details?.field === field);

test('customer book: categories, entries, import with a per-line report, export; reach and audit', async (t) => {
  const d = await openDirectory();
  t.after(d.close);
  const a = await d.domains.add(ROOT, 'a.cn');
  const b = await d.domains.add(ROOT, 'b.cn');
  const book = new CustomerBook(d.store);
  const adminA: Actor = { who: 'admin:admin@a.cn', from: 'x', role: { kind: 'domain', domainId: a.id } };
  const adminB: Actor = { who: 'admin:admin@b.cn', from: 'x', role: { kind: 'domain', domainId: b.id } };
  const unit = await d.orgs.add(ROOT, 'a.cn', { name: '部' });
  const dept: Actor = { who: 'admin:department:li@a.cn', from: 'x', role: { kind: 'department', domainId: a.id, orgUnitId: unit.id } };

  const vip = await book.createCategory(adminA, 'a.cn', '重要客户');
  await assert.rejects(book.createCategory(adminA, 'a.cn', '重要客户'), code('ALREADY_EXISTS', 'name'));
  const wang = await book.add(adminA, 'a.cn', { name: '王经理', email: 'wang@client.test', phone: '020-1234', mobile: '138 0000', categoryId: vip.id });
  await book.add(adminA, 'a.cn', { email: 'zhao@client.test', company: '华南贸易' });
  assert.equal((await book.list(adminA, 'a.cn')).customers.map((c) => c.name).join(','), 'zhao,王经理', 'blank name from the address; by name');
  await assert.rejects(book.add(adminA, 'a.cn', { name: 'x', email: 'not-an-address' }), code('INVALID_INPUT', 'email'));
  await assert.rejects(book.add(adminA, 'a.cn', { name: 'x', email: 'x@y.test', mobile: 'call me' }), code('INVALID_INPUT', 'mobile'));
  await assert.rejects(book.add(adminA, 'a.cn', { name: 'x', email: 'x@y.test', categoryId: 999 }), code('NOT_FOUND', 'categoryId'));
  // Reach: another domain's admin and a department admin are refused; another domain's ids find nothing.
  await assert.rejects(book.list(adminB, 'a.cn'), code('FORBIDDEN'));
  await assert.rejects(book.list(dept, 'a.cn'), code('FORBIDDEN'));
  await assert.rejects(book.update(adminB, 'b.cn', wang.id, { name: 'x', email: 'x@y.test' }), code('NOT_FOUND'));
  await assert.rejects(book.remove(adminB, 'b.cn', [wang.id]), code('NOT_FOUND'));

  const searched = await book.list(adminA, 'a.cn', { search: '华南' });
  assert.deepEqual(searched.customers.map((c) => c.email), ['zhao@client.test']);
  assert.deepEqual((await book.list(adminA, 'a.cn', { categoryId: vip.id })).customers.map((c) => c.email), ['wang@client.test']);
  assert.deepEqual((await book.list(adminA, 'a.cn', { categoryId: 0 })).customers.map((c) => c.email), ['zhao@client.test']);

  const imported = await book.importCsv(adminA, 'a.cn', [
    '姓名,邮箱,公司,电话,手机,地址,备注,分类',
    '李总,li@partner.test,合作方,,139,,,"合作伙伴"',
    '坏行,not-an-address,,,,,,',
    '重复,wang@client.test,,,,,,',
    'Alice,alice@partner.test,,,,,,合作伙伴',
  ].join('\n'));
  assert.equal(imported.added, 2);
  assert.deepEqual(imported.errors.map((e) => [e.line, e.field]), [[3, 'email'], [4, 'email']]);
  const cats = await book.categories(adminA, 'a.cn');
  assert.deepEqual(cats.map((c) => [c.name, c.members]), [['合作伙伴', 2], ['重要客户', 1]]);

  await book.renameCategory(adminA, 'a.cn', vip.id, 'VIP');
  await book.deleteCategory(adminA, 'a.cn', vip.id);
  const kept = (await book.list(adminA, 'a.cn', { search: 'wang' })).customers[0]!;
  assert.equal(kept.categoryId, null, 'deleting a category keeps its entries, uncategorised');

  const csv = await book.exportCsv(adminA, 'a.cn');
  assert.match(csv, /^\ufeffname,email,company,phone,mobile,address,notes,category\r\n/);
  assert.match(csv, /李总,li@partner\.test,合作方,,139,,,合作伙伴/);
  assert.equal((await book.remove(adminA, 'a.cn', [kept.id])), 1);

  // A user reads the book of their own domain only.
  const u = await d.users.add(ROOT, 'amy@a.cn', { password: GOOD });
  const ub = await d.users.add(ROOT, 'ben@b.cn', { password: GOOD });
  const amy = userActor(u, 'x');
  assert.equal((await book.listForUser(amy, u.id)).total, 3);
  assert.equal((await book.listForUser(userActor(ub, 'x'), ub.id)).total, 0, "b.cn's book is its own");
  await assert.rejects(book.listForUser(amy, ub.id), code('NOT_FOUND'), "not another user's view");

  const actions = (await d.audit()).map((e) => e.action);
  for (const a of ['customer.create', 'customer.category.create', 'customer.category.rename', 'customer.category.delete', 'customer.import', 'customer.export', 'customer.delete']) {
    assert.ok(actions.includes(a), a);
  }
});

test('directory sharing: nothing by default, one way or mutual, super admin only; the shared tree and autocomplete', async (t) => {
  const d = await openDirectory();
  t.after(d.close);
  const a = await d.domains.add(ROOT, 'a.cn');
  await d.domains.add(ROOT, 'b.cn');
  await d.domains.add(ROOT, 'c.cn');
  const shares = new DirectoryShares(d.store);
  const dir = new EnterpriseDirectory(d.store);
  const amy = await d.users.add(ROOT, 'amy@a.cn', { password: GOOD });
  await d.users.add(ROOT, 'bert@b.cn', { password: GOOD, realName: '伯特' });
  await d.users.add(ROOT, 'bhidden@b.cn', { password: GOOD, hidden: true });
  const ben = await d.users.add(ROOT, 'ben@b.cn', { password: GOOD });
  const me = userActor(amy, 'x');
  assert.deepEqual((await dir.domains(me, amy.id)).map((x) => x.name), ['a.cn']);
  await assert.rejects(dir.tree(me, amy.id, 'b.cn'), code('FORBIDDEN'));
  assert.deepEqual((await dir.autocomplete(me, amy.id, 'be')).map((s) => s.address), []);

  const adminA: Actor = { who: 'admin:admin@a.cn', from: 'x', role: { kind: 'domain', domainId: a.id } };
  await assert.rejects(shares.add(adminA, 'a.cn', ['b.cn']), code('FORBIDDEN'));
  await assert.rejects(shares.add(ROOT, 'a.cn', ['nowhere.cn']), code('NOT_FOUND', 'shared'));
  await assert.rejects(shares.add(ROOT, 'a.cn', ['a.cn']), code('INVALID_INPUT', 'shared'));
  assert.equal(await shares.add(ROOT, 'a.cn', ['b.cn']), 1);
  assert.deepEqual(await shares.list(ROOT), [{ domain: 'a.cn', sees: ['b.cn'] }, { domain: 'b.cn', sees: [] }, { domain: 'c.cn', sees: [] }]);

  const tree = await dir.tree(me, amy.id, 'b.cn');
  assert.deepEqual(tree.unassigned.map((p) => p.address).sort(), ['ben@b.cn', 'bert@b.cn'], 'hidden users left out');
  assert.deepEqual(tree.lists, []);
  assert.deepEqual((await dir.autocomplete(me, amy.id, 'be')).map((s) => s.address).sort(), ['ben@b.cn', 'bert@b.cn']);
  // One way: b.cn's users do not see a.cn.
  await assert.rejects(dir.tree(userActor(ben, 'x'), ben.id, 'a.cn'), code('FORBIDDEN'));
  assert.equal(await shares.add(ROOT, 'a.cn', ['b.cn', 'c.cn'], true), 3);
  assert.equal((await dir.tree(userActor(ben, 'x'), ben.id, 'a.cn')).domain, 'a.cn');
  assert.equal(await shares.remove(ROOT, 'b.cn', 'a.cn'), 1);
  await assert.rejects(dir.tree(userActor(ben, 'x'), ben.id, 'a.cn'), code('FORBIDDEN'));
  await assert.rejects(shares.remove(ROOT, 'b.cn', 'a.cn'), code('NOT_FOUND'));
  const actions = (await d.audit()).map((e) => e.action);
  assert.ok(actions.includes('directory.share') && actions.includes('directory.unshare'));
});

test('custom login field: unique in the domain naming the field; the webmail login name resolves on a domain that enabled it', async (t) => {
  const d = await openDirectory();
  t.after(d.close);
  const a = await d.domains.add(ROOT, 'a.cn');
  await d.domains.add(ROOT, 'b.cn');
  await d.store.tx((tx) => tx.settings.set(`domain:${a.id}`, 'webmail', { customLoginField: { enabled: true, label: '工号' } }));
  await d.users.add(ROOT, 'amy@a.cn', { password: GOOD, loginName: ' 1001 ' });
  await assert.rejects(d.users.add(ROOT, 'bob@a.cn', { password: GOOD, loginName: '1001' }),
    (e: unknown) => isMailError(e, 'ALREADY_EXISTS') && e.details?.field === 'loginName' && /工号 "1001"/.test(e.message));
  await d.users.add(ROOT, 'bob@b.cn', { password: GOOD, loginName: '1001' }); // another domain: fine
  await assert.rejects(d.users.add(ROOT, 'cat@a.cn', { password: GOOD, loginName: 'a@b' }), code('INVALID_INPUT', 'loginName'));
  const bob = await d.users.add(ROOT, 'bob@a.cn', { password: GOOD, loginName: '1002' });
  await assert.rejects(d.users.update(ROOT, 'bob@a.cn', { loginName: '1001' }), code('ALREADY_EXISTS', 'loginName'));
  assert.equal((await d.users.update(ROOT, 'bob@a.cn', { loginName: '1002' })).loginName, '1002', 'its own value again');
  assert.equal(bob.loginName, '1002');

  assert.equal(await d.users.resolveLoginName('1001', 'a.cn'), 'amy@a.cn');
  assert.equal(await d.users.resolveLoginName('1001', 'b.cn'), '1001', 'b.cn did not enable the field');
  assert.equal(await d.users.resolveLoginName('amy@a.cn', 'a.cn'), 'amy@a.cn');
  assert.equal(await d.users.resolveLoginName('9999', 'a.cn'), '9999');
  assert.equal((await d.users.authenticate(await d.users.resolveLoginName('1001', 'a.cn'), GOOD)).address, 'amy@a.cn');
  await assert.rejects(d.users.authenticate('1001', GOOD), code('AUTH_FAILED'), 'protocols still log in by address');
  await d.users.update(ROOT, 'amy@a.cn', { loginName: '' });
  assert.equal(await d.users.resolveLoginName('1001', 'a.cn'), '1001', 'cleared');
});
