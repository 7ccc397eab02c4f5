/**
 * Idle outbound SMTP sessions kept for the next queue entry to the same server (Postfix
 * smtp_connection_cache_*): keyed by address:port plus TLS mode and AUTH user, each closed with QUIT
 * after delivery.connectionIdleSec idle or when the server drops it; at most maxIdle kept (oldest
 * go first). An idle session holds no connection slot (connection-limits.ts counts sessions in use).
 * The session itself (RSET before reuse, RFC 5321 §4.1.1.5) is smtp-session.ts.
 */

/** What the pool needs of a session. */
export interface PoolableSession {
  /** True once the server closed it or it failed: never handed out again. */
  readonly dead: boolean;
  /** Ends it politely (QUIT) without waiting. */
  quit(): void;
  /** Called when it goes idle / comes back: an idle session must not keep the process alive. */
  park?(): void;
  unpark?(): void;
}

export interface ConnectionPoolOptions {
  /** Idle lifetime in ms, read at every put; 0 = no reuse. */
  idleMs: () => number;
  /** Idle sessions kept at most (all keys together). */
  maxIdle: () => number;
}

export class ConnectionPool<S extends PoolableSession> {
  readonly #idle = new Map<string, Array<{ session: S; timer: NodeJS.Timeout }>>();
  #count = 0;

  constructor(private readonly opts: ConnectionPoolOptions) {}

  /** An idle live session for key, removed from the pool; undefined when there is none. */
  take(key: string): S | undefined {
    const list = this.#idle.get(key);
    while (list && list.length > 0) {
      const { session, timer } = list.pop()!;
      clearTimeout(timer);
      this.#count--;
      if (list.length === 0) this.#idle.delete(key);
      if (!session.dead) { session.unpark?.(); return session; }
    }
    return undefined;
  }

  /** Keeps a session after a transaction; quits it instead when reuse is off or it is dead. */
  put(key: string, session: S): void {
    const idleMs = this.opts.idleMs();
    if (idleMs <= 0 || session.dead) { session.quit(); return; }
    while (this.#count >= Math.max(0, this.opts.maxIdle())) {
      if (!this.#evictOldest()) { session.quit(); return; }
    }
    session.park?.();
    const entry = { session, timer: setTimeout(() => this.#drop(key, entry), idleMs) };
    entry.timer.unref?.();
    this.#idle.set(key, [...(this.#idle.get(key) ?? []), entry]);
    this.#count++;
  }

  /** Idle sessions now (tests, admin console). */
  get size(): number {
    return this.#count;
  }

  /** Quits every idle session (server stop). */
  closeAll(): void {
    for (const list of this.#idle.values()) for (const { session, timer } of list) { clearTimeout(timer); session.quit(); }
    this.#idle.clear();
    this.#count = 0;
  }

  #drop(key: string, entry: { session: S; timer: NodeJS.Timeout }): void {
    const list = this.#idle.get(key);
    const i = list?.indexOf(entry) ?? -1;
    if (!list || i < 0) return;
    list.splice(i, 1);
    if (list.length === 0) this.#idle.delete(key);
    this.#count--;
    entry.session.quit();
  }

  #evictOldest(): boolean {
    for (const [key, list] of this.#idle) {
      if (list.length > 0) { this.#drop(key, list[0]!); return true; }
    }
    return false;
  }
}
