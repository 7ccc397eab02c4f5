/** SqlConn over a pg client or pool. BIGINT columns are parsed to numbers (our counters stay below 2^53). */
import pg from 'pg';
import type { Row, SqlConn } from '../sql/conn.ts';
import { bindable, toPgPlaceholders } from '../sql/conn.ts';

pg.types.setTypeParser(pg.types.builtins.INT8, (v: string) => Number(v));

export class PgConn implements SqlConn {
  readonly dialect = 'postgres' as const;

  constructor(private readonly q: pg.Pool | pg.PoolClient, private readonly readOnly = false) {}

  private async query(sql: string, params: readonly unknown[]): Promise<pg.QueryResult> {
    if (this.readOnly && !/^\s*(SELECT|WITH)\b/i.test(sql)) {
      throw new Error('write attempted inside store.read()');
    }
    return this.q.query(toPgPlaceholders(sql), params.map(bindable));
  }

  async all<T = Row>(sql: string, params: readonly unknown[] = []): Promise<T[]> {
    return (await this.query(sql, params)).rows as T[];
  }

  async get<T = Row>(sql: string, params: readonly unknown[] = []): Promise<T | undefined> {
    return (await this.query(sql, params)).rows[0] as T | undefined;
  }

  async run(sql: string, params: readonly unknown[] = []): Promise<number> {
    return (await this.query(sql, params)).rowCount ?? 0;
  }
}
