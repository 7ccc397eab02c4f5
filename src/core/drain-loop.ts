/**
 * A background worker's rhythm: run passes until a pass finds nothing to do, again whenever kicked
 * (new work arrived) and at least every pollMs. A kick during a pass schedules one more pass, so
 * work is never left waiting for the next poll; passes never overlap. Used by the queue runner and
 * the full-text indexer.
 */
export class DrainLoop {
  private timer: NodeJS.Timeout | undefined;
  private running = false;
  private again = false;
  private stopped = true;
  private idle: Promise<void> = Promise.resolve();

  /**
   * pass() returns how much it did; 0 ends the drain, and so does less than batch() when given (a
   * pass that took fewer than it may take found everything that was due: another would find none).
   */
  constructor(
    private readonly pass: () => Promise<number>,
    private readonly pollMs: () => number,
    private readonly onError: (err: unknown) => void,
    private readonly batch?: () => number,
  ) {}

  start(): void {
    this.stopped = false;
    const poll = () => {
      this.kick();
      this.timer = setTimeout(poll, this.pollMs());
      this.timer.unref();
    };
    poll();
  }

  /** Stops polling and waits for a pass in progress to finish. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.idle;
  }

  kick(): void {
    if (this.stopped) return;
    if (this.running) { this.again = true; return; }
    this.running = true;
    this.idle = (async () => {
      try {
        do {
          this.again = false;
          while (!this.stopped) {
            const n = await this.pass();
            if (n === 0 || (this.batch && n < this.batch())) break;
          }
        } while (this.again && !this.stopped);
      } catch (err) {
        this.onError(err);
      } finally {
        this.running = false;
      }
    })();
  }
}
