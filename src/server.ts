/**
 * The long-lived roles of `youju start` over a Runtime: SMTP, IMAP and POP3 listeners, the queue
 * runner and transports, the indexer, the hashing of batch-added passwords, collectors, the import
 * worker and housekeeping. Loaded only when the server starts (main.ts startServer), so CLI
 * commands do not pay for it.
 */
import { learnFromFolders, learningDue, learningFoldersDeps } from './antispam/learning-folders.ts';
import { join } from 'node:path';
import { localDate, SessionLogs, type SessionLog } from './core/log/session-log.ts';
import { RoleStack } from './core/role-stack.ts';
import { cidrMatcher } from './core/cidr.ts';
import type { LoginThrottle } from './auth/login-throttle.ts';
import { SharedBans } from './auth/shared-bans.ts';
import { PendingHashes } from './auth/pending-hashes.ts';
import { ControlServer, controlSocketPath } from './core/control-socket.ts';
import { loadTls } from './config/tls.ts';
import { MailError } from './core/errors.ts';
import { LocalTransport } from './delivery/local/local-transport.ts';
import { QuotaService } from './delivery/quota.ts';
import { DnsResolver } from './delivery/remote/dns-resolver.ts';
import { SmtpTransport } from './delivery/remote/smtp-transport.ts';
import { OutboundRewriter } from './delivery/rewrite/outbound.ts';
import { QueueRunner } from './queue/runner.ts';
import type { QueueIntake } from './queue/queue.ts';
import { Indexer } from './fulltext/indexer.ts';
import { ImportWorker } from './collect/import/import-worker.ts';
import { CollectWorker } from './collect/collect-worker.ts';
import { SmtpListeners, type ListenSpec } from './smtp/listeners.ts';
import { SmtpProcesses } from './smtp-processes.ts';
import { ParentRelay } from './core/ipc-relay.ts';
import { ImapServer } from './imap/imap-server.ts';
import { Pop3Server } from './pop3/pop3-server.ts';
import { webServer } from './web/api/web-role.ts';
import { collectBlobs } from './store/blob-gc.ts';
import { runScheduledBackup } from './backup/schedule.ts';
import { youjuVersion } from './core/version.ts';
import type { Runtime, Server } from './runtime.ts';

/**
 * Runs the long-lived roles until stop(). Roles start in order on a RoleStack: when one fails to
 * start (a port taken), everything started before it stops again, in reverse, and the error goes on.
 */
export async function runServer(rt: Runtime): Promise<Server> {
  const { config, store, blobs, clock, settings } = rt;
  const roles = new RoleStack((name, err) => rt.logger.error({ err }, `stopping ${name} failed`));
  const sessionLogs = new SessionLogs({ dir: join(config.dataDir, 'logs'), clock });
  roles.push('session logs', () => sessionLogs.close());
  const system = sessionLogs.open('system', { ip: '127.0.0.1' });
  system.note(`Youju starting on ${config.hostname} (store: ${store.kind})`);
  roles.push('system log', async () => { system.note('Youju stopped'); await system.close(); });
  const routing = sessionLogs.open('routing', { ip: '127.0.0.1' });
  roles.push('routing log', () => routing.close());
  const current = () => settings.current();
  // One failed-login throttle for every protocol on this node (dynamic screening bans into it too).
  const throttle = rt.throttle;
  // Keeps the process alive until stop(), even before any listener holds it open.
  const keepAlive = setInterval(() => undefined, 2 ** 30);
  roles.push('keep-alive', () => clearInterval(keepAlive));

  try {
    await roles.start('shared bans', () => shareBans(rt));
    await startDelivery(rt, roles, { routing, sessionLogs, node: config.hostname });

    // Full-text indexing, off the delivery path: woken by mailbox changes, gathered over 200 ms.
    await roles.start('indexer', async () => {
      const indexer = new Indexer(store, blobs, { gatherMs: 200, log: (line) => system.note(line) });
      indexer.start();
      const stopIndexWake = rt.bus.on('mailbox.changed', () => indexer.kick());
      return { value: indexer, stop: async () => { stopIndexWake(); await indexer.stop(); } };
    });
    // Passwords a batch add stored sealed, hashed one at a time within minutes (issue #14).
    await roles.start('password hashing', async () => {
      const pending = new PendingHashes({
        store, box: rt.secrets, log: (line) => system.note(line), warn: (err, what) => rt.logger.warn({ err }, `${what} failed`),
      });
      pending.start();
      return { value: pending, stop: () => pending.stop() };
    });
    // The pipeline's background work: held messages scanned again, daily counters, housekeeping.
    await roles.start('pipeline', async () => { rt.pipeline.start(); return { value: rt.pipeline, stop: () => rt.pipeline.stop() }; });
    // In a cluster, the other nodes' mailbox events too (IDLE hears mail another node delivered).
    // SMTP processes on SQLite: their events come through this process (a cluster store relays them itself).
    // They hear settings changes only: mailbox events are for IMAP, POP3 and the web, all here.
    const processRelay = config.processes.smtp > 0 && !rt.bus.relayed ? new ParentRelay(new Set(['settings.changed'])) : undefined;
    if (processRelay) rt.bus.relayThrough(processRelay);
    // A settings change here reaches the SMTP processes and the other nodes at once (they still poll too).
    roles.push('settings sharing', shareSettings(rt, { announce: true }));
    await rt.bus.hearRelay().catch((err) => system.note(`cluster bus: not listening yet (${String((err as Error).message ?? err)}); retrying`));

    const tlsMaterial = await loadTls(config);
    const listeners: Array<{ role: string; port: number }> = [];
    const trusted = cidrMatcher(config.trustedNetworks, true);
    /** A protocol's listeners as one role: bound, or closed again and CONFIG_INVALID naming the protocol. */
    const listenerRole = <T>(what: string, server: Listening<T>, specs: T[]) => roles.start(what.toLowerCase(), async () => {
      try {
        listeners.push(...await server.listen(specs));
      } catch (err) {
        await server.close();
        throw new MailError('CONFIG_INVALID', `cannot listen for ${what}: ${(err as Error).message}`, { cause: err });
      }
      return { value: server, stop: () => server.close() };
    });

    // SMTP: in this process, or in config.processes.smtp child processes sharing the ports.
    if (config.processes.smtp > 0) {
      await roles.start('smtp processes', async () => {
        const children = await SmtpProcesses.start(rt, { count: config.processes.smtp, log: (line) => system.note(line), ...(processRelay ? { relay: processRelay } : {}) });
        listeners.push(...children.listeners);
        return { value: children, stop: () => children.stop() };
      });
    } else {
      await listenerRole('SMTP', smtpListeners(rt, { sessionLogs, tls: tlsMaterial, throttle }), smtpSpecs(config));
    }
    // POP3.
    await listenerRole('POP3', new Pop3Server({
      hostname: config.hostname, settings: current, users: rt.users, mailboxes: rt.mailboxes, authWindows: rt.authWindows,
      sessionLogs, tls: tlsMaterial, throttle, trusted,
    }), [
      { role: 'pop3', port: config.ports.pop3, host: config.listen, secure: false },
      { role: 'pop3s', port: config.ports.pop3s, host: config.listen, secure: true },
    ]);
    // MultiPOP and DomainPOP collectors; APOP password copies are dropped whenever APOP is off.
    await roles.start('collectors', async () => {
      const collector = new CollectWorker({
        store, queue: rt.queue, secrets: rt.secrets, clock, hostname: config.hostname, settings: current, resolver: rt.resolver, sessionLogs, dataDir: config.dataDir,
      });
      collector.start();
      return { value: collector, stop: () => collector.stop() };
    });
    const dropApop = () => rt.users.dropApopSecrets().catch((err) => rt.logger.error({ err }, 'dropping APOP secrets failed'));
    if (!current().security.apopEnabled) await dropApop();
    roles.push('apop watch', settings.onChange((next, changed) => { if (changed.includes('security.apopEnabled') && !next.security.apopEnabled) void dropApop(); }));
    // IMAP.
    await listenerRole('IMAP', new ImapServer({
      hostname: config.hostname, settings: current, users: rt.users, mailboxes: rt.mailboxes, bus: rt.bus,
      sessionLogs, tls: tlsMaterial, throttle, trusted,
    }), [
      { role: 'imap', port: config.ports.imap, host: config.listen, secure: false },
      { role: 'imaps', port: config.ports.imaps, host: config.listen, secure: true },
    ]);
    // Webmail and the web API.
    await listenerRole('HTTP', webServer(rt, { throttle, sessionLogs, tls: tlsMaterial }), [
      { role: 'http', port: config.ports.http, host: config.listen, secure: false },
      { role: 'https', port: config.ports.https, host: config.listen, secure: true },
    ]);
    // Migration import: jobs recorded with `youju import --background`, or left behind by a runner that died.
    await roles.start('import worker', async () => {
      const importer = new ImportWorker(rt.imports, { log: (line) => system.note(line) });
      importer.start();
      return { value: importer, stop: () => importer.stop() };
    });
    system.note(`listening: ${listeners.map((l) => `${l.role} ${l.port}`).join(', ') || 'nothing'}`);
    // The CLI's way to what only this process knows: `youju security bans` / `unban IP`.
    const control = await ControlServer.listen(controlSocketPath(config.dataDir), {
      'security.bans': () => throttle.bans(),
      'security.unban': (args) => throttle.lift(String(args.ip ?? '')),
    }).catch((err: unknown) => {
      system.note(`control socket not available (${(err as Error).message}); \`youju security\` cannot reach this server`);
      return undefined;
    });
    if (control) roles.push('control socket', () => control.close());

    // Housekeeping: blob GC every 6 hours, first run 10 minutes after start; session logs pruned daily.
    await roles.start('housekeeping', async () => {
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
      // The scheduled backup (settings backup.*): looked at every minute, runs once a day.
      let backupRunning = false;
      const scheduledBackup = async () => {
        if (backupRunning || current().backup.dir === '') return;
        backupRunning = true;
        try {
          const r = await runScheduledBackup(current().backup, {
            store: rt.store, blobs: rt.blobs, config, version: youjuVersion(), now: rt.clock.now,
          });
          if (r.made) system.note(`scheduled backup: ${r.made.dir} (${r.made.manifest.counts.blobs} blobs, ${r.made.seconds.toFixed(1)} s)${r.pruned.length ? `; removed ${r.pruned.join(', ')}` : ''}`);
        } catch (err) {
          system.note(`scheduled backup failed: ${String((err as Error).message ?? err)}`);
        } finally {
          backupRunning = false;
        }
      };
      // 每晚午夜调度贝叶斯学习: looked at every minute, runs once a day after antispam.learnAt.
      let learnedDay: string | undefined;
      let learning = false;
      const nightlyLearning = async () => {
        const now = new Date(rt.clock.now());
        const today = localDate(now);
        if (learning || !learningDue(current(), now, learnedDay, today)) return;
        learning = true;
        learnedDay = today;
        try {
          const r = await learnFromFolders(learningFoldersDeps(rt));
          system.note(r.skipped ? `Bayesian learning: nothing learned (${r.skipped})` : `Bayesian learning: ${r.spam} spam and ${r.ham} ham learned from ${current().antispam.learnMailbox}${r.missing.length ? `; no folder ${r.missing.join(', ')}` : ''}`);
        } catch (err) {
          system.note(`Bayesian learning failed: ${String((err as Error).message ?? err)}`);
        } finally {
          learning = false;
        }
      };
      const timers = [setTimeout(gc, 10 * 60_000), setInterval(gc, 6 * 3600_000), setInterval(() => void sessionLogs.prune().catch(() => undefined), 24 * 3600_000),
        setInterval(() => void scheduledBackup(), 60_000), setInterval(() => void nightlyLearning(), 60_000)];
      for (const t of timers) t.unref();
      return {
        value: undefined,
        stop: async () => {
          for (const t of timers) clearTimeout(t);
          while (gcRunning || backupRunning || learning) await new Promise((r) => setTimeout(r, 50));
        },
      };
    });
    return { listeners, stop: () => roles.stop() };
  } catch (err) {
    await roles.stop();
    throw err;
  }
}

/**
 * An SMTP process (config processes.smtp): the SMTP listeners, on ports it shares with its siblings,
 * with the protection pipeline; what they accept goes to `intake`, the main process's queue
 * (queue/queue-ipc.ts), whose runner delivers it. The main process runs everything else.
 */
export async function runSmtpNode(rt: Runtime, opts: { intake: QueueIntake }): Promise<Server> {
  const { config, clock } = rt;
  const roles = new RoleStack((name, err) => rt.logger.error({ err }, `stopping ${name} failed`));
  const sessionLogs = new SessionLogs({ dir: join(config.dataDir, 'logs'), clock });
  roles.push('session logs', () => sessionLogs.close());
  const throttle = rt.throttle;
  try {
    await roles.start('shared bans', () => shareBans(rt));
    // Counters only: the held messages are the main process's (their leases carry the host name).
    await roles.start('pipeline counters', async () => { rt.pipeline.start({ held: false }); return { value: rt.pipeline, stop: () => rt.pipeline.stop() }; });
    roles.push('settings hearing', shareSettings(rt, { announce: false }));
    await rt.bus.hearRelay();
    const server = smtpListeners(rt, { sessionLogs, tls: await loadTls(config), throttle, intake: opts.intake });
    const listeners = await roles.start('smtp', async () => {
      try {
        const bound = await server.listen(smtpSpecs(config));
        return { value: bound, stop: () => server.close() };
      } catch (err) {
        await server.close();
        throw new MailError('CONFIG_INVALID', `cannot listen for SMTP: ${(err as Error).message}`, { cause: err });
      }
    });
    return { listeners, stop: () => roles.stop() };
  } catch (err) {
    await roles.stop();
    throw err;
  }
}

/** Delivery: local and remote transports behind the queue runner, as node `node` (its lease owner). */
async function startDelivery(rt: Runtime, roles: RoleStack, o: { routing: SessionLog; sessionLogs: SessionLogs; node: string }): Promise<void> {
  const { config, store, blobs, clock, settings } = rt;
  const { routing } = o;
  const current = () => settings.current();
  const local = new LocalTransport({
    store, blobs, resolver: rt.resolver, queue: rt.queue, hostname: config.hostname, clock, settings: current, mailboxes: rt.mailboxes,
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
    readMessage: async (job) => rewriter.rewrite(await blobs.read(job.blobId), job), log: smtpOutLog(o.sessionLogs),
    // Backscatter protection (S10): mail from a local sender leaves with a BATV-signed return path.
    returnPath: async (job) => {
      const at = job.sender.lastIndexOf('@');
      if (!current().backscatter.signOutbound || at < 0 || !(await rt.domains.isLocal(job.sender.slice(at + 1)))) return job.sender;
      return rt.screening.batv.sign(job.sender);
    },
  });
  await roles.start('queue runner', async () => {
    const runner = new QueueRunner({
      store, blobs, queue: rt.queue, clock, hostname: config.hostname, node: o.node,
      settings: current, isLocalDomain: (domain) => rt.domains.isLocal(domain), local, remote,
      log: (line) => routing.note(line),
    });
    await runner.start();
    // The runner first, then the outbound connections it may still hold open.
    return { value: runner, stop: async () => { await runner.stop(); remote.close(); } };
  });
}

/**
 * Reads the settings again when another process or node announces a change and, with `announce`,
 * announces this process's own changes (made here or read by its poll). Returns the undo.
 */
function shareSettings(rt: Runtime, o: { announce: boolean }): () => void {
  let announcing = false; // the bus hands an event to this process's listeners too: not a change from elsewhere
  const stopHearing = rt.bus.on('settings.changed', () => {
    if (announcing) return;
    rt.settings.reload().catch((err: unknown) => rt.logger.warn({ err }, 'settings reload after a change elsewhere failed'));
  });
  const stopAnnouncing = o.announce ? rt.settings.onChange(() => {
    announcing = true;
    try {
      rt.bus.emit('settings.changed', {});
    } finally {
      announcing = false;
    }
  }) : () => undefined;
  return () => { stopHearing(); stopAnnouncing(); };
}

/** The SMTP listeners of this process (smtp/listeners.ts) over the runtime's services. */
function smtpListeners(rt: Runtime, o: { sessionLogs: SessionLogs; tls: { key: Buffer; cert: Buffer }; throttle: LoginThrottle; intake?: QueueIntake }): SmtpListeners {
  const { config, store, clock } = rt;
  return new SmtpListeners({
    hostname: config.hostname, settings: () => rt.settings.current(), sessionLogs: o.sessionLogs, tls: o.tls,
    users: rt.users, domains: rt.domains, resolver: rt.resolver, quota: new QuotaService(store),
    authWindows: rt.authWindows, trustedNetworks: config.trustedNetworks, queue: o.intake ?? rt.queue, now: clock.now, throttle: o.throttle, pipeline: rt.pipeline, screening: rt.screening.stage,
    verify: async (address) => (await rt.resolver.resolveRecipient(address).catch(() => undefined))?.kind === 'local',
    expand: async (address) => {
      const r = await rt.resolver.resolveRecipient(address).catch(() => undefined);
      return r?.kind === 'local' ? [...r.users.map((u) => u.address), ...r.remote] : undefined;
    },
  });
}

const smtpSpecs = (config: Runtime['config']): ListenSpec[] => [
  { role: 'smtp', kind: 'mx', port: config.ports.smtp, host: config.listen, secure: false },
  { role: 'submission', kind: 'submission', port: config.ports.submission, host: config.listen, secure: false },
  { role: 'smtps', kind: 'submission', port: config.ports.smtps, host: config.listen, secure: true },
];

/** What a protocol server offers the role stack: bind its ports, and close. */
interface Listening<T> {
  listen(specs: T[]): Promise<Array<{ role: string; port: number }>>;
  close(): Promise<void>;
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

/** This process's bans published to the store and the store's adopted (auth/shared-bans.ts). */
async function shareBans(rt: Runtime): Promise<{ value: SharedBans; stop: () => Promise<void> }> {
  const shared = new SharedBans(rt.store, rt.throttle, rt.clock, (err, what) => rt.logger.warn({ err }, `shared IP bans: ${what} failed`));
  await shared.start();
  return { value: shared, stop: () => shared.stop() };
}
