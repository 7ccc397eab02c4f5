/**
 * Which addresses a user-typed POP3 host may reach (SSRF guard). MultiPOP boxes and the "Test"
 * button connect to whatever host a user types; without a rule that reaches this machine's own
 * loopback services and the private network behind it. Refused unless collect.allowPrivateHosts:
 * unspecified, loopback, private (RFC 1918, RFC 4193 unique-local), carrier-grade NAT (RFC 6598),
 * link-local (RFC 3927, fe80::/10), multicast, reserved, and IPv4-mapped/NAT64 forms of these. The
 * check runs on the addresses DNS returns and the connection uses the address that was checked
 * (guardedLookup), so a name that resolves differently the second time cannot slip through.
 */
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { BlockList, isIP } from 'node:net';

const blocked = new BlockList();
for (const [net, bits] of [
  ['0.0.0.0', 8], ['10.0.0.0', 8], ['100.64.0.0', 10], ['127.0.0.0', 8], ['169.254.0.0', 16], ['172.16.0.0', 12],
  ['192.0.0.0', 24], ['192.168.0.0', 16], ['198.18.0.0', 15], ['224.0.0.0', 4], ['240.0.0.0', 4],
] as const) blocked.addSubnet(net, bits, 'ipv4');
for (const [net, bits] of [
  ['::', 128], ['::1', 128], ['fc00::', 7], ['fe80::', 10], ['fec0::', 10], ['ff00::', 8],
] as const) blocked.addSubnet(net, bits, 'ipv6');

/** The IPv4 address inside an IPv4-mapped (::ffff:a.b.c.d) or NAT64 (64:ff9b::a.b.c.d) IPv6 address. */
function embeddedV4(ip: string): string | undefined {
  const m = /^(?:::ffff:|64:ff9b::)(?:(\d+\.\d+\.\d+\.\d+)|([0-9a-f]{1,4}):([0-9a-f]{1,4}))$/i.exec(ip);
  if (!m) return undefined;
  if (m[1]) return m[1];
  const hi = parseInt(m[2]!, 16);
  const lo = parseInt(m[3]!, 16);
  return `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`;
}

/** True for an address a user-typed host must not reach. */
export function isPrivateAddress(ip: string): boolean {
  const family = isIP(ip);
  if (family === 4) return blocked.check(ip, 'ipv4');
  if (family === 6) {
    const v4 = embeddedV4(ip);
    if (v4) return blocked.check(v4, 'ipv4');
    return blocked.check(ip, 'ipv6');
  }
  return true; // not an address at all: refuse rather than guess
}

export const privateHostMessage = (host: string, ip: string) =>
  `${host} is ${ip === host ? '' : `${ip}, `}a loopback, private or link-local address; collecting from such hosts is off (setting collect.allowPrivateHosts)`;

/** For a literal IP host, the refusal; undefined when it may be reached (names are checked in guardedLookup). */
export function refuseLiteral(host: string): string | undefined {
  const bare = host.replace(/^\[|\]$/g, '');
  return isIP(bare) && isPrivateAddress(bare) ? privateHostMessage(host, bare) : undefined;
}

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/** A net.connect `lookup` that resolves as usual and fails when any address returned is private. */
export function guardedLookup(hostname: string, options: object, callback: LookupCallback): void {
  dnsLookup(hostname, { ...options, all: true }, (err, addresses) => {
    if (err) return callback(err, '');
    const list = addresses as LookupAddress[];
    const bad = list.find((a) => isPrivateAddress(a.address));
    if (bad) {
      const e = Object.assign(new Error(privateHostMessage(hostname, bad.address)), { code: 'EPRIVATEHOST' }) as NodeJS.ErrnoException;
      return callback(e, '');
    }
    if ((options as { all?: boolean }).all) return callback(null, list);
    const first = list[0];
    if (!first) return callback(Object.assign(new Error(`${hostname} has no address`), { code: 'ENOTFOUND' }), '');
    callback(null, first.address, first.family);
  });
}

/**
 * The address to connect to for a user-typed host: the host itself when it is a literal IP, else
 * the first address DNS gives; throws (code EPRIVATEHOST) when the address, or any the name
 * resolves to, is private. Connect to the address returned (with the host as TLS server name), so
 * a name that resolves differently the second time cannot slip through. For clients that take no
 * `lookup` (imapflow).
 */
export function resolvePublicHost(host: string): Promise<string> {
  const bare = host.replace(/^\[|\]$/g, '');
  const refused = refuseLiteral(bare);
  if (refused) return Promise.reject(Object.assign(new Error(refused), { code: 'EPRIVATEHOST' }));
  if (isIP(bare)) return Promise.resolve(bare);
  return new Promise((resolve, reject) => {
    guardedLookup(bare, {}, (err, address) => (err ? reject(err) : resolve(address as string)));
  });
}
