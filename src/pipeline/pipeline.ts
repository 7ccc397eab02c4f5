/**
 * The protection pipeline service (DESIGN §2, issue #13): the ordered stages main.ts hands it, a
 * PipelineSession per SMTP session (session.ts), and what runs beside them while a server is up:
 * held messages scanned again (held.ts), daily counters written out (counters.ts), and each stage's
 * housekeeping. Stage session logs (antivirus, spf, dnsbl, antispam …) go to DATA/logs like the
 * protocol logs. Settings: pipeline.* and each stage's own section, read from the live snapshot.
 */
import type { Settings } from '../config/settings.ts';
import type { Clock } from '../core/clock.ts';
import { DrainLoop } from '../core/drain-loop.ts';
import { SessionLogs, type SessionLog, type SessionProtocol } from '../core/log/session-log.ts';
import type { QueueService } from '../queue/queue.ts';
import type { BlobStore } from '../store/blob-store.ts';
import type { Store } from '../store/store.ts';
import { DailyCounters } from './counters.ts';
import { HeldMessages } from './held.ts';
import { QuarantineService } from './quarantine.ts';
import { PipelineSession, type SessionHost } from './session.ts';
import type { Client, Stage } from './stage.ts';

export interface PipelineDeps {
  stages: Stage[];
  store: Store;
  blobs: BlobStore;
  queue: QueueService;
  clock: Clock;
  settings: () => Readonly<Settings>;
  /** DATA/logs: the stage session logs. */
  logsDir: string;
  /** This node's name: the lease owner of held entries it scans. */
  node: string;
  /** Operator messages (a failed counter flush, a held entry that could not be handled). */
  warn?: (message: string) => void;
}

export interface OpenOptions {
  ip: string;
  port?: number;
  kind: 'mx' | 'submission';
  trusted: boolean;
  /** The SMTP session's snapshot. */
  settings: Readonly<Settings>;
}

const HOUSEKEEPING_MS = 3600_000;

export class Pipeline implements SessionHost {
  readonly stages: readonly Stage[];
  readonly counters: DailyCounters;
  readonly quarantine: QuarantineService;
  readonly #logs: SessionLogs;
  readonly #held: HeldMessages;
  readonly #loop: DrainLoop;
  #timers: NodeJS.Timeout[] = [];

  constructor(private readonly deps: PipelineDeps) {
    this.stages = deps.stages;
    this.counters = new DailyCounters(deps.store, deps.clock);
    this.quarantine = new QuarantineService(deps.store, deps.blobs, deps.queue, deps.clock);
    this.#logs = new SessionLogs({ dir: deps.logsDir, clock: deps.clock });
    this.#held = new HeldMessages({ ...deps, host: this, quarantine: this.quarantine });
    this.#loop = new DrainLoop(() => this.#held.runOnce(), () => deps.settings().pipeline.heldPollSec * 1000,
      (err) => this.#warn(`held messages pass failed: ${String(err)}`));
  }

  /** A pipeline walk for one SMTP session, with the snapshot that session took. */
  open(o: OpenOptions): PipelineSession {
    // An IPv4 client on a dual-stack socket shows as ::ffff:a.b.c.d; SPF, DNS-BL and greylisting want a.b.c.d.
    const ip = o.ip.replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/i, '');
    return new PipelineSession(this, { ip, port: o.port, kind: o.kind, trusted: o.trusted, helo: '' }, o.settings);
  }

  /** The stages that run under these settings, for the start banner: ['dnsbl', 'antivirus (clamd unix:/…)']. */
  enabledStages(settings: Readonly<Settings> = this.deps.settings()): string[] {
    return this.stages.filter((s) => s.isEnabled(settings)).map((s) => s.name);
  }

  /**
   * Starts the held-message scans, the counter flushes and housekeeping (a running server only);
   * an SMTP process (held: false) only flushes its counters.
   */
  start(o: { held?: boolean } = {}): void {
    const flush = () => void this.counters.flush().catch((err: unknown) => this.#warn(`counters not written: ${String(err)}`));
    this.#timers = [setInterval(flush, this.deps.settings().pipeline.counterFlushSec * 1000)];
    if (o.held !== false) {
      this.#loop.start();
      this.#timers.push(setInterval(() => void this.#housekeep(), HOUSEKEEPING_MS));
    }
    for (const t of this.#timers) t.unref();
  }

  /** Stops the background work and writes the counters gathered so far. */
  async stop(): Promise<void> {
    for (const t of this.#timers) clearInterval(t);
    this.#timers = [];
    await this.#loop.stop();
    await this.counters.flush().catch((err: unknown) => this.#warn(`counters not written: ${String(err)}`));
  }

  /** Scans held messages now (tests, and `kick` after a scanner came back). */
  kickHeld(): void {
    this.#loop.kick();
  }

  /** Closes the stage logs (after stop()). */
  async close(): Promise<void> {
    await this.counters.flush().catch(() => undefined);
    await this.#logs.close();
  }

  openLog(protocol: SessionProtocol, client: Client): SessionLog {
    const log = this.#logs.open(protocol, { ip: client.ip, port: client.port });
    if (client.kind === 'held') log.note('held message scanned again from the queue');
    return log;
  }

  count(name: string, n = 1): void {
    this.counters.add(name, n);
  }

  now(): number {
    return this.deps.clock.now();
  }

  async #housekeep(): Promise<void> {
    const settings = this.deps.settings();
    for (const s of this.stages) {
      if (!s.housekeep) continue;
      await s.housekeep(settings, this.now()).catch((err: unknown) => this.#warn(`${s.name} housekeeping failed: ${String(err)}`));
    }
  }

  #warn(message: string): void {
    this.deps.warn?.(message);
  }
}
