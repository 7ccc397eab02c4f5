/**
 * The Bayesian classifier's counts over SQL (migration 015): scope totals, token counts learned in
 * batches (multi-row upserts, so a message of 1,000 tokens is a handful of statements on both
 * backends), and the digests of learned messages. What to learn and how to combine lives in
 * antispam/bayes.ts.
 */
import type { BayesClass, BayesCounts, BayesRepo } from '../store.ts';
import { placeholders, type Row } from './conn.ts';
import type { RepoCtx } from './ctx.ts';
import { num, str } from './rows.ts';

/** Rows per statement: 200 × 5 parameters stays far below either driver's limit. */
const BATCH = 200;

function* chunks<T>(items: readonly T[], size: number): Generator<T[]> {
  for (let i = 0; i < items.length; i += size) yield items.slice(i, i + size);
}

export function bayesRepo({ db }: RepoCtx): BayesRepo {
  return {
    async totals(scope) {
      const r = await db.get<Row>('SELECT spam, ham FROM bayes_scopes WHERE scope = ?', [scope]);
      return r ? { spam: num(r.spam), ham: num(r.ham) } : { spam: 0, ham: 0 };
    },

    async tokens(scope, tokens) {
      const out = new Map<string, BayesCounts>();
      for (const part of chunks([...new Set(tokens)], BATCH * 2)) {
        const rows = await db.all<Row>(`SELECT token, spam, ham FROM bayes_tokens WHERE scope = ? AND token IN (${placeholders(part.length)})`, [scope, ...part]);
        for (const r of rows) out.set(str(r.token), { spam: num(r.spam), ham: num(r.ham) });
      }
      return out;
    },

    async learn(scope, cls, tokens, delta, at) {
      const col = cls === 'spam' ? 'spam' : 'ham';
      const unique = [...new Set(tokens)];
      if (delta === 1) {
        await db.run(`INSERT INTO bayes_scopes (scope, spam, ham, updated_at) VALUES (?, ?, ?, ?)
          ON CONFLICT (scope) DO UPDATE SET ${col} = bayes_scopes.${col} + 1, updated_at = excluded.updated_at`,
        [scope, cls === 'spam' ? 1 : 0, cls === 'ham' ? 1 : 0, at]);
        for (const part of chunks(unique, BATCH)) {
          const params: unknown[] = [];
          for (const t of part) params.push(scope, t, cls === 'spam' ? 1 : 0, cls === 'ham' ? 1 : 0, at);
          await db.run(`INSERT INTO bayes_tokens (scope, token, spam, ham, atime) VALUES ${part.map(() => '(?, ?, ?, ?, ?)').join(', ')}
            ON CONFLICT (scope, token) DO UPDATE SET ${col} = bayes_tokens.${col} + 1, atime = excluded.atime`, params);
        }
        return;
      }
      await db.run(`UPDATE bayes_scopes SET ${col} = CASE WHEN ${col} > 0 THEN ${col} - 1 ELSE 0 END, updated_at = ? WHERE scope = ?`, [at, scope]);
      for (const part of chunks(unique, BATCH * 2)) {
        const inList = `scope = ? AND token IN (${placeholders(part.length)})`;
        await db.run(`UPDATE bayes_tokens SET ${col} = CASE WHEN ${col} > 0 THEN ${col} - 1 ELSE 0 END WHERE ${inList}`, [scope, ...part]);
        await db.run(`DELETE FROM bayes_tokens WHERE ${inList} AND spam = 0 AND ham = 0`, [scope, ...part]);
      }
    },

    async seen(scope, digest) {
      const r = await db.get<Row>('SELECT class FROM bayes_seen WHERE scope = ? AND digest = ?', [scope, digest]);
      return r ? (str(r.class) as BayesClass) : undefined;
    },

    async markSeen(scope, digest, cls, at) {
      if (cls === null) {
        await db.run('DELETE FROM bayes_seen WHERE scope = ? AND digest = ?', [scope, digest]);
        return;
      }
      await db.run(`INSERT INTO bayes_seen (scope, digest, class, learned_at) VALUES (?, ?, ?, ?)
        ON CONFLICT (scope, digest) DO UPDATE SET class = excluded.class, learned_at = excluded.learned_at`, [scope, digest, cls, at]);
    },

    async stamp(scope) {
      const r = await db.get<Row>('SELECT spam, ham, updated_at FROM bayes_scopes WHERE scope = ?', [scope]);
      return r ? { spam: num(r.spam), ham: num(r.ham), updatedAt: num(r.updated_at) } : { spam: 0, ham: 0, updatedAt: 0 };
    },

    async allTokens(scope, limit) {
      const rows = await db.all<Row>('SELECT token, spam, ham FROM bayes_tokens WHERE scope = ? LIMIT ?', [scope, limit + 1]);
      if (rows.length > limit) return undefined;
      return new Map(rows.map((r) => [str(r.token), { spam: num(r.spam), ham: num(r.ham) }]));
    },

    async scopes() {
      const rows = await db.all<Row>(`SELECT s.scope, s.spam, s.ham, s.updated_at,
          (SELECT COUNT(*) FROM bayes_tokens t WHERE t.scope = s.scope) AS tokens
        FROM bayes_scopes s ORDER BY s.scope`);
      return rows.map((r) => ({ scope: str(r.scope), spam: num(r.spam), ham: num(r.ham), tokens: num(r.tokens), updatedAt: num(r.updated_at) }));
    },
  };
}
