import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isMailError } from '../core/errors.ts';
import { GOOD, openDirectory, ROOT, T0 } from './test-fixture.ts';
import { UserService } from './users.ts';

const MB = 1024 * 1024;

test('a new user gets its default mailboxes, subscribed, and an audit entry without secrets', async (t) => {
  const d = await openDirectory();
  t.after(d.close);
  await d.domains.add(ROOT, 'x.cn', { defaultQuotaBytes: 100 * MB, defaultDiskQuotaBytes: 200 * MB });
  const bob = await d.users.add(ROOT, ' Bob@X.cn ', { password: GOOD, realName: '鲍勃' });
  assert.equal(bob.address, 'bob@x.cn');
  assert.equal(bob.quotaBytes, 100 * MB, 'quota defaults to the domain default');
  assert.equal(bob.diskQuotaBytes, 200 * MB);
  assert.equal(bob.status, 'active');

  const boxes = await d.store.read((tx) => tx.mailboxes.list(bob.id));
  assert.deepEqual(
    boxes.map((b) => [b.name, b.specialUse, b.subscribed]).sort(),
    [['Drafts', '\\Drafts', true], ['INBOX', '\\Inbox', true], ['Junk', '\\Junk', true],
      ['Sent', '\\Sent', true], ['Trash', '\\Trash', true]],
  );

  const [entry] = await d.audit({ action: 'user.create' });
  assert.equal(entry?.target, 'bob@x.cn');
  assert.equal(entry?.actor, 'cli:root');
  const text = JSON.stringify(entry);
  assert.ok(!text.includes(GOOD) && !text.includes('$scrypt$'), 'no password or hash in the audit log');
});

test('adding past maxUsers fails with LIMIT_REACHED naming the domain', async (t) => {
  const d = await openDirectory();
  t.after(d.close);
  await d.domains.add(ROOT, 'x.cn', { maxUsers: 2 });
  await d.users.add(ROOT, 'a@x.cn', { password: GOOD });
  await d.users.add(ROOT, 'b@x.cn', { password: GOOD });
  await assert.rejects(d.users.add(ROOT, 'c@x.cn', { password: GOOD }), (err: unknown) =>
    isMailError(err, 'LIMIT_REACHED') && err.message === 'domain x.cn has reached its limit of 2 users');
  assert.equal(await d.users.count({ domain: 'x.cn' }), 2);
  assert.equal((await d.store.read((tx) => tx.mailboxes.list(3 as never))).length, 0, 'nothing of the refused user is kept');

  await d.domains.update(ROOT, 'x.cn', { maxUsers: 0 }); // 0 = unlimited
  await d.users.add(ROOT, 'c@x.cn', { password: GOOD });
});

test('the domain size limit caps the sum of mailbox quotas', async (t) => {
  const d = await openDirectory();
  t.after(d.close);
  await d.domains.add(ROOT, 'x.cn', { maxSizeBytes: 250 * MB, defaultQuotaBytes: 100 * MB });
  await d.users.add(ROOT, 'a@x.cn', { password: GOOD });
  await d.users.add(ROOT, 'b@x.cn', { password: GOOD });
  await assert.rejects(d.users.add(ROOT, 'c@x.cn', { password: GOOD }), (err: unknown) =>
    isMailError(err, 'LIMIT_REACHED') && /domain x\.cn has reached its size limit of 250 MB/.test(err.message));
  await d.users.add(ROOT, 'c@x.cn', { password: GOOD, quotaBytes: 50 * MB });
  await assert.rejects(d.users.update(ROOT, 'c@x.cn', { quotaBytes: 60 * MB }), (err: unknown) => isMailError(err, 'LIMIT_REACHED'));
  await assert.rejects(d.users.add(ROOT, 'd@x.cn', { password: GOOD, quotaBytes: 0 }), /without a quota does not fit/);
  const c = await d.users.update(ROOT, 'c@x.cn', { quotaBytes: 40 * MB, realName: 'C' });
  assert.equal(c.quotaBytes, 40 * MB);
  assert.equal(c.realName, 'C');
});

test('123456 is refused while the domain requires strong passwords, accepted when it does not', async (t) => {
  const d = await openDirectory();
  t.after(d.close);
  await d.domains.add(ROOT, 'x.cn');
  await d.domains.add(ROOT, 'weak.cn', { strongPasswords: false });
  await assert.rejects(d.users.add(ROOT, 'a@x.cn', { password: '123456' }), (err: unknown) =>
    isMailError(err, 'PASSWORD_WEAK') && err.message === 'password is too common');
  await assert.rejects(d.users.add(ROOT, 'zhangsan@x.cn', { password: 'Zhangsan2026' }), /account name/);
  const a = await d.users.add(ROOT, 'a@weak.cn', { password: '123456' });
  assert.equal((await d.users.authenticate('a@weak.cn', '123456')).id, a.id);

  await d.users.add(ROOT, 'b@x.cn', { password: GOOD });
  await assert.rejects(d.users.setPassword(ROOT, 'b@x.cn', 'qwerty'), (err: unknown) => isMailError(err, 'PASSWORD_WEAK'));
  await d.users.setPassword(ROOT, 'b@x.cn', 'Another-2027');
  await assert.rejects(d.users.authenticate('b@x.cn', GOOD), (err: unknown) => isMailError(err, 'AUTH_FAILED'));
  await d.users.authenticate('b@x.cn', 'Another-2027');
  assert.equal((await d.audit({ action: 'user.password' }))[0]?.target, 'b@x.cn');
});

test('an address is one thing: user, alias or list', async (t) => {
  const d = await openDirectory();
  t.after(d.close);
  await d.domains.add(ROOT, 'x.cn');
  await d.users.add(ROOT, 'bob@x.cn', { password: GOOD });
  await d.aliases.add(ROOT, 'robert@x.cn', ['bob@x.cn']);
  await d.lists.add(ROOT, 'staff@x.cn', { members: ['bob@x.cn'] });
  for (const [address, kind] of [['bob@x.cn', 'user'], ['robert@x.cn', 'mailbox alias'], ['staff@x.cn', 'mailing list']]) {
    await assert.rejects(d.users.add(ROOT, address!, { password: GOOD }), (err: unknown) =>
      isMailError(err, 'ALREADY_EXISTS') && err.message === `${address} already exists as a ${kind}`);
  }
  await assert.rejects(d.users.add(ROOT, 'bob@nowhere.cn', { password: GOOD }), /domain nowhere\.cn does not exist/);
});

test('users cannot be added to an expired domain', async (t) => {
  const d = await openDirectory();
  t.after(d.close);
  await d.domains.add(ROOT, 'x.cn', { expiresAt: T0 - 1 });
  await assert.rejects(d.users.add(ROOT, 'a@x.cn', { password: GOOD }), (err: unknown) =>
    isMailError(err, 'FORBIDDEN') && /^domain x\.cn is expired on \d{4}-\d\d-\d\d$/.test(err.message) && err.details?.field === 'expiresAt');
  await d.domains.update(ROOT, 'x.cn', { expiresAt: null, status: 'invalid' });
  await assert.rejects(d.lists.add(ROOT, 'l@x.cn'), (err: unknown) => isMailError(err, 'FORBIDDEN') && err.details?.field === 'status');
  await assert.rejects(d.aliases.add(ROOT, 'al@x.cn', ['b@y.cn']), (err: unknown) => isMailError(err, 'FORBIDDEN') && err.details?.field === 'status');
});

test('authenticate: one answer for unknown users and wrong passwords; frozen users and dead domains are disabled', async (t) => {
  const d = await openDirectory();
  t.after(d.close);
  await d.domains.add(ROOT, 'new.cn');
  await d.domains.addAlias(ROOT, 'old.cn', 'new.cn');
  await d.users.add(ROOT, 'bob@new.cn', { password: GOOD });
  await d.aliases.add(ROOT, 'robert@new.cn', ['bob@new.cn']);

  d.clock.advance(5000);
  const bob = await d.users.authenticate('BOB@new.cn', GOOD);
  assert.equal(bob.address, 'bob@new.cn');
  assert.equal(bob.lastLoginAt, T0 + 5000);
  assert.equal((await d.users.byAddress('bob@new.cn'))?.lastLoginAt, T0 + 5000);

  const failures = await Promise.all([
    d.users.authenticate('bob@new.cn', 'wrong').catch((e: unknown) => e),
    d.users.authenticate('nobody@new.cn', GOOD).catch((e: unknown) => e),
    d.users.authenticate('bob@nowhere.cn', GOOD).catch((e: unknown) => e),
    d.users.authenticate('not an address', GOOD).catch((e: unknown) => e),
    d.users.authenticate('robert@new.cn', GOOD).catch((e: unknown) => e), // aliases cannot log in
    d.users.authenticate('bob@old.cn', GOOD).catch((e: unknown) => e), // nor domain aliases
  ]);
  for (const err of failures) {
    assert.ok(isMailError(err, 'AUTH_FAILED'), String(err));
    assert.equal(err.message, 'invalid user name or password');
  }

  await d.users.freeze(ROOT, 'bob@new.cn');
  await assert.rejects(d.users.authenticate('bob@new.cn', GOOD), (err: unknown) =>
    isMailError(err, 'ACCOUNT_DISABLED') && /frozen/.test(err.message));
  await assert.rejects(d.users.authenticate('bob@new.cn', 'wrong'), (err: unknown) => isMailError(err, 'AUTH_FAILED'),
    'a wrong password does not learn that the account is frozen');
  await d.users.unfreeze(ROOT, 'bob@new.cn');
  await d.users.authenticate('bob@new.cn', GOOD);

  await d.domains.update(ROOT, 'new.cn', { expiresAt: T0 });
  await assert.rejects(d.users.authenticate('bob@new.cn', GOOD), (err: unknown) =>
    isMailError(err, 'ACCOUNT_DISABLED') && err.message === 'domain new.cn is expired');

  const actions = (await d.audit()).map((e) => e.action);
  assert.ok(actions.includes('user.freeze') && actions.includes('user.unfreeze'));
});

test('pending registrations log in only after approval', async (t) => {
  const d = await openDirectory();
  t.after(d.close);
  await d.domains.add(ROOT, 'x.cn');
  await d.users.add(ROOT, 'new@x.cn', { password: GOOD, status: 'pending' });
  await assert.rejects(d.users.authenticate('new@x.cn', GOOD), /awaiting approval/);
  await assert.rejects(d.users.unfreeze(ROOT, 'new@x.cn'), (err: unknown) => isMailError(err, 'INVALID_INPUT'));
  await d.users.approve(ROOT, 'new@x.cn');
  await d.users.authenticate('new@x.cn', GOOD);
});

test('look-ups go through domain aliases; removal takes list memberships along', async (t) => {
  const d = await openDirectory();
  t.after(d.close);
  await d.domains.add(ROOT, '例子.中国');
  await d.domains.addAlias(ROOT, 'old.cn', '例子.中国');
  const u = await d.users.add(ROOT, 'zhangsan@例子.中国', { password: GOOD, realName: '张三', hidden: true });
  assert.equal(u.address, 'zhangsan@xn--fsqu00a.xn--fiqs8s');
  assert.equal(u.hiddenFromDirectory, true);
  assert.equal((await d.users.byAddress('zhangsan@old.cn'))?.id, u.id);
  assert.equal((await d.users.get(u.id))?.address, u.address);
  assert.equal(await d.users.byAddress('garbage'), undefined);
  assert.deepEqual((await d.users.list({ domain: '例子.中国', search: '张' })).map((x) => x.id), [u.id]);

  await d.lists.add(ROOT, 'all@例子.中国', { members: ['zhangsan@例子.中国', 'li@例子.中国'] });
  await d.users.remove(ROOT, 'zhangsan@old.cn');
  assert.equal(await d.users.byAddress(u.address), undefined);
  assert.deepEqual((await d.lists.show('all@例子.中国')).members.map((m) => m.address), ['li@xn--fsqu00a.xn--fiqs8s']);
  assert.equal((await d.audit({ action: 'user.delete' }))[0]?.target, u.address);
});

test('concurrent adds cannot overshoot maxUsers', async (t) => {
  const d = await openDirectory();
  t.after(d.close);
  await d.domains.add(ROOT, 'x.cn', { maxUsers: 2 });
  const results = await Promise.allSettled(
    ['a', 'b', 'c', 'd', 'e'].map((n) => d.users.add(ROOT, `${n}@x.cn`, { password: GOOD })));
  assert.equal(results.filter((r) => r.status === 'fulfilled').length, 2);
  assert.ok(results.every((r) => r.status === 'fulfilled' || isMailError(r.reason, 'LIMIT_REACHED')));
  assert.equal(await d.users.count({ domain: 'x.cn' }), 2);
});

test('with the login cache on, a changed password and a frozen account still count at once', async (t) => {
  const d = await openDirectory();
  t.after(d.close);
  const users = new UserService(d.store, d.clock, { loginCacheMs: () => 60_000 });
  await d.domains.add(ROOT, 'x.cn');
  await users.add(ROOT, 'bob@x.cn', { password: GOOD });
  await users.authenticate('bob@x.cn', GOOD);
  await users.authenticate('bob@x.cn', GOOD); // remembered now
  await users.setPassword(ROOT, 'bob@x.cn', 'Another-2027');
  await assert.rejects(users.authenticate('bob@x.cn', GOOD), (err: unknown) => isMailError(err, 'AUTH_FAILED'));
  await users.authenticate('bob@x.cn', 'Another-2027');
  await users.freeze(ROOT, 'bob@x.cn');
  await assert.rejects(users.authenticate('bob@x.cn', 'Another-2027'), (err: unknown) => isMailError(err, 'ACCOUNT_DISABLED'));
});
