/**
 * Migration import jobs (FEATURES A11, manual §2.9.1): records a list of accounts as a job, runs it
 * and reports where it stands. Who runs a job is decided by a lease in the store: the CLI that made
 * it (in the foreground, with a progress bar) or, for `--background` jobs and jobs whose runner
 * died, the server's import worker; `youju import resume` takes a job over too. A holder known to
 * be dead (same host, process gone) is taken over at once, any other only when its lease expires.
 * Accounts run a few at a time; one failing (refused login, over quota) never stops the others.
 * Passwords are sealed with auth/secret-box.ts and cleared once their account is done.
 */
import { hostname } from 'node:os';
import type { Clock } from '../../core/clock.ts';
import { MailError } from '../../core/errors.ts';
import type { ImportJobId } from '../../core/ids.ts';
import { recordAudit, type Actor } from '../../directory/actor.ts';
import type { UserService } from '../../directory/users.ts';
import type { MailboxService } from '../../mailbox/mailbox-service.ts';
import type { ImportAccount, ImportJob, NewImportAccount, Store } from '../../store/store.ts';
import type { AccountRun } from './account-import.ts';
import { importImap } from './imap-import.ts';
import type { ImportLine } from './import-list.ts';
import { importPop3 } from './pop3-import.ts';

/** 60 s lease renewed every 15 s: a runner that dies without a trace is replaced within a minute. */
const LEASE_MS = 60_000;

/** Seals passwords at rest (auth/secret-box.ts's SecretBox). */
export interface Sealer {
  encrypt(plain: string): string;
  decrypt(sealed: string): string;
}

export interface ImportServiceDeps {
  store: Store;
  users: UserService;
  mailboxes: MailboxService;
  secrets: Sealer;
  clock: Clock;
  /** Accounts imported at the same time within one job. */
  parallel?: number;
}

export interface ImportStatus {
  job: ImportJob;
  accounts: Array<ImportAccount & { address: string; source: string }>;
}

/** This process, as a lease holder: 'host:pid'. */
export const THIS_RUNNER = `${hostname()}:${process.pid}`;

/** Whether a lease holder is a process on this host that no longer exists. */
export function isDeadHere(owner: string | null): boolean {
  if (!owner) return false;
  const i = owner.lastIndexOf(':');
  if (owner.slice(0, i) !== hostname()) return false;
  const pid = Number(owner.slice(i + 1));
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return false;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

/** 'imaps://bob@old.example.com:993' for people; no password. */
export const describeSource = (a: Pick<ImportAccount, 'protocol' | 'tls' | 'remoteUser' | 'host' | 'port'>): string =>
  `${a.protocol}${a.tls === 'tls' ? 's' : ''}://${a.remoteUser}@${a.host.includes(':') ? `[${a.host}]` : a.host}:${a.port}`;

export class ImportService {
  constructor(private readonly deps: ImportServiceDeps) {}

  /**
   * Records a job for the lines: every local account must exist (an error names the line of each
   * that does not). `hold`: the job starts leased to this process, which then runs it.
   */
  async create(actor: Actor, lines: readonly ImportLine[], opts: { verifyTls: boolean; hold: boolean }): Promise<ImportJob> {
    const accounts: NewImportAccount[] = [];
    const missing: string[] = [];
    for (const l of lines) {
      const address = l.localAccount || l.remoteUser;
      if (!address.includes('@')) {
        missing.push(`line ${l.line}: "${l.remoteUser}" is not an address: give the local account as the fourth field`);
        continue;
      }
      const user = await this.deps.users.byAddress(address);
      if (!user) {
        missing.push(`line ${l.line}: no local account ${address} (add it first: youju user add ${address} --password …)`);
        continue;
      }
      accounts.push({
        line: l.line, protocol: l.protocol, host: l.host, port: l.port, tls: l.tls, verifyTls: opts.verifyTls,
        remoteUser: l.remoteUser, userId: user.id, passwordEnc: this.deps.secrets.encrypt(l.password),
      });
    }
    if (missing.length > 0) {
      const more = missing.length > 1 ? ` (and ${missing.length - 1} more)` : '';
      throw new MailError('NOT_FOUND', `${missing[0]}${more}`, { details: { errors: missing } });
    }
    const now = this.deps.clock.now();
    return this.deps.store.tx(async (tx) => {
      const job = await tx.imports.createJob(
        { createdBy: actor.who, ...(opts.hold ? { leaseOwner: THIS_RUNNER, leaseUntil: now + LEASE_MS } : {}) }, accounts);
      await recordAudit(tx, actor, 'import.create', `job ${job.id}`, {
        accounts: lines.map((l) => ({ line: l.line, source: describeSource(l), local: l.localAccount || l.remoteUser })),
      });
      return job;
    });
  }

  /** A job with its accounts (the newest job when no id is given). */
  async status(id?: ImportJobId): Promise<ImportStatus | undefined> {
    return this.deps.store.read(async (tx) => {
      const job = id === undefined ? (await tx.imports.listJobs({ limit: 1 }))[0] : await tx.imports.getJob(id);
      if (!job) return undefined;
      const accounts = [];
      for (const a of await tx.imports.accounts(job.id)) {
        const user = await tx.users.get(a.userId);
        const domain = user && await tx.domains.get(user.domainId);
        accounts.push({ ...a, address: user && domain ? `${user.localPart}@${domain.name}` : `#${a.userId}`, source: describeSource(a) });
      }
      return { job, accounts };
    });
  }

  listJobs(limit = 20): Promise<ImportJob[]> {
    return this.deps.store.read((tx) => tx.imports.listJobs({ limit }));
  }

  /**
   * Takes a job for this process: the given one, or else the oldest unfinished one nobody live holds
   * (`includeFailed`: failed jobs too, for an explicit resume). NOT_FOUND / CONFLICT say why not.
   */
  async claim(id?: ImportJobId, opts: { includeFailed?: boolean } = {}): Promise<ImportJob | undefined> {
    const now = this.deps.clock.now();
    const states = opts.includeFailed ? ['queued', 'running', 'failed'] as const : ['queued', 'running'] as const;
    const candidates = id !== undefined
      ? [await this.deps.store.read((tx) => tx.imports.getJob(id))]
      : (await this.deps.store.read((tx) => tx.imports.listJobs({ states: [...states] }))).reverse();
    for (const job of candidates) {
      if (!job) throw new MailError('NOT_FOUND', `no import job ${id}`);
      if (job.state === 'done') {
        if (id !== undefined) throw new MailError('CONFLICT', `import job ${id} is already done`);
        continue;
      }
      const dead = isDeadHere(job.leaseOwner) ? job.leaseOwner! : undefined;
      const ok = await this.deps.store.tx((tx) => tx.imports.claimJob(job.id, THIS_RUNNER, now, now + LEASE_MS, dead));
      if (ok) return { ...job, state: 'running', leaseOwner: THIS_RUNNER, leaseUntil: now + LEASE_MS };
      if (id !== undefined) {
        throw new MailError('CONFLICT', `import job ${id} is being run by ${job.leaseOwner} (its lease runs until ${new Date(job.leaseUntil ?? 0).toISOString()})`);
      }
    }
    return undefined;
  }

  /**
   * Runs a job this process holds: every account not done yet, `parallel` at a time, renewing the
   * lease. Resolves with the final status; `signal` stops it cleanly (the lease is let go so another
   * runner can resume at once). `onProgress` gets each account's counters as they move.
   */
  async run(id: ImportJobId, opts: { signal?: AbortSignal; onProgress?: (a: ImportAccount) => void } = {}): Promise<ImportStatus> {
    const { store, clock } = this.deps;
    const stop = new AbortController();
    const onOuterAbort = () => stop.abort(opts.signal?.reason);
    opts.signal?.addEventListener('abort', onOuterAbort);
    const renew = setInterval(() => {
      store.tx((tx) => tx.imports.renewJob(id, THIS_RUNNER, clock.now() + LEASE_MS))
        .then((held) => { if (!held) stop.abort(new MailError('CONFLICT', `lost the lease of import job ${id}`)); })
        .catch(() => undefined);
    }, LEASE_MS / 4);
    try {
      const todo = (await store.read((tx) => tx.imports.accounts(id))).filter((a) => a.state !== 'done');
      for (const a of todo) opts.onProgress?.(a);
      const queue = [...todo];
      const worker = async () => {
        for (let a = queue.shift(); a && !stop.signal.aborted; a = queue.shift()) await this.runAccount(a, stop.signal, opts.onProgress);
      };
      await Promise.all(Array.from({ length: Math.max(1, this.deps.parallel ?? 4) }, worker));
      if (stop.signal.aborted) {
        await store.tx((tx) => tx.imports.releaseJob(id, THIS_RUNNER));
      } else {
        const accounts = await store.read((tx) => tx.imports.accounts(id));
        const state = accounts.every((a) => a.state === 'done') ? 'done' : 'failed';
        await store.tx((tx) => tx.imports.releaseJob(id, THIS_RUNNER, { state, at: clock.now() }));
      }
    } finally {
      clearInterval(renew);
      opts.signal?.removeEventListener('abort', onOuterAbort);
    }
    return (await this.status(id))!;
  }

  private async runAccount(a: ImportAccount, signal: AbortSignal, onProgress?: (a: ImportAccount) => void): Promise<void> {
    const { store, clock } = this.deps;
    const current: ImportAccount = { ...a, state: 'running', error: '', startedAt: a.startedAt ?? clock.now(), messagesDone: 0 };
    await store.tx((tx) => tx.imports.updateAccount(a.id, { state: 'running', error: '', startedAt: current.startedAt, finishedAt: null }));
    onProgress?.({ ...current });
    const run: AccountRun = {
      account: current,
      password: this.deps.secrets.decrypt(await store.read((tx) => tx.imports.accountSecret(a.id))),
      store, mailboxes: this.deps.mailboxes, signal,
      changed: () => onProgress?.({ ...current }),
    };
    try {
      await (a.protocol === 'imap' ? importImap(run) : importPop3(run));
      if (signal.aborted) return;
      Object.assign(current, { state: 'done', finishedAt: clock.now() });
      await store.tx((tx) => tx.imports.updateAccount(a.id, { state: 'done', finishedAt: current.finishedAt, passwordEnc: '' }));
    } catch (err) {
      if (signal.aborted) return;
      Object.assign(current, { state: 'failed', error: (err as Error).message, finishedAt: clock.now() });
      await store.tx((tx) => tx.imports.updateAccount(a.id, { state: 'failed', error: current.error, finishedAt: current.finishedAt }));
    }
    onProgress?.({ ...current });
  }
}
