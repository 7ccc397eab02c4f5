/**
 * WAL checkpoints off the event loop. SQLite's automatic checkpoint runs inside the COMMIT that
 * crosses 1,000 WAL pages, on the committing connection: it copies every page back into the
 * database file and fsyncs it, and with the writer on the event loop that stalled every session for
 * the length of a disk flush (about a tenth of the server's time under SMTP load). The server's
 * writer turns the automatic checkpoint off (wal_autocheckpoint=0) and this class runs PASSIVE
 * checkpoints on a connection of its own in a worker thread instead, started on first need.
 *
 * Each checkpoint is two steps. PASSIVE never waits for a lock: it copies what it can while writers
 * and readers go on. But SQLite starts the WAL over only when a write begins with every frame copied
 * back, and under a steady stream of commits that moment never comes: the WAL grew by gigabytes in
 * an hour of SMTP load, each fdatasync also flushing the file's new size. So a RESTART follows: it
 * waits (up to RESTART_WAIT_MS, in the worker) for a gap between commits, copies the few frames
 * written meanwhile with writers held off, and waits for readers to leave the WAL, so that the next
 * commit writes from the WAL's start again. A WAL that still grew past TRUNCATE_BYTES (a long read
 * kept it from starting over) is cut back to nothing, giving the disk its space back.
 */
import { statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

/**
 * Checkpoint once the WAL file holds about this much (SQLite's own threshold: 1,000 pages of 4 KiB).
 * A restarted WAL keeps its file's size, so from then on every look checkpoints: each copies only
 * the frames written since the last.
 */
const WAL_BYTES = 4 << 20;
/** Look at the WAL's size after this many commits, so a commit costs no stat() of its own. */
const COMMITS_PER_LOOK = 32;
/** How long the RESTART step may wait for writers and readers to pause; it gives up (busy) after. */
const RESTART_WAIT_MS = 100;
/** A WAL file this big is truncated by the checkpoint rather than restarted. */
const TRUNCATE_BYTES = 64 << 20;

const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.path);
db.pragma('busy_timeout = 0');
parentPort.on('message', (m) => {
  if (m === 'close') { db.close(); parentPort.close(); return; }
  let result;
  try {
    db.pragma('wal_checkpoint(PASSIVE)');
    db.pragma('busy_timeout = ' + workerData.restartWaitMs);
    try {
      result = { ok: db.pragma(m.truncate ? 'wal_checkpoint(TRUNCATE)' : 'wal_checkpoint(RESTART)')[0] };
    } finally {
      db.pragma('busy_timeout = 0');
    }
  } catch (err) { result = { error: String(err) }; }
  parentPort.postMessage(result);
});
`;

export class Checkpointer {
  private worker: Worker | undefined;
  private commits = 0;
  private busy = false;
  private closed = false;
  /** Checkpoints run, and the last error (a busy database is not one). */
  runs = 0;
  lastError: string | undefined;
  /**
   * What the last checkpoint reported: whether its RESTART step got its pause (the next commit
   * writes from the WAL's start), the WAL's frames in all, and how many are copied back.
   */
  last: { restarted: boolean; log: number; checkpointed: number } | undefined;
  private ran: Array<() => void> = [];

  constructor(private readonly dbPath: string) {}

  /** Called after each commit: now and then looks at the WAL's size and checkpoints when it is big. */
  committed(): void {
    if (++this.commits % COMMITS_PER_LOOK !== 0 || this.busy || this.closed) return;
    let size = 0;
    try { size = statSync(`${this.dbPath}-wal`).size; } catch { return; }
    if (size >= WAL_BYTES) this.checkpoint(size >= TRUNCATE_BYTES);
  }

  private checkpoint(truncate: boolean): void {
    this.busy = true;
    if (!this.worker) {
      this.worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { path: this.dbPath, driver: createRequire(import.meta.url).resolve('better-sqlite3'), restartWaitMs: RESTART_WAIT_MS } });
      this.worker.on('message', (m: { ok?: { busy: number; log: number; checkpointed: number }; error?: string }) => {
        this.busy = false;
        this.worker?.unref(); // an idle checkpointer keeps no process alive
        this.runs += 1;
        if (m.ok) this.last = { restarted: m.ok.busy === 0, log: m.ok.log, checkpointed: m.ok.checkpointed };
        if (m.error && !/SQLITE_BUSY|database is locked/.test(m.error)) this.lastError = m.error;
        for (const f of this.ran.splice(0)) f();
      });
      this.worker.on('error', (err) => { this.busy = false; this.lastError = String(err); this.worker = undefined; });
    }
    this.worker.ref();
    this.worker.postMessage({ truncate });
  }

  /** Resolves after the next checkpoint finishes (for tests). */
  nextRun(): Promise<void> {
    return new Promise((r) => this.ran.push(r));
  }

  async close(): Promise<void> {
    this.closed = true;
    const w = this.worker;
    this.worker = undefined;
    if (!w) return;
    const exited = new Promise((r) => w.once('exit', r));
    w.ref();
    w.postMessage('close');
    await exited;
  }
}
