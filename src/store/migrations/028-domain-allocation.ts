/**
 * 028: an index of each domain's users with their quotas, so the allocation a user add or a quota
 * change is checked against (domains.allocation: how many users, how much quota given out) is read
 * from the index alone, not from every user row. At 30,000 users it is what keeps a batch add into
 * a domain with limits near the speed of one without (issue #14).
 */
import type { Migration } from './migration.ts';

export const domainAllocation: Migration = {
  version: 28,
  name: 'domain-allocation',
  sql: 'CREATE INDEX users_domain_quota ON users(domain_id, quota_bytes);',
};
