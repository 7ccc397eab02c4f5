/** One schema step. A migration is never edited after it ships: add a new one. */
export interface Migration {
  version: number;
  name: string;
  /** DDL written once for both dialects, with the tokens of `ddl()` in index.ts. */
  sql: string;
}
