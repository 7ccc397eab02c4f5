/**
 * The server's import worker (DESIGN §1 "workers"): every pollMs it takes one import job nobody
 * live holds — recorded with `youju import --background` or in the super-domain console (which
 * wakes it at once), or left behind by a runner that died —
 * and runs it to the end. On stop the job in progress is let go at once (lease released) so the
 * next runner resumes it where it stopped. Failed jobs wait for `youju import resume`.
 */
import { DrainLoop } from '../../core/drain-loop.ts';
import type { ImportService } from './import-service.ts';

export class ImportWorker {
  private readonly loop: DrainLoop;
  private stopping = new AbortController();

  constructor(private readonly imports: ImportService, opts: { pollMs?: number; log: (line: string) => void }) {
    this.loop = new DrainLoop(async () => {
      const job = await this.imports.claim();
      if (!job) return 0;
      opts.log(`import job ${job.id}: started`);
      const s = await this.imports.run(job.id, { signal: this.stopping.signal });
      const failed = s.accounts.filter((a) => a.state === 'failed').length;
      opts.log(`import job ${job.id}: ${this.stopping.signal.aborted ? 'stopped' : s.job.state}, ` +
        `${s.accounts.reduce((n, a) => n + a.imported, 0)} messages imported, ${failed} account(s) failed`);
      return 1;
    }, () => opts.pollMs ?? 5000, (err) => opts.log(`import worker: ${(err as Error).message}`));
  }

  private unsubscribe: (() => void) | undefined;

  start(): void {
    this.stopping = new AbortController();
    this.unsubscribe = this.imports.onQueued(() => this.loop.kick());
    this.loop.start();
  }

  async stop(): Promise<void> {
    this.unsubscribe?.();
    this.stopping.abort();
    await this.loop.stop();
  }
}
