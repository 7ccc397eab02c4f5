/**
 * 015: the Bayesian classifier's counts (issue #13 item 6): per scope ('' = global, or a domain
 * name), how many spam and ham messages were learned, and for each token (a hash of a word or
 * header feature, never the word itself) in how many of them it occurred. bayes_seen remembers
 * what each learned message (by digest) counted as, so learning it again is a no-op and learning
 * it as the other class first takes back the old counts.
 */
import type { Migration } from './migration.ts';

export const bayes: Migration = {
  version: 15,
  name: 'bayes',
  sql: `
CREATE TABLE bayes_scopes (
  scope TEXT PRIMARY KEY,
  spam BIGINT NOT NULL DEFAULT 0,
  ham BIGINT NOT NULL DEFAULT 0,
  updated_at BIGINT NOT NULL
);
CREATE TABLE bayes_tokens (
  scope TEXT NOT NULL,
  token TEXT NOT NULL,
  spam BIGINT NOT NULL DEFAULT 0,
  ham BIGINT NOT NULL DEFAULT 0,
  atime BIGINT NOT NULL,
  PRIMARY KEY (scope, token)
);
CREATE TABLE bayes_seen (
  scope TEXT NOT NULL,
  digest TEXT NOT NULL,
  class TEXT NOT NULL,
  learned_at BIGINT NOT NULL,
  PRIMARY KEY (scope, digest)
);
`,
};
