/**
 * Outbound connection limits for remote delivery: at most delivery.maxConcurrentConnections SMTP
 * connections from this node, and at most delivery.maxConnectionsPerDomain to one recipient
 * domain (manual §4.4.1 "max concurrent outbound"; Postfix default_destination_concurrency_limit).
 * Plain counting semaphores, first come first served, limits re-read from the settings snapshot
 * whenever a slot frees up, so a reload takes effect without a restart. Per node only: nodes of a
 * cluster do not share counts. No rate limiting over time.
 */

export type Release = () => void;

interface Waiter {
  grant: () => void;
  signal?: AbortSignal;
  onAbort?: () => void;
}

/** A counting semaphore whose limit is read on every decision. */
export class Semaphore {
  readonly #limit: () => number;
  readonly #queue: Waiter[] = [];
  #active = 0;

  constructor(limit: () => number) {
    this.#limit = limit;
  }

  get active(): number {
    return this.#active;
  }

  get waiting(): number {
    return this.#queue.length;
  }

  /** Resolves with a release function once a slot is free; rejects with the signal's reason if aborted first. */
  acquire(signal?: AbortSignal): Promise<Release> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    return new Promise<Release>((resolve, reject) => {
      const waiter: Waiter = { grant: () => resolve(this.#releaser()), signal };
      if (signal) {
        waiter.onAbort = () => {
          const i = this.#queue.indexOf(waiter);
          if (i >= 0) this.#queue.splice(i, 1);
          reject(signal.reason);
        };
        signal.addEventListener('abort', waiter.onAbort, { once: true });
      }
      this.#queue.push(waiter);
      this.#drain();
    });
  }

  #releaser(): Release {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.#active--;
      this.#drain();
    };
  }

  #drain(): void {
    while (this.#queue.length > 0 && this.#active < Math.max(1, this.#limit())) {
      const w = this.#queue.shift() as Waiter;
      if (w.signal && w.onAbort) w.signal.removeEventListener('abort', w.onAbort);
      this.#active++;
      w.grant();
    }
  }
}

/** The node-wide and per-domain semaphores, taken together for one connection. */
export class ConnectionLimits {
  readonly #global: Semaphore;
  readonly #perDomain = new Map<string, Semaphore>();
  readonly #domainLimit: () => number;

  constructor(limits: { global: () => number; perDomain: () => number }) {
    this.#global = new Semaphore(limits.global);
    this.#domainLimit = limits.perDomain;
  }

  /** Open connections now (all domains). */
  get active(): number {
    return this.#global.active;
  }

  /**
   * Waits for a slot for `domain` and then a node-wide slot (always in that order, so two
   * callers never hold one each and wait for the other). The release frees both.
   */
  async acquire(domain: string, signal?: AbortSignal): Promise<Release> {
    let sem = this.#perDomain.get(domain);
    if (!sem) {
      sem = new Semaphore(this.#domainLimit);
      this.#perDomain.set(domain, sem);
    }
    const domainSem = sem;
    const releaseDomain = await domainSem.acquire(signal);
    let releaseGlobal: Release;
    try {
      releaseGlobal = await this.#global.acquire(signal);
    } catch (err) {
      releaseDomain();
      this.#forget(domain, domainSem);
      throw err;
    }
    let released = false;
    return () => {
      if (released) return;
      released = true;
      releaseGlobal();
      releaseDomain();
      this.#forget(domain, domainSem);
    };
  }

  /** Drops an idle domain's semaphore so the map does not grow with every domain ever seen. */
  #forget(domain: string, sem: Semaphore): void {
    if (sem.active === 0 && sem.waiting === 0 && this.#perDomain.get(domain) === sem) this.#perDomain.delete(domain);
  }
}
