/**
 * The store conformance suite every metadata backend (SQLite, PostgreSQL) must pass.
 * This file holds the entry point and the directory repositories: domains, domain aliases,
 * users, mailbox aliases, mailing lists, org units and admins. Mailboxes, messages, blob refs and
 * transaction concurrency are in messages.contract.ts; queue, settings and audit in queue.contract.ts.
 * Each describe group opens its own empty store (the factory's job) and closes it after.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { BlobStore } from '../blob-store.ts';
import type { Domain, OrgUnit, Store, User, UserQuery } from '../store.ts';
import type { AdminId, DomainId, ListId, OrgUnitId, UserId } from '../../core/ids.ts';
import {
  appendNew, makeDomain, makeMailbox, makeOwner, makeUser, must, type OpenStore, putBlob, newMessage,
  refcount, rejectsWith, uniq, useStore,
} from './fixtures.ts';
import { runMessageContract } from './messages.contract.ts';
import { runQueueContract } from './queue.contract.ts';

export function runStoreContract(
  name: string,
  open: () => Promise<{ store: Store; blobs: BlobStore; close: () => Promise<void> }>,
): void {
  describe(`${name}: store contract`, () => {
    describeDomains(open);
    describeDomainAliases(open);
    describeUsers(open);
    describeAliases(open);
    describeLists(open);
    describeOrgUnits(open);
    describeAdmins(open);
    runMessageContract(open);
    runQueueContract(open);
  });
}

const MISSING_DOMAIN = 987_654_321 as DomainId;
const within = (t: number, from: number, to: number): boolean => t >= from - 1000 && t <= to + 1000;

function describeDomains(open: OpenStore): void {
  describe('domains', () => {
    const ctx = useStore(open);

    it('create fills the defaults: valid, unlimited (0), strong passwords, never expires', async () => {
      const t0 = Date.now();
      const d = await ctx.tx((tx) => tx.domains.create({ name: 'defaults.example' }));
      assert.equal(typeof d.id, 'number');
      assert.equal(d.name, 'defaults.example');
      assert.equal(d.status, 'valid');
      assert.equal(d.maxUsers, 0);
      assert.equal(d.maxSizeBytes, 0);
      assert.equal(d.maxLists, 0);
      assert.equal(d.strongPasswords, true);
      assert.equal(d.expiresAt, null);
      for (const k of ['allowRegistration', 'requireApproval', 'showAdminLogin'] as const) assert.equal(typeof d[k], 'boolean', k);
      for (const k of ['defaultQuotaBytes', 'defaultDiskQuotaBytes', 'openedAt'] as const) assert.equal(typeof d[k], 'number', k);
      assert.equal(typeof d.feedbackAddress, 'string');
      assert.equal(typeof d.companyName, 'string');
      assert.ok(within(d.createdAt, t0, Date.now()), `createdAt ${d.createdAt} is ms since the epoch`);
      assert.deepEqual(await ctx.read((tx) => tx.domains.get(d.id)), d);
    });

    it('create keeps every given value, with big sizes and booleans as booleans', async () => {
      const values = {
        name: 'full.example', status: 'invalid', maxUsers: 500, maxSizeBytes: 10 * 2 ** 30, maxLists: 7,
        defaultQuotaBytes: 3 * 2 ** 30, defaultDiskQuotaBytes: 2 ** 33, openedAt: 1_700_000_000_000,
        expiresAt: 1_900_000_000_000, allowRegistration: true, requireApproval: true, showAdminLogin: false,
        strongPasswords: false, feedbackAddress: 'postmaster@full.example', companyName: '某某科技有限公司',
      } as const;
      const d = await ctx.tx((tx) => tx.domains.create(values));
      const got = must(await ctx.read((tx) => tx.domains.get(d.id)), 'domain');
      for (const [k, v] of Object.entries(values)) assert.strictEqual(got[k as keyof Domain], v, k);
      assert.deepEqual(got, d);
    });

    it('a duplicate name is ALREADY_EXISTS and leaves the first domain alone', async () => {
      const d = await makeDomain(ctx, { companyName: 'first' });
      await rejectsWith(ctx.tx((tx) => tx.domains.create({ name: d.name, companyName: 'second' })), 'ALREADY_EXISTS');
      const got = must(await ctx.read((tx) => tx.domains.byName(d.name)), 'domain');
      assert.equal(got.id, d.id);
      assert.equal(got.companyName, 'first');
    });

    it('get, byName and list find domains; missing ones are undefined', async () => {
      const a = await makeDomain(ctx);
      const b = await makeDomain(ctx);
      await ctx.read(async (tx) => {
        assert.equal((await tx.domains.get(a.id))?.name, a.name);
        assert.equal((await tx.domains.byName(b.name))?.id, b.id);
        assert.equal(await tx.domains.get(MISSING_DOMAIN), undefined);
        assert.equal(await tx.domains.byName('missing.example'), undefined);
        const ids = (await tx.domains.list()).map((d) => d.id);
        assert.ok(ids.includes(a.id) && ids.includes(b.id));
        assert.equal(new Set(ids).size, ids.length);
      });
    });

    it('update changes the given fields only and returns the row', async () => {
      const d = await makeDomain(ctx, { companyName: 'keep me' });
      for (const status of ['invalid', 'expired', 'valid'] as const) {
        const u = await ctx.tx((tx) => tx.domains.update(d.id, { status }));
        assert.equal(u?.status, status);
      }
      const patch = {
        maxUsers: 10, maxSizeBytes: 5 * 2 ** 30, maxLists: 3, defaultQuotaBytes: 2 ** 30, defaultDiskQuotaBytes: 2 ** 31,
        openedAt: 1_600_000_000_000, expiresAt: 1_800_000_000_000, allowRegistration: true, requireApproval: true,
        showAdminLogin: true, strongPasswords: false,
      };
      const u = must(await ctx.tx((tx) => tx.domains.update(d.id, patch)), 'updated domain');
      const got = must(await ctx.read((tx) => tx.domains.get(d.id)), 'domain');
      assert.deepEqual(got, u);
      for (const [k, v] of Object.entries(patch)) assert.strictEqual(got[k as keyof Domain], v, k);
      assert.equal(got.name, d.name);
      assert.equal(got.companyName, 'keep me');
      assert.equal(got.createdAt, d.createdAt);
      const back = await ctx.tx((tx) => tx.domains.update(d.id, { expiresAt: null, strongPasswords: true, allowRegistration: false }));
      assert.equal(back?.expiresAt, null);
      assert.strictEqual(back?.strongPasswords, true);
      assert.strictEqual(back?.allowRegistration, false);
      assert.equal(await ctx.tx((tx) => tx.domains.update(MISSING_DOMAIN, { maxUsers: 1 })), undefined);
    });

    it('usage counts users and lists and sums allocated quotas and stored bytes; allocation the users and quotas alone', async () => {
      const d = await makeDomain(ctx);
      assert.deepEqual(await ctx.read((tx) => tx.domains.usage(d.id)),
        { users: 0, lists: 0, quotaAllocatedBytes: 0, usedBytes: 0 });
      const u1 = await makeUser(ctx, d.id, { quotaBytes: 1000 });
      const u2 = await makeUser(ctx, d.id, { quotaBytes: 3 * 2 ** 30 });
      await ctx.tx((tx) => tx.lists.create({ domainId: d.id, localPart: uniq('list') }));
      const box1 = await makeMailbox(ctx, u1.id);
      const box2 = await makeMailbox(ctx, u2.id);
      const m1 = await appendNew(ctx, box1);
      const m2 = await appendNew(ctx, box1);
      const m3 = await appendNew(ctx, box2);
      // Another domain's users, lists and messages are not counted.
      const other = await makeOwner(ctx);
      await appendNew(ctx, await makeMailbox(ctx, other.user.id));
      await ctx.tx((tx) => tx.lists.create({ domainId: other.domain.id, localPart: uniq('list') }));
      assert.deepEqual(await ctx.read((tx) => tx.domains.usage(d.id)), {
        users: 2, lists: 1, quotaAllocatedBytes: 1000 + 3 * 2 ** 30, usedBytes: m1.blob.size + m2.blob.size + m3.blob.size,
      });
      assert.deepEqual(await ctx.read((tx) => tx.domains.allocation(d.id)), { users: 2, quotaAllocatedBytes: 1000 + 3 * 2 ** 30 });
      assert.deepEqual(await ctx.read((tx) => tx.domains.allocation(other.domain.id)), { users: 1, quotaAllocatedBytes: other.user.quotaBytes });
    });

    it('delete removes the domain with its users, mailboxes, messages, lists, aliases and org units', async () => {
      const { domain: d, user } = await makeOwner(ctx);
      const box = await makeMailbox(ctx, user.id);
      const m = await appendNew(ctx, box);
      const list = await ctx.tx((tx) => tx.lists.create({ domainId: d.id, localPart: uniq('list') }));
      await ctx.tx((tx) => tx.lists.putMember({ listId: list.id, address: 'x@y.example', canSend: true, canReceive: true }));
      const aliasPart = uniq('alias');
      await ctx.tx((tx) => tx.aliases.create({ domainId: d.id, localPart: aliasPart, targets: ['x@y.example'] }));
      const domainAlias = `${uniq('da')}.example`;
      await ctx.tx((tx) => tx.domainAliases.create(domainAlias, d.id));
      const unit = await ctx.tx((tx) => tx.orgUnits.create({ domainId: d.id, name: 'sales' }));
      const keep = await makeOwner(ctx);
      assert.equal(await refcount(ctx, m.blob.id), 1);

      assert.equal(await ctx.tx((tx) => tx.domains.delete(d.id)), true);
      await ctx.read(async (tx) => {
        assert.equal(await tx.domains.get(d.id), undefined);
        assert.equal(await tx.domains.byName(d.name), undefined);
        assert.equal(await tx.users.get(user.id), undefined);
        assert.deepEqual(await tx.users.list({ domainId: d.id }), []);
        assert.equal(await tx.mailboxes.get(box.id), undefined);
        assert.equal(await tx.messages.get(box.id, m.uid), undefined);
        assert.equal(await tx.lists.get(list.id), undefined);
        assert.deepEqual(await tx.lists.members(list.id), []);
        assert.equal(await tx.aliases.get(d.id, aliasPart), undefined);
        assert.equal(await tx.domainAliases.get(domainAlias), undefined);
        assert.equal(await tx.orgUnits.get(unit.id), undefined);
        assert.equal((await tx.users.get(keep.user.id))?.id, keep.user.id, 'other domains are untouched');
      });
      assert.equal(await refcount(ctx, m.blob.id), 0, 'the message blob is released');
      assert.equal(await ctx.tx((tx) => tx.domains.delete(d.id)), false);
    });
  });
}

function describeDomainAliases(open: OpenStore): void {
  describe('domain aliases', () => {
    const ctx = useStore(open);

    it('create, get, list by domain and delete', async () => {
      const a = await makeDomain(ctx);
      const b = await makeDomain(ctx);
      const created = await ctx.tx((tx) => tx.domainAliases.create('alias-a.example', a.id));
      assert.deepEqual(created, { alias: 'alias-a.example', domainId: a.id });
      await ctx.tx((tx) => tx.domainAliases.create('alias-a2.example', a.id));
      await ctx.tx((tx) => tx.domainAliases.create('alias-b.example', b.id));
      await ctx.read(async (tx) => {
        assert.deepEqual(await tx.domainAliases.get('alias-a.example'), { alias: 'alias-a.example', domainId: a.id });
        assert.equal(await tx.domainAliases.get('nothing.example'), undefined);
        const ofA = (await tx.domainAliases.list(a.id)).map((x) => x.alias).sort();
        assert.deepEqual(ofA, ['alias-a.example', 'alias-a2.example']);
        const all = (await tx.domainAliases.list()).map((x) => x.alias).sort();
        assert.deepEqual(all, ['alias-a.example', 'alias-a2.example', 'alias-b.example']);
      });
      assert.equal(await ctx.tx((tx) => tx.domainAliases.delete('alias-a.example')), true);
      assert.equal(await ctx.read((tx) => tx.domainAliases.get('alias-a.example')), undefined);
      assert.equal(await ctx.tx((tx) => tx.domainAliases.delete('alias-a.example')), false);
      assert.deepEqual((await ctx.read((tx) => tx.domainAliases.list(a.id))).map((x) => x.alias), ['alias-a2.example']);
    });

    it('a duplicate alias is ALREADY_EXISTS', async () => {
      const a = await makeDomain(ctx);
      const b = await makeDomain(ctx);
      await ctx.tx((tx) => tx.domainAliases.create('dup.example', a.id));
      await rejectsWith(ctx.tx((tx) => tx.domainAliases.create('dup.example', b.id)), 'ALREADY_EXISTS');
      assert.equal((await ctx.read((tx) => tx.domainAliases.get('dup.example')))?.domainId, a.id);
    });
  });
}

function describeUsers(open: OpenStore): void {
  describe('users', () => {
    const ctx = useStore(open);

    it('create fills the defaults: active, any/any scopes, visible, no unit, never logged in', async () => {
      const d = await makeDomain(ctx);
      const t0 = Date.now();
      const u = await ctx.tx((tx) => tx.users.create({ domainId: d.id, localPart: 'alice', passwordHash: '$argon2id$h' }));
      assert.equal(typeof u.id, 'number');
      assert.equal(u.domainId, d.id);
      assert.equal(u.localPart, 'alice');
      assert.equal(u.passwordHash, '$argon2id$h');
      assert.equal(u.status, 'active');
      assert.equal(u.sendScope, 'any');
      assert.equal(u.receiveScope, 'any');
      assert.deepEqual(u.scopeExceptions, []);
      assert.strictEqual(u.hiddenFromDirectory, false);
      assert.equal(u.orgUnitId, null);
      assert.equal(u.lastLoginAt, null);
      assert.equal(typeof u.realName, 'string');
      for (const k of ['quotaBytes', 'quotaMessages', 'diskQuotaBytes'] as const) assert.equal(typeof u[k], 'number', k);
      assert.ok(within(u.createdAt, t0, Date.now()));
      assert.deepEqual(await ctx.read((tx) => tx.users.get(u.id)), u);
    });

    it('the same local part twice in a domain is ALREADY_EXISTS; in another domain it is fine', async () => {
      const a = await makeDomain(ctx);
      const b = await makeDomain(ctx);
      const first = await makeUser(ctx, a.id, { localPart: 'bob', realName: 'first' });
      await rejectsWith(makeUser(ctx, a.id, { localPart: 'bob', realName: 'second' }), 'ALREADY_EXISTS');
      const other = await makeUser(ctx, b.id, { localPart: 'bob' });
      assert.notEqual(other.id, first.id);
      await ctx.read(async (tx) => {
        assert.equal((await tx.users.byAddress(a.id, 'bob'))?.realName, 'first');
        assert.equal((await tx.users.byAddress(b.id, 'bob'))?.id, other.id);
        assert.equal(await tx.users.byAddress(a.id, 'nobody'), undefined);
        assert.equal(await tx.users.get(987_654_321 as UserId), undefined);
      });
    });

    it('list and count filter by domain, unit, status and search, ordered by local part', async () => {
      const d = await makeDomain(ctx);
      const other = await makeDomain(ctx);
      const unit = await ctx.tx((tx) => tx.orgUnits.create({ domainId: d.id, name: 'sales' }));
      // Created out of order so the ordering comes from the store.
      await makeUser(ctx, d.id, { localPart: 'lixsi', realName: 'Li Xsi' });
      await makeUser(ctx, d.id, { localPart: 'carol', realName: '李四', orgUnitId: unit.id });
      await makeUser(ctx, d.id, { localPart: 'alice', realName: 'Alice Wang' });
      await makeUser(ctx, d.id, { localPart: 'dave', realName: 'Dave', status: 'pending' });
      await makeUser(ctx, d.id, { localPart: 'bob', realName: '张三', status: 'frozen' });
      await makeUser(ctx, d.id, { localPart: 'li_si', realName: 'Li Si' });
      await makeUser(ctx, other.id, { localPart: 'alice', realName: 'Other Alice' });

      const names = async (q: UserQuery): Promise<string[]> => (await ctx.read((tx) => tx.users.list(q))).map((u) => u.localPart);
      const count = (q: UserQuery): Promise<number> => ctx.read((tx) => tx.users.count(q));
      const cases: Array<[UserQuery, string[]]> = [
        [{ domainId: d.id }, ['alice', 'bob', 'carol', 'dave', 'li_si', 'lixsi']],
        [{ domainId: d.id, status: 'frozen' }, ['bob']],
        [{ domainId: d.id, status: 'pending' }, ['dave']],
        [{ domainId: d.id, status: 'active' }, ['alice', 'carol', 'li_si', 'lixsi']],
        [{ orgUnitId: unit.id }, ['carol']],
        [{ domainId: d.id, search: '张三' }, ['bob']],
        [{ domainId: d.id, search: '李' }, ['carol']],
        [{ domainId: d.id, search: 'Wang' }, ['alice']],
        [{ domainId: d.id, search: 'li' }, ['alice', 'li_si', 'lixsi']],
        [{ domainId: d.id, status: 'active', search: 'ca' }, ['carol']],
        // Search is a literal substring: LIKE wildcards in it match only themselves.
        [{ domainId: d.id, search: 'i_s' }, ['li_si']],
        [{ domainId: d.id, search: '%' }, []],
        [{ domainId: d.id, search: 'nobody-has-this' }, []],
        [{ domainId: other.id }, ['alice']],
      ];
      for (const [q, want] of cases) {
        assert.deepEqual(await names(q), want, JSON.stringify(q));
        assert.equal(await count(q), want.length, `count ${JSON.stringify(q)}`);
      }
      // Without domainId the search spans domains (other tests' users may match too, so look at ours).
      const everyAlice = (await ctx.read((tx) => tx.users.list({ search: 'Alice' })))
        .filter((u) => u.domainId === d.id || u.domainId === other.id);
      assert.deepEqual(everyAlice.map((u) => u.domainId).sort(), [d.id, other.id].sort());
      assert.deepEqual(await names({ domainId: d.id, limit: 2 }), ['alice', 'bob']);
      assert.deepEqual(await names({ domainId: d.id, limit: 2, offset: 2 }), ['carol', 'dave']);
      assert.deepEqual(await names({ domainId: d.id, limit: 10, offset: 5 }), ['lixsi']);
      assert.deepEqual(await names({ domainId: d.id, status: 'active', limit: 2, offset: 1 }), ['carol', 'li_si']);
    });

    it('update changes the given fields, round-trips arrays and booleans, and returns the row', async () => {
      const d = await makeDomain(ctx);
      const unit = await ctx.tx((tx) => tx.orgUnits.create({ domainId: d.id, name: 'ops' }));
      const u = await makeUser(ctx, d.id, { realName: 'Before' });
      const patch = {
        passwordHash: 'new-hash', realName: '王五', status: 'frozen', quotaBytes: 5 * 2 ** 30, quotaMessages: 100_000,
        diskQuotaBytes: 2 ** 33, orgUnitId: unit.id, hiddenFromDirectory: true, sendScope: 'internal',
        receiveScope: 'internal', scopeExceptions: ['boss@partner.example', 'ceo@other.example'], lastLoginAt: 1_750_000_000_000,
      } as const;
      const updated = must(await ctx.tx((tx) => tx.users.update(u.id, { ...patch, scopeExceptions: [...patch.scopeExceptions] })), 'user');
      const got = must(await ctx.read((tx) => tx.users.get(u.id)), 'user');
      assert.deepEqual(got, updated);
      for (const [k, v] of Object.entries(patch)) assert.deepStrictEqual(got[k as keyof User], v, k);
      assert.equal(got.localPart, u.localPart);
      assert.equal(got.createdAt, u.createdAt);

      const again = must(await ctx.tx((tx) => tx.users.update(u.id, {
        status: 'pending', hiddenFromDirectory: false, scopeExceptions: [], orgUnitId: null, sendScope: 'any',
      })), 'user');
      assert.equal(again.status, 'pending');
      assert.strictEqual(again.hiddenFromDirectory, false);
      assert.deepEqual(again.scopeExceptions, []);
      assert.equal(again.orgUnitId, null);
      assert.equal(again.sendScope, 'any');
      assert.equal(again.receiveScope, 'internal');
      assert.equal(again.passwordHash, 'new-hash');
      assert.equal(await ctx.tx((tx) => tx.users.update(987_654_321 as UserId, { realName: 'x' })), undefined);
    });

    it('sealedPasswords lists the users whose password is still sealed, by id, from after a given id', async () => {
      const d = await makeDomain(ctx);
      const a = await makeUser(ctx, d.id, { passwordHash: '$aesgcm$1$iv$tag$a' });
      await makeUser(ctx, d.id, { passwordHash: '$scrypt$N=16384,r=8,p=1$salt$key' });
      await makeUser(ctx, d.id, { passwordHash: 'x$aesgcm$1$' });
      await makeUser(ctx, d.id, { passwordHash: '$AESGCM$1$iv$tag$upper' });
      const c = await makeUser(ctx, d.id, { passwordHash: '$aesgcm$1$iv$tag$c' });
      const ours = new Set([a.id, c.id]);
      const sealed = async (after: UserId | 0, limit: number) =>
        (await ctx.read((tx) => tx.users.sealedPasswords(after, limit))).filter((r) => ours.has(r.id));
      assert.deepEqual(await sealed(0, 100), [{ id: a.id, passwordHash: '$aesgcm$1$iv$tag$a' }, { id: c.id, passwordHash: '$aesgcm$1$iv$tag$c' }]);
      assert.deepEqual(await sealed(a.id, 100), [{ id: c.id, passwordHash: '$aesgcm$1$iv$tag$c' }]);
      assert.deepEqual((await ctx.read((tx) => tx.users.sealedPasswords((a.id - 1) as UserId, 1))).map((r) => r.id), [a.id], 'limit');
      assert.deepEqual(await sealed(c.id, 100), []);
    });

    it('replacePasswordHash writes only over the value read: a password changed meanwhile stays', async () => {
      const d = await makeDomain(ctx);
      const u = await makeUser(ctx, d.id, { passwordHash: '$aesgcm$1$iv$tag$u' });
      const v = await makeUser(ctx, d.id, { passwordHash: '$aesgcm$1$iv$tag$v' });
      assert.equal(await ctx.tx((tx) => tx.users.replacePasswordHash(u.id, '$aesgcm$1$iv$tag$u', '$scrypt$hashed-u')), true);
      assert.equal(must(await ctx.read((tx) => tx.users.get(u.id)), 'user').passwordHash, '$scrypt$hashed-u');
      assert.deepEqual((await ctx.read((tx) => tx.users.sealedPasswords(0, 1000))).filter((r) => r.id === u.id), [], 'no longer pending');
      // v's password is set (an admin, the user) between the background role's read and its write.
      await ctx.tx((tx) => tx.users.update(v.id, { passwordHash: '$scrypt$set-meanwhile' }));
      assert.equal(await ctx.tx((tx) => tx.users.replacePasswordHash(v.id, '$aesgcm$1$iv$tag$v', '$scrypt$hashed-v')), false);
      assert.equal(must(await ctx.read((tx) => tx.users.get(v.id)), 'user').passwordHash, '$scrypt$set-meanwhile');
      // Done twice (two nodes hashing the same user): the second loses.
      assert.equal(await ctx.tx((tx) => tx.users.replacePasswordHash(u.id, '$aesgcm$1$iv$tag$u', '$scrypt$other-node')), false);
      assert.equal(must(await ctx.read((tx) => tx.users.get(u.id)), 'user').passwordHash, '$scrypt$hashed-u');
      assert.equal(await ctx.tx((tx) => tx.users.replacePasswordHash(987_654_321 as UserId, 'a', 'b')), false);
    });

    it('usage sums bytes and messages over all the user\'s mailboxes', async () => {
      const { user } = await makeOwner(ctx);
      assert.deepEqual(await ctx.read((tx) => tx.users.usage(user.id)), { bytes: 0, messages: 0 });
      const inbox = await makeMailbox(ctx, user.id, 'INBOX');
      const sent = await makeMailbox(ctx, user.id, 'Sent');
      const a = await appendNew(ctx, inbox);
      const b = await appendNew(ctx, inbox);
      const c = await appendNew(ctx, sent);
      assert.deepEqual(await ctx.read((tx) => tx.users.usage(user.id)),
        { bytes: a.blob.size + b.blob.size + c.blob.size, messages: 3 });
    });

    it('delete removes the user with mailboxes and messages and releases blob references', async () => {
      const d = await makeDomain(ctx);
      const gone = await makeUser(ctx, d.id);
      const stays = await makeUser(ctx, d.id);
      const inbox = await makeMailbox(ctx, gone.id, 'INBOX');
      const archive = await makeMailbox(ctx, gone.id, 'Archive');
      const own = await putBlob(ctx);
      const shared = await putBlob(ctx);
      await ctx.tx(async (tx) => {
        await tx.messages.append(inbox.id, newMessage(own));
        await tx.messages.append(archive.id, newMessage(own));
        await tx.messages.append(inbox.id, newMessage(shared));
      });
      const theirs = await makeMailbox(ctx, stays.id, 'INBOX');
      await ctx.tx((tx) => tx.messages.append(theirs.id, newMessage(shared)));
      assert.equal(await refcount(ctx, own.id), 2);
      assert.equal(await refcount(ctx, shared.id), 2);

      assert.equal(await ctx.tx((tx) => tx.users.delete(gone.id)), true);
      await ctx.read(async (tx) => {
        assert.equal(await tx.users.get(gone.id), undefined);
        assert.equal(await tx.users.byAddress(d.id, gone.localPart), undefined);
        assert.equal(await tx.mailboxes.get(inbox.id), undefined);
        assert.equal(await tx.mailboxes.get(archive.id), undefined);
        assert.deepEqual(await tx.mailboxes.list(gone.id), []);
        assert.deepEqual(await tx.messages.list(inbox.id), []);
        assert.equal((await tx.messages.list(theirs.id)).length, 1);
      });
      assert.equal(await refcount(ctx, own.id), 0);
      assert.equal(await refcount(ctx, shared.id), 1, 'the other user still references the shared blob');
      assert.equal(await ctx.tx((tx) => tx.users.delete(gone.id)), false);
    });
  });
}

function describeAliases(open: OpenStore): void {
  describe('mailbox aliases', () => {
    const ctx = useStore(open);

    it('create with several targets, get, list by domain and delete', async () => {
      const a = await makeDomain(ctx);
      const b = await makeDomain(ctx);
      const targets = ['zoe@a.example', 'amy@remote.example', 'bob@a.example'];
      const created = await ctx.tx((tx) => tx.aliases.create({ domainId: a.id, localPart: 'sales', targets: [...targets] }));
      assert.equal(created.localPart, 'sales');
      assert.deepEqual([...created.targets].sort(), [...targets].sort());
      await ctx.tx((tx) => tx.aliases.create({ domainId: a.id, localPart: 'info', targets: ['amy@remote.example'] }));
      await ctx.tx((tx) => tx.aliases.create({ domainId: b.id, localPart: 'sales', targets: ['x@b.example'] }));
      await ctx.read(async (tx) => {
        const got = must(await tx.aliases.get(a.id, 'sales'), 'alias');
        assert.equal(got.domainId, a.id);
        assert.deepEqual([...got.targets].sort(), [...targets].sort());
        assert.deepEqual((await tx.aliases.get(b.id, 'sales'))?.targets, ['x@b.example']);
        assert.equal(await tx.aliases.get(a.id, 'nobody'), undefined);
        assert.deepEqual((await tx.aliases.list(a.id)).map((x) => x.localPart).sort(), ['info', 'sales']);
        assert.deepEqual((await tx.aliases.list(b.id)).map((x) => x.localPart), ['sales']);
        assert.equal((await tx.aliases.list()).length, 3);
      });
      assert.equal(await ctx.tx((tx) => tx.aliases.delete(a.id, 'sales')), true);
      assert.equal(await ctx.read((tx) => tx.aliases.get(a.id, 'sales')), undefined);
      assert.equal((await ctx.read((tx) => tx.aliases.get(b.id, 'sales')))?.localPart, 'sales', 'other domain untouched');
      assert.equal(await ctx.tx((tx) => tx.aliases.delete(a.id, 'sales')), false);
    });

    it('a duplicate alias is ALREADY_EXISTS', async () => {
      const d = await makeDomain(ctx);
      await ctx.tx((tx) => tx.aliases.create({ domainId: d.id, localPart: 'dup', targets: ['a@x.example'] }));
      await rejectsWith(ctx.tx((tx) => tx.aliases.create({ domainId: d.id, localPart: 'dup', targets: ['b@x.example'] })), 'ALREADY_EXISTS');
      assert.deepEqual((await ctx.read((tx) => tx.aliases.get(d.id, 'dup')))?.targets, ['a@x.example']);
    });
  });
}

function describeLists(open: OpenStore): void {
  describe('mailing lists', () => {
    const ctx = useStore(open);

    it('create fills the defaults; get, byAddress and list find it', async () => {
      const d = await makeDomain(ctx);
      const other = await makeDomain(ctx);
      const t0 = Date.now();
      const l = await ctx.tx((tx) => tx.lists.create({ domainId: d.id, localPart: 'all' }));
      assert.equal(typeof l.id, 'number');
      assert.equal(l.domainId, d.id);
      assert.equal(l.localPart, 'all');
      assert.equal(l.visibility, 'public');
      assert.equal(l.description, '');
      assert.ok(within(l.createdAt, t0, Date.now()));
      const p = await ctx.tx((tx) => tx.lists.create({ domainId: d.id, localPart: 'board', description: '董事会', visibility: 'private' }));
      assert.equal(p.visibility, 'private');
      assert.equal(p.description, '董事会');
      const o = await ctx.tx((tx) => tx.lists.create({ domainId: other.id, localPart: 'all' }));
      await ctx.read(async (tx) => {
        assert.deepEqual(await tx.lists.get(l.id), l);
        assert.deepEqual(await tx.lists.byAddress(d.id, 'board'), p);
        assert.equal((await tx.lists.byAddress(other.id, 'all'))?.id, o.id);
        assert.equal(await tx.lists.byAddress(d.id, 'nothing'), undefined);
        assert.equal(await tx.lists.get(987_654_321 as ListId), undefined);
        assert.deepEqual((await tx.lists.list(d.id)).map((x) => x.id).sort(), [l.id, p.id].sort());
        assert.equal((await tx.lists.list()).length, 3);
      });
      await rejectsWith(ctx.tx((tx) => tx.lists.create({ domainId: d.id, localPart: 'all' })), 'ALREADY_EXISTS');
    });

    it('update changes description and visibility', async () => {
      const d = await makeDomain(ctx);
      const l = await ctx.tx((tx) => tx.lists.create({ domainId: d.id, localPart: 'staff' }));
      const u = must(await ctx.tx((tx) => tx.lists.update(l.id, { description: '全体员工', visibility: 'private' })), 'list');
      assert.equal(u.description, '全体员工');
      assert.equal(u.visibility, 'private');
      assert.equal(u.localPart, 'staff');
      const v = await ctx.tx((tx) => tx.lists.update(l.id, { visibility: 'public' }));
      assert.equal(v?.visibility, 'public');
      assert.equal(v?.description, '全体员工');
      assert.deepEqual(await ctx.read((tx) => tx.lists.get(l.id)), v);
      assert.equal(await ctx.tx((tx) => tx.lists.update(987_654_321 as ListId, { description: 'x' })), undefined);
    });

    it('putMember inserts then replaces rights; members come sorted by address; removeMember', async () => {
      const d = await makeDomain(ctx);
      const l = await ctx.tx((tx) => tx.lists.create({ domainId: d.id, localPart: 'team' }));
      const other = await ctx.tx((tx) => tx.lists.create({ domainId: d.id, localPart: 'other' }));
      await ctx.tx(async (tx) => {
        await tx.lists.putMember({ listId: l.id, address: 'zed@a.example', canSend: true, canReceive: true });
        await tx.lists.putMember({ listId: l.id, address: 'amy@a.example', canSend: false, canReceive: true });
        await tx.lists.putMember({ listId: l.id, address: 'mike@b.example', canSend: true, canReceive: false });
        await tx.lists.putMember({ listId: other.id, address: 'amy@a.example', canSend: true, canReceive: true });
      });
      assert.deepEqual(await ctx.read((tx) => tx.lists.members(l.id)), [
        { listId: l.id, address: 'amy@a.example', canSend: false, canReceive: true },
        { listId: l.id, address: 'mike@b.example', canSend: true, canReceive: false },
        { listId: l.id, address: 'zed@a.example', canSend: true, canReceive: true },
      ]);
      await ctx.tx((tx) => tx.lists.putMember({ listId: l.id, address: 'amy@a.example', canSend: true, canReceive: false }));
      const members = await ctx.read((tx) => tx.lists.members(l.id));
      assert.equal(members.length, 3, 'replacing rights adds no row');
      assert.deepEqual(members[0], { listId: l.id, address: 'amy@a.example', canSend: true, canReceive: false });
      assert.equal(await ctx.tx((tx) => tx.lists.removeMember(l.id, 'mike@b.example')), true);
      assert.equal(await ctx.tx((tx) => tx.lists.removeMember(l.id, 'mike@b.example')), false);
      assert.deepEqual((await ctx.read((tx) => tx.lists.members(l.id))).map((m) => m.address), ['amy@a.example', 'zed@a.example']);
      assert.equal((await ctx.read((tx) => tx.lists.members(other.id))).length, 1, 'other lists untouched');
    });

    it('delete removes the list and its members', async () => {
      const d = await makeDomain(ctx);
      const l = await ctx.tx((tx) => tx.lists.create({ domainId: d.id, localPart: 'temp' }));
      await ctx.tx((tx) => tx.lists.putMember({ listId: l.id, address: 'a@x.example', canSend: true, canReceive: true }));
      assert.equal(await ctx.tx((tx) => tx.lists.delete(l.id)), true);
      assert.equal(await ctx.read((tx) => tx.lists.get(l.id)), undefined);
      assert.equal(await ctx.read((tx) => tx.lists.byAddress(d.id, 'temp')), undefined);
      assert.deepEqual(await ctx.read((tx) => tx.lists.members(l.id)), []);
      assert.equal(await ctx.tx((tx) => tx.lists.delete(l.id)), false);
      // The address is free again.
      await ctx.tx((tx) => tx.lists.create({ domainId: d.id, localPart: 'temp' }));
    });
  });
}

function describeOrgUnits(open: OpenStore): void {
  describe('org units', () => {
    const ctx = useStore(open);

    it('create builds a tree; list groups siblings ordered by sortOrder then name', async () => {
      const d = await makeDomain(ctx);
      const other = await makeDomain(ctx);
      const mk = (name: string, parentId: OrgUnitId | null, sortOrder?: number): Promise<OrgUnit> =>
        ctx.tx((tx) => tx.orgUnits.create({ domainId: d.id, name, parentId, ...(sortOrder === undefined ? {} : { sortOrder }) }));
      const plain = await ctx.tx((tx) => tx.orgUnits.create({ domainId: d.id, name: 'beta' }));
      assert.equal(plain.parentId, null);
      assert.equal(plain.sortOrder, 0);
      assert.equal(plain.leaderUserId, null);
      assert.equal(plain.domainId, d.id);
      const alpha = await mk('alpha', null, 0);
      await mk('zeta', null, -1);
      await mk('c2', plain.id, 2);
      await mk('c1', plain.id, 2);
      await mk('c0', plain.id, 5);
      const x = await mk('x', alpha.id);
      await mk('deep', x.id, 1);
      await ctx.tx((tx) => tx.orgUnits.create({ domainId: other.id, name: 'elsewhere' }));
      assert.deepEqual(await ctx.read((tx) => tx.orgUnits.get(alpha.id)), alpha);

      const units = await ctx.read((tx) => tx.orgUnits.list(d.id));
      assert.equal(units.length, 8);
      assert.ok(units.every((u) => u.domainId === d.id));
      // Siblings are contiguous; where NULL parents sort is the database's choice, so only groups are checked.
      const groups: Array<{ parentId: OrgUnitId | null; names: string[] }> = [];
      for (const u of units) {
        const last = groups.at(-1);
        if (last && last.parentId === u.parentId) last.names.push(u.name);
        else groups.push({ parentId: u.parentId, names: [u.name] });
      }
      assert.equal(groups.length, 4, `siblings contiguous: ${JSON.stringify(groups)}`);
      const byParent = new Map(groups.map((g) => [g.parentId, g.names]));
      assert.deepEqual(byParent.get(null), ['zeta', 'alpha', 'beta']);
      assert.deepEqual(byParent.get(plain.id), ['c1', 'c2', 'c0']);
      assert.deepEqual(byParent.get(alpha.id), ['x']);
      assert.deepEqual(byParent.get(x.id), ['deep']);
      const parents = groups.map((g) => g.parentId).filter((p): p is OrgUnitId => p !== null);
      assert.deepEqual(parents, [...parents].sort((p, q) => p - q), 'groups ordered by parent id');
    });

    it('update sets leader, sortOrder, name and parent', async () => {
      const d = await makeDomain(ctx);
      const leader = await makeUser(ctx, d.id);
      const root = await ctx.tx((tx) => tx.orgUnits.create({ domainId: d.id, name: 'root' }));
      const u = await ctx.tx((tx) => tx.orgUnits.create({ domainId: d.id, name: 'team' }));
      const changed = must(await ctx.tx((tx) => tx.orgUnits.update(u.id, {
        leaderUserId: leader.id, sortOrder: 7, name: '研发部', parentId: root.id,
      })), 'unit');
      assert.deepEqual(changed, { ...u, leaderUserId: leader.id, sortOrder: 7, name: '研发部', parentId: root.id });
      assert.deepEqual(await ctx.read((tx) => tx.orgUnits.get(u.id)), changed);
      const cleared = await ctx.tx((tx) => tx.orgUnits.update(u.id, { leaderUserId: null, parentId: null }));
      assert.equal(cleared?.leaderUserId, null);
      assert.equal(cleared?.parentId, null);
      assert.equal(cleared?.sortOrder, 7);
      assert.equal(await ctx.tx((tx) => tx.orgUnits.update(987_654_321 as OrgUnitId, { name: 'x' })), undefined);
    });

    it('delete moves children to the parent and detaches users without deleting them', async () => {
      const d = await makeDomain(ctx);
      const root = await ctx.tx((tx) => tx.orgUnits.create({ domainId: d.id, name: 'root' }));
      const mid = await ctx.tx((tx) => tx.orgUnits.create({ domainId: d.id, name: 'mid', parentId: root.id }));
      const leaf = await ctx.tx((tx) => tx.orgUnits.create({ domainId: d.id, name: 'leaf', parentId: mid.id }));
      const inMid = await makeUser(ctx, d.id, { orgUnitId: mid.id });
      const inLeaf = await makeUser(ctx, d.id, { orgUnitId: leaf.id });
      assert.equal(await ctx.tx((tx) => tx.orgUnits.delete(mid.id)), true);
      await ctx.read(async (tx) => {
        assert.equal(await tx.orgUnits.get(mid.id), undefined);
        assert.equal((await tx.orgUnits.get(leaf.id))?.parentId, root.id);
        const u1 = must(await tx.users.get(inMid.id), 'user of the deleted unit');
        assert.equal(u1.orgUnitId, null);
        assert.equal((await tx.users.get(inLeaf.id))?.orgUnitId, leaf.id);
        assert.deepEqual(await tx.users.list({ orgUnitId: mid.id }), []);
      });
      // Deleting a root makes its children roots.
      assert.equal(await ctx.tx((tx) => tx.orgUnits.delete(root.id)), true);
      assert.equal((await ctx.read((tx) => tx.orgUnits.get(leaf.id)))?.parentId, null);
      assert.equal(await ctx.tx((tx) => tx.orgUnits.delete(root.id)), false);
    });
  });
}

function describeAdmins(open: OpenStore): void {
  describe('admins', () => {
    const ctx = useStore(open);

    it('create each role, get and find by (username, role, domain)', async () => {
      const d = await makeDomain(ctx);
      const unit = await ctx.tx((tx) => tx.orgUnits.create({ domainId: d.id, name: 'hr' }));
      const t0 = Date.now();
      const system = await ctx.tx((tx) => tx.admins.create({ username: 'root', passwordHash: 'h1', role: 'system', domainId: null, orgUnitId: null }));
      const sup = await ctx.tx((tx) => tx.admins.create({ username: 'administrator', passwordHash: 'h2', role: 'super', domainId: null, orgUnitId: null }));
      const dom = await ctx.tx((tx) => tx.admins.create({ username: 'admin', passwordHash: 'h3', role: 'domain', domainId: d.id, orgUnitId: null }));
      const dept = await ctx.tx((tx) => tx.admins.create({ username: 'hr-admin', passwordHash: 'h4', role: 'department', domainId: d.id, orgUnitId: unit.id }));
      assert.equal(typeof system.id, 'number');
      assert.equal(new Set([system.id, sup.id, dom.id, dept.id]).size, 4);
      assert.deepEqual({ ...dept, id: 0, createdAt: 0 },
        { id: 0, createdAt: 0, username: 'hr-admin', passwordHash: 'h4', role: 'department', domainId: d.id, orgUnitId: unit.id });
      assert.ok(within(dept.createdAt, t0, Date.now()));
      await ctx.read(async (tx) => {
        assert.deepEqual(await tx.admins.get(sup.id), sup);
        assert.equal(await tx.admins.get(987_654_321 as AdminId), undefined);
        assert.equal((await tx.admins.find('root', 'system', null))?.id, system.id);
        assert.equal((await tx.admins.find('administrator', 'super', null))?.id, sup.id);
        assert.equal((await tx.admins.find('admin', 'domain', d.id))?.id, dom.id);
        assert.deepEqual(await tx.admins.find('hr-admin', 'department', d.id), dept);
        assert.equal(await tx.admins.find('root', 'super', null), undefined, 'role is part of the key');
        assert.equal(await tx.admins.find('admin', 'domain', null), undefined, 'domain is part of the key');
        assert.equal(await tx.admins.find('nobody', 'system', null), undefined);
      });
    });

    it('(username, role, domain) is unique, including when domain is null', async () => {
      const a = await makeDomain(ctx);
      const b = await makeDomain(ctx);
      const create = (username: string, role: 'system' | 'super' | 'domain', domainId: DomainId | null) =>
        ctx.tx((tx) => tx.admins.create({ username, passwordHash: 'h', role, domainId, orgUnitId: null }));
      await create('ops', 'system', null);
      await rejectsWith(create('ops', 'system', null), 'ALREADY_EXISTS');
      await create('ops', 'super', null);
      await create('ops', 'domain', a.id);
      await create('ops', 'domain', b.id);
      await rejectsWith(create('ops', 'domain', a.id), 'ALREADY_EXISTS');
      assert.equal((await ctx.read((tx) => tx.admins.list({ role: 'system' }))).filter((x) => x.username === 'ops').length, 1);
    });

    it('list filters by role and domain', async () => {
      const d = await makeDomain(ctx);
      const other = await makeDomain(ctx);
      const unit = await ctx.tx((tx) => tx.orgUnits.create({ domainId: d.id, name: 'it' }));
      const mine = [
        await ctx.tx((tx) => tx.admins.create({ username: uniq('a'), passwordHash: 'h', role: 'domain', domainId: d.id, orgUnitId: null })),
        await ctx.tx((tx) => tx.admins.create({ username: uniq('a'), passwordHash: 'h', role: 'department', domainId: d.id, orgUnitId: unit.id })),
      ];
      const theirs = await ctx.tx((tx) => tx.admins.create({ username: uniq('a'), passwordHash: 'h', role: 'domain', domainId: other.id, orgUnitId: null }));
      await ctx.read(async (tx) => {
        const ids = (xs: Array<{ id: AdminId }>) => xs.map((x) => x.id).sort((p, q) => p - q);
        assert.deepEqual(ids(await tx.admins.list({ domainId: d.id })), ids(mine));
        assert.deepEqual(ids(await tx.admins.list({ domainId: d.id, role: 'department' })), ids(mine.slice(1)));
        const domainAdmins = await tx.admins.list({ role: 'domain' });
        assert.ok(domainAdmins.every((x) => x.role === 'domain'));
        assert.ok(domainAdmins.some((x) => x.id === theirs.id) && domainAdmins.some((x) => x.id === mine[0]?.id));
        const all = ids(await tx.admins.list());
        for (const x of [...mine, theirs]) assert.ok(all.includes(x.id));
      });
    });

    it('setPassword and delete', async () => {
      const a = await ctx.tx((tx) => tx.admins.create({ username: uniq('a'), passwordHash: 'old', role: 'super', domainId: null, orgUnitId: null }));
      assert.equal(await ctx.tx((tx) => tx.admins.setPassword(a.id, 'new')), true);
      assert.equal((await ctx.read((tx) => tx.admins.get(a.id)))?.passwordHash, 'new');
      assert.equal(await ctx.tx((tx) => tx.admins.setPassword(987_654_321 as AdminId, 'x')), false);
      assert.equal(await ctx.tx((tx) => tx.admins.delete(a.id)), true);
      assert.equal(await ctx.read((tx) => tx.admins.get(a.id)), undefined);
      assert.equal(await ctx.read((tx) => tx.admins.find(a.username, 'super', null)), undefined);
      assert.equal(await ctx.tx((tx) => tx.admins.delete(a.id)), false);
    });
  });
}
