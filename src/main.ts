/**
 * The composition root: the only file that names concrete backends. It opens the store and blob
 * store the boot config asks for, builds the services over them, and (in `startServer`) runs the
 * long-lived roles: protocol listeners (later issues), the blob GC and the settings reloader.
 * The CLI opens a Runtime for every command, so commands and the server share one code path.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { BootConfig } from './config/boot.ts';
import { SettingsService } from './config/settings.ts';
import { systemClock, type Clock } from './core/clock.ts';
import { createLogger, type Logger } from './core/log/logger.ts';
import { SessionLogs } from './core/log/session-log.ts';
import { AdminService } from './directory/admins.ts';
import { AliasService } from './directory/aliases.ts';
import { DomainService } from './directory/domains.ts';
import { ListService } from './directory/lists.ts';
import { OrgService } from './directory/orgs.ts';
import { Resolver } from './directory/resolve.ts';
import { UserService } from './directory/users.ts';
import { QueueManager } from './queue/manager.ts';
import { QueueService } from './queue/queue.ts';
import type { BlobStore } from './store/blob-store.ts';
import { collectBlobs } from './store/blob-gc.ts';
import { PgBlobStore } from './store/blob/pg-blob-store.ts';
import { SqliteBlobStore } from './store/blob/sqlite-blob-store.ts';
import { PostgresStore } from './store/postgres/postgres-store.ts';
import { SqliteStore } from './store/sqlite/sqlite-store.ts';
import type { Store } from './store/store.ts';

export interface Runtime {
  config: BootConfig;
  store: Store;
  blobs: BlobStore;
  clock: Clock;
  logger: Logger;
  settings: SettingsService;
  domains: DomainService;
  users: UserService;
  aliases: AliasService;
  lists: ListService;
  orgs: OrgService;
  admins: AdminService;
  resolver: Resolver;
  queue: QueueService;
  queueManager: QueueManager;
  close(): Promise<void>;
}

/** The settings key that marks a data store as initialised (first-run set-up done). */
export const INITIALISED_KEY = 'system.initialisedAt';
export const DEFAULT_DOMAIN_KEY = 'system.defaultDomain';

export async function openStores(config: BootConfig, clock: Clock = systemClock): Promise<{ store: Store; blobs: BlobStore }> {
  if (config.store.kind === 'postgres') {
    const url = config.store.url!;
    const store = await PostgresStore.open({ url, now: clock.now });
    try {
      return { store, blobs: await PgBlobStore.open({ url, now: clock.now }) };
    } catch (err) {
      await store.close();
      throw err;
    }
  }
  const store = await SqliteStore.open({ path: join(config.dataDir, 'meta.db'), now: clock.now });
  return { store, blobs: await SqliteBlobStore.open({ dir: join(config.dataDir, 'blobs'), now: clock.now }) };
}

/** Whether the embedded store exists yet (a PostgreSQL store is checked by isInitialised instead). */
export const hasEmbeddedStore = (config: BootConfig): boolean =>
  config.store.kind !== 'sqlite' || existsSync(join(config.dataDir, 'meta.db'));

export async function openRuntime(config: BootConfig, opts: { clock?: Clock; logger?: Logger; pollSettingsMs?: number } = {}): Promise<Runtime> {
  const clock = opts.clock ?? systemClock;
  const logger = opts.logger ?? createLogger({ level: config.log.level });
  const { store, blobs } = await openStores(config, clock);
  const settings = await SettingsService.open({
    load: () => store.read((tx) => tx.settings.all('')),
    save: (key, value) => store.tx((tx) => tx.settings.set('', key, value)),
    version: () => store.read((tx) => tx.settings.version()),
  }, { pollMs: opts.pollSettingsMs ?? 0, warn: (m) => logger.warn(m) });
  const queue = new QueueService(store, blobs, clock);
  return {
    config, store, blobs, clock, logger, settings, queue,
    queueManager: new QueueManager(store, blobs, queue, clock, config.hostname),
    domains: new DomainService(store, clock),
    users: new UserService(store, clock, { keepCramSecret: () => settings.current().security.cramMd5Enabled }),
    aliases: new AliasService(store, clock),
    lists: new ListService(store, clock),
    orgs: new OrgService(store, clock),
    admins: new AdminService(store, clock),
    resolver: new Resolver(store, clock),
    async close() {
      settings.close();
      await store.close();
      await blobs.close();
    },
  };
}

export interface Server {
  stop(): Promise<void>;
}

/** Runs the long-lived roles until stop(). Protocol listeners join here as their issues land. */
export async function startServer(rt: Runtime): Promise<Server> {
  const sessionLogs = new SessionLogs({ dir: join(rt.config.dataDir, 'logs'), clock: rt.clock });
  const system = sessionLogs.open('system', { ip: '127.0.0.1' });
  system.note(`Youju starting on ${rt.config.hostname} (store: ${rt.store.kind})`);

  // Nightly-ish housekeeping: blob GC every 6 hours, first run 10 minutes after start.
  let gcRunning = false;
  const gc = async () => {
    if (gcRunning) return;
    gcRunning = true;
    try {
      const r = await collectBlobs(rt.store, rt.blobs, { now: rt.clock.now });
      system.note(`blob GC: ${r.released} released and ${r.orphans} orphan blobs removed`);
    } catch (err) {
      rt.logger.error({ err }, 'blob GC failed');
    } finally {
      gcRunning = false;
    }
  };
  const gcFirst = setTimeout(gc, 10 * 60_000);
  const gcTimer = setInterval(gc, 6 * 3600_000);
  gcFirst.unref();
  gcTimer.unref();
  const prune = setInterval(() => void sessionLogs.prune().catch(() => undefined), 24 * 3600_000);
  prune.unref();
  // Keeps the process alive until stop(), even before any listener holds it open.
  const keepAlive = setInterval(() => undefined, 2 ** 30);

  return {
    async stop() {
      clearTimeout(gcFirst);
      clearInterval(gcTimer);
      clearInterval(prune);
      clearInterval(keepAlive);
      while (gcRunning) await new Promise((r) => setTimeout(r, 50));
      system.note('Youju stopped');
      system.close();
      await sessionLogs.close();
    },
  };
}
