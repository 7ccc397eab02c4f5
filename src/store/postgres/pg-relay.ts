/**
 * The cluster's bus relay on PostgreSQL LISTEN/NOTIFY (DESIGN §5): publish is one pg_notify on the
 * pool; listening holds a connection of its own, and when that connection drops (a restart of
 * PostgreSQL, a network cut) it connects again with growing pauses, telling `onReconnect` so the
 * node can resynchronise what it may have missed meanwhile.
 */
import pg from 'pg';
import type { BusRelay } from '../../core/bus.ts';

const CHANNEL = 'youju_bus';
/** pg_notify refuses payloads of 8000 bytes or more; bus events are a few hundred. */
const MAX_PAYLOAD = 7900;

export class PgRelay implements BusRelay {
  private listener: pg.Client | undefined;
  private closed = false;
  private retryTimer: NodeJS.Timeout | undefined;
  private listened = false;

  constructor(private readonly pool: pg.Pool, private readonly url: string, private readonly onError: (err: unknown) => void = () => undefined) {}

  publish(message: string): void {
    if (this.closed || Buffer.byteLength(message) > MAX_PAYLOAD) return;
    this.pool.query('SELECT pg_notify($1, $2)', [CHANNEL, message]).catch(this.onError);
  }

  async listen(onMessage: (message: string) => void, onReconnect: () => void = () => undefined): Promise<void> {
    await this.connect(onMessage, onReconnect, 0);
  }

  private async connect(onMessage: (message: string) => void, onReconnect: () => void, failures: number): Promise<void> {
    if (this.closed) return;
    const client = new pg.Client({ connectionString: this.url });
    client.on('notification', (n) => { if (n.channel === CHANNEL && n.payload) onMessage(n.payload); });
    const again = (err: unknown) => {
      if (this.closed || this.listener !== client) return;
      this.listener = undefined;
      this.onError(err);
      client.end().catch(() => undefined);
      const pause = Math.min(30_000, 500 * 2 ** Math.min(failures, 6));
      this.retryTimer = setTimeout(() => void this.connect(onMessage, onReconnect, failures + 1), pause);
      this.retryTimer.unref();
    };
    this.listener = client;
    client.on('error', again);
    client.on('end', () => again(new Error('the LISTEN connection to PostgreSQL ended')));
    try {
      await client.connect();
      await client.query(`LISTEN ${CHANNEL}`);
      // Listening again after a drop: what was published meanwhile never reached us.
      if (this.listened) onReconnect();
      this.listened = true;
    } catch (err) {
      again(err);
      if (failures === 0) throw err; // the first attempt tells the caller
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.retryTimer);
    const c = this.listener;
    this.listener = undefined;
    await c?.end().catch(() => undefined);
  }
}
