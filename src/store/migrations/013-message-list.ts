/**
 * 013: the webmail's default list order (newest first, FEATURES W4) read from an index instead
 * of sorting the whole folder: a page of 50 from a 100,000-message INBOX is an index range scan.
 * The other orders (from, subject, size, attachment) sort the folder's rows; they are asked for
 * far less often, and every index costs each delivery a write.
 */
import type { Migration } from './migration.ts';

export const messageList: Migration = {
  version: 13,
  name: 'message-list',
  sql: `
CREATE INDEX messages_list_date ON messages(mailbox_id, internal_date, uid);
`,
};
