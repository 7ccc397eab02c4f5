import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isMailError } from '../core/errors.ts';
import { DomainService } from './domains.ts';
import { openDirectory, ROOT, T0 } from './test-fixture.ts';

test('an IDN domain is stored as punycode and shown in Unicode', async (t) => {
  const d = await openDirectory();
  t.after(d.close);
  const created = await d.domains.add(ROOT, '例子.中国', { maxUsers: 10 });
  assert.equal(created.name, 'xn--fsqu00a.xn--fiqs8s');
  assert.equal(created.strongPasswords, true, 'strong passwords are on by default');
  const info = await d.domains.show('例子.中国');
  assert.equal(info.displayName, '例子.中国');
  assert.equal(info.effectiveStatus, 'valid');
  assert.deepEqual(info.usage, { users: 0, lists: 0, quotaAllocatedBytes: 0, usedBytes: 0 });
  assert.equal((await d.domains.show('XN--FSQU00A.xn--fiqs8s')).domain.id, created.id);
  const [listed] = await d.domains.list();
  assert.equal(listed?.displayName, '例子.中国');

  await assert.rejects(d.domains.add(ROOT, 'xn--fsqu00a.xn--fiqs8s'), (err: unknown) =>
    isMailError(err, 'ALREADY_EXISTS') && /domain 例子\.中国 already exists/.test(err.message));
  await assert.rejects(d.domains.add(ROOT, 'bad_domain.cn'), (err: unknown) => isMailError(err, 'INVALID_INPUT'));
  await assert.rejects(d.domains.add(ROOT, 'ok.cn', { maxUsers: -1 }), /maxUsers must be a whole number/);
});

test('domain aliases: names are unique across domains and aliases, targets must exist', async (t) => {
  const d = await openDirectory();
  t.after(d.close);
  await d.domains.add(ROOT, 'new.cn');
  await d.domains.add(ROOT, 'other.cn');
  await d.domains.addAlias(ROOT, 'old.cn', 'new.cn');

  assert.equal((await d.domains.resolveDomain('old.cn'))?.name, 'new.cn');
  assert.equal((await d.domains.resolveDomain('OLD.CN'))?.name, 'new.cn');
  assert.equal(await d.domains.isLocal('old.cn'), true);
  assert.equal(await d.domains.isLocal('new.cn'), true);
  assert.equal(await d.domains.isLocal('example.com'), false);
  assert.equal(await d.domains.isLocal('not a domain'), false);
  assert.deepEqual(await d.domains.listAliases(), [{ alias: 'old.cn', domain: 'new.cn' }]);
  assert.deepEqual((await d.domains.show('new.cn')).aliases, ['old.cn']);

  await assert.rejects(d.domains.add(ROOT, 'old.cn'), (err: unknown) =>
    isMailError(err, 'ALREADY_EXISTS') && /old\.cn is already a domain alias of new\.cn/.test(err.message));
  await assert.rejects(d.domains.addAlias(ROOT, 'other.cn', 'new.cn'), (err: unknown) => isMailError(err, 'ALREADY_EXISTS'));
  await assert.rejects(d.domains.addAlias(ROOT, 'old.cn', 'other.cn'), (err: unknown) => isMailError(err, 'ALREADY_EXISTS'));
  await assert.rejects(d.domains.addAlias(ROOT, 'x.cn', 'missing.cn'), (err: unknown) => isMailError(err, 'NOT_FOUND'));
  await assert.rejects(d.domains.addAlias(ROOT, 'x.cn', 'old.cn'), /old\.cn is a domain alias of new\.cn, not a domain/);
  await assert.rejects(d.domains.show('old.cn'), (err: unknown) => isMailError(err, 'NOT_FOUND'));

  await d.domains.removeAlias(ROOT, 'old.cn');
  assert.equal(await d.domains.isLocal('old.cn'), false);
  await assert.rejects(d.domains.removeAlias(ROOT, 'old.cn'), (err: unknown) => isMailError(err, 'NOT_FOUND'));
});

test('a domain past its expiry date is expired whatever its stored status', async (t) => {
  const d = await openDirectory();
  t.after(d.close);
  const dom = await d.domains.add(ROOT, 'x.cn', { expiresAt: T0 + 1000 });
  assert.equal(d.domains.effectiveStatus(dom), 'valid');
  assert.equal(d.domains.effectiveStatus(dom, T0 + 2000), 'expired');
  d.clock.advance(2000);
  assert.equal((await d.domains.show('x.cn')).effectiveStatus, 'expired');
  assert.equal((await d.domains.show('x.cn')).domain.status, 'valid');
  await d.domains.update(ROOT, 'x.cn', { status: 'invalid', expiresAt: null });
  assert.equal((await d.domains.show('x.cn')).effectiveStatus, 'invalid');
});

test('domain changes are audited; removing a domain removes its aliases', async (t) => {
  const d = await openDirectory();
  t.after(d.close);
  await d.domains.add(ROOT, 'x.cn', { maxUsers: 5, companyName: '有局科技' });
  await d.domains.update(ROOT, 'x.cn', { maxUsers: 50 });
  await d.domains.addAlias(ROOT, 'y.cn', 'x.cn');
  await d.domains.remove(ROOT, 'x.cn');

  const entries = await d.audit();
  const actions = entries.map((e) => e.action).sort();
  assert.deepEqual(actions, ['domain.alias.create', 'domain.create', 'domain.delete', 'domain.update']);
  const create = entries.find((e) => e.action === 'domain.create')!;
  assert.equal(create.actor, 'cli:root');
  assert.equal(create.source, 'cli');
  assert.equal(create.target, 'x.cn');
  assert.equal(create.details.maxUsers, 5);
  assert.equal(await d.domains.isLocal('y.cn'), false);
  assert.deepEqual(await d.domains.list(), []);
});

test('a new domain takes its password policy from security.strongPasswordsDefault', async (t) => {
  const d = await openDirectory();
  t.after(d.close);
  let strong = false;
  const domains = new DomainService(d.store, undefined, () => strong);
  assert.equal((await domains.add(ROOT, 'lax.cn')).strongPasswords, false);
  strong = true;
  assert.equal((await domains.add(ROOT, 'strict.cn')).strongPasswords, true);
  assert.equal((await domains.add(ROOT, 'chosen.cn', { strongPasswords: false })).strongPasswords, false, 'an explicit choice wins');
});
