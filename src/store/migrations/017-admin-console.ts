/**
 * 017: the web admin consoles (issue #14). Admin sessions, kept in the store like the webmail's
 * (014) so every node knows them, keyed by the SHA-256 of the cookie's token and gone with their
 * admin. Indexes for the users list of a large domain (50,000 users): sorted by real name, or by
 * status, one page at a time without sorting the whole domain (by address, the UNIQUE
 * (domain_id, local_part) index of 001 already serves).
 */
import type { Migration } from './migration.ts';

export const adminConsole: Migration = {
  version: 17,
  name: 'admin-console',
  sql: `
CREATE TABLE admin_sessions (
  id_hash TEXT PRIMARY KEY,
  admin_id BIGINT NOT NULL REFERENCES admins(id) ON DELETE CASCADE,
  csrf_token TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  last_seen_at BIGINT NOT NULL,
  ip TEXT NOT NULL DEFAULT '',
  user_agent TEXT NOT NULL DEFAULT ''
);
CREATE INDEX admin_sessions_admin ON admin_sessions(admin_id);
CREATE INDEX admin_sessions_seen ON admin_sessions(last_seen_at);
CREATE INDEX users_domain_real_name ON users(domain_id, real_name, local_part);
CREATE INDEX users_domain_status ON users(domain_id, status, local_part);
`,
};
