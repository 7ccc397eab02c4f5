/**
 * 026: the IP bans in force (S7 dynamic screening: failed logins, abusive SMTP sessions, spam-trap
 * hits), shared by every process and node of the store, so an address banned by one is refused by
 * all, survives a restart, and is lifted everywhere at once. until_at is ms since the epoch.
 */
import type { Migration } from './migration.ts';

export const ipBans: Migration = {
  version: 26,
  name: 'ip-bans',
  sql: `
CREATE TABLE ip_bans (
  ip TEXT PRIMARY KEY,
  until_at BIGINT NOT NULL,
  failures BIGINT NOT NULL,
  reason TEXT NOT NULL
);
CREATE INDEX ip_bans_until ON ip_bans(until_at);
`,
};
