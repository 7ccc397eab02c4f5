/**
 * The seam between the shared SQL repositories and a driver. Repositories write SQL once with `?`
 * placeholders in the common subset of SQLite and PostgreSQL (RETURNING, ON CONFLICT, integers
 * for booleans and ms times); each backend supplies a SqlConn that binds and runs it.
 */
export type Dialect = 'sqlite' | 'postgres';
export type Row = Record<string, unknown>;

export interface SqlConn {
  readonly dialect: Dialect;
  all<T = Row>(sql: string, params?: readonly unknown[]): Promise<T[]>;
  get<T = Row>(sql: string, params?: readonly unknown[]): Promise<T | undefined>;
  /** Returns the number of rows changed. */
  run(sql: string, params?: readonly unknown[]): Promise<number>;
}

/** `?, ?, ?` for n parameters. */
export const placeholders = (n: number): string => Array.from({ length: n }, () => '?').join(', ');

/** Booleans and undefined are not bindable everywhere: map them to 1/0 and NULL. */
export function bindable(v: unknown): unknown {
  if (v === undefined) return null;
  if (typeof v === 'boolean') return v ? 1 : 0;
  return v;
}

/** Rewrites `?` placeholders to `$1, $2…` for PostgreSQL (our SQL never has `?` inside literals). */
const pgCache = new Map<string, string>();
export function toPgPlaceholders(sql: string): string {
  let out = pgCache.get(sql);
  if (out === undefined) {
    let i = 0;
    out = sql.replace(/\?/g, () => `$${++i}`);
    if (pgCache.size > 5000) pgCache.clear();
    pgCache.set(sql, out);
  }
  return out;
}
