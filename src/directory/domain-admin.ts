/**
 * 邮件域信息 and 管理员操作日志 of the domain console (manual part 3 §1.3.1, §1.9.1, §2.3.1;
 * FEATURES A2, A9) for an admin Actor. Domain information shows the limits and the usage (users,
 * allocated and used size, lists) and lets a domain admin change what the manual lets them change
 * (default quotas, self-registration and approval, the admin-login link, the feedback address, the
 * company name); the limits themselves (status, user / size / list limits, opening and expiry) are
 * the super admin's, here too. The operation log is the domain's audit entries, filtered and paged
 * by the store. Department admins reach neither (admin-reach.ts domainLevel).
 * Not here: the super console's domains list and add / delete (issue #14 A10).
 */
import { MailError } from '../core/errors.ts';
import type { AuditEntry, AuditQuery, Domain, DomainPatch, DomainStatus, Store } from '../store/store.ts';
import type { Actor } from './actor.ts';
import { displayDomain } from './address.ts';
import { reachDomain } from './admin-reach.ts';
import type { DomainService } from './domains.ts';
import { effectiveDomainStatus } from './lookup.ts';

export interface DomainConsoleInfo {
  domain: Domain;
  displayName: string;
  effectiveStatus: DomainStatus;
  usage: { users: number; lists: number; quotaAllocatedBytes: number; usedBytes: number };
}

/** What a domain admin may change (manual §1.3.1: "可直接修改"); everything else is the super admin's. */
export const DOMAIN_ADMIN_FIELDS = [
  'defaultQuotaBytes', 'defaultDiskQuotaBytes', 'allowRegistration', 'requireApproval', 'showAdminLogin', 'feedbackAddress', 'companyName',
] as const satisfies ReadonlyArray<keyof DomainPatch>;
/** The limits only a super admin changes (manual §2.3.1). */
export const SUPER_ADMIN_FIELDS = ['status', 'maxUsers', 'maxSizeBytes', 'maxLists', 'openedAt', 'expiresAt'] as const satisfies ReadonlyArray<keyof DomainPatch>;
export type DomainInfoPatch = Partial<Pick<Domain, (typeof DOMAIN_ADMIN_FIELDS)[number] | (typeof SUPER_ADMIN_FIELDS)[number]>>;

export interface AuditPageQuery extends Omit<AuditQuery, 'domain' | 'actor' | 'action' | 'target'> {
  page: number;
  pageSize: number;
}

export class DomainConsoleService {
  constructor(private readonly store: Store, private readonly domains: DomainService, private readonly now: () => number = Date.now) {}

  /** The domain's information and usage. Throws FORBIDDEN (out of reach, department admins), NOT_FOUND. */
  async info(actor: Actor, domainName: string): Promise<DomainConsoleInfo> {
    return this.store.read(async (tx) => {
      const { domain } = await reachDomain(tx, actor, domainName, { domainLevel: true });
      return { domain, displayName: displayDomain(domain.name), effectiveStatus: effectiveDomainStatus(domain, this.now()), usage: await tx.domains.usage(domain.id) };
    });
  }

  /**
   * Changes the domain's information; DomainService validates and audits ('domain.update'). A domain
   * admin asking for a limit gets FORBIDDEN naming the field.
   */
  async update(actor: Actor, domainName: string, patch: DomainInfoPatch): Promise<DomainConsoleInfo> {
    const { domain } = await this.store.read((tx) => reachDomain(tx, actor, domainName, { domainLevel: true }));
    const isSuper = actor.role.kind === 'super' || actor.role.kind === 'system';
    for (const field of SUPER_ADMIN_FIELDS) {
      if (patch[field] !== undefined && !isSuper) {
        throw new MailError('FORBIDDEN', `${field} is set by the super administrator`, { details: { field } });
      }
    }
    const clean = Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined)) as DomainPatch;
    if (Object.keys(clean).length > 0) await this.domains.update(actor, domain.name, clean);
    return this.info(actor, domain.name);
  }

  /** One page of the domain's operation log, newest first, with the total. */
  async auditLog(actor: Actor, domainName: string, q: AuditPageQuery): Promise<{ total: number; entries: AuditEntry[] }> {
    return this.store.read(async (tx) => {
      const { domain } = await reachDomain(tx, actor, domainName, { domainLevel: true });
      const { page, pageSize, ...filters } = q;
      const query: AuditQuery = { ...filters, domain: domain.name };
      const total = await tx.audit.count(query);
      const entries = await tx.audit.list({ ...query, limit: pageSize, offset: (page - 1) * pageSize });
      return { total, entries };
    });
  }
}
