/**
 * The webmail's search over SQL (FulltextRepo.find): index hits joined to the messages of the
 * asked mailboxes, plus the messages whose blob the indexer has not reached yet matched on their
 * summaries, filtered (dates, attachment, unread), newest first, one page and a capped count.
 * The index is per blob, so the join walks from the hits (FTS5 rowids, tsvector GIN) to their
 * copies through messages_blob: the cost follows the hits, not the mailboxes' size. When there
 * are more hits than the count goes to (a common word), or no words at all (filters alone), each
 * mailbox is walked newest first instead, testing each message against the hits, until the page is full.
 */
import type { Message, MessageSearch, SummaryField } from '../store.ts';
import { placeholders, type Row, type SqlConn } from './conn.ts';
import { fts5Query, tsQuery } from './fulltext-query.ts';
import { toMessage } from './messages.ts';
import { num } from './rows.ts';

const SUMMARY_COLUMNS: Record<SummaryField, string> = { subject: 'm.subject', from: 'm.from_addr', to: 'm.to_addr' };
const ORDER = 'ORDER BY internal_date DESC, mailbox_id DESC, uid DESC';

/** A LIKE pattern finding `word` anywhere, its wildcards taken literally. */
const containing = (word: string) => `%${word.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

interface Clause {
  sql: string;
  params: unknown[];
}

/** Every word in one of the columns: `(lower(c1) LIKE ? OR lower(c2) LIKE ?) AND …`. */
function wordsIn(columns: string[], words: string[]): Clause {
  return {
    sql: words.map(() => `(${columns.map((c) => `lower(${c}) LIKE ? ESCAPE '\\'`).join(' OR ')})`).join(' AND '),
    params: words.flatMap((w) => columns.map(() => containing(w))),
  };
}

/** The filters every branch shares: mailboxes, date range, attachment, unread. */
function filters(q: MessageSearch): Clause {
  const sql = [`m.mailbox_id IN (${placeholders(q.mailboxIds.length)})`];
  const params: unknown[] = [...q.mailboxIds];
  if (q.since !== undefined) { sql.push('m.internal_date >= ?'); params.push(q.since); }
  if (q.before !== undefined) { sql.push('m.internal_date < ?'); params.push(q.before); }
  if (q.hasAttachment) sql.push('m.has_attachment = 1');
  if (q.unseenOnly) sql.push('m.seen = 0');
  return { sql: sql.join(' AND '), params };
}

/** The index branch: messages whose blob's text matches every phrase (and the summary column, when narrowed). */
function indexed(db: SqlConn, q: MessageSearch, phrases: string[][], f: Clause): Clause {
  const narrow = q.summary ? wordsIn([SUMMARY_COLUMNS[q.summary]], phrases.flat()) : undefined;
  const tail = narrow ? ` AND ${narrow.sql}` : '';
  if (db.dialect === 'sqlite') {
    // CROSS JOIN keeps SQLite in this order: from the hits to their messages.
    return {
      sql: `SELECT m.* FROM blob_fts x CROSS JOIN blob_fts_ids i ON i.fts_rowid = x.rowid
              CROSS JOIN messages m INDEXED BY messages_blob ON m.blob_id = i.blob_id
             WHERE blob_fts MATCH ? AND ${f.sql}${tail}`,
      params: [fts5Query(phrases.map((words) => ({ field: q.field, words }))), ...f.params, ...(narrow?.params ?? [])],
    };
  }
  // Each column tested on its own, so the GIN indexes can answer (a concatenation cannot).
  const conds = phrases.map((words) => (q.field === 'text'
    ? { sql: "(x.headers @@ to_tsquery('simple', ?) OR x.body @@ to_tsquery('simple', ?))", params: [tsQuery(words), tsQuery(words)] }
    : { sql: `x.${q.field} @@ to_tsquery('simple', ?)`, params: [tsQuery(words)] }));
  return {
    sql: `SELECT m.* FROM blob_fts x JOIN messages m ON m.blob_id = x.blob_id
           WHERE ${conds.map((c) => c.sql).join(' AND ')} AND ${f.sql}${tail}`,
    params: [...conds.flatMap((c) => c.params), ...f.params, ...(narrow?.params ?? [])],
  };
}

/** The not-yet-indexed branch: few rows once the indexer has caught up, matched on their summaries. */
function unindexed(db: SqlConn, q: MessageSearch, words: string[], f: Clause): Clause | undefined {
  const columns = q.summary ? [SUMMARY_COLUMNS[q.summary]] : q.field === 'body' ? [] : Object.values(SUMMARY_COLUMNS);
  if (columns.length === 0) return undefined;
  const match = wordsIn(columns, words);
  return {
    sql: `SELECT m.* FROM blob_refs b ${db.dialect === 'sqlite' ? 'CROSS JOIN messages m INDEXED BY messages_blob' : 'JOIN messages m'}
            ON m.blob_id = b.id
           WHERE b.indexed = 0 AND ${f.sql} AND ${match.sql}`,
    params: [...f.params, ...match.params],
  };
}

/**
 * The same match as one condition on a message row `m`, for walking a mailbox newest first:
 * its blob among the index's hits, or its summaries while it is not indexed. SQLite gathers the
 * hits once (an IN list) and joins `i` (blob_fts_ids) for the message's index row: an FTS5 probe
 * per message costs milliseconds. PostgreSQL tests the blob's stored tsvectors per message.
 */
function probe(db: SqlConn, q: MessageSearch, phrases: string[][]): Clause & { join: string } {
  const words = phrases.flat();
  const narrow = q.summary ? wordsIn([SUMMARY_COLUMNS[q.summary]], words) : undefined;
  let hit: Clause;
  let join = '';
  if (db.dialect === 'sqlite') {
    join = 'LEFT JOIN blob_fts_ids i ON i.blob_id = m.blob_id';
    hit = {
      sql: 'i.fts_rowid IN (SELECT rowid FROM blob_fts WHERE blob_fts MATCH ?)',
      params: [fts5Query(phrases.map((w) => ({ field: q.field, words: w })))],
    };
  } else {
    const conds = phrases.map((w) => (q.field === 'text'
      ? { sql: "(x.headers @@ to_tsquery('simple', ?) OR x.body @@ to_tsquery('simple', ?))", params: [tsQuery(w), tsQuery(w)] }
      : { sql: `x.${q.field} @@ to_tsquery('simple', ?)`, params: [tsQuery(w)] }));
    hit = {
      sql: `EXISTS (SELECT 1 FROM blob_fts x WHERE x.blob_id = m.blob_id AND ${conds.map((c) => c.sql).join(' AND ')})`,
      params: conds.flatMap((c) => c.params),
    };
  }
  if (narrow) hit = { sql: `${hit.sql} AND ${narrow.sql}`, params: [...hit.params, ...narrow.params] };
  const columns = q.summary ? [SUMMARY_COLUMNS[q.summary]] : q.field === 'body' ? [] : Object.values(SUMMARY_COLUMNS);
  if (columns.length === 0) return { ...hit, join };
  const match = wordsIn(columns, words);
  return {
    join,
    sql: `((${hit.sql}) OR (EXISTS (SELECT 1 FROM blob_refs b WHERE b.id = m.blob_id AND b.indexed = 0) AND ${match.sql}))`,
    params: [...hit.params, ...match.params],
  };
}

/**
 * Many matches: walk each mailbox newest first (messages_list_date) testing each message, and stop
 * at the page's end: beyond gathering the hits, the cost follows the page's depth over the matches'
 * density, not their number (a word in most of 100,000 messages: one join per row shown, not 80,000).
 * One statement per mailbox, so each can follow its index; the pages are merged here.
 */
async function walkNewest(db: SqlConn, q: MessageSearch, cond: (Clause & { join: string }) | undefined): Promise<Message[]> {
  const want = Math.max(0, Math.floor(q.offset)) + Math.max(0, Math.floor(q.limit));
  const rows: Row[] = [];
  for (const id of q.mailboxIds) {
    const f = filters({ ...q, mailboxIds: [id] });
    rows.push(...await db.all<Row>(
      `SELECT m.* FROM messages m ${db.dialect === 'sqlite' ? 'INDEXED BY messages_list_date' : ''} ${cond?.join ?? ''}
        WHERE ${f.sql}${cond ? ` AND ${cond.sql}` : ''} ORDER BY m.internal_date DESC, m.uid DESC LIMIT ?`,
      [...f.params, ...(cond?.params ?? []), want]));
  }
  const messages = rows.map(toMessage);
  messages.sort((a, b) => b.internalDate - a.internalDate || b.mailboxId - a.mailboxId || b.uid - a.uid);
  return messages.slice(Math.max(0, Math.floor(q.offset)), want);
}

export async function findMessages(db: SqlConn, q: MessageSearch): Promise<{ messages: Message[]; total: number }> {
  if (q.mailboxIds.length === 0) return { messages: [], total: 0 };
  const phrases = q.phrases.filter((p) => p.length > 0);
  const f = filters(q);
  const from = phrases.length === 0
    ? { sql: `SELECT m.* FROM messages m WHERE ${f.sql}`, params: f.params }
    : [indexed(db, q, phrases, f), unindexed(db, q, phrases.flat(), f)].filter((c): c is Clause => c !== undefined)
      .reduce<Clause>((all, c) => ({ sql: all.sql ? `${all.sql} UNION ALL ${c.sql}` : c.sql, params: [...all.params, ...c.params] }), { sql: '', params: [] });
  // The count stops early; it also tells which way finds the page for less.
  const counted = await db.get<Row>(`SELECT count(*) AS n FROM (SELECT 1 AS one FROM (${from.sql}) hits LIMIT ?) capped`,
    [...from.params, Math.max(0, Math.floor(q.countLimit)) + 1]);
  const total = num(counted?.n ?? 0);
  if (total > q.countLimit || phrases.length === 0) {
    return { messages: await walkNewest(db, q, phrases.length === 0 ? undefined : probe(db, q, phrases)), total };
  }
  // Few matches: take them all from the index and sort them.
  const rows = await db.all<Row>(`SELECT * FROM (${from.sql}) hits ${ORDER} LIMIT ? OFFSET ?`,
    [...from.params, Math.max(0, Math.floor(q.limit)), Math.max(0, Math.floor(q.offset))]);
  return { messages: rows.map(toMessage), total };
}
