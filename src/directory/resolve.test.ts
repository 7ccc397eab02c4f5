import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isMailError } from '../core/errors.ts';
import type { Resolution } from './resolve.ts';
import { GOOD, openDirectory, ROOT, type Directory } from './test-fixture.ts';

/** The addresses a resolution delivers to, sorted: local users then remote addresses. */
function addresses(r: Resolution): string[] {
  assert.equal(r.kind, 'local', JSON.stringify(r));
  return r.kind === 'local' ? [...r.users.map((u) => u.address).sort(), ...r.remote.sort()] : [];
}

async function company(d: Directory): Promise<void> {
  await d.domains.add(ROOT, 'new.cn');
  await d.domains.addAlias(ROOT, 'old.cn', 'new.cn');
  await d.domains.add(ROOT, 'other.cn');
  for (const u of ['alice', 'bob', 'carol', 'dave']) await d.users.add(ROOT, `${u}@new.cn`, { password: GOOD });
  await d.users.add(ROOT, 'erin@other.cn', { password: GOOD });
}

test('users, domain aliases, remote and unknown addresses', async (t) => {
  const d = await openDirectory();
  t.after(d.close);
  await company(d);
  const bob = await d.users.byAddress('bob@new.cn');
  assert.deepEqual(await d.resolver.resolveRecipient('Bob@New.cn'),
    { kind: 'local', users: [{ id: bob!.id, domainId: bob!.domainId, address: 'bob@new.cn', receiveScope: 'any', scopeExceptions: [] }], remote: [] });
  assert.deepEqual(addresses(await d.resolver.resolveRecipient('bob@old.cn')), ['bob@new.cn'], 'user@old.cn reaches user@new.cn');
  assert.deepEqual(await d.resolver.resolveRecipient('x@example.com'), { kind: 'remote', address: 'x@example.com' });
  assert.deepEqual(await d.resolver.resolveRecipient('nobody@old.cn'), { kind: 'unknown', reason: 'no-such-user' });
  await assert.rejects(d.resolver.resolveRecipient('bad address'), (err: unknown) => isMailError(err, 'INVALID_INPUT'));

  await d.users.freeze(ROOT, 'bob@new.cn');
  assert.deepEqual(await d.resolver.resolveRecipient('bob@new.cn'), { kind: 'unknown', reason: 'disabled' });
  await d.domains.update(ROOT, 'other.cn', { status: 'invalid' });
  assert.deepEqual(await d.resolver.resolveRecipient('erin@other.cn'), { kind: 'unknown', reason: 'domain-disabled' });
});

test('alias chains are followed; loops written behind the service are ALIAS_LOOP', async (t) => {
  const d = await openDirectory();
  t.after(d.close);
  await company(d);
  await d.aliases.add(ROOT, 'sales@new.cn', ['bob@new.cn', 'boss@old.cn', 'agent@example.com']);
  await d.aliases.add(ROOT, 'boss@new.cn', ['alice@old.cn', 'bob@new.cn']);
  await d.aliases.add(ROOT, 'info@new.cn', ['sales@new.cn', 'boss@new.cn']); // a diamond, not a loop
  assert.deepEqual(addresses(await d.resolver.resolveRecipient('info@old.cn')),
    ['alice@new.cn', 'bob@new.cn', 'agent@example.com']);
  assert.deepEqual(await d.resolver.resolveRecipient('fwd@new.cn'), { kind: 'unknown', reason: 'no-such-user' });
  await d.aliases.add(ROOT, 'fwd@new.cn', ['someone@example.org']);
  assert.deepEqual(await d.resolver.resolveRecipient('fwd@new.cn'), { kind: 'local', users: [], remote: ['someone@example.org'] });

  // Rows written without the service's check (imports, another node's race) still cannot loop delivery.
  const domainId = (await d.domains.resolveDomain('new.cn'))!.id;
  await d.store.tx(async (tx) => {
    await tx.aliases.create({ domainId, localPart: 'ping', targets: ['pong@new.cn'] });
    await tx.aliases.create({ domainId, localPart: 'pong', targets: ['ping@old.cn'] });
    for (let i = 0; i < 11; i++) {
      await tx.aliases.create({ domainId, localPart: `c${i}`, targets: [i === 10 ? 'bob@new.cn' : `c${i + 1}@new.cn`] });
    }
  });
  await assert.rejects(d.resolver.resolveRecipient('ping@new.cn'), (err: unknown) =>
    isMailError(err, 'ALIAS_LOOP') && err.message === 'alias loop: ping@new.cn → pong@new.cn → ping@new.cn');
  await assert.rejects(d.resolver.resolveRecipient('c0@new.cn'), (err: unknown) =>
    isMailError(err, 'ALIAS_LOOP') && /more than 10/.test(err.message));
  assert.deepEqual(addresses(await d.resolver.resolveRecipient('c1@new.cn')), ['bob@new.cn'], 'ten hops are fine');
});

test('lists expand to receiving members, nested lists once each, frozen users skipped', async (t) => {
  const d = await openDirectory();
  t.after(d.close);
  await company(d);
  await d.lists.add(ROOT, 'team@new.cn', {
    members: ['alice@new.cn', { address: 'bob@new.cn', canReceive: false }, 'board@new.cn', 'ext@example.com'],
  });
  await d.lists.add(ROOT, 'board@new.cn', { members: ['carol@old.cn', 'alice@new.cn', 'team@new.cn', 'ghost@new.cn'] });
  await d.aliases.add(ROOT, 'everybody@new.cn', ['team@new.cn']);
  assert.deepEqual(addresses(await d.resolver.resolveRecipient('team@new.cn')),
    ['alice@new.cn', 'carol@new.cn', 'ext@example.com']);
  assert.deepEqual(addresses(await d.resolver.resolveRecipient('everybody@old.cn')),
    ['alice@new.cn', 'carol@new.cn', 'ext@example.com']);
  await d.users.freeze(ROOT, 'carol@new.cn');
  assert.deepEqual(addresses(await d.resolver.resolveRecipient('board@new.cn')), ['alice@new.cn', 'ext@example.com']);
});

test('everyone@ is built in: all active users, posting only for authenticated senders of the domain', async (t) => {
  const d = await openDirectory();
  t.after(d.close);
  await company(d);
  await d.users.freeze(ROOT, 'dave@new.cn');
  assert.deepEqual(addresses(await d.resolver.resolveRecipient('everyone@new.cn')),
    ['alice@new.cn', 'bob@new.cn', 'carol@new.cn']);
  assert.equal(await d.resolver.canPost('everyone@new.cn', 'alice@new.cn', { authenticated: true }), true);
  assert.equal(await d.resolver.canPost('everyone@old.cn', 'alice@old.cn', { authenticated: true }), true);
  assert.equal(await d.resolver.canPost('everyone@new.cn', 'alice@new.cn', { authenticated: false }), false);
  assert.equal(await d.resolver.canPost('everyone@new.cn', 'erin@other.cn', { authenticated: true }), false);
  await assert.rejects(d.resolver.resolveRecipient('everyone@new.cn', { sender: 'spammer@example.com', authenticated: false }),
    (err: unknown) => isMailError(err, 'FORBIDDEN'));
  assert.equal(addresses(await d.resolver.resolveRecipient('everyone@new.cn', { sender: 'bob@new.cn', authenticated: true })).length, 3);

  // A real list called everyone replaces the built-in one.
  await d.lists.add(ROOT, 'everyone@new.cn', { members: ['bob@new.cn'] });
  assert.deepEqual(addresses(await d.resolver.resolveRecipient('everyone@new.cn')), ['bob@new.cn']);
  assert.equal(await d.resolver.canPost('everyone@new.cn', 'x@example.com'), true, 'public by default');
});

test('private lists take posts only from members with canSend', async (t) => {
  const d = await openDirectory();
  t.after(d.close);
  await company(d);
  await d.lists.add(ROOT, 'board@new.cn', {
    visibility: 'private',
    members: ['alice@new.cn', { address: 'bob@old.cn', canSend: true, canReceive: false }, { address: 'carol@new.cn', canSend: false }],
  });
  await d.aliases.add(ROOT, 'directors@new.cn', ['board@new.cn']);
  assert.equal(await d.resolver.canPost('board@new.cn', 'alice@new.cn'), true);
  assert.equal(await d.resolver.canPost('board@new.cn', 'bob@new.cn'), true, 'members match through domain aliases');
  assert.equal(await d.resolver.canPost('board@new.cn', 'carol@new.cn'), false);
  assert.equal(await d.resolver.canPost('board@new.cn', 'x@example.com'), false);
  assert.equal(await d.resolver.canPost('board@new.cn', ''), false);
  await assert.rejects(d.resolver.canPost('alice@new.cn', 'bob@new.cn'), (err: unknown) => isMailError(err, 'NOT_FOUND'));

  await assert.rejects(d.resolver.resolveRecipient('directors@new.cn', { sender: 'x@example.com' }), (err: unknown) =>
    isMailError(err, 'FORBIDDEN') && err.message === 'x@example.com may not post to mailing list board@new.cn');
  assert.deepEqual(addresses(await d.resolver.resolveRecipient('directors@new.cn', { sender: 'alice@new.cn' })),
    ['alice@new.cn', 'carol@new.cn']);
  assert.deepEqual(addresses(await d.resolver.resolveRecipient('board@new.cn')), ['alice@new.cn', 'carol@new.cn'],
    'without a sender, rights are not checked');
});

test('a BATV-signed return path at a local domain reaches the address it stands for; elsewhere it stays remote', async (t) => {
  const d = await openDirectory();
  t.after(d.close);
  await company(d);
  assert.deepEqual(addresses(await d.resolver.resolveRecipient('prvs=0123abcdef=alice@new.cn')), ['alice@new.cn']);
  assert.deepEqual(await d.resolver.resolveRecipient('prvs=0123abcdef=nobody@new.cn'), { kind: 'unknown', reason: 'no-such-user' });
  assert.deepEqual(await d.resolver.resolveRecipient('prvs=0123abcdef=x@example.com'), { kind: 'remote', address: 'prvs=0123abcdef=x@example.com' });
});
