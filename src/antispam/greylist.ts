/**
 * Greylisting (FEATURES S11; manual §4.5.5 and part 5 §7): the first attempt of an unknown
 * (client network, sender, recipient) triple is answered 451 4.7.1; a retry after greylist.delaySec
 * and within greylist.retryWindowHours passes and is remembered for greylist.lifetimeDays since it
 * was last seen. A sender that passed once from a network passes at once for its other recipients
 * (an already-known sender). The network is the client's /24 (IPv4) or /64 (IPv6), so a sender's
 * pool of outbound servers retries as one. Triples live in the store (GreylistRepo), so every node
 * of a cluster shares them. Exempt: authenticated and trusted clients and greylist.whitelist
 * entries (IPs/CIDRs, sender or recipient addresses, domains, *@domain). Log: antispam.
 */
import ipaddr from 'ipaddr.js';
import type { Settings } from '../config/settings.ts';
import { cidrMatcher } from '../core/cidr.ts';
import type { Stage, StageContext, Verdict } from '../pipeline/stage.ts';
import type { Store } from '../store/store.ts';
import { matchesSender } from './sender-list.ts';

/** A passed triple's last-seen time is written at most this often (each write is a durable commit). */
const TOUCH_EVERY_MS = 3600_000;

/** The client's network for greylisting: a.b.c.0/24, or the /64 of an IPv6 address. */
export function greylistNet(ip: string): string {
  try {
    const a = ipaddr.process(ip);
    if (a.kind() === 'ipv4') return `${(a as ipaddr.IPv4).octets.slice(0, 3).join('.')}.0/24`;
    const parts = (a as ipaddr.IPv6).parts.slice(0, 4).map((p) => p.toString(16));
    return `${parts.join(':')}::/64`;
  } catch {
    return ip;
  }
}

export class GreylistStage implements Stage {
  readonly name = 'greylist';
  readonly log = 'antispam' as const;
  readonly exempt = { authenticated: true, trusted: true };
  #whitelist: { list: readonly string[]; match: (ip: string) => boolean } | undefined;

  constructor(private readonly store: Store) {}

  isEnabled(s: Readonly<Settings>): boolean {
    return s.greylist.enabled;
  }

  async rcpt(ctx: StageContext, rcpt: string): Promise<Verdict> {
    const g = ctx.settings.greylist;
    const sender = (ctx.sender ?? '').toLowerCase();
    if (this.#whitelisted(ctx.client.ip, sender, rcpt, g.whitelist)) {
      ctx.log(`greylist: <${sender}> → <${rcpt}> from ${ctx.client.ip} is whitelisted`);
      return { kind: 'continue' };
    }
    const t = { net: greylistNet(ctx.client.ip), sender, rcpt: rcpt.toLowerCase() };
    const now = ctx.now();
    const e = await this.store.read((tx) => tx.greylist.get(t));
    if (e?.passedAt != null) {
      if (now - e.lastSeen > TOUCH_EVERY_MS) await this.store.tx((tx) => tx.greylist.touch(t, now, true));
      return { kind: 'continue' };
    }
    const lifetimeMs = g.lifetimeDays * 86_400_000;
    if (await this.store.read((tx) => tx.greylist.knownSender(t.net, sender, now - lifetimeMs))) {
      await this.store.tx(async (tx) => { await tx.greylist.start(t, now); await tx.greylist.touch(t, now, true); });
      ctx.log(`greylist: <${sender}> is known from ${t.net}: <${rcpt}> passes`);
      ctx.count('known');
      return { kind: 'continue' };
    }
    const delayMs = g.delaySec * 1000;
    if (!e || now - e.firstSeen > g.retryWindowHours * 3600_000) {
      await this.store.tx((tx) => tx.greylist.start(t, now));
      ctx.log(`greylist: new triple (${t.net}, <${sender}>, <${rcpt}>): 451, retry after ${g.delaySec} s`);
      ctx.count('deferred');
      return tempfail(g.delaySec);
    }
    if (now - e.firstSeen < delayMs) {
      await this.store.tx((tx) => tx.greylist.touch(t, now, false));
      const wait = Math.ceil((delayMs - (now - e.firstSeen)) / 1000);
      ctx.log(`greylist: (${t.net}, <${sender}>, <${rcpt}>) retried too early: 451, ${wait} s to go`);
      ctx.count('early');
      return tempfail(wait);
    }
    await this.store.tx((tx) => tx.greylist.touch(t, now, true));
    ctx.log(`greylist: (${t.net}, <${sender}>, <${rcpt}>) retried after ${Math.round((now - e.firstSeen) / 1000)} s: passes`);
    ctx.count('passed');
    return { kind: 'continue' };
  }

  /** Forgets triples never retried within the window and passed ones not seen for the lifetime. */
  async housekeep(s: Readonly<Settings>, now: number): Promise<void> {
    await this.store.tx((tx) => tx.greylist.prune(now - s.greylist.retryWindowHours * 3600_000, now - s.greylist.lifetimeDays * 86_400_000));
  }

  #whitelisted(ip: string, sender: string, rcpt: string, list: readonly string[]): boolean {
    if (list.length === 0) return false;
    if (this.#whitelist?.list !== list) this.#whitelist = { list, match: cidrMatcher(list) };
    return this.#whitelist.match(ip) || (sender !== '' && matchesSender(sender, list)) || matchesSender(rcpt, list);
  }
}

const tempfail = (sec: number): Verdict => ({
  kind: 'tempfail', reply: { code: 451, enhanced: '4.7.1', text: `Greylisted: please try again in ${Math.max(sec, 1)} seconds` },
});
