/**
 * 020: the admin operation log per domain (manual part 3 §1.9.1; FEATURES A9). Each audit entry
 * gets the domain it is about (the domain part of its target: 'bob@x.cn', 'orgunit:3@x.cn', or a
 * bare 'x.cn'; '' for entries about no domain), so a domain console pages its own log from an
 * index instead of scanning everyone's. Older entries are filled in from their targets here.
 */
import type { Migration } from './migration.ts';

const common = `
ALTER TABLE audit_log ADD COLUMN domain TEXT NOT NULL DEFAULT '';
CREATE INDEX audit_domain_at ON audit_log(domain, at, id);
`;
/** A target without '@' is a domain when it has a dot and no ':' or space ('domainpop', 'job 5' are not). */
const bare = "target LIKE '%.%' AND target NOT LIKE '%:%' AND target NOT LIKE '% %'";

export const auditDomain: Migration = {
  version: 20,
  name: 'audit-domain',
  sql: {
    sqlite: `${common}
UPDATE audit_log SET domain = lower(substr(target, instr(target, '@') + 1)) WHERE instr(target, '@') > 0;
UPDATE audit_log SET domain = lower(target) WHERE instr(target, '@') = 0 AND ${bare};
`,
    postgres: `${common}
UPDATE audit_log SET domain = lower(substr(target, strpos(target, '@') + 1)) WHERE strpos(target, '@') > 0;
UPDATE audit_log SET domain = lower(target) WHERE strpos(target, '@') = 0 AND ${bare};
`,
  },
};
