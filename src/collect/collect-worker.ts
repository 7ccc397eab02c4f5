/**
 * Runs the collectors: every collect.intervalMin minutes (0 = only on demand) and on demand
 * (runAll / runAccount, used by `youju pop-account collect` and `youju domainpop collect`), at most
 * collect.maxSessions POP3 sessions at once across MultiPOP and DomainPOP. Each run holds the
 * account's lease in the store, so two nodes or the CLI and the server never run one account
 * together; the run's outcome (error, counts, time) is recorded on the account. MultiPOP mail goes
 * to the account's owner; DomainPOP mail is routed by domainpop-route.ts. Session logs: multipop,
 * domainpop (never a password).
 */
import { createHash } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { isAbsolute, join } from 'node:path';
import type { Settings } from '../config/settings.ts';
import type { PopAccountId } from '../core/ids.ts';
import type { SessionLogs } from '../core/log/session-log.ts';
import type { Resolver } from '../directory/resolve.ts';
import type { QueueService } from '../queue/queue.ts';
import type { PopAccount } from '../store/store.ts';
import { collectAccount, type CollectOptions, type CollectorDeps, type RunResult } from './collector.ts';
import { routeMessage, type RouteLookups } from './domainpop-route.ts';

export interface CollectWorkerDeps extends CollectorDeps {
  queue: Pick<QueueService, 'prepare' | 'enqueue' | 'wake' | 'submit'>;
  settings: () => Readonly<Settings>;
  resolver: Pick<Resolver, 'resolveRecipient'>;
  sessionLogs?: SessionLogs;
  /** Where a relative domainpop.archiveDir lives. */
  dataDir?: string;
}

export type AccountOutcome = RunResult | { skipped: 'busy' | 'disabled' | 'missing' };

/** A run holds its account this long at most (a longer one may be joined by another node). */
const LEASE_MS = 30 * 60_000;

export class CollectWorker {
  private timer: NodeJS.Timeout | undefined;
  private active = 0;
  private readonly waiters: Array<() => void> = [];
  private readonly running = new Set<Promise<unknown>>();
  private stopped = false;

  constructor(private readonly deps: CollectWorkerDeps) {}

  /** Starts the schedule: the first run one interval after start. */
  start(): void {
    this.stopped = false;
    this.schedule();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await Promise.allSettled([...this.running]);
  }

  /** Runs every enabled account (MultiPOP and DomainPOP) now, within the session limit. */
  async runAll(): Promise<Array<{ account: PopAccount; outcome: AccountOutcome }>> {
    const accounts = (await this.deps.store.read((tx) => tx.popAccounts.list())).filter((a) => a.enabled);
    return Promise.all(accounts.map(async (account) => ({ account, outcome: await this.runAccount(account.id, true) })));
  }

  /** Runs one account now (even when disabled, if `onlyEnabled` is false). */
  runAccount(id: PopAccountId, onlyEnabled = false): Promise<AccountOutcome> {
    const p = this.run(id, onlyEnabled);
    this.running.add(p);
    void p.finally(() => this.running.delete(p));
    return p;
  }

  private schedule(): void {
    if (this.stopped) return;
    const minutes = this.deps.settings().collect.intervalMin;
    // 0 = on demand only: look at the setting again in a minute.
    this.timer = setTimeout(() => {
      const pass = minutes > 0 ? this.runAll().then(() => undefined) : Promise.resolve();
      const tracked = pass.catch(() => undefined).finally(() => { this.running.delete(tracked); this.schedule(); });
      this.running.add(tracked);
    }, (minutes > 0 ? minutes : 1) * 60_000);
    this.timer.unref();
  }

  private async run(id: PopAccountId, onlyEnabled: boolean): Promise<AccountOutcome> {
    await this.acquire();
    try {
      const { store, clock } = this.deps;
      const account = await store.read((tx) => tx.popAccounts.get(id));
      if (!account) return { skipped: 'missing' };
      if (onlyEnabled && !account.enabled) return { skipped: 'disabled' };
      const claimedAt = clock.now();
      if (!(await store.tx((tx) => tx.popAccounts.claim(id, claimedAt, LEASE_MS)))) return { skipped: 'busy' };
      const log = this.deps.sessionLogs?.open(account.kind === 'domain' ? 'domainpop' : 'multipop', { ip: account.host, port: account.port });
      // A long run (a large DomainPOP box) keeps its lease: moved on every third of it.
      let leaseUntil = claimedAt + LEASE_MS;
      const keepLease = setInterval(() => {
        const until = clock.now() + LEASE_MS;
        void store.tx((tx) => tx.popAccounts.renew(id, leaseUntil, until))
          .then((held) => { if (held) leaseUntil = until; else log?.note('lost the account\'s lease to another run'); })
          .catch((err) => log?.note(`lease not renewed: ${String((err as Error).message ?? err)}`));
      }, LEASE_MS / 3);
      keepLease.unref();
      let result: RunResult;
      try {
        const options = account.kind === 'domain' ? await this.domainOptions(account) : await this.userOptions(account);
        result = typeof options === 'string'
          ? { fetched: 0, deleted: 0, duplicates: 0, large: 0, error: options }
          : await collectAccount(this.deps, account, { ...options, log: (l) => log?.note(l) });
      } catch (err) {
        result = { fetched: 0, deleted: 0, duplicates: 0, large: 0, error: String((err as Error)?.message ?? err) };
      }
      clearInterval(keepLease);
      await store.tx((tx) => tx.popAccounts.finishRun(id, { at: clock.now(), error: result.error, fetched: result.fetched }));
      log?.note(`run done: ${result.fetched} collected, ${result.deleted} deleted on the server${result.error ? `; error: ${result.error}` : ''}`);
      await log?.close();
      return result;
    } finally {
      this.release();
    }
  }

  private common(): Pick<CollectOptions, 'timeoutMs' | 'verifyCertificates' | 'allowPrivateHosts'> {
    const c = this.deps.settings().collect;
    return { timeoutMs: c.timeoutSec * 1000, verifyCertificates: c.verifyCertificates, allowPrivateHosts: c.allowPrivateHosts };
  }

  /** MultiPOP: everything goes to the owner, who must be able to receive. A string is why not to run. */
  private async userOptions(a: PopAccount): Promise<CollectOptions | string> {
    const owner = await this.deps.store.read(async (tx) => {
      const user = a.userId === null ? undefined : await tx.users.get(a.userId);
      const domain = user && (await tx.domains.get(user.domainId));
      return user && domain ? { address: `${user.localPart}@${domain.name}`, status: user.status } : undefined;
    });
    if (!owner) return 'the account has no owner';
    if (owner.status !== 'active') return `owner ${owner.address} is ${owner.status}`;
    return {
      ...this.common(), via: 'multipop', maxMessageBytes: this.deps.settings().collect.maxMessageBytes,
      route: async () => ({ recipients: [owner.address] }),
      archiveCopy: () => {
        // S3 archiving (contentFilter.archive): mail collected by MultiPOP is incoming mail, archived when includeMultiPop.
        const ar = this.deps.settings().contentFilter.archive;
        if (!ar.enabled || !ar.includeMultiPop || ar.direction === 'out' || ar.addresses.length === 0) return undefined;
        return { to: [...ar.addresses], ...(ar.tagSubject && ar.subjectTag ? { subjectTag: ar.subjectTag } : {}) };
      },
    };
  }

  /** DomainPOP: routed by headers, with the duplicate check and the size limit of the domainpop settings. */
  private async domainOptions(a: PopAccount): Promise<CollectOptions> {
    const s = this.deps.settings().domainpop;
    const defaultDomain = await this.defaultDomain();
    await this.deps.store.tx((tx) => tx.popAccounts.pruneMessageIds(a.id, this.deps.clock.now() - s.messageIdDays * 86_400_000));
    const lookups: RouteLookups = {
      localAddress: async (address) => {
        const r = await this.deps.resolver.resolveRecipient(address).catch(() => undefined);
        return r?.kind === 'local' ? address : undefined;
      },
      matchName: async (localPart, name) => (defaultDomain ? this.matchName(defaultDomain, localPart, name) : undefined),
      postmaster: async () => `postmaster@${defaultDomain ?? this.deps.hostname}`,
    };
    return {
      ...this.common(), via: 'domainpop', maxMessageBytes: s.maxMessageBytes, smallFirst: s.smallFirst,
      archive: s.archiveDir === '' ? undefined : (raw, uid) => this.archive(s.archiveDir, raw, uid),
      route: async (raw) => {
        const r = await routeMessage(raw, s, lookups);
        return { recipients: r.recipients, messageId: s.dedupeMessageId ? r.messageId : undefined };
      },
      onLarge: async (size, what) => {
        if (s.warnPostmasterLarge) {
          const to = await lookups.postmaster();
          const text = `A DomainPOP message was not collected: ${what} is ${size} bytes, over domainpop.maxMessageBytes (${s.maxMessageBytes}).`
            + (s.deleteLarge ? ' It was deleted from the DomainPOP host.' : ' It stays on the DomainPOP host.');
          const raw = Buffer.from(`From: Youju <postmaster@${defaultDomain ?? this.deps.hostname}>\r\nTo: <${to}>\r\nSubject: DomainPOP: large message not collected\r\n`
            + `Date: ${new Date(this.deps.clock.now()).toUTCString()}\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n${text}\r\n`);
          await this.deps.queue.submit({ sender: '', recipients: [to], raw, meta: { collectedBy: 'domainpop', largeWarning: true } });
        }
        return s.deleteLarge;
      },
    };
  }

  /** DIR/YYYY-MM-DD/<ms>-<hash of the UIDL>.eml: sorted by day and time, unique per message. */
  private async archive(dirSetting: string, raw: Buffer, uid: string): Promise<void> {
    const now = this.deps.clock.now();
    const base = isAbsolute(dirSetting) ? dirSetting : join(this.deps.dataDir ?? '.', dirSetting);
    const day = join(base, new Date(now).toISOString().slice(0, 10));
    await mkdir(day, { recursive: true });
    const name = `${now}-${createHash('sha256').update(uid).digest('hex').slice(0, 16)}.eml`;
    await writeFile(join(day, name), raw, { flag: 'wx' }).catch((err: NodeJS.ErrnoException) => {
      if (err.code !== 'EEXIST') throw err;
    });
  }

  /** The default domain that `youju init` recorded (cli/init.ts, scope 'system'). */
  private async defaultDomain(): Promise<string | undefined> {
    const v = await this.deps.store.read((tx) => tx.settings.get('system', 'defaultDomain'));
    return typeof v === 'string' ? v : undefined;
  }

  private async matchName(domainName: string, localPart: string, name: string): Promise<string | undefined> {
    return this.deps.store.read(async (tx) => {
      const domain = await tx.domains.byName(domainName);
      if (!domain) return undefined;
      const byPart = await tx.users.byAddress(domain.id, localPart.toLowerCase());
      if (byPart?.status === 'active') return `${byPart.localPart}@${domain.name}`;
      if (name === '') return undefined;
      const byName = (await tx.users.list({ domainId: domain.id, search: name, status: 'active', limit: 50 }))
        .filter((u) => u.realName.toLowerCase() === name.toLowerCase());
      return byName.length === 1 ? `${byName[0]!.localPart}@${domain.name}` : undefined;
    });
  }

  private async acquire(): Promise<void> {
    while (this.active >= this.deps.settings().collect.maxSessions) await new Promise<void>((r) => this.waiters.push(r));
    this.active++;
  }

  private release(): void {
    this.active--;
    this.waiters.shift()?.();
  }
}
