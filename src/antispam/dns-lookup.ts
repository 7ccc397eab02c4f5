/**
 * DNS for the protection stages (SPF, DKIM, DMARC, ARC, DNS-BL): `lookup(name, rrtype)` answers as
 * node's dns.promises.resolve does (the shape mailauth's `resolver` option expects), through the
 * boot config's dns.servers (tests: a DNS server on a loopback port; empty: the system's). The
 * timeout is read at each query (a setting), with one node Resolver kept per timeout value.
 * Errors keep node's codes: ENOTFOUND / ENODATA (no answer), ETIMEOUT, ESERVFAIL.
 */
import { Resolver } from 'node:dns/promises';

export type DnsLookup = (name: string, rrtype: string) => Promise<never[] | string[] | string[][]>;

export function createDnsLookup(servers: readonly string[], timeoutMs: () => number): DnsLookup {
  let made: { timeout: number; resolver: Resolver } | undefined;
  const resolver = (): Resolver => {
    const timeout = timeoutMs();
    if (made?.timeout !== timeout) {
      const r = new Resolver({ timeout, tries: 1 });
      if (servers.length > 0) r.setServers([...servers]);
      made = { timeout, resolver: r };
    }
    return made.resolver;
  };
  return (name, rrtype) => resolver().resolve(name, rrtype) as Promise<never[] | string[] | string[][]>;
}
