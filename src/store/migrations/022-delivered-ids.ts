/**
 * 022: duplicate removal at local delivery (FEATURES P16; manual 4.4.x 使用 Message-ID 检测重复邮件).
 * delivered_ids remembers, per user, the Message-IDs delivered to their mailbox and when, so the
 * same Message-ID delivered again within localDelivery.duplicateWindowMin is stored once.
 */
import type { Migration } from './migration.ts';

export const deliveredIds: Migration = {
  version: 22,
  name: 'delivered-ids',
  sql: `
CREATE TABLE delivered_ids (
  user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  message_id TEXT NOT NULL,
  delivered_at BIGINT NOT NULL,
  PRIMARY KEY (user_id, message_id)
);
CREATE INDEX delivered_ids_at ON delivered_ids(delivered_at);
`,
};
