/**
 * Migration import jobs (FEATURES A11, manual §2.9.1): records a list of accounts as a job, runs it
 * and reports where it stands. Who runs a job is decided by a lease in the store: the CLI that made
 * it (in the foreground, with a progress bar) or, for `--background` jobs and jobs whose runner
 * died, the server's import worker; `youju import resume` takes a job over too. A holder known to
 * be dead (same host, process gone) is taken over at once, any other only when its lease expires.
 * Accounts run a few at a time; one failing (refused login, over quota) never stops the others.
 * Passwords are sealed with auth/secret-box.ts and cleared once their account is done; no view here
 * carries them. The super-domain console starts jobs (startFromConsole: its source hosts pass the SSRF
 * rule of host-guard.ts), follows their progress and cancels them.
 */
import { hostname } from 'node:os';
import type { Clock } from '../../core/clock.ts';
import { MailError } from '../../core/errors.ts';
import type { ImportJobId } from '../../core/ids.ts';
import { recordAudit, type Actor } from '../../directory/actor.ts';
import { requireSuper } from '../../directory/super-admin.ts';
import type { UserService } from '../../directory/users.ts';
import type { MailboxService } from '../../mailbox/mailbox-service.ts';
import type { ImportAccount, ImportJob, NewImportAccount, Store } from '../../store/store.ts';
import type { AccountRun } from './account-import.ts';
import { importImap } from './imap-import.ts';
import { accountKey, checkAccountFields, parseServer, splitFields, type ImportLine } from './import-list.ts';
import { resolvePublicHost } from '../host-guard.ts';
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
  /** collect.allowPrivateHosts: whether jobs made in the web console may reach private hosts (CLI jobs always may). */
  allowPrivateHosts?: () => boolean;
}

/** The import form of the super-domain console: one source server, accounts as the CLI's list lines take them. */
export interface ConsoleImportInput {
  protocol: 'imap' | 'pop3';
  host: string;
  port: number;
  tls: 'tls' | 'starttls';
  verifyTls: boolean;
  /** One account a line: `account password [local-account]` (quotes as in the CLI's list). */
  accounts: string;
}

/** A job as the console shows it: counters summed over its accounts; never a password. */
export interface ImportJobView {
  id: number;
  state: ImportJob['state'];
  createdAt: number;
  createdBy: string;
  startedAt: number | null;
  finishedAt: number | null;
  totals: { accounts: number; done: number; failed: number; foldersDone: number; foldersTotal: number; messagesDone: number; messagesTotal: number; imported: number; bytes: number };
  accounts: Array<Pick<ImportAccount, 'line' | 'state' | 'error' | 'foldersDone' | 'foldersTotal' | 'messagesDone' | 'messagesTotal' | 'imported' | 'bytes'> & { address: string; source: string }>;
}

/** A job's view from its status. */
export function jobView(s: ImportStatus): ImportJobView {
  const t = { accounts: s.accounts.length, done: 0, failed: 0, foldersDone: 0, foldersTotal: 0, messagesDone: 0, messagesTotal: 0, imported: 0, bytes: 0 };
  for (const a of s.accounts) {
    if (a.state === 'done') t.done++;
    if (a.state === 'failed') t.failed++;
    t.foldersDone += a.foldersDone; t.foldersTotal += a.foldersTotal; t.messagesDone += a.messagesDone;
    t.messagesTotal += a.messagesTotal; t.imported += a.imported; t.bytes += a.bytes;
  }
  const { job } = s;
  return {
    id: job.id, state: job.state, createdAt: job.createdAt, createdBy: job.createdBy, startedAt: job.startedAt, finishedAt: job.finishedAt, totals: t,
    accounts: s.accounts.map((a) => ({
      line: a.line, address: a.address, source: a.source, state: a.state, error: a.error, foldersDone: a.foldersDone, foldersTotal: a.foldersTotal,
      messagesDone: a.messagesDone, messagesTotal: a.messagesTotal, imported: a.imported, bytes: a.bytes,
    })),
  };
}

/** Accounts one console job may hold. */
export const MAX_CONSOLE_ACCOUNTS = 1000;

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
  /** Jobs this process runs now, so a cancel here stops them at once (elsewhere: at the next lease renewal). */
  readonly #running = new Map<number, AbortController>();
  readonly #queuedListeners = new Set<() => void>();

  constructor(private readonly deps: ImportServiceDeps) {}

  /** The server's import worker listens: a job made in the console starts without waiting for the next poll. */
  onQueued(listener: () => void): () => void {
    this.#queuedListeners.add(listener);
    return () => this.#queuedListeners.delete(listener);
  }

  /**
   * 邮件数据导入 from the super-domain console (manual §2.9.1): a job for one source server and the
   * account lines, left to the server's import worker. The source host passes the SSRF rule
   * (collect/host-guard.ts) unless collect.allowPrivateHosts. Throws INVALID_INPUT naming the field
   * ('host', 'accounts' with each bad line), NOT_FOUND for missing local accounts, FORBIDDEN for
   * anyone but the super admin.
   */
  async startFromConsole(actor: Actor, input: ConsoleImportInput): Promise<ImportJobView> {
    requireSuper(actor, 'imports mail');
    const bad = (field: string, message: string, details: Record<string, unknown> = {}) =>
      new MailError('INVALID_INPUT', `${field}: ${message}`, { details: { field, ...details } });
    let server: ReturnType<typeof parseServer>;
    try {
      server = parseServer(`${input.host.includes(':') && !input.host.startsWith('[') ? `[${input.host}]` : input.host}:${input.port}`);
    } catch (err) {
      throw bad('host', (err as Error).message);
    }
    if (!(this.deps.allowPrivateHosts?.() ?? false)) {
      await resolvePublicHost(server.host).catch((err: NodeJS.ErrnoException) => {
        throw bad('host', err.code === 'EPRIVATEHOST' ? err.message : `cannot resolve ${server.host}: ${err.code ?? err.message}`);
      });
    }
    const lines: ImportLine[] = [];
    const errors: string[] = [];
    for (const [i, raw] of input.accounts.split(/\r?\n/).entries()) {
      const text = raw.trim();
      if (text === '' || text.startsWith('#')) continue;
      try {
        const f = splitFields(text);
        if (f.length < 2 || f.length > 3) throw new Error(`expected "account password [local-account]", found ${f.length} field${f.length === 1 ? '' : 's'}`);
        const [remoteUser, password, localAccount = ''] = f as [string, string, string?];
        checkAccountFields(remoteUser, password, localAccount);
        const line: ImportLine = { line: i + 1, protocol: input.protocol, tls: input.tls, host: server.host, port: server.port, remoteUser, password, localAccount };
        const first = lines.find((l) => accountKey(l) === accountKey(line));
        if (first) throw new Error(`the same account as line ${first.line}`);
        lines.push(line);
      } catch (err) {
        errors.push(`line ${i + 1}: ${(err as Error).message}`);
      }
    }
    if (errors.length > 0) throw bad('accounts', errors[0]! + (errors.length > 1 ? ` (and ${errors.length - 1} more)` : ''), { errors });
    if (lines.length === 0) throw bad('accounts', 'no accounts');
    if (lines.length > MAX_CONSOLE_ACCOUNTS) throw bad('accounts', `at most ${MAX_CONSOLE_ACCOUNTS} accounts in one job`);
    const job = await this.create(actor, lines, { verifyTls: input.verifyTls, hold: false });
    for (const l of this.#queuedListeners) l();
    return jobView((await this.status(job.id))!);
  }

  /** The newest jobs with their progress (super admin). */
  async consoleJobs(actor: Actor, limit = 50): Promise<ImportJobView[]> {
    requireSuper(actor, 'imports mail');
    const out: ImportJobView[] = [];
    for (const j of await this.listJobs(limit)) {
      const s = await this.status(j.id);
      if (s) out.push(jobView(s));
    }
    return out;
  }

  /** One job with its progress (super admin); NOT_FOUND when there is none. */
  async consoleJob(actor: Actor, id: ImportJobId): Promise<ImportJobView> {
    requireSuper(actor, 'imports mail');
    const s = await this.status(id);
    if (!s) throw new MailError('NOT_FOUND', `no import job ${id}`);
    return jobView(s);
  }

  /**
   * Cancels a queued or running job: its runner here stops at once, one elsewhere at its next lease
   * renewal (15 s); messages already imported stay. CONFLICT when the job has ended already.
   */
  async cancel(actor: Actor, id: ImportJobId): Promise<ImportJobView> {
    requireSuper(actor, 'imports mail');
    const now = this.deps.clock.now();
    await this.deps.store.tx(async (tx) => {
      const job = await tx.imports.getJob(id);
      if (!job) throw new MailError('NOT_FOUND', `no import job ${id}`);
      if (!(await tx.imports.cancelJob(id, now))) throw new MailError('CONFLICT', `import job ${id} is ${job.state}: only a queued or running job can be cancelled`);
      await recordAudit(tx, actor, 'import.cancel', `job ${id}`, { was: job.state });
    });
    this.#running.get(id)?.abort(new MailError('CONFLICT', `import job ${id} was cancelled`));
    return jobView((await this.status(id))!);
  }

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
      if (job.state === 'done' || job.state === 'cancelled') {
        if (id !== undefined) throw new MailError('CONFLICT', `import job ${id} is already ${job.state}`);
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
    this.#running.set(id, stop);
    const job = await store.read((tx) => tx.imports.getJob(id));
    // Jobs an administrator made in the web console keep to public hosts (the SSRF rule); the
    // server's own operator (CLI) may name a private one. A job that cannot be read keeps to public hosts.
    const allowPrivateHosts = (job !== undefined && !job.createdBy.startsWith('admin:')) || (this.deps.allowPrivateHosts?.() ?? false);
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
        for (let a = queue.shift(); a && !stop.signal.aborted; a = queue.shift()) await this.runAccount(a, stop.signal, allowPrivateHosts, opts.onProgress);
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
      this.#running.delete(id);
      clearInterval(renew);
      opts.signal?.removeEventListener('abort', onOuterAbort);
    }
    return (await this.status(id))!;
  }

  private async runAccount(a: ImportAccount, signal: AbortSignal, allowPrivateHosts: boolean, onProgress?: (a: ImportAccount) => void): Promise<void> {
    const { store, clock } = this.deps;
    const current: ImportAccount = { ...a, state: 'running', error: '', startedAt: a.startedAt ?? clock.now(), messagesDone: 0 };
    await store.tx((tx) => tx.imports.updateAccount(a.id, { state: 'running', error: '', startedAt: current.startedAt, finishedAt: null }));
    onProgress?.({ ...current });
    const run: AccountRun = {
      account: current,
      password: this.deps.secrets.decrypt(await store.read((tx) => tx.imports.accountSecret(a.id))),
      store, mailboxes: this.deps.mailboxes, signal, allowPrivateHosts,
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
