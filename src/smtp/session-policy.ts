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
import type { DomainService } from '../directory/domains.ts';
import type { Resolver, UserRef } from '../directory/resolve.ts';
import type { DirectoryUser, UserService } from '../directory/users.ts';
import type { Pipeline } from '../pipeline/pipeline.ts';
import type { PipelineSession, StepOutcome } from '../pipeline/session.ts';
import { isLanIp, isSpamTrap, reportAbuse } from '../screening/rules.ts';
import { SendingRules, type SendContext } from '../submission/sending-rules.ts';
import { smtpError, smtpErrorFrom } from './reply.ts';

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
  throttle: Pick<LoginThrottle, 'isBanned' | 'failed' | 'succeeded' | 'abused'>;
  domains: Pick<DomainService, 'resolveDomain' | 'list'>;
  resolver: Pick<Resolver, 'resolveRecipient'>;
  quota: QuotaService;
  authWindows: AuthWindows;
  trustedNetworks: readonly string[];
  /** The protection pipeline; without it no stage runs. */
  pipeline?: Pick<Pipeline, 'open'>;
}


export class SessionPolicy {
  readonly isTrusted: (ip: string) => boolean;

  private readonly rules: SendingRules;

  constructor(private readonly deps: PolicyDeps) {
    this.isTrusted = cidrMatcher(deps.trustedNetworks, true);
    this.rules = new SendingRules(deps);
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

  /** MAIL FROM: sender syntax, ownership by the authenticated user, privileged local senders (submission/sending-rules.ts). */
  async mailFrom(address: SMTPServerAddress, session: SMTPServerSession, state: SessionState): Promise<void> {
    state.localUsers = [];
    state.rcptCommands = 0;
    const args = (address.args || {}) as Record<string, string>;
    state.declaredSize = Number(args.SIZE) > 0 ? Number(args.SIZE) : 0;
    state.sender = undefined;
    try {
      state.sender = await this.rules.sender(address.address, this.sendContext(session, state));
    } catch (err) {
      throw smtpErrorFrom(err);
    }
    await this.pipelineMail(session, state);
  }

  private async pipelineMail(session: SMTPServerSession, state: SessionState): Promise<void> {
    if (!state.pipeline) return;
    throwIfRefused(await state.pipeline.mail(state.sender?.address ?? '', { helo: session.hostNameAppearsAs ?? '', authUser: state.user?.address }));
  }

  /** RCPT TO: count limit, syntax and relay tricks, local recipient checks or relay rights. */
  async rcptTo(address: SMTPServerAddress, session: SMTPServerSession, state: SessionState): Promise<void> {
    const ctx = this.sendContext(session, state);
    try {
      // Every RCPT counts, a repeated address too: the limit bounds the work a transaction can ask for.
      this.rules.recipientCount(++state.rcptCommands, ctx);
      // A spam trap belongs to nobody, yet is accepted from unauthenticated mx clients: the screening stage takes it (S14).
      if (!(state.kind === 'mx' && state.pipeline && !state.user && !ctx.trusted
        && !isLanIp(session.remoteAddress.replace(/^::ffff:/i, ''), state.settings) && isSpamTrap(address.address, state.settings))) {
        await this.rules.recipient(address.address, ctx);
      }
    } catch (err) {
      if (isMailError(err, 'RCPT_UNKNOWN_USER')) await this.unknownRecipient(session, state);
      throw smtpErrorFrom(err);
    }
    if (state.pipeline) throwIfRefused(await state.pipeline.rcpt(address.address.toLowerCase()));
  }

  /** The session as the sending rules see it; accepted local users are gathered into the state. */
  private sendContext(session: SMTPServerSession, state: SessionState): SendContext {
    return {
      settings: state.settings,
      user: state.user,
      sender: state.sender,
      declaredSize: state.declaredSize ?? 0,
      localUsers: state.localUsers,
      trusted: this.isTrusted(session.remoteAddress),
      mayRelay: async () => this.isTrusted(session.remoteAddress) || (await this.deps.authWindows.isOpen(session.remoteAddress)),
    };
  }

  /**
   * Directory harvesting is not free: past smtp.softErrorLimit unknown recipients each refusal waits
   * smtp.errorSleepMs, and at smtp.hardErrorLimit the session is closed (Postfix smtpd_*_error_limit).
   */
  private async unknownRecipient(session: SMTPServerSession, state: SessionState): Promise<void> {
    const s = state.settings.smtp;
    state.badRcpts++;
    if (state.badRcpts >= s.hardErrorLimit) {
      // A harvesting session counts towards a dynamic ban (S7).
      if (!state.user && !this.isTrusted(session.remoteAddress)) reportAbuse(this.deps.throttle, session.remoteAddress, state.settings, 'too many unknown recipients');
      throw smtpError(421, '4.7.0', 'Too many unknown recipients; closing');
    }
    if (state.badRcpts > s.softErrorLimit && s.errorSleepMs > 0) await new Promise((r) => setTimeout(r, s.errorSleepMs));
  }
}

/** A pipeline refusal becomes the reply the stage asked for. */
function throwIfRefused(out: StepOutcome): void {
  if (out.kind === 'refuse') throw smtpError(out.reply.code, out.reply.enhanced, out.reply.text, out.close);
}
