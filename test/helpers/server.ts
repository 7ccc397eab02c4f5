/**
 * A whole Youju server in this process for end-to-end tests: a fresh data dir, free loopback
 * ports, the first-run set-up (domain + admins), optional settings, and startServer(). Real
 * clients (swaks, Python, nodemailer) then talk to it over 127.0.0.1.
 */
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initialise } from '../../src/cli/init.ts';
import { loadBootConfig, type BootConfig } from '../../src/config/boot.ts';
import { createLogger } from '../../src/core/log/logger.ts';
import { openRuntime, startServer, type Runtime, type Server } from '../../src/main.ts';
import { createTestPgDatabase } from '../../src/store/testing.ts';
import type { Actor } from '../../src/directory/actor.ts';
import type { StoreKind } from '../../src/store/store.ts';
import { startDnsServer, type DnsRecords, type TestDnsServer } from './dns-server.ts';

export const PASSWORD = 'Youju2026!x';
export const TEST_ACTOR: Actor = { who: 'test', from: 'test', role: { kind: 'system' } };

/**
 * A loopback port nobody listens on, chosen below the kernel's ephemeral range (32768–60999 on
 * Linux): outgoing connections of this and the other test processes take their local port from
 * that range, so a port picked there could be taken between this check and the server's listen.
 * Ports picked here can only collide with another test's pick, which startTestServer retries.
 */
export async function freePort(): Promise<number> {
  for (let tries = 0; ; tries++) {
    const port = 20_000 + Math.floor(Math.random() * 12_000);
    const free = await new Promise<boolean>((resolve) => {
      const s = createServer();
      s.once('error', () => resolve(false));
      s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
    });
    if (free) return port;
    if (tries > 200) throw new Error('no free loopback port in 20000–31999');
  }
}

export interface TestServer {
  rt: Runtime;
  server: Server;
  config: BootConfig;
  dir: string;
  ports: { smtp: number; submission: number; smtps: number };
  dns: TestDnsServer;
  addUser(address: string, opts?: { password?: string; quotaBytes?: number; realName?: string }): Promise<void>;
  close(): Promise<void>;
}

export interface TestServerOptions {
  domain?: string;
  hostname?: string;
  store?: StoreKind;
  /** A PostgreSQL database another test server already uses and initialised: a second node of its cluster. */
  sharedPostgres?: string;
  /** Runtime settings to set before the server starts, e.g. { 'security.allowPlaintextAuth': true }. */
  settings?: Record<string, unknown>;
  /** Boot config overrides (dns, trustedNetworks, ports.smtpOutbound …). */
  config?: (c: BootConfig) => BootConfig;
  /** Records for the loopback DNS server this test server resolves through (default: none, all NXDOMAIN). */
  dnsRecords?: Record<string, DnsRecords>;
  /** Also open POP3 and POP3S on free ports (config.ports.pop3 / pop3s). */
  pop3?: boolean;
  /** Also open IMAP and IMAPS on free ports (config.ports.imap / imaps). */
  imap?: boolean;
  /** Also open the web listeners, HTTP and HTTPS, on free ports (config.ports.http / https). */
  http?: boolean;
  /** Fixed listener ports (default: free ones), for servers that must know each other's ports. */
  ports?: { smtp: number; submission: number; smtps: number };
  /** A data directory that holds a store already (e.g. one `youju restore` wrote): used as it is, and removed on close. */
  dataDir?: string;
  /** Or a DNS server shared with other test servers; the caller closes it. */
  dnsServer?: TestDnsServer;
}

export async function startTestServer(opts: TestServerOptions = {}): Promise<TestServer> {
  const dir = opts.dataDir ?? await mkdtemp(join(tmpdir(), 'youju-e2e-'));
  const pg = opts.store === 'postgres' && !opts.sharedPostgres ? await createTestPgDatabase() : undefined;
  const pgUrl = opts.sharedPostgres ?? pg?.url;
  const pickPorts = async () => {
    const ports = opts.ports ?? { smtp: await freePort(), submission: await freePort(), smtps: await freePort() };
    return {
      ports,
      all: { ...ports, imap: opts.imap ? await freePort() : 0, imaps: opts.imap ? await freePort() : 0, pop3: opts.pop3 ? await freePort() : 0, pop3s: opts.pop3 ? await freePort() : 0,
        http: opts.http ? await freePort() : 0, https: opts.http ? await freePort() : 0, admin: 0 },
    };
  };
  let picked = await pickPorts();
  let config = loadBootConfig({ dataDir: dir, env: {} });
  config = {
    ...config,
    hostname: opts.hostname ?? 'mx.youju.test',
    listen: '127.0.0.1',
    store: pgUrl ? { kind: 'postgres', url: pgUrl } : config.store,
    ports: { ...config.ports, ...picked.all },
    // SMTP in this process, where the test can reach its state (smtp-processes.e2e runs the children).
    processes: { smtp: 0 },
  };
  // Every test server resolves through a DNS server of its own on loopback: never the system's.
  const dns = opts.dnsServer ?? await startDnsServer({ records: opts.dnsRecords ?? {} });
  config = { ...config, dns: { ...config.dns, servers: [dns.server] } };
  if (opts.config) config = opts.config(config);
  const rt0 = await openRuntime(config, { logger: createLogger({ level: 'silent' }) });
  if (!opts.sharedPostgres && !opts.dataDir) await initialise(rt0, TEST_ACTOR, { domain: opts.domain ?? 'example.cn', passwords: { admin: PASSWORD } });
  for (const [k, v] of Object.entries(opts.settings ?? {})) await rt0.settings.set(k, v);
  // A free port can be taken by another process between freePort() and listen: a failed start
  // stops everything it started, so try again on fresh ports (unless the caller fixed them).
  let rt = rt0;
  let server: Server;
  for (let attempt = 1; ; attempt++) {
    try {
      server = await startServer(rt);
      break;
    } catch (err) {
      await rt.close();
      if (opts.ports || attempt >= 5 || !/EADDRINUSE/.test(String((err as Error).message))) {
        await pg?.drop();
        if (!opts.dnsServer) await dns.close();
        await rm(dir, { recursive: true, force: true });
        throw err;
      }
      picked = await pickPorts();
      config = { ...config, ports: { ...config.ports, ...picked.all } };
      rt = await openRuntime(config, { logger: createLogger({ level: 'silent' }) });
    }
  }
  const ports = picked.ports;
  const t: TestServer = {
    rt, server, config, dir, ports, dns,
    async addUser(address, o = {}) {
      await rt.users.add(TEST_ACTOR, address, { password: o.password ?? PASSWORD, quotaBytes: o.quotaBytes, realName: o.realName });
    },
    async close() {
      await t.server.stop(); // the current one: a test may have restarted it
      await rt.close();
      await pg?.drop();
      if (!opts.dnsServer) await dns.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
  return t;
}

/** Waits until fn returns a truthy value (polling), or fails after timeoutMs. */
export async function eventually<T>(fn: () => Promise<T | undefined | false | null>, timeoutMs = 10_000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * The text of a session log (DATA/logs/<protocol>-<date>.log files, all days) once every pattern is
 * in it: lines reach the file in shared writes every 25 ms, a session's last ones after it closed.
 */
export async function sessionLogText(dataDir: string, protocol: string, ...patterns: RegExp[]): Promise<string> {
  const dir = join(dataDir, 'logs');
  return eventually(async () => {
    const files = (await readdir(dir).catch(() => [] as string[])).filter((f) => f.startsWith(`${protocol}-`)).sort();
    const text = (await Promise.all(files.map((f) => readFile(join(dir, f), 'utf8')))).join('');
    return patterns.every((p) => p.test(text)) ? text : undefined;
  }, 10_000, `${protocol} log lines ${patterns.join(', ')}`);
}

/** The messages in a user's folder, with their full bytes (header prefix + blob). */
export async function mailboxMessages(rt: Runtime, address: string, folder = 'INBOX'): Promise<Array<{ raw: string; flags: string[]; subject: string }>> {
  const user = await rt.users.byAddress(address);
  if (!user) throw new Error(`no user ${address}`);
  return rt.store.read(async (tx) => {
    const box = await tx.mailboxes.byName(user.id, folder);
    if (!box) return [];
    const out = [];
    for (const m of await tx.messages.list(box.id)) {
      out.push({ raw: m.headerPrefix + (await rt.blobs.read(m.blobId)).toString('utf8'), flags: m.flags, subject: m.subject });
    }
    return out;
  });
}
