// The options services' entry check and storage (issue #12 W14): only the user themself (or the
// system) reaches their options; a domain admin, a super admin and another user get NOT_FOUND for
// every area, and a corrupt stored value reads as the defaults instead of failing. Runs on
// PostgreSQL too with YOUJU_TEST_BACKEND=postgres.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { isMailError } from '../core/errors.ts';
import { userActor, type Actor } from '../directory/actor.ts';
import { GOOD, openDirectory, ROOT, type Directory } from '../directory/test-fixture.ts';
import type { DirectoryUser } from '../directory/users.ts';
import { userScope } from '../delivery/local/user-rules.ts';
import { AccountSecurity } from './account-security.ts';
import { UserOptions } from './user-options.ts';

describe('options services', () => {
  let d: Directory;
  let opts: UserOptions;
  let security: AccountSecurity;
  let alice: DirectoryUser;
  let bob: DirectoryUser;

  before(async () => {
    d = await openDirectory();
    await d.domains.add(ROOT, 'example.cn');
    alice = await d.users.add(ROOT, 'alice@example.cn', { password: GOOD });
    bob = await d.users.add(ROOT, 'bob@example.cn', { password: GOOD });
    opts = new UserOptions(d.store);
    security = new AccountSecurity(d.store, d.users);
  });
  after(() => d?.close());

  it('lets only the user themself (and the system) in: anyone else gets NOT_FOUND', async () => {
    const self = userActor(alice, '127.0.0.1');
    await opts.setPreferences(self, alice.id, { pageSize: 20 });
    assert.equal((await opts.preferences(ROOT, alice.id)).pageSize, 20);
    const others: Actor[] = [
      userActor(bob, '127.0.0.1'),
      { who: 'admin:admin@example.cn', from: 'x', role: { kind: 'domain', domainId: alice.domainId } },
      { who: 'admin:administrator', from: 'x', role: { kind: 'super' } },
    ];
    for (const actor of others) {
      const calls: Array<[string, () => Promise<unknown>]> = [
        ['profile', () => opts.profile(actor, alice.id)],
        ['setProfile', () => opts.setProfile(actor, alice.id, { realName: 'x' })],
        ['preferences', () => opts.setPreferences(actor, alice.id, { pageSize: 10 })],
        ['signatures', () => opts.addSignature(actor, alice.id, { name: 'x', content: 'x' })],
        ['compose', () => opts.composeOptions(actor, alice.id)],
        ['rules', () => opts.setRules(actor, alice.id, { forward: { enabled: true, to: ['evil@x.test'] } })],
        ['password', () => security.changePassword(actor, alice.id, GOOD, 'Other2026!x')],
        ['question', () => security.question(actor, alice.id)],
      ];
      for (const [name, call] of calls) {
        await assert.rejects(call(), (e: unknown) => isMailError(e, 'NOT_FOUND'), `${actor.who} ${name}`);
      }
    }
    assert.equal((await opts.preferences(ROOT, alice.id)).pageSize, 20, 'nothing changed');
    assert.equal((await opts.rules(ROOT, alice.id)).forward.enabled, false);
  });

  it('reads a corrupt stored value as the defaults', async () => {
    await d.store.tx((tx) => tx.settings.set(userScope(bob.id), 'preferences', { pageSize: 'lots' }));
    await d.store.tx((tx) => tx.settings.set(userScope(bob.id), 'signatures', [1, 2]));
    const me = userActor(bob, '127.0.0.1');
    assert.equal((await opts.preferences(me, bob.id)).pageSize, 30);
    assert.deepEqual(await opts.signatures(me, bob.id), { signatures: [], defaultId: null });
    assert.equal((await opts.setPreferences(me, bob.id, { format: 'text' })).pageSize, 30, 'a save replaces the corrupt value');
  });
});
