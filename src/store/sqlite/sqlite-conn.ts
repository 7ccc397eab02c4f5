/** SqlConn over a better-sqlite3 connection, with a prepared-statement cache. Calls are synchronous underneath. */
import type Database from 'better-sqlite3';
import type { Row, SqlConn } from '../sql/conn.ts';
import { bindable } from '../sql/conn.ts';

export class SqliteConn implements SqlConn {
  readonly dialect = 'sqlite' as const;
  private readonly cache = new Map<string, Database.Statement>();

  constructor(private readonly db: Database.Database) {}

  private stmt(sql: string): Database.Statement {
    let s = this.cache.get(sql);
    if (s === undefined) {
      s = this.db.prepare(sql);
      if (this.cache.size > 2000) this.cache.clear();
      this.cache.set(sql, s);
    }
    return s;
  }

  private params(params: readonly unknown[]): unknown[] {
    return params.map(bindable);
  }

  async all<T = Row>(sql: string, params: readonly unknown[] = []): Promise<T[]> {
    const s = this.stmt(sql);
    if (!s.reader) {
      s.run(...this.params(params));
      return [];
    }
    return s.all(...this.params(params)) as T[];
  }

  async get<T = Row>(sql: string, params: readonly unknown[] = []): Promise<T | undefined> {
    const s = this.stmt(sql);
    if (!s.reader) {
      s.run(...this.params(params));
      return undefined;
    }
    return s.get(...this.params(params)) as T | undefined;
  }

  async run(sql: string, params: readonly unknown[] = []): Promise<number> {
    const s = this.stmt(sql);
    return s.reader ? s.all(...this.params(params)).length : s.run(...this.params(params)).changes;
  }
}
