/**
 * 016: personal contacts and contact groups (FEATURES W8, manual part 2 §1.10), one book per user,
 * gone with the user. Emails and phones are JSON arrays; `name_key` (the name lower-cased) orders
 * the list, `emails_key` ("\n" + each address lower-cased + "\n") finds a contact by address
 * (duplicates on import, "add sender to contacts"), and `search_text` (name, addresses, company,
 * department, title, phones, lower-cased) serves substring search without a full-text index: a
 * personal book holds hundreds or a few thousand rows, scanned within one user's index range.
 */
import type { Migration } from './migration.ts';

export const contacts: Migration = {
  version: 16,
  name: 'contacts',
  sql: `
CREATE TABLE contacts (
  id {ID},
  user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  name_key TEXT NOT NULL,
  emails TEXT NOT NULL,
  emails_key TEXT NOT NULL,
  phones TEXT NOT NULL,
  company TEXT NOT NULL DEFAULT '',
  department TEXT NOT NULL DEFAULT '',
  title TEXT NOT NULL DEFAULT '',
  address TEXT NOT NULL DEFAULT '',
  birthday TEXT NOT NULL DEFAULT '',
  notes TEXT NOT NULL DEFAULT '',
  search_text TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE INDEX contacts_by_user ON contacts (user_id, name_key);
CREATE TABLE contact_groups (
  id {ID},
  user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  UNIQUE (user_id, name)
);
CREATE TABLE contact_group_members (
  group_id BIGINT NOT NULL REFERENCES contact_groups(id) ON DELETE CASCADE,
  contact_id BIGINT NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
  PRIMARY KEY (group_id, contact_id)
);
CREATE INDEX contact_group_members_by_contact ON contact_group_members (contact_id);
`,
};
