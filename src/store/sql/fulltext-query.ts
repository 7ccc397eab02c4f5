/**
 * Full-text query text for each backend, built from segmented words: FTS5 phrases (SQLite) and
 * tsquery phrases (PostgreSQL). Every word is quoted, so nothing a user types is read as syntax.
 */
import type { FulltextField } from '../store.ts';

export type Term = { field: FulltextField; words: string[] };

/** FTS5 query: each term a quoted phrase with a prefix star, restricted to a column when asked. */
export function fts5Query(terms: Term[]): string {
  return terms.map((t) => {
    const phrase = `"${t.words.map((w) => w.replace(/"/g, '""')).join(' ')}" *`;
    return t.field === 'text' ? `{headers body} : ${phrase}` : `${t.field} : ${phrase}`;
  }).join(' AND ');
}

/** tsquery text: 'w1' <-> 'w2':* — words quoted, so nothing in them is read as an operator. */
export function tsQuery(words: string[]): string {
  return words.map((w, i) => `'${w.replace(/\\/g, '\\\\').replace(/'/g, "''")}'${i === words.length - 1 ? ':*' : ''}`).join(' <-> ');
}

