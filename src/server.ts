/**
 * The long-lived roles of `youju start` over a Runtime: SMTP, IMAP and POP3 listeners, the queue
 * runner and transports, the indexer, collectors, the import worker and housekeeping. Loaded only
 * when the server starts (main.ts startServer), so CLI commands do not pay for it.
 */
import { join } from 'node:path';
import { SessionLogs } from './core/log/session-log.ts';
import { loadTls } from './config/tls.ts';
import { MailError } from './core/errors.ts';
import { LocalTransport } from './delivery/local/local-transport.ts';
import { QuotaService } from './delivery/quota.ts';
import { DnsResolver } from './delivery/remote/dns-resolver.ts';
import { SmtpTransport } from './delivery/remote/smtp-transport.ts';
import { OutboundRewriter } from './delivery/rewrite/outbound.ts';
import { QueueRunner } from './queue/runner.ts';
import { Indexer } from './fulltext/indexer.ts';
import { SecretBox } from './auth/secret-box.ts';
import { ImportService } from './collect/import/import-service.ts';
import { ImportWorker } from './collect/import/import-worker.ts';
import { CollectWorker } from './collect/collect-worker.ts';
import { SmtpListeners } from './smtp/listeners.ts';
import { ImapServer } from './imap/imap-server.ts';
import { Pop3Server } from './pop3/pop3-server.ts';
import { collectBlobs } from './store/blob-gc.ts';
import type { Runtime, Server } from './runtime.ts';

/** Runs the long-lived roles until stop(): SMTP listeners, the queue runner, housekeeping. */
export async function runServer(rt: Runtime): Promise<Server> {
  const { config, store, blobs, clock, settings } = rt;
  const sessionLogs = new SessionLogs({ dir: join(config.dataDir, 'logs'), clock });
  const system = sessionLogs.open('system', { ip: '127.0.0.1' });
  system.note(`Youju starting on ${config.hostname} (store: ${store.kind})`);
  const routing = sessionLogs.open('routing', { ip: '127.0.0.1' });
  const current = () => settings.current();

  // Delivery: local and remote transports behind the queue runner.
  const local = new LocalTransport({
    store, blobs, resolver: rt.resolver, queue: rt.queue, hostname: config.hostname, clock, settings: current, bus: rt.bus,
    srs: rt.srs, isLocalDomain: (domain) => rt.domains.isLocal(domain), log: (line) => routing.note(line),
  });
  // delivery.dns* and ipCache* are read at every lookup: a changed setting applies without a restart.
  const d = () => current().delivery;
  const dns = new DnsResolver({
    servers: config.dns.servers, hosts: config.dns.hosts, timeoutMs: () => d().dnsTimeoutSec * 1000, tries: () => d().dnsRetries + 1,
    cacheMax: () => d().ipCacheMaxEntries, cacheTtlMs: () => d().ipCacheTtlSec * 1000, now: clock.now,
  });
  const rewriter = new OutboundRewriter({ store, settings: current, resolveDomain: (n) => rt.domains.resolveDomain(n), log: (l) => routing.note(l) });
  const remote = new SmtpTransport({
    hostname: config.hostname, port: config.ports.smtpOutbound, resolver: dns, settings: () => current().delivery,
    readMessage: async (job) => rewriter.rewrite(await blobs.read(job.blobId), job), log: smtpOutLog(sessionLogs),
  });
  const runner = new QueueRunner({
    store, blobs, queue: rt.queue, clock, hostname: config.hostname, node: config.hostname,
    settings: current, isLocalDomain: (domain) => rt.domains.isLocal(domain), local, remote,
    log: (line) => routing.note(line),
  });
  await runner.start();

  // Full-text indexing, off the delivery path: woken by every mailbox change.
  const indexer = new Indexer(store, blobs, { log: (line) => system.note(line) });
  indexer.start();
  const stopIndexWake = rt.bus.on('mailbox.changed', () => indexer.kick());
  // In a cluster, the other nodes' mailbox events too (IDLE hears mail another node delivered).
  await rt.bus.hearRelay().catch((err) => system.note(`cluster bus: not listening yet (${String((err as Error).message ?? err)}); retrying`));

  const tlsMaterial = await loadTls(config);

  // SMTP listeners.
  const smtp = new SmtpListeners({
    hostname: config.hostname, settings: current, sessionLogs, tls: tlsMaterial,
    users: rt.users, domains: rt.domains, resolver: rt.resolver, quota: new QuotaService(store),
    authWindows: rt.authWindows, trustedNetworks: config.trustedNetworks, queue: rt.queue, now: clock.now,
    verify: async (address) => (await rt.resolver.resolveRecipient(address).catch(() => undefined))?.kind === 'local',
    expand: async (address) => {
      const r = await rt.resolver.resolveRecipient(address).catch(() => undefined);
      return r?.kind === 'local' ? [...r.users.map((u) => u.address), ...r.remote] : undefined;
    },
  });
  let listeners: Array<{ role: string; port: number }>;
  try {
    listeners = await smtp.listen([
      { role: 'smtp', kind: 'mx', port: config.ports.smtp, host: config.listen, secure: false },
      { role: 'submission', kind: 'submission', port: config.ports.submission, host: config.listen, secure: false },
      { role: 'smtps', kind: 'submission', port: config.ports.smtps, host: config.listen, secure: true },
    ]);
  } catch (err) {
    await runner.stop();
    remote.close();
    await indexer.stop();
    await smtp.close();
    throw new MailError('CONFIG_INVALID', `cannot listen for SMTP: ${(err as Error).message}`, { cause: err });
  }
  // POP3.
  const pop3 = new Pop3Server({
    hostname: config.hostname, settings: current, users: rt.users, mailboxes: rt.mailboxes, authWindows: rt.authWindows,
    sessionLogs, tls: tlsMaterial,
  });
  try {
    listeners.push(...await pop3.listen([
      { role: 'pop3', port: config.ports.pop3, host: config.listen, secure: false },
      { role: 'pop3s', port: config.ports.pop3s, host: config.listen, secure: true },
    ]));
  } catch (err) {
    await smtp.close();
    await runner.stop();
    remote.close();
    await indexer.stop();
    throw new MailError('CONFIG_INVALID', `cannot listen for POP3: ${(err as Error).message}`, { cause: err });
  }
  // MultiPOP and DomainPOP collectors; APOP password copies are dropped whenever APOP is off.
  const collector = new CollectWorker({
    store, queue: rt.queue, secrets: rt.secrets, clock, hostname: config.hostname, settings: current, resolver: rt.resolver, sessionLogs, dataDir: config.dataDir,
  });
  collector.start();
  const dropApop = () => void rt.users.dropApopSecrets().catch((err) => rt.logger.error({ err }, 'dropping APOP secrets failed'));
  if (!current().security.apopEnabled) await rt.users.dropApopSecrets().catch((err) => rt.logger.error({ err }, 'dropping APOP secrets failed'));
  const stopApopWatch = settings.onChange((next, changed) => { if (changed.includes('security.apopEnabled') && !next.security.apopEnabled) dropApop(); });
  // IMAP.
  const imap = new ImapServer({
    hostname: config.hostname, settings: current, users: rt.users, mailboxes: rt.mailboxes, bus: rt.bus,
    sessionLogs, tls: tlsMaterial,
  });
  try {
    listeners.push(...await imap.listen([
      { role: 'imap', port: config.ports.imap, host: config.listen, secure: false },
      { role: 'imaps', port: config.ports.imaps, host: config.listen, secure: true },
    ]));
  } catch (err) {
    await smtp.close();
    await pop3.close();
    await runner.stop();
    remote.close();
    await indexer.stop();
    throw new MailError('CONFIG_INVALID', `cannot listen for IMAP: ${(err as Error).message}`, { cause: err });
  }
  // Migration import: jobs recorded with `youju import --background`, or left behind by a runner that died.
  const importer = new ImportWorker(new ImportService({
    store, users: rt.users, mailboxes: rt.mailboxes, secrets: SecretBox.forDataDir(config.dataDir), clock,
  }), { log: (line) => system.note(line) });
  importer.start();
  system.note(`listening: ${listeners.map((l) => `${l.role} ${l.port}`).join(', ') || 'nothing'}`);

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
    listeners,
    async stop() {
      await smtp.close();
      await pop3.close();
      stopApopWatch();
      await collector.stop();
      await imap.close();
      await runner.stop();
      remote.close();
      stopIndexWake();
      await indexer.stop();
      await importer.stop();
      clearTimeout(gcFirst);
      clearInterval(gcTimer);
      clearInterval(prune);
      clearInterval(keepAlive);
      while (gcRunning) await new Promise((r) => setTimeout(r, 50));
      system.note('Youju stopped');
      await routing.close();
      await system.close();
      await sessionLogs.close();
    },
  };
}

/** smtp-out session log: one log per remote connection, in the manual's style. */
function smtpOutLog(logs: SessionLogs): (line: string) => void {
  const log = logs.open('smtp-out', { ip: '127.0.0.1' });
  return (line) => {
    if (line.startsWith('--> ')) log.send(line.slice(4));
    else if (line.startsWith('<-- ')) log.recv(line.slice(4));
    else log.note(line);
  };
}
