/**
 * The failed-login throttle every protocol shares (issue #10 §2; S7 dynamic screening builds on it):
 * failures are counted per source IP and per account within security.loginFailureWindowMin. Each
 * failed attempt is answered after a delay that grows with the failures counted against its IP and
 * its account (security.failedLoginDelayMs doubled per failure past the third, at most
 * security.loginMaxDelayMs); an IP with security.loginFailuresBeforeBan failures is banned for
 * security.loginBanMinutes and refused before any password is checked. A correct login is never
 * slowed, and clears its IP's count: failures counted against an account from other addresses only
 * slow further failures. Addresses in security.loginWhitelist (CIDRs) are never counted or banned.
 * Dynamic screening (screening/, S7) adds its bans here too: abusive SMTP sessions (abused()) and
 * spam-trap hits (ban()), so one list of bans covers every protocol.
 * Failures are counted in this process's memory; bans are shared (shareWith(), auth/shared-bans.ts):
 * each ban made here is published to the store, and the store's bans in force are adopted now and
 * then, so every process and node refuses an address any of them banned. Bans can be listed and lifted.
 */
import ipaddr from 'ipaddr.js';
import { cidrMatcher } from '../core/cidr.ts';
import type { IpBan } from '../store/store.ts';

export interface ThrottleSettings {
  failedLoginDelayMs: number;
  loginMaxDelayMs: number;
  loginFailuresBeforeBan: number;
  loginBanMinutes: number;
  loginFailureWindowMin: number;
  loginWhitelist: readonly string[];
}

interface Count {
  failures: number;
  first: number;
}

/** A ban in force: the store's IpBan (reason: 'failed logins', 'abusive SMTP sessions', 'spam trap' …). */
export type Ban = IpBan;

/** How dynamic screening bans for abusive sessions (settings screening.dynamic). */
export interface AbuseRule {
  threshold: number;
  windowMin: number;
  banMinutes: number;
  whitelist: readonly string[];
}

/** Entries kept at most, so a flood of addresses cannot grow memory without bound. */
const MAX_ENTRIES = 100_000;

/** Where bans go beyond this process (the store: auth/shared-bans.ts). */
export interface BanSharing {
  publish(ban: Ban): void;
  lift(ip: string): void;
}

/**
 * A ban made or lifted here this recently outlives an adopt() that does not show it yet: the
 * store's list may have been read before the write that records it.
 */
const LOCAL_GRACE_MS = 10_000;

export class LoginThrottle {
  private readonly ips = new Map<string, Count>();
  private readonly accounts = new Map<string, Count>();
  private banned = new Map<string, Ban>();
  /** When this process made or lifted a ban, by IP (for adopt()). */
  private readonly madeHere = new Map<string, { at: number; lifted: boolean }>();
  private sharing: BanSharing | undefined;
  private readonly abuse = new Map<string, Count>();
  private abuseWhitelist: { list: readonly string[]; match: (ip: string) => boolean } | undefined;
  private whitelistSource: readonly string[] | undefined;
  private whitelist: (ip: string) => boolean = () => false;

  constructor(private readonly settings: () => ThrottleSettings, private readonly now: () => number = Date.now) {}

  /** Sends every ban made or lifted from now on to `sharing` as well. */
  shareWith(sharing: BanSharing): void {
    this.sharing = sharing;
  }

  /**
   * Takes the shared list of bans in force as this process's, but for bans made or lifted here
   * in the last seconds (the list may predate them).
   */
  adopt(shared: readonly Ban[]): void {
    const now = this.now();
    const next = new Map<string, Ban>();
    for (const b of shared) if (b.until > now) next.set(b.ip, { ...b });
    for (const [ip, mark] of this.madeHere) {
      if (now - mark.at > LOCAL_GRACE_MS) {
        this.madeHere.delete(ip);
        continue;
      }
      const mine = this.banned.get(ip);
      if (mark.lifted) next.delete(ip);
      else if (mine && mine.until > (next.get(ip)?.until ?? 0)) next.set(ip, mine);
    }
    this.banned = next;
  }

  private setBan(ban: Ban): void {
    this.banned.set(ban.ip, ban);
    this.markHere(ban.ip, false);
    this.sharing?.publish(ban);
  }

  /** Only while shared: adopt() is what forgets the marks again. */
  private markHere(ip: string, lifted: boolean): void {
    if (this.sharing) this.madeHere.set(ip, { at: this.now(), lifted });
  }

  /** Whether this IP is banned now: refuse it before checking anything. */
  isBanned(ip: string): boolean {
    const ban = this.banned.get(normalise(ip));
    if (!ban) return false;
    if (ban.until > this.now()) return true;
    this.banned.delete(ban.ip);
    return false;
  }

  /** Records a failed login; returns how long to wait before answering it, in ms. */
  failed(ip: string, account: string): number {
    const s = this.settings();
    const key = normalise(ip);
    if (this.whitelisted(key, s)) return s.failedLoginDelayMs;
    const byIp = this.bump(this.ips, key, s);
    const byAccount = this.bump(this.accounts, account.toLowerCase().slice(0, 320), s);
    if (s.loginFailuresBeforeBan > 0 && byIp >= s.loginFailuresBeforeBan) {
      this.setBan({ ip: key, until: this.now() + s.loginBanMinutes * 60_000, failures: byIp, reason: 'failed logins' });
      this.ips.delete(key);
    }
    const n = Math.max(byIp, byAccount);
    const delay = n <= 3 ? s.failedLoginDelayMs : s.failedLoginDelayMs * 2 ** Math.min(n - 3, 16);
    return Math.min(delay, Math.max(s.loginMaxDelayMs, s.failedLoginDelayMs));
  }

  /**
   * An abusive session from `ip` (weight 2 for a spam-trap hit …); at rule.threshold within
   * rule.windowMin it is banned for rule.banMinutes. Returns whether this made a ban.
   */
  abused(ip: string, rule: AbuseRule, reason: string, weight = 1): boolean {
    const key = normalise(ip);
    if (this.#abuseExempt(key, rule.whitelist)) return false;
    const now = this.now();
    const windowMs = rule.windowMin * 60_000;
    let c = this.abuse.get(key);
    if (!c || now - c.first > windowMs) {
      if (!c && this.abuse.size >= MAX_ENTRIES) this.prune(this.abuse, now, windowMs);
      c = { failures: 0, first: now };
      this.abuse.set(key, c);
    }
    c.failures += weight;
    if (c.failures < rule.threshold) return false;
    this.abuse.delete(key);
    this.setBan({ ip: key, until: now + rule.banMinutes * 60_000, failures: c.failures, reason });
    return true;
  }

  /** Bans `ip` for `minutes` at once (a spam-trap hit); a longer ban in force is kept. */
  ban(ip: string, minutes: number, reason: string, whitelist: readonly string[] = []): boolean {
    const key = normalise(ip);
    if (this.#abuseExempt(key, whitelist)) return false;
    const until = this.now() + minutes * 60_000;
    const old = this.banned.get(key);
    if (old && old.until >= until) return false;
    this.setBan({ ip: key, until, failures: old?.failures ?? 0, reason });
    return true;
  }

  #abuseExempt(ip: string, whitelist: readonly string[]): boolean {
    if (this.whitelisted(ip, this.settings())) return true;
    if (whitelist.length === 0) return false;
    if (this.abuseWhitelist?.list !== whitelist) this.abuseWhitelist = { list: whitelist, match: cidrMatcher(whitelist) };
    return this.abuseWhitelist.match(ip);
  }

  /** A correct login: its IP starts again from nothing. */
  succeeded(ip: string): void {
    this.ips.delete(normalise(ip));
  }

  /** The bans in force, soonest to end first. */
  bans(): Ban[] {
    const now = this.now();
    return [...this.banned.values()].filter((b) => b.until > now).sort((a, b) => a.until - b.until);
  }

  /** Lifts a ban (and forgets the IP's failures); false when there was none. */
  lift(ip: string): boolean {
    const key = normalise(ip);
    this.ips.delete(key);
    this.abuse.delete(key);
    this.markHere(key, true);
    this.sharing?.lift(key);
    return this.banned.delete(key);
  }

  private bump(map: Map<string, Count>, key: string, s: ThrottleSettings): number {
    const now = this.now();
    const windowMs = s.loginFailureWindowMin * 60_000;
    let c = map.get(key);
    if (!c || now - c.first > windowMs) {
      if (!c && map.size >= MAX_ENTRIES) this.prune(map, now, windowMs);
      c = { failures: 0, first: now };
      map.set(key, c);
    }
    c.failures++;
    return c.failures;
  }

  private prune(map: Map<string, Count>, now: number, windowMs: number): void {
    for (const [k, c] of map) if (now - c.first > windowMs) map.delete(k);
    // Still full: the oldest half goes (Map keeps insertion order).
    if (map.size >= MAX_ENTRIES) for (const k of [...map.keys()].slice(0, MAX_ENTRIES / 2)) map.delete(k);
  }

  private whitelisted(ip: string, s: ThrottleSettings): boolean {
    if (s.loginWhitelist !== this.whitelistSource) {
      this.whitelistSource = s.loginWhitelist;
      this.whitelist = cidrMatcher(s.loginWhitelist);
    }
    return this.whitelist(ip);
  }
}

/** One key per address: IPv4-mapped IPv6 as IPv4. */
function normalise(ip: string): string {
  try {
    return ipaddr.process(ip).toString();
  } catch {
    return ip;
  }
}
