/**
 * 004: mail collection (FEATURES W14 MultiPOP, S5 DomainPOP) and APOP. pop_accounts holds external
 * POP3 boxes: a user's (kind 'user') or the one DomainPOP box (kind 'domain', no user), with the
 * password sealed by auth/secret-box.ts, a run lease and the last run's outcome. pop_seen lists the
 * UIDLs already collected per account (never collect one twice); pop_message_ids the Message-IDs
 * DomainPOP has routed (its duplicate check). users.apop_secret: the sealed APOP password copy.
 */
import type { Migration } from './migration.ts';

export const collect: Migration = {
  version: 4,
  name: 'collect',
  sql: `
ALTER TABLE users ADD COLUMN apop_secret TEXT NOT NULL DEFAULT '';

CREATE TABLE pop_accounts (
  id {ID},
  kind TEXT NOT NULL,
  user_id BIGINT REFERENCES users(id) ON DELETE CASCADE,
  host TEXT NOT NULL,
  port INTEGER NOT NULL,
  tls TEXT NOT NULL,
  username TEXT NOT NULL,
  password_enc TEXT NOT NULL,
  use_apop INTEGER NOT NULL DEFAULT 0,
  enabled INTEGER NOT NULL DEFAULT 1,
  leave_on_server INTEGER NOT NULL DEFAULT 1,
  leave_days INTEGER NOT NULL DEFAULT 0,
  lease_until BIGINT NOT NULL DEFAULT 0,
  last_run_at BIGINT,
  last_success_at BIGINT,
  last_error TEXT NOT NULL DEFAULT '',
  last_fetched INTEGER NOT NULL DEFAULT 0,
  total_fetched BIGINT NOT NULL DEFAULT 0,
  created_at BIGINT NOT NULL
);
CREATE INDEX pop_accounts_user ON pop_accounts(user_id);

CREATE TABLE pop_seen (
  account_id BIGINT NOT NULL REFERENCES pop_accounts(id) ON DELETE CASCADE,
  uid TEXT NOT NULL,
  seen_at BIGINT NOT NULL,
  PRIMARY KEY (account_id, uid)
);

CREATE TABLE pop_message_ids (
  account_id BIGINT NOT NULL REFERENCES pop_accounts(id) ON DELETE CASCADE,
  message_id TEXT NOT NULL,
  seen_at BIGINT NOT NULL,
  PRIMARY KEY (account_id, message_id)
);
`,
};
