/**
 * Where mail for an address goes, for delivery (FEATURES P11, P12): domain aliases map old → new,
 * mailbox aliases are followed (chains of at most MAX_ALIAS_DEPTH; a cycle of aliases is ALIAS_LOOP),
 * lists expand to members with canReceive (nested lists too, each list once, users de-duplicated),
 * and everyone@domain means every active user of the domain unless a real user, alias or list has
 * that name. Posting rights: public lists take anyone, private ones members with canSend, and the
 * built-in everyone@ only senders authenticated in the same domain.
 * Users who are frozen or pending, and domains that are invalid or expired, receive nothing: asked
 * directly they resolve to { kind: 'unknown', reason: 'disabled' | 'domain-disabled' } (so SMTP can
 * refuse at RCPT); met inside an alias or list they are skipped. Read-only: one store.read per call.
 * Sub-addressing (RFC 5233 style): user+tag@domain reaches user when nothing has the exact name
 * (setting delivery.recipientDelimiter; each of its characters splits, '' turns it off); the tag comes
 * back as `detail`. postmaster@ and abuse@ fall back to the domain's role accounts (role-accounts.ts).
 * SRS0=/SRS1= addresses at a local domain (srs.ts) resolve to the original sender (remote); forged or
 * expired ones are no-such-user, so SMTP refuses them at RCPT.
 */
import { MailError } from '../core/errors.ts';
import { systemClock, type Clock } from '../core/clock.ts';
import type { DomainId, UserId } from '../core/ids.ts';
import type { Domain, ListMember, ListVisibility, Store, StoreTx, User } from '../store/store.ts';
import { parseAddress, type Address } from './address.ts';
import { MAX_ALIAS_DEPTH } from './aliases.ts';
import { effectiveDomainStatus, findDomain } from './lookup.ts';
import { isRoleAccount, roleAccountTarget } from './role-accounts.ts';
import { Srs } from './srs.ts';
import { Batv } from '../screening/batv.ts';

/** Local part of the built-in list of all users (manual part 3 §1.6). */
export const EVERYONE = 'everyone';

export interface UserRef {
  id: UserId;
  domainId: DomainId;
  /** Canonical address: the user's own domain, never a domain alias. */
  address: string;
  /** P17, as read with the user: 'internal' accepts mail only from local senders and scopeExceptions. */
  receiveScope: User['receiveScope'];
  scopeExceptions: readonly string[];
}

/**
 * no-such-user: a local domain has nothing at that address; disabled: the user is frozen or awaits
 * approval; domain-disabled: the domain is invalid or expired.
 */
export type UnknownReason = 'no-such-user' | 'disabled' | 'domain-disabled';

export type Resolution =
  /**
   * Ours. users: who gets a copy (maybe none, e.g. an empty list); remote: outside addresses aliases
   * and lists forward to; detail: the sub-address tag when the address was user+detail (absent otherwise).
   */
  | { kind: 'local'; users: UserRef[]; remote: string[]; detail?: string }
  | { kind: 'remote'; address: string }
  | { kind: 'unknown'; reason: UnknownReason };

export interface PostingContext {
  /** Envelope sender; '' is the null sender. When undefined, list posting rights are not checked. */
  sender?: string;
  /** Whether the sender authenticated (SMTP AUTH or a webmail session) as that address. */
  authenticated?: boolean;
}

type Member = Omit<ListMember, 'listId'>;

type Target = (
  | { kind: 'user'; domain: Domain; key: string; ref: UserRef; active: boolean }
  | { kind: 'alias'; domain: Domain; key: string; targets: string[] }
  | { kind: 'list'; domain: Domain; key: string; visibility: ListVisibility; members: () => Promise<Member[]>; builtin: boolean }
  | { kind: 'none'; domain: Domain; key: string }
) & { detail?: string };

export interface ResolverOptions {
  /** Characters that separate a sub-address tag (setting delivery.recipientDelimiter); '' or absent: off. */
  recipientDelimiter?: () => string;
  /** Routes bounces to our SRS addresses back; absent: SRS addresses are ordinary names. */
  srs?: Srs;
  /**
   * DomainService's answers to "which domain is this ASCII name, or an alias of" (kept for up to a
   * second): a resolution uses a fresh one instead of its domain query, and leaves what it read.
   */
  domainCache?: DomainCache;
}

export interface DomainCache {
  /** A fresh answer: { domain } (undefined: not a domain of ours); undefined when there is none. */
  cached(ascii: string): { domain: Domain | undefined } | undefined;
  remember(ascii: string, domain: Domain | undefined): void;
}

export class Resolver {
  constructor(private readonly store: Store, private readonly clock: Clock = systemClock, private readonly opts: ResolverOptions = {}) {}

  private expansion(tx: StoreTx, ctx: PostingContext): Expansion {
    return new Expansion(tx, this.clock.now(), ctx, this.opts.recipientDelimiter?.() ?? '', this.opts.srs, this.opts.domainCache);
  }

  /**
   * Resolves one recipient. Throws INVALID_INPUT for a malformed address, ALIAS_LOOP for an alias
   * cycle or nesting deeper than MAX_ALIAS_DEPTH, FORBIDDEN when ctx.sender may not post to a list
   * the address is (or is an alias of).
   */
  async resolveRecipient(address: string, ctx: PostingContext = {}): Promise<Resolution> {
    const addr = parseAddress(address);
    return this.store.read((tx) => this.expansion(tx, ctx).resolve(addr));
  }

  /**
   * Whether sender may post to the list at listAddress (public: anyone; private: members with canSend;
   * everyone@: authenticated senders of the same domain). Throws NOT_FOUND when it is not a list.
   */
  async canPost(listAddress: string, sender: string, opts: { authenticated?: boolean } = {}): Promise<boolean> {
    const addr = parseAddress(listAddress);
    return this.store.read(async (tx) => {
      const x = this.expansion(tx, { sender, authenticated: opts.authenticated ?? false });
      const target = await x.lookup(addr);
      if (!target || target.kind !== 'list') {
        throw new MailError('NOT_FOUND', `mailing list ${addr.localPart}@${addr.domain} does not exist`);
      }
      return x.mayPost(target);
    });
  }
}

/** One resolution: caches domain look-ups and collects recipients. */
class Expansion {
  private readonly users = new Map<UserId, UserRef>();
  private readonly remote = new Set<string>();
  private readonly expanded = new Set<string>();
  private readonly domains = new Map<string, Domain | null>();

  constructor(private readonly tx: StoreTx, private readonly now: number, private readonly ctx: PostingContext,
    private readonly delimiter: string, private readonly srs?: Srs, private readonly cache?: DomainCache) {}

  async resolve(addr: Address): Promise<Resolution> {
    // A bounce to a BATV-signed return path (screening/batv.ts) is for the address it stands for.
    if (Batv.isSigned(`${addr.localPart}@${addr.domain}`) && (await this.domain(addr.domain))) {
      addr = { ...addr, localPart: Batv.strip(`${addr.localPart}@${addr.domain}`).replace(/@[^@]*$/, '') };
    }
    if (this.srs && Srs.isSrs(addr.localPart) && (await this.domain(addr.domain))) {
      const back = this.srs.reverse(addr.localPart);
      return back.ok ? { kind: 'remote', address: back.address } : { kind: 'unknown', reason: 'no-such-user' };
    }
    const target = await this.lookup(addr);
    if (!target) return { kind: 'remote', address: `${addr.localPart}@${addr.domain}` };
    if (effectiveDomainStatus(target.domain, this.now) !== 'valid') return { kind: 'unknown', reason: 'domain-disabled' };
    if (target.kind === 'none') return { kind: 'unknown', reason: 'no-such-user' };
    const detail = target.detail === undefined ? {} : { detail: target.detail };
    if (target.kind === 'user') {
      return target.active ? { kind: 'local', users: [target.ref], remote: [], ...detail } : { kind: 'unknown', reason: 'disabled' };
    }
    await this.expand(target, [], false);
    return { kind: 'local', users: [...this.users.values()], remote: [...this.remote], ...detail };
  }

  /**
   * What localPart@domain is; undefined when the domain is not ours. The exact name wins; then
   * user+detail is tried as user; then postmaster@/abuse@ fall back to the domain's role accounts.
   */
  async lookup(addr: Address): Promise<Target | undefined> {
    const domain = await this.domain(addr.domain);
    if (!domain) return undefined;
    const exact = await this.lookupIn(domain, addr.localPart);
    if (exact.kind !== 'none') return exact;
    const split = splitDetail(addr.localPart, this.delimiter);
    if (!split) return exact;
    const base = await this.lookupIn(domain, split.base);
    return base.kind === 'none' ? exact : { ...base, detail: split.detail };
  }

  /** What localPart names in the domain, with the role-account fallback; never undefined. */
  private async lookupIn(domain: Domain, localPart: string): Promise<Target> {
    const key = `${localPart}@${domain.name}`;
    const target = await this.lookupName(domain, localPart, key);
    if (target.kind !== 'none' || !isRoleAccount(localPart)) return target;
    const to = await roleAccountTarget(this.tx, domain, localPart);
    return to ? { kind: 'alias', domain, key, targets: [to] } : target;
  }

  private async lookupName(domain: Domain, localPart: string, key: string): Promise<Target> {
    const user = await this.tx.users.byAddress(domain.id, localPart);
    if (user) {
      return { kind: 'user', domain, key, active: user.status === 'active', ref: { id: user.id, domainId: domain.id, address: key, receiveScope: user.receiveScope, scopeExceptions: user.scopeExceptions } };
    }
    const alias = await this.tx.aliases.get(domain.id, localPart);
    if (alias) return { kind: 'alias', domain, key, targets: alias.targets };
    const list = await this.tx.lists.byAddress(domain.id, localPart);
    if (list) {
      return { kind: 'list', domain, key, visibility: list.visibility, builtin: false, members: () => this.tx.lists.members(list.id) };
    }
    if (localPart === EVERYONE) {
      return { kind: 'list', domain, key, visibility: 'private', builtin: true, members: () => this.everyone(domain) };
    }
    return { kind: 'none', domain, key };
  }

  /** Posting rights for a list target, from ctx.sender. */
  async mayPost(list: Extract<Target, { kind: 'list' }>): Promise<boolean> {
    const sender = this.ctx.sender ?? '';
    if (list.builtin) {
      if (!this.ctx.authenticated || sender === '') return false;
      const senderAddr = safeParse(sender);
      const senderDomain = senderAddr && (await this.domain(senderAddr.domain));
      return senderDomain?.id === list.domain.id;
    }
    if (list.visibility === 'public') return true;
    const canonicalSender = await this.canonical(sender);
    if (canonicalSender === undefined) return false;
    for (const m of await list.members()) {
      if (m.canSend && (await this.canonical(m.address)) === canonicalSender) return true;
    }
    return false;
  }

  /**
   * Adds what target delivers to. `path` holds the aliases and lists above it; viaList is true below
   * a list, where posting rights are not checked again (the top list's rights govern).
   */
  private async expand(target: Target, path: Array<{ key: string; kind: 'alias' | 'list' }>, viaList: boolean): Promise<void> {
    if (effectiveDomainStatus(target.domain, this.now) !== 'valid') return;
    if (target.kind === 'none') return;
    if (target.kind === 'user') {
      if (target.active) this.users.set(target.ref.id, target.ref);
      return;
    }
    const onPath = path.findIndex((p) => p.key === target.key);
    if (onPath >= 0) {
      const cycle = [...path.slice(onPath).map((p) => p.key), target.key];
      // A cycle through a list only repeats recipients already collected; one made of aliases alone
      // can never deliver and is a configuration error.
      if (target.kind === 'alias' && path.slice(onPath).every((p) => p.kind === 'alias')) {
        throw new MailError('ALIAS_LOOP', `alias loop: ${cycle.join(' → ')}`);
      }
      return;
    }
    if (path.length >= MAX_ALIAS_DEPTH) {
      throw new MailError('ALIAS_LOOP', `${path[0]?.key ?? target.key} expands through more than ${MAX_ALIAS_DEPTH} aliases or lists`);
    }
    if (this.expanded.has(target.key)) return;
    if (target.kind === 'list' && !viaList && this.ctx.sender !== undefined && !(await this.mayPost(target))) {
      throw new MailError('FORBIDDEN', `${this.ctx.sender || '<>'} may not post to mailing list ${target.key}`);
    }
    this.expanded.add(target.key);
    const next = [...path, { key: target.key, kind: target.kind }];
    const addresses = target.kind === 'alias'
      ? target.targets
      : (await target.members()).filter((m) => m.canReceive).map((m) => m.address);
    for (const address of addresses) {
      const addr = safeParse(address);
      if (!addr) continue; // rows are normalised on write; a bad one must not stop the rest
      const child = await this.lookup(addr);
      if (!child) this.remote.add(`${addr.localPart}@${addr.domain}`);
      else await this.expand(child, next, viaList || target.kind === 'list');
    }
  }

  /** Members of the built-in everyone@: active users, all receiving, none sending by membership. */
  private async everyone(domain: Domain): Promise<Member[]> {
    const users = await this.tx.users.list({ domainId: domain.id, status: 'active' });
    return users.map((u) => ({ address: `${u.localPart}@${domain.name}`, canSend: false, canReceive: true }));
  }

  /** An address with its domain alias replaced by the domain; undefined when malformed. */
  private async canonical(address: string): Promise<string | undefined> {
    const addr = safeParse(address);
    if (!addr) return undefined;
    const domain = await this.domain(addr.domain);
    return `${addr.localPart}@${domain ? domain.name : addr.domain}`;
  }

  private async domain(ascii: string): Promise<Domain | undefined> {
    let d = this.domains.get(ascii);
    if (d === undefined) {
      const hit = this.cache?.cached(ascii);
      const found = hit ? hit.domain : (await findDomain(this.tx, ascii))?.domain;
      if (!hit) this.cache?.remember(ascii, found);
      d = found ?? null;
      this.domains.set(ascii, d);
    }
    return d ?? undefined;
  }
}

/** user+tag → { base: 'user', detail: 'tag' } at the first delimiter character; undefined when there is none. */
export function splitDetail(localPart: string, delimiters: string): { base: string; detail: string } | undefined {
  if (delimiters === '') return undefined;
  for (let i = 1; i < localPart.length; i++) {
    if (delimiters.includes(localPart[i]!)) return { base: localPart.slice(0, i), detail: localPart.slice(i + 1) };
  }
  return undefined;
}

function safeParse(address: string): Address | undefined {
  try {
    return parseAddress(address);
  } catch {
    return undefined;
  }
}
