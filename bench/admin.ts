/**
 * Admin console benchmark (issue #14 "Measure"): a domain of 50,000 users (`--users N`) in 20
 * departments, on each backend, read through UserAdminService as the users route does: the first
 * page (50, by address), a search (part of a name, Chinese or ASCII), the first page by real name
 * and by last login, and a department admin's first page; p50/p95 of 40 runs each. Then the cost
 * of a batch add from CSV (`--batch N` users, default 200): scrypt per password alone; users/s
 * through batchAdd (the password sealed, not hashed, + the user's transaction with its five
 * folders), extrapolated to 10,000; how long the background role (auth/pending-hashes.ts) then
 * takes to hash them, one at a time as the server does; and the batch again with a user limit set
 * (each add then counts the domain's users under its lock).
 * Options: --users N, --batch N, --backend sqlite|postgres (one of them; default both), --no-hashing
 * (skip timing the background hashing, which takes minutes for a large batch).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hashPassword } from '../src/auth/password.ts';
import { PendingHashes } from '../src/auth/pending-hashes.ts';
import { SecretBox } from '../src/auth/secret-box.ts';
import type { OrgUnitId } from '../src/core/ids.ts';
import type { Actor } from '../src/directory/actor.ts';
import { UserAdminService } from '../src/directory/user-admin.ts';
import { UserService } from '../src/directory/users.ts';
import { openTestStore } from '../src/store/testing.ts';
import type { StoreKind } from '../src/store/store.ts';
import { option, optionText } from './options.ts';

const RUNS = 40;
const SURNAMES = '王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗';
const GIVEN = '伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华';

const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;

async function timed(fn: () => Promise<unknown>): Promise<string> {
  const ms: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const t0 = performance.now();
    await fn();
    ms.push(performance.now() - t0);
  }
  ms.sort((a, b) => a - b);
  return `p50 ${pct(ms, 50).toFixed(1)} ms, p95 ${pct(ms, 95).toFixed(1)} ms`;
}

async function benchBackend(kind: StoreKind, users: number, batch: number): Promise<void> {
  const t = await openTestStore(kind);
  const keyDir = await mkdtemp(join(tmpdir(), 'youju-bench-key-'));
  try {
    const { domain, units } = await t.store.tx(async (tx) => {
      const d = await tx.domains.create({ name: 'bench.test' });
      const u: OrgUnitId[] = [];
      for (let i = 0; i < 20; i++) u.push((await tx.orgUnits.create({ domainId: d.id, name: `部门${i}`, parentId: i >= 10 ? u[i - 10] : null })).id);
      return { domain: d, units: u };
    });
    const t0 = performance.now();
    for (let from = 0; from < users; from += 1000) {
      await t.store.tx(async (tx) => {
        for (let i = from; i < Math.min(users, from + 1000); i++) {
          await tx.users.create({
            domainId: domain.id, localPart: `user${String(i).padStart(6, '0')}`, passwordHash: 'x',
            realName: SURNAMES[i % 20]! + GIVEN[(i * 7) % 25]! + GIVEN[(i * 13) % 25]!, orgUnitId: units[i % 20]!,
            status: i % 50 === 0 ? 'frozen' : 'active', quotaBytes: (i % 10) * 1048576, lastLoginAt: i % 3 === 0 ? null : 1_700_000_000_000 + i,
          });
        }
      });
    }
    console.log(`admin ${kind}: ${users} users made in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    const box = SecretBox.forDataDir(keyDir);
    const userService = new UserService(t.store, undefined, { box });
    const s = new UserAdminService(t.store, userService);
    const sup: Actor = { who: 'bench', from: 'bench', role: { kind: 'super' } };
    const dept: Actor = { who: 'bench', from: 'bench', role: { kind: 'department', domainId: domain.id, orgUnitId: units[0]! } };
    const page = { page: 1, pageSize: 50 };
    let n = 0;
    console.log(`admin ${kind}: users list first page (50 by address):   ${await timed(() => s.list(sup, 'bench.test', page))}`);
    console.log(`admin ${kind}: users list page 500 (offset 24,950):      ${await timed(() => s.list(sup, 'bench.test', { ...page, page: 500 }))}`);
    console.log(`admin ${kind}: search, a Chinese name part (~2,000 hits): ${await timed(() => s.list(sup, 'bench.test', { ...page, search: GIVEN[n++ % 25]! + GIVEN[(n * 3) % 25]! }))}`);
    console.log(`admin ${kind}: search, an address part (1–11 hits):      ${await timed(() => s.list(sup, 'bench.test', { ...page, search: `user0${String(n++ * 97 % 5000).padStart(4, '0')}` }))}`);
    console.log(`admin ${kind}: first page by real name:                   ${await timed(() => s.list(sup, 'bench.test', { ...page, sort: 'realName' }))}`);
    console.log(`admin ${kind}: first page by last login, descending:      ${await timed(() => s.list(sup, 'bench.test', { ...page, sort: 'lastLoginAt', descending: true }))}`);
    console.log(`admin ${kind}: department admin's first page (2 units):  ${await timed(() => s.list(dept, 'bench.test', page))}`);

    // Batch add: scrypt alone (one at a time), then batchAdd (4 at a time; passwords sealed), then the hashing role.
    const h0 = performance.now();
    for (let i = 0; i < 20; i++) await hashPassword(`Bench#${i}pass2026`);
    const hashMs = (performance.now() - h0) / 20;
    const csv = ['name,password,realName', ...Array.from({ length: batch }, (_, i) => `batch${i},Bench#${i}pass2026,批量${i}`)].join('\n');
    const b0 = performance.now();
    const r = await s.batchAdd(sup, 'bench.test', csv);
    const secs = (performance.now() - b0) / 1000;
    if (r.errors.length) console.log(`admin ${kind}: batch errors: ${JSON.stringify(r.errors.slice(0, 3))}`);
    console.log(`admin ${kind}: scrypt ${hashMs.toFixed(1)} ms a password (one at a time); batch add ${r.added.length} users (passwords sealed) in ${secs.toFixed(1)} s = `
      + `${(r.added.length / secs).toFixed(1)} users/s → 10,000 users ≈ ${(10_000 / (r.added.length / secs)).toFixed(0)} s`);
    if (!process.argv.includes('--no-hashing')) {
      const pending = new PendingHashes({ store: t.store, box, log: () => undefined, warn: (err) => { throw err; } });
      const p0 = performance.now();
      const hashed = await pending.runOnce();
      const psecs = (performance.now() - p0) / 1000;
      console.log(`admin ${kind}: background hashing of those ${hashed} passwords (one at a time): ${psecs.toFixed(1)} s = `
        + `${(hashed / psecs).toFixed(1)} users/s → 10,000 users ≈ ${(10_000 / (hashed / psecs) / 60).toFixed(1)} min`);
    }
    // The same with a user limit: each add then reads the domain's allocation under the domain's lock.
    await t.store.tx((tx) => tx.domains.update(domain.id, { maxUsers: 1_000_000 }));
    const limitedCsv = ['name,password', ...Array.from({ length: batch }, (_, i) => `limited${i},Bench#${i}pass2026`)].join('\n');
    const l0 = performance.now();
    const lr = await s.batchAdd(sup, 'bench.test', limitedCsv);
    const lsecs = (performance.now() - l0) / 1000;
    console.log(`admin ${kind}: with a user limit set: batch add ${lr.added.length} users in ${lsecs.toFixed(1)} s = ${(lr.added.length / lsecs).toFixed(1)} users/s`);
  } finally {
    await t.close();
    await rm(keyDir, { recursive: true, force: true });
  }
}

export async function run(): Promise<void> {
  const users = option('users', 50_000);
  const batch = option('batch', 200);
  const only = optionText('backend');
  for (const kind of ['sqlite', 'postgres'] as const) if (only === undefined || only === kind) await benchBackend(kind, users, batch);
}
