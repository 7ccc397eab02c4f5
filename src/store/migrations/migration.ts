/** One schema step. A migration is never edited after it ships: add a new one. */
export interface Migration {
  version: number;
  name: string;
  /**
   * DDL written once for both dialects, with the tokens of `ddl()` in index.ts; or, where the
   * dialects have different features (SQLite FTS5, PostgreSQL tsvector), one text for each.
   */
  sql: string | { sqlite: string; postgres: string };
}
