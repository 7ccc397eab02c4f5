import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isMailError } from '../core/errors.ts';
import type { DomainId } from '../core/ids.ts';
import type { Actor } from './actor.ts';
import { SuperConsoleService, WEBMAIL_MODULES } from './super-admin.ts';
import { GOOD, ROOT, T0, openDirectory } from './test-fixture.ts';

const SUPER: Actor = { who: 'admin:administrator', from: '127.0.0.1', role: { kind: 'super' } };

async function setUp() {
  const d = await openDirectory();
  const s = new SuperConsoleService(d.store, d.domains, d.admins, d.aliases, () => T0);
  return { d, s };
}

test('only the super admin (and the system) reaches the super console', async (t) => {
  const { d, s } = await setUp();
  t.after(d.close);
  const a = await d.domains.add(ROOT, 'a.cn');
  const others: Actor[] = [
    { who: 'admin:admin@a.cn', from: 'x', role: { kind: 'domain', domainId: a.id } },
    { who: 'user:u@a.cn', from: 'x', role: { kind: 'user', userId: 1 as never, domainId: a.id as DomainId } },
  ];
  for (const actor of others) {
    await assert.rejects(s.listDomains(actor), (e: unknown) => isMailError(e, 'FORBIDDEN'));
    await assert.rejects(s.addDomain(actor, 'b.cn', {}), (e: unknown) => isMailError(e, 'FORBIDDEN'));
    await assert.rejects(s.setModules(actor, 'a.cn', { pop: false }), (e: unknown) => isMailError(e, 'FORBIDDEN'));
  }
  assert.deepEqual((await s.listDomains(ROOT)).map((r) => r.domain.name), ['a.cn']);
});

test('batch add: good lines added, bad ones reported by line and field; comments and blanks skipped', async (t) => {
  const { d, s } = await setUp();
  t.after(d.close);
  await d.domains.add(ROOT, 'taken.cn');
  const r = await s.batchAdd(SUPER, '\uFEFF# x\nok1.cn，5，100，2027-01-31，甲,乙\n\nTAKEN.cn\nok2.cn\t\t\t\nbad..cn\nok3.cn,1,x\nok4.cn,,,2027-13-01\n');
  assert.deepEqual(r.added, ['ok1.cn', 'ok2.cn']);
  assert.deepEqual(r.errors.map((e) => [e.line, e.field, e.reason]), [[4, 'domain', 'ALREADY_EXISTS'], [6, 'domain', 'INVALID_INPUT'], [7, 'maxSizeMb', 'INVALID_INPUT'], [8, 'expiresAt', 'INVALID_INPUT']]);
  const ok1 = (await s.listDomains(SUPER, 'ok1'))[0]!.domain;
  assert.deepEqual([ok1.maxUsers, ok1.maxSizeBytes, ok1.companyName, new Date(ok1.expiresAt!).toISOString()], [5, 100 * 1048576, '甲,乙', '2027-01-31T23:59:59.000Z']);
  const audit = await d.audit({ action: 'domain.batch-add' });
  assert.deepEqual(audit[0]!.details, { added: 2, failed: 4, lines: [4, 6, 7, 8] });
});

test('adding a domain with an admin is all or nothing; modules default on and are stored', async (t) => {
  const { d, s } = await setUp();
  t.after(d.close);
  await assert.rejects(s.addDomain(SUPER, 'x.cn', {}, { username: 'admin', password: '123' }),
    (e: unknown) => isMailError(e, 'PASSWORD_WEAK') && e.details?.field === 'adminPassword');
  assert.equal(await d.domains.resolveDomain('x.cn'), undefined);
  const row = await s.addDomain(SUPER, 'x.cn', { maxUsers: 3 }, { username: 'admin', password: GOOD });
  assert.equal(row.domain.maxUsers, 3);
  assert.deepEqual((await s.domainAdmins(SUPER, 'x.cn')).map((a) => a.account), ['admin@x.cn']);
  const defaults = await s.modules(SUPER, 'x.cn');
  assert.ok(WEBMAIL_MODULES.every((m) => defaults[m] === true), 'all on by default');
  const m = await s.setModules(SUPER, 'x.cn', { netDisk: false, calendar: false });
  assert.deepEqual(Object.entries(m).filter(([, on]) => !on).map(([k]) => k), ['netDisk', 'calendar']);
  assert.equal((await s.modules(SUPER, 'x.cn')).netDisk, false);
});

test('mailbox aliases stay inside the domain', async (t) => {
  const { d, s } = await setUp();
  t.after(d.close);
  await d.domains.add(ROOT, 'a.cn');
  await d.domains.add(ROOT, 'b.cn');
  await d.users.add(ROOT, 'u@a.cn', { password: GOOD });
  await d.users.add(ROOT, 'v@b.cn', { password: GOOD });
  assert.deepEqual(await s.setMailboxAlias(SUPER, 'a.cn', 'sales', ['u@a.cn']), { address: 'sales@a.cn', targets: ['u@a.cn'] });
  await assert.rejects(s.setMailboxAlias(SUPER, 'a.cn', 'x', ['v@b.cn']), (e: unknown) => isMailError(e, 'INVALID_INPUT') && e.details?.field === 'targets');
  await assert.rejects(s.setMailboxAlias(SUPER, 'a.cn', 'y@b.cn', ['u@a.cn']), (e: unknown) => isMailError(e, 'INVALID_INPUT') && e.details?.field === 'alias');
  await assert.rejects(s.removeMailboxAlias(SUPER, 'b.cn', 'sales@a.cn'), (e: unknown) => isMailError(e, 'NOT_FOUND'));
  await s.removeMailboxAlias(SUPER, 'a.cn', 'sales');
  assert.deepEqual(await s.mailboxAliases(SUPER, 'a.cn'), []);
});
