/**
 * Reverse PTR checks (FEATURES S8; manual §4.5.2 反向查询): the client's PTR names, and whether one
 * of them resolves back to the client's address (forward-confirmed reverse DNS). Asked through the
 * protection stages' DNS lookup (antispam/dns-lookup.ts), so tests answer from a loopback server.
 */
import ipaddr from 'ipaddr.js';
import type { DnsLookup } from '../antispam/dns-lookup.ts';

export type PtrResult =
  /** No PTR record (NXDOMAIN or no data). */
  | { kind: 'missing' }
  /** PTR names, and the first of them that resolves back to the client ('' when none does). */
  | { kind: 'found'; names: string[]; confirmed: string }
  /** The lookup failed (timeout, SERVFAIL): never a reason to refuse. */
  | { kind: 'error'; error: string };

/** in-addr.arpa / ip6.arpa name of `ip`. */
export function reverseName(ip: string): string {
  const a = ipaddr.process(ip);
  if (a.kind() === 'ipv4') return `${(a as ipaddr.IPv4).octets.slice().reverse().join('.')}.in-addr.arpa`;
  const hex = (a as ipaddr.IPv6).toByteArray().map((b) => b.toString(16).padStart(2, '0')).join('');
  return `${[...hex].reverse().join('.')}.ip6.arpa`;
}

export async function lookupPtr(lookup: DnsLookup, ip: string): Promise<PtrResult> {
  let names: string[];
  try {
    names = (await lookup(reverseName(ip), 'PTR') as string[]).map((n) => n.replace(/\.$/, '').toLowerCase()).filter(Boolean);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOTFOUND' || code === 'ENODATA') return { kind: 'missing' };
    return { kind: 'error', error: code ?? String(err) };
  }
  if (names.length === 0) return { kind: 'missing' };
  const addr = ipaddr.process(ip);
  const rr = addr.kind() === 'ipv4' ? 'A' : 'AAAA';
  for (const name of names.slice(0, 5)) {
    const addrs = await lookup(name, rr).catch(() => [] as string[]) as string[];
    if (addrs.some((a) => { try { return ipaddr.process(a).toString() === addr.toString(); } catch { return false; } })) {
      return { kind: 'found', names, confirmed: name };
    }
  }
  return { kind: 'found', names, confirmed: '' };
}
