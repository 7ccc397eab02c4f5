/**
 * 009: IMAP subscriptions are a list of names of their own (RFC 3501 §6.3.6–6.3.7): deleting a
 * mailbox leaves its name subscribed, and a name may stay subscribed while no mailbox has it (LIST
 * shows it \NonExistent, RFC 5258). The mailbox row's `subscribed` column is kept in step for the
 * mailboxes that exist. Existing subscriptions are copied over.
 */
import type { Migration } from './migration.ts';

export const subscriptions: Migration = {
  version: 9,
  name: 'subscriptions',
  sql: `
CREATE TABLE subscriptions (
  user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  PRIMARY KEY (user_id, name)
);
INSERT INTO subscriptions (user_id, name) SELECT user_id, name FROM mailboxes WHERE subscribed = 1;
`,
};
