/**
 * Webmail API benchmark (issue #12 "Measure"): one INBOX of N messages (default 100,000;
 * `--messages N`), the IMAP benchmark's messages (bench/imap.ts benchMessage: varied senders,
 * subjects and bodies, a fifth in Chinese, 'kumquat' and 发票 each in 1%), written through
 * MailboxService.append before `youju start`, which then indexes them. Then, over HTTP against the
 * started server with a logged-in session: a list page (50 rows sorted by date, newest first, on
 * pages spread over the folder) p50/p95, the conversation view's first page, search p50/p95 per query (rare and common words, English
 * and Chinese, a phrase, an address in From, a filter), and opening a message (random uids)
 * p50/p95. `--runs N` timed requests per figure after 3 warm-ups (default 40).
 */
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadBootConfig } from '../src/config/boot.ts';
import { createLogger } from '../src/core/log/logger.ts';
import { openRuntime, type Runtime } from '../src/main.ts';
import { startYoujuProcess, youju } from '../test/helpers/cli.ts';
import { freePort, PASSWORD } from '../test/helpers/server.ts';
import { launchBrowser, noBrowser } from '../test/helpers/browser.ts';
import { WebClient } from '../test/helpers/web.ts';
import { benchMessage } from './imap.ts';
import { messageCount, option } from './options.ts';

const ADDRESS = 'bench@bench.test';
const WARMUP = 3;

const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
const crlf = (b: Buffer): Buffer => Buffer.from(b.toString('latin1').replace(/\n/g, '\r\n'), 'latin1');

/** Runs fn(0..n-1) on `width` workers. */
async function forEachIndex(n: number, width: number, fn: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: width }, async () => {
    for (let i = next++; i < n; i = next++) await fn(i);
  }));
}

/** p50/p95 of `runs` requests (after warm-ups); path(i) varies the request. Fails on any answer but 200. */
async function timed(c: WebClient, runs: number, path: (i: number) => string): Promise<{ p50: number; p95: number; last: any }> {
  const ms: number[] = [];
  let last: any;
  for (let i = 0; i < WARMUP + runs; i++) {
    const t0 = performance.now();
    const r = await c.get(path(i));
    const took = performance.now() - t0;
    if (r.status !== 200) throw new Error(`${path(i)}: ${r.status} ${r.text.slice(0, 200)}`);
    if (i >= WARMUP) ms.push(took);
    last = r.json;
  }
  ms.sort((a, b) => a - b);
  return { p50: pct(ms, 50), p95: pct(ms, 95), last };
}

const figure = (what: string, f: { p50: number; p95: number }, extra = '') =>
  console.log(`web: ${what.padEnd(44)} p50 ${f.p50.toFixed(1).padStart(6)} ms, p95 ${f.p95.toFixed(1).padStart(6)} ms${extra}`);

/**
 * The app's first load in Debian's chromium (a fresh profile, nothing cached): the bytes of JS over
 * the wire (compressed) until the login page shows, and the time from the login click until the
 * inbox's rows are visible. Three runs; the median.
 */
async function firstLoad(base: string): Promise<void> {
  if (noBrowser()) { console.log('web: first load skipped (no /usr/bin/chromium)'); return; }
  const loads: Array<{ kb: number; files: number; loginMs: number; inboxMs: number }> = [];
  for (let i = 0; i < 3; i++) {
    const b = await launchBrowser();
    try {
      const js: Array<Promise<number>> = [];
      b.page.on('response', (r) => { if (r.url().endsWith('.js')) js.push(r.request().sizes().then((z) => z.responseBodySize)); });
      const t0 = performance.now();
      await b.page.goto(`${base}/webmail/`);
      await b.page.getByLabel('邮箱地址', { exact: true }).waitFor();
      const loginMs = performance.now() - t0;
      const sizes = await Promise.all(js.splice(0));
      await b.page.getByLabel('邮箱地址', { exact: true }).fill(ADDRESS);
      await b.page.getByLabel('密码', { exact: true }).fill(PASSWORD);
      const t1 = performance.now();
      await b.page.getByRole('button', { name: '登录' }).click();
      await b.page.getByRole('row').nth(1).waitFor();
      loads.push({ kb: sizes.reduce((a, x) => a + x, 0) / 1024, files: sizes.length, loginMs, inboxMs: performance.now() - t1 });
    } finally {
      await b.close();
    }
  }
  loads.sort((a, b) => a.inboxMs - b.inboxMs);
  const m = loads[1]!;
  console.log(`web: first load in chromium: login page ${m.loginMs.toFixed(0)} ms, ${m.files} JS files, ${m.kb.toFixed(1)} KB of JS over the wire; `
    + `inbox rows visible ${m.inboxMs.toFixed(0)} ms after the login click (median of 3; targets: JS ≤ 400 KB, inbox ≤ 1.5 s)`);
}

export async function run(): Promise<void> {
  const n = messageCount(100_000);
  const runs = option('runs', 40);
  const dir = await mkdtemp(join(tmpdir(), 'youju-bench-web-'));
  let server: ChildProcess | undefined;
  let rt: Runtime | undefined;
  try {
    const data = join(dir, 'data');
    const port = await freePort();
    const cfg = join(dir, 'youju.json');
    await writeFile(cfg, JSON.stringify({ hostname: 'mx.bench.test', listen: '127.0.0.1',
      ports: { smtp: 0, submission: 0, smtps: 0, imap: 0, imaps: 0, pop3: 0, pop3s: 0, http: port, https: 0, admin: 0 } }));
    const init = youju(['--data', data, '--config', cfg, 'init', '--domain', 'bench.test']);
    if (init.code !== 0) throw new Error(`youju init: ${init.stderr}`);
    rt = await openRuntime(loadBootConfig({ dataDir: data, file: cfg, env: {} }), { logger: createLogger({ level: 'silent' }) });
    const user = await rt.users.add({ who: 'bench', from: 'bench', role: { kind: 'system' } }, ADDRESS, { password: PASSWORD });

    // Load through the append path (blob, summary, row), 32 at a time so commits are shared.
    let t0 = performance.now();
    const mailboxes = rt.mailboxes;
    await forEachIndex(n, 32, async (i) => {
      const m = benchMessage(i, n);
      await mailboxes.append(user.id, 'INBOX', { raw: crlf(m.text), flags: m.flags, internalDate: m.internalDate });
    });
    let secs = (performance.now() - t0) / 1000;
    console.log(`web: loaded ${n} messages through MailboxService.append in ${secs.toFixed(1)} s (${Math.round(n / secs)} msg/s)`);

    t0 = performance.now();
    server = await startYoujuProcess(data, cfg);
    while ((await rt.store.read((tx) => tx.fulltext.pending(1))).length > 0) await new Promise((r) => setTimeout(r, 250));
    secs = (performance.now() - t0) / 1000;
    console.log(`web: youju start + full-text indexing: ${secs.toFixed(1)} s (${Math.round(n / secs)} msg/s)`);

    const c = new WebClient(`http://127.0.0.1:${port}`);
    const login = await c.login(ADDRESS, PASSWORD);
    if (login.status !== 200) throw new Error(`login: ${login.status} ${login.text}`);
    const inbox = (await c.get('/api/folders')).json.folders.find((f: { name: string }) => f.name === 'INBOX').id as number;
    const pages = Math.max(1, Math.floor(n / 50));

    figure('list, first page (50 by date, newest first)', await timed(c, runs, () => `/api/folders/${inbox}/messages?pageSize=50`));
    figure('list, pages spread over the folder', await timed(c, runs, (i) => `/api/folders/${inbox}/messages?pageSize=50&page=${1 + ((i * 7919) % pages)}`));
    figure('conversation list, first page (50, newest)', await timed(c, runs, () => `/api/folders/${inbox}/conversations?pageSize=50`));

    const searches: Array<[string, string]> = [
      ['kumquat (English, in 1%)', 'q=kumquat'],
      ['发票 (Chinese, in 1%)', `q=${encodeURIComponent('发票')}`],
      ['budget (English, common)', 'q=budget'],
      ['季度 (Chinese, common)', `q=${encodeURIComponent('季度')}`],
      ['季度报告 (Chinese phrase)', `q=${encodeURIComponent('季度报告')}`],
      ['"kumquat shipment" (two words)', `q=${encodeURIComponent('kumquat shipment')}`],
      ['wang.fang in From', 'q=wang.fang&field=from'],
      ['meeting in Subject', 'q=meeting&field=subject'],
      ['invoice, unread only', 'q=invoice&unread=true'],
    ];
    const all: number[] = [];
    for (const [what, q] of searches) {
      const f = await timed(c, runs, () => `/api/search?${q}`);
      all.push(f.p95);
      figure(`search ${what}`, f, `  (${f.last.total}${f.last.more ? '+' : ''} hits)`);
    }
    console.log(`web: search p95, worst of the queries above: ${Math.max(...all).toFixed(1)} ms`);

    figure('open a message (random uid)', await timed(c, runs, (i) => `/api/folders/${inbox}/messages/${1 + ((i * 104729) % n)}`));
    await firstLoad(`http://127.0.0.1:${port}`);
  } finally {
    if (server && server.exitCode === null && server.signalCode === null) {
      const exited = new Promise((r) => server!.once('exit', r));
      server.kill('SIGTERM');
      await exited;
    }
    await rt?.close();
    await rm(dir, { recursive: true, force: true });
  }
}
