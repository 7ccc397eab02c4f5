/**
 * The composition root: the only file that names concrete backends. It opens the store and blob
 * store the boot config asks for and builds the services over them (the Runtime, runtime.ts);
 * `startServer` loads server.ts, the long-lived roles, only when a server starts. The CLI opens a
 * Runtime for every command, so commands and the server share one code path.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { BootConfig } from './config/boot.ts';
import { renames } from './config/renamed-settings.ts';
import { plainSecrets, sealSetting, unsealAll } from './config/secret-settings.ts';
import { SettingsService } from './config/settings.ts';
import { systemClock, type Clock } from './core/clock.ts';
import { createLogger, type Logger } from './core/log/logger.ts';
import { AdminService } from './directory/admins.ts';
import { AliasService } from './directory/aliases.ts';
import { DomainService } from './directory/domains.ts';
import { ContentFilterStage } from './content-filter/stage.ts';
import { HashcashStage } from './antispam/hashcash.ts';
import { ListService } from './directory/lists.ts';
import { OrgService } from './directory/orgs.ts';
import { Resolver } from './directory/resolve.ts';
import { Srs } from './directory/srs.ts';
import { UserService, type DirectoryUser } from './directory/users.ts';
import { UserAdminService } from './directory/user-admin.ts';
import { DomainConsoleService } from './directory/domain-admin.ts';
import { OrgAdminService } from './directory/org-admin.ts';
import { DepartmentAdminConsole } from './directory/department-admins.ts';
import { ListConsole } from './directory/list-admin.ts';
import { ModuleSwitchService } from './directory/modules.ts';
import { SsoLogin } from './directory/sso.ts';
import { SuperConsoleService } from './directory/super-admin.ts';
import { buildWelcomeMessage, WebmailSettingsService } from './directory/webmail-settings.ts';
import { AdminSessions } from './auth/admin-sessions.ts';
import { AuthWindows } from './auth/auth-windows.ts';
import { SecretBox } from './auth/secret-box.ts';
import { WebSessions } from './auth/web-sessions.ts';
import { QueueManager } from './queue/manager.ts';
import { QueueService } from './queue/queue.ts';
import { Bus } from './core/bus.ts';
import { MailboxService } from './mailbox/mailbox-service.ts';
import { ContactService } from './contacts/contacts.ts';
import { ContactTransfer } from './contacts/contact-transfer.ts';
import { EnterpriseDirectory } from './contacts/enterprise.ts';
import { CustomerBook } from './contacts/customers.ts';
import { DirectoryShares } from './directory/directory-shares.ts';
import { Pipeline } from './pipeline/pipeline.ts';
import { QuotaService } from './delivery/quota.ts';
import { SendingRules } from './submission/sending-rules.ts';
import { SubmissionService } from './submission/submission-service.ts';
import { RegistrationService } from './directory/registration.ts';
import { AntivirusStage } from './antivirus/antivirus-stage.ts';
import { createDnsLookup } from './antispam/dns-lookup.ts';
import { SenderAuthStage } from './antispam/sender-auth.ts';
import { DnsblStage } from './antispam/dnsbl.ts';
import { UriblStage } from './antispam/uribl.ts';
import { GreylistStage } from './antispam/greylist.ts';
import { SpamScoreStage } from './antispam/spam-score.ts';
import { LoginThrottle } from './auth/login-throttle.ts';
import { ScreeningStage } from './screening/screening-stage.ts';
import { Batv } from './screening/batv.ts';
import { BayesClassifier } from './antispam/bayes.ts';
import { BayesLearning } from './antispam/bayes-learning.ts';
import { UserMail } from './mailbox/user-mail.ts';
import { MailHtml } from './mailbox/mail-html.ts';
import { HtmlSanitiser } from './mime/safe-html-worker.ts';
import type { BlobStore } from './store/blob-store.ts';
import { PgBlobStore } from './store/blob/pg-blob-store.ts';
import { SqliteBlobLoader, SqliteBlobStore } from './store/blob/sqlite-blob-store.ts';
import { PostgresStore } from './store/postgres/postgres-store.ts';
import { SqliteStore } from './store/sqlite/sqlite-store.ts';
import type { Store } from './store/store.ts';
import type { Runtime, Server } from './runtime.ts';
import { PopAccountService } from './collect/pop-accounts.ts';
import { guardedLookup, refuseLiteral } from './collect/host-guard.ts';
import { ReplyTemplates } from './options/reply-templates.ts';
import { ImportService } from './collect/import/import-service.ts';
import { MonitorConsole } from './directory/monitor-console.ts';
import { MonitorIndex } from './directory/monitor-index.ts';
import { TrafficConsole } from './directory/traffic-console.ts';
import { flattenTexts, UiLabelService } from './directory/ui-labels.ts';
import { zhCN } from './web/ui/src/locales/zh-CN.ts';
import { AccountSecurity } from './options/account-security.ts';
import { PopOptions } from './options/pop-options.ts';
import { UserOptions } from './options/user-options.ts';

export type { Runtime, Server } from './runtime.ts';


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

/**
 * What youju restore puts blobs back through, once the metadata is in place: the store opened (its
 * migrations bring an older copy up to date) and, on the embedded store, a bulk loader of the empty
 * blob store (durable at close()); on PostgreSQL the blob store itself.
 */
export async function openBlobLoad(config: BootConfig): Promise<{ blobs: Pick<BlobStore, 'put'>; close: () => Promise<void> }> {
  if (config.store.kind === 'postgres') {
    const s = await openStores(config);
    return { blobs: s.blobs, close: async () => { await s.store.close(); await s.blobs.close(); } };
  }
  const store = await SqliteStore.open({ path: join(config.dataDir, 'meta.db') });
  try {
    const loader = await SqliteBlobLoader.open({ dir: join(config.dataDir, 'blobs') });
    return { blobs: loader, close: async () => { await loader.close(); await store.close(); } };
  } catch (err) {
    await store.close();
    throw err;
  }
}

/** Where the embedded metadata store lives (youju restore places a backup's copy there). */
export const embeddedMetaPath = (config: BootConfig): string => join(config.dataDir, 'meta.db');

/** Whether the embedded store exists yet (a PostgreSQL store is checked by isInitialised instead). */
export const hasEmbeddedStore = (config: BootConfig): boolean =>
  config.store.kind !== 'sqlite' || existsSync(join(config.dataDir, 'meta.db'));

export async function openRuntime(config: BootConfig, opts: { clock?: Clock; logger?: Logger; pollSettingsMs?: number } = {}): Promise<Runtime> {
  const clock = opts.clock ?? systemClock;
  const logger = opts.logger ?? createLogger({ level: config.log.level });
  const { store, blobs } = await openStores(config, clock);
  const secrets = SecretBox.forDataDir(config.dataDir);
  // Secret fields (the smart host's password) are sealed in the store and open in the snapshot.
  const stored = () => store.read((tx) => tx.settings.all(''));
  const moved = renames(await stored());
  if (moved.drop.length > 0) {
    await store.tx(async (tx) => {
      for (const [key, value] of moved.set) await tx.settings.set('', key, value);
      for (const key of moved.drop) await tx.settings.delete('', key);
    });
  }
  for (const key of plainSecrets(await stored())) {
    await store.tx(async (tx) => tx.settings.set('', key, sealSetting(key, await tx.settings.get('', key), secrets)));
  }
  const settings = await SettingsService.open({
    load: async () => unsealAll(await stored(), secrets),
    save: (key, value) => store.tx((tx) => tx.settings.set('', key, sealSetting(key, value, secrets))),
    version: () => store.read((tx) => tx.settings.version()),
  }, { pollMs: opts.pollSettingsMs ?? 0, warn: (m) => logger.warn(m) });
  const queue = new QueueService(store, blobs, clock);
  const bus = new Bus();
  // In a cluster every node's bus events reach the others (a server listens: server.ts).
  // Publish and listen failures are logged (a node that misses events resynchronises: bus 'cluster.resync').
  const relay = store.relay?.((err) => logger.warn({ err }, 'cluster bus relay: a publish or the LISTEN connection failed'));
  if (relay) bus.relayThrough(relay);
  // The key is read on first use, so commands that never forward mail never make DATA/secret.key.
  let srsKey: Buffer | undefined;
  const srs = new Srs({
    key: () => (srsKey ??= secrets.deriveKey('srs')),
    maxAgeDays: () => settings.current().delivery.srsMaxAgeDays, now: () => clock.now(),
  });
  // The protection pipeline: its stages in order (issue #13); settings decide which of them run.
  const dns = (cacheMs: () => number) => createDnsLookup({ servers: config.dns.servers, timeoutMs: () => settings.current().senderAuth.dnsTimeoutMs, cacheMs });
  const classifier = new BayesClassifier(store, clock);
  // One ban list for every protocol of this node (failed logins, abusive sessions, spam traps).
  const throttle = new LoginThrottle(() => settings.current().security, () => clock.now());
  let batvKey: Buffer | undefined;
  const batv = new Batv({ key: () => (batvKey ??= secrets.deriveKey('batv')), maxAgeDays: () => settings.current().backscatter.maxAgeDays, now: () => clock.now() });
  const screening = new ScreeningStage({
    lookup: dns(() => settings.current().senderAuth.dnsCacheSec * 1000), bans: throttle, batv,
    isLocalDomain: (d) => domains.isLocal(d),
    learnSpam: (raw, scope, s) => learning.learnMessage(scope, raw, 'spam', s),
  });
  // The domains' own monitoring rules (A7), which the content filter runs with the global ones.
  const monitorIndex = new MonitorIndex(store, () => clock.now());
  const stages = [
    screening,
    new DnsblStage(dns(() => 0)), // it keeps its own cache (dnsbl.cacheSec)
    new SenderAuthStage({ hostname: config.hostname, lookup: dns(() => settings.current().senderAuth.dnsCacheSec * 1000) }),
    new GreylistStage(store), new AntivirusStage(), new UriblStage(dns(() => 0)),
    new HashcashStage({ isLocalDomain: (d) => domains.isLocal(d) }), // before scoring: a valid stamp lowers the score
    new SpamScoreStage(classifier),
    // Last: its rules may test the spam score; it runs for outgoing mail too (monitoring, archive).
    new ContentFilterStage({
      hostname: config.hostname,
      isLocalDomain: (d) => domains.isLocal(d),
      isList: async (address) => {
        const at = address.lastIndexOf('@');
        const domain = at > 0 ? await domains.resolveDomain(address.slice(at + 1)) : undefined;
        return domain !== undefined && (await store.read((tx) => tx.lists.byAddress(domain.id, address.slice(0, at).toLowerCase()))) !== undefined;
      },
      pruneDeliveredIds: (before) => store.tx((tx) => tx.deliveredIds.prune(before)),
      domainMonitors: monitorIndex,
    }),
  ];
  const pipeline = new Pipeline({
    stages, store, blobs, queue, clock, settings: () => settings.current(), logsDir: join(config.dataDir, 'logs'), node: config.hostname, warn: (m) => logger.warn(m),
  });
  const mailboxes = new MailboxService(store, blobs, clock, bus);
  // Moves into and out of Junk (IMAP, webmail) train the classifier.
  const learning = new BayesLearning({ classifier, store, blobs, settings: () => settings.current(), warn: (m) => logger.warn(m) });
  mailboxes.onJunk(learning.onJunk);
  const users = new UserService(store, clock, {
    box: secrets,
    keepCramSecret: () => settings.current().security.cramMd5Enabled,
    keepApopSecret: () => settings.current().security.apopEnabled,
    loginCacheMs: () => settings.current().security.loginCacheSec * 1000,
  });
  const domains = new DomainService(store, clock, () => settings.current().security.strongPasswordsDefault);
  const resolver = new Resolver(store, clock, {
    recipientDelimiter: () => settings.current().delivery.recipientDelimiter, srs, domainCache: domains,
  });
  const userMail = new UserMail(store, mailboxes);
  const htmlSanitiser = new HtmlSanitiser();
  const submission = new SubmissionService({
    rules: new SendingRules({ domains, resolver, quota: new QuotaService(store) }),
    users, userMail, queue, pipeline, settings: () => settings.current(), hostname: config.hostname, now: () => clock.now(),
  });
  const lists = new ListService(store, clock);
  const aliases = new AliasService(store, clock);
  const orgs = new OrgService(store, clock);
  const admins = new AdminService(store, clock);
  const webmailSettings = new WebmailSettingsService(store, domains, () => clock.now());
  /** 发送欢迎信 (manual §1.8.7): the domain's welcome letter, "(user)" filled in, into the new user's inbox. */
  const sendWelcome = async (u: DirectoryUser): Promise<boolean> => {
    const domain = u.address.slice(u.address.lastIndexOf('@') + 1);
    const letter = await webmailSettings.welcomeLetter(domain, u.realName || u.localPart);
    if (!letter) return false;
    await mailboxes.append(u.id, 'INBOX', { raw: buildWelcomeMessage({ domain, to: u.address, ...letter, now: clock.now() }) });
    return true;
  };
  const customers = new CustomerBook(store);
  return {
    config, store, blobs, clock, logger, settings, queue, bus, secrets, srs, pipeline, mailboxes,
    adminSessions: new AdminSessions(store, clock, () => settings.current().web),
    userAdmin: new UserAdminService(store, users, sendWelcome),
    bayes: { classifier, learning },
    throttle, screening: { stage: screening, batv },
    userMail, submission, users, domains, resolver, registration: new RegistrationService(domains, users, clock),
    mailHtml: new MailHtml(store, userMail, htmlSanitiser),
    contacts: { book: new ContactService(store), transfer: new ContactTransfer(store), directory: new EnterpriseDirectory(store), customers },
    webSessions: new WebSessions(store, clock, () => settings.current().web),
    options: {
      user: new UserOptions(store), security: new AccountSecurity(store, users),
      pop: new PopOptions(store, new PopAccountService(store, secrets), secrets, () => settings.current().collect),
      templates: new ReplyTemplates(store),
    },
    queueManager: new QueueManager(store, blobs, queue, clock, config.hostname),
    aliases,
    lists, orgs, admins,
    modules: new ModuleSwitchService(store),
    sso: new SsoLogin({
      webmail: webmailSettings, users, hostGuard: { refuseLiteral, lookup: guardedLookup }, allowPrivateHosts: () => settings.current().collect.allowPrivateHosts,
      onRefused: (reason) => logger.warn({ reason }, 'single sign-on URL refused'),
    }),
    console: {
      domain: new DomainConsoleService(store, domains, () => clock.now()),
      org: new OrgAdminService(store, orgs),
      departmentAdmins: new DepartmentAdminConsole(store, admins),
      lists: new ListConsole(store, lists),
      super: new SuperConsoleService(store, domains, admins, aliases, () => clock.now()),
      webmail: webmailSettings,
      customers,
      shares: new DirectoryShares(store),
      monitors: new MonitorConsole(store, monitorIndex),
      traffic: new TrafficConsole(store, () => clock.now()),
      labels: new UiLabelService(store, flattenTexts(zhCN)),
    },
    imports: new ImportService({
      store, users, mailboxes, secrets, clock, allowPrivateHosts: () => settings.current().collect.allowPrivateHosts,
    }),
    authWindows: new AuthWindows(store, clock, () => settings.current().smtp.popBeforeSmtpMinutes),
    async close() {
      settings.close();
      await htmlSanitiser.close();
      await learning.idle();
      await pipeline.close();
      await store.close();
      await blobs.close();
    },
  };
}

/** Runs the long-lived roles until stop(); the server's modules load here, not at every CLI command. */
export async function startServer(rt: Runtime): Promise<Server> {
  const { runServer } = await import('./server.ts');
  return runServer(rt);
}
