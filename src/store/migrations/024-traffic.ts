/**
 * 024: per-domain mail traffic (FEATURES A9, manual part 3 §1.9 邮件收发流量 and §2.9.3 邮件统计报告).
 * One row per (local day, user, direction) with its message and byte counts, upserted in the
 * transaction that already stores the message (local delivery: 'in'; submission by an
 * authenticated user: 'out'), so counting costs no fsync of its own. domain_id is kept on the row
 * so a domain's days sum without a join; the rows go with their domain, and stay when a user is
 * deleted (the domain's totals do not change after the fact).
 */
import type { Migration } from './migration.ts';

export const traffic: Migration = {
  version: 24,
  name: 'traffic',
  sql: `
CREATE TABLE traffic_daily (
  day TEXT NOT NULL,
  user_id BIGINT NOT NULL,
  direction TEXT NOT NULL,
  domain_id BIGINT NOT NULL REFERENCES domains(id) ON DELETE CASCADE,
  messages BIGINT NOT NULL DEFAULT 0,
  bytes BIGINT NOT NULL DEFAULT 0,
  PRIMARY KEY (day, user_id, direction)
);
CREATE INDEX traffic_daily_domain ON traffic_daily(domain_id, day);
`,
};
