/**
 * The sending rules every client path shares (FEATURES P2, P3, P4, P17): SMTP on 25/587/465 and the
 * webmail's compose both ask these, so a rule is written once. Who may use which sender address, who
 * may reach which recipient (relay rights, send and receive scopes, unknown or disabled mailboxes,
 * full mailboxes), the relay tricks that are never addresses, and the recipient limit. RFC 5321
 * §3.3, §7.1.
 *
 * A refusal is a MailError from the catalogue whose details carry the SMTP reply to give
 * (`details.reply`): SMTP answers with that code and the message, the web with the catalogue's HTTP
 * status and the same message. The caller's context says what only it knows: the settings snapshot,
 * the authenticated user, and whether the client may relay (trusted network, POP-before-SMTP).
 */
import type { Settings } from '../config/settings.ts';
import { isMailError, MailError, type ErrorCode } from '../core/errors.ts';
import type { QuotaService } from '../delivery/quota.ts';
import { parseAddress, type Address } from '../directory/address.ts';
import type { DomainService } from '../directory/domains.ts';
import { lookalikeOf } from '../directory/lookalike.ts';
import type { Resolver, UserRef } from '../directory/resolve.ts';
import type { DirectoryUser } from '../directory/users.ts';

export interface RulesDeps {
  domains: Pick<DomainService, 'resolveDomain' | 'list'>;
  resolver: Pick<Resolver, 'resolveRecipient'>;
  quota: QuotaService;
}

/** The SMTP reply a refusal asks for. */
export interface RefusalReply {
  code: number;
  enhanced: string;
}

/** A refusal: the catalogue code (HTTP status, IMAP code) and the SMTP reply with its text. */
export function refusal(code: ErrorCode, smtp: number, enhanced: string, message: string, field?: string): MailError {
  return new MailError(code, message, { details: { reply: { code: smtp, enhanced } satisfies RefusalReply, ...(field ? { field } : {}) } });
}

/** The reply a refusal carries, when it is one. */
export function refusalReply(err: unknown): RefusalReply | undefined {
  return isMailError(err) ? (err.details?.reply as RefusalReply | undefined) : undefined;
}

/** One message's sending: who sends, as whom, and what has been accepted so far. */
export interface SendContext {
  settings: Readonly<Settings>;
  /** The authenticated user, if any. */
  user?: DirectoryUser;
  /** The envelope sender once checked ('' for the null sender) and whether it is in a local domain. */
  sender?: { address: string; local: boolean };
  /** The message's size when known (SMTP SIZE=), else 0. */
  declaredSize: number;
  /** Users the accepted recipients reach (quota and scope checks per transaction). */
  localUsers: UserRef[];
  /** Whether the client may relay without AUTH (trusted network, POP-before-SMTP window). */
  mayRelay(): Promise<boolean>;
  /** The client is in a trusted network. */
  trusted: boolean;
}

const PRIVILEGED = new Set(['postmaster', 'abuse', 'webmaster']);

export class SendingRules {
  constructor(private readonly deps: RulesDeps) {}

  /**
   * The envelope sender: syntax, a privileged local sender (postmaster@, abuse@) needs AUTH, and an
   * authenticated user sends only as an address that reaches them (smtp.authMustMatchSender).
   */
  async sender(raw: string, ctx: SendContext): Promise<{ address: string; local: boolean }> {
    if (raw === '') return (ctx.sender = { address: '', local: false });
    const addr = this.parse(raw, '5.1.7', 'Bad sender address syntax', 'from');
    const address = `${addr.localPart}@${addr.domain}`;
    const local = (await this.deps.domains.resolveDomain(addr.domain)) !== undefined;
    ctx.sender = { address, local };
    if (local && PRIVILEGED.has(addr.localPart) && !ctx.user && ctx.settings.smtp.privilegedSendersMustAuth && !ctx.trusted) {
      throw refusal('FORBIDDEN', 550, '5.7.1', `Mail from ${addr.localPart}@ a local domain must authenticate`, 'from');
    }
    if (ctx.user && ctx.settings.smtp.authMustMatchSender && !(await this.ownedBy(address, ctx.user))) {
      throw refusal('FORBIDDEN', 553, '5.7.1', `Sender address <${address}> is not owned by ${ctx.user.address}`, 'from');
    }
    return ctx.sender;
  }

  /** The recipient limit: `count` is how many recipients the message asks for so far. */
  recipientCount(count: number, ctx: SendContext): void {
    const max = ctx.settings.smtp.maxRcptPerMessage;
    if (count > max) throw refusal('LIMIT_REACHED', 452, '4.5.3', `Too many recipients (at most ${max} per message)`, 'to');
  }

  /** One recipient: a local one must exist and accept the mail; a remote one needs relay rights and scope. */
  async recipient(raw: string, ctx: SendContext, field = 'to'): Promise<string> {
    const addr = this.parse(raw, '5.1.3', 'Bad recipient address syntax', field);
    const rcpt = `${addr.localPart}@${addr.domain}`;
    const domain = await this.deps.domains.resolveDomain(addr.domain);
    if (domain) {
      await this.localRecipient(rcpt, ctx, field);
      return rcpt;
    }
    // Not ours: only those allowed to relay, and never to a look-alike of one of our domains.
    if (ctx.settings.smtp.rejectLookalikeDomains) {
      const names = (await this.deps.domains.list()).map((d) => d.domain.name);
      const imitated = lookalikeOf(addr.domain, names);
      if (imitated) throw refusal('FORBIDDEN', 550, '5.7.1', `Recipient domain ${addr.domain} imitates the local domain ${imitated}`, field);
    }
    if (!ctx.user && !(await ctx.mayRelay())) throw refusal('FORBIDDEN', 554, '5.7.1', 'Relay access denied', field);
    if (ctx.user?.sendScope === 'internal' && !inExceptions(rcpt, ctx.user.scopeExceptions)) {
      throw refusal('FORBIDDEN', 550, '5.7.1', `${ctx.user.address} may only send to local addresses`, field);
    }
    return rcpt;
  }

  private async localRecipient(rcpt: string, ctx: SendContext, field: string): Promise<void> {
    const sender = ctx.sender ?? { address: '', local: false };
    let resolution;
    try {
      resolution = await this.deps.resolver.resolveRecipient(rcpt, {
        sender: sender.address,
        authenticated: ctx.user !== undefined && sender.address !== '',
      });
    } catch (err) {
      if (isMailError(err, 'FORBIDDEN')) throw refusal('FORBIDDEN', 550, '5.7.1', `You may not post to <${rcpt}>`, field);
      if (isMailError(err, 'ALIAS_LOOP')) throw refusal('ALIAS_LOOP', 554, '5.4.6', `Routing loop for <${rcpt}>`, field);
      throw err;
    }
    if (resolution.kind === 'unknown') {
      if (resolution.reason === 'no-such-user') throw refusal('RCPT_UNKNOWN_USER', 550, '5.1.1', `<${rcpt}>: No such user here`, field);
      throw refusal('FORBIDDEN', 550, '5.2.1', `<${rcpt}>: Mailbox disabled`, field);
    }
    if (resolution.kind !== 'local') return;
    // P17: a user who may only send internally may not reach outside through an alias or list either.
    if (ctx.user?.sendScope === 'internal' && resolution.remote.length > 0) {
      throw refusal('FORBIDDEN', 550, '5.7.1', `<${rcpt}> forwards outside; ${ctx.user.address} may only send to local addresses`, field);
    }
    // Without a known size count one byte, so only a mailbox already full is refused.
    const size = Math.max(ctx.declaredSize, 1);
    for (const user of resolution.users) {
      // Internal mail is mail from an authenticated local user; an unauthenticated local sender may be forged.
      if (!ctx.user && receivesInternalOnly(user, sender.address)) {
        throw refusal('FORBIDDEN', 550, '5.7.1', `<${rcpt}> accepts only internal mail`, field);
      }
      // A single recipient that is full is refused now; for lists the delivery reports each member.
      if (resolution.users.length === 1) {
        const q = await this.deps.quota.check(user.id, size);
        if (q && !q.allowed) {
          const code = ctx.settings.smtp.overQuotaCode;
          throw refusal('QUOTA_EXCEEDED', code, code === 552 ? '5.2.2' : '4.2.2', `<${rcpt}>: Mailbox full`, field);
        }
      }
    }
    ctx.localUsers.push(...resolution.users);
  }

  /** Whether `sender` is the user's own address or reaches the user (alias, domain alias). */
  async ownedBy(sender: string, user: DirectoryUser): Promise<boolean> {
    if (sender === user.address) return true;
    try {
      const r = await this.deps.resolver.resolveRecipient(sender);
      return r.kind === 'local' && r.users.some((u) => u.id === user.id);
    } catch {
      return false;
    }
  }

  private parse(raw: string, enhanced: string, text: string, field: string): Address {
    // Source routes (@a,@b:user@c), bang paths and percent hacks are relay tricks, not addresses.
    if (/^@|[!%]/.test(raw) || raw.startsWith('"')) throw refusal('FORBIDDEN', 550, '5.7.1', 'Relay access denied', field);
    try {
      return parseAddress(raw);
    } catch {
      throw refusal('INVALID_INPUT', 501, enhanced, `${text}: ${raw}`, field);
    }
  }
}

/** P17: the user accepts mail only from local senders (and the listed exceptions). */
function receivesInternalOnly(user: UserRef, sender: string): boolean {
  return user.receiveScope === 'internal' && !inExceptions(sender, user.scopeExceptions);
}

/** Exceptions are addresses or '@domain' / 'domain' entries. */
export function inExceptions(address: string, exceptions: readonly string[]): boolean {
  const domain = address.slice(address.lastIndexOf('@') + 1);
  return exceptions.some((e) => e === address || e === domain || e === `@${domain}`);
}
