/**
 * The domains' monitoring rules (FEATURES A7) as the content filter stage needs them on every
 * message: which domains have enabled rules (kept in memory, reloaded when the settings version
 * moves, checked at most once a second, and at once after a change on this node), and for a
 * message's addresses, who each local one is (its domain, user and department chain). Reads only.
 */
import { z } from 'zod';
import { DomainMonitorSchema, type DomainMonitor } from '../config/schema/content-filter.ts';
import { MONITORING_SETTING_KEY } from '../config/domain-scope.ts';
import type { DomainId, OrgUnitId } from '../core/ids.ts';
import type { Store } from '../store/store.ts';
import { chainOf } from './admin-reach.ts';
import { findDomain } from './lookup.ts';
import type { Party } from '../content-filter/engine.ts';

const Rules = z.array(DomainMonitorSchema);
const CHECK_MS = 1000;
/** How long which domain an address part names is kept, and how many parts at most. */
const DOMAINS_MS = 60_000;
const DOMAINS_MAX = 10_000;



export class MonitorIndex {
  #byDomain = new Map<number, DomainMonitor[]>();
  #version = -1;
  #checkedAt = 0;
  #refreshing: Promise<void> | undefined;
  /** Address part → local domain id, or null for none (remote): scope()'s memory of findDomain. */
  #domainOf = new Map<string, number | null>();
  #domainsAt = 0;

  constructor(private readonly store: Store, private readonly now: () => number = Date.now) {}

  /**
   * Whether any domain has an enabled rule; starts a background check when the last is over a second
   * old. Before the first load it says yes, so the first messages after a start are not missed
   * (scope() waits for the load).
   */
  any(): boolean {
    if (this.now() - this.#checkedAt > CHECK_MS) void this.refresh().catch(() => undefined);
    return this.#version < 0 || this.#byDomain.size > 0;
  }

  /** Reloads when the settings changed since the last load. */
  refresh(): Promise<void> {
    this.#refreshing ??= (async () => {
      try {
        this.#checkedAt = this.now();
        const version = await this.store.read((tx) => tx.settings.version());
        if (version !== this.#version) await this.reload(version);
      } finally {
        this.#refreshing = undefined;
      }
    })();
    return this.#refreshing;
  }

  /** Loads every domain's rules now (after a change on this node). */
  async reload(version?: number): Promise<void> {
    const { rows, v } = await this.store.read(async (tx) => ({ rows: await tx.settings.byKey(MONITORING_SETTING_KEY), v: version ?? await tx.settings.version() }));
    const next = new Map<number, DomainMonitor[]>();
    for (const r of rows) {
      const m = /^domain:(\d+)$/.exec(r.scope);
      const parsed = m ? Rules.safeParse(r.value) : undefined;
      const enabled = parsed?.success ? parsed.data.filter((x) => x.enabled) : [];
      if (enabled.length > 0) next.set(Number(m![1]), enabled);
    }
    this.#byDomain = next;
    this.#domainOf.clear();
    this.#version = v;
    this.#checkedAt = this.now();
  }

  /**
   * The rules of the domains these addresses belong to, and who each local address is. Which domain
   * an address part names (or none) is kept for a minute, so a message that touches no domain with
   * rules costs no store read.
   */
  async scope(addresses: readonly string[]): Promise<{ sets: Array<{ domainId: number; monitors: DomainMonitor[] }>; parties: Map<string, Party> }> {
    if (this.#version < 0) await this.refresh();
    const parties = new Map<string, Party>();
    const domains = new Set<number>();
    if (this.#byDomain.size === 0) return { sets: [], parties };
    if (this.now() - this.#domainsAt > DOMAINS_MS || this.#domainOf.size > DOMAINS_MAX) {
      this.#domainOf.clear();
      this.#domainsAt = this.now();
    }
    const wanted = addresses.map((a) => a.toLowerCase()).filter((address) => {
      const at = address.lastIndexOf('@');
      if (at <= 0) return false;
      const known = this.#domainOf.get(address.slice(at + 1));
      return known === undefined || (known !== null && this.#byDomain.has(known));
    });
    if (wanted.length === 0) return { sets: [], parties };
    await this.store.read(async (tx) => {
      const units = new Map<number, Awaited<ReturnType<typeof tx.orgUnits.list>>>();
      for (const address of wanted) {
        const at = address.lastIndexOf('@');
        if (parties.has(address)) continue;
        const part = address.slice(at + 1);
        const found = await findDomain(tx, part);
        this.#domainOf.set(part, found ? found.domain.id : null);
        const rules = found && this.#byDomain.get(found.domain.id);
        if (!found || !rules) continue;
        const domain = found.domain;
        domains.add(domain.id);
        const user = await tx.users.byAddress(domain.id, address.slice(0, at).split('+')[0]!);
        let chain: OrgUnitId[] = [];
        if (user?.orgUnitId != null && rules.some((r) => r.watch.kind === 'department')) {
          if (!units.has(domain.id)) units.set(domain.id, await tx.orgUnits.list(domain.id as DomainId));
          chain = chainOf(units.get(domain.id)!, user.orgUnitId);
        }
        parties.set(address, { domainId: domain.id, user: user ? `${user.localPart}@${domain.name}` : '', units: chain });
      }
    });
    return { sets: [...domains].map((id) => ({ domainId: id, monitors: this.#byDomain.get(id)! })), parties };
  }
}
