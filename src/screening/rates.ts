/**
 * Per-IP event rates for screening (connections a minute, messages an hour): a counter per IP and
 * fixed window, in this node's memory, bounded in size. Cheap enough to ask on every connect.
 */
const MAX_ENTRIES = 100_000;

export class RateWindow {
  readonly #counts = new Map<string, { start: number; n: number }>();

  /** Counts one event of `key` at `now`; returns the events in its current window, this one included. */
  hit(key: string, windowMs: number, now: number): number {
    let c = this.#counts.get(key);
    if (!c || now - c.start >= windowMs) {
      if (!c && this.#counts.size >= MAX_ENTRIES) this.#prune(windowMs, now);
      c = { start: now, n: 0 };
      this.#counts.set(key, c);
    }
    return ++c.n;
  }

  #prune(windowMs: number, now: number): void {
    for (const [k, c] of this.#counts) if (now - c.start >= windowMs) this.#counts.delete(k);
    if (this.#counts.size >= MAX_ENTRIES) for (const k of [...this.#counts.keys()].slice(0, MAX_ENTRIES / 2)) this.#counts.delete(k);
  }
}
