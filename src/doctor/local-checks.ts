/**
 * Checks of this machine and this data directory: the configured ports (is something listening,
 * i.e. is the server up), the TLS certificate (expiry, self-signed, names), free disk space, and the
 * store (WAL size, queue entries waiting for an admin, blobs the next collection will remove).
 */
import { X509Certificate } from 'node:crypto';
import { existsSync, statSync } from 'node:fs';
import { readFile, statfs } from 'node:fs/promises';
import { connect } from 'node:net';
import { join } from 'node:path';
import { PORT_NAMES, type BootConfig } from '../config/boot.ts';
import type { Runtime } from '../runtime.ts';
import { blobGarbage } from '../store/blob-gc.ts';
import type { Check } from './check.ts';

const DAY = 86_400_000;

/** Whether something accepts TCP connections on host:port (within timeoutMs). */
function listening(host: string, port: number, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ host, port, timeout: timeoutMs });
    const done = (ok: boolean) => { s.destroy(); resolve(ok); };
    s.once('connect', () => done(true));
    s.once('timeout', () => done(false));
    s.once('error', () => done(false));
  });
}

export async function portChecks(config: BootConfig): Promise<Check[]> {
  const host = config.listen === '0.0.0.0' ? '127.0.0.1' : config.listen === '::' ? '::1' : config.listen;
  const open = PORT_NAMES.filter((p) => p !== 'smtpOutbound' && config.ports[p] > 0);
  const up = await Promise.all(open.map((p) => listening(host, config.ports[p])));
  const checks = open.map((p, i): Check => up[i]
    ? { area: 'ports', name: `${p} ${host}:${config.ports[p]}`, status: 'ok', detail: 'accepting connections' }
    : { area: 'ports', name: `${p} ${host}:${config.ports[p]}`, status: 'fail', detail: 'nothing listening',
      fix: 'Start the server (youju start), or set the port to 0 in the config if it is not wanted; when another program holds it, stop that program.' });
  if (checks.length > 0 && checks.every((c) => c.status === 'fail')) {
    return [{ area: 'ports', name: 'server', status: 'fail', detail: `no configured port answers on ${host}: the server is not running`, fix: 'youju start' }];
  }
  return checks;
}

export async function tlsCheck(config: BootConfig, now: number): Promise<Check[]> {
  const path = config.tls.cert ?? join(config.dataDir, 'tls', 'self-signed.crt');
  if (!existsSync(path)) {
    return [{ area: 'tls', name: 'certificate', status: 'info', detail: 'none yet: the first start makes a self-signed one in DATA/tls/',
      fix: 'For mail clients to trust the server, set tls.cert and tls.key in the config to a certificate for the server name (e.g. from Let\'s Encrypt).' }];
  }
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(await readFile(path));
  } catch (err) {
    return [{ area: 'tls', name: path, status: 'fail', detail: `not a readable PEM certificate (${(err as Error).message})` }];
  }
  const checks: Check[] = [];
  const days = Math.floor((Date.parse(cert.validTo) - now) / DAY);
  checks.push(days < 0
    ? { area: 'tls', name: 'expiry', status: 'fail', detail: `expired ${-days} days ago (${cert.validTo})`, fix: `Renew the certificate in ${path}.` }
    : { area: 'tls', name: 'expiry', status: days < 14 ? 'warn' : 'ok', detail: `valid for ${days} more days (until ${cert.validTo})`, ...(days < 14 ? { fix: `Renew the certificate in ${path} soon.` } : {}) });
  checks.push(cert.checkHost(config.hostname)
    ? { area: 'tls', name: 'name', status: 'ok', detail: `covers ${config.hostname}` }
    : { area: 'tls', name: 'name', status: 'warn', detail: `does not cover ${config.hostname} (${cert.subjectAltName ?? cert.subject})`, fix: 'Clients will warn: use a certificate issued for the server name.' });
  if (cert.issuer === cert.subject && cert.verify(cert.publicKey)) {
    checks.push({ area: 'tls', name: 'issuer', status: 'warn', detail: 'self-signed: mail clients warn, other servers may refuse it',
      fix: 'Set tls.cert and tls.key in the config to a certificate from a public CA (e.g. Let\'s Encrypt).' });
  }
  return checks;
}

export async function diskCheck(dataDir: string): Promise<Check[]> {
  try {
    const s = await statfs(dataDir);
    const free = s.bavail * s.bsize;
    const share = s.blocks > 0 ? s.bavail / s.blocks : 1;
    const gb = (free / 2 ** 30).toFixed(1);
    const detail = `${gb} GiB free (${Math.round(share * 100)} %) on the file system of ${dataDir}`;
    if (free < 2 ** 30 || share < 0.05) return [{ area: 'disk', name: 'free space', status: 'fail', detail, fix: 'Free space or move the data directory: the store stops taking mail when the disk is full.' }];
    if (share < 0.15) return [{ area: 'disk', name: 'free space', status: 'warn', detail, fix: 'Plan more space.' }];
    return [{ area: 'disk', name: 'free space', status: 'ok', detail }];
  } catch (err) {
    return [{ area: 'disk', name: 'free space', status: 'fail', detail: `cannot read ${dataDir}: ${(err as Error).message}` }];
  }
}

const mb = (bytes: number) => `${(bytes / 2 ** 20).toFixed(1)} MiB`;
const sizeOf = (path: string) => { try { return statSync(path).size; } catch { return 0; } };

export async function storeChecks(rt: Runtime): Promise<Check[]> {
  const checks: Check[] = [];
  const { config } = rt;
  if (config.store.kind === 'sqlite') {
    for (const [name, db] of [['metadata', join(config.dataDir, 'meta.db')], ['blobs', join(config.dataDir, 'blobs', 'blobs.db')]] as const) {
      const wal = sizeOf(`${db}-wal`);
      checks.push({ area: 'store', name: `${name} database`, status: wal > 256 * 2 ** 20 ? 'warn' : 'ok', detail: `${mb(sizeOf(db))}, write-ahead log ${mb(wal)}`,
        ...(wal > 256 * 2 ** 20 ? { fix: 'A large write-ahead log means checkpoints cannot finish: look for a long-running reader (a stuck CLI command) and restart it.' } : {}) });
    }
  } else {
    checks.push({ area: 'store', name: 'database', status: 'info', detail: 'PostgreSQL (its health is the database administrator\'s: pg_stat_activity, vacuum)' });
  }
  const queue = await rt.store.read((tx) => tx.queue.counts());
  const waiting = (queue.bad ?? 0) + (queue.holding ?? 0);
  checks.push({ area: 'store', name: 'queue', status: waiting > 0 ? 'warn' : 'ok',
    detail: Object.entries(queue).filter(([, n]) => n > 0).map(([s, n]) => `${n} ${s}`).join(', ') || 'empty',
    ...(waiting > 0 ? { fix: `${waiting} entries wait for an admin: youju queue list --state bad / --state holding` } : {}) });
  const garbage = await blobGarbage(rt.store, rt.blobs, { now: rt.clock.now });
  checks.push({ area: 'store', name: 'blobs', status: 'ok', detail: garbage.released + garbage.orphans === 0 ? 'no garbage'
    : `${garbage.released} released and ${garbage.orphans} orphan blobs for the next collection (every 6 hours while the server runs)` });
  return checks;
}
