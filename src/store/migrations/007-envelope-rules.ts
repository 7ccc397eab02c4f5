/**
 * 007: the cached ENVELOPE and BODYSTRUCTURE of every blob (006) are dropped once, because the rules
 * that write them changed (issue #11): display names equal to the address and source routes are
 * kept, a comment in an empty group is no address, a word without "=" is no parameter, and text
 * after a close delimiter no longer hides it. The next FETCH (or the indexer) writes them again.
 */
import type { Migration } from './migration.ts';

export const envelopeRules: Migration = {
  version: 7,
  name: 'envelope-rules',
  sql: 'DELETE FROM blob_meta;',
};
