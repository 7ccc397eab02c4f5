/**
 * Mailbox users (manual part 3 §1.4; FEATURES A3, P13, P17): creation under the domain's limits
 * (maxUsers, maxSizeBytes; 0 = unlimited; the error's details.field names the limit) and password policy, freeze / approve, quotas, and login.
 * A new user gets INBOX, Drafts, Sent, Trash and Junk in the same transaction.
 * Login never goes through a mailbox alias or a domain alias (manual §2.4.1: aliases cannot log in),
 * and a failed login says the same thing whether the account exists or not.
 * Not here: delivery-time checks (resolve.ts), quota enforcement on append (the store decorator).
 */
import { MailError } from '../core/errors.ts';
import { systemClock, type Clock } from '../core/clock.ts';
import type { DomainId, OrgUnitId, UserId } from '../core/ids.ts';
import type { Domain, Scope, SpecialUse, Store, StoreTx, User, UserPatch, UserSort, UserStatus } from '../store/store.ts';
export { USER_SORTS, type UserSort, type UserStatus, type Scope } from '../store/store.ts';
import { checkPasswordStrength } from '../auth/password-policy.ts';
import { verifyApop } from '../auth/apop.ts';
import { cramMd5Secret, verifyCramMd5 } from '../auth/cram-md5.ts';
import type { SecretBox } from '../auth/secret-box.ts';
import { dummyHash, hashPassword, verifyPassword } from '../auth/password.ts';
import { verifyStoredPassword } from '../auth/stored-password.ts';
import { LoginCache } from '../auth/login-cache.ts';
import type { Credentials } from '../auth/sasl.ts';
import { type Actor, recordAudit } from './actor.ts';
import { checkLoginName, requireLoginNameFree, resolveLoginName } from './login-name.ts';
import { normaliseAddress, normaliseDomain, parseAddress, type Address } from './address.ts';
import {
  domainLabel, effectiveDomainStatus, findDomain, requireAddressFree, requireCount, requireDomain, type DomainRef, requireDomainOpen,
} from './lookup.ts';

/** The secrets a user row holds; they never leave this service (issue #10 §5). */
type UserSecrets = 'passwordHash' | 'cramSecret' | 'apopSecret';

/** A user as every caller sees it: its full address (ASCII domain), and no password hash or secret. */
export type DirectoryUser = Omit<User, UserSecrets> & { address: string };

export interface UserSettings {
  realName?: string;
  /** Mailbox quota; defaults to the domain's defaultQuotaBytes. 0 = unlimited. */
  quotaBytes?: number;
  quotaMessages?: number;
  /** Network-disk quota; defaults to the domain's defaultDiskQuotaBytes. */
  diskQuotaBytes?: number;
  orgUnitId?: OrgUnitId | null;
  /** Hidden from the enterprise address book. */
  hidden?: boolean;
  sendScope?: Scope;
  receiveScope?: Scope;
  /** Addresses or domains exempt from the scopes. */
  scopeExceptions?: string[];
  /** The custom login field's value (login-name.ts), '' for none; unique in the domain. */
  loginName?: string;
}
export interface NewUserOptions extends UserSettings {
  password: string;
  /** 'pending' for registrations awaiting approval. Default 'active'. */
  status?: UserStatus;
  /**
   * Batch add only: store the password sealed with the box, hashed later by the background role
   * (auth/pending-hashes.ts), so adding does not wait for scrypt. Without a box it is hashed at once.
   */
  deferHash?: boolean;
}
export interface UserListQuery {
  domain?: DomainRef;
  /** null: users in no department. */
  orgUnitId?: OrgUnitId | null;
  /** Users in any of these units (a department admin's subtree). */
  orgUnitIds?: readonly OrgUnitId[];
  status?: UserStatus;
  search?: string;
  sort?: UserSort;
  descending?: boolean;
  limit?: number;
  offset?: number;
}

/** The folders every new user starts with, all subscribed (RFC 6154 special-use). */
export const DEFAULT_MAILBOXES: ReadonlyArray<{ name: string; specialUse: SpecialUse }> = [
  { name: 'INBOX', specialUse: '\\Inbox' },
  { name: 'Drafts', specialUse: '\\Drafts' },
  { name: 'Sent', specialUse: '\\Sent' },
  { name: 'Trash', specialUse: '\\Trash' },
  { name: 'Junk', specialUse: '\\Junk' },
];

const AUTH_FAILED = 'invalid user name or password';
const SCOPES: readonly Scope[] = ['any', 'internal'];

export class UserService {
  /**
   * box: the server's SecretBox (DATA/secret.key), which seals APOP copies and the passwords of
   * batch-added users until they are hashed; without it neither is kept.
   * keepCramSecret: whether to store the CRAM-MD5 state beside the password hash (the
   * security.cramMd5Enabled setting); users get one when their password is next set.
   * keepApopSecret: whether to keep a sealed password copy for APOP (security.apopEnabled); users
   * get one when their password is set or at their next password login, and lose it at their next
   * login once APOP is off (or at once with dropApopSecrets).
   */
  constructor(
    private readonly store: Store,
    private readonly clock: Clock = systemClock,
    private readonly opts: { box?: SecretBox; keepCramSecret?: () => boolean; keepApopSecret?: () => boolean; loginCacheMs?: () => number } = {},
  ) {
    this.logins = new LoginCache(clock, opts.loginCacheMs ?? (() => 0));
  }

  private readonly logins: LoginCache;

  /** The box while APOP copies are kept, else undefined. */
  private apopBox(): SecretBox | undefined {
    return this.opts.keepApopSecret?.() ? this.opts.box : undefined;
  }

  private apopSecretFor(password: string): string {
    return this.apopBox()?.encrypt(password) ?? '';
  }

  private cramSecretFor(password: string): string {
    return (this.opts.keepCramSecret?.() ?? true) ? cramMd5Secret(password) : '';
  }

  /**
   * Creates a user and its default mailboxes. Throws NOT_FOUND (no such domain), FORBIDDEN (domain
   * not valid or expired), LIMIT_REACHED (maxUsers, maxSizeBytes), ALREADY_EXISTS (address used by a
   * user, alias or list), PASSWORD_WEAK (domain requires strong passwords), INVALID_INPUT.
   */
  async add(actor: Actor, address: string, opts: NewUserOptions): Promise<DirectoryUser> {
    const addr = parseAddress(address);
    checkSettings(opts);
    const loginName = opts.loginName === undefined ? '' : checkLoginName(opts.loginName);
    if (opts.status !== undefined && !['active', 'frozen', 'pending'].includes(opts.status)) {
      throw new MailError('INVALID_INPUT', `status must be active, frozen or pending`);
    }
    // Hash outside the transaction: a transaction must only do store work (store.ts).
    const domainPolicy = await this.store.read((tx) => requireDomain(tx, addr.domain));
    requireStrongEnough(domainPolicy, addr, opts.password);
    const box = opts.deferHash ? this.opts.box : undefined;
    const passwordHash = box ? box.encrypt(opts.password) : await hashPassword(opts.password);

    return this.store.tx(async (tx) => {
      const domain = await requireDomain(tx, addr.domain);
      requireDomainOpen(domain, this.clock.now());
      requireStrongEnough(domain, addr, opts.password); // the setting may have changed meanwhile
      await requireAddressFree(tx, domain, addr.localPart);
      if (loginName) await requireLoginNameFree(tx, domain, loginName);

      await tx.domains.lock(domain.id); // other nodes' adds wait here, so the limits below hold
      // The allocation reads the domain's entries of an index (~1 ms at 30,000 users, under the lock): only a domain with limits needs it.
      const limited = domain.maxUsers > 0 || domain.maxSizeBytes > 0;
      const usage = limited ? await tx.domains.allocation(domain.id) : { users: 0, quotaAllocatedBytes: 0 };
      if (domain.maxUsers > 0 && usage.users >= domain.maxUsers) {
        throw new MailError('LIMIT_REACHED', `domain ${domainLabel(domain)} has reached its limit of ${domain.maxUsers} users`,
          { details: { field: 'maxUsers' } });
      }
      const quotaBytes = opts.quotaBytes ?? domain.defaultQuotaBytes;
      requireSpace(domain, usage.quotaAllocatedBytes, quotaBytes);
      if (opts.orgUnitId) await requireOrgUnit(tx, domain.id, opts.orgUnitId);

      const user = await tx.users.create({
        domainId: domain.id,
        localPart: addr.localPart,
        passwordHash,
        cramSecret: this.cramSecretFor(opts.password),
        apopSecret: this.apopSecretFor(opts.password),
        status: opts.status ?? 'active',
        realName: opts.realName ?? '',
        quotaBytes,
        quotaMessages: opts.quotaMessages ?? 0,
        diskQuotaBytes: opts.diskQuotaBytes ?? domain.defaultDiskQuotaBytes,
        orgUnitId: opts.orgUnitId ?? null,
        hiddenFromDirectory: opts.hidden ?? false,
        sendScope: opts.sendScope ?? 'any',
        receiveScope: opts.receiveScope ?? 'any',
        scopeExceptions: normaliseExceptions(opts.scopeExceptions ?? []),
        loginName,
      });
      for (const mb of DEFAULT_MAILBOXES) {
        await tx.mailboxes.create(user.id, mb.name, { specialUse: mb.specialUse, subscribed: true });
      }
      const full = withAddress(user, domain);
      await recordAudit(tx, actor, 'user.create', full.address, {
        realName: user.realName, status: user.status, quotaBytes: user.quotaBytes, orgUnitId: user.orgUnitId,
      });
      return full;
    });
  }

  async get(id: UserId): Promise<DirectoryUser | undefined> {
    return this.store.read(async (tx) => {
      const user = await tx.users.get(id);
      const domain = user && (await tx.domains.get(user.domainId));
      return user && domain ? withAddress(user, domain) : undefined;
    });
  }

  /** The user at address, also when it is written with a domain alias; undefined for anything else. */
  async byAddress(address: string): Promise<DirectoryUser | undefined> {
    let addr: Address;
    try {
      addr = parseAddress(address);
    } catch {
      return undefined;
    }
    return this.store.read(async (tx) => {
      const found = await findDomain(tx, addr.domain);
      const user = found && (await tx.users.byAddress(found.domain.id, addr.localPart));
      return user && found ? withAddress(user, found.domain) : undefined;
    });
  }

  async list(q: UserListQuery = {}): Promise<DirectoryUser[]> {
    return this.store.read(async (tx) => {
      const { domain, ...rest } = q;
      const domainId = domain === undefined ? undefined : (await requireDomain(tx, domain)).id;
      const names = new Map((await tx.domains.list()).map((d) => [d.id, d]));
      const users = await tx.users.list({ ...rest, domainId });
      return users.flatMap((u) => {
        const d = names.get(u.domainId);
        return d ? [withAddress(u, d)] : [];
      });
    });
  }

  async count(q: Omit<UserListQuery, 'limit' | 'offset'> = {}): Promise<number> {
    return this.store.read(async (tx) => {
      const { domain, ...rest } = q;
      const domainId = domain === undefined ? undefined : (await requireDomain(tx, domain)).id;
      return tx.users.count({ ...rest, domainId });
    });
  }

  /** Frozen users cannot log in or receive; their mail is kept (manual §1.4.1). */
  freeze(actor: Actor, address: string): Promise<DirectoryUser> {
    return this.setStatus(actor, address, 'frozen', 'user.freeze', ['active', 'pending']);
  }

  unfreeze(actor: Actor, address: string): Promise<DirectoryUser> {
    return this.setStatus(actor, address, 'active', 'user.unfreeze', ['frozen']);
  }

  /** Opens a registration that awaits approval (manual §1.4.3). */
  approve(actor: Actor, address: string): Promise<DirectoryUser> {
    return this.setStatus(actor, address, 'active', 'user.approve', ['pending']);
  }

  /** Sets a new password, under the domain's policy. Throws NOT_FOUND, PASSWORD_WEAK. */
  /**
   * Sets a new password. The user's webmail sessions end with it (a stolen session does not outlive
   * the password), except `keepSession` (the SHA-256 of the session token of a user changing their own).
   */
  async setPassword(actor: Actor, address: string, password: string, opts: { keepSession?: string } = {}): Promise<void> {
    const addr = parseAddress(address);
    const domain = await this.store.read((tx) => requireDomain(tx, addr.domain));
    requireStrongEnough(domain, addr, password);
    const passwordHash = await hashPassword(password);
    await this.store.tx(async (tx) => {
      const { user, domain: current } = await requireUser(tx, address);
      requireStrongEnough(current, addr, password);
      await tx.users.update(user.id, { passwordHash, cramSecret: this.cramSecretFor(password), apopSecret: this.apopSecretFor(password) });
      const ended = await tx.webSessions.deleteForUser(user.id, opts.keepSession);
      await recordAudit(tx, actor, 'user.password', withAddress(user, current).address, ended > 0 ? { webSessionsEnded: ended } : {});
    });
  }

  /**
   * Changes settings (never the address: manual §1.4.1). A larger quota must still fit the domain's
   * size limit. Throws NOT_FOUND, LIMIT_REACHED, INVALID_INPUT.
   */
  async update(actor: Actor, address: string, settings: UserSettings): Promise<DirectoryUser> {
    checkSettings(settings);
    const patch = settings.loginName === undefined ? settings : { ...settings, loginName: checkLoginName(settings.loginName) };
    return this.store.tx(async (tx) => {
      const { user, domain } = await requireUser(tx, address);
      if (patch.quotaBytes !== undefined && patch.quotaBytes !== user.quotaBytes) {
        const usage = await tx.domains.allocation(domain.id);
        requireSpace(domain, usage.quotaAllocatedBytes - user.quotaBytes, patch.quotaBytes);
      }
      if (patch.orgUnitId) await requireOrgUnit(tx, domain.id, patch.orgUnitId);
      if (patch.loginName) await requireLoginNameFree(tx, domain, patch.loginName, user.id);
      const { hidden, scopeExceptions, ...rest } = patch;
      const changes: UserPatch = Object.fromEntries(Object.entries(rest).filter(([, v]) => v !== undefined));
      if (hidden !== undefined) changes.hiddenFromDirectory = hidden;
      if (scopeExceptions !== undefined) changes.scopeExceptions = normaliseExceptions(scopeExceptions);
      const updated = await tx.users.update(user.id, changes);
      if (!updated) throw new MailError('NOT_FOUND', `user ${address} does not exist`);
      const full = withAddress(updated, domain);
      await recordAudit(tx, actor, 'user.update', full.address, { ...changes });
      return full;
    });
  }

  /** Deletes the user with its mail (manual §1.4.1), its list memberships and department leaderships. */
  async remove(actor: Actor, address: string): Promise<void> {
    await this.store.tx(async (tx) => {
      const { user, domain } = await requireUser(tx, address);
      const full = withAddress(user, domain);
      for (const list of await tx.lists.list()) await tx.lists.removeMember(list.id, full.address);
      for (const unit of await tx.orgUnits.list(domain.id)) {
        if (unit.leaderUserId === user.id) await tx.orgUnits.update(unit.id, { leaderUserId: null });
      }
      await tx.users.delete(user.id);
      await recordAudit(tx, actor, 'user.delete', full.address, { realName: user.realName });
    });
  }

  /**
   * Checks a login. Throws AUTH_FAILED (same message for an unknown user and a wrong password) or,
   * only after the password matched, ACCOUNT_DISABLED for a frozen or pending user or a domain that
   * is invalid or expired. Records lastLoginAt on success.
   */
  async authenticate(address: string, password: string): Promise<DirectoryUser> {
    // Verify even when there is no such user, so the time taken reveals nothing.
    return this.authenticateWith(address, async (user) => {
      if (!user) return verifyPassword(password, await dummyHash());
      if (this.logins.has(user.passwordHash, password)) return true;
      const ok = await this.passwordMatches(user, password);
      if (ok) this.logins.add(user.passwordHash, password);
      return ok;
    },
      (user) => {
        // Keep the APOP copy in step with the setting: made at a password login, dropped once APOP is off.
        const keep = this.apopBox() !== undefined;
        if (keep && user.apopSecret === '') return { apopSecret: this.apopSecretFor(password) };
        if (!keep && user.apopSecret !== '') return { apopSecret: '' };
        return {};
      });
  }

  /**
   * Whether password is the user's (a store row's passwordHash: scrypt, or sealed until hashed;
   * auth/stored-password.ts). For checks that are not logins, such as changing one's own password.
   */
  passwordMatches(user: Pick<User, 'passwordHash'>, password: string): Promise<boolean> {
    return verifyStoredPassword(password, user.passwordHash, this.opts.box);
  }

  /**
   * APOP (RFC 1939 §7): checks MD5(timestamp + password) against the sealed password copy. Throws
   * as authenticate(); AUTH_FAILED too when APOP is off or the user has no copy yet.
   */
  authenticateApop(address: string, timestamp: string, digest: string): Promise<DirectoryUser> {
    return this.authenticateWith(address, async (user) => {
      const box = this.apopBox();
      if (!box || !user || user.apopSecret === '') return false;
      try {
        return verifyApop(timestamp, box.decrypt(user.apopSecret), digest);
      } catch {
        return false;
      }
    });
  }

  /** Forgets every user's APOP copy (APOP was switched off). Returns how many were dropped. */
  async dropApopSecrets(): Promise<number> {
    return this.store.tx((tx) => tx.users.clearApopSecrets());
  }

  /** CRAM-MD5 (RFC 2195): checks the client's response against the stored HMAC states. Throws as authenticate(). */
  /**
   * The webmail login's name as an address (login-name.ts): on a domain with the custom login field
   * switched on, a name without "@" is that field's value. Only the webmail login asks this.
   */
  resolveLoginName(name: string, domainName: string | undefined): Promise<string> {
    return resolveLoginName(this.store, name, domainName);
  }

  /** Verifies what a SASL exchange (auth/sasl.ts) produced: a password, or a CRAM-MD5 answer. */
  authenticateCredentials(c: Credentials): Promise<DirectoryUser> {
    return c.kind === 'password' ? this.authenticate(c.username, c.password) : this.authenticateCramMd5(c.username, c.challenge, c.response);
  }

  /**
   * A login whose credentials another system checked (single sign-on, directory/sso.ts): `check`
   * says whether it vouches for the address; the account and domain rules of every login apply.
   */
  authenticateVouched(address: string, check: () => Promise<boolean>): Promise<DirectoryUser> {
    return this.authenticateWith(address, async () => check());
  }

  authenticateCramMd5(address: string, challenge: string, response: string): Promise<DirectoryUser> {
    return this.authenticateWith(address, async (user) => verifyCramMd5(user?.cramSecret ?? '', challenge, response));
  }

  private async authenticateWith(address: string, verify: (user: User | undefined) => Promise<boolean>,
    extra: (user: User) => UserPatch = () => ({})): Promise<DirectoryUser> {
    let addr: Address | undefined;
    try {
      addr = parseAddress(address);
    } catch {
      addr = undefined;
    }
    const found = addr && (await this.store.read(async (tx) => {
      const domain = await tx.domains.byName(addr.domain); // not through a domain alias
      const user = domain && (await tx.users.byAddress(domain.id, addr.localPart));
      return user && domain ? { user, domain } : undefined;
    }));
    const ok = await verify(found?.user);
    if (!found || !ok) throw new MailError('AUTH_FAILED', AUTH_FAILED);
    const { user, domain } = found;
    const full = withAddress(user, domain);
    if (user.status !== 'active') {
      const why = user.status === 'pending' ? 'is awaiting approval' : 'is frozen';
      throw new MailError('ACCOUNT_DISABLED', `account ${full.address} ${why}`);
    }
    const now = this.clock.now();
    const domainStatus = effectiveDomainStatus(domain, now);
    if (domainStatus !== 'valid') {
      throw new MailError('ACCOUNT_DISABLED', `domain ${domainLabel(domain)} is ${domainStatus}`);
    }
    await this.store.tx((tx) => tx.users.update(user.id, { ...extra(user), lastLoginAt: now }));
    return { ...full, lastLoginAt: now };
  }

  private async setStatus(
    actor: Actor, address: string, to: UserStatus, action: string, from: readonly UserStatus[],
  ): Promise<DirectoryUser> {
    return this.store.tx(async (tx) => {
      const { user, domain } = await requireUser(tx, address);
      const full = withAddress(user, domain);
      if (user.status === to) return full;
      if (!from.includes(user.status)) {
        throw new MailError('INVALID_INPUT', `account ${full.address} is ${user.status}, not ${from.join(' or ')}`);
      }
      const updated = await tx.users.update(user.id, { status: to });
      await recordAudit(tx, actor, action, full.address, { from: user.status, to });
      return withAddress(updated ?? { ...user, status: to }, domain);
    });
  }
}

/** The public view of a user row: the address added, the secrets (password hash or sealed password) taken out. */
export function withAddress(user: User, domain: Domain): DirectoryUser {
  const { passwordHash: _hash, cramSecret: _cram, apopSecret: _apop, ...view } = user;
  return { ...view, address: `${user.localPart}@${domain.name}` };
}

/** The user at address (through a domain alias too). Throws NOT_FOUND naming the address. */
export async function requireUser(tx: StoreTx, address: string): Promise<{ user: User; domain: Domain }> {
  const addr = parseAddress(address);
  const found = await findDomain(tx, addr.domain);
  const user = found && (await tx.users.byAddress(found.domain.id, addr.localPart));
  if (!user || !found) throw new MailError('NOT_FOUND', `user ${addr.localPart}@${domainLabel(addr.domain)} does not exist`);
  return { user, domain: found.domain };
}

function requireStrongEnough(domain: Domain, addr: Address, password: string): void {
  if (!domain.strongPasswords) {
    if (password === '') throw new MailError('PASSWORD_WEAK', 'password must not be empty');
    return;
  }
  const reason = checkPasswordStrength(password, { localPart: addr.localPart, domain: domain.name });
  if (reason) throw new MailError('PASSWORD_WEAK', reason);
}

/** Refuses a quota that would take the domain's allocated space past maxSizeBytes (0 = unlimited). */
function requireSpace(domain: Domain, allocatedByOthers: number, quotaBytes: number): void {
  if (domain.maxSizeBytes === 0) return;
  const name = domainLabel(domain);
  if (quotaBytes === 0) {
    throw new MailError('LIMIT_REACHED',
      `domain ${name} has a size limit of ${mb(domain.maxSizeBytes)}: a mailbox without a quota does not fit`, { details: { field: 'maxSizeBytes' } });
  }
  if (allocatedByOthers + quotaBytes > domain.maxSizeBytes) {
    throw new MailError('LIMIT_REACHED', `domain ${name} has reached its size limit of ${mb(domain.maxSizeBytes)} `
      + `(${mb(allocatedByOthers)} allocated; a ${mb(quotaBytes)} mailbox does not fit)`, { details: { field: 'maxSizeBytes' } });
  }
}

const mb = (bytes: number): string => `${Math.round((bytes / 1048576) * 10) / 10} MB`;

async function requireOrgUnit(tx: StoreTx, domainId: DomainId, id: OrgUnitId): Promise<void> {
  const unit = await tx.orgUnits.get(id);
  if (!unit || unit.domainId !== domainId) throw new MailError('NOT_FOUND', `department #${id} does not exist in this domain`);
}

function checkSettings(s: UserSettings): void {
  for (const key of ['quotaBytes', 'quotaMessages', 'diskQuotaBytes'] as const) requireCount(key, s[key]);
  for (const key of ['sendScope', 'receiveScope'] as const) {
    const v = s[key];
    if (v !== undefined && !SCOPES.includes(v)) throw new MailError('INVALID_INPUT', `${key} must be one of ${SCOPES.join(', ')}`);
  }
}

/** Exceptions are full addresses or bare domains, normalised like everything else. */
function normaliseExceptions(list: string[]): string[] {
  const out = list.map((e) => (e.includes('@') ? normaliseAddress(e) : normaliseDomain(e)));
  return [...new Set(out)].sort();
}
