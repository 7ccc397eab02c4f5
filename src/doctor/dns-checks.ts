/**
 * The DNS records each mail domain should publish, checked against what DNS answers (through the
 * boot config's dns.servers when set): MX to this server, an A/AAAA record for the server's name
 * with a PTR back to it (forward-confirmed reverse DNS, which receivers check), one SPF record
 * (RFC 7208), the domain's DKIM key (RFC 6376) exactly as `youju dkim show` prints it, and DMARC
 * (RFC 7489), and for the domains with MTA-STS on, its record and policy file (mta-sts.ts). Each
 * missing or wrong record comes with the text to publish.
 */
import { Resolver } from 'node:dns/promises';
import { isIPv4 } from 'node:net';
import type { Check } from './check.ts';
import { mtaStsChecks, type MtaStsCheckInput } from './mta-sts.ts';

export interface DnsCheckInput {
  /** This server's name (boot config hostname): where MX should point. */
  hostname: string;
  /** Resolvers to ask ('ip' or 'ip:port'); empty: the system's. */
  servers: readonly string[];
  domains: ReadonlyArray<{ name: string; displayName: string; dkim?: { dnsName: string; txt: string } }>;
  timeoutMs?: number;
  /** Setting mtaSts: the domains publishing a policy, its mode and max_age; https only in tests. */
  mtaSts?: { domains: readonly string[]; mode: 'enforce' | 'testing' | 'none'; maxAgeSec: number; https?: MtaStsCheckInput['https'] };
}

type Lookup<T> = { ok: true; value: T } | { ok: false; missing: boolean; error: string };

/** NXDOMAIN and NODATA mean "no such record"; anything else (timeout, SERVFAIL) is a failed look-up. */
async function look<T>(fn: () => Promise<T>): Promise<Lookup<T>> {
  try {
    return { ok: true, value: await fn() };
  } catch (err) {
    const code = (err as { code?: string }).code ?? '';
    return { ok: false, missing: code === 'ENOTFOUND' || code === 'ENODATA', error: code || String(err) };
  }
}

/** 192.0.2.1 → 1.2.0.192.in-addr.arpa; IPv6 by nibbles under ip6.arpa. Asked as PTR directly: dns.reverse() would answer from /etc/hosts. */
export function reverseName(ip: string): string {
  if (isIPv4(ip)) return `${ip.split('.').reverse().join('.')}.in-addr.arpa`;
  const [head = '', tail = ''] = ip.split('::');
  const groups = (s: string) => (s ? s.split(':') : []);
  const h = groups(head);
  const t = groups(tail);
  const all = [...h, ...Array(8 - h.length - t.length).fill('0'), ...t];
  return `${all.map((g) => g.padStart(4, '0')).join('').split('').reverse().join('.')}.ip6.arpa`;
}

const txtOf = (records: string[][]) => records.map((chunks) => chunks.join(''));
const same = (a: string, b: string) => a.replace(/\.$/, '').toLowerCase() === b.replace(/\.$/, '').toLowerCase();
/** A DKIM or DMARC record as tag → value, tags lower-case, white space removed. */
const tags = (txt: string) => new Map(txt.split(';').map((p) => p.trim()).filter(Boolean).map((p) => {
  const i = p.indexOf('=');
  return [p.slice(0, i).trim().toLowerCase(), p.slice(i + 1).replace(/\s+/g, '')] as [string, string];
}));

export async function dnsChecks(input: DnsCheckInput): Promise<Check[]> {
  const dns = new Resolver({ timeout: input.timeoutMs ?? 2000, tries: 2 });
  if (input.servers.length > 0) dns.setServers([...input.servers]);
  const checks: Check[] = [];
  const host = input.hostname.replace(/\.$/, '');
  const add = (c: Omit<Check, 'area'>) => checks.push({ area: 'dns', ...c });

  // The server's own name: addresses, and PTR back to the name for each.
  const v4 = await look(() => dns.resolve4(host));
  const v6 = await look(() => dns.resolve6(host));
  const addresses = [...(v4.ok ? v4.value : []), ...(v6.ok ? v6.value : [])];
  if (addresses.length === 0) {
    add({ name: `A/AAAA ${host}`, status: 'fail', detail: v4.ok || v6.ok || (!v4.ok && v4.missing) ? 'no address record' : `look-up failed (${v4.ok ? '' : v4.error})`,
      fix: `${host}. IN A <this server's public IPv4 address>` });
  } else {
    add({ name: `A/AAAA ${host}`, status: 'ok', detail: addresses.join(', ') });
    for (const ip of addresses) {
      const ptr = await look(() => dns.resolvePtr(reverseName(ip)));
      if (ptr.ok && ptr.value.some((n) => same(n, host))) add({ name: `PTR ${ip}`, status: 'ok', detail: ptr.value.join(', ') });
      else add({ name: `PTR ${ip}`, status: 'warn', detail: ptr.ok ? `points to ${ptr.value.join(', ') || 'nothing'}, not ${host}` : ptr.missing ? 'no PTR record' : `look-up failed (${ptr.error})`,
        fix: `Ask whoever runs ${ip}'s network (ISP, hosting) to set its PTR to ${host}; receivers distrust mail from addresses without one.` });
    }
  }

  for (const d of input.domains) {
    const name = d.name;
    const label = d.displayName === name ? name : `${d.displayName} (${name})`;
    const mx = await look(() => dns.resolveMx(name));
    const mxFix = `${name}. IN MX 10 ${host}.`;
    if (!mx.ok) add({ name: `MX ${label}`, status: 'fail', detail: mx.missing ? 'no MX record' : `look-up failed (${mx.error})`, fix: mxFix });
    else if (mx.value.some((m) => same(m.exchange, host))) add({ name: `MX ${label}`, status: 'ok', detail: mx.value.map((m) => `${m.priority} ${m.exchange}`).join(', ') });
    else add({ name: `MX ${label}`, status: 'warn', detail: `points to ${mx.value.map((m) => m.exchange).join(', ')}, not ${host} (fine behind a gateway that relays here)`, fix: mxFix });

    const txt = await look(() => dns.resolveTxt(name));
    const spf = txt.ok ? txtOf(txt.value).filter((t) => /^v=spf1(\s|$)/i.test(t)) : [];
    const spfFix = `${name}. IN TXT "v=spf1 mx -all"`;
    if (!txt.ok && !txt.missing) add({ name: `SPF ${label}`, status: 'fail', detail: `look-up failed (${txt.error})`, fix: spfFix });
    else if (spf.length === 0) add({ name: `SPF ${label}`, status: 'fail', detail: 'no SPF record', fix: spfFix });
    else if (spf.length > 1) add({ name: `SPF ${label}`, status: 'fail', detail: `${spf.length} SPF records (RFC 7208 §3.2: receivers treat that as an error)`, fix: `Keep one: ${spfFix}` });
    else add({ name: `SPF ${label}`, status: /[-~]all\b/.test(spf[0]!) ? 'ok' : 'warn', detail: spf[0]!, ...(/[-~]all\b/.test(spf[0]!) ? {} : { fix: `End it with -all or ~all: ${spfFix}` }) });

    if (!d.dkim) {
      add({ name: `DKIM ${label}`, status: 'warn', detail: 'the domain has no DKIM key', fix: `youju dkim generate ${name}   (then publish the record it prints)` });
    } else {
      const dk = await look(() => dns.resolveTxt(d.dkim!.dnsName));
      const want = tags(d.dkim.txt).get('p');
      const published = dk.ok ? txtOf(dk.value).map((t) => tags(t).get('p')) : [];
      const fix = `${d.dkim.dnsName}. IN TXT "${d.dkim.txt}"`;
      if (dk.ok && published.includes(want)) add({ name: `DKIM ${label}`, status: 'ok', detail: `${d.dkim.dnsName} has the key` });
      else add({ name: `DKIM ${label}`, status: 'fail', detail: dk.ok ? `${d.dkim.dnsName} has another key` : dk.missing ? `no record at ${d.dkim.dnsName}` : `look-up failed (${dk.error})`, fix });
    }

    const dm = await look(() => dns.resolveTxt(`_dmarc.${name}`));
    const dmarc = dm.ok ? txtOf(dm.value).filter((t) => /^v=DMARC1\s*(;|$)/i.test(t)) : [];
    const dmarcFix = `_dmarc.${name}. IN TXT "v=DMARC1; p=quarantine; rua=mailto:postmaster@${name}"`;
    if (dmarc.length === 1) {
      const p = tags(dmarc[0]!).get('p');
      add({ name: `DMARC ${label}`, status: p === 'none' ? 'warn' : 'ok', detail: dmarc[0]!, ...(p === 'none' ? { fix: `p=none only reports; when reports look right: ${dmarcFix}` } : {}) });
    } else {
      add({ name: `DMARC ${label}`, status: 'warn', detail: dmarc.length > 1 ? `${dmarc.length} DMARC records` : dm.ok || dm.missing ? 'no DMARC record' : `look-up failed (${dm.error})`, fix: dmarcFix });
    }

    const sts = input.mtaSts;
    if (sts && sts.domains.some((x) => same(x, name))) {
      checks.push(...await mtaStsChecks({ dns, domain: name, label, policy: { mode: sts.mode, maxAgeSec: sts.maxAgeSec, mx: [host] },
        timeoutMs: input.timeoutMs, ...(sts.https ? { https: sts.https } : {}) }));
    }
  }
  return checks;
}
