import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isMailError } from '../core/errors.ts';
import { GOOD, openDirectory, ROOT } from './test-fixture.ts';

test('aliases: local address, any targets, normalised and audited', async (t) => {
  const d = await openDirectory();
  t.after(d.close);
  await d.domains.add(ROOT, 'x.cn');
  await d.users.add(ROOT, 'bob@x.cn', { password: GOOD });
  const a = await d.aliases.add(ROOT, 'Sales@X.cn', ['BOB@x.cn', 'partner@Example.com', 'bob@x.cn']);
  assert.deepEqual(a, { address: 'sales@x.cn', targets: ['bob@x.cn', 'partner@example.com'] });
  assert.deepEqual(await d.aliases.list('x.cn'), [a]);
  assert.deepEqual(await d.aliases.get('sales@x.cn'), a);

  await assert.rejects(d.aliases.add(ROOT, 'sales@x.cn', ['bob@x.cn']), (err: unknown) => isMailError(err, 'ALREADY_EXISTS'));
  await assert.rejects(d.aliases.add(ROOT, 'bob@x.cn', ['x@x.cn']), /already exists as a user/);
  await assert.rejects(d.aliases.add(ROOT, 'a@elsewhere.com', ['bob@x.cn']), (err: unknown) => isMailError(err, 'NOT_FOUND'));
  await assert.rejects(d.aliases.add(ROOT, 'empty@x.cn', []), (err: unknown) => isMailError(err, 'INVALID_INPUT'));
  await assert.rejects(d.aliases.add(ROOT, 'bad@x.cn', ['not an address']), (err: unknown) => isMailError(err, 'INVALID_INPUT'));

  await d.aliases.update(ROOT, 'sales@x.cn', ['bob@x.cn']);
  assert.deepEqual((await d.aliases.get('sales@x.cn'))?.targets, ['bob@x.cn']);
  await d.aliases.remove(ROOT, 'sales@x.cn');
  assert.equal(await d.aliases.get('sales@x.cn'), undefined);
  assert.deepEqual((await d.audit()).filter((e) => e.action.startsWith('alias.')).map((e) => e.action).sort(),
    ['alias.create', 'alias.delete', 'alias.update']);
});

test('an alias that would close a loop or chain too deep is refused with ALIAS_LOOP', async (t) => {
  const d = await openDirectory();
  t.after(d.close);
  await d.domains.add(ROOT, 'x.cn');
  await d.domains.addAlias(ROOT, 'old.cn', 'x.cn');
  await d.users.add(ROOT, 'bob@x.cn', { password: GOOD });
  await d.aliases.add(ROOT, 'a@x.cn', ['b@x.cn']);
  await d.aliases.add(ROOT, 'b@x.cn', ['c@x.cn', 'bob@x.cn']);
  await assert.rejects(d.aliases.add(ROOT, 'c@x.cn', ['a@old.cn']), (err: unknown) =>
    isMailError(err, 'ALIAS_LOOP') && err.message === 'alias c@x.cn would loop: c@x.cn → a@x.cn → b@x.cn → c@x.cn');
  await assert.rejects(d.aliases.add(ROOT, 'self@x.cn', ['self@x.cn']), (err: unknown) => isMailError(err, 'ALIAS_LOOP'));
  await assert.rejects(d.aliases.update(ROOT, 'b@x.cn', ['a@x.cn']), (err: unknown) => isMailError(err, 'ALIAS_LOOP'));

  // A chain of 10 aliases is fine; the 11th is refused.
  for (let i = 9; i >= 1; i--) await d.aliases.add(ROOT, `h${i}@x.cn`, [i === 9 ? 'bob@x.cn' : `h${i + 1}@x.cn`]);
  await d.aliases.add(ROOT, 'h0@x.cn', ['h1@x.cn']);
  await assert.rejects(d.aliases.add(ROOT, 'top@x.cn', ['h0@x.cn']), (err: unknown) =>
    isMailError(err, 'ALIAS_LOOP') && /more than 10 aliases/.test(err.message));
});

test('lists: members with rights, the domain list limit, batch add, audit', async (t) => {
  const d = await openDirectory();
  t.after(d.close);
  await d.domains.add(ROOT, 'x.cn', { maxLists: 1 });
  const l = await d.lists.add(ROOT, 'gaoguan@x.cn', {
    description: '高管', visibility: 'private',
    members: ['ceo@x.cn', { address: 'CFO@x.cn', canSend: false }],
  });
  assert.equal(l.address, 'gaoguan@x.cn');
  assert.equal(l.list.visibility, 'private');
  await assert.rejects(d.lists.add(ROOT, 'second@x.cn'), (err: unknown) =>
    isMailError(err, 'LIMIT_REACHED') && err.message === 'domain x.cn has reached its limit of 1 mailing lists');

  await d.lists.addMember(ROOT, 'gaoguan@x.cn', 'cto@x.cn', { canReceive: false });
  await d.lists.addMembers(ROOT, 'gaoguan@x.cn', ['coo@x.cn', { address: 'cfo@x.cn', canSend: true }]);
  const shown = await d.lists.show('gaoguan@x.cn');
  assert.deepEqual(shown.members.map((m) => [m.address, m.canSend, m.canReceive]), [
    ['ceo@x.cn', true, true], ['cfo@x.cn', true, true], ['coo@x.cn', true, true], ['cto@x.cn', true, false],
  ]);
  await d.lists.removeMember(ROOT, 'gaoguan@x.cn', 'coo@x.cn');
  await assert.rejects(d.lists.removeMember(ROOT, 'gaoguan@x.cn', 'coo@x.cn'), (err: unknown) => isMailError(err, 'NOT_FOUND'));
  await assert.rejects(d.lists.addMember(ROOT, 'gaoguan@x.cn', 'gaoguan@x.cn'), /cannot be a member of itself/);
  await d.lists.update(ROOT, 'gaoguan@x.cn', { visibility: 'public' });
  assert.equal((await d.lists.show('gaoguan@x.cn')).list.visibility, 'public');
  assert.deepEqual((await d.lists.list('x.cn')).map((x) => x.address), ['gaoguan@x.cn']);

  const added = await d.audit({ action: 'list.member.add' });
  assert.equal(added.length, 2);
  assert.equal(added[0]?.target, 'gaoguan@x.cn');
  await d.lists.remove(ROOT, 'gaoguan@x.cn');
  await d.lists.add(ROOT, 'second@x.cn');
  const actions = new Set((await d.audit()).map((e) => e.action));
  for (const a of ['list.create', 'list.update', 'list.delete', 'list.member.add', 'list.member.remove']) assert.ok(actions.has(a), a);
});
