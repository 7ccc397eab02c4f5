/**
 * 010: named leases for resources one session of the whole cluster may hold at a time (the POP3
 * maildrop, RFC 1939 §3 exclusive-access lock): a holder and an expiry, renewed while the holder
 * lives, so a node that dies lets go when its lease runs out.
 */
import type { Migration } from './migration.ts';

export const leases: Migration = {
  version: 10,
  name: 'leases',
  sql: `
CREATE TABLE leases (
  name TEXT PRIMARY KEY,
  holder TEXT NOT NULL,
  until_at BIGINT NOT NULL
);
`,
};
