/**
 * A byte rate limit for one session (a token bucket): take() counts what went and says how long to
 * wait before more may go, so the average stays at the rate while up to one second's worth may
 * go at once.
 */
export class ByteRate {
  private debt = 0;
  private at: number;

  constructor(private readonly bytesPerSecond: number, private readonly now: () => number = () => performance.now()) {
    this.at = now();
  }

  /** Counts `bytes`; the milliseconds to wait before sending (or reading) more (0: none). */
  take(bytes: number): number {
    const t = this.now();
    this.debt = Math.max(0, this.debt - ((t - this.at) * this.bytesPerSecond) / 1000) + bytes;
    this.at = t;
    const over = this.debt - this.bytesPerSecond;
    return over > 0 ? (over * 1000) / this.bytesPerSecond : 0;
  }

  /** Waits what take() asks. */
  async pace(bytes: number): Promise<void> {
    const ms = this.take(bytes);
    if (ms > 0) await new Promise((r) => setTimeout(r, ms));
  }
}
