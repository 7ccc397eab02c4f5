/**
 * Applies pending migrations in order, each in its own transaction, recording them in
 * schema_migrations. A database newer than this code (a version we don't know) is refused
 * rather than silently used.
 */
import { MailError } from '../../core/errors.ts';
import { MIGRATIONS, ddl } from '../migrations/index.ts';
import type { Dialect } from './conn.ts';

export interface MigrationTarget {
  dialect: Dialect;
  /** Runs several statements (no parameters). */
  exec(sql: string): Promise<void>;
  /** Versions already applied. */
  applied(): Promise<number[]>;
  /** Runs fn in a transaction. */
  transaction(fn: () => Promise<void>): Promise<void>;
}

export async function migrate(t: MigrationTarget, now: number): Promise<number[]> {
  await t.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)`);
  const done = new Set(await t.applied());
  const known = new Set(MIGRATIONS.map((m) => m.version));
  const unknown = [...done].filter((v) => !known.has(v));
  if (unknown.length > 0) {
    throw new MailError('CONFIG_INVALID', `the database has schema version ${Math.max(...unknown)}, newer than this Youju knows: upgrade Youju`);
  }
  const ran: number[] = [];
  for (const m of MIGRATIONS) {
    if (done.has(m.version)) continue;
    await t.transaction(async () => {
      await t.exec(ddl(typeof m.sql === "string" ? m.sql : m.sql[t.dialect], t.dialect));
      await t.exec(`INSERT INTO schema_migrations (version, name, applied_at) VALUES (${m.version}, '${m.name}', ${Math.floor(now)})`);
    });
    ran.push(m.version);
  }
  return ran;
}
