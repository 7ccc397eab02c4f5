/**
 * Self-registration (FEATURES W2; manual part 2 §1.2): on a domain whose admin allows it, anyone may
 * ask for a mailbox from the login page. With approval required the account is created `pending`
 * (it cannot log in until an admin approves it, A3); without, it is active at once. The domain's
 * password policy and limits apply (UserService.add), and the new user gets the domain's default
 * quota. Each registration is audited under `register:ADDRESS` from the client's address. A client
 * address may register at most MAX_PER_HOUR mailboxes an hour on this node, so a script cannot fill
 * a domain.
 */
import type { Clock } from '../core/clock.ts';
import { MailError } from '../core/errors.ts';
import { parseAddress } from './address.ts';
import type { DomainService } from './domains.ts';
import type { UserService } from './users.ts';

const MAX_PER_HOUR = 5;
const HOUR_MS = 3_600_000;

export interface RegistrationInfo {
  /** closed: no registration; open: active at once; approval: an admin approves it first. */
  registration: 'closed' | 'open' | 'approval';
  companyName: string;
  showAdminLogin: boolean;
}

export class RegistrationService {
  private readonly recent = new Map<string, number[]>();

  constructor(
    private readonly domains: Pick<DomainService, 'resolveDomain'>,
    private readonly users: Pick<UserService, 'add'>,
    private readonly clock: Clock,
  ) {}

  /** What the login page shows for a domain (unknown domains look closed). */
  async info(domainName: string): Promise<RegistrationInfo> {
    const d = await this.domains.resolveDomain(domainName);
    if (!d || d.status !== 'valid') return { registration: 'closed', companyName: '', showAdminLogin: false };
    return {
      registration: d.allowRegistration ? (d.requireApproval ? 'approval' : 'open') : 'closed',
      companyName: d.companyName, showAdminLogin: d.showAdminLogin,
    };
  }

  async register(input: { address: string; password: string; realName: string }, ip: string): Promise<{ status: 'active' | 'pending' }> {
    let addr;
    try {
      addr = parseAddress(input.address);
    } catch {
      throw new MailError('INVALID_INPUT', 'address: not a mail address', { details: { field: 'address' } });
    }
    const domain = await this.domains.resolveDomain(addr.domain);
    if (!domain || domain.status !== 'valid' || !domain.allowRegistration) {
      throw new MailError('FORBIDDEN', `${addr.domain} takes no registrations`, { details: { field: 'address' } });
    }
    const now = this.clock.now();
    const mine = (this.recent.get(ip) ?? []).filter((at) => now - at < HOUR_MS);
    if (mine.length >= MAX_PER_HOUR) throw new MailError('LIMIT_REACHED', `${ip} registered ${MAX_PER_HOUR} mailboxes this hour`);
    const status = domain.requireApproval ? 'pending' : 'active';
    const address = `${addr.localPart}@${domain.name}`;
    await this.users.add({ who: `register:${address}`, from: ip, role: { kind: 'system' } }, address, {
      password: input.password, realName: input.realName, status, quotaBytes: domain.defaultQuotaBytes,
    });
    this.recent.set(ip, [...mine, now]);
    if (this.recent.size > 10_000) this.recent.clear();
    return { status };
  }
}
