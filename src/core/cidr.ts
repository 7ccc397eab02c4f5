/**
 * Address lists in configuration and settings (trustedNetworks, security.loginWhitelist): CIDRs or
 * single addresses, IPv4 and IPv6, an IPv4-mapped IPv6 peer matched as IPv4. One matcher for all.
 */
import ipaddr from 'ipaddr.js';

type Net = [ipaddr.IPv4 | ipaddr.IPv6, number];

/** Parses `entries`; `strict` throws on a malformed one (boot config), else it is skipped (runtime settings). */
export function cidrMatcher(entries: readonly string[], strict = false): (ip: string) => boolean {
  const nets: Net[] = [];
  for (const e of entries) {
    try {
      if (e.includes('/')) nets.push(ipaddr.parseCIDR(e));
      else {
        const a = ipaddr.process(e);
        nets.push([a, a.kind() === 'ipv4' ? 32 : 128]);
      }
    } catch (err) {
      if (strict) throw err;
    }
  }
  return (ip) => {
    let addr: ipaddr.IPv4 | ipaddr.IPv6;
    try {
      addr = ipaddr.process(ip);
    } catch {
      return false;
    }
    return nets.some(([net, bits]) => addr.kind() === net.kind() && addr.match(net, bits));
  };
}
