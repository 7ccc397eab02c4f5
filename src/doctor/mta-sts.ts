/**
 * MTA-STS (RFC 8461) for the domains that have it on (setting mtaSts.domains): the policy this
 * server should publish, the `_mta-sts.<domain>` TXT record announcing it (§3.1), and the policy
 * file at https://mta-sts.<domain>/.well-known/mta-sts.txt (§3.2, §3.3: served over HTTPS with a
 * certificate valid for that name). Each missing or wrong piece comes with the exact text to
 * publish. The policy id is a hash of the policy text, so it changes exactly when the policy does.
 */
import { createHash } from 'node:crypto';
import type { Resolver } from 'node:dns/promises';
import { request } from 'node:https';
import type { Check } from './check.ts';

export interface MtaStsPolicy {
  mode: 'enforce' | 'testing' | 'none';
  maxAgeSec: number;
  /** MX host names senders may deliver to (this server's name). */
  mx: readonly string[];
}

/** The policy file, CRLF lines as RFC 8461 §3.2 shows. */
export function policyText(p: MtaStsPolicy): string {
  return ['version: STSv1', `mode: ${p.mode}`, ...p.mx.map((m) => `mx: ${m.replace(/\.$/, '')}`), `max_age: ${p.maxAgeSec}`, ''].join('\r\n');
}

/** 1–32 alphanumerics (§3.1): the first 20 hex digits of the policy's SHA-256. */
export const policyId = (p: MtaStsPolicy) => createHash('sha256').update(policyText(p)).digest('hex').slice(0, 20);

export const txtRecord = (p: MtaStsPolicy) => `v=STSv1; id=${policyId(p)}`;

/** key: value lines of a policy file; mx may repeat. */
export function parsePolicy(text: string): { version?: string; mode?: string; maxAge?: string; mx: string[] } {
  const out: { version?: string; mode?: string; maxAge?: string; mx: string[] } = { mx: [] };
  for (const line of text.split(/\r?\n/)) {
    const i = line.indexOf(':');
    if (i < 0) continue;
    const k = line.slice(0, i).trim().toLowerCase();
    const v = line.slice(i + 1).trim();
    if (k === 'version') out.version = v;
    else if (k === 'mode') out.mode = v;
    else if (k === 'max_age') out.maxAge = v;
    else if (k === 'mx') out.mx.push(v.toLowerCase());
  }
  return out;
}

/** Whether an mx pattern of a policy (a name or "*.suffix", §4.1) covers host. */
const covers = (pattern: string, host: string) =>
  pattern.startsWith('*.') ? host.endsWith(pattern.slice(1)) && !host.slice(0, -(pattern.length - 1)).includes('.') : pattern === host;

export interface MtaStsCheckInput {
  dns: Pick<Resolver, 'resolveTxt' | 'resolve4'>;
  domain: string;
  label: string;
  policy: MtaStsPolicy;
  /** Tests only: the HTTPS port and trusted CA of the policy host (default 443, the system's CAs). */
  https?: { port?: number; ca?: string | Buffer };
  timeoutMs?: number;
}

function fetchPolicy(host: string, ip: string, o: MtaStsCheckInput): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({
      host: ip, servername: host, port: o.https?.port ?? 443, path: '/.well-known/mta-sts.txt', method: 'GET',
      headers: { host }, ...(o.https?.ca ? { ca: o.https.ca } : {}), timeout: o.timeoutMs ?? 5000,
    }, (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (c: Buffer) => { size += c.length; if (size > 64 * 1024) req.destroy(new Error('policy larger than 64 KiB')); else chunks.push(c); });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.on('error', reject);
    req.end();
  });
}

export async function mtaStsChecks(o: MtaStsCheckInput): Promise<Check[]> {
  const checks: Check[] = [];
  const add = (c: Omit<Check, 'area'>) => checks.push({ area: 'dns', ...c });
  const want = txtRecord(o.policy);
  const recordFix = `_mta-sts.${o.domain}. IN TXT "${want}"`;
  let txt: string[] | undefined;
  let err = '';
  try {
    txt = (await o.dns.resolveTxt(`_mta-sts.${o.domain}`)).map((c) => c.join(''));
  } catch (e) {
    const code = (e as { code?: string }).code ?? String(e);
    if (code === 'ENOTFOUND' || code === 'ENODATA') txt = [];
    else err = code;
  }
  const sts = (txt ?? []).filter((t) => /^v=STSv1\s*(;|$)/.test(t));
  const name = `MTA-STS record ${o.label}`;
  if (!txt) add({ name, status: 'fail', detail: `look-up failed (${err})`, fix: recordFix });
  else if (sts.length === 0) add({ name, status: 'fail', detail: `no MTA-STS record at _mta-sts.${o.domain}`, fix: recordFix });
  else if (sts.length > 1) add({ name, status: 'fail', detail: `${sts.length} MTA-STS records (RFC 8461 §3.1: senders then ignore the policy)`, fix: `Keep one: ${recordFix}` });
  else if (sts[0]!.replace(/\s+/g, '') === want.replace(/\s+/g, '')) add({ name, status: 'ok', detail: sts[0]! });
  else add({ name, status: 'warn', detail: `${sts[0]!}: the id differs from the policy's (${policyId(o.policy)}); senders with a cached policy do not fetch the new one`, fix: recordFix });

  const host = `mta-sts.${o.domain}`;
  const url = `https://${host}/.well-known/mta-sts.txt`;
  const text = policyText(o.policy);
  const fileFix = `Serve ${url} (HTTPS, a certificate valid for ${host}, Content-Type text/plain) with:\n${text.replace(/\r\n/g, '\n').trimEnd()}`;
  const fileName = `MTA-STS policy ${o.label}`;
  let ip: string | undefined;
  try {
    ip = (await o.dns.resolve4(host))[0];
  } catch (e) {
    const code = (e as { code?: string }).code ?? String(e);
    add({ name: fileName, status: 'fail', detail: code === 'ENOTFOUND' || code === 'ENODATA' ? `${host} has no address record` : `look-up of ${host} failed (${code})`,
      fix: `${host}. IN A <the address of the web server that serves the policy>\n${fileFix}` });
    return checks;
  }
  if (!ip) {
    add({ name: fileName, status: 'fail', detail: `${host} has no address record`, fix: fileFix });
    return checks;
  }
  let got: { status: number; body: string };
  try {
    got = await fetchPolicy(host, ip, o);
  } catch (e) {
    add({ name: fileName, status: 'fail', detail: `${url}: ${(e as Error).message ?? e}`, fix: fileFix });
    return checks;
  }
  if (got.status !== 200) {
    add({ name: fileName, status: 'fail', detail: `${url} answered HTTP ${got.status}`, fix: fileFix });
    return checks;
  }
  const p = parsePolicy(got.body);
  const problems: string[] = [];
  if (p.version !== 'STSv1') problems.push('no "version: STSv1"');
  if (p.mode !== o.policy.mode) problems.push(`mode ${p.mode ?? '(none)'}, not ${o.policy.mode}`);
  if (p.maxAge !== String(o.policy.maxAgeSec)) problems.push(`max_age ${p.maxAge ?? '(none)'}, not ${o.policy.maxAgeSec}`);
  for (const mx of o.policy.mx) if (!p.mx.some((m) => covers(m, mx.toLowerCase().replace(/\.$/, '')))) problems.push(`no mx line covers ${mx}`);
  if (problems.length === 0) add({ name: fileName, status: 'ok', detail: `${url}: mode ${p.mode}, max_age ${p.maxAge}, mx ${p.mx.join(', ')}` });
  // A policy whose MX list misses this server makes enforcing senders refuse to deliver: a failure.
  else add({ name: fileName, status: problems.some((x) => x.startsWith('no mx') || x.startsWith('no "version')) ? 'fail' : 'warn', detail: `${url}: ${problems.join('; ')}`, fix: fileFix });
  return checks;
}
