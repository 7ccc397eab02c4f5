/**
 * A directory over a fresh test store (SQLite unless asked otherwise) with a fixed clock, for the
 * directory's service tests. Test support only: nothing outside *.test.ts imports it. YOUJU_TEST_BACKEND=postgres runs the same
 * tests on a fresh PostgreSQL database (see store/testing.ts).
 */
import { fixedClock } from '../core/clock.ts';
import { openTestStore } from '../store/testing.ts';
import type { Store } from '../store/store.ts';
import type { Actor } from './actor.ts';
import { AdminService } from './admins.ts';
import { AliasService } from './aliases.ts';
import { DomainService } from './domains.ts';
import { ListService } from './lists.ts';
import { OrgService } from './orgs.ts';
import { Resolver } from './resolve.ts';
import { UserService } from './users.ts';

export const ROOT: Actor = { who: 'cli:root', from: 'cli', role: { kind: 'system' } };
/** 2026-01-01T00:00:00Z */
export const T0 = Date.UTC(2026, 0, 1);
/** A password every policy accepts. */
export const GOOD = 'Youju2026!';

export async function openDirectory() {
  const clock = fixedClock(T0);
  const kind = process.env.YOUJU_TEST_BACKEND === 'postgres' ? 'postgres' : 'sqlite';
  const t = await openTestStore(kind, { now: clock.now });
  const store: Store = t.store;
  return {
    store,
    clock,
    domains: new DomainService(store, clock),
    users: new UserService(store, clock),
    aliases: new AliasService(store, clock),
    lists: new ListService(store, clock),
    orgs: new OrgService(store, clock),
    admins: new AdminService(store, clock),
    resolver: new Resolver(store, clock),
    audit: (q: { action?: string; target?: string } = {}) => store.read((tx) => tx.audit.list(q)),
    close: () => t.close(),
  };
}
export type Directory = Awaited<ReturnType<typeof openDirectory>>;
