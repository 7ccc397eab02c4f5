/**
 * safe-html.ts run off the event loop: one worker thread, started on first use, sanitises one
 * message at a time. Parsing a 1 MB newsletter with jsdom takes about 1.5 s on this machine's
 * cores, and on the main thread that would stall every SMTP, IMAP and web session meanwhile.
 * A job over MAX_HTML_CHARS is refused without parsing, and a job past TIMEOUT_MS ends the worker
 * (the next job starts a new one): both reject with a TooHeavyError, so the caller shows the text
 * part instead. An idle worker is unref'd and keeps no process alive.
 */
import { Worker } from 'node:worker_threads';
import type { SafeHtml, SafeHtmlOptions } from './safe-html.ts';

/** 2 M characters: ~2.5 s of jsdom at worst; real HTML mail is rarely over 200 K. */
export const MAX_HTML_CHARS = 2_000_000;
/** Far above the worst case measured for MAX_HTML_CHARS, so only a pathological input hits it. */
export const TIMEOUT_MS = 20_000;

/** The HTML is too big or took too long to sanitise: show the text part instead. */
export class TooHeavyError extends Error {}

// The worker is eval'd CommonJS; it loads safe-html through tsx when running from the sources.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
(async () => {
  if (workerData.tsx) (await import(workerData.tsx)).register();
  const m = await import(workerData.module);
  await m.preloadSanitiser();
  parentPort.on('message', async (job) => {
    try { parentPort.postMessage({ id: job.id, ok: await m.sanitiseMailHtml(job.html, job.opts) }); }
    catch (err) { parentPort.postMessage({ id: job.id, error: String(err && err.stack || err) }); }
  });
})().catch((err) => { throw err; });
`;

interface Job {
  id: number;
  resolve(r: SafeHtml): void;
  reject(e: Error): void;
  timer: NodeJS.Timeout;
}

export class HtmlSanitiser {
  private worker: Worker | undefined;
  private readonly jobs = new Map<number, Job>();
  private nextId = 1;

  constructor(private readonly opts: { timeoutMs?: number } = {}) {}

  sanitise(html: string, opts: SafeHtmlOptions): Promise<SafeHtml> {
    if (html.length > MAX_HTML_CHARS) return Promise.reject(new TooHeavyError(`HTML of ${html.length} characters (limit ${MAX_HTML_CHARS})`));
    const w = this.start();
    const id = this.nextId++;
    return new Promise<SafeHtml>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.fail(new TooHeavyError(`sanitising took over ${this.opts.timeoutMs ?? TIMEOUT_MS} ms`));
      }, this.opts.timeoutMs ?? TIMEOUT_MS);
      this.jobs.set(id, { id, resolve, reject, timer });
      w.ref();
      w.postMessage({ id, html, opts });
    });
  }

  async close(): Promise<void> {
    const w = this.worker;
    this.fail(new Error('the HTML sanitiser was closed'));
    await w?.terminate();
  }

  private start(): Worker {
    if (this.worker) return this.worker;
    const module = import.meta.url.replace(/safe-html-worker\.(ts|js)$/, 'safe-html.$1');
    const tsx = module.endsWith('.ts') ? import.meta.resolve('tsx/esm/api') : undefined;
    const w = new Worker(WORKER_SOURCE, { eval: true, workerData: { module, tsx } });
    w.on('message', (m: { id: number; ok?: SafeHtml; error?: string }) => {
      const job = this.jobs.get(m.id);
      if (!job) return;
      this.jobs.delete(m.id);
      clearTimeout(job.timer);
      if (this.jobs.size === 0) w.unref();
      if (m.ok) job.resolve(m.ok);
      else job.reject(new Error(`HTML sanitiser: ${m.error}`));
    });
    w.on('error', (err) => { if (this.worker === w) this.fail(err); });
    w.on('exit', () => { if (this.worker === w) this.fail(new Error('the HTML sanitiser worker stopped')); });
    this.worker = w;
    return w;
  }

  /** Rejects every pending job and drops the worker (a stuck one is terminated). */
  private fail(err: Error): void {
    const w = this.worker;
    this.worker = undefined;
    for (const job of this.jobs.values()) {
      clearTimeout(job.timer);
      job.reject(err);
    }
    this.jobs.clear();
    if (w) void w.terminate();
  }
}
