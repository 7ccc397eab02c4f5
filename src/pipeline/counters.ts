/**
 * Daily counters of the pipeline ('antivirus.infected', 'spf.fail' …), gathered in memory and added
 * to the store every pipeline.counterFlushSec (and on stop), so counting costs a message no store
 * write. Nodes add into the same rows. A crash loses at most one interval of counts: statistics,
 * not mail. Days are local calendar days, like the session logs'.
 */
import type { Clock } from '../core/clock.ts';
import { localDate } from '../core/log/session-log.ts';
import type { Store } from '../store/store.ts';

export class DailyCounters {
  #pending = new Map<string, Map<string, number>>();

  constructor(private readonly store: Store, private readonly clock: Clock) {}

  add(name: string, n = 1): void {
    this.#addOn(localDate(new Date(this.clock.now())), name, n);
  }

  /** Writes what was gathered; on failure the counts are kept for the next flush. */
  async flush(): Promise<void> {
    if (this.#pending.size === 0) return;
    const batch = this.#pending;
    this.#pending = new Map();
    try {
      await this.store.tx(async (tx) => {
        for (const [day, counts] of batch) await tx.counters.add(day, Object.fromEntries(counts));
      });
    } catch (err) {
      for (const [day, counts] of batch) for (const [name, n] of counts) this.#addOn(day, name, n);
      throw err;
    }
  }

  /** Stored counts of days in [fromDay, toDay] (YYYY-MM-DD), as { day: { name: count } }. */
  async read(fromDay: string, toDay: string): Promise<Record<string, Record<string, number>>> {
    const out: Record<string, Record<string, number>> = {};
    for (const r of await this.store.read((tx) => tx.counters.list(fromDay, toDay))) (out[r.day] ??= {})[r.name] = r.count;
    return out;
  }

  #addOn(day: string, name: string, n: number): void {
    let counts = this.#pending.get(day);
    if (!counts) this.#pending.set(day, (counts = new Map()));
    counts.set(name, (counts.get(name) ?? 0) + n);
  }
}
