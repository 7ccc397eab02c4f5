/**
 * Screening (FEATURES S7, S8, S10, S14; manual part 4 §4.5.2, §4.5.4, §4.5.5, §4.6.3): the first
 * stage of the pipeline, deciding from who the client is and what the envelope says, before any
 * content is read. Connect: LAN IPs pass unscreened; banned IPs (dynamic screening and failed
 * logins, auth/login-throttle.ts) get 421, blocked IPs 554, a client over its connection rate 421;
 * the PTR check (501 5.7.25 when missing or not matching, per setting) and host screening of the
 * PTR name. HELO: host screening of the HELO name. MAIL: the PTR check when it waits for MAIL
 * (authenticated sessions exempt), the address blacklist, the IP shield, the per-IP message rate.
 * The PTR check, host screening of the PTR name and the connection rate apply on port 25 only.
 * RCPT: spam traps (accepted, the client banned, the message learned as spam and dropped at the
 * end of DATA), address suppression, unsigned bounces (backscatter, batv.ts) and the tarpit.
 * Refusals that show abuse count towards a dynamic ban. Log: screening; counters screening.*.
 */
import type { DnsLookup } from '../antispam/dns-lookup.ts';
import { queryName } from '../antispam/dnsbl.ts';
import { matchesSender } from '../antispam/sender-list.ts';
import type { LoginThrottle } from '../auth/login-throttle.ts';
import type { Settings } from '../config/settings.ts';
import { cidrMatcher } from '../core/cidr.ts';
import type { PipelineMessage, Reply, Stage, StageContext, Verdict } from '../pipeline/stage.ts';
import type { Batv } from './batv.ts';
import { lookupPtr, type PtrResult } from './ptr.ts';
import { RateWindow } from './rates.ts';
import { isLanIp, isSpamTrap, reportAbuse } from './rules.ts';

export interface ScreeningDeps {
  lookup: DnsLookup;
  /** The ban list every protocol shares. */
  bans: Pick<LoginThrottle, 'isBanned' | 'abused' | 'ban'>;
  isLocalDomain: (domain: string) => Promise<boolean>;
  batv: Pick<Batv, 'check'>;
  /** Learns a message as spam (spam traps); scope '' = global, else a domain. */
  learnSpam: (raw: Buffer, scope: string, settings: Readonly<Settings>) => Promise<unknown>;
  sleep?: (ms: number) => Promise<void>;
}

interface SessionScreen {
  ptr?: PtrResult;
  ptrChecked?: boolean;
  rcpts: number;
}

const TRAP = 'screening.trap';

export class ScreeningStage implements Stage {
  readonly name = 'screening';
  readonly log = 'screening' as const;
  /** Authenticated sessions are exempt rule by rule (the manual makes some of it a choice). */
  readonly exempt = { authenticated: false, trusted: true };
  readonly #connections = new RateWindow();
  readonly #messages = new RateWindow();
  readonly #matchers = new Map<readonly string[], (ip: string) => boolean>();
  /** Senders that wrote to a spam trap, until when they are refused (this node's memory, bounded). */
  readonly #trapped = new Map<string, number>();
  readonly #sleep: (ms: number) => Promise<void>;

  constructor(private readonly deps: ScreeningDeps) {
    this.#sleep = deps.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms)));
  }

  isEnabled(s: Readonly<Settings>): boolean {
    return s.screening.enabled;
  }

  async connect(ctx: StageContext): Promise<Verdict> {
    const s = ctx.settings.screening;
    const ip = ctx.client.ip;
    if (isLanIp(ip, ctx.settings)) {
      ctx.log(`${ip} is a LAN address: not screened`);
      return { kind: 'continue' };
    }
    if (s.dynamic.enabled && this.deps.bans.isBanned(ip)) {
      ctx.log(`${ip} is banned (dynamic screening): 421`);
      ctx.count('banned');
      return { kind: 'tempfail', reply: { code: 421, enhanced: '4.7.0', text: `${ip} is temporarily blocked; try again later` }, close: true };
    }
    if (this.#in(s.blockedIps, ip)) {
      ctx.log(`${ip} is in the IP block list: 554`);
      ctx.count('blocked-ip');
      this.#abuse(ctx, 'blocked IP connecting');
      return reject({ code: 554, enhanced: '5.7.1', text: `Connections from ${ip} are not accepted here` }, true);
    }
    if (ctx.client.kind === 'mx' && s.maxConnectionsPerIpPerMinute > 0 && this.#connections.hit(ip, 60_000, ctx.now()) > s.maxConnectionsPerIpPerMinute) {
      ctx.log(`${ip} opened more than ${s.maxConnectionsPerIpPerMinute} connections this minute: 421`);
      ctx.count('connection-rate');
      return { kind: 'tempfail', reply: { code: 421, enhanced: '4.7.0', text: `Too many connections from ${ip}; slow down and try again later` }, close: true };
    }
    // What follows judges a sending server: port 25 only (users submit from anywhere).
    if (ctx.client.kind !== 'mx') return { kind: 'continue' };
    if (s.ptr.enabled && !s.ptr.exemptAuthenticated) {
      const v = await this.#ptrCheck(ctx);
      if (v) return v;
    }
    if (s.blockedHosts.length > 0) {
      const ptr = await this.#ptr(ctx);
      const hit = ptr.kind === 'found' ? ptr.names.find((n) => matchesSender(n, s.blockedHosts)) : undefined;
      if (hit) return this.#blockedHost(ctx, `PTR name ${hit}`, true);
    }
    return { kind: 'continue' };
  }

  async helo(ctx: StageContext): Promise<Verdict> {
    const s = ctx.settings.screening;
    if (isLanIp(ctx.client.ip, ctx.settings)) return { kind: 'continue' };
    const helo = ctx.client.helo.toLowerCase().replace(/^\[|\]$/g, '');
    if (helo && s.blockedHosts.length > 0 && matchesSender(helo, s.blockedHosts)) return this.#blockedHost(ctx, `HELO name ${helo}`, false);
    return { kind: 'continue' };
  }

  async mail(ctx: StageContext): Promise<Verdict> {
    const s = ctx.settings.screening;
    if (isLanIp(ctx.client.ip, ctx.settings)) return { kind: 'continue' };
    const ip = ctx.client.ip;
    const sender = (ctx.sender ?? '').toLowerCase();
    const domain = sender.slice(sender.lastIndexOf('@') + 1);
    const auth = ctx.client.authUser !== undefined;
    const lanDomain = sender !== '' && s.lanDomains.length > 0 && matchesSender(sender, s.lanDomains);
    if (s.ptr.enabled && s.ptr.exemptAuthenticated && !auth && !lanDomain && ctx.client.kind === 'mx') {
      const v = await this.#ptrCheck(ctx);
      if (v) return v;
    }
    const trappedUntil = sender === '' ? undefined : this.#trapped.get(sender);
    if (trappedUntil !== undefined) {
      if (trappedUntil > ctx.now()) {
        ctx.log(`sender <${sender}> wrote to a spam trap: 550`);
        ctx.count('trapped-sender');
        return reject({ code: 550, enhanced: '5.7.1', text: `Mail from <${sender}> is not accepted here` });
      }
      this.#trapped.delete(sender);
    }
    if (sender !== '' && matchesSender(sender, s.blockedSenders)) {
      ctx.log(`sender <${sender}> is in the address blacklist: 550`);
      ctx.count('blocked-sender');
      this.#abuse(ctx, 'blacklisted sender');
      return reject({ code: 550, enhanced: '5.7.1', text: `Mail from <${sender}> is not accepted here` });
    }
    if (sender !== '' && !(auth && s.ipShieldExemptAuthenticated)) {
      const shield = s.ipShield.filter((e) => matchesSender(domain, [e.domain]));
      if (shield.length > 0 && !shield.some((e) => this.#in(e.ips, ip))) {
        ctx.log(`IP shield: ${ip} may not send mail from ${domain}: 550`);
        ctx.count('ip-shield');
        return reject({ code: 550, enhanced: '5.7.1', text: `${ip} is not allowed to send mail from ${domain}` });
      }
    }
    if (!auth && !lanDomain && s.maxMessagesPerIpPerHour > 0 && this.#messages.hit(ip, 3600_000, ctx.now()) > s.maxMessagesPerIpPerHour) {
      ctx.log(`${ip} started more than ${s.maxMessagesPerIpPerHour} messages this hour: 451`);
      ctx.count('message-rate');
      return { kind: 'tempfail', reply: { code: 451, enhanced: '4.7.0', text: `Too many messages from ${ip}; try again later` } };
    }
    return { kind: 'continue' };
  }

  async rcpt(ctx: StageContext, rcpt: string): Promise<Verdict> {
    const s = ctx.settings.screening;
    if (isLanIp(ctx.client.ip, ctx.settings)) return { kind: 'continue' };
    const st = ctx.sessionState<SessionScreen>(() => ({ rcpts: 0 }));
    const sender = (ctx.sender ?? '').toLowerCase();
    const auth = ctx.client.authUser !== undefined;
    if (!auth && isSpamTrap(rcpt, ctx.settings)) {
      ctx.results.set(TRAP, true);
      const banned = this.deps.bans.ban(ctx.client.ip, s.spamTrapBlockMinutes, 'spam trap', s.dynamic.whitelist);
      if (sender !== '') {
        if (this.#trapped.size >= 100_000) this.#trapped.delete(this.#trapped.keys().next().value!);
        this.#trapped.set(sender, ctx.now() + s.spamTrapBlockMinutes * 60_000);
      }
      ctx.log(`<${sender}> wrote to spam trap <${rcpt}>: accepted to learn as spam${banned ? `; ${ctx.client.ip} blocked for ${s.spamTrapBlockMinutes} min` : ''}`);
      ctx.count('spam-trap');
      return { kind: 'accept' };
    }
    if (ctx.results.get(TRAP) === true) {
      ctx.log(`<${rcpt}> refused: this transaction wrote to a spam trap`);
      return reject({ code: 550, enhanced: '5.7.1', text: 'Your address is blocked here' });
    }
    const suppressed = sender !== '' && s.suppression.find((e) => matchesSender(sender, [e.sender]) && (e.recipient === '*' || matchesSender(rcpt, [e.recipient])));
    if (suppressed) {
      ctx.log(`address suppression: <${sender}> may not write to <${rcpt}>: 550`);
      ctx.count('suppressed');
      return reject({ code: 550, enhanced: '5.7.1', text: `Mail from <${sender}> to <${rcpt}> is not accepted` });
    }
    const b = ctx.settings.backscatter;
    if (sender === '' && b.rejectUnsigned && !auth) {
      const at = rcpt.lastIndexOf('@');
      if (at > 0 && (await this.deps.isLocalDomain(rcpt.slice(at + 1)))) {
        const c = this.deps.batv.check(rcpt);
        if (c.kind !== 'valid') {
          ctx.log(`backscatter: bounce to <${rcpt}> is ${c.kind === 'unsigned' ? 'not signed' : `${c.why}`}: 550`);
          ctx.count('backscatter');
          return reject({ code: 550, enhanced: '5.7.1', text: `<${rcpt}> sent no mail that could bounce (bad or missing return-path signature)` });
        }
      }
    }
    const lanDomain = sender !== '' && s.lanDomains.length > 0 && matchesSender(sender, s.lanDomains);
    const t = s.tarpit;
    if (t.afterRcpt > 0 && !auth && !lanDomain && ++st.rcpts > t.afterRcpt && !this.#in(t.whitelist, ctx.client.ip)) {
      const delay = Math.min(Math.round(t.delayMs * t.factor ** (st.rcpts - t.afterRcpt - 1)), t.maxDelayMs);
      if (st.rcpts === t.afterRcpt + 1) ctx.log(`tarpit: more than ${t.afterRcpt} RCPT commands; answering slowly`);
      ctx.count('tarpitted');
      if (delay > 0) await this.#sleep(delay);
    }
    return { kind: 'continue' };
  }

  /**
   * A transaction that wrote to a spam trap: its message trains the classifier as spam and the trap
   * gets nothing. Real recipients accepted before the trap still get it, marked as spam (a score of
   * antispam.markThreshold), never silently lost; recipients after the trap were refused already.
   */
  async data(ctx: StageContext, msg: PipelineMessage): Promise<Verdict> {
    if (ctx.results.get(TRAP) !== true) return { kind: 'continue' };
    const settings = ctx.settings;
    const traps = ctx.recipients.filter((r) => isSpamTrap(r, settings));
    const others = ctx.recipients.filter((r) => !isSpamTrap(r, settings));
    if (settings.antispam.bayesEnabled) {
      const trap = traps[0] ?? '';
      const scope = settings.antispam.bayesScope === 'domain' ? trap.slice(trap.lastIndexOf('@') + 1) : '';
      try {
        await this.deps.learnSpam(msg.raw, scope, settings);
        ctx.log('spam-trap message learned as spam');
        ctx.count('trap-learned');
      } catch (err) {
        ctx.log(`spam-trap message not learned: ${String(err)}`);
      }
    }
    if (others.length === 0) return { kind: 'discard', reason: 'sent to a spam trap' };
    ctx.log(`delivered to ${others.join(', ')} (accepted before the trap) as spam; not to ${traps.join(', ')}`);
    return {
      kind: 'continue',
      routing: { recipients: others, copies: [], messages: [] },
      score: [{ rule: 'SPAM_TRAP', score: settings.antispam.markThreshold, detail: 'the same transaction wrote to a spam trap' }],
    };
  }

  /** Whether a client deserves the greeting pause: no PTR record, or listed on a DNS-BL zone. */
  async isSuspicious(ip: string, settings: Readonly<Settings>): Promise<boolean> {
    const s = settings.screening;
    if (isLanIp(ip, settings)) return false;
    if (s.greetingPauseFor === 'all') return true;
    const ptr = await lookupPtr(this.deps.lookup, ip);
    if (ptr.kind === 'missing') return true;
    if (!settings.dnsbl.enabled || settings.dnsbl.lists.length === 0) return false;
    const timeout = new Promise<false>((r) => setTimeout(() => r(false), settings.dnsbl.timeoutMs).unref());
    const listed = settings.dnsbl.lists.map(async (l) => {
      const q = queryName(ip, l.host);
      if (!q) return false;
      const a = await this.deps.lookup(q, 'A').catch(() => [] as string[]) as string[];
      return a.some((x) => x.startsWith('127.'));
    });
    return Promise.race([Promise.all(listed).then((r) => r.some(Boolean)), timeout]);
  }

  async #ptr(ctx: StageContext): Promise<PtrResult> {
    const st = ctx.sessionState<SessionScreen>(() => ({ rcpts: 0 }));
    return (st.ptr ??= await lookupPtr(this.deps.lookup, ctx.client.ip));
  }

  /** The manual's three PTR options; a refusal is 501 5.7.25 (RFC 7372) and closes. Once per session. */
  async #ptrCheck(ctx: StageContext): Promise<Verdict | undefined> {
    const p = ctx.settings.screening.ptr;
    const st = ctx.sessionState<SessionScreen>(() => ({ rcpts: 0 }));
    if (st.ptrChecked || this.#in(p.whitelist, ctx.client.ip)) return undefined;
    st.ptrChecked = true;
    const r = await this.#ptr(ctx);
    const ip = ctx.client.ip;
    if (r.kind === 'error') {
      ctx.log(`PTR lookup for ${ip} failed (${r.error}): not held against it`);
      return undefined;
    }
    if (r.kind === 'missing') {
      ctx.log(`${ip} has no PTR record${p.rejectMissing ? ': 501' : ''}`);
      ctx.count('ptr-missing');
      if (p.rejectMissing) return reject({ code: 501, enhanced: '5.7.25', text: `${ip} has no PTR record (reverse DNS); connection refused` }, true);
      return undefined;
    }
    if (!r.confirmed) {
      ctx.log(`PTR of ${ip} (${r.names.join(', ')}) does not resolve back to it${p.rejectMismatch ? ': 501' : ''}`);
      ctx.count('ptr-mismatch');
      if (p.rejectMismatch) return reject({ code: 501, enhanced: '5.7.25', text: `The PTR record of ${ip} does not match; connection refused` }, true);
      return undefined;
    }
    ctx.log(`PTR of ${ip}: ${r.confirmed} (confirmed)`);
    return undefined;
  }

  #blockedHost(ctx: StageContext, what: string, close: boolean): Verdict {
    ctx.log(`host screening: ${what} is blocked: 554`);
    ctx.count('blocked-host');
    this.#abuse(ctx, 'blocked host');
    return reject({ code: 554, enhanced: '5.7.1', text: `Host ${what.split(' ').pop()} is not accepted here` }, close);
  }

  #abuse(ctx: StageContext, reason: string): void {
    if (reportAbuse(this.deps.bans, ctx.client.ip, ctx.settings, reason)) {
      ctx.log(`${ctx.client.ip} banned for ${ctx.settings.screening.dynamic.banMinutes} min (dynamic screening: ${reason})`);
      ctx.count('dynamic-ban');
    }
  }

  #in(list: readonly string[], ip: string): boolean {
    if (list.length === 0) return false;
    let m = this.#matchers.get(list);
    if (!m) {
      if (this.#matchers.size > 100) this.#matchers.clear();
      this.#matchers.set(list, (m = cidrMatcher(list)));
    }
    return m(ip);
  }
}

const reject = (reply: Reply, close = false): Verdict => ({ kind: 'reject', reply, close });
