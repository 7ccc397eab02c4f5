/**
 * 023: the customer address book, directory sharing between domains, and the custom login field
 * (FEATURES A8, A10, W10; manual part 3 §1.8.3, §1.8.4, §2.5.1, part 2 §1.12, §1.13).
 * - customer_categories / customers: one book per domain, gone with the domain. Deleting a
 *   category keeps its entries (category_id becomes NULL: uncategorised). `name_key` (the name
 *   lower-cased) orders the list, `search_text` (name, email, company, phones, lower-cased) serves
 *   substring search: a book holds hundreds or a few thousand entries, scanned in one domain's range.
 * - directory_shares: (domain_id, shared_domain_id) = the users of domain_id see the enterprise
 *   directory of shared_domain_id ("其它域通讯录"). One direction per row; nothing by default.
 * - users.login_name: the value of the custom login field (a staff number), '' for none, unique
 *   within the domain when set.
 */
import type { Migration } from './migration.ts';

export const customerBook: Migration = {
  version: 23,
  name: 'customer-book',
  sql: `
CREATE TABLE customer_categories (
  id {ID},
  domain_id BIGINT NOT NULL REFERENCES domains(id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  UNIQUE (domain_id, name)
);
CREATE TABLE customers (
  id {ID},
  domain_id BIGINT NOT NULL REFERENCES domains(id) ON DELETE CASCADE,
  category_id BIGINT REFERENCES customer_categories(id) ON DELETE SET NULL,
  name TEXT NOT NULL,
  name_key TEXT NOT NULL,
  email TEXT NOT NULL,
  company TEXT NOT NULL DEFAULT '',
  phone TEXT NOT NULL DEFAULT '',
  mobile TEXT NOT NULL DEFAULT '',
  address TEXT NOT NULL DEFAULT '',
  notes TEXT NOT NULL DEFAULT '',
  search_text TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE INDEX customers_by_domain ON customers (domain_id, name_key);
CREATE INDEX customers_by_category ON customers (category_id);
CREATE TABLE directory_shares (
  domain_id BIGINT NOT NULL REFERENCES domains(id) ON DELETE CASCADE,
  shared_domain_id BIGINT NOT NULL REFERENCES domains(id) ON DELETE CASCADE,
  created_at BIGINT NOT NULL,
  PRIMARY KEY (domain_id, shared_domain_id)
);
CREATE INDEX directory_shares_by_shared ON directory_shares (shared_domain_id);
ALTER TABLE users ADD COLUMN login_name TEXT NOT NULL DEFAULT '';
CREATE UNIQUE INDEX users_login_name ON users (domain_id, login_name) WHERE login_name <> '';
`,
};
