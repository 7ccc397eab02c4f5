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
    const addr = parsedPeer(ip);
    return addr !== undefined && nets.some(([net, bits]) => addr.kind() === net.kind() && addr.match(net, bits));
  };
}

/** Peer addresses parsed lately: a session asks several lists about the same peer (LAN, trusted, whitelist). */
const parsed = new Map<string, ipaddr.IPv4 | ipaddr.IPv6 | undefined>();
const PARSED_MAX = 1024;

function parsedPeer(ip: string): ipaddr.IPv4 | ipaddr.IPv6 | undefined {
  if (parsed.has(ip)) return parsed.get(ip);
  let addr: ipaddr.IPv4 | ipaddr.IPv6 | undefined;
  try {
    addr = ipaddr.process(ip);
  } catch {
    addr = undefined;
  }
  if (parsed.size >= PARSED_MAX) parsed.clear();
  parsed.set(ip, addr);
  return addr;
}
