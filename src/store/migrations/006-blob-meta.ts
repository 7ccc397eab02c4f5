/**
 * 006: per-blob IMAP metadata (FEATURES P9): the ENVELOPE and BODYSTRUCTURE of a stored message,
 * computed once (by the indexer, or by the first FETCH that needs them) so a client listing a large
 * folder is answered without opening every message. They depend only on the blob's bytes (a
 * copy's header prefix adds Return-Path/Delivered-To, which neither includes), and go with the blob.
 */
import type { Migration } from './migration.ts';

export const blobMeta: Migration = {
  version: 6,
  name: 'blob-meta',
  sql: `
CREATE TABLE blob_meta (
  blob_id TEXT PRIMARY KEY,
  envelope TEXT NOT NULL,
  bodystructure TEXT NOT NULL
);
`,
};
