/**
 * The boot config (DESIGN §6): what a node needs before it can open the store — host name, listen
 * address, ports, data directory, store backend, DNS overrides, trusted networks, TLS files, log
 * level. Read once at start from a JSON or YAML file plus the environment (YOUJU_DATA, YOUJU_LISTEN,
 * YOUJU_HOSTNAME, YOUJU_STORE_URL, YOUJU_PORT_<NAME>); what admins edit at run time lives in the
 * store (config/settings.ts). Precedence: environment > file > default, except that `opts.dataDir`
 * (the CLI's --data) wins over all. Bad input throws MailError CONFIG_INVALID, one line naming the
 * source and the field.
 */
import { existsSync, readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import os from 'node:os';
import { extname } from 'node:path';
import YAML from 'yaml';
import { z } from 'zod';
import { MailError } from '../core/errors.ts';
import { LOG_LEVELS } from '../core/log/logger.ts';
import { formatIssues, issueMessage } from './issues.ts';

// ── Field schemas (also used to validate single environment values) ──────────────────────

const PORT_MSG = 'must be an integer between 0 and 65535';
const portSchema = (def: number, what: string) =>
  z.int({ error: PORT_MSG }).min(0, { error: PORT_MSG }).max(65535, { error: PORT_MSG })
    .default(def).describe(`${what} (default ${def}; 0 turns it off)`);

const hostnameSchema = z.string()
  .regex(/^(?=.{1,253}$)[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*\.?$/, { error: 'must be a host name such as mail.example.com' });

const listenSchema = z.string()
  .refine((v) => isIP(v) !== 0 || v === 'localhost', { error: 'must be an IP address such as 0.0.0.0, 127.0.0.1 or ::' });

const dataDirSchema = z.string().min(1, { error: 'must be a directory path' });

const storeUrlSchema = z.string()
  .regex(/^postgres(ql)?:\/\/\S+$/, { error: 'must be a postgres:// or postgresql:// connection URL' });

/** `1.2.3.4`, `1.2.3.4:5353`, `::1`, `[::1]:5353`. */
const isDnsServer = (v: string): boolean => {
  const m = /^\[([^\]]+)\](?::(\d{1,5}))?$/.exec(v) ?? /^([^:]+)(?::(\d{1,5}))?$/.exec(v);
  if (m) return isIP(m[1] ?? '') !== 0 && (m[2] === undefined || Number(m[2]) <= 65535);
  return isIP(v) === 6;
};

/** `10.0.0.0/8`, `2001:db8::/32`: an address, a slash and a prefix length that fits its family. */
export const isCidr = (v: string): boolean => {
  const m = /^([^/]+)\/(\d{1,3})$/.exec(v);
  if (!m) return false;
  const family = isIP(m[1] ?? '');
  return family !== 0 && Number(m[2]) <= (family === 4 ? 32 : 128);
};

export const PORT_NAMES = [
  'smtp', 'submission', 'smtps', 'imap', 'imaps', 'pop3', 'pop3s', 'http', 'https', 'admin', 'smtpOutbound',
] as const;
export type PortName = (typeof PORT_NAMES)[number];

const PortsSchema = z.strictObject({
  smtp: portSchema(25, 'inbound MTA: other servers deliver to us'),
  submission: portSchema(587, 'message submission for clients (AUTH required, STARTTLS; RFC 6409)'),
  smtps: portSchema(465, 'submission over implicit TLS (RFC 8314)'),
  imap: portSchema(143, 'IMAP'),
  imaps: portSchema(993, 'IMAP over implicit TLS'),
  pop3: portSchema(110, 'POP3'),
  pop3s: portSchema(995, 'POP3 over implicit TLS'),
  http: portSchema(80, 'webmail, domain consoles and REST API'),
  https: portSchema(443, 'webmail, domain consoles and REST API over TLS'),
  admin: portSchema(10000, 'system administration console (separate listener and auth)'),
  smtpOutbound: portSchema(25, 'port remote delivery connects to on other servers (not a listener)'),
}).prefault({}).superRefine((ports, ctx) => {
  // Two listeners cannot share a port; the second would fail to bind at start with a vaguer error.
  const owner = new Map<number, PortName>();
  for (const name of PORT_NAMES) {
    if (name === 'smtpOutbound' || ports[name] === 0) continue;
    const first = owner.get(ports[name]);
    if (first) ctx.addIssue({ code: 'custom', path: [name], input: ports[name], message: `port already used by ports.${first}` });
    else owner.set(ports[name], name);
  }
}).describe('TCP ports per role');

export const BootConfigSchema = z.strictObject({
  hostname: hostnameSchema.default(() => os.hostname())
    .describe('this node\'s host name: EHLO greeting, Received headers, banners (default: the OS host name)'),
  listen: listenSchema.default('0.0.0.0').describe('address every listener binds to'),
  dataDir: dataDirSchema.default('./data').describe('data directory: embedded store, blobs, logs/'),
  store: z.strictObject({
    kind: z.enum(['sqlite', 'postgres']).default('sqlite')
      .describe('metadata backend: embedded SQLite in dataDir, or a shared PostgreSQL (cluster)'),
    url: storeUrlSchema.optional().describe('PostgreSQL connection URL; required when kind is postgres'),
  }).prefault({}).superRefine((s, ctx) => {
    if (s.kind === 'postgres' && s.url === undefined) {
      ctx.addIssue({ code: 'custom', path: ['url'], message: 'is required when store.kind is "postgres"' });
    }
  }).describe('where metadata lives'),
  ports: PortsSchema,
  dns: z.strictObject({
    servers: z.array(z.string().refine(isDnsServer, { error: 'must be an IP address with an optional :port' }))
      .default([]).describe('resolvers to use instead of the system ones, e.g. "127.0.0.1:5353"'),
    hosts: z.record(
      z.string().min(1),
      z.string().refine((v) => isIP(v) !== 0, { error: 'must be an IP address' }),
    ).default({}).describe('fixed name → address answers that bypass DNS (tests, split horizon)'),
  }).prefault({}).describe('DNS resolution for remote delivery and antispam'),
  trustedNetworks: z.array(z.string().refine(isCidr, { error: 'must be a CIDR such as 192.168.0.0/16' }))
    .default([]).describe('CIDRs that may relay without AUTH; empty by default (loopback is not trusted)'),
  tls: z.strictObject({
    cert: z.string().min(1).optional().describe('PEM certificate chain file'),
    key: z.string().min(1).optional().describe('PEM private key file'),
  }).prefault({}).describe('TLS certificate for STARTTLS and the implicit-TLS ports'),
  log: z.strictObject({
    level: z.enum(LOG_LEVELS).default('info').describe('structured log level on stdout'),
  }).prefault({}).describe('structured logging'),
  processes: z.strictObject({
    smtp: z.int({ error: 'must be an integer between 0 and 32' }).min(0, { error: 'must be an integer between 0 and 32' })
      .max(32, { error: 'must be an integer between 0 and 32' }).default(() => (os.availableParallelism() > 1 ? 1 : 0))
      .describe('SMTP processes: 0 runs the SMTP listeners in the main process; N > 0 runs them in N child processes that share the ports and hand what they accept to the main process, which stores and delivers it, so SMTP sessions and the protection pipeline take another core (default 1 on a machine with two cores or more, else 0)'),
  }).prefault({}).describe('how the roles spread over processes'),
}).describe('Youju boot configuration');

export type BootConfig = z.output<typeof BootConfigSchema>;

// ── Environment ────────────────────────────────────────────────────────────────────────────

/** smtpOutbound → YOUJU_PORT_SMTP_OUTBOUND */
export const portEnvName = (p: PortName): string => `YOUJU_PORT_${p.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase()}`;

type Raw = Record<string, unknown>;
const isPlainObject = (v: unknown): v is Raw => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A connection URL may carry a password: error messages never echo it. */
const isSecret = (path: string): boolean => path === 'store.url';

/** Validates one environment value with its field schema; returns the parsed value. */
function envValue<T>(
  env: NodeJS.ProcessEnv, name: string, field: string, schema: z.ZodType<T>, coerce?: (s: string) => unknown,
): T | undefined {
  const text = env[name];
  if (text === undefined || text === '') return undefined; // empty counts as unset, as in most shells' ${X:-}
  const r = schema.safeParse(coerce ? coerce(text) : text, { error: issueMessage, reportInput: true });
  if (!r.success) {
    throw new MailError('CONFIG_INVALID', `environment ${name}: ${formatIssues(r.error.issues, { prefixPath: field, isSecret })}`);
  }
  return r.data;
}

const toPortNumber = (s: string): unknown => (/^\s*\d+\s*$/.test(s) ? Number(s) : s);
const portValueSchema = z.int({ error: PORT_MSG }).min(0, { error: PORT_MSG }).max(65535, { error: PORT_MSG });

/** Writes validated environment overrides into the raw (pre-schema) object. */
function applyEnv(raw: Raw, env: NodeJS.ProcessEnv, dataDir: string | undefined): void {
  const data = dataDir ?? envValue(env, 'YOUJU_DATA', 'dataDir', dataDirSchema);
  if (data !== undefined) raw.dataDir = data;
  const listen = envValue(env, 'YOUJU_LISTEN', 'listen', listenSchema);
  if (listen !== undefined) raw.listen = listen;
  const hostname = envValue(env, 'YOUJU_HOSTNAME', 'hostname', hostnameSchema);
  if (hostname !== undefined) raw.hostname = hostname;
  const url = envValue(env, 'YOUJU_STORE_URL', 'store.url', storeUrlSchema);
  if (url !== undefined) raw.store = { ...(isPlainObject(raw.store) ? raw.store : {}), kind: 'postgres', url };
  for (const name of PORT_NAMES) {
    const port = envValue(env, portEnvName(name), `ports.${name}`, portValueSchema, toPortNumber);
    if (port === undefined) continue;
    // A `ports` that is not an object is the file's error; leave it for the schema to report.
    if (raw.ports === undefined) raw.ports = {};
    if (isPlainObject(raw.ports)) raw.ports[name] = port;
  }
}

// ── File ───────────────────────────────────────────────────────────────────────────────────

function readConfigFile(file: string): Raw {
  const fail = (what: string): never => { throw new MailError('CONFIG_INVALID', `config file ${file}: ${what}`); };
  if (!existsSync(file)) fail('not found');
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    return fail(`cannot read: ${(err as Error).message}`);
  }
  const firstLine = (err: unknown): string =>
    (String((err as Error).message ?? err).split('\n')[0] ?? '').replace(/:\s*$/, '');
  const ext = extname(file).toLowerCase();
  let data: unknown;
  if (ext === '.json') {
    try { data = JSON.parse(text); } catch (err) { fail(`invalid JSON: ${firstLine(err)}`); }
  } else if (ext === '.yaml' || ext === '.yml') {
    try { data = YAML.parse(text); } catch (err) { fail(`invalid YAML: ${firstLine(err)}`); }
  } else {
    try {
      data = JSON.parse(text);
    } catch {
      try { data = YAML.parse(text); } catch (err) { fail(`neither JSON nor YAML: ${firstLine(err)}`); }
    }
  }
  if (data === null || data === undefined) return {}; // an empty file means "all defaults"
  if (!isPlainObject(data)) fail('must contain an object (a mapping of keys to values)');
  return structuredClone(data as Raw);
}

// ── Public API ─────────────────────────────────────────────────────────────────────────────

/**
 * Reads, merges and validates the boot config. `file` must exist when given; without it only
 * defaults and the environment count. Throws MailError CONFIG_INVALID with a one-line message.
 */
export function loadBootConfig(opts: { file?: string; dataDir?: string; env?: NodeJS.ProcessEnv } = {}): BootConfig {
  const env = opts.env ?? process.env;
  const raw = opts.file === undefined ? {} : readConfigFile(opts.file);
  applyEnv(raw, env, opts.dataDir);
  const r = BootConfigSchema.safeParse(raw, { error: issueMessage, reportInput: true });
  if (!r.success) {
    const source = opts.file === undefined ? 'config' : `config file ${opts.file}`;
    throw new MailError('CONFIG_INVALID', `${source}: ${formatIssues(r.error.issues, { isSecret })}`);
  }
  return r.data;
}

/**
 * A copy for running without root: every listener port below 1024 (other than 0, "off") moves
 * up by 10000 — 25 → 10025, 80 → 10080. smtpOutbound is where we connect to, so it stays.
 */
export function withHighPorts(cfg: BootConfig): BootConfig {
  const ports = { ...cfg.ports };
  for (const name of PORT_NAMES) {
    if (name === 'smtpOutbound') continue;
    if (ports[name] > 0 && ports[name] < 1024) ports[name] += 10000;
  }
  return { ...cfg, ports };
}
