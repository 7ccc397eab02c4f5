/** postmaster@/abuse@ role accounts, sub-addressing (user+tag) and SRS addresses in recipient resolution (issue #10 §3.1, §3.2, §3.5). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Resolution } from './resolve.ts';
import { Resolver, splitDetail } from './resolve.ts';
import { Srs } from './srs.ts';
import { GOOD, openDirectory, ROOT } from './test-fixture.ts';

function addresses(r: Resolution): string[] {
  assert.equal(r.kind, 'local', JSON.stringify(r));
  return r.kind === 'local' ? [...r.users.map((u) => u.address).sort(), ...r.remote.sort()] : [];
}

test('postmaster@ and abuse@ reach the domain admin user, the oldest user, or the configured address', async (t) => {
  const d = await openDirectory();
  t.after(d.close);
  await d.domains.add(ROOT, 'new.cn');
  await d.domains.addAlias(ROOT, 'old.cn', 'new.cn');
  assert.deepEqual(await d.resolver.resolveRecipient('postmaster@new.cn'), { kind: 'unknown', reason: 'no-such-user' },
    'a domain without users has nobody to read it');
  await d.users.add(ROOT, 'zoe@new.cn', { password: GOOD });
  await d.users.add(ROOT, 'bob@new.cn', { password: GOOD });
  assert.deepEqual(addresses(await d.resolver.resolveRecipient('postmaster@new.cn')), ['zoe@new.cn'], 'oldest user');
  assert.deepEqual(addresses(await d.resolver.resolveRecipient('Abuse@old.cn')), ['zoe@new.cn'], 'abuse follows postmaster');
  await d.users.add(ROOT, 'admin@new.cn', { password: GOOD });
  assert.deepEqual(addresses(await d.resolver.resolveRecipient('postmaster@new.cn')), ['admin@new.cn'], 'admin@ first');

  await d.domains.setRoleAccounts(ROOT, 'new.cn', { postmaster: 'bob@old.cn', abuse: 'soc@example.com' });
  assert.deepEqual(addresses(await d.resolver.resolveRecipient('postmaster@new.cn')), ['bob@new.cn']);
  assert.deepEqual(await d.resolver.resolveRecipient('abuse@new.cn'), { kind: 'local', users: [], remote: ['soc@example.com'] });
  const info = await d.domains.show('new.cn');
  assert.deepEqual(info.roleAccounts, {
    postmaster: { configured: 'bob@old.cn', deliversTo: 'bob@old.cn' },
    abuse: { configured: 'soc@example.com', deliversTo: 'soc@example.com' },
  });
  await d.domains.setRoleAccounts(ROOT, 'new.cn', { abuse: '' });
  assert.deepEqual(addresses(await d.resolver.resolveRecipient('abuse@new.cn')), ['bob@new.cn'], 'back to postmaster\'s');
  await assert.rejects(d.domains.setRoleAccounts(ROOT, 'new.cn', { postmaster: 'postmaster@new.cn' }));

  // A real user or alias of that name wins.
  await d.aliases.add(ROOT, 'abuse@new.cn', ['zoe@new.cn']);
  assert.deepEqual(addresses(await d.resolver.resolveRecipient('abuse@new.cn')), ['zoe@new.cn']);
});

test('user+tag reaches user, with the tag as detail; the exact name wins; "" turns it off', async (t) => {
  const d = await openDirectory();
  t.after(d.close);
  await d.domains.add(ROOT, 'new.cn');
  await d.users.add(ROOT, 'bob@new.cn', { password: GOOD });
  await d.users.add(ROOT, 'bob+vip@new.cn', { password: GOOD });
  await d.aliases.add(ROOT, 'sales@new.cn', ['bob@new.cn', 'x@example.com']);
  let delimiter = '+';
  const resolver = new Resolver(d.store, d.clock, { recipientDelimiter: () => delimiter });
  const bob = await d.users.byAddress('bob@new.cn');
  assert.deepEqual(await resolver.resolveRecipient('bob+news@new.cn'),
    { kind: 'local', users: [{ id: bob!.id, domainId: bob!.domainId, address: 'bob@new.cn', receiveScope: 'any', scopeExceptions: [] }], remote: [], detail: 'news' });
  assert.deepEqual(addresses(await resolver.resolveRecipient('bob+vip@new.cn')), ['bob+vip@new.cn'], 'exact user wins');
  assert.deepEqual(addresses(await resolver.resolveRecipient('sales+q3@new.cn')), ['bob@new.cn', 'x@example.com'], 'aliases too');
  assert.deepEqual(addresses(await resolver.resolveRecipient('postmaster+x@new.cn')), ['bob@new.cn']);
  assert.deepEqual(await resolver.resolveRecipient('nobody+x@new.cn'), { kind: 'unknown', reason: 'no-such-user' });
  assert.deepEqual(await resolver.resolveRecipient('x+y@example.com'), { kind: 'remote', address: 'x+y@example.com' });
  delimiter = '';
  assert.deepEqual(await resolver.resolveRecipient('bob+news@new.cn'), { kind: 'unknown', reason: 'no-such-user' });
  delimiter = '-+';
  assert.equal((await resolver.resolveRecipient('bob-news@new.cn') as { detail?: string }).detail, 'news');
});

test('splitDetail splits at the first delimiter character, never at the start', () => {
  assert.deepEqual(splitDetail('a+b+c', '+'), { base: 'a', detail: 'b+c' });
  assert.deepEqual(splitDetail('a-b+c', '+-'), { base: 'a', detail: 'b+c' });
  assert.equal(splitDetail('+abc', '+'), undefined);
  assert.equal(splitDetail('abc', ''), undefined);
});

test('SRS addresses at a local domain resolve to the original sender; forged and expired ones are unknown', async (t) => {
  const d = await openDirectory();
  t.after(d.close);
  await d.domains.add(ROOT, 'new.cn');
  let now = d.clock.now();
  const srs = new Srs({ key: () => Buffer.alloc(32, 1), maxAgeDays: () => 21, now: () => now });
  const resolver = new Resolver(d.store, d.clock, { srs });
  const address = srs.forward('alice@example.org', 'new.cn');
  assert.deepEqual(await resolver.resolveRecipient(address), { kind: 'remote', address: 'alice@example.org' });
  assert.deepEqual(await resolver.resolveRecipient(address.replace('alice', 'eve')), { kind: 'unknown', reason: 'no-such-user' });
  assert.deepEqual(await resolver.resolveRecipient(address.replace('@new.cn', '@example.com')),
    { kind: 'remote', address: address.replace('@new.cn', '@example.com').toLowerCase() }, 'not ours: just a remote address');
  now += 30 * 86_400_000;
  assert.deepEqual(await resolver.resolveRecipient(address), { kind: 'unknown', reason: 'no-such-user' }, 'expired');
});
