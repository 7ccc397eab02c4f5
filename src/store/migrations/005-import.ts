/**
 * 005: migration import (FEATURES A11). A job is one `youju import --file LIST` run: a lease says who
 * runs it (the CLI or a server node). Each list line is an account row with its counts. Progress
 * markers are kept per (local user, source account, remote folder) across jobs, so a rerun or a
 * resume continues where the last one stopped: IMAP by uidvalidity + last imported UID, POP3 by
 * the UIDLs already taken (import_seen).
 */
import type { Migration } from './migration.ts';

export const importMigration: Migration = {
  version: 5,
  name: 'import',
  sql: `
CREATE TABLE import_jobs (
  id {ID},
  state TEXT NOT NULL DEFAULT 'queued',
  created_at BIGINT NOT NULL,
  created_by TEXT NOT NULL DEFAULT '',
  lease_owner TEXT,
  lease_until BIGINT,
  started_at BIGINT,
  finished_at BIGINT
);
CREATE INDEX import_jobs_state ON import_jobs(state);

CREATE TABLE import_accounts (
  id {ID},
  job_id BIGINT NOT NULL REFERENCES import_jobs(id) ON DELETE CASCADE,
  line BIGINT NOT NULL,
  protocol TEXT NOT NULL,
  host TEXT NOT NULL,
  port BIGINT NOT NULL,
  tls TEXT NOT NULL,
  verify_tls INTEGER NOT NULL DEFAULT 1,
  remote_user TEXT NOT NULL,
  password TEXT NOT NULL DEFAULT '',
  user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  state TEXT NOT NULL DEFAULT 'pending',
  error TEXT NOT NULL DEFAULT '',
  folders_total BIGINT NOT NULL DEFAULT 0,
  folders_done BIGINT NOT NULL DEFAULT 0,
  messages_total BIGINT NOT NULL DEFAULT 0,
  messages_done BIGINT NOT NULL DEFAULT 0,
  imported BIGINT NOT NULL DEFAULT 0,
  bytes BIGINT NOT NULL DEFAULT 0,
  started_at BIGINT,
  finished_at BIGINT
);
CREATE INDEX import_accounts_job ON import_accounts(job_id);

CREATE TABLE import_folders (
  id {ID},
  user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  source TEXT NOT NULL,
  folder TEXT NOT NULL,
  local_name TEXT NOT NULL,
  uidvalidity BIGINT NOT NULL DEFAULT 0,
  last_uid BIGINT NOT NULL DEFAULT 0,
  imported BIGINT NOT NULL DEFAULT 0,
  updated_at BIGINT NOT NULL,
  UNIQUE (user_id, source, folder)
);

CREATE TABLE import_seen (
  folder_id BIGINT NOT NULL REFERENCES import_folders(id) ON DELETE CASCADE,
  msg_key TEXT NOT NULL,
  PRIMARY KEY (folder_id, msg_key)
);
`,
};
