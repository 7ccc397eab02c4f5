/**
 * Contract for the customer book, directory shares and users' login names (migration 023): fields
 * kept as given, the domain boundary on every customer method, search with LIKE's own characters
 * taken literally, code-point order, a deleted category leaving its entries uncategorised, rows gone
 * with their domain, shares one way, and login names unique per domain (empty ones never clash).
 * Run by both backends from sqlite/ and postgres/ store tests.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { CustomerFields } from '../store.ts';
import { makeOwner, makeUser, rejectsWith, type OpenStore, useStore } from './fixtures.ts';

const entry = (name: string, email: string, more: Partial<CustomerFields> = {}): CustomerFields => ({
  name, email, company: '', phone: '', mobile: '', address: '', notes: '', categoryId: null, ...more,
});

export function runCustomersContract(name: string, open: OpenStore): void {
  describe(`${name}: customer book contract`, () => {
    const ctx = useStore(open);

    it('keeps every field, searches, orders, and sees only the domain\'s rows; a deleted category keeps its entries', async () => {
      const { domain } = await makeOwner(ctx);
      const other = await ctx.tx((tx) => tx.domains.create({ name: 'customers-other.test' }));
      const cat = await ctx.tx((tx) => tx.customers.createCategory(domain.id, '重要客户'));
      await rejectsWith(ctx.tx((tx) => tx.customers.createCategory(domain.id, '重要客户')), 'ALREADY_EXISTS');
      const full = entry('王总', 'Wang@Client.test', { company: '华南贸易', phone: '020-1234', mobile: '138', address: '广州', notes: 'a\nb', categoryId: cat.id });
      const c = await ctx.tx((tx) => tx.customers.create(domain.id, full));
      assert.deepEqual({ ...c, id: 0, createdAt: 0, updatedAt: 0 }, { ...full, id: 0, domainId: domain.id, createdAt: 0, updatedAt: 0 });
      await ctx.tx((tx) => tx.customers.create(domain.id, entry('alice', 'alice@x.test')));
      await ctx.tx((tx) => tx.customers.create(domain.id, entry('Bob_100%', 'bob@x.test')));
      assert.deepEqual((await ctx.read((tx) => tx.customers.list(domain.id))).map((x) => x.name), ['alice', 'Bob_100%', '王总'], 'by name, case-insensitive');
      assert.deepEqual((await ctx.read((tx) => tx.customers.list(domain.id, { search: '_100%' }))).map((x) => x.name), ['Bob_100%']);
      assert.equal(await ctx.read((tx) => tx.customers.count(domain.id, { search: '%' })), 1, 'LIKE characters are literal');
      assert.deepEqual((await ctx.read((tx) => tx.customers.list(domain.id, { categoryId: cat.id }))).map((x) => x.id), [c.id]);
      assert.equal(await ctx.read((tx) => tx.customers.count(domain.id, { categoryId: null })), 2);
      assert.deepEqual((await ctx.read((tx) => tx.customers.list(domain.id, { offset: 1, limit: 1 }))).map((x) => x.name), ['Bob_100%']);
      assert.deepEqual((await ctx.read((tx) => tx.customers.byEmail(domain.id, 'WANG@client.TEST'))).map((x) => x.id), [c.id]);
      assert.equal((await ctx.read((tx) => tx.customers.categories(domain.id)))[0]!.members, 1);
      // Another domain's ids find nothing.
      assert.equal(await ctx.read((tx) => tx.customers.get(other.id, c.id)), undefined);
      assert.equal(await ctx.tx((tx) => tx.customers.update(other.id, c.id, { name: 'x' })), undefined);
      assert.equal(await ctx.tx((tx) => tx.customers.delete(other.id, [c.id])), 0);
      assert.equal(await ctx.tx((tx) => tx.customers.deleteCategory(other.id, cat.id)), false);
      assert.equal(await ctx.tx((tx) => tx.customers.renameCategory(other.id, cat.id, 'x')), undefined);

      assert.equal((await ctx.tx((tx) => tx.customers.update(domain.id, c.id, { name: '王总监', notes: undefined })))!.notes, 'a\nb');
      assert.equal((await ctx.tx((tx) => tx.customers.renameCategory(domain.id, cat.id, 'VIP')))!.name, 'VIP');
      assert.equal(await ctx.tx((tx) => tx.customers.deleteCategory(domain.id, cat.id)), true);
      assert.equal((await ctx.read((tx) => tx.customers.get(domain.id, c.id)))!.categoryId, null, 'entries stay, uncategorised');
      assert.equal(await ctx.tx((tx) => tx.customers.delete(domain.id, [c.id])), 1);
      await ctx.tx((tx) => tx.domains.delete(domain.id));
      assert.equal(await ctx.read((tx) => tx.customers.count(domain.id)), 0, 'gone with the domain');
    });

    it('shares are one way; login names are unique per domain', async () => {
      const { domain, user } = await makeOwner(ctx);
      const other = await ctx.tx((tx) => tx.domains.create({ name: 'shares-other.test' }));
      assert.equal(await ctx.tx((tx) => tx.directoryShares.add(domain.id, other.id)), true);
      assert.equal(await ctx.tx((tx) => tx.directoryShares.add(domain.id, other.id)), false);
      assert.deepEqual(await ctx.read((tx) => tx.directoryShares.sharedWith(domain.id)), [other.id]);
      assert.deepEqual(await ctx.read((tx) => tx.directoryShares.sharedWith(other.id)), []);
      assert.equal((await ctx.read((tx) => tx.directoryShares.list())).length, 1);
      assert.equal(await ctx.tx((tx) => tx.directoryShares.remove(domain.id, other.id)), true);
      assert.equal(await ctx.tx((tx) => tx.directoryShares.remove(domain.id, other.id)), false);

      const second = await makeUser(ctx, domain.id);
      assert.equal(user.loginName, '');
      await ctx.tx((tx) => tx.users.update(user.id, { loginName: 'E1' }));
      assert.equal((await ctx.read((tx) => tx.users.byLoginName(domain.id, 'E1')))?.id, user.id);
      assert.equal(await ctx.read((tx) => tx.users.byLoginName(domain.id, '')), undefined);
      assert.equal(await ctx.read((tx) => tx.users.byLoginName(other.id, 'E1')), undefined);
      await rejectsWith(ctx.tx((tx) => tx.users.update(second.id, { loginName: 'E1' })), 'ALREADY_EXISTS');
      const third = await ctx.tx((tx) => tx.users.create({ domainId: other.id, localPart: 'x', passwordHash: 'h', loginName: 'E1' }));
      assert.equal(third.loginName, 'E1', 'another domain may have the same value');
    });
  });
}
