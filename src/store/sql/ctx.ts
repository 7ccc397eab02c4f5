/** What every SQL repository is built from: a connection and the clock for its timestamps. */
import type { SqlConn } from './conn.ts';

export interface RepoCtx {
  db: SqlConn;
  now(): number;
}
