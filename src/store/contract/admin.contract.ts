/**
 * Store contract for the admin consoles (issue #14): the users list in every order with ties by
 * address (pages neither overlap nor skip), filtered to a set of org units (a department admin's
 * subtree) and by search, and the admin sessions table (by token hash, per admin, pruning, gone
 * with their admin). Run by both backends from sqlite/ and postgres/ store tests.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { USER_SORTS, type AdminSession, type UserQuery } from '../store.ts';
import type { AdminId } from '../../core/ids.ts';
import { makeDomain, makeUser, type OpenStore, uniq, useStore } from './fixtures.ts';

export function runAdminContract(name: string, open: OpenStore): void {
  describe(`${name}: admin contract`, () => {
    describeUserList(open);
    describeAdminSessions(open);
  });
}

function describeUserList(open: OpenStore): void {
  describe('users list', () => {
    const ctx = useStore(open);

    it('sorts by each order both ways with ties by address, pages cleanly, filters by org units and search', async () => {
      const domain = await makeDomain(ctx);
      const other = await makeDomain(ctx);
      const [sales, north] = await ctx.tx(async (tx) => {
        const s = await tx.orgUnits.create({ domainId: domain.id, name: 'sales' });
        return [s, await tx.orgUnits.create({ domainId: domain.id, name: 'north', parentId: s.id })];
      });
      const rows = [
        { localPart: 'dan', realName: '王五', status: 'frozen' as const, quotaBytes: 30, lastLoginAt: 500, orgUnitId: sales.id },
        { localPart: 'amy', realName: '李四', status: 'active' as const, quotaBytes: 10, lastLoginAt: null, orgUnitId: north.id },
        { localPart: 'cat', realName: '李四', status: 'active' as const, quotaBytes: 10, lastLoginAt: 100, orgUnitId: null },
        { localPart: 'bob_x', realName: 'Bob 100%', status: 'pending' as const, quotaBytes: 20, lastLoginAt: 100, orgUnitId: null },
      ];
      for (const r of rows) await makeUser(ctx, domain.id, r);
      await makeUser(ctx, other.id, { localPart: 'amy', realName: '李四' });
      const names = async (q: UserQuery) => (await ctx.read((tx) => tx.users.list({ domainId: domain.id, ...q }))).map((u) => u.localPart);

      assert.deepEqual(await names({}), ['amy', 'bob_x', 'cat', 'dan']);
      assert.deepEqual(await names({ sort: 'address', descending: true }), ['dan', 'cat', 'bob_x', 'amy']);
      assert.deepEqual(await names({ sort: 'quotaBytes' }), ['amy', 'cat', 'bob_x', 'dan']);
      assert.deepEqual(await names({ sort: 'quotaBytes', descending: true }), ['dan', 'bob_x', 'cat', 'amy']);
      assert.deepEqual(await names({ sort: 'status' }), ['amy', 'cat', 'dan', 'bob_x']);
      assert.deepEqual(await names({ sort: 'lastLoginAt' }), ['amy', 'bob_x', 'cat', 'dan'], 'never logged in first');
      assert.deepEqual(await names({ sort: 'createdAt' }), ['dan', 'amy', 'cat', 'bob_x']);
      assert.deepEqual(await names({ sort: 'realName' }), ['bob_x', 'amy', 'cat', 'dan']);
      for (const sort of USER_SORTS) {
        for (const descending of [false, true]) {
          const all = await names({ sort, descending });
          const paged = [...await names({ sort, descending, limit: 3 }), ...await names({ sort, descending, limit: 3, offset: 3 })];
          assert.deepEqual(paged, all, `${sort} ${descending}`);
        }
      }
      assert.deepEqual(await names({ orgUnitIds: [sales.id, north.id] }), ['amy', 'dan']);
      assert.deepEqual(await names({ orgUnitIds: [] }), [], 'an empty set matches nobody');
      assert.equal(await ctx.read((tx) => tx.users.count({ domainId: domain.id, orgUnitIds: [north.id] })), 1);
      assert.deepEqual(await names({ search: '李' }), ['amy', 'cat']);
      assert.deepEqual(await names({ search: '100%' }), ['bob_x'], 'LIKE wildcards are literal');
      assert.deepEqual(await names({ search: 'b_x' }), ['bob_x']);
      assert.deepEqual(await names({ search: 'BOB' }), ['bob_x'], 'case-insensitive');
      assert.equal(await ctx.read((tx) => tx.users.count({ domainId: domain.id, search: '李' })), 2);
    });
  });
}

function describeAdminSessions(open: OpenStore): void {
  describe('admin sessions', () => {
    const ctx = useStore(open);
    const session = (adminId: AdminId, idHash: string, at: number): AdminSession =>
      ({ idHash, adminId, csrfToken: `csrf-${idHash}`, createdAt: at, lastSeenAt: at, ip: '192.0.2.1', userAgent: 'test/1.0' });
    const makeAdmin = () => ctx.tx((tx) => tx.admins.create({ username: uniq('adm'), passwordHash: 'x', role: 'super', domainId: null, orgUnitId: null }));

    it('create, get, touch, delete; a second row with the same hash is refused', async () => {
      const admin = await makeAdmin();
      const s = session(admin.id, 'a'.repeat(64), 1000);
      await ctx.tx((tx) => tx.adminSessions.create(s));
      assert.deepEqual(await ctx.read((tx) => tx.adminSessions.get(s.idHash)), s);
      await assert.rejects(ctx.tx((tx) => tx.adminSessions.create(s)));
      assert.equal(await ctx.tx((tx) => tx.adminSessions.touch(s.idHash, 5000)), true);
      assert.equal((await ctx.read((tx) => tx.adminSessions.get(s.idHash)))!.lastSeenAt, 5000);
      assert.equal(await ctx.tx((tx) => tx.adminSessions.delete(s.idHash)), true);
      assert.equal(await ctx.read((tx) => tx.adminSessions.get(s.idHash)), undefined);
      assert.equal(await ctx.tx((tx) => tx.adminSessions.touch(s.idHash, 6000)), false);
    });

    it("ends an admin's sessions together, prunes idle and old ones, and goes with the admin", async () => {
      const admin = await makeAdmin();
      const other = await makeAdmin();
      await ctx.tx(async (tx) => {
        await tx.adminSessions.create(session(admin.id, 'u1', 1000));
        await tx.adminSessions.create(session(admin.id, 'u2', 1000));
        await tx.adminSessions.create(session(other.id, 'o1', 1000));
        await tx.adminSessions.create({ ...session(other.id, 'o2', 100), lastSeenAt: 9000 });
        await tx.adminSessions.create(session(other.id, 'o3', 8000));
      });
      assert.equal(await ctx.tx((tx) => tx.adminSessions.deleteForAdmin(admin.id)), 2);
      assert.equal(await ctx.tx((tx) => tx.adminSessions.prune(2000, 500)), 2, 'o1 idle, o2 too old');
      assert.ok(await ctx.read((tx) => tx.adminSessions.get('o3')));
      await ctx.tx((tx) => tx.admins.delete(other.id));
      assert.equal(await ctx.read((tx) => tx.adminSessions.get('o3')), undefined);
    });
  });
}
