/**
 * 008: \Recent (RFC 3501 §2.3.2) belongs to exactly one session: the first to see a message. Each
 * mailbox keeps the first uid no session has claimed yet; a read-write SELECT, or a session that
 * hears of new mail, claims everything below uidnext with a compare-and-set, so across the nodes of
 * a cluster one session gets each message as recent. Existing mailboxes start with nothing recent.
 */
import type { Migration } from './migration.ts';

export const recent: Migration = {
  version: 8,
  name: 'recent',
  sql: `
ALTER TABLE mailboxes ADD COLUMN first_recent_uid BIGINT NOT NULL DEFAULT 1;
UPDATE mailboxes SET first_recent_uid = uidnext;
`,
};
