/**
 * Who may do what in an SMTP session (FEATURES P2, P3, P4, P17): AUTH, MAIL FROM and RCPT TO
 * decisions, as smtp-server's onAuth / onMailFrom / onRcptTo hooks. Never an open relay: mail for
 * a domain that is not ours needs AUTH, a trusted network or a POP-before-SMTP window, and the
 * classic tricks (a%b@local, @x:a@b, a!b, "quoted"@, trailing dots, look-alike domains) are refused.
 * Decisions use the settings snapshot the session took when it connected. RFC 5321 §3.3, §7.1.
 * The protection pipeline (pipeline/) runs at connect, MAIL and RCPT after these checks pass; its
 * refusals are answered as the stage gave them.
 */
import { cidrMatcher } from '../core/cidr.ts';
import type { SMTPServerAddress, SMTPServerSession } from 'smtp-server';
import type { LoginThrottle } from '../auth/login-throttle.ts';
import type { Credentials } from '../auth/sasl.ts';
import type { AuthWindows } from '../auth/auth-windows.ts';
import type { Settings } from '../config/settings.ts';
import { isMailError } from '../core/errors.ts';
import type { QuotaService } from '../delivery/quota.ts';
import { parseAddress, type Address } from '../directory/address.ts';
import type { DomainService } from '../directory/domains.ts';
import { lookalikeOf } from '../directory/lookalike.ts';
import type { Resolver, UserRef } from '../directory/resolve.ts';
import type { DirectoryUser, UserService } from '../directory/users.ts';
import type { Pipeline } from '../pipeline/pipeline.ts';
import type { PipelineSession, StepOutcome } from '../pipeline/session.ts';
import { smtpError, smtpErrorFrom, type SmtpError } from './reply.ts';

export type ListenerKind = 'mx' | 'submission';

/** What we keep per session beside smtp-server's own session object. */
export interface SessionState {
  kind: ListenerKind;
  settings: Readonly<Settings>;
  /** The authenticated user, once AUTH succeeded. */
  user?: DirectoryUser;
  /** Set at MAIL FROM: the parsed sender ('' for the null sender) and whether it is in a local domain. */
  sender?: { address: string; local: boolean };
  /** Users the accepted recipients reach (for quota and scope checks per transaction). */
  localUsers: UserRef[];
  /** MAIL FROM's SIZE= (RFC 1870), 0 when not given. */
  declaredSize?: number;
  /** RCPT commands in this transaction, repeats and refused ones included (smtp.maxRcptPerMessage). */
  rcptCommands: number;
  /** Unknown recipients in this session: past smtp.softErrorLimit replies slow down, past hardErrorLimit it closes. */
  badRcpts: number;
  /** This session counts towards its IP's limits.maxConnectionsPerIp. */
  countedIp?: boolean;
  /** The session's walk through the protection pipeline (from connect on). */
  pipeline?: PipelineSession;
}

export interface PolicyDeps {
  users: Pick<UserService, 'authenticateCredentials' | 'get'>;
  /** The failed-login throttle all protocols share. */
  throttle: Pick<LoginThrottle, 'isBanned' | 'failed' | 'succeeded'>;
  domains: Pick<DomainService, 'resolveDomain' | 'list'>;
  resolver: Pick<Resolver, 'resolveRecipient'>;
  quota: QuotaService;
  authWindows: AuthWindows;
  trustedNetworks: readonly string[];
  /** The protection pipeline; without it no stage runs. */
  pipeline?: Pick<Pipeline, 'open'>;
}

const PRIVILEGED = new Set(['postmaster', 'abuse', 'webmaster']);
const REFUSED_RELAY = () => smtpError(554, '5.7.1', 'Relay access denied');

export class SessionPolicy {
  readonly isTrusted: (ip: string) => boolean;

  constructor(private readonly deps: PolicyDeps) {
    this.isTrusted = cidrMatcher(deps.trustedNetworks, true);
  }

  /** Connect: opens the session's pipeline walk and runs its connect stages. */
  async connect(session: SMTPServerSession, state: SessionState): Promise<void> {
    if (!this.deps.pipeline) return;
    state.pipeline = this.deps.pipeline.open({
      ip: session.remoteAddress, port: session.remotePort, kind: state.kind, trusted: this.isTrusted(session.remoteAddress), settings: state.settings,
    });
    throwIfRefused(await state.pipeline.connect());
  }

  /** The session ended: the pipeline's stage logs get their closing lines. */
  async close(state: SessionState | undefined): Promise<void> {
    await state?.pipeline?.close();
  }

  /**
   * Checks what the SASL exchange produced. A banned address gets 421 before any check; failures
   * wait as long as the shared throttle says and answer 535 without saying why.
   */
  async authenticate(credentials: Credentials, ip: string): Promise<DirectoryUser> {
    if (this.deps.throttle.isBanned(ip)) throw smtpError(421, '4.7.0', 'Too many failed logins from your address; try again later');
    try {
      const user = await this.deps.users.authenticateCredentials(credentials);
      this.deps.throttle.succeeded(ip);
      return user;
    } catch (err) {
      if (!isMailError(err, 'AUTH_FAILED') && !isMailError(err, 'ACCOUNT_DISABLED')) throw smtpErrorFrom(err);
      await new Promise((r) => setTimeout(r, this.deps.throttle.failed(ip, credentials.username)));
      throw smtpError(535, '5.7.8', 'Authentication credentials invalid');
    }
  }

  /** MAIL FROM: sender syntax, ownership by the authenticated user, privileged local senders. */
  async mailFrom(address: SMTPServerAddress, session: SMTPServerSession, state: SessionState): Promise<void> {
    state.localUsers = [];
    state.rcptCommands = 0;
    const args = (address.args || {}) as Record<string, string>;
    state.declaredSize = Number(args.SIZE) > 0 ? Number(args.SIZE) : 0;
    if (address.address === '') {
      state.sender = { address: '', local: false };
      return this.pipelineMail(session, state);
    }
    const addr = this.parse(address.address, '5.1.7', 'Bad sender address syntax');
    const sender = `${addr.localPart}@${addr.domain}`;
    const local = (await this.deps.domains.resolveDomain(addr.domain)) !== undefined;
    state.sender = { address: sender, local };

    if (local && PRIVILEGED.has(addr.localPart) && !state.user && state.settings.smtp.privilegedSendersMustAuth
      && !this.isTrusted(session.remoteAddress)) {
      throw smtpError(550, '5.7.1', `Mail from ${addr.localPart}@ a local domain must authenticate`);
    }
    if (state.user && state.settings.smtp.authMustMatchSender && !(await this.ownedBy(sender, state.user))) {
      throw smtpError(553, '5.7.1', `Sender address <${sender}> is not owned by ${state.user.address}`);
    }
    await this.pipelineMail(session, state);
  }

  private async pipelineMail(session: SMTPServerSession, state: SessionState): Promise<void> {
    if (!state.pipeline) return;
    throwIfRefused(await state.pipeline.mail(state.sender?.address ?? '', { helo: session.hostNameAppearsAs ?? '', authUser: state.user?.address }));
  }

  /** RCPT TO: count limit, syntax and relay tricks, local recipient checks or relay rights. */
  async rcptTo(address: SMTPServerAddress, session: SMTPServerSession, state: SessionState): Promise<void> {
    const s = state.settings.smtp;
    // Every RCPT counts, a repeated address too: the limit bounds the work a transaction can ask for.
    if (++state.rcptCommands > s.maxRcptPerMessage) {
      throw smtpError(452, '4.5.3', `Too many recipients (at most ${s.maxRcptPerMessage} per message)`);
    }
    try {
      await this.checkRecipient(address, session, state);
    } catch (err) {
      if ((err as SmtpError).responseCode === 550 && /^5\.1\.1 /.test((err as SmtpError).message)) await this.unknownRecipient(state);
      throw err;
    }
    if (state.pipeline) throwIfRefused(await state.pipeline.rcpt(address.address.toLowerCase()));
  }

  /**
   * Directory harvesting is not free: past smtp.softErrorLimit unknown recipients each refusal waits
   * smtp.errorSleepMs, and at smtp.hardErrorLimit the session is closed (Postfix smtpd_*_error_limit).
   */
  private async unknownRecipient(state: SessionState): Promise<void> {
    const s = state.settings.smtp;
    state.badRcpts++;
    if (state.badRcpts >= s.hardErrorLimit) throw smtpError(421, '4.7.0', 'Too many unknown recipients; closing');
    if (state.badRcpts > s.softErrorLimit && s.errorSleepMs > 0) await new Promise((r) => setTimeout(r, s.errorSleepMs));
  }

  private async checkRecipient(address: SMTPServerAddress, session: SMTPServerSession, state: SessionState): Promise<void> {
    const s = state.settings.smtp;
    const addr = this.parse(address.address, '5.1.3', 'Bad recipient address syntax');
    const rcpt = `${addr.localPart}@${addr.domain}`;
    const domain = await this.deps.domains.resolveDomain(addr.domain);
    if (domain) return this.localRecipient(rcpt, state);

    // Not ours: only those allowed to relay, and never to a look-alike of one of our domains.
    if (s.rejectLookalikeDomains) {
      const names = (await this.deps.domains.list()).map((d) => d.domain.name);
      const imitated = lookalikeOf(addr.domain, names);
      if (imitated) throw smtpError(550, '5.7.1', `Recipient domain ${addr.domain} imitates the local domain ${imitated}`);
    }
    const mayRelay = state.user !== undefined || this.isTrusted(session.remoteAddress)
      || (await this.deps.authWindows.isOpen(session.remoteAddress));
    if (!mayRelay) throw REFUSED_RELAY();
    if (state.user?.sendScope === 'internal' && !inExceptions(rcpt, state.user.scopeExceptions)) {
      throw smtpError(550, '5.7.1', `${state.user.address} may only send to local addresses`);
    }
  }

  private async localRecipient(rcpt: string, state: SessionState): Promise<void> {
    const sender = state.sender ?? { address: '', local: false };
    let resolution;
    try {
      resolution = await this.deps.resolver.resolveRecipient(rcpt, {
        sender: sender.address,
        authenticated: state.user !== undefined && sender.address !== '',
      });
    } catch (err) {
      if (isMailError(err, 'FORBIDDEN')) throw smtpError(550, '5.7.1', `You may not post to <${rcpt}>`);
      if (isMailError(err, 'ALIAS_LOOP')) throw smtpError(554, '5.4.6', `Routing loop for <${rcpt}>`);
      throw smtpErrorFrom(err);
    }
    if (resolution.kind === 'unknown') {
      if (resolution.reason === 'no-such-user') throw smtpError(550, '5.1.1', `<${rcpt}>: No such user here`);
      throw smtpError(550, '5.2.1', `<${rcpt}>: Mailbox disabled`);
    }
    if (resolution.kind !== 'local') return;
    // P17: a user who may only send internally may not reach outside through an alias or list either.
    if (state.user?.sendScope === 'internal' && resolution.remote.length > 0) {
      throw smtpError(550, '5.7.1', `<${rcpt}> forwards outside; ${state.user.address} may only send to local addresses`);
    }
    // Without SIZE= the message's size is unknown: count one byte, so only a mailbox already full is refused.
    const size = Math.max(state.declaredSize ?? 0, 1);
    for (const user of resolution.users) {
      // Internal mail is mail from an authenticated local user; an unauthenticated local sender may be forged.
      if (!state.user && await this.receivesInternalOnly(user, sender.address)) {
        throw smtpError(550, '5.7.1', `<${rcpt}> accepts only internal mail`);
      }
      // A single recipient that is full is refused now; for lists the delivery reports each member.
      if (resolution.users.length === 1) {
        const q = await this.deps.quota.check(user.id, size);
        if (q && !q.allowed) {
          const code = state.settings.smtp.overQuotaCode;
          throw smtpError(code, code === 552 ? '5.2.2' : '4.2.2', `<${rcpt}>: Mailbox full`);
        }
      }
    }
    state.localUsers.push(...resolution.users);
  }

  /** Whether `sender` (the envelope sender) is the user's own address or reaches the user (alias, domain alias). */
  private async ownedBy(sender: string, user: DirectoryUser): Promise<boolean> {
    if (sender === user.address) return true;
    try {
      const r = await this.deps.resolver.resolveRecipient(sender);
      return r.kind === 'local' && r.users.some((u) => u.id === user.id);
    } catch {
      return false;
    }
  }

  /** P17: the user accepts mail only from local senders (and the listed exceptions). */
  private async receivesInternalOnly(ref: UserRef, sender: string): Promise<boolean> {
    const user = await this.deps.users.get(ref.id);
    return user?.receiveScope === 'internal' && !inExceptions(sender, user.scopeExceptions);
  }

  private parse(raw: string, enhanced: string, text: string): Address {
    // Source routes (@a,@b:user@c), bang paths and percent hacks are relay tricks, not addresses.
    if (/^@|[!%]/.test(raw) || raw.startsWith('"')) throw smtpError(550, '5.7.1', 'Relay access denied');
    try {
      return parseAddress(raw);
    } catch {
      throw smtpError(501, enhanced, text);
    }
  }
}

/** A pipeline refusal becomes the reply the stage asked for. */
function throwIfRefused(out: StepOutcome): void {
  if (out.kind === 'refuse') throw smtpError(out.reply.code, out.reply.enhanced, out.reply.text, out.close);
}

/** Exceptions are addresses or '@domain' / 'domain' entries. */
export function inExceptions(address: string, exceptions: readonly string[]): boolean {
  const domain = address.slice(address.lastIndexOf('@') + 1);
  return exceptions.some((e) => e === address || e === domain || e === `@${domain}`);
}
