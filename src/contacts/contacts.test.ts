// The contacts services over a test store: the owner rule (another user's actor or ids → NOT_FOUND,
// nothing changed), field checks naming the field, CSV import with a bad line (reported with its
// line and field, the good lines imported, nothing of the bad one written) and both duplicate
// policies, export, the enterprise directory tree (hidden and pending users left out, the lists
// the user may send to) and autocomplete merging the three sources.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isMailError, MailError } from '../core/errors.ts';
import type { ContactGroupId, ContactId } from '../core/ids.ts';
import { userActor } from '../directory/actor.ts';
import { GOOD, openDirectory, ROOT } from '../directory/test-fixture.ts';
import { ContactService } from './contacts.ts';
import { ContactTransfer } from './contact-transfer.ts';
import { EnterpriseDirectory } from './enterprise.ts';

async function setUp(t: { after(fn: () => Promise<void>): void }) {
  const d = await openDirectory();
  t.after(d.close);
  await d.domains.add(ROOT, 'x.cn');
  const alice = await d.users.add(ROOT, 'alice@x.cn', { password: GOOD, realName: '艾丽斯' });
  const bob = await d.users.add(ROOT, 'bob@x.cn', { password: GOOD });
  return {
    d, alice, bob, asAlice: userActor(alice, '192.0.2.1'), asBob: userActor(bob, '192.0.2.2'),
    contacts: new ContactService(d.store), transfer: new ContactTransfer(d.store), enterprise: new EnterpriseDirectory(d.store),
  };
}

const field = (code: string, name: string) => (err: unknown) => err instanceof MailError && err.code === code && err.details?.field === name;
const notFound = (err: unknown) => isMailError(err, 'NOT_FOUND');

test('a user reaches only their own contacts and groups', async (t) => {
  const { alice, bob, asAlice, asBob, contacts } = await setUp(t);
  const c = await contacts.create(asAlice, alice.id, { name: '王芳', emails: ['wf@partner.test'] });
  const g = await contacts.createGroup(asAlice, alice.id, '客户', [c.id]);
  const admin = { who: 'admin:admin@x.cn', from: 'test', role: { kind: 'domain' as const, domainId: alice.domainId } };
  await assert.rejects(contacts.list(asBob, alice.id), notFound, "bob's actor on alice's book");
  await assert.rejects(contacts.list(admin, alice.id), notFound, 'a domain admin does not read address books');
  await assert.rejects(contacts.get(asBob, bob.id, c.id), notFound, "alice's contact id in bob's book");
  await assert.rejects(contacts.update(asBob, bob.id, c.id, { name: 'x' }), notFound);
  await assert.rejects(contacts.remove(asBob, bob.id, [c.id]), notFound);
  await assert.rejects(contacts.addMembers(asBob, bob.id, g.id, []), notFound);
  await assert.rejects(contacts.renameGroup(asBob, bob.id, g.id, 'x'), notFound);
  await assert.rejects(contacts.deleteGroup(asBob, bob.id, g.id), notFound);
  await assert.rejects(contacts.groupRecipients(asBob, bob.id, g.id), notFound);
  const bobs = await contacts.create(asBob, bob.id, { emails: ['friend@y.test'] });
  assert.equal(bobs.name, 'friend', 'a blank name comes from the address');
  await assert.rejects(contacts.create(asBob, bob.id, { emails: ['a@y.test'] }, [g.id]), notFound, "alice's group");
  await assert.rejects(contacts.addMembers(asAlice, alice.id, g.id, [c.id, bobs.id]), notFound, "bob's contact, all or nothing");
  await assert.rejects(contacts.remove(asAlice, alice.id, [c.id, bobs.id]), notFound);
  assert.equal((await contacts.list(asAlice, alice.id)).total, 1, 'nothing deleted');
  assert.deepEqual(await contacts.groupRecipients(asAlice, alice.id, g.id), [{ name: '王芳', address: 'wf@partner.test' }]);
  assert.equal((await contacts.groups(asAlice, alice.id))[0]!.members, 1);
});

test('bad fields are refused naming the field', async (t) => {
  const { alice, asAlice, contacts } = await setUp(t);
  const cases: Array<[Parameters<ContactService['create']>[2], string]> = [
    [{ name: 'x', emails: [] }, 'emails'], [{ emails: ['ok@x.test', 'not an address'] }, 'emails.1'],
    [{ emails: ['a@x.test'], birthday: '1990-02-30' }, 'birthday'], [{ emails: ['a@x.test'], phones: [{ kind: 'work', number: 'call me' }] }, 'phones.0.number'],
    [{ emails: ['a@x.test'], phones: [{ kind: 'pager', number: '1' }] }, 'phones.0.kind'], [{ emails: ['a@x.test'], name: 'a\nb' }, 'name'],
    [{ emails: ['a@x.test'], company: 'x'.repeat(101) }, 'company'],
  ];
  for (const [input, name] of cases) await assert.rejects(contacts.create(asAlice, alice.id, input), field('INVALID_INPUT', name), name);
  await assert.rejects(contacts.createGroup(asAlice, alice.id, '  '), field('INVALID_INPUT', 'name'));
  const c = await contacts.create(asAlice, alice.id, { emails: ['a@x.test'] });
  await assert.rejects(contacts.update(asAlice, alice.id, c.id, { name: '' }), field('INVALID_INPUT', 'name'));
  assert.equal((await contacts.list(asAlice, alice.id)).total, 1);
});

test('CSV import: a bad line is reported and writes nothing, good lines go in; ignore and overwrite duplicates; export', async (t) => {
  const { alice, asAlice, contacts, transfer } = await setUp(t);
  await contacts.create(asAlice, alice.id, { name: 'Old Name', emails: ['dup@x.test'], company: 'Old Co' });
  const friends = await contacts.createGroup(asAlice, alice.id, 'Friends');
  const csv = [
    'name,email,mobile,company,birthday,groups',
    '张三,zs@x.test,13800000000,甲公司,1990-05-01,同事',
    '坏行,zs2@x.test,13800000001,乙公司,1990-13-01,同事', // line 3: bad birthday; its group 同事 exists anyway from line 2
    'New Name,DUP@x.test,,New Co,,',
    '"多行\n名字",bad-address,,,,',
    'Li,li@x.test,,,,新组',
  ].join('\r\n');
  const r1 = await transfer.importContacts(asAlice, alice.id, { format: 'csv', text: csv, duplicates: 'ignore', groupId: friends.id });
  assert.deepEqual(r1.errors.map((e) => [e.line, e.field]), [[3, 'birthday'], [5, 'emails.0']]);
  assert.deepEqual([r1.created, r1.updated, r1.skipped], [2, 0, 1]);
  const all = async () => (await contacts.list(asAlice, alice.id)).contacts;
  assert.deepEqual((await all()).map((c) => c.name).sort(), ['Li', 'Old Name', '张三']);
  assert.equal((await all()).find((c) => c.emails[0] === 'dup@x.test')!.company, 'Old Co', 'ignored');
  const groups = new Map((await contacts.groups(asAlice, alice.id)).map((g) => [g.name, g]));
  assert.deepEqual([...groups.keys()].sort(), ['Friends', '同事', '新组']);
  assert.equal(groups.get('Friends')!.members, 2, 'every imported contact joins the chosen group');

  const r2 = await transfer.importContacts(asAlice, alice.id, { format: 'csv', text: csv, duplicates: 'overwrite' });
  assert.deepEqual([r2.created, r2.updated, r2.skipped, r2.errors.length], [0, 3, 0, 2]);
  const dup = (await all()).find((c) => c.emails[0] === 'DUP@x.test')!;
  assert.deepEqual([dup.name, dup.company], ['New Name', 'New Co'], 'overwritten');

  const file = await transfer.exportContacts(asAlice, alice.id, { format: 'csv', groupId: groups.get('同事')!.id });
  assert.equal(file.fileName, 'contacts-同事.csv');
  assert.equal(file.body, '\ufeffname,email,mobile,work phone,home phone,fax,other phone,company,department,title,address,birthday,notes,groups\r\n'
    + '张三,zs@x.test,13800000000,,,,,甲公司,,,,1990-05-01,,Friends; 同事\r\n');
  const vcf = await transfer.exportContacts(asAlice, alice.id, { format: 'vcard4' });
  assert.equal(vcf.body.match(/BEGIN:VCARD/g)!.length, 3);
  const back = await transfer.importContacts(asAlice, alice.id, { format: 'vcard', text: vcf.body, duplicates: 'ignore' });
  assert.deepEqual([back.created, back.skipped, back.errors.length], [0, 3, 0], 'its own export reads back as duplicates');

  await assert.rejects(transfer.importContacts(asAlice, alice.id, { format: 'csv', text: 'name\nx\n', duplicates: 'ignore' }), field('INVALID_INPUT', 'csv'));
  await assert.rejects(transfer.exportContacts(asAlice, alice.id, { format: 'csv', ids: [999 as ContactId] }), notFound);
  await assert.rejects(transfer.importContacts(asAlice, alice.id, { format: 'csv', text: csv, duplicates: 'ignore', groupId: 999 as ContactGroupId }), notFound);
});

test('enterprise directory: the tree without hidden or pending users, sendable lists; autocomplete merges all three', async (t) => {
  const { d, alice, asAlice, contacts, enterprise } = await setUp(t);
  const sales = await d.orgs.add(ROOT, 'x.cn', { name: '销售部', sortOrder: 2 });
  const office = await d.orgs.add(ROOT, 'x.cn', { name: '总裁办', sortOrder: 1 });
  const north = await d.orgs.add(ROOT, 'x.cn', { name: '北区', parentId: sales.id });
  await d.users.add(ROOT, 'ceo@x.cn', { password: GOOD, realName: '老板', orgUnitId: office.id });
  await d.users.add(ROOT, 'ann@x.cn', { password: GOOD, realName: 'Ann', orgUnitId: north.id });
  await d.users.add(ROOT, 'secret@x.cn', { password: GOOD, hidden: true, orgUnitId: north.id });
  await d.users.add(ROOT, 'waiting@x.cn', { password: GOOD, status: 'pending', orgUnitId: north.id });
  await d.domains.add(ROOT, 'other.cn');
  await d.users.add(ROOT, 'annie@other.cn', { password: GOOD });
  await d.lists.add(ROOT, 'all-sales@x.cn', { description: '销售全员' });
  await d.lists.add(ROOT, 'board@x.cn', { visibility: 'private', members: [{ address: 'ceo@x.cn' }, { address: 'alice@x.cn', canSend: false }] });
  await d.lists.add(ROOT, 'annual@x.cn', { visibility: 'private', members: ['alice@x.cn'] });

  const tree = await enterprise.tree(asAlice, alice.id);
  assert.equal(tree.domain, 'x.cn');
  assert.deepEqual(tree.units.map((u) => [u.name, u.users.map((p) => p.address), u.children.map((c) => [c.name, c.users.map((p) => p.address)])]),
    [['总裁办', ['ceo@x.cn'], []], ['销售部', [], [['北区', ['ann@x.cn']]]]], 'secret@ is hidden, waiting@ pending');
  assert.deepEqual(tree.unassigned.map((p) => [p.name, p.address]).sort(), [['bob', 'bob@x.cn'], ['艾丽斯', 'alice@x.cn']]);
  assert.deepEqual(tree.lists.map((l) => l.address), ['all-sales@x.cn', 'annual@x.cn'], 'board@ is private and alice may not send to it');
  await assert.rejects(enterprise.tree(userActor({ ...alice, id: 999 as never }, 'x'), alice.id), notFound);

  await contacts.create(asAlice, alice.id, { name: 'Annabel', emails: ['annabel@partner.test', 'ann@x.cn'] });
  const got = await enterprise.autocomplete(asAlice, alice.id, 'an');
  assert.deepEqual(got.map((s) => [s.source, s.address]), [
    ['personal', 'annabel@partner.test'], ['personal', 'ann@x.cn'], ['list', 'annual@x.cn'],
  ], 'ann@ once (personal wins); annie@ is another domain');
  assert.deepEqual((await enterprise.autocomplete(asAlice, alice.id, 'sales')).map((s) => s.address), ['all-sales@x.cn'], 'contains, not only starts');
  assert.deepEqual(await enterprise.autocomplete(asAlice, alice.id, 'secret'), [], 'hidden');
  assert.deepEqual((await enterprise.autocomplete(asAlice, alice.id, '老')).map((s) => s.address), ['ceo@x.cn']);
  assert.deepEqual(await enterprise.autocomplete(asAlice, alice.id, '  '), []);
  assert.equal((await enterprise.autocomplete(asAlice, alice.id, 'x.cn', 2)).length, 2);
});
