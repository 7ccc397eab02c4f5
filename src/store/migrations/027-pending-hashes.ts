/**
 * 027: an index of the users whose password_hash is still a sealed password (a batch add stores it
 * so, issue #14; the background role auth/pending-hashes.ts hashes it within minutes). Partial: it
 * holds only those users, so the role's look every few seconds costs nothing when none is pending,
 * on a 50,000-user domain too. The repository's query uses SEALED_PASSWORD word for word, which
 * is what lets SQLite and PostgreSQL match it to the index.
 */
import type { Migration } from './migration.ts';

/** The condition, as SQL on users: password_hash starts with auth/secret-box.ts's prefix. */
export const SEALED_PASSWORD = "substr(password_hash, 1, 10) = '$aesgcm$1$'";

export const pendingHashes: Migration = {
  version: 27,
  name: 'pending-hashes',
  sql: `CREATE INDEX users_sealed_password ON users(id) WHERE ${SEALED_PASSWORD};`,
};
