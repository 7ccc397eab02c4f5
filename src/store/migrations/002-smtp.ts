/** 002: what mail flow needs — CRAM-MD5 secrets, per-copy header prefixes, the auto-reply log, POP-before-SMTP windows. */
import type { Migration } from './migration.ts';

export const smtp: Migration = {
  version: 2,
  name: 'smtp',
  sql: `
ALTER TABLE users ADD COLUMN cram_secret TEXT NOT NULL DEFAULT '';
ALTER TABLE messages ADD COLUMN header_prefix TEXT NOT NULL DEFAULT '';

CREATE TABLE autoreply_log (
  user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  sender TEXT NOT NULL,
  sent_at BIGINT NOT NULL,
  PRIMARY KEY (user_id, sender)
);

CREATE TABLE auth_windows (
  ip TEXT PRIMARY KEY,
  expires_at BIGINT NOT NULL
);
`,
};
