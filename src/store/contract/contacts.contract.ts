/**
 * Contract for personal contacts and groups (migration 016): fields kept as given, the owner
 * boundary on every method (another user's ids find nothing), search with LIKE's own characters
 * taken literally, lookup by address, code-point order and paging, group membership both ways,
 * and rows gone with their user. Run by both backends from sqlite/ and postgres/ store tests.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { ContactFields, ContactQuery } from '../store.ts';
import type { ContactId } from '../../core/ids.ts';
import { makeOwner, makeUser, rejectsWith, type OpenStore, useStore } from './fixtures.ts';

const fields = (name: string, emails: string[], more: Partial<ContactFields> = {}): ContactFields => ({
  name, emails, phones: [], company: '', department: '', title: '', address: '', birthday: '', notes: '', ...more,
});

export function runContactsContract(name: string, open: OpenStore): void {
  describe(`${name}: contacts contract`, () => {
    const ctx = useStore(open);

    it('keeps every field, finds by address, and sees only the owner\'s rows', async () => {
      const { domain, user } = await makeOwner(ctx);
      const other = await makeUser(ctx, domain.id);
      const full = fields('王芳', ['WangFang@Partner.test', 'wf@home.test'], {
        phones: [{ kind: 'mobile', number: '+86 138 0000 0000' }], company: '伙伴公司', department: '销售部', title: '经理',
        address: '北京市海淀区', birthday: '1990-05-01', notes: 'line 1\nline 2',
      });
      const c = await ctx.tx((tx) => tx.contacts.create(user.id, full));
      assert.deepEqual({ ...c, id: 0, createdAt: 0, updatedAt: 0 }, { ...full, id: 0, userId: user.id, groupIds: [], createdAt: 0, updatedAt: 0 });
      assert.deepEqual(await ctx.read((tx) => tx.contacts.get(user.id, c.id)), c);
      assert.equal(await ctx.read((tx) => tx.contacts.get(other.id, c.id)), undefined, "another user's id is not found");
      assert.deepEqual((await ctx.read((tx) => tx.contacts.byEmail(user.id, 'wangfang@partner.TEST'))).map((x) => x.id), [c.id]);
      assert.deepEqual(await ctx.read((tx) => tx.contacts.byEmail(user.id, 'wf@home')), [], 'whole addresses only');
      assert.deepEqual(await ctx.read((tx) => tx.contacts.byEmail(other.id, 'wf@home.test')), []);
      assert.equal(await ctx.tx((tx) => tx.contacts.update(other.id, c.id, { name: 'x' })), undefined);
      assert.equal(await ctx.tx((tx) => tx.contacts.delete(other.id, [c.id])), 0);
      assert.equal((await ctx.read((tx) => tx.contacts.get(user.id, c.id)))!.name, '王芳', 'untouched by the other user');

      const u = await ctx.tx((tx) => tx.contacts.update(user.id, c.id, { name: '王芳芳', emails: ['new@partner.test'], notes: undefined }));
      assert.equal(u!.name, '王芳芳');
      assert.equal(u!.notes, 'line 1\nline 2', 'undefined leaves a field as it was');
      assert.deepEqual(await ctx.read((tx) => tx.contacts.byEmail(user.id, 'wf@home.test')), [], 'the old address is gone from the lookup');
      assert.equal((await ctx.read((tx) => tx.contacts.byEmail(user.id, 'NEW@partner.test'))).length, 1);
      assert.equal(await ctx.tx((tx) => tx.contacts.delete(user.id, [c.id, 999_999 as ContactId])), 1);
      assert.equal(await ctx.read((tx) => tx.contacts.get(user.id, c.id)), undefined);
    });

    it('searches name, address, company and phone; % and _ are literal; orders by code point and pages', async () => {
      const { user } = await makeOwner(ctx);
      const add = (f: ContactFields) => ctx.tx((tx) => tx.contacts.create(user.id, f));
      const b = await add(fields('bob', ['bob@x.test'], { company: 'ACME 100%' }));
      const a = await add(fields('Alice', ['alice@x.test'], { phones: [{ kind: 'work', number: '010-5555' }] }));
      const z = await add(fields('张三', ['zhang_san@y.test']));
      const a2 = await add(fields('alice', ['alice2@x.test']));
      const ids = async (q: ContactQuery) =>
        (await ctx.read((tx) => tx.contacts.list(user.id, q))).map((c) => c.id);
      assert.deepEqual(await ids({}), [a.id, a2.id, b.id, z.id], 'lower-cased name, then id; CJK after ASCII');
      assert.deepEqual(await ids({ search: 'ALI' }), [a.id, a2.id]);
      assert.deepEqual(await ids({ search: '张' }), [z.id]);
      assert.deepEqual(await ids({ search: 'acme' }), [b.id]);
      assert.deepEqual(await ids({ search: '5555' }), [a.id]);
      assert.deepEqual(await ids({ search: '100%' }), [b.id]);
      assert.deepEqual(await ids({ search: '%' }), [b.id], '% is not a wildcard');
      assert.deepEqual(await ids({ search: 'g_s' }), [z.id]);
      assert.deepEqual(await ids({ search: 'o_s' }), [], '_ is not a wildcard');
      assert.deepEqual(await ids({ offset: 1, limit: 2 }), [a2.id, b.id]);
      assert.equal(await ctx.read((tx) => tx.contacts.count(user.id, { search: 'x.test' })), 3);
      assert.deepEqual((await ctx.read((tx) => tx.contacts.getMany(user.id, [z.id, b.id, 424_242 as ContactId]))).map((c) => c.id), [b.id, z.id]);
    });

    it('groups: names unique per owner, membership both ways, contacts outlive their group', async () => {
      const { domain, user } = await makeOwner(ctx);
      const other = await makeUser(ctx, domain.id);
      const g1 = await ctx.tx((tx) => tx.contacts.createGroup(user.id, '同事'));
      const g2 = await ctx.tx((tx) => tx.contacts.createGroup(user.id, 'Friends'));
      await rejectsWith(ctx.tx((tx) => tx.contacts.createGroup(user.id, '同事')), 'ALREADY_EXISTS');
      const og = await ctx.tx((tx) => tx.contacts.createGroup(other.id, '同事')); // the same name for another user is fine
      const c1 = await ctx.tx((tx) => tx.contacts.create(user.id, fields('a', ['a@x.test']), [g1.id, og.id]));
      assert.deepEqual(c1.groupIds, [g1.id], "another user's group is dropped");
      const c2 = await ctx.tx((tx) => tx.contacts.create(user.id, fields('b', ['b@x.test'])));
      const oc = await ctx.tx((tx) => tx.contacts.create(other.id, fields('o', ['o@x.test'])));
      assert.equal(await ctx.tx((tx) => tx.contacts.addMembers(user.id, g1.id, [c1.id, c2.id, oc.id])), 1, 'c1 already in, oc not the owner\'s');
      assert.equal(await ctx.tx((tx) => tx.contacts.addMembers(user.id, og.id, [c1.id])), undefined, "another user's group");
      assert.equal(await ctx.tx((tx) => tx.contacts.addMembers(other.id, g1.id, [oc.id])), undefined);
      assert.deepEqual((await ctx.read((tx) => tx.contacts.groups(user.id))).map((g) => [g.name, g.members]), [['Friends', 0], ['同事', 2]]);
      assert.deepEqual((await ctx.read((tx) => tx.contacts.list(user.id, { groupId: g1.id }))).map((c) => c.id), [c1.id, c2.id]);
      assert.deepEqual(await ctx.read((tx) => tx.contacts.list(user.id, { groupId: og.id })), []);

      const moved = await ctx.tx((tx) => tx.contacts.update(user.id, c1.id, {}, [g2.id]));
      assert.deepEqual(moved!.groupIds, [g2.id]);
      assert.equal(await ctx.tx((tx) => tx.contacts.removeMembers(user.id, g1.id, [c1.id, c2.id])), 1);
      await rejectsWith(ctx.tx((tx) => tx.contacts.renameGroup(user.id, g2.id, '同事')), 'ALREADY_EXISTS');
      assert.equal((await ctx.tx((tx) => tx.contacts.renameGroup(user.id, g2.id, '朋友')))!.name, '朋友');
      assert.equal(await ctx.tx((tx) => tx.contacts.renameGroup(other.id, g2.id, 'x')), undefined);
      assert.equal(await ctx.tx((tx) => tx.contacts.deleteGroup(other.id, g2.id)), false);
      assert.equal(await ctx.tx((tx) => tx.contacts.deleteGroup(user.id, g2.id)), true);
      assert.deepEqual((await ctx.read((tx) => tx.contacts.get(user.id, c1.id)))!.groupIds, [], 'the contact stays, without the group');
      assert.equal(await ctx.read((tx) => tx.contacts.getGroup(user.id, g2.id)), undefined);
      assert.equal((await ctx.read((tx) => tx.contacts.getGroup(other.id, og.id)))!.members, 0);
    });

    it('goes with its user', async () => {
      const { user } = await makeOwner(ctx);
      const g = await ctx.tx((tx) => tx.contacts.createGroup(user.id, 'g'));
      const c = await ctx.tx((tx) => tx.contacts.create(user.id, fields('a', ['a@x.test']), [g.id]));
      await ctx.tx((tx) => tx.users.delete(user.id));
      assert.equal(await ctx.read((tx) => tx.contacts.get(user.id, c.id)), undefined);
      assert.deepEqual(await ctx.read((tx) => tx.contacts.groups(user.id)), []);
    });

    it('reply templates (migration 025): kept as given, oldest first, only the owner reaches them', async () => {
      const { domain, user } = await makeOwner(ctx);
      const other = await makeUser(ctx, domain.id);
      const a = await ctx.tx((tx) => tx.replyTemplates.create({ userId: user.id, name: '收到', format: 'html', body: '<p>已收到</p>' }));
      const b = await ctx.tx((tx) => tx.replyTemplates.create({ userId: user.id, name: 'Later', format: 'text', body: 'later\nthanks' }));
      assert.deepEqual((await ctx.read((tx) => tx.replyTemplates.list(user.id))).map((x) => [x.id, x.name, x.format, x.body]),
        [[a.id, '收到', 'html', '<p>已收到</p>'], [b.id, 'Later', 'text', 'later\nthanks']]);
      assert.equal(await ctx.read((tx) => tx.replyTemplates.count(user.id)), 2);
      assert.equal(await ctx.read((tx) => tx.replyTemplates.get(other.id, a.id)), undefined, "another user's id is not found");
      assert.equal(await ctx.tx((tx) => tx.replyTemplates.update(other.id, a.id, { name: 'x' })), undefined);
      assert.equal(await ctx.tx((tx) => tx.replyTemplates.delete(other.id, a.id)), false);
      const u = await ctx.tx((tx) => tx.replyTemplates.update(user.id, a.id, { body: '<p>已收到，谢谢</p>' }));
      assert.deepEqual([u!.name, u!.body], ['收到', '<p>已收到，谢谢</p>']);
      assert.equal(await ctx.tx((tx) => tx.replyTemplates.delete(user.id, a.id)), true);
      assert.deepEqual((await ctx.read((tx) => tx.replyTemplates.list(user.id))).map((x) => x.id), [b.id]);
      assert.deepEqual(await ctx.read((tx) => tx.replyTemplates.list(other.id)), []);
    });
  });
}
