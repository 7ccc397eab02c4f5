/**
 * 011: what the protection pipeline keeps (issue #13): daily counters per stage, the quarantine
 * (a message a scanner stopped, with its blob referenced so the GC keeps it), and the greylist
 * triples (client /24 or /64, sender, recipient) shared by every node of a cluster.
 */
import type { Migration } from './migration.ts';

export const protection: Migration = {
  version: 11,
  name: 'protection',
  sql: `
CREATE TABLE pipeline_counters (
  day TEXT NOT NULL,
  name TEXT NOT NULL,
  count BIGINT NOT NULL DEFAULT 0,
  PRIMARY KEY (day, name)
);
CREATE TABLE quarantine (
  id {ID},
  blob_id TEXT NOT NULL,
  size BIGINT NOT NULL,
  sender TEXT NOT NULL,
  recipients TEXT NOT NULL,
  stage TEXT NOT NULL,
  reason TEXT NOT NULL,
  client_ip TEXT NOT NULL DEFAULT '',
  created_at BIGINT NOT NULL,
  meta TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX quarantine_created ON quarantine (created_at);
CREATE TABLE greylist (
  net TEXT NOT NULL,
  sender TEXT NOT NULL,
  rcpt TEXT NOT NULL,
  first_seen BIGINT NOT NULL,
  last_seen BIGINT NOT NULL,
  passed_at BIGINT,
  PRIMARY KEY (net, sender, rcpt)
);
CREATE INDEX greylist_last_seen ON greylist (last_seen);
CREATE INDEX greylist_sender ON greylist (net, sender);
`,
};
