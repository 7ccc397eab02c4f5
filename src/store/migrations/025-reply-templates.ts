/**
 * 025: reply templates (常用回复模板; issue #12 "templates for frequent replies", beyond the manual).
 * Each user keeps a short list of named bodies, HTML or plain text, that compose inserts at the
 * cursor. Rows of one user are read together (the list is small: at most 100, 64 KiB each, checked
 * in options/reply-templates.ts), and go with the user.
 * Also the webmail's conversation view (FEATURES W4): a folder's messages grouped by thread_id
 * (mime/summary.ts: the hash of the thread's root Message-ID) are read by the index
 * messages_thread, so opening a conversation and listing one page of them stay index scans.
 */
import type { Migration } from './migration.ts';

export const replyTemplates: Migration = {
  version: 25,
  name: 'reply-templates',
  sql: `
CREATE TABLE reply_templates (
  id {ID},
  user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  format TEXT NOT NULL,
  body TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE INDEX reply_templates_by_user ON reply_templates (user_id, id);
CREATE INDEX messages_thread ON messages (mailbox_id, thread_id, internal_date);
`,
};
