// Batch add with deferred hashing (issue #14): the users a batch adds have their passwords sealed,
// log in at once, and the background role turns the sealed values into scrypt hashes without ever
// overwriting a password changed meanwhile. Runs on PostgreSQL too with YOUJU_TEST_BACKEND=postgres.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isMailError } from '../core/errors.ts';
import { userActor, type Actor } from '../directory/actor.ts';
import { GOOD, openDirectory, ROOT } from '../directory/test-fixture.ts';
import { UserAdminService } from '../directory/user-admin.ts';
import { UserService } from '../directory/users.ts';
import { AccountSecurity } from '../options/account-security.ts';
import type { Store } from '../store/store.ts';
import { PendingHashes } from './pending-hashes.ts';
import { SecretBox } from './secret-box.ts';

const SUPER: Actor = { who: 'admin:administrator', from: '127.0.0.1', role: { kind: 'super' } };
const CSV = 'name,password,realName\nann,Qx7-2026!lake,安\nben,Wv3-2026!hill,本\ncat,Zr9-2026!moon,猫\n';

async function setUp(t: TestContext) {
  const d = await openDirectory();
  const dir = await mkdtemp(join(tmpdir(), 'youju-pending-'));
  t.after(async () => { await d.close(); await rm(dir, { recursive: true, force: true }); });
  const box = SecretBox.forDataDir(dir);
  const users = new UserService(d.store, d.clock, { box });
  await d.domains.add(ROOT, 'x.cn');
  const stored = async (name: string) => (await d.store.read(async (tx) => {
    const domain = await tx.domains.byName('x.cn');
    return tx.users.byAddress(domain!.id, name);
  }))!.passwordHash;
  const lines: string[] = [];
  const deps = { store: d.store, box, log: (l: string) => lines.push(l), warn: (err: unknown) => { throw err; } };
  const role = (store: Store = d.store) => new PendingHashes({ ...deps, store });
  return { d, box, users, admin: new UserAdminService(d.store, users), stored, role, deps, lines };
}

test('batch-added users are stored sealed, log in at once, and still log in once the role has hashed them', async (t) => {
  const { d, users, admin, stored, role } = await setUp(t);
  const r = await admin.batchAdd(SUPER, 'x.cn', CSV);
  assert.deepEqual(r.errors, []);
  assert.deepEqual(r.added, ['ann@x.cn', 'ben@x.cn', 'cat@x.cn']);
  for (const name of ['ann', 'ben', 'cat']) assert.ok(SecretBox.isSealed(await stored(name)), `${name} sealed`);
  await users.authenticate('ann@x.cn', 'Qx7-2026!lake');
  await assert.rejects(users.authenticate('ann@x.cn', 'Wv3-2026!hill'), (err: unknown) => isMailError(err, 'AUTH_FAILED'));
  // No public view carries the sealed value: a user, a listing, the export.
  const views = [await users.byAddress('ann@x.cn'), await users.list({ domain: 'x.cn' }), await admin.get(SUPER, 'ben@x.cn'),
    await admin.list(SUPER, 'x.cn', { page: 1, pageSize: 50 }), await admin.exportCsv(SUPER, 'x.cn')];
  assert.ok(!JSON.stringify(views).includes('$aesgcm$'), 'no sealed value in a view');

  assert.equal(await role().runOnce(), 3);
  for (const name of ['ann', 'ben', 'cat']) assert.match(await stored(name), /^\$scrypt\$/, `${name} hashed`);
  await users.authenticate('ann@x.cn', 'Qx7-2026!lake');
  await users.authenticate('cat@x.cn', 'Zr9-2026!moon');
  await assert.rejects(users.authenticate('cat@x.cn', 'Qx7-2026!lake'), (err: unknown) => isMailError(err, 'AUTH_FAILED'));
  assert.equal(await role().runOnce(), 0, 'nothing left');
  // A single add and a password change hash at once, as before.
  await users.add(ROOT, 'dan@x.cn', { password: GOOD });
  assert.match(await stored('dan'), /^\$scrypt\$/);
  assert.ok(!(await d.audit()).some((e) => JSON.stringify(e).includes('$aesgcm$')), 'no sealed value in the audit log');
});

test('a password changed between the role\'s read and its write is not overwritten', async (t) => {
  const { d, users, admin, stored, role } = await setUp(t);
  await admin.batchAdd(SUPER, 'x.cn', CSV);
  // The first write the role makes is for ann: her password is changed just before it.
  let changed = false;
  const racing = new Proxy(d.store, {
    get(target, prop) {
      if (prop === 'tx') {
        return async (fn: Parameters<Store['tx']>[0]) => {
          if (!changed) {
            changed = true;
            await users.setPassword(ROOT, 'ann@x.cn', 'Changed-2027!x');
          }
          return target.tx(fn);
        };
      }
      const v = Reflect.get(target, prop, target) as unknown;
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
  assert.equal(await role(racing).runOnce(), 2, 'ben and cat hashed; ann\'s write lost');
  assert.match(await stored('ann'), /^\$scrypt\$/);
  await users.authenticate('ann@x.cn', 'Changed-2027!x');
  await assert.rejects(users.authenticate('ann@x.cn', 'Qx7-2026!lake'), (err: unknown) => isMailError(err, 'AUTH_FAILED'));
  await users.authenticate('ben@x.cn', 'Wv3-2026!hill');
});

test('changing one\'s own password and setting the security question accept a password not hashed yet', async (t) => {
  const { d, users, admin, stored } = await setUp(t);
  await admin.batchAdd(SUPER, 'x.cn', CSV);
  const ben = (await users.byAddress('ben@x.cn'))!;
  const security = new AccountSecurity(d.store, users);
  const self = userActor(ben, '127.0.0.1');
  await assert.rejects(security.changePassword(self, ben.id, 'wrong', 'Newer-2027!x'), (err: unknown) => isMailError(err, 'INVALID_INPUT'));
  await security.setQuestion(self, ben.id, { password: 'Wv3-2026!hill', question: '我的小学?', answer: '育才' });
  await security.changePassword(self, ben.id, 'Wv3-2026!hill', 'Newer-2027!x');
  assert.match(await stored('ben'), /^\$scrypt\$/);
  await users.authenticate('ben@x.cn', 'Newer-2027!x');
});

test('without a box, or for users sealed with another key, nothing breaks: hashed at once, or refused', async (t) => {
  const { d, box, users, stored, lines } = await setUp(t);
  const plain = new UserService(d.store, d.clock);
  await new UserAdminService(d.store, plain).batchAdd(SUPER, 'x.cn', 'name,password\neve,Kp4-2026!reef\n');
  assert.match(await stored('eve'), /^\$scrypt\$/, 'no box: hashed as before');
  await plain.authenticate('eve@x.cn', 'Kp4-2026!reef');

  // fay was sealed with another key (DATA/secret.key replaced since): she cannot log in, and the role leaves her.
  const dir = await mkdtemp(join(tmpdir(), 'youju-other-key-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const otherBox = SecretBox.forDataDir(dir);
  await new UserAdminService(d.store, new UserService(d.store, d.clock, { box: otherBox })).batchAdd(SUPER, 'x.cn', 'name,password\nfay,Jt8-2026!dune\n');
  assert.ok(SecretBox.isSealed(await stored('fay')));
  await assert.rejects(users.authenticate('fay@x.cn', 'Jt8-2026!dune'), (err: unknown) => isMailError(err, 'AUTH_FAILED'));
  const warnings: string[] = [];
  const role = new PendingHashes({ store: d.store, box, log: (l) => lines.push(l), warn: (_e, what) => warnings.push(what) });
  assert.equal(await role.runOnce(), 0);
  assert.equal(await role.runOnce(), 0);
  assert.deepEqual(warnings, [`hashing the batch-added password of user #${(await users.byAddress('fay@x.cn'))!.id}`], 'reported once');
  assert.ok(SecretBox.isSealed(await stored('fay')), 'left as it was');
  assert.deepEqual(lines, []);
});

test('started, the role hashes what is pending, then what a later batch adds, and logs how many', async (t) => {
  const { admin, stored, deps, lines } = await setUp(t);
  await admin.batchAdd(SUPER, 'x.cn', CSV);
  const running = new PendingHashes({ ...deps, intervalMs: 50 });
  running.start();
  t.after(() => running.stop());
  const until = async (ok: () => Promise<boolean>) => { for (let i = 0; i < 400 && !(await ok()); i++) await new Promise((r) => setTimeout(r, 25)); };
  await until(async () => (await stored('cat')).startsWith('$scrypt$'));
  await admin.batchAdd(SUPER, 'x.cn', 'name,password\ndan,Dv5-2026!vale\n');
  await until(async () => (await stored('dan')).startsWith('$scrypt$'));
  assert.match(await stored('dan'), /^\$scrypt\$/);
  await running.stop();
  assert.equal(lines.length, 2, lines.join('\n'));
  assert.match(lines[0]!, /^password hashing: hashed the passwords of 3 batch-added users in \d+\.\d s$/);
  assert.match(lines[1]!, /^password hashing: hashed the passwords of 1 batch-added user in/);
  assert.ok(!lines.join('').includes('2026'), 'no password in the log');
});

test('migration 027 spells out the sealed-password prefix SecretBox writes (a migration keeps its own words; this keeps them true)', async (t: TestContext) => {
  const { SEALED_PASSWORD } = await import('../store/migrations/027-pending-hashes.ts');
  const dir = await mkdtemp(join(tmpdir(), 'youju-sealed-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const sealed = SecretBox.forDataDir(dir).encrypt('pw');
  const literal = /'([^']+)'/.exec(SEALED_PASSWORD)![1]!;
  assert.ok(sealed.startsWith(literal), `${sealed} starts with ${literal}`);
  assert.ok(SEALED_PASSWORD.includes(`substr(password_hash, 1, ${literal.length})`), SEALED_PASSWORD);
  assert.equal(SecretBox.isSealed(sealed), true);
});
