import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isMailError } from '../core/errors.ts';
import { GOOD, openDirectory, ROOT } from './test-fixture.ts';

test('ensureBuiltins creates system, administrator and one admin per domain, once', async (t) => {
  const d = await openDirectory();
  t.after(d.close);
  await d.domains.add(ROOT, 'x.cn');
  await d.domains.add(ROOT, '例子.中国');
  const created = await d.admins.ensureBuiltins(ROOT, { administrator: 'Super-Secret-1' });
  assert.deepEqual(created.map((c) => [c.role, c.username, c.domain]).sort(), [
    ['domain', 'admin', 'x.cn'], ['domain', 'admin', 'xn--fsqu00a.xn--fiqs8s'], ['super', 'administrator', null], ['system', 'system', null],
  ]);
  assert.equal(created.find((c) => c.role === 'super')?.password, 'Super-Secret-1');
  const system = created.find((c) => c.role === 'system')!;
  assert.match(system.password, /^[A-HJ-NP-Za-km-z2-9#%+\-=@_]{16}$/, 'generated: 16 characters, no look-alikes');

  assert.equal((await d.admins.authenticate('system', system.password, 'system')).role, 'system');
  assert.equal((await d.admins.authenticate('administrator', 'Super-Secret-1', 'super')).username, 'administrator');
  const admin = created.find((c) => c.domain === 'xn--fsqu00a.xn--fiqs8s')!;
  const info = await d.admins.authenticate('admin', admin.password, 'domain', '例子.中国');
  assert.equal('passwordHash' in info, false);

  assert.deepEqual(await d.admins.ensureBuiltins(ROOT), [], 'nothing new the second time');
  await d.domains.add(ROOT, 'y.cn');
  assert.deepEqual((await d.admins.ensureBuiltins(ROOT)).map((c) => c.domain), ['y.cn']);

  const text = JSON.stringify(await d.audit({ action: 'admin.create' }));
  assert.ok(!text.includes(system.password) && !text.includes('Super-Secret-1') && !text.includes('$scrypt$'));
});

test('admin logins fail alike; resetPassword returns a new password once', async (t) => {
  const d = await openDirectory();
  t.after(d.close);
  await d.domains.add(ROOT, 'x.cn');
  const created = await d.admins.ensureBuiltins(ROOT);
  const admin = created.find((c) => c.role === 'domain')!;
  for (const attempt of [
    () => d.admins.authenticate('admin', 'wrong', 'domain', 'x.cn'),
    () => d.admins.authenticate('admin', admin.password, 'domain', 'nowhere.cn'),
    () => d.admins.authenticate('admin', admin.password, 'domain'),
    () => d.admins.authenticate('admin', admin.password, 'super'),
    () => d.admins.authenticate('nobody', admin.password, 'system'),
  ]) {
    await assert.rejects(attempt(), (err: unknown) => isMailError(err, 'AUTH_FAILED') && err.message === 'invalid user name or password');
  }

  const fresh = await d.admins.resetPassword(ROOT, 'domain', 'x.cn');
  assert.equal(fresh.length, 16);
  await assert.rejects(d.admins.authenticate('admin', admin.password, 'domain', 'x.cn'), (err: unknown) => isMailError(err, 'AUTH_FAILED'));
  await d.admins.authenticate('admin', fresh, 'domain', 'x.cn');
  const [reset] = await d.audit({ action: 'admin.password.reset' });
  assert.equal(reset?.target, 'admin@x.cn');
  assert.ok(!JSON.stringify(reset).includes(fresh));

  await assert.rejects(d.admins.changePassword(ROOT, 'super', 'administrator', '123456'), (err: unknown) => isMailError(err, 'PASSWORD_WEAK'));
  await d.admins.changePassword(ROOT, 'super', 'administrator', 'Changed-2026');
  await d.admins.authenticate('administrator', 'Changed-2026', 'super');
  await assert.rejects(d.admins.remove(ROOT, 'system', 'system'), (err: unknown) => isMailError(err, 'FORBIDDEN'));
});

test('resetPassword creates a missing built-in account', async (t) => {
  const d = await openDirectory();
  t.after(d.close);
  const pw = await d.admins.resetPassword(ROOT, 'system');
  await d.admins.authenticate('system', pw, 'system');
  await assert.rejects(d.admins.resetPassword(ROOT, 'domain', 'missing.cn'), (err: unknown) => isMailError(err, 'NOT_FOUND'));
  await assert.rejects(d.admins.resetPassword(ROOT, 'super', undefined, 'someone'), (err: unknown) => isMailError(err, 'NOT_FOUND'));
});

test('domain and department admins: a department admin must be a user of the department', async (t) => {
  const d = await openDirectory();
  t.after(d.close);
  await d.domains.add(ROOT, 'x.cn');
  const sales = await d.orgs.add(ROOT, 'x.cn', { name: 'Sales' });
  const north = await d.orgs.add(ROOT, 'x.cn', { name: 'North', parentId: sales.id });
  await d.users.add(ROOT, 'li@x.cn', { password: GOOD, orgUnitId: north.id });
  await d.users.add(ROOT, 'wang@x.cn', { password: GOOD });

  await assert.rejects(d.admins.createDepartmentAdmin(ROOT, 'x.cn', sales.id, 'wang', GOOD), /not a user of department "Sales"/);
  const li = await d.admins.createDepartmentAdmin(ROOT, 'x.cn', sales.id, 'li', GOOD);
  assert.equal(li.orgUnitId, sales.id);
  assert.equal((await d.admins.authenticate('li', GOOD, 'department', 'x.cn')).orgUnitId, sales.id);
  await assert.rejects(d.admins.createDepartmentAdmin(ROOT, 'x.cn', sales.id, 'li', GOOD), (err: unknown) => isMailError(err, 'ALREADY_EXISTS'));

  await d.admins.createDomainAdmin(ROOT, 'x.cn', 'postmaster', 'Post-Master-9');
  await assert.rejects(d.admins.createDomainAdmin(ROOT, 'x.cn', 'weak', '111111'), (err: unknown) => isMailError(err, 'PASSWORD_WEAK'));
  await assert.rejects(d.admins.createDomainAdmin(ROOT, 'x.cn', 'bad name', GOOD), (err: unknown) => isMailError(err, 'INVALID_INPUT'));
  assert.deepEqual((await d.admins.list({ domain: 'x.cn' })).map((a) => `${a.role}:${a.username}`).sort(),
    ['department:li', 'domain:postmaster']);
  await d.admins.remove(ROOT, 'department', 'li', 'x.cn');
  assert.equal((await d.admins.list({ role: 'department' })).length, 0);
});
