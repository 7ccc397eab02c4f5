/**
 * 014: web sessions (webmail logins), kept in the store so that every node of a cluster knows
 * them and a restart logs nobody out. The primary key is the SHA-256 of the cookie's token, so
 * reading the table does not give anyone a working session. A user's sessions go with the user.
 */
import type { Migration } from './migration.ts';

export const webSessions: Migration = {
  version: 14,
  name: 'web-sessions',
  sql: `
CREATE TABLE web_sessions (
  id_hash TEXT PRIMARY KEY,
  user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  csrf_token TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  last_seen_at BIGINT NOT NULL,
  ip TEXT NOT NULL DEFAULT '',
  user_agent TEXT NOT NULL DEFAULT ''
);
CREATE INDEX web_sessions_user ON web_sessions(user_id);
CREATE INDEX web_sessions_seen ON web_sessions(last_seen_at);
`,
};
