/**
 * `youju import --file LIST` (FEATURES A11, manual §2.9.1): migrate mailboxes from other servers over
 * IMAP or POP3. The job is recorded in the store, then run here in the foreground (a progress bar on
 * a terminal, a line per account otherwise); with --background it is left to the running server's
 * import worker. `youju import status [JOB]` shows where a job stands, `youju import jobs` lists
 * them, `youju import resume [JOB]` continues a job whose runner stopped or died, or retries its
 * failed accounts. A rerun of the same list imports only what is new. Exit 1 when an account failed.
 */
import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { SecretBox } from '../auth/secret-box.ts';
import { parseImportList } from '../collect/import/import-list.ts';
import { ImportService, type ImportStatus } from '../collect/import/import-service.ts';
import { MailError } from '../core/errors.ts';
import type { ImportJobId } from '../core/ids.ts';
import type { Runtime } from '../main.ts';
import type { ImportAccount } from '../store/store.ts';
import { nonNegativeInt } from './args.ts';
import { withRuntime, type CommandContext } from './context.ts';
import type { Output } from './output.ts';
import { fields, table } from './output.ts';

const jobId = (v: string) => nonNegativeInt(v) as ImportJobId;

export const importService = (rt: Runtime, parallel?: number): ImportService => new ImportService({
  store: rt.store, users: rt.users, mailboxes: rt.mailboxes, secrets: SecretBox.forDataDir(rt.config.dataDir), clock: rt.clock, parallel,
});

interface ImportFlags { file: string; background?: boolean; insecureTls?: boolean; parallel?: number }

export function registerImport(program: Command): void {
  const imp = program.command('import').description('import mailboxes from other servers (IMAP or POP3)')
    .option('--file <list>', 'accounts, one a line: server account password [local-account]')
    .option('--background', 'only record the job: the running server imports it')
    .option('--insecure-tls', 'accept any certificate from the old servers (self-signed ones)')
    .option('--parallel <n>', 'accounts imported at the same time (default 4)', nonNegativeInt)
    .addHelpText('after', `
server is host or host:port, with an optional scheme: imaps:// (the default, port 993),
imap:// (143, STARTTLS when offered), pop3s:// (995) or pop3:// (110, STLS when offered).
Lines starting with # and blank lines are skipped. Quote a field with spaces: "my pass".`)
    .action((f: ImportFlags, cmd: Command) => {
      if (!f.file) throw new MailError('INVALID_INPUT', 'give the list of accounts with --file LIST (see youju import --help)');
      return withRuntime(cmd, (rt, ctx) => importList(rt, ctx, f));
    });

  imp.command('resume').argument('[job]', 'job id (default: the oldest unfinished one)', jobId)
    .description('continue a job whose runner stopped, or retry its failed accounts')
    .option('--parallel <n>', 'accounts imported at the same time (default 4)', nonNegativeInt)
    .action((id: ImportJobId | undefined, f: { parallel?: number }, cmd: Command) => withRuntime(cmd, async (rt, { out, actor }) => {
      const svc = importService(rt, f.parallel);
      const job = await svc.claim(id, { includeFailed: true });
      if (!job) {
        out.result({ job: null }, () => 'no import job to resume');
        return;
      }
      await rt.store.tx((tx) => tx.audit.write({ actor: actor.who, source: actor.from, action: 'import.resume', target: `job ${job.id}`, details: {} }));
      out.info(`resuming import job ${job.id}`);
      await runInForeground(svc, job.id, out);
    }));

  imp.command('status').argument('[job]', 'job id (default: the newest)', jobId).description('where an import job stands, per account')
    .action((id: ImportJobId | undefined, _f: unknown, cmd: Command) => withRuntime(cmd, async (rt, { out }) => {
      const s = await importService(rt).status(id);
      if (!s) throw new MailError('NOT_FOUND', id === undefined ? 'no import jobs yet' : `no import job ${id}`);
      out.result(s, () => statusText(s));
    }));

  imp.command('jobs').description('recent import jobs')
    .action((_f: unknown, cmd: Command) => withRuntime(cmd, async (rt, { out }) => {
      const jobs = await importService(rt).listJobs();
      out.result(jobs, () => jobs.length === 0 ? 'no import jobs' : table(['JOB', 'STATE', 'CREATED', 'BY', 'RUN BY'],
        jobs.map((j) => [j.id, j.state, when(j.createdAt), j.createdBy, j.leaseOwner ?? '-'])));
    }));
}

async function importList(rt: Runtime, { out, actor }: CommandContext, f: ImportFlags): Promise<void> {
  const text = await readFile(f.file, 'utf8').catch((err: NodeJS.ErrnoException) => {
    throw new MailError('NOT_FOUND', `cannot read ${f.file}: ${err.code ?? err.message}`);
  });
  const lines = parseImportList(text, f.file);
  const svc = importService(rt, f.parallel);
  const job = await svc.create(actor, lines, { verifyTls: !f.insecureTls, hold: !f.background });
  if (f.background) {
    out.result({ job: job.id, accounts: lines.length, state: job.state },
      () => `import job ${job.id} recorded (${lines.length} account${lines.length === 1 ? '' : 's'}): the running server imports it; follow it with \`youju import status ${job.id}\``);
    return;
  }
  out.info(`import job ${job.id}: ${lines.length} account${lines.length === 1 ? '' : 's'}`);
  await runInForeground(svc, job.id, out);
}

/** Runs a job this process holds, drawing progress; Ctrl-C stops it cleanly (resumable). */
async function runInForeground(svc: ImportService, id: ImportJobId, out: Output): Promise<void> {
  const stop = new AbortController();
  const onSignal = () => stop.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const bar = out.json ? undefined : new ProgressView(out);
  let s: ImportStatus;
  try {
    s = await svc.run(id, { signal: stop.signal, onProgress: (a) => bar?.update(a) });
  } finally {
    bar?.end();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
  if (stop.signal.aborted) throw new MailError('CONFLICT', `import job ${id} stopped; continue it with \`youju import resume ${id}\``);
  out.result(s, () => statusText(s));
  const failed = s.accounts.filter((a) => a.state === 'failed');
  if (failed.length > 0) {
    throw new MailError('INTERNAL', `${failed.length} of ${s.accounts.length} accounts failed (line ${failed[0]!.line}: ${failed[0]!.error}); ` +
      `fix and run \`youju import resume ${id}\``);
  }
}

const when = (ms: number | null) => (ms === null ? '-' : new Date(ms).toISOString().slice(0, 19).replace('T', ' '));

function statusText(s: ImportStatus): string {
  const j = s.job;
  const head = fields([['job', j.id], ['state', j.state], ['created', `${when(j.createdAt)} by ${j.createdBy}`],
    ['run by', j.leaseOwner ?? '-'], ['finished', when(j.finishedAt)]]);
  const rows = s.accounts.map((a) => [a.line, a.source, a.address, a.state, `${a.foldersDone}/${a.foldersTotal}`,
    `${a.messagesDone}/${a.messagesTotal}`, a.imported, a.error || '-']);
  return `${head}\n\n${table(['LINE', 'SOURCE', 'ACCOUNT', 'STATE', 'FOLDERS', 'MESSAGES', 'NEW', 'ERROR'], rows)}`;
}

/**
 * Progress for people: on a terminal one bar line redrawn in place (at most 10 times a second) with a
 * line above it per finished account; elsewhere only the per-account lines.
 */
class ProgressView {
  private readonly accounts = new Map<number, ImportAccount>();
  private readonly tty = process.stdout.isTTY === true;
  private last = 0;
  private drawn = false;

  constructor(private readonly out: Output) {}

  update(a: ImportAccount): void {
    this.accounts.set(a.id, a);
    if (a.state === 'done' || a.state === 'failed') {
      this.clear();
      this.out.info(`line ${a.line}: ${a.state === 'done' ? 'done' : 'FAILED'} — ${a.imported} new, ${a.messagesDone}/${a.messagesTotal} messages here` +
        `${a.error ? ` — ${a.error}` : ''}`);
      this.draw(true);
    } else {
      this.draw(false);
    }
  }

  end(): void {
    this.clear();
  }

  private draw(force: boolean): void {
    if (!this.tty || (!force && Date.now() - this.last < 100)) return;
    this.last = Date.now();
    const all = [...this.accounts.values()];
    const total = all.reduce((n, a) => n + a.messagesTotal, 0);
    const done = all.reduce((n, a) => n + a.messagesDone, 0);
    const finished = all.filter((a) => a.state === 'done' || a.state === 'failed').length;
    const ratio = total === 0 ? 0 : Math.min(1, done / total);
    const width = 30;
    const filled = Math.round(ratio * width);
    const running = all.filter((a) => a.state === 'running').map((a) => `line ${a.line} ${a.messagesDone}/${a.messagesTotal}`).join(', ');
    const text = `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${String(Math.floor(ratio * 100)).padStart(3)}%  ` +
      `${done}/${total} messages  ${finished}/${all.length} accounts finished${running ? `  (${running})` : ''}`;
    process.stdout.write(`\r${text.slice(0, Math.max(20, (process.stdout.columns ?? 100) - 1))}\x1b[K`);
    this.drawn = true;
  }

  private clear(): void {
    if (this.drawn) process.stdout.write('\r\x1b[K');
    this.drawn = false;
  }
}
