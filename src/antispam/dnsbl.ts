/**
 * DNS-based block lists (FEATURES S13; manual §4.6.2): the client's address is looked up in every
 * list of dnsbl.lists at connect, all in parallel, and the answers are awaited at the first RCPT
 * (MDaemon's order: the log shows the lookups after RCPT) for at most dnsbl.timeoutMs; a list that
 * has not answered by then counts as not listing. A listed client gets 554 5.7.1 with the list's
 * message ($IP$ → its address), or, with dnsbl.action "score", a score item. Answers are cached
 * per list and address for dnsbl.cacheSec. 127.255.255.x answers are the list refusing the query
 * (Spamhaus), not a listing. RFC 5782 (DNSBL query format, IPv4 and IPv6). dnsbl.whitelist IPs,
 * authenticated and trusted clients are not looked up. Log: dnsbl. Counters: dnsbl.listed …
 */
import ipaddr from 'ipaddr.js';
import type { Settings } from '../config/settings.ts';
import { cidrMatcher } from '../core/cidr.ts';
import type { Stage, StageContext, Verdict } from '../pipeline/stage.ts';
import type { DnsLookup } from './dns-lookup.ts';
import { ListQuery } from './list-query.ts';

interface Listing {
  host: string;
  message: string;
  /** The A record the list answered (127.0.0.2 …). */
  answer: string;
}

interface SessionState {
  /** The lookups started at connect (or at the first RCPT): the first listing, or none. */
  pending?: Promise<Listing | undefined>;
  listed?: Listing;
  done?: boolean;
}


/** The query name for `ip` under `zone` (RFC 5782 §2.1, §2.4): reversed octets or nibbles. */
export function queryName(ip: string, zone: string): string | undefined {
  let addr: ipaddr.IPv4 | ipaddr.IPv6;
  try {
    addr = ipaddr.process(ip);
  } catch {
    return undefined;
  }
  if (addr.kind() === 'ipv4') return `${(addr as ipaddr.IPv4).octets.slice().reverse().join('.')}.${zone}`;
  const hex = (addr as ipaddr.IPv6).toByteArray().map((b) => b.toString(16).padStart(2, '0')).join('');
  return `${[...hex].reverse().join('.')}.${zone}`;
}

export class DnsblStage implements Stage {
  readonly name = 'dnsbl';
  readonly log = 'dnsbl' as const;
  readonly exempt = { authenticated: true, trusted: true };
  readonly #lists: ListQuery;
  #whitelist: { list: readonly string[]; match: (ip: string) => boolean } | undefined;

  constructor(lookup: DnsLookup) {
    this.#lists = new ListQuery(lookup);
  }

  isEnabled(s: Readonly<Settings>): boolean {
    return s.dnsbl.enabled && s.dnsbl.lists.length > 0;
  }

  async connect(ctx: StageContext): Promise<Verdict> {
    // Submission clients authenticate (and are then exempt): no lookups for them.
    if (ctx.client.kind === 'mx') this.#start(ctx);
    return { kind: 'continue' };
  }

  async rcpt(ctx: StageContext): Promise<Verdict> {
    const state = this.#start(ctx);
    if (!state.done) {
      state.listed = await state.pending;
      state.done = true;
    }
    const listed = state.listed;
    if (!listed || ctx.settings.dnsbl.action !== 'reject') return { kind: 'continue' };
    return { kind: 'reject', reply: { code: 554, enhanced: '5.7.1', text: listed.message.replaceAll('$IP$', ctx.client.ip.replace(/^::ffff:/, '')) } };
  }

  /** With action "score", a listing adds to the spam score of each message of the session. */
  async data(ctx: StageContext): Promise<Verdict> {
    const state = this.#start(ctx);
    if (!state.done) {
      state.listed = await state.pending;
      state.done = true;
    }
    if (!state.listed) return { kind: 'continue' };
    ctx.results.set(this.name, { listed: state.listed.host, answer: state.listed.answer });
    return { kind: 'continue', score: [{ rule: 'RCVD_IN_DNSBL', score: 3, detail: `${ctx.client.ip} listed in ${state.listed.host} (${state.listed.answer})` }] };
  }

  async housekeep(_s: Readonly<Settings>, now: number): Promise<void> {
    this.#lists.prune(now);
  }

  #start(ctx: StageContext): SessionState {
    const state = ctx.sessionState<SessionState>(() => ({}));
    if (state.pending) return state;
    const s = ctx.settings.dnsbl;
    const ip = ctx.client.ip.replace(/^::ffff:/, '');
    if (this.#whitelisted(s.whitelist, ip)) {
      ctx.log(`${ip} is on dnsbl.whitelist: no DNS-BL lookup`);
      state.pending = Promise.resolve(undefined);
      return state;
    }
    state.pending = this.#lookupAll(ctx, ip);
    return state;
  }

  async #lookupAll(ctx: StageContext, ip: string): Promise<Listing | undefined> {
    const s = ctx.settings.dnsbl;
    const lines: string[] = [`Performing DNS-BL lookup (${ip} - connecting IP)`];
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<'timeout'>((resolve) => { timer = setTimeout(() => resolve('timeout'), s.timeoutMs); });
    const answers = await Promise.all(s.lists.map(async (list) => {
      const answer = await Promise.race([this.#query(ip, list.host, ctx.now(), s.cacheSec * 1000), deadline]);
      return { list, answer };
    }));
    clearTimeout(timer);
    let first: Listing | undefined;
    for (const { list, answer } of answers) {
      if (answer === 'timeout') lines.push(`*  ${list.host} - no answer within ${s.timeoutMs} ms`);
      else if (answer === null) lines.push(`*  ${list.host} - not listed`);
      else {
        lines.push(`*  ${list.host} - listed (${answer})`);
        first ??= { host: list.host, message: list.message, answer };
      }
    }
    lines.push('---- End DNS-BL results');
    for (const l of lines) ctx.log(l);
    ctx.count(first ? 'listed' : 'clean');
    return first;
  }

  /** The list's answer for ip: an A record, or null for not listed (cached). */
  async #query(ip: string, zone: string, now: number, cacheMs: number): Promise<string | null> {
    const name = queryName(ip, zone);
    return name ? this.#lists.answer(name, now, cacheMs) : null;
  }

  #whitelisted(list: readonly string[], ip: string): boolean {
    if (list.length === 0) return false;
    if (this.#whitelist?.list !== list) this.#whitelist = { list, match: cidrMatcher(list) };
    return this.#whitelist.match(ip);
  }
}
