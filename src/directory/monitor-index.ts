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

const Rules = z.array(DomainMonitorSchema);
const CHECK_MS = 1000;

export interface Party { domainId: number; user: string; units: readonly number[] }

export class MonitorIndex {
  #byDomain = new Map<number, DomainMonitor[]>();
  #version = -1;
  #checkedAt = 0;
  #refreshing: Promise<void> | undefined;

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
    this.#version = v;
    this.#checkedAt = this.now();
  }

  /** The rules of the domains these addresses belong to, and who each local address is. */
  async scope(addresses: readonly string[]): Promise<{ sets: Array<{ domainId: number; monitors: DomainMonitor[] }>; parties: Map<string, Party> }> {
    if (this.#version < 0) await this.refresh();
    const parties = new Map<string, Party>();
    const domains = new Set<number>();
    if (this.#byDomain.size === 0) return { sets: [], parties };
    await this.store.read(async (tx) => {
      const units = new Map<number, Awaited<ReturnType<typeof tx.orgUnits.list>>>();
      for (const raw of addresses) {
        const address = raw.toLowerCase();
        const at = address.lastIndexOf('@');
        if (at <= 0 || parties.has(address)) continue;
        const found = await findDomain(tx, address.slice(at + 1));
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
