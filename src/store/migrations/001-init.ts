/** 001: the directory, mailboxes and messages, the queue, settings, audit log and blob references. */
import type { Migration } from './migration.ts';

export const init: Migration = {
  version: 1,
  name: 'init',
  sql: `
CREATE TABLE domains (
  id {ID},
  name TEXT NOT NULL UNIQUE,
  status TEXT NOT NULL DEFAULT 'valid',
  max_users BIGINT NOT NULL DEFAULT 0,
  max_size_bytes BIGINT NOT NULL DEFAULT 0,
  max_lists BIGINT NOT NULL DEFAULT 0,
  default_quota_bytes BIGINT NOT NULL DEFAULT 0,
  default_disk_quota_bytes BIGINT NOT NULL DEFAULT 0,
  opened_at BIGINT NOT NULL,
  expires_at BIGINT,
  allow_registration INTEGER NOT NULL DEFAULT 0,
  require_approval INTEGER NOT NULL DEFAULT 0,
  show_admin_login INTEGER NOT NULL DEFAULT 1,
  strong_passwords INTEGER NOT NULL DEFAULT 1,
  feedback_address TEXT NOT NULL DEFAULT '',
  company_name TEXT NOT NULL DEFAULT '',
  created_at BIGINT NOT NULL
);

CREATE TABLE domain_aliases (
  alias TEXT PRIMARY KEY,
  domain_id BIGINT NOT NULL REFERENCES domains(id) ON DELETE CASCADE
);

CREATE TABLE org_units (
  id {ID},
  domain_id BIGINT NOT NULL REFERENCES domains(id) ON DELETE CASCADE,
  parent_id BIGINT REFERENCES org_units(id) ON DELETE SET NULL,
  name TEXT NOT NULL,
  sort_order BIGINT NOT NULL DEFAULT 0,
  leader_user_id BIGINT
);
CREATE INDEX org_units_domain ON org_units(domain_id);

CREATE TABLE users (
  id {ID},
  domain_id BIGINT NOT NULL REFERENCES domains(id) ON DELETE CASCADE,
  local_part TEXT NOT NULL,
  password_hash TEXT NOT NULL,
  real_name TEXT NOT NULL DEFAULT '',
  status TEXT NOT NULL DEFAULT 'active',
  quota_bytes BIGINT NOT NULL DEFAULT 0,
  quota_messages BIGINT NOT NULL DEFAULT 0,
  disk_quota_bytes BIGINT NOT NULL DEFAULT 0,
  org_unit_id BIGINT REFERENCES org_units(id) ON DELETE SET NULL,
  hidden INTEGER NOT NULL DEFAULT 0,
  send_scope TEXT NOT NULL DEFAULT 'any',
  receive_scope TEXT NOT NULL DEFAULT 'any',
  scope_exceptions TEXT NOT NULL DEFAULT '[]',
  created_at BIGINT NOT NULL,
  last_login_at BIGINT,
  UNIQUE (domain_id, local_part)
);
CREATE INDEX users_org_unit ON users(org_unit_id);

CREATE TABLE aliases (
  domain_id BIGINT NOT NULL REFERENCES domains(id) ON DELETE CASCADE,
  local_part TEXT NOT NULL,
  targets TEXT NOT NULL,
  PRIMARY KEY (domain_id, local_part)
);

CREATE TABLE lists (
  id {ID},
  domain_id BIGINT NOT NULL REFERENCES domains(id) ON DELETE CASCADE,
  local_part TEXT NOT NULL,
  description TEXT NOT NULL DEFAULT '',
  visibility TEXT NOT NULL DEFAULT 'public',
  created_at BIGINT NOT NULL,
  UNIQUE (domain_id, local_part)
);

CREATE TABLE list_members (
  list_id BIGINT NOT NULL REFERENCES lists(id) ON DELETE CASCADE,
  address TEXT NOT NULL,
  can_send INTEGER NOT NULL DEFAULT 1,
  can_receive INTEGER NOT NULL DEFAULT 1,
  PRIMARY KEY (list_id, address)
);

CREATE TABLE admins (
  id {ID},
  username TEXT NOT NULL,
  password_hash TEXT NOT NULL,
  role TEXT NOT NULL,
  domain_id BIGINT REFERENCES domains(id) ON DELETE CASCADE,
  org_unit_id BIGINT REFERENCES org_units(id) ON DELETE CASCADE,
  scope_key TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  UNIQUE (username, role, scope_key)
);

CREATE TABLE mailboxes (
  id {ID},
  user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  special_use TEXT,
  uidvalidity BIGINT NOT NULL,
  uidnext BIGINT NOT NULL DEFAULT 1,
  highestmodseq BIGINT NOT NULL DEFAULT 1,
  subscribed INTEGER NOT NULL DEFAULT 1,
  messages BIGINT NOT NULL DEFAULT 0,
  unseen BIGINT NOT NULL DEFAULT 0,
  bytes BIGINT NOT NULL DEFAULT 0,
  UNIQUE (user_id, name)
);

CREATE TABLE messages (
  id {ID},
  mailbox_id BIGINT NOT NULL REFERENCES mailboxes(id) ON DELETE CASCADE,
  uid BIGINT NOT NULL,
  modseq BIGINT NOT NULL,
  flags TEXT NOT NULL DEFAULT '',
  seen INTEGER NOT NULL DEFAULT 0,
  internal_date BIGINT NOT NULL,
  size BIGINT NOT NULL,
  blob_id TEXT NOT NULL,
  from_addr TEXT NOT NULL DEFAULT '',
  to_addr TEXT NOT NULL DEFAULT '',
  subject TEXT NOT NULL DEFAULT '',
  sent_at BIGINT,
  has_attachment INTEGER NOT NULL DEFAULT 0,
  priority TEXT NOT NULL DEFAULT 'normal',
  message_id_header TEXT NOT NULL DEFAULT '',
  thread_id TEXT NOT NULL DEFAULT '',
  UNIQUE (mailbox_id, uid)
);
CREATE INDEX messages_modseq ON messages(mailbox_id, modseq);
CREATE INDEX messages_blob ON messages(blob_id);

CREATE TABLE expunged (
  mailbox_id BIGINT NOT NULL REFERENCES mailboxes(id) ON DELETE CASCADE,
  uid BIGINT NOT NULL,
  modseq BIGINT NOT NULL,
  PRIMARY KEY (mailbox_id, uid)
);
CREATE INDEX expunged_modseq ON expunged(mailbox_id, modseq);

CREATE TABLE blob_refs (
  id TEXT PRIMARY KEY,
  size BIGINT NOT NULL,
  refcount BIGINT NOT NULL DEFAULT 0,
  updated_at BIGINT NOT NULL
);
CREATE INDEX blob_refs_unreferenced ON blob_refs(refcount, updated_at);

CREATE TABLE queue (
  id {ID},
  state TEXT NOT NULL,
  sender TEXT NOT NULL,
  blob_id TEXT NOT NULL,
  size BIGINT NOT NULL,
  priority BIGINT NOT NULL DEFAULT 0,
  created_at BIGINT NOT NULL,
  next_attempt_at BIGINT NOT NULL,
  attempts BIGINT NOT NULL DEFAULT 0,
  lease_owner TEXT,
  lease_until BIGINT,
  last_error TEXT NOT NULL DEFAULT '',
  meta TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX queue_due ON queue(state, next_attempt_at);

CREATE TABLE queue_recipients (
  queue_id BIGINT NOT NULL REFERENCES queue(id) ON DELETE CASCADE,
  address TEXT NOT NULL,
  state TEXT NOT NULL DEFAULT 'pending',
  attempts BIGINT NOT NULL DEFAULT 0,
  last_reply TEXT NOT NULL DEFAULT '',
  next_attempt_at BIGINT,
  PRIMARY KEY (queue_id, address)
);

CREATE TABLE settings (
  scope TEXT NOT NULL,
  key TEXT NOT NULL,
  value TEXT NOT NULL,
  PRIMARY KEY (scope, key)
);

CREATE TABLE settings_version (
  id INTEGER PRIMARY KEY,
  version BIGINT NOT NULL
);
INSERT INTO settings_version (id, version) VALUES (1, 0);

CREATE TABLE counters (
  name TEXT PRIMARY KEY,
  value BIGINT NOT NULL
);
INSERT INTO counters (name, value) VALUES ('uidvalidity', 0);

CREATE TABLE audit_log (
  id {ID},
  at BIGINT NOT NULL,
  actor TEXT NOT NULL,
  action TEXT NOT NULL,
  target TEXT NOT NULL DEFAULT '',
  source TEXT NOT NULL DEFAULT '',
  details TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX audit_at ON audit_log(at);
`,
};
