import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isMailError } from '../core/errors.ts';
import type { OrgNode } from './orgs.ts';
import { GOOD, openDirectory, ROOT } from './test-fixture.ts';

const shape = (nodes: OrgNode[]): unknown => nodes.map((n) => (n.children.length ? [n.unit.name, shape(n.children)] : n.unit.name));

test('departments form a tree sorted by order then name; deleting one keeps its users', async (t) => {
  const d = await openDirectory();
  t.after(d.close);
  await d.domains.add(ROOT, 'x.cn');
  await d.users.add(ROOT, 'ceo@x.cn', { password: GOOD });
  const sales = await d.orgs.add(ROOT, 'x.cn', { name: '销售部', sortOrder: 2 });
  const office = await d.orgs.add(ROOT, 'x.cn', { name: '总裁办', sortOrder: 1, leader: 'ceo@x.cn' });
  const north = await d.orgs.add(ROOT, 'x.cn', { name: 'North', parentId: sales.id });
  await d.orgs.add(ROOT, 'x.cn', { name: 'East', parentId: sales.id });
  assert.equal(office.leaderUserId, (await d.users.byAddress('ceo@x.cn'))?.id);
  assert.deepEqual(shape(await d.orgs.tree('x.cn')), ['总裁办', ['销售部', ['East', 'North']]]);

  await assert.rejects(d.orgs.add(ROOT, 'x.cn', { name: 'north', parentId: sales.id }), (err: unknown) => isMailError(err, 'ALREADY_EXISTS'));
  await assert.rejects(d.orgs.move(ROOT, sales.id, north.id), /cannot move under itself/);
  await assert.rejects(d.orgs.add(ROOT, 'x.cn', { name: ' ' }), (err: unknown) => isMailError(err, 'INVALID_INPUT'));

  await d.orgs.move(ROOT, north.id, office.id);
  await d.orgs.rename(ROOT, north.id, '北方');
  await d.orgs.update(ROOT, office.id, { sortOrder: 3, leader: null });
  assert.deepEqual(shape(await d.orgs.tree('x.cn')), [['销售部', ['East']], ['总裁办', ['北方']]]);

  await d.users.add(ROOT, 'li@x.cn', { password: GOOD, orgUnitId: sales.id });
  await d.orgs.setUserDepartment(ROOT, 'ceo@x.cn', office.id);
  await d.orgs.delete(ROOT, sales.id);
  const li = await d.users.byAddress('li@x.cn');
  assert.equal(li?.orgUnitId, null, 'the user stays, without a department');
  assert.deepEqual(shape(await d.orgs.tree('x.cn')), ['East', ['总裁办', ['北方']]]);

  const actions = (await d.audit()).map((e) => e.action);
  for (const a of ['org.create', 'org.move', 'org.rename', 'org.update', 'org.delete', 'user.department']) assert.ok(actions.includes(a), a);
});

test('departments and leaders belong to one domain', async (t) => {
  const d = await openDirectory();
  t.after(d.close);
  await d.domains.add(ROOT, 'x.cn');
  await d.domains.add(ROOT, 'y.cn');
  await d.users.add(ROOT, 'bob@y.cn', { password: GOOD });
  const unit = await d.orgs.add(ROOT, 'x.cn', { name: 'R&D' });
  await assert.rejects(d.orgs.add(ROOT, 'y.cn', { name: 'Sub', parentId: unit.id }), (err: unknown) => isMailError(err, 'NOT_FOUND'));
  await assert.rejects(d.orgs.add(ROOT, 'x.cn', { name: 'Ops', leader: 'bob@y.cn' }), /leader must be a user of domain x\.cn/);
  await assert.rejects(d.orgs.setUserDepartment(ROOT, 'bob@y.cn', unit.id), (err: unknown) => isMailError(err, 'NOT_FOUND'));
  await assert.rejects(d.users.add(ROOT, 'eve@y.cn', { password: GOOD, orgUnitId: unit.id }), (err: unknown) => isMailError(err, 'NOT_FOUND'));
});
