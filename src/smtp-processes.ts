/**
 * The main process's side of boot config processes.smtp = N: N child processes (node:cluster,
 * src/smtp-node.ts) each run the SMTP listeners on the configured ports — shared sockets that each
 * child accepts from itself (SCHED_NONE), so the main process pays nothing per connection — with the
 * protection pipeline, and hand what they accept to this process's queue over IPC
 * (queue/queue-ipc.ts): this process alone writes the mail and its runner delivers it. A child that
 * dies is started again; a message it had not yet answered 250 is the client's to send again.
 * Bus events cross the processes through `relay` (SQLite); a PostgreSQL store relays them itself.
 */
import cluster, { type Worker } from 'node:cluster';
import { extname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MailError } from './core/errors.ts';
import type { ParentRelay } from './core/ipc-relay.ts';
import type { Runtime } from './runtime.ts';
import { serveQueue } from './queue/queue-ipc.ts';

/** Messages between the main process and an SMTP process. */
export type ToChild = { type: 'init'; config: Runtime['config'] } | { type: 'stop' };
export type FromChild =
  | { type: 'hello' }
  | { type: 'ready'; listeners: Array<{ role: string; port: number }> }
  | { type: 'failed'; message: string };

const START_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 30_000;
/** A child that dies sooner than this after its start waits RESTART_BACKOFF_MS before the next. */
const MIN_UPTIME_MS = 10_000;
const RESTART_BACKOFF_MS = 5_000;

interface Child {
  index: number;
  worker: Worker;
  startedAt: number;
  unrelay?: () => void;
  unserve?: () => void;
}

export class SmtpProcesses {
  readonly listeners: Array<{ role: string; port: number }> = [];
  readonly #children = new Map<number, Child>();
  #stopping = false;
  readonly #restarts = new Set<NodeJS.Timeout>();

  private constructor(private readonly rt: Runtime, private readonly o: { count: number; log: (line: string) => void; relay?: ParentRelay }) {}

  /** Starts the children and resolves when every one listens; rejects (and stops them) otherwise. */
  static async start(rt: Runtime, o: { count: number; log: (line: string) => void; relay?: ParentRelay }): Promise<SmtpProcesses> {
    const p = new SmtpProcesses(rt, o);
    try {
      const bound = await Promise.all(Array.from({ length: o.count }, (_, i) => p.#fork(i)));
      p.listeners.push(...(bound[0] ?? []));
      o.log(`SMTP runs in ${o.count} process(es): ${[...p.#children.values()].map((c) => c.worker.process.pid).join(', ')}`);
      return p;
    } catch (err) {
      await p.stop();
      throw err;
    }
  }

  /** Asks every child to finish its sessions and stop; kills those that take longer than 30 s. */
  async stop(): Promise<void> {
    this.#stopping = true;
    for (const t of this.#restarts) clearTimeout(t);
    await Promise.all([...this.#children.values()].map((c) => this.#stopChild(c)));
  }

  #fork(index: number): Promise<Array<{ role: string; port: number }>> {
    // SCHED_NONE: each child accepts on the shared socket itself (the default round robin would
    // have this process accept every connection and pass it on). Fixed before the first fork.
    cluster.schedulingPolicy = cluster.SCHED_NONE;
    const own = fileURLToPath(import.meta.url);
    const fromSource = extname(own) === '.ts';
    cluster.setupPrimary({
      exec: fileURLToPath(new URL(`./smtp-node${extname(own)}`, import.meta.url)),
      // A profiled server (--cpu-prof, as `npm run bench -- smtp --profile` runs it) profiles its children
      // too, each into a file of its own name.
      execArgv: [...(fromSource ? ['--import', import.meta.resolve('tsx')] : []),
        ...process.execArgv.filter((a) => a === '--cpu-prof' || a.startsWith('--cpu-prof-dir'))],
      args: [],
      // Accepted messages cross as bytes (structured clone), not as JSON arrays of numbers.
      serialization: 'advanced',
    });
    const worker = cluster.fork();
    const child: Child = { index, worker, startedAt: Date.now() };
    this.#children.set(index, child);
    if (this.o.relay) child.unrelay = this.o.relay.add(worker);
    child.unserve = serveQueue(worker, this.rt.queue);

    return new Promise((resolve, reject) => {
      let settled = false;
      const done = (err: Error | undefined, listeners?: Array<{ role: string; port: number }>) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        if (err) reject(err);
        else resolve(listeners ?? []);
      };
      const timer = setTimeout(() => done(new MailError('CONFIG_INVALID', `SMTP process ${index} did not start within ${START_TIMEOUT_MS / 1000} s`)), START_TIMEOUT_MS);
      worker.on('message', (m: FromChild) => {
        // A stop sent before the child listened for messages was lost: it hears it now instead.
        if (m?.type === 'hello') worker.send((this.#stopping ? { type: 'stop' } : { type: 'init', config: this.rt.config }) satisfies ToChild);
        else if (m?.type === 'ready') done(undefined, m.listeners);
        else if (m?.type === 'failed') done(new MailError('CONFIG_INVALID', `SMTP process ${index}: ${m.message}`));
      });
      worker.on('exit', (code, signal) => {
        child.unrelay?.();
        child.unserve?.();
        if (this.#children.get(index) === child) this.#children.delete(index);
        const how = signal ? `signal ${signal}` : `code ${code}`;
        if (!settled) return done(new MailError('CONFIG_INVALID', `SMTP process ${index} exited (${how}) before it listened`));
        if (this.#stopping) return;
        // Mail it had acknowledged is in the store; what it had not is the client's to send again.
        const wait = Date.now() - child.startedAt < MIN_UPTIME_MS ? RESTART_BACKOFF_MS : 0;
        this.o.log(`SMTP process ${index} (pid ${worker.process.pid}) exited (${how}); starting it again${wait ? ` in ${wait / 1000} s` : ''}`);
        const t = setTimeout(() => {
          this.#restarts.delete(t);
          if (this.#stopping) return;
          this.#fork(index).catch((err: unknown) => this.o.log(`SMTP process ${index} could not start again: ${String((err as Error).message ?? err)}`));
        }, wait);
        this.#restarts.add(t);
      });
    });
  }

  #stopChild(c: Child): Promise<void> {
    return new Promise((resolve) => {
      if (c.worker.isDead()) return resolve();
      const timer = setTimeout(() => { this.o.log(`SMTP process ${c.index} did not stop within ${STOP_TIMEOUT_MS / 1000} s: killed`); c.worker.process.kill('SIGKILL'); }, STOP_TIMEOUT_MS);
      c.worker.once('exit', () => { clearTimeout(timer); resolve(); });
      try {
        c.worker.send({ type: 'stop' } satisfies ToChild);
      } catch {
        c.worker.process.kill('SIGTERM');
      }
    });
  }
}
