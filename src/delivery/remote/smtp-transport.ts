/**
 * Remote delivery (Transport 'smtp'): groups a job's recipients by domain, routes each domain
 * directly to its MX hosts, all through the smart host, or direct with the smart host taking what
 * was deferred (manual part 3 §4.4.1), and sends up to maxRecipientsPerConnection recipients per
 * connection within the node-wide and per-domain connection limits; a connection is kept idle for
 * delivery.connectionIdleSec and reused by the next message to the same server (connection-pool.ts). Deferred recipients move on to
 * the next MX address in the same call (Postfix smtp_connect). No retry schedule, DSN or queueing:
 * queue/ does those from the per-recipient replies. RFC 5321 §5.1 (MX, implicit MX, own name in the
 * list), RFC 7505 (null MX), RFC 3463 (enhanced codes). Reads delivery.* (mode, smartHost, limits, maxMxPerAttempt,
 * timeouts, requireTls).
 */
import { domainToASCII } from 'node:url';
import type { DeliverySettings, SmartHost } from '../../config/schema/delivery.ts';
import type { BlobId } from '../../core/ids.ts';
import { dsnParamsOf, type DsnParams } from '../../queue/dsn-params.ts';
import { outcomeOf, type DeliveryJob, type RecipientResult, type SmtpReply, type Transport } from '../transport.ts';
import { ConnectionLimits } from './connection-limits.ts';
import { ConnectionPool } from './connection-pool.ts';
import { DnsLookupError, type MxRecord } from './dns-resolver.ts';
import { LOCAL_REPLIES } from './smtp-reply.ts';
import { isEightBit, runSmtpSession, toCrlf, type OpenSession, type SessionOptions, type SessionTarget } from './smtp-session.ts';

/** The part of DnsResolver delivery uses (tests may stub it). */
export interface MxResolver {
  resolveMx(domain: string): Promise<MxRecord[]>;
  resolveAddresses(host: string): Promise<string[]>;
}

export interface SmtpTransportOptions {
  /** Our name: EHLO, and the name that marks MX records pointing back at us. */
  hostname: string;
  /** Port of remote MX hosts (boot ports.smtpOutbound); the smart host has its own. */
  port: number;
  resolver: MxResolver;
  /** The raw message bytes of a blob. */
  /** The bytes to send for a job: the blob, after outbound rewriting (rewrite/outbound.ts). */
  readMessage: (job: DeliveryJob) => Promise<Buffer>;
  settings: () => Readonly<DeliverySettings>;
  /** The MAIL FROM to send for a job: a signed return path (screening/batv.ts, S10) or the sender as it is. */
  returnPath?: (job: DeliveryJob) => Promise<string>;
  /** smtp-out session log: '--> ' sent, '<-- ' received, other lines are notes. Never sees AUTH data. */
  log?: (line: string) => void;
}

/** How one group of recipients is sent: to which hosts, on which port, with what TLS and AUTH. */
interface Route {
  /** A smart host is our configuration: when its name does not resolve, mail waits instead of bouncing. */
  isSmartHost: boolean;
  /** Key for the per-domain connection limit. */
  limitKey: string;
  hosts: string[];
  port: number;
  tls: SessionTarget['tls'];
  verifyCertificate: boolean;
  auth?: { user: string; pass: string };
}

/** What one call works with: the settings snapshot, the message and the signal. */
interface Attempt {
  job: DeliveryJob;
  /** MAIL FROM: the job's sender, or its signed form. */
  returnPath: string;
  /** The sender's DSN requests (RFC 3461), passed on to servers that offer DSN. */
  dsn: DsnParams;
  body: Buffer;
  isEightBit: boolean;
  settings: Readonly<DeliverySettings>;
  signal: AbortSignal;
  session: SessionOptions;
}

type Replies = Map<string, SmtpReply>;

const BAD_ADDRESS = /[\s<>\r\n]/;
const isDeferred = (r: SmtpReply): boolean => r.code >= 400 && r.code < 500;
const all = (rcpts: string[], r: SmtpReply): Replies => new Map(rcpts.map((x) => [x, r]));

function chunk<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += Math.max(1, size)) out.push(items.slice(i, i + Math.max(1, size)));
  return out;
}

/** 'Example.COM' → 'example.com', IDN → A-label, '[192.0.2.1]' kept; '' when unusable. */
function domainOf(rcpt: string): string {
  const at = rcpt.lastIndexOf('@');
  if (at <= 0 || at === rcpt.length - 1) return '';
  const d = rcpt.slice(at + 1).toLowerCase();
  return d.startsWith('[') ? d : domainToASCII(d);
}

export class SmtpTransport implements Transport {
  readonly name = 'smtp' as const;
  readonly #opts: SmtpTransportOptions;
  readonly #hostname: string;
  readonly #limits: ConnectionLimits;
  readonly #pool: ConnectionPool<OpenSession>;
  readonly #log: (line: string) => void;

  constructor(opts: SmtpTransportOptions) {
    this.#opts = opts;
    this.#hostname = opts.hostname.toLowerCase().replace(/\.$/, '');
    this.#log = opts.log ?? (() => {});
    this.#limits = new ConnectionLimits({
      global: () => opts.settings().maxConcurrentConnections,
      perDomain: () => opts.settings().maxConnectionsPerDomain,
    });
    this.#pool = new ConnectionPool({
      idleMs: () => opts.settings().connectionIdleSec * 1000,
      maxIdle: () => opts.settings().maxConcurrentConnections,
    });
  }

  /** Idle connections kept for reuse (tests, admin console). */
  get idleConnections(): number {
    return this.#pool.size;
  }

  /** Quits the idle connections (server stop). */
  close(): void {
    this.#pool.closeAll();
  }

  /** Outbound connections open now (for the admin console and tests). */
  get activeConnections(): number {
    return this.#limits.active;
  }

  /**
   * Delivers one message to its remote recipients and reports each one. Never throws for a
   * recipient's failure; throws only when the message cannot be read (all count as deferred).
   * When `signal` aborts, open sessions are closed and what has no answer yet is deferred.
   */
  async deliver(job: DeliveryJob, signal: AbortSignal): Promise<RecipientResult[]> {
    const settings = this.#opts.settings(); // one snapshot for the whole job (STYLE §1.8)
    const body = toCrlf(await this.#opts.readMessage(job));
    const attempt: Attempt = {
      job, returnPath: (await this.#opts.returnPath?.(job)) ?? job.sender, dsn: dsnParamsOf(job.meta), body, isEightBit: isEightBit(body), settings, signal,
      session: {
        hostname: this.#opts.hostname,
        connectTimeoutMs: settings.connectTimeoutSec * 1000,
        greetingTimeoutMs: settings.greetingTimeoutSec * 1000,
        dataTimeoutMs: settings.dataTimeoutSec * 1000,
        log: this.#log,
        signal,
        pool: this.#pool,
      },
    };
    this.#log(`Delivering queue #${job.queueId} from <${job.sender}> to ${job.recipients.length} recipient(s) (${settings.mode})`);

    // Sort recipients into domains; addresses we cannot send fail at once.
    const results: Replies = new Map();
    const byDomain = new Map<string, string[]>();
    for (const rcpt of new Set(job.recipients)) {
      const domain = domainOf(rcpt);
      if (BAD_ADDRESS.test(job.sender)) results.set(rcpt, LOCAL_REPLIES.badSender(job.sender));
      else if (!domain || BAD_ADDRESS.test(rcpt)) results.set(rcpt, LOCAL_REPLIES.badRecipient(rcpt));
      else byDomain.set(domain, [...(byDomain.get(domain) ?? []), rcpt]);
    }

    const { mode, smartHost } = settings;
    const merge = (replies: Replies): void => { for (const [rcpt, r] of replies) results.set(rcpt, r); };
    if (mode === 'smarthost') {
      // The relay takes every domain: one transaction per batch, whatever the domains.
      merge(await this.#viaSmartHost([...byDomain.values()].flat(), smartHost, attempt));
    } else {
      await Promise.all([...byDomain].map(async ([domain, rcpts]) => merge(await this.#viaMx(domain, rcpts, attempt))));
      // "Global delivery guarantee": what direct delivery deferred goes once through the smart host.
      const retry = [...byDomain.values()].flat().filter((r) => isDeferred(results.get(r) as SmtpReply));
      if (mode === 'direct-then-smarthost' && smartHost && retry.length > 0 && !signal.aborted) {
        this.#log(`Direct delivery deferred ${retry.length} recipient(s); trying smart host ${smartHost.host}`);
        merge(await this.#viaSmartHost(retry, smartHost, attempt));
      }
    }

    return job.recipients.map((rcpt) => {
      const reply = results.get(rcpt) ?? LOCAL_REPLIES.interrupted();
      return { rcpt, outcome: outcomeOf(reply.code), reply };
    });
  }

  async #viaMx(domain: string, rcpts: string[], a: Attempt): Promise<Replies> {
    let hosts: string[];
    const literal = /^\[(?:ipv6:)?(.+)\]$/i.exec(domain);
    if (literal) {
      hosts = [literal[1] as string]; // RFC 5321 §4.1.3 address literal: no MX lookup
    } else {
      this.#log(`Resolving MX records for [${domain}]`);
      let mx: MxRecord[];
      try {
        mx = await this.#opts.resolver.resolveMx(domain);
      } catch (err) {
        const r = this.#dnsFailure(domain, err);
        this.#log(`MX lookup for ${domain}: ${r.code} ${r.enhanced} ${r.text}`);
        return all(rcpts, r);
      }
      this.#log(`MX for ${domain}: ${mx.map((m) => `${m.exchange} (${m.priority})`).join(', ')}`);
      // RFC 5321 §5.1: drop our own name and every MX not better than it; none left is a loop.
      const self = mx.find((m) => m.exchange === this.#hostname);
      if (self) mx = mx.filter((m) => m.priority < self.priority);
      if (mx.length === 0) return all(rcpts, LOCAL_REPLIES.loopsToSelf(domain));
      hosts = mx.map((m) => m.exchange);
      if (hosts.length > a.settings.maxMxPerAttempt) {
        this.#log(`Trying the first ${a.settings.maxMxPerAttempt} of ${hosts.length} MX hosts this attempt (delivery.maxMxPerAttempt)`);
        hosts = hosts.slice(0, a.settings.maxMxPerAttempt);
      }
    }
    const route: Route = {
      isSmartHost: false, limitKey: domain, hosts, port: this.#opts.port,
      tls: a.settings.requireTls ? 'required' : 'opportunistic', verifyCertificate: a.settings.requireTls,
    };
    return this.#sendBatches(route, rcpts, a, domain);
  }

  async #viaSmartHost(rcpts: string[], sh: SmartHost | null, a: Attempt): Promise<Replies> {
    if (!sh) return all(rcpts, LOCAL_REPLIES.smartHostMissing());
    const auth = sh.user ? { user: sh.user, pass: sh.password } : undefined;
    // STARTTLS is a must when a password would cross or TLS is required; otherwise opportunistic.
    const tls: SessionTarget['tls'] = sh.tls === 'implicit' ? 'implicit' : sh.tls === 'none' ? 'none'
      : auth || a.settings.requireTls ? 'required' : 'opportunistic';
    const route: Route = {
      // maxConnectionsPerDomain counts connections to the relay as to one domain.
      isSmartHost: true, limitKey: `smarthost ${sh.host}:${sh.port}`, hosts: [sh.host], port: sh.port, tls, verifyCertificate: a.settings.requireTls,
      ...(auth ? { auth } : {}),
    };
    return this.#sendBatches(route, rcpts, a, sh.host);
  }

  /** Splits into batches of maxRecipientsPerConnection; each batch holds one connection slot. */
  async #sendBatches(route: Route, rcpts: string[], a: Attempt, domain: string): Promise<Replies> {
    const out: Replies = new Map();
    await Promise.all(chunk(rcpts, a.settings.maxRecipientsPerConnection).map(async (batch) => {
      let release: () => void;
      try {
        release = await this.#limits.acquire(route.limitKey, a.signal);
      } catch {
        for (const r of batch) out.set(r, LOCAL_REPLIES.interrupted());
        return;
      }
      try {
        for (const [rcpt, r] of await this.#tryHosts(route, batch, a, domain)) out.set(rcpt, r);
      } finally {
        release();
      }
    }));
    return out;
  }

  /**
   * Tries each host in order and each of its addresses until every recipient has a final
   * answer; recipients deferred by one server go on to the next (a backup MX may take them).
   */
  async #tryHosts(route: Route, batch: string[], a: Attempt, domain: string): Promise<Replies> {
    const final: Replies = new Map();
    const last: Replies = new Map();
    let pending = batch;
    let dnsTemporary: SmtpReply | undefined;
    let sawAddress = false;
    for (const host of route.hosts) {
      let addresses: string[];
      try {
        addresses = await this.#opts.resolver.resolveAddresses(host);
      } catch (err) {
        const r = this.#dnsFailure(host, err);
        this.#log(`Address lookup for ${host}: ${r.text}`);
        if (isDeferred(r)) dnsTemporary = r;
        continue;
      }
      sawAddress ||= addresses.length > 0;
      for (const address of addresses) {
        if (a.signal.aborted) break;
        const target: SessionTarget = {
          host, address, port: route.port, tls: route.tls, verifyCertificate: route.verifyCertificate,
          ...(route.auth ? { auth: route.auth } : {}),
        };
        const outcome = await runSmtpSession(target, { sender: a.returnPath, recipients: pending, body: a.body, isEightBit: a.isEightBit, dsn: a.dsn }, a.session);
        for (const rcpt of pending) {
          const r = outcome.kind === 'done' ? outcome.replies.get(rcpt) ?? LOCAL_REPLIES.interrupted() : outcome.reply;
          if (isDeferred(r)) last.set(rcpt, r);
          else final.set(rcpt, r);
        }
        pending = pending.filter((rcpt) => !final.has(rcpt));
        if (pending.length === 0) return final;
      }
    }
    // What is still pending gets its last temporary answer, or why no server could be asked.
    const fallback = a.signal.aborted ? LOCAL_REPLIES.interrupted()
      : dnsTemporary ?? (sawAddress ? LOCAL_REPLIES.noAnswer(domain, 'no server answered')
        : route.isSmartHost ? LOCAL_REPLIES.dnsTemporary(domain, 'the smart host name does not resolve') : LOCAL_REPLIES.noRoute(domain));
    for (const rcpt of pending) final.set(rcpt, a.signal.aborted ? fallback : last.get(rcpt) ?? fallback);
    return final;
  }

  /** A DNS failure as the reply recipients get: permanent ones fail, the rest defer. */
  #dnsFailure(name: string, err: unknown): SmtpReply {
    if (!(err instanceof DnsLookupError)) return LOCAL_REPLIES.dnsTemporary(name, (err as Error)?.message ?? String(err));
    switch (err.reason) {
      case 'nxdomain': return LOCAL_REPLIES.domainNotFound(name);
      case 'nodata': return LOCAL_REPLIES.domainNoMail(name);
      case 'null-mx': return LOCAL_REPLIES.nullMx(name);
      default: return LOCAL_REPLIES.dnsTemporary(name, err.reason);
    }
  }
}
