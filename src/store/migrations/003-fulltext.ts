/**
 * 003: the full-text index (DESIGN §3). Text is indexed per blob, so a message in 500 mailboxes is
 * indexed once. Callers hand in text already split into words (Intl.Segmenter for Chinese) and
 * joined by spaces: SQLite's FTS5 unicode61 tokenizer and PostgreSQL's 'simple' configuration
 * then only split on those spaces and lower-case.
 */
import type { Migration } from './migration.ts';

export const fulltext: Migration = {
  version: 3,
  name: 'fulltext',
  sql: {
    sqlite: `
CREATE VIRTUAL TABLE blob_fts USING fts5(headers, body, tokenize = 'unicode61 remove_diacritics 0');
CREATE TABLE blob_fts_ids (fts_rowid INTEGER PRIMARY KEY AUTOINCREMENT, blob_id TEXT NOT NULL UNIQUE);
ALTER TABLE blob_refs ADD COLUMN indexed INTEGER NOT NULL DEFAULT 0;
CREATE INDEX blob_refs_unindexed ON blob_refs(indexed, refcount);
`,
    postgres: `
CREATE TABLE blob_fts (
  blob_id TEXT PRIMARY KEY,
  headers TSVECTOR NOT NULL,
  body TSVECTOR NOT NULL
);
CREATE INDEX blob_fts_headers ON blob_fts USING GIN (headers);
CREATE INDEX blob_fts_body ON blob_fts USING GIN (body);
ALTER TABLE blob_refs ADD COLUMN indexed INTEGER NOT NULL DEFAULT 0;
CREATE INDEX blob_refs_unindexed ON blob_refs(indexed, refcount);
`,
  },
};
