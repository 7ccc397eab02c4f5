/** Row ↔ object helpers shared by the SQL repositories: snake_case columns, ints for booleans. */
import { MailError } from '../../core/errors.ts';
import type { Row, SqlConn } from './conn.ts';
import { bindable } from './conn.ts';

/** LIMIT needs a number on both dialects: this stands for "all rows". */
export const NO_LIMIT = 2 ** 31 - 1;

export const bool = (v: unknown): boolean => v === true || v === 1 || v === '1';
export const num = (v: unknown): number => (typeof v === 'number' ? v : Number(v));
export const numOrNull = (v: unknown): number | null => (v === null || v === undefined ? null : num(v));
export const str = (v: unknown): string => (v === null || v === undefined ? '' : String(v));

/** Unique-constraint violations from either driver. */
export function isUniqueViolation(err: unknown): boolean {
  const e = err as { code?: string };
  return e?.code === '23505' || e?.code === 'SQLITE_CONSTRAINT_UNIQUE' || e?.code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}

/** Runs an insert and turns a unique violation into ALREADY_EXISTS with a message naming `what`. */
export async function insertUnique<T>(what: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (isUniqueViolation(err)) throw new MailError('ALREADY_EXISTS', `${what} already exists`, { cause: err });
    throw err;
  }
}

/**
 * Builds `UPDATE table SET a = ?, b = ? WHERE key RETURNING *` from a patch, mapping field names
 * to columns through `columns`; fields not in the map are ignored, undefined values skipped.
 */
export async function updateRow(
  db: SqlConn, table: string, columns: Record<string, string>, patch: Record<string, unknown>,
  where: string, whereParams: unknown[], encode: (field: string, v: unknown) => unknown = (_f, v) => v,
): Promise<Row | undefined> {
  const sets: string[] = [];
  const params: unknown[] = [];
  for (const [field, value] of Object.entries(patch)) {
    const col = columns[field];
    if (!col || value === undefined) continue;
    sets.push(`${col} = ?`);
    params.push(bindable(encode(field, value)));
  }
  if (sets.length === 0) return db.get(`SELECT * FROM ${table} WHERE ${where}`, whereParams);
  return db.get(`UPDATE ${table} SET ${sets.join(', ')} WHERE ${where} RETURNING *`, [...params, ...whereParams]);
}

/** Releases blob references held by the rows `select` returns (a query yielding blob_id, one row per reference). */
export async function releaseBlobs(db: SqlConn, select: string, params: unknown[], now: number): Promise<void> {
  await db.run(
    `UPDATE blob_refs SET refcount = blob_refs.refcount - r.n, updated_at = ?
       FROM (SELECT blob_id, COUNT(*) AS n FROM (${select}) AS x GROUP BY blob_id) AS r
      WHERE blob_refs.id = r.blob_id`,
    [now, ...params],
  );
}
